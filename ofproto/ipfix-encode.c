/* ipfix-encode: IPFIX templates, keys and messages (see ipfix-encode.h). */
#include <config.h>

#include "ipfix-encode.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>
#include "flow.h"
#include "hash.h"
#include "packets.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Templates. */

/* The parts a template is made of, in wire order; ipfix_encode_key()
 * writes the key parts in exactly this order and ipfix_msg_put_record()
 * the aggregated ones. */
static const struct ipfix_ie ie_common[] = {
    { 138, 4 },     /* observationPointId */
    { 10, 4 },      /* ingressInterface */
    { 14, 4 },      /* egressInterface */
    { 56, 6 },      /* sourceMacAddress */
    { 80, 6 },      /* destinationMacAddress */
    { 256, 2 },     /* ethernetType */
};
static const struct ipfix_ie ie_vlan[] = {
    { 58, 2 },      /* vlanId */
    { 243, 2 },     /* dot1qVlanId */
    { 244, 1 },     /* dot1qPriority */
};
static const struct ipfix_ie ie_ipv4[] = {
    { 60, 1 },      /* ipVersion */
    { 192, 1 },     /* ipTTL */
    { 4, 1 },       /* protocolIdentifier */
    { 5, 1 },       /* ipClassOfService */
    { 8, 4 },       /* sourceIPv4Address */
    { 12, 4 },      /* destinationIPv4Address */
};
static const struct ipfix_ie ie_ipv6[] = {
    { 60, 1 },      /* ipVersion */
    { 192, 1 },     /* ipTTL */
    { 4, 1 },       /* protocolIdentifier */
    { 5, 1 },       /* ipClassOfService */
    { 27, 16 },     /* sourceIPv6Address */
    { 28, 16 },     /* destinationIPv6Address */
    { 31, 4 },      /* flowLabelIPv6 */
};
static const struct ipfix_ie ie_transport[] = {
    { 7, 2 },       /* sourceTransportPort */
    { 11, 2 },      /* destinationTransportPort */
};
static const struct ipfix_ie ie_icmp4[] = {
    { 176, 1 },     /* icmpTypeIPv4 */
    { 177, 1 },     /* icmpCodeIPv4 */
};
static const struct ipfix_ie ie_icmp6[] = {
    { 178, 1 },     /* icmpTypeIPv6 */
    { 179, 1 },     /* icmpCodeIPv6 */
};
static const struct ipfix_ie ie_tunnel[] = {
    { 351, 8 },     /* layer2SegmentId */
};
static const struct ipfix_ie ie_counters[] = {
    { 152, 8 },     /* flowStartMilliseconds */
    { 153, 8 },     /* flowEndMilliseconds */
    { 2, 8 },       /* packetDeltaCount */
    { 1, 8 },       /* octetDeltaCount */
    { 352, 8 },     /* layer2OctetDeltaCount */
};
static const struct ipfix_ie ie_tcp_flags[] = {
    { 6, 2 },       /* tcpControlBits */
};
static const struct ipfix_ie ie_end[] = {
    { 136, 1 },     /* flowEndReason */
};

enum ipfix_l3l4 {
    IPFIX_L2_ONLY,
    IPFIX_IPV4,
    IPFIX_IPV4_TRANSPORT,
    IPFIX_IPV4_ICMP,
    IPFIX_IPV6,
    IPFIX_IPV6_TRANSPORT,
    IPFIX_IPV6_ICMP,
    IPFIX_N_L3L4
};
BUILD_ASSERT_DECL(IPFIX_N_TEMPLATES == 2 * 2 * IPFIX_N_L3L4);

static struct ipfix_template templates[IPFIX_N_TEMPLATES];

static uint16_t
ipfix_template_id(bool tunnel, enum ipfix_l3l4 l3l4, bool vlan)
{
    return IPFIX_TEMPLATE_ID_MIN + 14 * tunnel + 2 * l3l4 + vlan;
}

static void
template_add(struct ipfix_template *t, const struct ipfix_ie *ies, size_t n,
             bool key)
{
    for (size_t i = 0; i < n; i++) {
        plx_assert(t->n_fields < IPFIX_MAX_FIELDS);
        t->fields[t->n_fields++] = ies[i];
        t->record_len += ies[i].len;
        if (key) {
            t->key_len += ies[i].len;
        }
    }
}

#define TEMPLATE_ADD(T, IES, KEY) template_add(T, IES, ARRAY_SIZE(IES), KEY)

void
ipfix_templates_init(void)
{
    static bool inited;
    if (inited) {
        return;
    }
    inited = true;

    for (int tunnel = 0; tunnel < 2; tunnel++) {
        for (int l3l4 = 0; l3l4 < IPFIX_N_L3L4; l3l4++) {
            for (int vlan = 0; vlan < 2; vlan++) {
                uint16_t id = ipfix_template_id(tunnel, l3l4, vlan);
                struct ipfix_template *t
                    = &templates[id - IPFIX_TEMPLATE_ID_MIN];
                bool v6 = l3l4 >= IPFIX_IPV6;

                memset(t, 0, sizeof *t);
                t->id = id;
                TEMPLATE_ADD(t, ie_common, true);
                if (vlan) {
                    TEMPLATE_ADD(t, ie_vlan, true);
                }
                if (l3l4 != IPFIX_L2_ONLY) {
                    if (v6) {
                        TEMPLATE_ADD(t, ie_ipv6, true);
                    } else {
                        TEMPLATE_ADD(t, ie_ipv4, true);
                    }
                }
                if (l3l4 == IPFIX_IPV4_TRANSPORT
                    || l3l4 == IPFIX_IPV6_TRANSPORT) {
                    TEMPLATE_ADD(t, ie_transport, true);
                    t->transport = true;
                } else if (l3l4 == IPFIX_IPV4_ICMP) {
                    TEMPLATE_ADD(t, ie_icmp4, true);
                } else if (l3l4 == IPFIX_IPV6_ICMP) {
                    TEMPLATE_ADD(t, ie_icmp6, true);
                }
                if (tunnel) {
                    TEMPLATE_ADD(t, ie_tunnel, true);
                }
                TEMPLATE_ADD(t, ie_counters, false);
                if (t->transport) {
                    TEMPLATE_ADD(t, ie_tcp_flags, false);
                }
                TEMPLATE_ADD(t, ie_end, false);
                plx_assert(t->key_len <= IPFIX_MAX_KEY_LEN);
            }
        }
    }
}

const struct ipfix_template *
ipfix_template_at(size_t i)
{
    plx_assert(i < IPFIX_N_TEMPLATES);
    return &templates[i];
}

static const struct ipfix_template *
ipfix_template_get(uint16_t id)
{
    return &templates[id - IPFIX_TEMPLATE_ID_MIN];
}


/* ------------------------------------------------------------------ */
/* Encoding. */

struct ipfix_buf {
    uint8_t *data;
    size_t len;
    size_t max;
};

static void
put_bytes(struct ipfix_buf *b, const void *p, size_t n)
{
    plx_assert(b->len + n <= b->max);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void
put_u8(struct ipfix_buf *b, uint8_t x)
{
    put_bytes(b, &x, 1);
}

static void
put_be16(struct ipfix_buf *b, uint16_t x)
{
    plx_be16 y = htons(x);
    put_bytes(b, &y, 2);
}

static void
put_be32(struct ipfix_buf *b, uint32_t x)
{
    plx_be32 y = htonl(x);
    put_bytes(b, &y, 4);
}

static void
put_be64(struct ipfix_buf *b, uint64_t x)
{
    put_be32(b, x >> 32);
    put_be32(b, x);
}

static void
write_be16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static void
write_be32(uint8_t *p, uint32_t x)
{
    write_be16(p, x >> 16);
    write_be16(p + 2, x);
}

static bool
flow_has_tunnel(const struct flow *flow)
{
    return flow->tunnel.ip_dst || ipv6_addr_is_set(&flow->tunnel.ipv6_dst);
}

uint32_t
ipfix_l2_header_len(const struct flow *flow)
{
    uint32_t len = ETH_HEADER_LEN;

    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS && flow->vlans[i].qtag; i++) {
        len += 4;
    }
    if (eth_type_mpls(flow->dl_type)) {
        for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
            len += 4;
            if (mpls_lse_to_bos(flow->mpls_lse[i])) {
                break;
            }
        }
    }
    return len;
}

static enum ipfix_l3l4
classify_l3l4(const struct flow *flow)
{
    bool later_frag = (flow->nw_frag & FLOW_NW_FRAG_LATER) != 0;

    if (flow->dl_type == htons(ETH_TYPE_IP)) {
        if (later_frag) {
            return IPFIX_IPV4;
        }
        switch (flow->nw_proto) {
        case IPPROTO_TCP: case IPPROTO_UDP: case IPPROTO_SCTP:
            return IPFIX_IPV4_TRANSPORT;
        case IPPROTO_ICMP:
            return IPFIX_IPV4_ICMP;
        default:
            return IPFIX_IPV4;
        }
    } else if (flow->dl_type == htons(ETH_TYPE_IPV6)) {
        if (later_frag) {
            return IPFIX_IPV6;
        }
        switch (flow->nw_proto) {
        case IPPROTO_TCP: case IPPROTO_UDP: case IPPROTO_SCTP:
            return IPFIX_IPV6_TRANSPORT;
        case IPPROTO_ICMPV6:
            return IPFIX_IPV6_ICMP;
        default:
            return IPFIX_IPV6;
        }
    }
    return IPFIX_L2_ONLY;
}

/* layer2SegmentId: the encapsulation in the top byte, as IANA defines
 * it (1 VXLAN, 2 NVGRE), and the tunnel key below it. */
static uint64_t
tunnel_segment_id(const struct flow_tnl *tnl)
{
    uint64_t type = (tnl->tp_dst == htons(4789) ? 1
                     : tnl->tp_dst == htons(0) ? 2
                     : 0);
    uint64_t key = be64toh(tnl->tun_id) & UINT64_C(0x00ffffffffffffff);
    return (type << 56) | key;
}

void
ipfix_encode_key(const struct ipfix_sample *sample, bool tunnel_sampling,
                 uint32_t domain_id, uint32_t point_id,
                 struct ipfix_key *key)
{
    const struct flow *flow = sample->flow;
    bool vlan = flow->vlans[0].qtag != 0;
    bool tunnel = tunnel_sampling && flow_has_tunnel(flow);
    enum ipfix_l3l4 l3l4 = classify_l3l4(flow);
    struct ipfix_buf b;

    memset(key, 0, sizeof *key);
    key->obs_domain_id = domain_id;
    key->template_id = ipfix_template_id(tunnel, l3l4, vlan);
    b = (struct ipfix_buf) { key->data, 0, sizeof key->data };

    put_be32(&b, point_id);
    put_be32(&b, flow->in_port);
    put_be32(&b, sample->output_port);
    put_bytes(&b, flow->dl_src.ea, ETH_ADDR_LEN);
    put_bytes(&b, flow->dl_dst.ea, ETH_ADDR_LEN);
    put_bytes(&b, &flow->dl_type, 2);
    if (vlan) {
        uint16_t vid = vlan_tci_to_vid(flow->vlans[0].tci);
        put_be16(&b, vid);
        put_be16(&b, vid);
        put_u8(&b, vlan_tci_to_pcp(flow->vlans[0].tci));
    }
    if (l3l4 != IPFIX_L2_ONLY) {
        bool v6 = l3l4 >= IPFIX_IPV6;
        put_u8(&b, v6 ? 6 : 4);
        put_u8(&b, flow->nw_ttl);
        put_u8(&b, flow->nw_proto);
        put_u8(&b, flow->nw_tos);
        if (v6) {
            put_bytes(&b, &flow->ipv6_src, 16);
            put_bytes(&b, &flow->ipv6_dst, 16);
            put_be32(&b, ntohl(flow->ipv6_label) & 0xfffff);
        } else {
            put_bytes(&b, &flow->nw_src, 4);
            put_bytes(&b, &flow->nw_dst, 4);
        }
    }
    if (l3l4 == IPFIX_IPV4_TRANSPORT || l3l4 == IPFIX_IPV6_TRANSPORT) {
        put_bytes(&b, &flow->tp_src, 2);
        put_bytes(&b, &flow->tp_dst, 2);
    } else if (l3l4 == IPFIX_IPV4_ICMP || l3l4 == IPFIX_IPV6_ICMP) {
        put_u8(&b, ntohs(flow->tp_src));
        put_u8(&b, ntohs(flow->tp_dst));
    }
    if (tunnel) {
        put_be64(&b, tunnel_segment_id(&flow->tunnel));
    }
    key->len = b.len;
    plx_assert(key->len == ipfix_template_get(key->template_id)->key_len);
}

uint32_t
ipfix_key_hash(const struct ipfix_key *key)
{
    return hash_bytes(key, offsetof(struct ipfix_key, data) + key->len, 0);
}

bool
ipfix_key_equal(const struct ipfix_key *a, const struct ipfix_key *b)
{
    return a->len == b->len
           && !memcmp(a, b, offsetof(struct ipfix_key, data) + a->len);
}

void
ipfix_msg_init(struct ipfix_msg *msg)
{
    msg->len = IPFIX_HEADER_LEN;
    msg->set_ofs = 0;
    msg->set_id = 0;
    msg->n_records = 0;
}

static void
msg_close_set(struct ipfix_msg *msg)
{
    if (msg->set_ofs) {
        write_be16(&msg->data[msg->set_ofs + 2], msg->len - msg->set_ofs);
        msg->set_ofs = 0;
    }
}

/* Makes room for a record of LEN bytes in set SET_ID, opening the set if
 * needed, and returns a buffer for it; or returns false if it does not
 * fit. */
static bool
msg_start_record(struct ipfix_msg *msg, uint16_t set_id, size_t len,
                 struct ipfix_buf *b)
{
    bool same_set = msg->set_ofs && msg->set_id == set_id;
    size_t need = len + (same_set ? 0 : IPFIX_SET_HEADER_LEN);

    if (msg->len + need > sizeof msg->data) {
        return false;
    }
    *b = (struct ipfix_buf) { msg->data, msg->len, sizeof msg->data };
    if (!same_set) {
        msg_close_set(msg);
        msg->set_ofs = msg->len;
        msg->set_id = set_id;
        put_be16(b, set_id);
        put_be16(b, 0);
    }
    return true;
}

static void
msg_end_record(struct ipfix_msg *msg, const struct ipfix_buf *b)
{
    msg->len = b->len;
    msg->n_records++;
}

bool
ipfix_msg_put_template(struct ipfix_msg *msg, const struct ipfix_template *t)
{
    struct ipfix_buf b;

    if (!msg_start_record(msg, IPFIX_SET_ID_TEMPLATE, 4 + 4 * t->n_fields,
                          &b)) {
        return false;
    }
    put_be16(&b, t->id);
    put_be16(&b, t->n_fields);
    for (size_t i = 0; i < t->n_fields; i++) {
        put_be16(&b, t->fields[i].id);
        put_be16(&b, t->fields[i].len);
    }
    msg_end_record(msg, &b);
    return true;
}

bool
ipfix_msg_put_record(struct ipfix_msg *msg, const struct ipfix_key *key,
                     const struct ipfix_counters *c)
{
    const struct ipfix_template *t = ipfix_template_get(key->template_id);
    struct ipfix_buf b;

    if (!msg_start_record(msg, t->id, t->record_len, &b)) {
        return false;
    }
    put_bytes(&b, key->data, key->len);
    put_be64(&b, c->start_wall);
    put_be64(&b, c->end_wall);
    put_be64(&b, c->packets);
    put_be64(&b, c->octets);
    put_be64(&b, c->l2_octets);
    if (t->transport) {
        put_be16(&b, c->tcp_flags);
    }
    put_u8(&b, c->end_reason);
    msg_end_record(msg, &b);
    return true;
}

void
ipfix_msg_finish(struct ipfix_msg *msg, uint32_t export_time, uint32_t seq,
                 uint32_t obs_domain_id)
{
    msg_close_set(msg);
    write_be16(&msg->data[0], IPFIX_VERSION);
    write_be16(&msg->data[2], msg->len);
    write_be32(&msg->data[4], export_time);
    write_be32(&msg->data[8], seq);
    write_be32(&msg->data[12], obs_domain_id);
}
