/* Tests for lib/smap. */
#include <config.h>
#include "smap.h"

#include <limits.h>
#include "dynamic-string.h"
#include "test.h"

/* Checks SMAP against KEYS/VALUES, both in key order. */
static void
check_smap(const struct smap *smap, const char *const *keys,
           const char *const *values, size_t n)
{
    CHECK_EQ(smap_count(smap), n);
    CHECK_EQ(smap_is_empty(smap), n == 0);

    const struct smap_node **nodes = smap_sort(smap);
    for (size_t i = 0; i < n; i++) {
        CHECK_STREQ(nodes[i]->key, keys[i]);
        CHECK_STREQ(nodes[i]->value, values[i]);
        CHECK_STREQ(smap_get(smap, keys[i]), values[i]);
        CHECK(smap_contains(smap, keys[i]));
    }
    CHECK(nodes[n] == NULL);
    free(nodes);

    const struct smap_node *node;
    size_t count = 0;
    SMAP_FOR_EACH (node, smap) {
        CHECK_STREQ(smap_get(smap, node->key), node->value);
        count++;
    }
    CHECK_EQ(count, n);
}

TEST(add_get_replace_remove)
{
    struct smap smap = SMAP_INITIALIZER(&smap);

    check_smap(&smap, NULL, NULL, 0);
    CHECK(smap_get(&smap, "k") == NULL);
    CHECK_STREQ(smap_get_def(&smap, "k", "dflt"), "dflt");

    CHECK(smap_add(&smap, "b", "2") != NULL);
    CHECK(smap_add(&smap, "a", "1") != NULL);
    CHECK(smap_add(&smap, "a", "other") == NULL);   /* Refused. */
    CHECK(smap_add_format(&smap, "c", "%d-%s", 3, "x") != NULL);
    CHECK(smap_add_format(&smap, "c", "%d", 4) == NULL);
    CHECK(smap_add_nocopy(&smap, xstrdup("d"), xstrdup("")) != NULL);
    /* Freed on refusal (ASan would report a leak otherwise). */
    CHECK(smap_add_nocopy(&smap, xstrdup("d"), xstrdup("dup")) == NULL);
    check_smap(&smap, (const char *[]) { "a", "b", "c", "d" },
               (const char *[]) { "1", "2", "3-x", "" }, 4);

    smap_replace(&smap, "a", "one");
    smap_replace(&smap, "e", "5");
    /* Replacing a value with itself (VALUE points into the map). */
    smap_replace(&smap, "b", smap_get(&smap, "b"));
    check_smap(&smap, (const char *[]) { "a", "b", "c", "d", "e" },
               (const char *[]) { "one", "2", "3-x", "", "5" }, 5);

    CHECK(smap_remove(&smap, "c"));
    CHECK(!smap_remove(&smap, "c"));
    smap_remove_node(&smap, smap_get_node(&smap, "d"));
    char *v = smap_steal(&smap, smap_get_node(&smap, "e"));
    CHECK_STREQ(v, "5");
    free(v);
    check_smap(&smap, (const char *[]) { "a", "b" },
               (const char *[]) { "one", "2" }, 2);

    struct ds ds = DS_EMPTY_INITIALIZER;
    smap_format(&smap, &ds);
    CHECK_STREQ(ds_cstr(&ds), "a=one, b=2");
    ds_destroy(&ds);

    smap_clear(&smap);
    check_smap(&smap, NULL, NULL, 0);
    smap_destroy(&smap);
    smap_destroy(NULL);
}

TEST(typed_getters)
{
    struct smap smap;

    smap_init(&smap);
    smap_add(&smap, "int", "-42");
    smap_add(&smap, "big", "2147483648");           /* INT_MAX + 1. */
    smap_add(&smap, "min", "-2147483648");
    smap_add(&smap, "junk", "12abc");
    smap_add(&smap, "empty", "");
    smap_add(&smap, "hex", "0x10");
    smap_add(&smap, "u64", "18446744073709551615");
    smap_add(&smap, "u64+1", "18446744073709551616");
    smap_add(&smap, "neg", "-1");
    smap_add(&smap, "t", "true");
    smap_add(&smap, "T", "TRUE");
    smap_add(&smap, "f", "False");
    smap_add(&smap, "yes", "yes");
    smap_add(&smap, "one", "1");

    CHECK_EQ(smap_get_int(&smap, "int", 7), -42);
    CHECK_EQ(smap_get_int(&smap, "min", 7), INT_MIN);
    CHECK_EQ(smap_get_int(&smap, "big", 7), 7);     /* Out of range. */
    CHECK_EQ(smap_get_int(&smap, "junk", 7), 7);
    CHECK_EQ(smap_get_int(&smap, "empty", 7), 7);
    CHECK_EQ(smap_get_int(&smap, "hex", 7), 7);     /* Base 10 only. */
    CHECK_EQ(smap_get_int(&smap, "absent", 7), 7);

    CHECK_EQ(smap_get_uint(&smap, "big", 7), 2147483648u);
    CHECK_EQ(smap_get_uint(&smap, "neg", 7), 7);    /* No wraparound. */
    CHECK_EQ(smap_get_uint(&smap, "u64", 7), 7);

    CHECK_U64_EQ(smap_get_ullong(&smap, "u64", 7), UINT64_MAX);
    CHECK_U64_EQ(smap_get_ullong(&smap, "u64+1", 7), 7);
    CHECK_U64_EQ(smap_get_ullong(&smap, "neg", 7), 7);
    CHECK_U64_EQ(smap_get_ullong(&smap, "junk", 7), 7);
    CHECK_U64_EQ(smap_get_ullong(&smap, "empty", 7), 7);
    CHECK_U64_EQ(smap_get_ullong(&smap, "absent", 7), 7);
    CHECK_U64_EQ(smap_get_ullong(&smap, "one", 7), 1);

    for (int def = 0; def < 2; def++) {
        CHECK(smap_get_bool(&smap, "t", def));
        CHECK(smap_get_bool(&smap, "T", def));
        CHECK(!smap_get_bool(&smap, "f", def));
        /* Anything else is the default. */
        CHECK_EQ(smap_get_bool(&smap, "yes", def), def);
        CHECK_EQ(smap_get_bool(&smap, "one", def), def);
        CHECK_EQ(smap_get_bool(&smap, "empty", def), def);
        CHECK_EQ(smap_get_bool(&smap, "absent", def), def);
    }
    smap_destroy(&smap);
}

TEST(clone_equal_swap_moved)
{
    struct smap a, b, c;

    smap_init(&a);
    for (int i = 0; i < 500; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        smap_add_format(&a, key, "v%d", i * 3);
    }
    smap_clone(&b, &a);
    CHECK(smap_equal(&a, &b));
    CHECK_EQ(smap_count(&b), 500);
    CHECK_STREQ(smap_get(&b, "k123"), "v369");

    /* Same keys, one different value. */
    smap_replace(&b, "k7", "changed");
    CHECK(!smap_equal(&a, &b));
    CHECK(!smap_equal(&b, &a));
    CHECK_STREQ(smap_get(&a, "k7"), "v21");         /* Independent. */
    smap_replace(&b, "k7", "v21");
    CHECK(smap_equal(&a, &b));

    /* Same count, different key. */
    smap_remove(&b, "k0");
    smap_add(&b, "other", "v0");
    CHECK(!smap_equal(&a, &b));

    /* Remove while iterating. */
    struct smap_node *node;
    SMAP_FOR_EACH_SAFE (node, &a) {
        if (strcmp(node->key, "k250") < 0) {
            smap_remove_node(&a, node);
        }
    }
    SMAP_FOR_EACH (node, &a) {
        CHECK(strcmp(node->key, "k250") >= 0);
    }

    smap_init(&c);
    smap_swap(&a, &c);
    CHECK(smap_is_empty(&a));
    CHECK(!smap_is_empty(&c));
    smap_destroy(&a);

    /* A one-pair map moved with memcpy. */
    struct smap one, moved;
    smap_init(&one);
    smap_add(&one, "key", "value");
    memcpy(&moved, &one, sizeof moved);
    memset(&one, 0, sizeof one);
    smap_moved(&moved);
    check_smap(&moved, (const char *[]) { "key" },
               (const char *[]) { "value" }, 1);

    smap_destroy(&moved);
    smap_destroy(&b);
    smap_destroy(&c);
}
