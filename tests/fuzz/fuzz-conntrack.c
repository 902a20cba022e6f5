/* Fuzz target for conntrack: a few random frames through flow_extract()
 * and conntrack_execute() (committing or not, with SNAT, DNAT or none, in
 * a few zones, with random force/mark/label), then expiry, dump, stats and
 * flushes; plus flush-tuple parsing.
 *
 * Input: chunks of [control byte][length byte][length bytes].  Control
 * bits: 0-1 zone, 2 commit, 3-4 NAT (none, SNAT, DNAT, "nat" alone),
 * 5 IPv6 action, 6 force, 7 the chunk is a flush tuple for
 * ct_key_parse() instead of a frame.  A fresh conntrack per input, so
 * nothing can grow without bound and LeakSanitizer sees everything. */
#include <config.h>
#include "datapath/conntrack.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "packets.h"
#include "vlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
dump_cb(const struct ct_dump_entry *e, void *s_)
{
    struct ds *s = s_;
    ct_dump_entry_format(s, e, true, 0);
    ds_put_char(s, '\n');
}

static void
check_md(const struct dp_packet *p)
{
    uint16_t st = p->md.ct_state;

    if (!(st & CS_TRACKED)
        || ((st & CS_INVALID) && (st & ~(CS_INVALID | CS_TRACKED)))
        || ((st & CS_NEW) && (st & CS_ESTABLISHED))) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        init = true;
    }

    struct conntrack *ct = conntrack_create();
    struct ct_nat_action nat4, nat6;
    long long now = 1000;

    memset(&nat4, 0, sizeof nat4);
    nat4.flags = CT_NAT_RANGE_ADDR | CT_NAT_RANGE_PORT;
    nat4.min_addr.ipv4 = htonl(0x0a010101);
    nat4.max_addr.ipv4 = htonl(0x0a010102);
    nat4.min_port = 1000;
    nat4.max_port = 1001;
    nat6 = nat4;
    memset(&nat6.min_addr, 0, sizeof nat6.min_addr);
    nat6.min_addr.ipv6.s6_addr[0] = 0xfc;
    nat6.min_addr.ipv6.s6_addr[15] = 1;
    nat6.max_addr = nat6.min_addr;
    nat6.max_addr.ipv6.s6_addr[15] = 2;
    conntrack_set_zone_limit(ct, 2, 2);

    for (int n = 0; size >= 2 && n < 16; n++) {
        uint8_t ctl = data[0];
        size_t len = MIN(data[1], size - 2);
        const uint8_t *chunk = data + 2;
        data += 2 + len;
        size -= 2 + len;

        if (ctl & 0x80) {
            struct ct_key key;
            char *s = xmemdup0((const char *) chunk, len);
            char *error = ct_key_parse(s, &key);
            if (!error) {
                key.zone = ctl & 3;
                conntrack_flush(ct, NULL, &key);
            }
            free(error);
            free(s);
            continue;
        }

        struct dp_packet *p = dp_packet_clone_data(chunk, len);
        struct dp_packet_batch batch;
        struct ct_exec exec;
        struct flow flow;
        bool v6 = ctl & 0x20;

        pkt_metadata_init(&p->md, 1);
        flow_extract(p, &flow);
        memset(&exec, 0, sizeof exec);
        exec.dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
        exec.zone = ctl & 3;
        exec.commit = ctl & 4;
        exec.force = ctl & 0x40;
        exec.set_mark = n & 1;
        exec.mark = n;
        exec.mark_mask = 0xff;
        exec.set_label = n & 2;
        exec.label.u64.lo = n;
        exec.label_mask.u64.lo = 0xf;
        exec.timeout_policy = n & 4 ? 1 : 0;
        struct ct_nat_action nat = v6 ? nat6 : nat4;
        switch ((ctl >> 3) & 3) {
        case 1: nat.flags |= CT_NAT_SRC; exec.nat = &nat; break;
        case 2: nat.flags |= CT_NAT_DST; exec.nat = &nat; break;
        case 3: nat.flags = 0; exec.nat = &nat; break;
        }
        if (n == 3) {
            uint32_t tm[CT_N_TIMEOUTS] = { [CT_TM_UDP_FIRST] = 1 };
            conntrack_set_timeout_policy(ct, 1, tm);
        }

        dp_packet_batch_init_packet(&batch, p);
        conntrack_execute(ct, &batch, &exec, now);
        check_md(p);
        /* The same packet again, as after recirculation. */
        conntrack_execute(ct, &batch, &exec, now);
        check_md(p);
        conntrack_clear(p);
        dp_packet_delete(p);
        now += 700;
        conntrack_run(ct, now);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    struct conntrack_stats stats;
    conntrack_dump(ct, NULL, dump_cb, &s);
    ds_destroy(&s);
    conntrack_get_stats(ct, &stats);
    if (stats.n_conns != conntrack_get_nconns(ct)) {
        abort();
    }
    uint16_t zone = 1;
    conntrack_flush(ct, &zone, NULL);
    conntrack_run(ct, now + 100000000);
    if (conntrack_get_nconns(ct)) {
        abort();
    }
    conntrack_destroy(ct);
    return 0;
}
