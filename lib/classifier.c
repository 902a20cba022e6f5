/* classifier: see classifier.h for the design, classifier-private.h for
 * the data structures.
 *
 * Writer ordering rules, which keep every concurrent lookup sound:
 *
 *   - Filters are supersets.  The subtable vector's 'max_priority', the
 *     stage indices and the prefix tries must never rule out a rule that
 *     a reader can reach.  So on insertion they are updated before the
 *     rule is linked into its subtable's rule table, and on removal after
 *     it is unlinked.
 *
 *   - Nothing a reader can reach is freed or changed in place except
 *     through single pointer or word stores; replaced objects are freed
 *     with rcu_postpone().
 *
 * Ports tries.  Each subtable whose mask on the 32-bit word (tp_src << 16
 * | tp_dst) is a nonzero prefix mask of length L keeps a prefix trie of
 * its rules' keys on that word, all of length L (one entry per rule, so
 * rules that share ports count twice).  When a lookup with wildcards
 * misses in such a subtable's final stage (the L4 segment, which holds
 * the ports), it asks the ports trie whether any rule's ports match the
 * flow's.  If none does, no rule of the subtable can match any flow that
 * agrees with this one on the leading bits the trie walk looked at, so
 * the lookup un-wildcards only those bits of the ports (plus the earlier
 * stages), instead of the subtable's whole L4 mask.  If some rule's ports
 * do match (the miss came from another L4 field, e.g. tcp_flags), it
 * un-wildcards the whole mask as before.  The trie is a filter like the
 * others: updated before a rule is linked and after it is unlinked. */
#include <config.h>
#include "classifier.h"
#include "classifier-private.h"

#include <arpa/inet.h>
#include <limits.h>
#include "hash.h"
#include "match.h"
#include "rcu.h"

/* ---- Prefix fields ---- */

struct cls_prefix_field_info {
    const char *name;
    const char *alias;
    size_t ofs;                 /* Byte offset in struct flow. */
    unsigned int n_bits;
};

static const struct cls_prefix_field_info prefix_fields[] = {
    [CLS_PREFIX_NW_SRC] = { "nw_src", "ip_src",
                            offsetof(struct flow, nw_src), 32 },
    [CLS_PREFIX_NW_DST] = { "nw_dst", "ip_dst",
                            offsetof(struct flow, nw_dst), 32 },
    [CLS_PREFIX_IPV6_SRC] = { "ipv6_src", NULL,
                              offsetof(struct flow, ipv6_src), 128 },
    [CLS_PREFIX_IPV6_DST] = { "ipv6_dst", NULL,
                              offsetof(struct flow, ipv6_dst), 128 },
    [CLS_PREFIX_TUN_SRC] = { "tun_src", NULL,
                             offsetof(struct flow, tunnel.ip_src), 32 },
    [CLS_PREFIX_TUN_DST] = { "tun_dst", NULL,
                             offsetof(struct flow, tunnel.ip_dst), 32 },
};
BUILD_ASSERT_DECL(ARRAY_SIZE(prefix_fields) == CLS_N_PREFIX_FIELDS);

/* The ports word: tp_src in the high 16 bits, tp_dst in the low 16, read
 * most significant bit first, like an address field. */
static const struct cls_prefix_field_info ports_field = {
    "tp_ports", NULL, offsetof(struct flow, tp_src), 32
};
BUILD_ASSERT_DECL(offsetof(struct flow, tp_dst)
                  == offsetof(struct flow, tp_src) + 2);
BUILD_ASSERT_DECL(offsetof(struct flow, tp_src) % 4 == 0);
BUILD_ASSERT_DECL(offsetof(struct flow, tp_src)
                  >= FLOW_SEGMENT_3_STARTS_AT);

const char *
cls_prefix_field_name(enum cls_prefix_field field)
{
    return field < CLS_N_PREFIX_FIELDS ? prefix_fields[field].name : "?";
}

bool
cls_prefix_field_from_name(const char *name, enum cls_prefix_field *field)
{
    for (size_t i = 0; i < CLS_N_PREFIX_FIELDS; i++) {
        const struct cls_prefix_field_info *f = &prefix_fields[i];
        if (!strcmp(name, f->name) || (f->alias && !strcmp(name, f->alias))) {
            *field = i;
            return true;
        }
    }
    return false;
}

/* ---- Rules ---- */

void
cls_rule_init(struct cls_rule *rule, const struct match *match, int priority)
{
    rule->next = NULL;
    minimatch_init(&rule->match, match);
    rule->priority = priority;
}

void
cls_rule_init_from_minimatch(struct cls_rule *rule,
                             const struct minimatch *match, int priority)
{
    rule->next = NULL;
    minimatch_clone(&rule->match, match);
    rule->priority = priority;
}

void
cls_rule_clone(struct cls_rule *dst, const struct cls_rule *src)
{
    cls_rule_init_from_minimatch(dst, &src->match, src->priority);
}

void
cls_rule_destroy(struct cls_rule *rule)
{
    minimatch_destroy(&rule->match);
}

bool
cls_rule_equal(const struct cls_rule *a, const struct cls_rule *b)
{
    return a->priority == b->priority && minimatch_equal(&a->match,
                                                         &b->match);
}

bool
cls_rule_is_catchall(const struct cls_rule *rule)
{
    return minimask_is_catchall(rule->match.mask);
}

bool
cls_rule_matches_flow(const struct cls_rule *rule, const struct flow *flow)
{
    return minimatch_matches_flow(&rule->match, flow);
}

/* ---- ctab (see classifier-private.h) ---- */

static struct ctab *
ctab_create(uint32_t n_slots)
{
    size_t hashes_size = ROUND_UP(n_slots * sizeof(uint32_t), 8);
    struct ctab *t = xzalloc(sizeof *t + hashes_size
                             + n_slots * sizeof(void *));

    t->mask = n_slots - 1;
    t->values = (void **) (void *) ((char *) t->hashes + hashes_size);
    return t;
}

static size_t
ctab_memory(const struct ctab *t)
{
    size_t n_slots = (size_t) t->mask + 1;
    return (sizeof *t + ROUND_UP(n_slots * sizeof(uint32_t), 8)
            + n_slots * sizeof(void *));
}

/* Writer: the first slot at or after HASH's home that is not live. */
static uint32_t
ctab_free_slot(const struct ctab *t, uint32_t hash)
{
    for (uint32_t i = hash & t->mask; ; i = (i + 1) & t->mask) {
        if (t->hashes[i] <= CTAB_DELETED) {
            return i;
        }
    }
}

/* Writer: makes room for one more entry in *TP, rebuilding if needed. */
static void
ctab_reserve_one(struct ctab **tp)
{
    struct ctab *old = *tp;
    uint32_t n_slots = old->mask + 1;

    if ((uint64_t) (old->n + old->n_deleted + 1) * 4
        <= (uint64_t) n_slots * 3) {
        return;
    }

    struct ctab *new = ctab_create(MAX(8, round_up_pow2((old->n + 1) * 2)));
    for (uint32_t i = 0; i <= old->mask; i++) {
        uint32_t h = old->hashes[i];
        if (h > CTAB_DELETED) {
            uint32_t j = ctab_free_slot(new, h);
            new->hashes[j] = h;
            new->values[j] = old->values[i];
        }
    }
    new->n = old->n;
    rcu_set(*tp, new);
    rcu_postpone(free, old);
}

/* Writer: adds HASH -> VALUE (HASH already through ctab_hash()). */
static void
ctab_insert(struct ctab **tp, uint32_t hash, void *value)
{
    ctab_reserve_one(tp);

    struct ctab *t = *tp;
    uint32_t i = ctab_free_slot(t, hash);

    if (t->hashes[i] == CTAB_DELETED) {
        t->n_deleted--;
    }
    __atomic_store_n(&t->values[i], value, __ATOMIC_RELAXED);
    __atomic_store_n(&t->hashes[i], hash, __ATOMIC_RELEASE);
    t->n++;
}

static void
ctab_remove_at(struct ctab *t, uint32_t i)
{
    __atomic_store_n(&t->hashes[i], CTAB_DELETED, __ATOMIC_RELEASE);
    t->n--;
    t->n_deleted++;
}

static void
ctab_set_value(struct ctab *t, uint32_t i, void *value)
{
    __atomic_store_n(&t->values[i], value, __ATOMIC_RELEASE);
}

/* Writer: the slot holding HASH in a counting set, or UINT32_MAX. */
static uint32_t
ctab_find_count(const struct ctab *t, uint32_t hash)
{
    for (uint32_t i = hash & t->mask; ; i = (i + 1) & t->mask) {
        if (t->hashes[i] == hash) {
            return i;
        } else if (t->hashes[i] == CTAB_EMPTY) {
            return UINT32_MAX;
        }
    }
}

static void
ctab_count_add(struct ctab **tp, uint32_t hash)
{
    uint32_t i = ctab_find_count(*tp, hash);

    if (i != UINT32_MAX) {
        uintptr_t count = (uintptr_t) (*tp)->values[i];
        ctab_set_value(*tp, i, (void *) (count + 1));
    } else {
        ctab_insert(tp, hash, (void *) (uintptr_t) 1);
    }
}

static void
ctab_count_sub(struct ctab *t, uint32_t hash)
{
    uint32_t i = ctab_find_count(t, hash);

    plx_assert(i != UINT32_MAX);
    uintptr_t count = (uintptr_t) t->values[i];
    if (count > 1) {
        ctab_set_value(t, i, (void *) (count - 1));
    } else {
        ctab_remove_at(t, i);
    }
}

/* ---- Subtables ---- */

/* A subtable as this file allocates it: the shared part, then the ports
 * trie (see the comment at the top of the file). */
struct cls_subtable_ports {
    struct cls_subtable st;
    struct prefix_trie trie;        /* RCU.  Rules' ports, 'plen' bits. */
    uint8_t plen;                   /* 0: ports mask not a prefix. */
};

static struct cls_subtable_ports *
subtable_ports(const struct cls_subtable *st)
{
    return CONTAINER_OF(st, struct cls_subtable_ports, st);
}

static void
subtables_publish(struct classifier *, struct cls_subtables *);

static const struct cls_prefix_field_info *
trie_field(const struct classifier *cls, size_t j)
{
    return &prefix_fields[cls->tries[j].field];
}

/* The prefix length of MASK on FIELD, if MASK there is a CIDR prefix
 * mask, else 0. */
static unsigned int
minimask_prefix_len(const struct minimask *mask,
                    const struct cls_prefix_field_info *field)
{
    uint64_t words[3] = { 0, 0, 0 };
    uint8_t bytes[16];
    size_t first = field->ofs / 8, n_bytes = field->n_bits / 8;
    unsigned int plen = 0;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(words) && first + i < FLOW_U64S; i++) {
        words[i] = minimask_get(mask, first + i);
    }
    memcpy(bytes, (char *) words + field->ofs % 8, n_bytes);
    for (i = 0; i < n_bytes && bytes[i] == 0xff; i++) {
        plen += 8;
    }
    if (i < n_bytes) {
        uint8_t b = bytes[i];
        unsigned int ones = b ? __builtin_clz((unsigned int) (uint8_t) ~b)
                                - (sizeof(unsigned int) * 8 - 8) : 0;
        if ((uint8_t) (b << ones) != 0) {
            return 0;               /* Not contiguous. */
        }
        plen += ones;
        for (i++; i < n_bytes; i++) {
            if (bytes[i]) {
                return 0;
            }
        }
    }
    return plen;
}

/* Copies FIELD of the minimatch key into VALUE (as big-endian words). */
static void
minimatch_field(const struct minimatch *mm,
                const struct cls_prefix_field_info *field, plx_be32 value[4])
{
    uint64_t words[3] = { 0, 0, 0 };
    size_t first = field->ofs / 8;

    for (size_t i = 0; i < ARRAY_SIZE(words) && first + i < FLOW_U64S; i++) {
        words[i] = miniflow_get(mm->flow, first + i);
    }
    memcpy(value, (char *) words + field->ofs % 8, field->n_bits / 8);
}

static void
subtable_init_tries(const struct classifier *cls, struct cls_subtable *st,
                    size_t n_tries)
{
    memset(st->trie_plen, 0, sizeof st->trie_plen);
    memset(st->trie_stage, 0, sizeof st->trie_stage);
    for (size_t j = 0; j < n_tries; j++) {
        const struct cls_prefix_field_info *f = trie_field(cls, j);
        unsigned int plen = minimask_prefix_len(st->mask, f);
        size_t word = f->ofs / 8, pos, s;

        if (!plen) {
            continue;
        }
        for (pos = 0; st->idx[pos] != word; pos++) {
            continue;
        }
        for (s = 0; pos >= st->stage_end[s]; s++) {
            continue;
        }
        st->trie_plen[j] = plen;
        st->trie_stage[j] = s;
    }
}

static struct cls_subtable *
subtable_create(struct classifier *cls, const struct minimask *mask,
                uint32_t mask_hash)
{
    static const size_t boundaries[] = {
        FLOW_SEGMENT_1_STARTS_AT / 8,
        FLOW_SEGMENT_2_STARTS_AT / 8,
        FLOW_SEGMENT_3_STARTS_AT / 8,
    };
    BUILD_ASSERT(ARRAY_SIZE(boundaries) == CLS_MAX_INDICES);
    struct cls_subtable_ports *sp = xzalloc(sizeof *sp);
    struct cls_subtable *st = &sp->st;
    size_t idx, n = 0, prev = 0;

    st->mask = minimask_clone(mask);
    st->mask_values = miniflow_values_const(&st->mask->masks);
    FLOWMAP_FOR_EACH_INDEX (idx, st->mask->masks.map) {
        st->idx[n++] = idx;
    }
    st->n_words = n;

    /* One stage per segment the mask touches; the last touched segment
     * is the final stage, which the rule table itself covers. */
    for (size_t b = 0; b < ARRAY_SIZE(boundaries); b++) {
        size_t c = 0;
        while (c < n && st->idx[c] < boundaries[b]) {
            c++;
        }
        if (c > prev) {
            st->stage_end[st->n_indices++] = c;
            prev = c;
        }
    }
    if (st->n_indices && st->stage_end[st->n_indices - 1] == n) {
        st->n_indices--;
    }
    st->stage_end[st->n_indices] = n;
    for (size_t i = 0; i < st->n_indices; i++) {
        st->indices[i] = ctab_create(8);
    }
    st->rules = ctab_create(8);

    subtable_init_tries(cls, st, cls->n_tries);
    prefix_trie_init(&sp->trie);
    sp->plen = minimask_prefix_len(st->mask, &ports_field);
    st->max_priority = INT_MIN;
    st->seq = cls->next_seq++;
    hmap_insert(&cls->subtables_map, &st->hmap_node, mask_hash);
    return st;
}

static void
subtable_free(struct cls_subtable *st)
{
    prefix_trie_destroy(&subtable_ports(st)->trie);
    for (size_t i = 0; i < st->n_indices; i++) {
        free(st->indices[i]);
    }
    free(st->rules);
    free(st->mask);
    free(st);
}

static struct cls_subtable *
find_subtable(const struct classifier *cls, const struct minimask *mask,
              uint32_t mask_hash)
{
    struct cls_subtable *st;

    HMAP_FOR_EACH_WITH_HASH (st, hmap_node, mask_hash, &cls->subtables_map) {
        if (minimask_equal(mask, st->mask)) {
            return st;
        }
    }
    return NULL;
}

/* Hashes of RULE's key for each stage of ST: HASHES[i] for index i, and
 * HASHES[n_indices] for the rule table, all through ctab_hash(). */
static void
rule_stage_hashes(const struct cls_subtable *st, const struct cls_rule *rule,
                  uint32_t hashes[CLS_MAX_STAGES])
{
    const uint64_t *kv = miniflow_values_const(rule->match.flow);
    uint32_t basis = 0;
    size_t i = 0;

    for (size_t s = 0; s <= st->n_indices; s++) {
        for (; i < st->stage_end[s]; i++) {
            basis = hash_add64(basis, kv[i]);
        }
        hashes[s] = ctab_hash(hash_finish(basis, i * 8));
    }
}

static bool
rule_key_equal(const struct cls_subtable *st, const struct cls_rule *a,
               const struct cls_rule *b)
{
    return !memcmp(miniflow_values_const(a->match.flow),
                   miniflow_values_const(b->match.flow),
                   st->n_words * sizeof(uint64_t));
}

/* Writer: the rule-table slot of ST whose key equals RULE's, or
 * UINT32_MAX. */
static uint32_t
subtable_find_key(const struct cls_subtable *st, const struct cls_rule *rule,
                  uint32_t hash)
{
    const struct ctab *t = st->rules;

    for (uint32_t i = hash & t->mask; ; i = (i + 1) & t->mask) {
        if (t->hashes[i] == hash
            && rule_key_equal(st, t->values[i], rule)) {
            return i;
        } else if (t->hashes[i] == CTAB_EMPTY) {
            return UINT32_MAX;
        }
    }
}

static void
tries_update(struct classifier *cls, const struct cls_subtable *st,
             const struct cls_rule *rule, size_t n_tries, bool insert)
{
    for (size_t j = 0; j < n_tries; j++) {
        if (st->trie_plen[j]) {
            plx_be32 value[4];

            minimatch_field(&rule->match, trie_field(cls, j), value);
            if (insert) {
                prefix_trie_insert(&cls->tries[j].trie, value,
                                   st->trie_plen[j]);
            } else {
                bool ok = prefix_trie_remove(&cls->tries[j].trie, value,
                                             st->trie_plen[j]);
                plx_assert(ok);
            }
        }
    }
}

/* Adds RULE's ports to, or removes them from, ST's ports trie. */
static void
ports_trie_update(const struct cls_subtable *st, const struct cls_rule *rule,
                  bool insert)
{
    struct cls_subtable_ports *sp = subtable_ports(st);
    plx_be32 value[4];

    if (!sp->plen) {
        return;
    }
    minimatch_field(&rule->match, &ports_field, value);
    if (insert) {
        prefix_trie_insert(&sp->trie, value, sp->plen);
    } else {
        bool ok = prefix_trie_remove(&sp->trie, value, sp->plen);
        plx_assert(ok);
    }
}

/* ---- The subtable vector ---- */

static int
compare_entries(const void *a_, const void *b_)
{
    const struct cls_subtable_entry *a = a_, *b = b_;

    if (a->max_priority != b->max_priority) {
        return a->max_priority > b->max_priority ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static struct cls_subtables *
subtables_alloc(size_t n)
{
    struct cls_subtables *v = xmalloc(sizeof *v + n * sizeof v->e[0]);

    v->n = n;
    return v;
}

static void
subtables_publish(struct classifier *cls, struct cls_subtables *v)
{
    struct cls_subtables *old = cls->subtables;

    qsort(v->e, v->n, sizeof v->e[0], compare_entries);
    rcu_set(cls->subtables, v);
    rcu_postpone(free, old);
}

/* Publishes a vector with ST's current 'max_priority' (adding ST if it is
 * not there yet). */
static void
subtables_update(struct classifier *cls, struct cls_subtable *st)
{
    const struct cls_subtables *old = cls->subtables;
    struct cls_subtables *v = subtables_alloc(old->n + 1);
    bool found = false;

    memcpy(v->e, old->e, old->n * sizeof v->e[0]);
    v->n = old->n;
    for (size_t i = 0; i < v->n; i++) {
        if (v->e[i].subtable == st) {
            v->e[i].max_priority = st->max_priority;
            found = true;
        }
    }
    if (!found) {
        v->e[v->n++] = (struct cls_subtable_entry) {
            st->max_priority, st->seq, st
        };
    }
    subtables_publish(cls, v);
}

static void
subtables_remove(struct classifier *cls, const struct cls_subtable *st)
{
    const struct cls_subtables *old = cls->subtables;
    struct cls_subtables *v = subtables_alloc(old->n);

    v->n = 0;
    for (size_t i = 0; i < old->n; i++) {
        if (old->e[i].subtable != st) {
            v->e[v->n++] = old->e[i];
        }
    }
    subtables_publish(cls, v);
}

/* ---- Classifier ---- */

static const enum cls_prefix_field default_prefix_fields[] = {
    CLS_PREFIX_NW_DST, CLS_PREFIX_NW_SRC,
};

void
classifier_init(struct classifier *cls, const enum cls_prefix_field *fields,
                size_t n_fields)
{
    memset(cls, 0, sizeof *cls);
    cls->subtables = subtables_alloc(0);
    hmap_init(&cls->subtables_map);
    for (size_t j = 0; j < CLS_MAX_TRIES; j++) {
        prefix_trie_init(&cls->tries[j].trie);
    }
    if (!fields) {
        fields = default_prefix_fields;
        n_fields = ARRAY_SIZE(default_prefix_fields);
    }
    if (!classifier_set_prefix_fields(cls, fields, n_fields)) {
        classifier_set_prefix_fields(cls, NULL, 0);
    }
}

/* Frees CLS, which no reader may use any more.  The rules still in it
 * belong to the caller and are not freed. */
void
classifier_destroy(struct classifier *cls)
{
    struct cls_subtable *st;

    HMAP_FOR_EACH_POP (st, hmap_node, &cls->subtables_map) {
        subtable_free(st);
    }
    hmap_destroy(&cls->subtables_map);
    for (size_t j = 0; j < CLS_MAX_TRIES; j++) {
        prefix_trie_destroy(&cls->tries[j].trie);
    }
    free(cls->subtables);
    cls->subtables = NULL;
    cls->n_rules = 0;
}

/* Configures prefix tracking on FIELDS (at most CLS_MAX_TRIES, no
 * duplicates; none disables it).  Returns false, changing nothing, if
 * FIELDS is not acceptable.  If lookups may be running on CLS, waits for
 * a grace period. */
bool
classifier_set_prefix_fields(struct classifier *cls,
                             const enum cls_prefix_field *fields,
                             size_t n_fields)
{
    struct cls_subtable *st;

    if (n_fields > CLS_MAX_TRIES) {
        return false;
    }
    for (size_t i = 0; i < n_fields; i++) {
        if (fields[i] >= CLS_N_PREFIX_FIELDS) {
            return false;
        }
        for (size_t k = 0; k < i; k++) {
            if (fields[k] == fields[i]) {
                return false;
            }
        }
    }
    if (n_fields == cls->n_tries) {
        size_t i;
        for (i = 0; i < n_fields; i++) {
            if (cls->tries[i].field != fields[i]) {
                break;
            }
        }
        if (i == n_fields) {
            return true;
        }
    }

    /* Switch the tries off and wait until no lookup uses them. */
    if (cls->n_tries) {
        __atomic_store_n(&cls->n_tries, 0, __ATOMIC_RELEASE);
        rcu_synchronize();
    }
    for (size_t j = 0; j < CLS_MAX_TRIES; j++) {
        prefix_trie_destroy(&cls->tries[j].trie);
    }
    for (size_t j = 0; j < n_fields; j++) {
        cls->tries[j].field = fields[j];
    }

    /* Rebuild them from the rules. */
    HMAP_FOR_EACH (st, hmap_node, &cls->subtables_map) {
        const struct ctab *t = st->rules;

        subtable_init_tries(cls, st, n_fields);
        for (uint32_t i = 0; i <= t->mask; i++) {
            if (t->hashes[i] > CTAB_DELETED) {
                for (const struct cls_rule *r = t->values[i]; r;
                     r = r->next) {
                    tries_update(cls, st, r, n_fields, true);
                }
            }
        }
    }
    __atomic_store_n(&cls->n_tries, n_fields, __ATOMIC_RELEASE);
    return true;
}

/* Inserts RULE, which must not be in any classifier.  If a rule with the
 * same match and priority is already there, RULE takes its place and the
 * displaced rule is returned (free it with rcu_postpone()); otherwise
 * returns NULL. */
const struct cls_rule *
classifier_replace(struct classifier *cls, struct cls_rule *rule)
{
    uint32_t mask_hash = minimask_hash(rule->match.mask, 0);
    struct cls_subtable *st = find_subtable(cls, rule->match.mask,
                                            mask_hash);
    uint32_t hashes[CLS_MAX_STAGES];
    uint32_t slot = UINT32_MAX;

    if (!st) {
        st = subtable_create(cls, rule->match.mask, mask_hash);
    }
    rule_stage_hashes(st, rule, hashes);

    slot = subtable_find_key(st, rule, hashes[st->n_indices]);
    if (slot != UINT32_MAX) {
        /* Same key: find RULE's place in the priority-ordered list. */
        struct cls_rule *head = st->rules->values[slot];
        struct cls_rule **prevp = NULL;
        struct cls_rule *cur;

        for (cur = head; cur && cur->priority > rule->priority;
             cur = cur->next) {
            prevp = &cur->next;
        }
        if (cur && cur->priority == rule->priority) {
            /* Replace CUR: same key, priority and prefixes, so only the
             * list changes. */
            rule->next = cur->next;
            if (prevp) {
                rcu_set(*prevp, rule);
            } else {
                ctab_set_value(st->rules, slot, rule);
            }
            return cur;
        }
    }

    /* A new rule: update the filters first. */
    if (rule->priority > st->max_priority || !st->n_rules) {
        st->max_priority = rule->priority;
        st->max_count = 1;
        subtables_update(cls, st);
    } else if (rule->priority == st->max_priority) {
        st->max_count++;
    }
    for (size_t i = 0; i < st->n_indices; i++) {
        ctab_count_add(&st->indices[i], hashes[i]);
    }
    tries_update(cls, st, rule, cls->n_tries, true);
    ports_trie_update(st, rule, true);

    /* Then link the rule in. */
    if (slot == UINT32_MAX) {
        rule->next = NULL;
        ctab_insert(&st->rules, hashes[st->n_indices], rule);
    } else {
        struct cls_rule *head = st->rules->values[slot];
        if (rule->priority > head->priority) {
            rule->next = head;
            ctab_set_value(st->rules, slot, rule);
        } else {
            struct cls_rule *prev = head;
            while (prev->next && prev->next->priority > rule->priority) {
                prev = prev->next;
            }
            rule->next = prev->next;
            rcu_set(prev->next, rule);
        }
    }
    st->n_rules++;
    cls->n_rules++;
    return NULL;
}

/* Inserts RULE, which must not duplicate (same match and priority) a rule
 * already in CLS. */
void
classifier_insert(struct classifier *cls, struct cls_rule *rule)
{
    const struct cls_rule *displaced = classifier_replace(cls, rule);
    plx_assert(!displaced);
}

/* The highest priority among ST's rules. */
static int
subtable_scan_max(struct cls_subtable *st)
{
    const struct ctab *t = st->rules;

    st->max_priority = INT_MIN;
    st->max_count = 0;
    for (uint32_t i = 0; i <= t->mask; i++) {
        if (t->hashes[i] > CTAB_DELETED) {
            for (const struct cls_rule *r = t->values[i]; r; r = r->next) {
                if (r->priority > st->max_priority) {
                    st->max_priority = r->priority;
                    st->max_count = 1;
                } else if (r->priority == st->max_priority) {
                    st->max_count++;
                }
            }
        }
    }
    return st->max_priority;
}

/* Removes RULE from CLS.  Returns false if it was not there.  The caller
 * frees RULE only after a grace period (rcu_postpone()). */
bool
classifier_remove(struct classifier *cls, const struct cls_rule *rule_)
{
    struct cls_rule *rule = (struct cls_rule *) rule_;
    uint32_t mask_hash = minimask_hash(rule->match.mask, 0);
    struct cls_subtable *st = find_subtable(cls, rule->match.mask,
                                            mask_hash);
    uint32_t hashes[CLS_MAX_STAGES];
    struct cls_rule *head, *prev;
    uint32_t slot;

    if (!st) {
        return false;
    }
    rule_stage_hashes(st, rule, hashes);
    slot = subtable_find_key(st, rule, hashes[st->n_indices]);
    if (slot == UINT32_MAX) {
        return false;
    }

    /* Unlink, leaving RULE->next intact for readers standing on RULE. */
    head = st->rules->values[slot];
    if (head == rule) {
        if (rule->next) {
            ctab_set_value(st->rules, slot, rule->next);
        } else {
            ctab_remove_at(st->rules, slot);
        }
    } else {
        for (prev = head; prev->next != rule; prev = prev->next) {
            if (!prev->next) {
                return false;
            }
        }
        rcu_set(prev->next, rule->next);
    }

    /* Then update the filters. */
    for (size_t i = 0; i < st->n_indices; i++) {
        ctab_count_sub(st->indices[i], hashes[i]);
    }
    tries_update(cls, st, rule, cls->n_tries, false);
    ports_trie_update(st, rule, false);
    cls->n_rules--;
    if (!--st->n_rules) {
        subtables_remove(cls, st);
        hmap_remove(&cls->subtables_map, &st->hmap_node);
        rcu_postpone(subtable_free, st);
    } else if (rule->priority == st->max_priority && !--st->max_count) {
        subtable_scan_max(st);
        subtables_update(cls, st);
    }
    return true;
}

/* ---- Lookup ---- */

struct trie_ctx {
    bool done;
    unsigned int maskbits;
    struct prefix_trie_plens plens;
};

/* Sets the first N_BITS bits of the field at byte offset OFS in WC. */
static void
wc_set_prefix_bits(struct flow_wildcards *wc, size_t ofs, unsigned n_bits)
{
    uint8_t *p = (uint8_t *) &wc->masks + ofs;

    for (; n_bits >= 8; n_bits -= 8) {
        *p++ = 0xff;
    }
    if (n_bits) {
        *p |= (uint8_t) (0xff << (8 - n_bits));
    }
}

static bool
wc_has_prefix_bits(const struct flow_wildcards *wc, size_t ofs,
                   unsigned n_bits)
{
    const uint8_t *p = (const uint8_t *) &wc->masks + ofs;
    uint8_t last;

    for (; n_bits >= 8; n_bits -= 8) {
        if (*p++ != 0xff) {
            return false;
        }
    }
    last = n_bits ? (uint8_t) (0xff << (8 - n_bits)) : 0;
    return (*p & last) == last;
}

/* Whether the prefix tries prove that no rule of ST matches FLOW, looking
 * at the tries whose field lies in stage STAGE.  If so, sets in WC the
 * bits the proof used. */
static bool
check_tries(const struct classifier *cls, const struct cls_subtable *st,
            size_t stage, size_t n_tries, struct trie_ctx *ctx,
            const struct flow *flow, struct flow_wildcards *wc)
{
    for (size_t j = 0; j < n_tries; j++) {
        unsigned int plen = st->trie_plen[j];

        if (!plen || st->trie_stage[j] != stage) {
            continue;
        }

        const struct cls_prefix_field_info *f = trie_field(cls, j);
        if (!ctx[j].done) {
            const plx_be32 *value = (const plx_be32 *) (const void *)
                ((const char *) flow + f->ofs);
            ctx[j].maskbits = prefix_trie_lookup(&cls->tries[j].trie, value,
                                                 f->n_bits, &ctx[j].plens);
            ctx[j].done = true;
        }
        if (!prefix_trie_plens_has(&ctx[j].plens, plen)) {
            if (!wc) {
                return true;
            }
            /* Skip only if that costs no more bits than hashing this
             * stage would (at most 'plen' bits of the field), or the bits
             * are already un-wildcarded. */
            if (ctx[j].maskbits <= plen) {
                wc_set_prefix_bits(wc, f->ofs, ctx[j].maskbits);
                return true;
            }
            if (wc_has_prefix_bits(wc, f->ofs, ctx[j].maskbits)) {
                return true;
            }
        }
    }
    return false;
}

/* Un-wildcards the first N mask words of ST. */
static void
fold_mask(const struct cls_subtable *st, size_t n, struct flow_wildcards *wc)
{
    if (wc) {
        uint64_t *wcw = flow_u64(&wc->masks);
        for (size_t i = 0; i < n; i++) {
            wcw[st->idx[i]] |= st->mask_values[i];
        }
    }
}

/* The rule of ST whose key equals FW under ST's mask (HASH is the hash of
 * the whole masked key), or NULL. */
static const struct cls_rule *
subtable_find_rule(const struct cls_subtable *st, const uint64_t *fw,
                   uint32_t hash)
{
    const struct ctab *t = rcu_get(st->rules);
    const uint64_t *mv = st->mask_values;

    for (uint32_t k = hash & t->mask; ; k = (k + 1) & t->mask) {
        uint32_t h = ctab_load_hash(t, k);

        if (h == hash) {
            const struct cls_rule *rule = ctab_load_value(t, k);
            const uint64_t *kv = miniflow_values_const(rule->match.flow);
            size_t w;

            for (w = 0; w < st->n_words; w++) {
                if ((fw[st->idx[w]] & mv[w]) != kv[w]) {
                    break;
                }
            }
            if (w == st->n_words) {
                return rule;
            }
        } else if (h == CTAB_EMPTY) {
            return NULL;
        }
    }
}

/* After a miss in ST's final stage: whether ST's ports trie shows that no
 * rule of ST has FLOW's ports.  If so, sets in WC the leading bits of the
 * ports word that showed it (never more than the subtable's own ports
 * mask), which is all the final stage needs. */
static bool
ports_trie_rules_out(const struct cls_subtable *st, const struct flow *flow,
                     struct flow_wildcards *wc)
{
    const struct cls_subtable_ports *sp = subtable_ports(st);
    const plx_be32 *value = (const plx_be32 *) (const void *)
        ((const char *) flow + ports_field.ofs);
    struct prefix_trie_plens plens;
    unsigned int maskbits;

    if (!sp->plen) {
        return false;
    }
    maskbits = prefix_trie_lookup(&sp->trie, value, sp->plen, &plens);
    if (prefix_trie_plens_has(&plens, sp->plen)) {
        return false;
    }
    wc_set_prefix_bits(wc, ports_field.ofs, maskbits);
    return true;
}

static const struct cls_rule *
subtable_lookup(const struct classifier *cls, const struct cls_subtable *st,
                const struct flow *flow, struct flow_wildcards *wc,
                size_t n_tries, struct trie_ctx *ctx)
{
    const uint64_t *fw = flow_u64_const(flow);
    const uint64_t *mv = st->mask_values;
    uint32_t basis = 0, hash;
    size_t i = 0, s;

    for (s = 0; s < st->n_indices; s++) {
        if (n_tries && check_tries(cls, st, s, n_tries, ctx, flow, wc)) {
            fold_mask(st, i, wc);
            return NULL;
        }
        for (; i < st->stage_end[s]; i++) {
            basis = hash_add64(basis, fw[st->idx[i]] & mv[i]);
        }
        hash = ctab_hash(hash_finish(basis, i * 8));
        if (!ctab_contains(rcu_get(st->indices[s]), hash)) {
            fold_mask(st, i, wc);
            return NULL;
        }
    }
    if (n_tries && check_tries(cls, st, s, n_tries, ctx, flow, wc)) {
        fold_mask(st, i, wc);
        return NULL;
    }
    size_t final_start = i;
    for (; i < st->n_words; i++) {
        basis = hash_add64(basis, fw[st->idx[i]] & mv[i]);
    }
    hash = ctab_hash(hash_finish(basis, i * 8));

    const struct cls_rule *rule = subtable_find_rule(st, fw, hash);
    if (!rule && wc && ports_trie_rules_out(st, flow, wc)) {
        fold_mask(st, final_start, wc);
        return NULL;
    }
    fold_mask(st, st->n_words, wc);
    return rule;
}

/* Returns the highest-priority rule in CLS that matches FLOW, or NULL.
 * If WC is nonnull, ORs into it the bits of FLOW the answer depended on
 * (see classifier.h).  RCU reader. */
const struct cls_rule *
classifier_lookup(const struct classifier *cls, const struct flow *flow,
                  struct flow_wildcards *wc)
{
    size_t n_tries = __atomic_load_n(&cls->n_tries, __ATOMIC_ACQUIRE);
    const struct cls_subtables *v = rcu_get(cls->subtables);
    const struct cls_rule *best = NULL;
    struct trie_ctx ctx[CLS_MAX_TRIES];

    for (size_t j = 0; j < n_tries; j++) {
        ctx[j].done = false;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct cls_rule *rule;

        if (best && best->priority >= v->e[i].max_priority) {
            break;
        }
        rule = subtable_lookup(cls, v->e[i].subtable, flow, wc, n_tries, ctx);
        if (rule && (!best || rule->priority > best->priority)) {
            best = rule;
        }
    }
    return best;
}

/* ---- Exact finds, overlap, iteration ---- */

const struct cls_rule *
classifier_find_rule_exactly(const struct classifier *cls,
                             const struct cls_rule *target)
{
    const struct cls_subtable *st;
    uint32_t hashes[CLS_MAX_STAGES];
    uint32_t slot;

    st = find_subtable(cls, target->match.mask,
                       minimask_hash(target->match.mask, 0));
    if (!st) {
        return NULL;
    }
    rule_stage_hashes(st, target, hashes);
    slot = subtable_find_key(st, target, hashes[st->n_indices]);
    if (slot == UINT32_MAX) {
        return NULL;
    }
    for (const struct cls_rule *r = st->rules->values[slot];
         r && r->priority >= target->priority; r = r->next) {
        if (r->priority == target->priority) {
            return r;
        }
    }
    return NULL;
}

const struct cls_rule *
classifier_find_match_exactly(const struct classifier *cls,
                              const struct match *match, int priority)
{
    const struct cls_rule *found;
    struct cls_rule target;

    cls_rule_init(&target, match, priority);
    found = classifier_find_rule_exactly(cls, &target);
    cls_rule_destroy(&target);
    return found;
}

/* Whether some rule in CLS with TARGET's priority matches a packet that
 * TARGET matches too (OpenFlow's CHECK_OVERLAP).  A rule equal to TARGET
 * counts. */
bool
classifier_rule_overlaps(const struct classifier *cls,
                         const struct cls_rule *target)
{
    const struct cls_subtable *st;

    HMAP_FOR_EACH (st, hmap_node, &cls->subtables_map) {
        const struct ctab *t = st->rules;
        uint64_t both[FLOW_U64S];

        if (st->max_priority < target->priority) {
            continue;
        }
        /* Keys must agree where both masks care. */
        for (size_t w = 0; w < st->n_words; w++) {
            both[w] = st->mask_values[w] & minimask_get(target->match.mask,
                                                         st->idx[w]);
        }
        for (uint32_t i = 0; i <= t->mask; i++) {
            if (t->hashes[i] <= CTAB_DELETED) {
                continue;
            }
            for (const struct cls_rule *r = t->values[i];
                 r && r->priority >= target->priority; r = r->next) {
                const uint64_t *kv;
                size_t w;

                if (r->priority != target->priority) {
                    continue;
                }
                kv = miniflow_values_const(r->match.flow);
                for (w = 0; w < st->n_words; w++) {
                    uint64_t tv = miniflow_get(target->match.flow,
                                               st->idx[w]);
                    if ((kv[w] ^ tv) & both[w]) {
                        break;
                    }
                }
                if (w == st->n_words) {
                    return true;
                }
            }
        }
    }
    return false;
}

size_t
classifier_n_subtables(const struct classifier *cls)
{
    return hmap_count(&cls->subtables_map);
}

static bool
rule_matches_target(const struct cls_rule *rule,
                    const struct cls_rule *target)
{
    return !target || miniflow_equal_in_minimask(rule->match.flow,
                                                 target->match.flow,
                                                 target->match.mask);
}

static bool
subtable_may_match_target(const struct cls_subtable *st,
                          const struct cls_rule *target)
{
    return !target || !minimask_has_extra(st->mask, target->match.mask);
}

/* Moves CURSOR to the first rule at or after (SUBTABLE, SLOT) that
 * matches the target, starting with RULE if nonnull. */
static void
cursor_settle(struct cls_cursor *c, const struct cls_subtable *st,
              uint32_t slot, const struct cls_rule *rule)
{
    const struct classifier *cls = c->cls;

    while (st) {
        if (subtable_may_match_target(st, c->target)) {
            const struct ctab *t = st->rules;

            for (; rule || slot <= t->mask; slot++, rule = NULL) {
                if (!rule) {
                    if (t->hashes[slot] <= CTAB_DELETED) {
                        continue;
                    }
                    rule = t->values[slot];
                }
                for (; rule; rule = rule->next) {
                    if (rule_matches_target(rule, c->target)) {
                        c->subtable = st;
                        c->slot = slot;
                        c->rule = rule;
                        return;
                    }
                }
            }
        }
        struct hmap_node *next = hmap_next(&cls->subtables_map,
                                           &st->hmap_node);
        st = next ? CONTAINER_OF(next, struct cls_subtable, hmap_node) : NULL;
        slot = 0;
        rule = NULL;
    }
    c->subtable = NULL;
    c->rule = NULL;
}

struct cls_cursor
cls_cursor_start(const struct classifier *cls, const struct cls_rule *target)
{
    struct cls_cursor c = { .cls = cls, .target = target };
    struct hmap_node *first = hmap_first(&cls->subtables_map);

    if (target && cls_rule_is_catchall(target)) {
        c.target = NULL;
    }
    cursor_settle(&c, (first
                       ? CONTAINER_OF(first, struct cls_subtable, hmap_node)
                       : NULL), 0, NULL);
    return c;
}

/* Advances to the rule after the current one.  Called before the loop
 * body runs, so that the body may remove the current rule. */
void
cls_cursor_advance(struct cls_cursor *c)
{
    const struct cls_rule *next = c->rule->next;

    if (next) {
        cursor_settle(c, c->subtable, c->slot, next);
    } else {
        cursor_settle(c, c->subtable, c->slot + 1, NULL);
    }
}

/* Heap bytes the classifier's own structures use (not the rules). */
size_t
classifier_memory_usage(const struct classifier *cls)
{
    const struct cls_subtable *st;
    size_t total = sizeof *cls->subtables
                   + cls->subtables->n * sizeof cls->subtables->e[0];

    HMAP_FOR_EACH (st, hmap_node, &cls->subtables_map) {
        total += (sizeof(struct cls_subtable_ports)
                  + miniflow_size(st->n_words));
        total += ctab_memory(st->rules);
        for (size_t i = 0; i < st->n_indices; i++) {
            total += ctab_memory(st->indices[i]);
        }
    }
    return total;
}
