/* prefix-trie: see prefix-trie.h.
 *
 * Bits are numbered from the most significant bit of the first word.  A
 * node's 'prefix' holds its 'n_bits' bits left-aligned in a host-order
 * uint32_t (bit 0 of the node is bit 31 of 'prefix'); the unused low bits
 * are zero. */
#include <config.h>
#include "prefix-trie.h"

#include <arpa/inet.h>
#include <string.h>
#include "rcu.h"
#include "util.h"

struct prefix_trie_node {
    uint32_t prefix;                    /* Left-aligned prefix bits. */
    uint8_t n_bits;                     /* 1..32, or 0 for a root. */
    unsigned int n_rules;               /* Prefixes ending here. */
    struct prefix_trie_node *edges[2];  /* RCU.  Children by next bit. */
};

/* 32 bits of VALUE starting at bit OFS (fewer at the end of the value;
 * the low bits are then garbage-free zeros only if N_BITS says so). */
static uint32_t
get_bits32(const plx_be32 *value, unsigned int ofs, unsigned int n_bits)
{
    plx_be32 w;
    uint32_t bits;
    unsigned int skip = ofs % 32;

    memcpy(&w, &value[ofs / 32], sizeof w);
    bits = ntohl(w) << skip;
    if (skip && n_bits > 32 - skip) {
        memcpy(&w, &value[ofs / 32 + 1], sizeof w);
        bits |= ntohl(w) >> (32 - skip);
    }
    return bits;
}

static unsigned int
get_bit(const plx_be32 *value, unsigned int ofs)
{
    plx_be32 w;

    memcpy(&w, &value[ofs / 32], sizeof w);
    return (ntohl(w) >> (31 - ofs % 32)) & 1;
}

/* The number of leading bits (at most N) in which A and B agree. */
static unsigned int
equal_bits(uint32_t a, uint32_t b, unsigned int n)
{
    uint32_t diff = a ^ b;
    unsigned int eq = diff ? (unsigned int) __builtin_clz(diff) : 32;

    return MIN(eq, n);
}

/* How many of NODE's bits VALUE matches, starting at bit OFS of VALUE,
 * given that VALUE has only PLEN bits. */
static unsigned int
node_equal_bits(const struct prefix_trie_node *node, const plx_be32 *value,
                unsigned int ofs, unsigned int plen)
{
    unsigned int n = MIN(node->n_bits, plen - ofs);

    if (!n) {
        return 0;
    }
    return equal_bits(node->prefix, get_bits32(value, ofs, n), n);
}

static uint32_t
left_bits(uint32_t bits, unsigned int n)
{
    return n >= 32 ? bits : n ? bits & ~(UINT32_MAX >> n) : 0;
}

/* A chain of nodes for bits [OFS, OFS + N) of PREFIX, the last carrying
 * N_RULES rules.  Not yet visible to readers. */
static struct prefix_trie_node *
branch_create(const plx_be32 *prefix, unsigned int ofs, unsigned int n,
              unsigned int n_rules)
{
    struct prefix_trie_node *node = xzalloc(sizeof *node);
    unsigned int here = MIN(n, 32);

    node->prefix = left_bits(get_bits32(prefix, ofs, here), here);
    node->n_bits = here;
    if (n > here) {
        unsigned int bit = get_bit(prefix, ofs + here);
        node->edges[bit] = branch_create(prefix, ofs + here, n - here,
                                         n_rules);
    } else {
        node->n_rules = n_rules;
    }
    return node;
}

/* A private copy of NODE to modify; the original goes away after a grace
 * period, which for a writer that is not an RCU reader may end at once:
 * the caller must not touch NODE after this returns. */
static struct prefix_trie_node *
node_copy_postpone(struct prefix_trie_node *node)
{
    struct prefix_trie_node *copy = xmemdup(node, sizeof *node);

    rcu_postpone(free, node);
    return copy;
}

void
prefix_trie_init(struct prefix_trie *trie)
{
    trie->root = NULL;
}

static void
destroy_subtree(struct prefix_trie_node *node)
{
    if (node) {
        destroy_subtree(node->edges[0]);
        destroy_subtree(node->edges[1]);
        free(node);
    }
}

/* Frees every node at once: for a trie no reader can reach any more. */
void
prefix_trie_destroy(struct prefix_trie *trie)
{
    destroy_subtree(trie->root);
    trie->root = NULL;
}

bool
prefix_trie_is_empty(const struct prefix_trie *trie)
{
    return !rcu_get(trie->root);
}

/* Adds one rule with the first PLEN (1..PREFIX_TRIE_MAX_BITS) bits of
 * PREFIX.  Writer only. */
void
prefix_trie_insert(struct prefix_trie *trie, const plx_be32 *prefix,
                   unsigned int plen)
{
    struct prefix_trie_node **edge = &trie->root;
    struct prefix_trie_node *node;
    unsigned int ofs = 0;

    plx_assert(plen > 0 && plen <= PREFIX_TRIE_MAX_BITS);
    while ((node = *edge) != NULL) {
        unsigned int eq = node_equal_bits(node, prefix, ofs, plen);

        if (eq < node->n_bits) {
            /* PREFIX leaves or ends inside NODE: split it with a new
             * parent holding the shared bits. */
            struct prefix_trie_node *parent = xzalloc(sizeof *parent);
            unsigned int old_bit = (node->prefix >> (31 - eq)) & 1;
            struct prefix_trie_node *rest = node_copy_postpone(node);

            /* NODE may already be freed (the writer need not be an RCU
             * reader): only its copy REST may be read from here on. */
            parent->prefix = left_bits(rest->prefix, eq);
            parent->n_bits = eq;
            rest->prefix <<= eq;
            rest->n_bits -= eq;
            parent->edges[old_bit] = rest;
            if (ofs + eq == plen) {
                parent->n_rules = 1;
            } else {
                parent->edges[!old_bit] = branch_create(prefix, ofs + eq,
                                                        plen - ofs - eq, 1);
            }
            rcu_set(*edge, parent);
            return;
        }
        ofs += eq;
        if (ofs == plen) {
            __atomic_store_n(&node->n_rules, node->n_rules + 1,
                             __ATOMIC_RELAXED);
            return;
        }
        edge = &node->edges[get_bit(prefix, ofs)];
    }
    rcu_set(*edge, branch_create(prefix, ofs, plen - ofs, 1));
}

/* Removes one rule with the first PLEN bits of PREFIX.  Returns false if
 * there was none (a caller bug, reported rather than crashed on).
 * Writer only. */
bool
prefix_trie_remove(struct prefix_trie *trie, const plx_be32 *prefix,
                   unsigned int plen)
{
    struct prefix_trie_node **edges[PREFIX_TRIE_MAX_BITS + 1];
    struct prefix_trie_node *node;
    unsigned int ofs = 0;
    int depth = 0;

    if (!plen || plen > PREFIX_TRIE_MAX_BITS) {
        return false;
    }
    edges[0] = &trie->root;
    for (;;) {
        node = *edges[depth];
        if (!node) {
            return false;
        }
        unsigned int eq = node_equal_bits(node, prefix, ofs, plen);
        if (eq < node->n_bits) {
            return false;
        }
        ofs += eq;
        if (ofs == plen) {
            break;
        }
        edges[depth + 1] = &node->edges[get_bit(prefix, ofs)];
        depth++;
    }
    if (!node->n_rules) {
        return false;
    }
    __atomic_store_n(&node->n_rules, node->n_rules - 1, __ATOMIC_RELAXED);

    /* Prune nodes that no longer carry rules or branch. */
    while (!node->n_rules) {
        struct prefix_trie_node *e0 = node->edges[0], *e1 = node->edges[1];
        struct prefix_trie_node *next = e0 ? e0 : e1;

        if (e0 && e1) {
            break;
        }
        if (next) {
            /* Merge NODE into its only child, if the bits fit. */
            if (node->n_bits + next->n_bits > 32) {
                break;
            }
            next = node_copy_postpone(next);
            next->prefix = node->prefix | (node->n_bits
                                           ? next->prefix >> node->n_bits
                                           : next->prefix);
            next->n_bits += node->n_bits;
        }
        rcu_set(*edges[depth], next);
        rcu_postpone(free, node);
        if (next || !depth) {
            break;
        }
        /* NODE's parent lost a child: it may now be prunable too. */
        node = *edges[--depth];
    }
    return true;
}

/* Looks up the first N_BITS bits of VALUE; see prefix-trie.h.  Fills in
 * PLENS (zeroed first) and returns the number of leading bits of VALUE
 * that determined the result.  RCU reader. */
unsigned int
prefix_trie_lookup(const struct prefix_trie *trie, const plx_be32 *value,
                   unsigned int n_bits, struct prefix_trie_plens *plens)
{
    const struct prefix_trie_node *prev = NULL;
    const struct prefix_trie_node *node = rcu_get(trie->root);
    unsigned int ofs = 0;

    memset(plens, 0, sizeof *plens);
    while (node) {
        unsigned int eq = node_equal_bits(node, value, ofs, n_bits);

        ofs += eq;
        if (eq < node->n_bits) {
            /* VALUE leaves the trie at bit 'ofs', which counts too. */
            return MIN(ofs + 1, n_bits);
        }
        if (ofs && __atomic_load_n(&node->n_rules, __ATOMIC_RELAXED)) {
            plens->bits[(ofs - 1) / 64] |= UINT64_C(1) << ((ofs - 1) % 64);
        }
        if (ofs >= n_bits) {
            return n_bits;
        }
        prev = node;
        node = rcu_get(node->edges[get_bit(value, ofs)]);
    }
    /* Fell off an edge.  If the other edge exists, the bit that chose
     * between them counts. */
    if (prev && (rcu_get(prev->edges[0]) || rcu_get(prev->edges[1]))) {
        return ofs + 1;
    }
    return ofs;
}

/* Rules stored with exactly the first PLEN bits of PREFIX. */
unsigned int
prefix_trie_count(const struct prefix_trie *trie, const plx_be32 *prefix,
                  unsigned int plen)
{
    const struct prefix_trie_node *node = rcu_get(trie->root);
    unsigned int ofs = 0;

    while (node) {
        unsigned int eq = node_equal_bits(node, prefix, ofs, plen);

        if (eq < node->n_bits) {
            return 0;
        }
        ofs += eq;
        if (ofs == plen) {
            return node->n_rules;
        }
        node = rcu_get(node->edges[get_bit(prefix, ofs)]);
    }
    return 0;
}
