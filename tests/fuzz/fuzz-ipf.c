/* Fuzz target for datapath/ipf: the input is a script of frames (raw
 * bytes, single fragments built from the input's fields, or whole
 * datagrams split into fragments sent in an order the input picks, with
 * some dropped or repeated), batch flushes through ipf_preprocess(), a
 * conntrack-like rewrite of bytes, ipf_postprocess(), and clock steps
 * through ipf_run().
 *
 * Besides ASan/UBSan and LeakSanitizer (every packet ends up deleted, by
 * this target from the batches or by ipf_destroy()), checks that no batch
 * ever holds more than NETDEV_MAX_BURST packets and that every
 * reassembled packet is a well-formed IP packet flow_extract() parses as
 * a non-fragment. */
#include <config.h>
#include "datapath/ipf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t
get8(struct input *in)
{
    if (!in->n) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

static uint16_t
get16(struct input *in)
{
    uint16_t hi = get8(in);
    return (hi << 8) | get8(in);
}

struct state {
    struct ipf *ipf;
    bool v6;
    uint16_t zone;
    long long now;
    struct dp_packet_batch batch;
};

static void
add_frame(struct state *st, const uint8_t *frame, size_t len, uint8_t port)
{
    struct dp_packet *p = dp_packet_clone_data_with_headroom(frame, len, 64);
    struct flow flow;

    pkt_metadata_init(&p->md, port & 1);
    flow_extract(p, &flow);
    dp_packet_batch_add__(&st->batch, p);
}

/* Runs the batch through preprocess, a fake conntrack, and postprocess,
 * then frees it. */
static void
flush(struct state *st, struct input *in)
{
    struct dp_packet_batch *b = &st->batch;
    plx_be16 dl_type = htons(st->v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);

    ipf_preprocess(st->ipf, b, dl_type, st->zone, st->now);
    if (b->count > NETDEV_MAX_BURST) {
        abort();
    }

    struct dp_packet *p;
    DP_PACKET_BATCH_FOR_EACH (i, p, b) {
        struct flow flow;

        flow_extract(p, &flow);
        if (dp_packet_size(p) > 2048 && !flow.nw_frag
            && flow.dl_type == dl_type) {
            /* Most likely reassembled: a whole, valid datagram. */
            const struct ip_header *ip = dp_packet_l3(p);
            if (!st->v6 && (!ip || csum(ip, IP_IHL(ip->ip_ihl_ver) * 4))) {
                abort();
            }
        }

        /* "Conntrack": a verdict and perhaps a rewritten byte. */
        p->md.ct_state = CS_TRACKED | CS_NEW;
        uint16_t where = get16(in);
        if (where < dp_packet_size(p)) {
            ((uint8_t *) dp_packet_data(p))[where] ^= get8(in);
        }
    }

    ipf_postprocess(st->ipf, b);
    if (b->count > NETDEV_MAX_BURST) {
        abort();
    }
    dp_packet_delete_batch(b, true);
}

static void
add_or_flush(struct state *st, struct input *in, const uint8_t *frame,
             size_t len, uint8_t port)
{
    if (dp_packet_batch_is_full(&st->batch)) {
        flush(st, in);
    }
    add_frame(st, frame, len, port);
}

static uint8_t frame[70000];

/* Writes Ethernet and IP headers for a fragment of datagram ID with LEN
 * bytes of data at byte offset OFF into 'frame'; returns the offset of
 * the data.  FLAGS picks options and header chains. */
static size_t
put_headers(bool v6, uint8_t id, uint8_t flags, uint32_t off, size_t len,
            bool more)
{
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
    uint8_t *l3 = frame + ETH_HEADER_LEN;

    memcpy(frame, macs, sizeof macs);
    if (!v6) {
        size_t ihl = flags & 2 ? 24 : 20;
        uint16_t frag_off = (more ? IP_MORE_FRAGMENTS : 0) | (off / 8);

        frame[12] = 0x08;
        frame[13] = 0x00;
        memset(l3, 0, ihl);
        l3[0] = 0x40 | (ihl / 4);
        l3[2] = (ihl + len) >> 8;
        l3[3] = ihl + len;
        l3[5] = id;
        l3[6] = frag_off >> 8;
        l3[7] = frag_off;
        l3[8] = 64;
        l3[9] = flags & 16 ? IPPROTO_TCP : IPPROTO_UDP;
        l3[12] = 10;
        l3[15] = 1;
        l3[16] = 10;
        l3[19] = 2;
        if (!(flags & 8)) {
            plx_be16 c = csum(l3, ihl);
            memcpy(l3 + 10, &c, 2);
        }
        return ETH_HEADER_LEN + ihl;
    }

    size_t ext = flags & 4 ? 8 : 0;
    size_t plen = ext + IP6_FRAG_HEADER_LEN + len;
    uint16_t offlg = off | more;

    frame[12] = 0x86;
    frame[13] = 0xdd;
    memset(l3, 0, IPV6_HEADER_LEN + ext + IP6_FRAG_HEADER_LEN);
    l3[0] = 0x60;
    l3[4] = plen >> 8;
    l3[5] = plen;
    l3[6] = ext ? IPPROTO_HOPOPTS : IPPROTO_FRAGMENT;
    l3[7] = 64;
    l3[8] = 0x20;
    l3[23] = 1;
    l3[24] = 0x20;
    l3[39] = 2;
    uint8_t *h = l3 + IPV6_HEADER_LEN;
    if (ext) {
        h[0] = IPPROTO_FRAGMENT;
        h += 8;
    }
    h[0] = flags & 16 ? IPPROTO_TCP : IPPROTO_UDP;
    h[2] = offlg >> 8;
    h[3] = offlg;
    h[7] = id;
    return ETH_HEADER_LEN + IPV6_HEADER_LEN + ext + IP6_FRAG_HEADER_LEN;
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = seed + i * 13;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct state st;
    uint8_t cfg = get8(&in);

    st.ipf = ipf_create();
    st.v6 = cfg & 1;
    st.zone = (cfg >> 1) & 1;
    st.now = 0;
    dp_packet_batch_init(&st.batch);
    if (cfg & 4) {
        ipf_set_min_frag(st.ipf, false, 400);
        ipf_set_min_frag(st.ipf, true, 400);
    }
    if (cfg & 8) {
        ipf_set_max_frags(st.ipf, 40);
    }
    if (cfg & 16) {
        ipf_set_enabled(st.ipf, st.v6, false);
    }

    for (int ops = 0; in.n && ops < 2000; ops++) {
        uint8_t op = get8(&in);

        switch (op % 5) {
        case 0: {               /* Raw frame. */
            size_t len = get16(&in) % 2048;
            len = len < in.n ? len : in.n;
            memcpy(frame, in.p, len);
            in.p += len;
            in.n -= len;
            add_or_flush(&st, &in, frame, len, op >> 3);
            break;
        }
        case 1: {               /* One fragment from fields. */
            uint8_t id = get8(&in) & 7;
            uint8_t flags = get8(&in);
            uint32_t off = (get16(&in) % 8192) * 8;
            size_t len = get16(&in) % 1600;
            size_t hdrs = put_headers(st.v6 ^ ((flags & 32) != 0), id, flags,
                                      off, len, flags & 1);
            fill(frame + hdrs, len, id);
            add_or_flush(&st, &in, frame, hdrs + len, op >> 3);
            break;
        }
        case 2: {               /* A whole datagram, split. */
            uint8_t id = get8(&in) & 7;
            uint8_t flags = get8(&in);
            size_t total = 8 + get16(&in) % 16000;
            size_t chunk = 400 + (get8(&in) % 160) * 8;
            size_t n = (total + chunk - 1) / chunk;
            uint8_t order[64];

            n = n < 40 ? n : 40;
            for (size_t i = 0; i < n; i++) {
                order[i] = i;
            }
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = get8(&in) % (i + 1);
                uint8_t t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (size_t i = 0; i < n; i++) {
                uint8_t how = get8(&in);
                size_t off = order[i] * chunk;
                size_t len = off + chunk < total ? chunk : total - off;
                bool more = off + len < total;

                if (how % 16 == 0) {
                    continue;                   /* Lost. */
                }
                size_t hdrs = put_headers(st.v6, id, flags, off, len, more);
                fill(frame + hdrs, len, off);
                add_or_flush(&st, &in, frame, hdrs + len, 0);
                if (how % 16 == 1) {
                    add_or_flush(&st, &in, frame, hdrs + len, 0);
                }
            }
            break;
        }
        case 3:
            flush(&st, &in);
            break;
        case 4:
            st.now += get16(&in) * 4;
            ipf_run(st.ipf, st.now);
            break;
        }
    }

    flush(&st, &in);
    ipf_destroy(st.ipf);
    return 0;
}
