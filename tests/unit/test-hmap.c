/* Tests for lib/hmap: contents always match a reference array, across
 * incremental resizes, removals, shrinking and pathological hashes. */
#include <config.h>
#include "hmap.h"

#include "hash.h"
#include "test.h"

struct element {
    int value;
    struct hmap_node node;
};

typedef size_t hash_func(int value);

static size_t identity_hash(int value) { return value; }
static size_t good_hash(int value) { return hash_int(value, 0x1234); }
static size_t constant_hash(int value) { return 123; }

/* Checks that HMAP holds exactly VALUES[0..N), each once, and that
 * lookup by hash finds each. */
static void
check_hmap(struct hmap *hmap, const int *values, size_t n, hash_func *hash)
{
    int *seen = xcalloc(n ? n : 1, sizeof *seen);
    size_t count = 0;
    struct element *e;

    CHECK_EQ(hmap_count(hmap), n);
    CHECK_EQ(hmap_is_empty(hmap), n == 0);
    HMAP_FOR_EACH (e, node, hmap) {
        size_t i;
        for (i = 0; i < n; i++) {
            if (values[i] == e->value) {
                break;
            }
        }
        CHECK_MSG(i < n, "unexpected value %d", e->value);
        CHECK_EQ(seen[i], 0);
        seen[i] = 1;
        count++;
    }
    CHECK_EQ(count, n);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        HMAP_FOR_EACH_WITH_HASH (e, node, hash(values[i]), hmap) {
            found |= e->value == values[i];
        }
        CHECK_MSG(found, "value %d not found by hash", values[i]);
    }
    free(seen);
}

static void
run_insert_remove(hash_func *hash, int n)
{
    struct element *elements = xcalloc(n, sizeof *elements);
    int *values = xcalloc(n, sizeof *values);
    struct hmap hmap;

    hmap_init(&hmap);
    for (int i = 0; i < n; i++) {
        elements[i].value = values[i] = i * 7 + 3;
        hmap_insert(&hmap, &elements[i].node, hash(elements[i].value));
        if (i % 97 == 0 || i < 40) {
            check_hmap(&hmap, values, i + 1, hash);
        }
    }
    check_hmap(&hmap, values, n, hash);

    /* Remove in a scrambled order, checking as we go. */
    int remaining = n;
    for (int k = 0; k < n; k++) {
        int i = test_random() % remaining;
        for (int j = 0; j < n; j++) {
            if (elements[j].value == values[i]) {
                hmap_remove(&hmap, &elements[j].node);
                break;
            }
        }
        values[i] = values[--remaining];
        if (k % 101 == 0 || remaining < 40) {
            check_hmap(&hmap, values, remaining, hash);
        }
    }
    check_hmap(&hmap, values, 0, hash);
    hmap_destroy(&hmap);
    free(elements);
    free(values);
}

TEST(insert_remove_good_hash) { run_insert_remove(good_hash, 5000); }
TEST(insert_remove_identity_hash) { run_insert_remove(identity_hash, 5000); }
TEST(insert_remove_constant_hash) { run_insert_remove(constant_hash, 300); }

/* Removing while a resize is in progress, in the middle of iteration,
 * never loses or repeats a node. */
TEST(safe_iteration_during_resize)
{
    enum { N = 1000 };
    struct element elements[N];
    int values[N];
    struct hmap hmap;

    hmap_init(&hmap);
    for (int i = 0; i < N; i++) {
        elements[i].value = i;
        hmap_insert(&hmap, &elements[i].node, good_hash(i));
    }
    CHECK(hmap.old != NULL || hmap.mask + 1 >= N / 2);

    struct element *e;
    int n = 0;
    HMAP_FOR_EACH_SAFE (e, node, &hmap) {
        if (e->value % 3 == 0) {
            hmap_remove(&hmap, &e->node);
        }
    }
    for (int i = 0; i < N; i++) {
        if (i % 3) {
            values[n++] = i;
        }
    }
    check_hmap(&hmap, values, n, good_hash);
    hmap_destroy(&hmap);
}

/* No single insertion moves more than a few old buckets: resizing is
 * incremental. */
TEST(resize_is_incremental)
{
    enum { N = 1 << 14 };
    struct element *elements = xcalloc(N, sizeof *elements);
    struct hmap hmap;
    bool saw_resize = false;

    hmap_init(&hmap);
    for (int i = 0; i < N; i++) {
        size_t before = hmap.old ? hmap.rehash_idx : 0;
        bool was_resizing = hmap.old != NULL;
        elements[i].value = i;
        hmap_insert(&hmap, &elements[i].node, good_hash(i));
        if (was_resizing && hmap.old) {
            CHECK_LE(hmap.rehash_idx - before, 2);
            saw_resize = true;
        }
    }
    CHECK(saw_resize);
    hmap_destroy(&hmap);
    free(elements);
}

TEST(reserve_shrink_swap_replace)
{
    enum { N = 600 };
    struct element elements[N], replacement;
    int values[N];
    struct hmap a, b;

    hmap_init(&a);
    hmap_init(&b);
    hmap_reserve(&a, N);
    CHECK(a.old == NULL);
    size_t mask = a.mask;
    for (int i = 0; i < N; i++) {
        elements[i].value = values[i] = i;
        hmap_insert(&a, &elements[i].node, good_hash(i));
    }
    CHECK_EQ(a.mask, mask);         /* Reserved: no resize needed. */

    for (int i = 10; i < N; i++) {
        hmap_remove(&a, &elements[i].node);
    }
    hmap_shrink(&a);
    CHECK_LT(a.mask, mask);
    check_hmap(&a, values, 10, good_hash);

    replacement.value = 5;
    hmap_replace(&a, &elements[5].node, &replacement.node);
    CHECK(hmap_contains(&a, &replacement.node));
    CHECK(!hmap_contains(&a, &elements[5].node));

    hmap_swap(&a, &b);
    check_hmap(&a, values, 0, good_hash);
    check_hmap(&b, values, 10, good_hash);

    struct element *e;
    int popped = 0;
    HMAP_FOR_EACH_POP (e, node, &b) {
        popped++;
    }
    CHECK_EQ(popped, 10);
    CHECK(hmap_is_empty(&b));
    hmap_destroy(&a);
    hmap_destroy(&b);
}

TEST(moved_and_static_initializer)
{
    struct hmap src = HMAP_INITIALIZER(&src);
    struct element e = { .value = 42 };
    struct hmap dst;

    hmap_insert(&src, &e.node, good_hash(42));
    dst = src;
    hmap_moved(&dst);
    int v[] = { 42 };
    check_hmap(&dst, v, 1, good_hash);
    hmap_destroy(&dst);
}

/* Inserts elements 0, 1, 2... until an insertion leaves a resize in
 * progress that has moved some old buckets and has at least MIN_LEFT
 * still to move; returns how many were inserted. */
static int
insert_until_resizing(struct hmap *hmap, struct element *elements,
                      int max, size_t min_left)
{
    for (int i = 0; i < max; i++) {
        elements[i].value = i;
        hmap_insert(hmap, &elements[i].node, good_hash(i));
        if (hmap->old && hmap->rehash_idx > 0
            && hmap->old_mask + 1 - hmap->rehash_idx >= min_left) {
            return i + 1;
        }
    }
    test_fail(TEST_WHERE, "no resize in progress after %d insertions", max);
}

/* Iteration, lookup, removal, hmap_contains() and hmap_replace() all work
 * while nodes are split between the old and new bucket arrays. */
TEST(operations_during_resize)
{
    enum { MAX = 5000 };
    struct element *elements = xcalloc(MAX, sizeof *elements);
    struct element *repl = xcalloc(MAX, sizeof *repl);
    int *values = xcalloc(MAX, sizeof *values);
    struct hmap hmap;

    hmap_init(&hmap);
    int n = insert_until_resizing(&hmap, elements, MAX, 64);
    CHECK(hmap.old != NULL);
    CHECK_GT(hmap.rehash_idx, 0);        /* Some moved, some not. */
    for (int i = 0; i < n; i++) {
        values[i] = i;
        CHECK(hmap_contains(&hmap, &elements[i].node));
    }
    check_hmap(&hmap, values, n, good_hash);
    CHECK(hmap.old != NULL);             /* Reading moved nothing. */

    /* Replace every third node, remove every fifth, still mid-resize. */
    for (int i = 0; i < n; i += 3) {
        repl[i].value = i;
        hmap_replace(&hmap, &elements[i].node, &repl[i].node);
        CHECK(hmap_contains(&hmap, &repl[i].node));
        CHECK(!hmap_contains(&hmap, &elements[i].node));
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i % 5 == 0) {
            hmap_remove(&hmap, i % 3 ? &elements[i].node : &repl[i].node);
        } else {
            values[m++] = i;
        }
    }
    CHECK(hmap.old != NULL);
    check_hmap(&hmap, values, m, good_hash);

    /* Safe iteration removing half, mid-resize. */
    struct element *e;
    HMAP_FOR_EACH_SAFE (e, node, &hmap) {
        if (e->value % 2) {
            hmap_remove(&hmap, &e->node);
        }
    }
    CHECK(hmap.old != NULL);
    int k = 0;
    for (int i = 0; i < m; i++) {
        if (values[i] % 2 == 0) {
            values[k++] = values[i];
        }
    }
    check_hmap(&hmap, values, k, good_hash);

    /* Further insertions finish the resize without losing anything. */
    for (int i = n; i < MAX && hmap.old; i++) {
        elements[i].value = i;
        hmap_insert(&hmap, &elements[i].node, good_hash(i));
        values[k++] = i;
    }
    CHECK(hmap.old == NULL);
    check_hmap(&hmap, values, k, good_hash);

    hmap_destroy(&hmap);
    free(elements);
    free(repl);
    free(values);
}

/* Shrink, reserve, swap, moved and destroy with a resize in progress. */
TEST(shrink_swap_moved_during_resize)
{
    enum { MAX = 5000 };
    struct element *elements = xcalloc(MAX, sizeof *elements);
    int *values = xcalloc(MAX, sizeof *values);
    struct hmap a, b;

    /* Shrink mid-resize, after removing most nodes. */
    hmap_init(&a);
    int n = insert_until_resizing(&a, elements, MAX, 64);
    for (int i = 8; i < n; i++) {
        hmap_remove(&a, &elements[i].node);
    }
    for (int i = 0; i < 8; i++) {
        values[i] = i;
    }
    CHECK(a.old != NULL);
    hmap_shrink(&a);
    CHECK(a.old == NULL);
    CHECK_LE(a.mask + 1, 8);
    check_hmap(&a, values, 8, good_hash);

    /* Reserve mid-resize. */
    hmap_destroy(&a);
    hmap_init(&a);
    n = insert_until_resizing(&a, elements, MAX, 64);
    for (int i = 0; i < n; i++) {
        values[i] = i;
    }
    hmap_reserve(&a, 4 * n);
    CHECK(a.old == NULL);
    check_hmap(&a, values, n, good_hash);

    /* Swap a resizing map with a one-bucket map and back; move it. */
    hmap_destroy(&a);
    hmap_init(&a);
    hmap_init(&b);
    n = insert_until_resizing(&a, elements, MAX, 64);
    struct element single = { .value = -1 };
    hmap_insert(&b, &single.node, good_hash(-1));
    hmap_swap(&a, &b);
    CHECK(b.old != NULL);
    check_hmap(&b, values, n, good_hash);
    int v[] = { -1 };
    check_hmap(&a, v, 1, good_hash);

    struct hmap moved;
    memcpy(&moved, &b, sizeof moved);
    memset(&b, 0xcc, sizeof b);
    hmap_moved(&moved);
    check_hmap(&moved, values, n, good_hash);
    for (int i = n; i < MAX && moved.old; i++) {
        elements[i].value = values[i] = i;
        hmap_insert(&moved, &elements[i].node, good_hash(i));
        n++;
    }
    check_hmap(&moved, values, n, good_hash);

    /* Destroying mid-resize frees both arrays (ASan checks for leaks). */
    hmap_init(&b);
    struct element *more = xcalloc(MAX, sizeof *more);
    insert_until_resizing(&b, more, MAX, 64);
    hmap_destroy(&b);

    hmap_destroy(&moved);
    hmap_destroy(&a);
    free(more);
    free(elements);
    free(values);
}

/* HMAP_FOR_EACH_POP empties the map mid-resize, and still terminates
 * with the map empty if the body reinserts into the same map (which
 * may start or finish a resize under the cursor). */
TEST(pop_during_resize_and_with_reinsertion)
{
    enum { MAX = 5000 };
    struct element *elements = xcalloc(MAX, sizeof *elements);
    int *seen = xcalloc(MAX, sizeof *seen);
    struct hmap hmap;
    struct element *e;

    hmap_init(&hmap);
    int n = insert_until_resizing(&hmap, elements, MAX, 64);
    int popped = 0;
    HMAP_FOR_EACH_POP (e, node, &hmap) {
        CHECK_EQ(seen[e->value], 0);
        seen[e->value] = 1;
        popped++;
    }
    CHECK_EQ(popped, n);
    CHECK(hmap_is_empty(&hmap));

    /* Each popped element with an even value comes back once, as odd. */
    for (int i = 0; i < 1000; i++) {
        elements[i].value = i * 2;
        hmap_insert(&hmap, &elements[i].node, good_hash(i * 2));
    }
    memset(seen, 0, MAX * sizeof *seen);
    popped = 0;
    HMAP_FOR_EACH_POP (e, node, &hmap) {
        popped++;
        CHECK_EQ(seen[e->value], 0);
        seen[e->value] = 1;
        if (e->value % 2 == 0) {
            e->value++;
            hmap_insert(&hmap, &e->node, good_hash(e->value));
        }
    }
    CHECK_EQ(popped, 2000);
    CHECK(hmap_is_empty(&hmap));
    hmap_destroy(&hmap);
    free(elements);
    free(seen);
}

/* hmap_reserve(N) really makes room for N: inserting N nodes then never
 * resizes, at every size around the powers of two. */
TEST(reserve_is_enough)
{
    enum { MAX = 2100 };
    struct element *elements = xcalloc(MAX, sizeof *elements);

    /* 0..39, then 2**i - 1, 2**i, 2**i + 1 for i = 6..11. */
    for (size_t k = 0; k < 40 + 3 * 6; k++) {
        size_t n = k < 40 ? k : ((size_t) 64 << (k - 40) / 3) - 1
                                + (k - 40) % 3;
        struct hmap hmap;
        hmap_init(&hmap);
        hmap_reserve(&hmap, n);
        size_t mask = hmap.mask;
        for (size_t i = 0; i < n; i++) {
            hmap_insert(&hmap, &elements[i].node, good_hash(i));
            CHECK_MSG(hmap.mask == mask && !hmap.old,
                      "reserve(%zu): resized at insertion %zu", n, i);
        }
        /* And shrinking a map of N nodes picks that same size, so the
         * next insertions do not grow it straight back. */
        hmap_shrink(&hmap);
        CHECK_EQ(hmap.mask, mask);
        hmap_destroy(&hmap);
    }
    free(elements);
}

/* The one-bucket map (a fresh map, HMAP_INITIALIZER, or shrunk to one):
 * every operation, growth out of it, and shrinking back into it. */
static struct hmap static_map = HMAP_INITIALIZER(&static_map);

TEST(one_bucket_map)
{
    struct element e[4];
    int v[4];

    CHECK(hmap_is_empty(&static_map));
    CHECK(hmap_first(&static_map) == NULL);
    for (int i = 0; i < 4; i++) {
        e[i].value = v[i] = i;
        hmap_insert(&static_map, &e[i].node, constant_hash(i));
        check_hmap(&static_map, v, i + 1, constant_hash);
    }
    CHECK_GT(static_map.mask, 0);

    struct element r = { .value = 2 };
    hmap_replace(&static_map, &e[2].node, &r.node);
    hmap_remove(&static_map, &e[0].node);
    hmap_remove(&static_map, &e[1].node);
    hmap_remove(&static_map, &e[3].node);
    hmap_shrink(&static_map);
    CHECK_EQ(static_map.mask, 0);
    CHECK(static_map.buckets == &static_map.one);
    check_hmap(&static_map, (int[]) { 2 }, 1, constant_hash);

    /* A copy of a one-bucket map that was not fixed up with hmap_moved()
     * must at least not free the original's struct member. */
    struct hmap copy = static_map;
    hmap_destroy(&copy);

    hmap_remove(&static_map, &r.node);
    check_hmap(&static_map, NULL, 0, constant_hash);
    hmap_clear(&static_map);
    CHECK(static_map.buckets == &static_map.one);
    hmap_destroy(&static_map);
}

/* Randomized mix of every operation against a reference membership
 * array, with resizes, shrinks and swaps along the way. */
TEST(randomized_mix)
{
    enum { N = 2000 };
    struct element *elements = xcalloc(N, sizeof *elements);
    bool *in = xcalloc(N, sizeof *in);
    int *values = xcalloc(N, sizeof *values);
    struct hmap hmap, other;

    hmap_init(&hmap);
    hmap_init(&other);
    for (int i = 0; i < N; i++) {
        elements[i].value = i;
    }
    for (int op = 0; op < 50000; op++) {
        int i = test_random() % N;
        unsigned r = test_random() % 1000;
        if (r < 550) {
            if (!in[i]) {
                hmap_insert(&hmap, &elements[i].node, good_hash(i));
                in[i] = true;
            }
        } else if (r < 995) {
            if (in[i]) {
                CHECK(hmap_contains(&hmap, &elements[i].node));
                hmap_remove(&hmap, &elements[i].node);
                in[i] = false;
            }
        } else if (r < 998) {
            hmap_shrink(&hmap);
        } else {
            hmap_swap(&hmap, &other);
            hmap_swap(&hmap, &other);
        }
        if (op % 2500 == 0) {
            int n = 0;
            for (int j = 0; j < N; j++) {
                if (in[j]) {
                    values[n++] = j;
                }
            }
            check_hmap(&hmap, values, n, good_hash);
        }
    }
    hmap_destroy(&hmap);
    hmap_destroy(&other);
    free(elements);
    free(in);
    free(values);
}
