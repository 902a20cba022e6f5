/*
 * prefix-trie: RCU-protected binary tries of address prefixes, the
 * classifier's prefix tracking.
 *
 * A trie holds a multiset of bit-string prefixes (an IPv4 or IPv6 address
 * field, up to PREFIX_TRIE_MAX_BITS bits, read most significant bit first
 * from an array of big-endian 32-bit words).  It is path compressed: a
 * node holds up to 32 bits of prefix, the number of prefixes that end
 * exactly at its last bit ('n_rules'), and the two subtries for the next
 * bit.  Only the root may hold zero bits (when the first prefixes differ
 * in their first bit); every other node's first bit is the bit of the
 * edge that leads to it.  Removal prunes nodes that carry no rules and
 * lead nowhere, and merges rule-less nodes into their only child when
 * the bits fit in one node.
 *
 * prefix_trie_lookup() walks the path of a value and reports:
 *   - which prefix lengths have at least one prefix matching the value
 *     (a bitmap, bit L-1 for length L), and
 *   - how many leading bits of the value that answer depends on: the
 *     walk looks at bits up to and including the first one at which the
 *     value leaves the trie, so any value that agrees on those bits gets
 *     the same bitmap.  That count is what a lookup must un-wildcard.
 *
 * Concurrency: lookups are RCU readers; one writer at a time inserts and
 * removes.  The writer never changes a node's prefix in place: it builds
 * a changed copy, publishes it with one pointer store, and frees the old
 * node with rcu_postpone().  'n_rules' is updated in place (readers only
 * test it for nonzero, and a reader seeing the old or the new value is
 * seeing the trie before or after the change).
 */
#ifndef PLX_PREFIX_TRIE_H
#define PLX_PREFIX_TRIE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "types.h"

#define PREFIX_TRIE_MAX_BITS 128

struct prefix_trie_node;

struct prefix_trie {
    struct prefix_trie_node *root;      /* RCU. */
};

/* Bit L-1 is set when some prefix of length L matches. */
struct prefix_trie_plens {
    uint64_t bits[PREFIX_TRIE_MAX_BITS / 64];
};

static inline bool
prefix_trie_plens_has(const struct prefix_trie_plens *plens, unsigned len)
{
    return len && (plens->bits[(len - 1) / 64] >> ((len - 1) % 64)) & 1;
}

void prefix_trie_init(struct prefix_trie *);
void prefix_trie_destroy(struct prefix_trie *);
void prefix_trie_insert(struct prefix_trie *, const plx_be32 *prefix,
                        unsigned int plen);
bool prefix_trie_remove(struct prefix_trie *, const plx_be32 *prefix,
                        unsigned int plen);
unsigned int prefix_trie_lookup(const struct prefix_trie *,
                                const plx_be32 *value, unsigned int n_bits,
                                struct prefix_trie_plens *);
unsigned int prefix_trie_count(const struct prefix_trie *,
                               const plx_be32 *prefix, unsigned int plen);
bool prefix_trie_is_empty(const struct prefix_trie *);

#endif /* prefix-trie.h */
