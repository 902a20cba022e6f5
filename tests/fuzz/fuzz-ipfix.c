/* Fuzzes the IPFIX exporter (ofproto/ipfix.h): the input is a program of
 * operations (samples with flow fields taken from the bytes, clock
 * advances, runs, option changes) against collectors at 127.0.0.1:9,
 * which nothing answers.  The exporter must not crash, trip an
 * assertion, leak, or build a datagram over 1400 bytes (ipfix-encode
 * asserts that). */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "flow.h"
#include "ofproto/ipfix.h"
#include "packets.h"
#include "sset.h"
#include "util.h"
#include "vlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t
take8(struct input *in)
{
    if (!in->n) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

static uint32_t
take32(struct input *in)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        x = (x << 8) | take8(in);
    }
    return x;
}

static void
take_flow(struct input *in, struct flow *f)
{
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_MPLS, 0x1234,
    };
    size_t want = take8(in) % 96;
    size_t n = MIN(in->n, want);

    /* Raw bytes over the whole key, then a plausible EtherType. */
    memset(f, 0, sizeof *f);
    memcpy(f, in->p, n);
    in->p += n;
    in->n -= n;
    uint8_t sel = take8(in);
    f->dl_type = htons(types[sel % ARRAY_SIZE(types)]);
    f->nw_proto = take8(in);
    f->nw_frag = take8(in) & FLOW_NW_FRAG_MASK;
    if (sel & 0x10) {
        f->vlans[0].tpid = htons(ETH_TYPE_VLAN);
        f->vlans[0].tci = htons(take32(in));
    }
    if (sel & 0x20) {
        f->tunnel.ip_dst = htonl(take32(in));
        f->tunnel.tp_dst = htons(take8(in) & 1 ? 4789 : 0);
    }
    if (sel & 0x40) {
        f->mpls_lse[0] = htonl(take32(in));
    }
    f->tp_src = htons(take32(in));
    f->tcp_flags = htons(take32(in));
}

static void
take_options(struct input *in, struct ipfix_options *o, bool bridge)
{
    ipfix_options_init(o);
    uint8_t bits = take8(in);
    if (!(bits & 1)) {
        sset_add(&o->targets, "127.0.0.1:9");
    }
    if (bits & 2) {
        sset_add(&o->targets, bits & 4 ? "[::1]:9" : "not-an-address");
    }
    o->sampling_rate = bridge ? take8(in) : 0;
    o->obs_domain_id = take8(in);
    o->obs_point_id = take8(in);
    /* Mostly valid ranges, sometimes not. */
    o->cache_active_timeout = (int8_t) take8(in) * 40;
    o->cache_max_flows = take8(in) % 70 + (bits & 8 ? (1u << 20) : 0);
    o->template_interval = (int8_t) take8(in) * 30;
    o->enable_tunnel_sampling = bits & 16;
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
    struct ipfix *ipfix = ipfix_create();
    long long int now = 1000;

    for (int steps = 0; in.n && steps < 2000; steps++) {
        uint8_t op = take8(&in);
        switch (op % 6) {
        case 0: case 1: {
            struct flow f;
            take_flow(&in, &f);
            struct ipfix_sample s = {
                .flow = &f,
                .packet_len = take32(&in) % 70000,
                .output_port = take8(&in),
                .sampling_rate = take32(&in),
            };
            if (op % 6 == 0) {
                ipfix_bridge_sample(ipfix, &s, now);
            } else {
                ipfix_flow_sample(ipfix, &s, take8(&in) % 4, take8(&in),
                                  take8(&in), now);
            }
            break;
        }
        case 2:
            now += take8(&in) * 250LL;
            break;
        case 3:
            ipfix_run(ipfix, now);
            break;
        case 4: {
            struct ipfix_options bridge, flows[3];
            uint32_t ids[3];
            uint8_t which = take8(&in);
            size_t n_flows = which % 4;

            take_options(&in, &bridge, true);
            for (size_t i = 0; i < n_flows; i++) {
                take_options(&in, &flows[i], false);
                ids[i] = take8(&in) % 4;
            }
            free(ipfix_set_options(ipfix, which & 4 ? &bridge : NULL,
                                   flows, ids, n_flows));
            ipfix_options_destroy(&bridge);
            for (size_t i = 0; i < n_flows; i++) {
                ipfix_options_destroy(&flows[i]);
            }
            break;
        }
        case 5: {
            struct ds s = DS_EMPTY_INITIALIZER;
            struct ipfix_stats st;
            ipfix_format_status(ipfix, &s);
            ds_destroy(&s);
            ipfix_get_stats(ipfix, op & 8, take8(&in) % 4, &st);
            if (st.cache_size > IPFIX_MAX_MAX_FLOWS) {
                abort();
            }
            break;
        }
        }
    }
    ipfix_destroy(ipfix);
    return 0;
}
