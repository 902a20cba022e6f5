/* Tests for lib/sset. */
#include <config.h>
#include "sset.h"

#include "test.h"

/* Checks that SET holds exactly the N names in SORTED (strcmp order),
 * through every way of looking at it. */
static void
check_sset(const struct sset *set, const char *const *sorted, size_t n)
{
    CHECK_EQ(sset_count(set), n);
    CHECK_EQ(sset_is_empty(set), n == 0);

    const char **names = sset_sort(set);
    for (size_t i = 0; i < n; i++) {
        CHECK_STREQ(names[i], sorted[i]);
        CHECK(sset_contains(set, sorted[i]));
        CHECK_STREQ(sset_find(set, sorted[i])->name, sorted[i]);
    }
    CHECK(names[n] == NULL);
    free(names);

    const char *name;
    size_t count = 0;
    SSET_FOR_EACH (name, set) {
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            found |= !strcmp(name, sorted[i]);
        }
        CHECK_MSG(found, "unexpected \"%s\"", name);
        count++;
    }
    CHECK_EQ(count, n);
}

TEST(add_find_delete)
{
    struct sset set = SSET_INITIALIZER(&set);

    check_sset(&set, NULL, 0);
    CHECK(sset_find(&set, "a") == NULL);

    CHECK(sset_add(&set, "br0") != NULL);
    CHECK(sset_add(&set, "eth0") != NULL);
    CHECK(sset_add(&set, "") != NULL);          /* The empty name. */
    CHECK(sset_add(&set, "br0") == NULL);       /* Duplicate: refused. */
    CHECK(sset_add_and_free(&set, xstrdup("eth0")) == NULL);
    CHECK(sset_add_and_free(&set, xstrdup("vm1")) != NULL);
    check_sset(&set, (const char *[]) { "", "br0", "eth0", "vm1" }, 4);

    CHECK(!sset_contains(&set, "br"));          /* Prefixes differ. */
    CHECK(!sset_contains(&set, "br00"));
    CHECK(!sset_contains(&set, "BR0"));

    CHECK(sset_find_and_delete(&set, "eth0"));
    CHECK(!sset_find_and_delete(&set, "eth0"));
    sset_delete(&set, sset_find(&set, ""));
    check_sset(&set, (const char *[]) { "br0", "vm1" }, 2);

    sset_clear(&set);
    check_sset(&set, NULL, 0);
    CHECK(sset_add(&set, "again") != NULL);
    check_sset(&set, (const char *[]) { "again" }, 1);
    sset_destroy(&set);
    sset_destroy(NULL);
}

TEST(many_names)
{
    enum { N = 3000 };
    struct sset set;
    char **sorted = xmalloc(N * sizeof *sorted);

    sset_init(&set);
    for (int i = 0; i < N; i++) {
        /* Zero-padded, so numeric order is strcmp order. */
        sorted[i] = xasprintf("port%05d", i);
    }
    for (int i = N - 1; i >= 0; i--) {
        CHECK(sset_add(&set, sorted[i]));
    }
    check_sset(&set, (const char *const *) sorted, N);

    /* Delete the odd ones while iterating. */
    const char *name;
    SSET_FOR_EACH_SAFE (name, &set) {
        if ((name[strlen(name) - 1] - '0') % 2) {
            CHECK(sset_find_and_delete(&set, name));
        }
    }
    char **even = xmalloc(N / 2 * sizeof *even);
    for (int i = 0; i < N / 2; i++) {
        even[i] = sorted[i * 2];
    }
    check_sset(&set, (const char *const *) even, N / 2);

    /* Pop them all. */
    size_t popped = 0;
    char *s;
    while ((s = sset_pop(&set)) != NULL) {
        CHECK_EQ((s[strlen(s) - 1] - '0') % 2, 0);
        free(s);
        popped++;
    }
    CHECK_EQ(popped, N / 2);
    check_sset(&set, NULL, 0);

    for (int i = 0; i < N; i++) {
        free(sorted[i]);
    }
    free(sorted);
    free(even);
    sset_destroy(&set);
}

TEST(clone_equals_swap_moved)
{
    struct sset a, b, c;
    static const char *const names[] = { "x", "y", "z" };

    sset_init(&a);
    sset_add_array(&a, names, 3);
    sset_clone(&b, &a);
    CHECK(sset_equals(&a, &b));
    check_sset(&b, names, 3);

    /* The clone is independent. */
    sset_find_and_delete(&a, "y");
    CHECK(!sset_equals(&a, &b));
    check_sset(&b, names, 3);
    sset_add(&a, "w");
    CHECK(!sset_equals(&a, &b));        /* Same count, different names. */
    sset_find_and_delete(&a, "w");
    sset_add(&a, "y");
    CHECK(sset_equals(&a, &b));

    sset_init(&c);
    CHECK(!sset_equals(&a, &c));
    sset_swap(&a, &c);
    CHECK(sset_is_empty(&a));
    check_sset(&c, names, 3);

    /* Moving a one-name set (whose hmap uses in-struct storage). */
    sset_add(&a, "solo");
    struct sset moved;
    memcpy(&moved, &a, sizeof moved);
    memset(&a, 0xcc, sizeof a);
    sset_moved(&moved);
    check_sset(&moved, (const char *[]) { "solo" }, 1);

    sset_destroy(&moved);
    sset_destroy(&b);
    sset_destroy(&c);
}
