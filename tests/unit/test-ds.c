/* Tests for lib/dynamic-string. */
#include <config.h>
#include "dynamic-string.h"

#include "test.h"

/* The invariants: NUL at 'length', length <= allocated. */
static void
check_ds(const struct ds *ds, const char *expect)
{
    CHECK_EQ(ds->length, strlen(expect));
    CHECK_LE(ds->length, ds->allocated);
    if (ds->string) {
        CHECK_EQ(ds->string[ds->length], '\0');
    }
    CHECK_STREQ(ds_cstr_ro(ds), expect);
}

TEST(empty)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    CHECK(ds.string == NULL);
    CHECK_STREQ(ds_cstr_ro(&ds), "");
    CHECK_EQ(ds_last(&ds), EOF);
    ds_chomp(&ds, 'x');
    ds_truncate(&ds, 0);
    ds_clear(&ds);
    check_ds(&ds, "");
    CHECK_STREQ(ds_cstr(&ds), "");      /* Allocates. */
    CHECK(ds.string != NULL);
    ds_destroy(&ds);
    CHECK(ds.string == NULL);
    ds_destroy(&ds);                    /* Twice is harmless. */
}

TEST(put_and_grow)
{
    struct ds ds, expect;

    ds_init(&ds);
    ds_init(&expect);
    ds_put_char(&ds, 'a');
    ds_put_cstr(&ds, "bc");
    ds_put_buffer(&ds, "defXXX", 3);
    ds_put_char_multiple(&ds, 'g', 4);
    ds_put_buffer(&ds, NULL, 0);
    check_ds(&ds, "abcdefgggg");
    CHECK_EQ(ds_last(&ds), 'g');

    /* Grow by many small appends, then by one large one. */
    for (int i = 0; i < 1000; i++) {
        ds_put_char(&ds, 'a' + i % 26);
    }
    CHECK_EQ(ds.length, 1010);
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(ds.string[10 + i], 'a' + i % 26);
    }
    char *big = xmalloc(100001);
    memset(big, 'z', 100000);
    big[100000] = '\0';
    ds_put_cstr(&ds, big);
    CHECK_EQ(ds.length, 101010);
    CHECK_EQ(ds.string[101009], 'z');
    CHECK_EQ(ds.string[101010], '\0');

    /* ds_reserve() makes room without changing the contents. */
    ds_clear(&ds);
    ds_reserve(&ds, 500000);
    CHECK_GE(ds.allocated, 500000);
    check_ds(&ds, "");

    /* ds_put_uninit() returns the tail to fill in. */
    char *p = ds_put_uninit(&ds, 3);
    memcpy(p, "xyz", 3);
    check_ds(&ds, "xyz");

    free(big);
    ds_destroy(&ds);
    ds_destroy(&expect);
}

TEST(format_growth)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    /* First format into no buffer at all. */
    ds_put_format(&ds, "%d-%s", 42, "x");
    check_ds(&ds, "42-x");

    /* Formats that exactly fill, barely overflow and hugely overflow the
     * space left. */
    ds_clear(&ds);
    ds_reserve(&ds, 16);
    size_t room = ds.allocated;
    char *fill = xmalloc(room + 1);
    memset(fill, 'f', room);
    fill[room] = '\0';
    ds_put_format(&ds, "%s", fill);
    check_ds(&ds, fill);
    CHECK_EQ(ds.allocated, room);       /* It fit: no reallocation. */
    ds_put_format(&ds, "%c", '!');
    CHECK_EQ(ds.length, room + 1);
    CHECK_EQ(ds.string[room], '!');

    ds_clear(&ds);
    char *expect = xmalloc(70001);
    for (int i = 0; i < 10000; i++) {
        ds_put_format(&ds, "%06d,", i);
        char *p = expect + i * 7;
        for (int j = 5, v = i; j >= 0; j--, v /= 10) {
            p[j] = '0' + v % 10;
        }
        p[6] = ',';
    }
    expect[70000] = '\0';
    check_ds(&ds, expect);

    ds_clear(&ds);
    ds_put_format(&ds, "%s", "");
    check_ds(&ds, "");
    ds_put_format(&ds, "%5s|%-5s|%05.1f", "ab", "cd", 3.14159);
    check_ds(&ds, "   ab|cd   |003.1");

    free(expect);
    free(fill);
    ds_destroy(&ds);
}

TEST(truncate_chomp_clear)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, "hello, world\n");
    ds_chomp(&ds, '\n');
    check_ds(&ds, "hello, world");
    ds_chomp(&ds, '\n');                /* Only when it is there. */
    check_ds(&ds, "hello, world");
    ds_truncate(&ds, 5);
    check_ds(&ds, "hello");
    ds_truncate(&ds, 50);               /* Never grows. */
    check_ds(&ds, "hello");
    ds_truncate(&ds, 0);
    check_ds(&ds, "");
    CHECK_EQ(ds_last(&ds), EOF);
    ds_put_char(&ds, (char) 0xe9);
    CHECK_EQ(ds_last(&ds), 0xe9);       /* As unsigned char, like getc. */
    ds_clear(&ds);
    check_ds(&ds, "");
    ds_destroy(&ds);
}

TEST(steal)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    char *s = ds_steal_cstr(&ds);
    CHECK_STREQ(s, "");
    free(s);

    ds_put_format(&ds, "%s=%d", "answer", 42);
    s = ds_steal_cstr(&ds);
    CHECK_STREQ(s, "answer=42");
    CHECK(ds.string == NULL);
    CHECK_EQ(ds.length, 0);
    ds_put_cstr(&ds, "again");          /* Usable afterwards. */
    check_ds(&ds, "again");
    free(s);
    ds_destroy(&ds);
}

TEST(hex)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    static const uint8_t bytes[] = { 0x00, 0x01, 0xab, 0xff };

    ds_put_hex(&ds, bytes, sizeof bytes);
    check_ds(&ds, "0001abff");
    ds_clear(&ds);
    ds_put_hex(&ds, bytes, 0);
    check_ds(&ds, "");
    ds_destroy(&ds);
}

TEST(hex_dump)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    uint8_t buf[20];

    for (int i = 0; i < 20; i++) {
        buf[i] = 'A' + i;
    }
    buf[1] = 0x00;
    buf[2] = 0x7f;
    buf[3] = 0xe9;                      /* Never printed raw. */

    ds_put_hex_dump(&ds, buf, 20, 0x100, true);
    check_ds(&ds,
             "00000100  41 00 7f e9 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50 "
             "|A...EFGHIJKLMNOP|\n"
             "00000110  51 52 53 54                                     "
             "|QRST|\n");

    ds_clear(&ds);
    ds_put_hex_dump(&ds, buf, 20, 0, false);
    check_ds(&ds,
             "00000000  41 00 7f e9 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50\n"
             "00000010  51 52 53 54\n");

    ds_clear(&ds);
    ds_put_hex_dump(&ds, buf, 0, 0, true);
    check_ds(&ds, "");

    ds_clear(&ds);
    ds_put_hex_dump(&ds, buf, 16, 0, false);
    check_ds(&ds,
             "00000000  41 00 7f e9 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50\n");
    ds_destroy(&ds);
}
