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
