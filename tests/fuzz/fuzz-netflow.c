/* Fuzz target for ofproto/netflow: the input is a script of flow updates,
 * removals, clock advances and option changes, run against an exporter
 * whose collector is 127.0.0.1:9 (discard; usually nothing listens, so
 * sends are refused and counted).  Nothing may crash or leak, the cache
 * never exceeds its cap, and once time has run far past every timeout
 * the cache is empty. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "flow.h"
#include "ofproto/netflow.h"
#include "packets.h"
#include "sset.h"
#include "util.h"
#include "vlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static uint64_t
take(struct input *in, int n_bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < n_bytes; i++) {
        v = v << 8;
        if (in->n) {
            v |= *in->p++;
            in->n--;
        }
    }
    return v;
}

/* A flow from a small space, so that keys collide often. */
static void
make_flow(struct input *in, struct flow *f)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_ICMP, IPPROTO_ICMPV6,
                                      IPPROTO_SCTP, 47 };
    uint8_t sel = take(in, 1);

    memset(f, 0, sizeof *f);
    f->in_port = (sel & 0x80 ? take(in, 4) : sel & 7);
    switch ((sel >> 3) & 3) {
    case 0:
    case 1:
        f->dl_type = htons(ETH_TYPE_IP);
        f->nw_src = htonl(0x0a000000 | take(in, 1));
        f->nw_dst = htonl(0x0a000000 | take(in, 1));
        break;
    case 2:
        f->dl_type = htons(ETH_TYPE_IPV6);
        f->ipv6_src.s6_addr[15] = take(in, 1);
        f->ipv6_dst.s6_addr[0] = take(in, 1);
        break;
    default:
        f->dl_type = htons(take(in, 2));
        break;
    }
    uint8_t x = take(in, 1);
    f->nw_proto = protos[x % ARRAY_SIZE(protos)];
    f->nw_tos = take(in, 1);
    f->tp_src = htons(take(in, 1));
    f->tp_dst = htons(take(in, 2));
    for (int i = 0; i < (x >> 6) && i < FLOW_MAX_VLAN_HEADERS; i++) {
        f->vlans[i].qtag = htonl(0x81001000 | i);
    }
}

static void
set_options(struct netflow *nf, struct input *in)
{
    static const int timeouts[] = { 0, -1, 1, 5, 30, -2 };
    struct netflow_options o;
    uint8_t sel = take(in, 1);

    netflow_options_init(&o);
    sset_add(&o.collectors, "127.0.0.1:9");
    if (sel & 0x80) {
        sset_add(&o.collectors, "not-an-address");
    }
    o.version = sel & 1 ? 9 : sel & 2 ? 7 : 5;
    o.engine_type = take(in, 1);
    o.engine_id = take(in, 1);
    o.active_timeout = timeouts[(sel >> 2) % ARRAY_SIZE(timeouts)];
    o.add_id_to_iface = sel & 0x40;
    o.template_interval = (sel >> 5) & 1;
    free(netflow_set_options(nf, &o));
    netflow_options_destroy(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool inited;
    if (!inited) {
        inited = true;
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    }

    struct input in = { data, size };
    struct netflow *nf = netflow_create();
    long long int now = 1000000;
    struct flow f;

    set_options(nf, &in);
    while (in.n) {
        uint8_t op = take(&in, 1);
        switch (op % 8) {
        case 0:
        case 1:
        case 2: {
            make_flow(&in, &f);
            uint32_t out = take(&in, 1);
            out = (out == 0xff ? NETFLOW_OUT_FLOOD
                   : out == 0xfe ? NETFLOW_OUT_NONE
                   : out == 0xfd ? 0xfffffffe : out);
            uint64_t packets = take(&in, op & 8 ? 8 : 2);
            uint64_t bytes = take(&in, op & 16 ? 8 : 3);
            uint16_t flags = take(&in, 2);
            long long int used = (op & 32 ? (long long int) take(&in, 8)
                                  : now - (long long int) take(&in, 2));
            netflow_flow_update(nf, &f, out, packets, bytes, flags, used,
                                htonl(take(&in, 1)));
            break;
        }
        case 3:
            make_flow(&in, &f);
            netflow_flow_removed(nf, &f);
            break;
        case 4:
            now += take(&in, op & 8 ? 3 : 1) * 10;
            netflow_run(nf, now);
            break;
        case 5:
            set_options(nf, &in);
            break;
        case 6: {
            struct ds s = DS_EMPTY_INITIALIZER;
            netflow_format_status(nf, &s);
            ds_destroy(&s);
            break;
        }
        case 7: {
            struct flow_wildcards wc;
            make_flow(&in, &f);
            flow_wildcards_init_catchall(&wc);
            netflow_mask_wc(&f, &wc);
            break;
        }
        }
        struct netflow_stats st;
        netflow_get_stats(nf, &st);
        if (st.n_records > NETFLOW_MAX_RECORDS) {
            abort();
        }
    }

    /* Far past every timeout (and every clamped 'used'), nothing stays. */
    netflow_run(nf, 1LL << 53);
    struct netflow_stats st;
    netflow_get_stats(nf, &st);
    if (st.n_records) {
        abort();
    }
    netflow_destroy(nf);
    return 0;
}
