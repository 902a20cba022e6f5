/* Tests for lib/prefix-trie (the tries behind the classifier's prefix
 * tracking and ports tries), used directly: random prefixes checked
 * against a reference list, with removals. */
#include <config.h>
#include "prefix-trie.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include "rcu.h"
#include "test.h"

static uint32_t
pick(uint32_t n)
{
    return test_random() % n;
}

TEST(prefix_trie_direct)
{
    struct prefix_trie trie;
    struct prefix_trie_plens plens;
    plx_be32 v[4];
    unsigned int bits;

    prefix_trie_init(&trie);
    CHECK(prefix_trie_is_empty(&trie));
    v[0] = htonl(0x0a000000);
    bits = prefix_trie_lookup(&trie, v, 32, &plens);
    CHECK_EQ(bits, 0);
    CHECK(!prefix_trie_plens_has(&plens, 8));

    /* Random prefixes against a reference list, with removals. */
    enum { N = 300 };
    uint32_t addrs[N];
    int lens[N];
    bool in[N];
    for (int i = 0; i < N; i++) {
        addrs[i] = (test_random() & 0xff0fff00) | 0x0a000000;
        lens[i] = 1 + pick(32);
        addrs[i] &= lens[i] == 32 ? UINT32_MAX : ~(UINT32_MAX >> lens[i]);
        v[0] = htonl(addrs[i]);
        prefix_trie_insert(&trie, v, lens[i]);
        in[i] = true;
    }
    for (int round = 0; round < 4; round++) {
        for (int q = 0; q < 2000; q++) {
            uint32_t value = q % 2 ? addrs[pick(N)] ^ test_random() >> pick(32)
                                   : test_random();
            v[0] = htonl(value);
            bits = prefix_trie_lookup(&trie, v, 32, &plens);
            CHECK_LE(bits, 32);
            for (int len = 1; len <= 32; len++) {
                bool expect = false;
                for (int i = 0; i < N; i++) {
                    uint32_t m = len == 32 ? UINT32_MAX
                                           : ~(UINT32_MAX >> len);
                    expect |= in[i] && lens[i] == len
                              && !((value ^ addrs[i]) & m);
                }
                CHECK_EQ(prefix_trie_plens_has(&plens, len), expect);
            }
            /* Flipping a bit past BITS changes nothing. */
            if (bits < 32) {
                struct prefix_trie_plens plens2;
                v[0] = htonl(value ^ (1u << (31 - bits - pick(32 - bits))));
                CHECK_EQ(prefix_trie_lookup(&trie, v, 32, &plens2), bits);
                CHECK_MEMEQ(&plens, &plens2, sizeof plens);
            }
        }
        for (int i = 0; i < N; i++) {
            if (in[i] && pick(3) == 0) {
                v[0] = htonl(addrs[i]);
                CHECK(prefix_trie_remove(&trie, v, lens[i]));
                in[i] = false;
            }
        }
    }
    v[0] = htonl(0x01020304);
    CHECK(!prefix_trie_remove(&trie, v, 32));   /* Never inserted. */
    for (int i = 0; i < N; i++) {
        if (in[i]) {
            v[0] = htonl(addrs[i]);
            CHECK(prefix_trie_count(&trie, v, lens[i]) > 0);
            CHECK(prefix_trie_remove(&trie, v, lens[i]));
        }
    }
    CHECK(prefix_trie_is_empty(&trie));
    prefix_trie_destroy(&trie);
    rcu_wait_postponed();
}
