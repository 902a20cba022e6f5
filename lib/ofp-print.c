/* ovs-ofctl-compatible text for OpenFlow switch descriptions: see
 * ofp-print.h. */
#include <config.h>
#include "ofp-print.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include "dynamic-string.h"
#include "packets.h"

#define V10 OFP10_VERSION

/* ---- Small pieces. ---- */

/* Open vSwitch's 16-bit reserved port numbers and names. */
static const char *
reserved_port_name(uint16_t port16)
{
    switch (port16) {
    case 0xfff7: return "UNSET";
    case OFPP10_IN_PORT: return "IN_PORT";
    case OFPP10_TABLE: return "TABLE";
    case OFPP10_NORMAL: return "NORMAL";
    case OFPP10_FLOOD: return "FLOOD";
    case OFPP10_ALL: return "ALL";
    case OFPP10_CONTROLLER: return "CONTROLLER";
    case OFPP10_LOCAL: return "LOCAL";
    case OFPP10_NONE: return "ANY";
    default: return NULL;
    }
}

/* PORT_NO as Open vSwitch's 16-bit port number (ports with no 16-bit form
 * keep their low bits, as its ofp_to_u16() would see them). */
static uint16_t
port_to_u16(uint32_t port_no)
{
    uint16_t port16;

    return ofp_port_to_ofp10(port_no, &port16) ? port16 : port_no & 0xffff;
}

void
ofp_print_port_no(struct ds *s, uint32_t port_no)
{
    if (port_no >= OFPP11_MAX) {
        uint16_t port16 = port_no - OFPP11_OFFSET;
        const char *name = reserved_port_name(port16);

        if (name) {
            ds_put_cstr(s, name);
        } else {
            ds_put_format(s, "%"PRIu16, port16);
        }
    } else {
        ds_put_format(s, "%"PRIu32, port_no);
    }
}

/* Writes the names of the 1-bits of BITS, separated by SEP, "0" if none;
 * bits without a name go last as one hex number (as Open vSwitch's
 * ofp_print_bit_names()). */
static void
put_bit_names(struct ds *s, uint32_t bits, const char *(*name_of)(uint32_t),
              char sep)
{
    int n = 0;

    if (!bits) {
        ds_put_cstr(s, "0");
        return;
    }
    for (int i = 0; i < 32; i++) {
        uint32_t bit = UINT32_C(1) << i;
        const char *name = bits & bit ? name_of(bit) : NULL;
        if (name) {
            if (n++) {
                ds_put_char(s, sep);
            }
            ds_put_cstr(s, name);
            bits &= ~bit;
        }
    }
    if (bits) {
        if (n) {
            ds_put_char(s, sep);
        }
        ds_put_format(s, "0x%"PRIx32, bits);
    }
}

void
ofp_print_duration(struct ds *s, uint32_t sec, uint32_t nsec)
{
    ds_put_format(s, "%"PRIu32, sec);
    if (nsec > 0) {
        uint32_t msec = nsec / 1000000;
        if (msec * 1000000 == nsec) {
            ds_put_format(s, ".%03"PRIu32, msec);
        } else {
            ds_put_format(s, ".%09"PRIu32, nsec);
            while (ds_last(s) == '0') {
                ds_chomp(s, '0');
            }
        }
    }
    ds_put_char(s, 's');
}

/* ---- Ports. ---- */

static const char *
port_config_name(uint32_t bit)
{
    switch (bit) {
    case OFPPC_PORT_DOWN: return "PORT_DOWN";
    case OFPPC10_NO_STP: return "NO_STP";
    case OFPPC_NO_RECV: return "NO_RECV";
    case OFPPC10_NO_RECV_STP: return "NO_RECV_STP";
    case OFPPC10_NO_FLOOD: return "NO_FLOOD";
    case OFPPC_NO_FWD: return "NO_FWD";
    case OFPPC_NO_PACKET_IN: return "NO_PACKET_IN";
    default: return NULL;
    }
}

static const char *
port_state_name(uint32_t bit)
{
    switch (bit) {
    case OFPUTIL_PS_LINK_DOWN: return "LINK_DOWN";
    case OFPUTIL_PS_BLOCKED: return "BLOCKED";
    case OFPUTIL_PS_LIVE: return "LIVE";
    default: return NULL;
    }
}

static const char *
port_feature_name(uint32_t bit)
{
    switch (bit) {
    case OFPPF_10MB_HD: return "10MB-HD";
    case OFPPF_10MB_FD: return "10MB-FD";
    case OFPPF_100MB_HD: return "100MB-HD";
    case OFPPF_100MB_FD: return "100MB-FD";
    case OFPPF_1GB_HD: return "1GB-HD";
    case OFPPF_1GB_FD: return "1GB-FD";
    case OFPPF_10GB_FD: return "10GB-FD";
    case OFPPF11_40GB_FD: return "40GB-FD";
    case OFPPF11_100GB_FD: return "100GB-FD";
    case OFPPF11_1TB_FD: return "1TB-FD";
    case OFPPF11_OTHER: return "OTHER";
    case OFPPF11_COPPER: return "COPPER";
    case OFPPF11_FIBER: return "FIBER";
    case OFPPF11_AUTONEG: return "AUTO_NEG";
    case OFPPF11_PAUSE: return "AUTO_PAUSE";
    case OFPPF11_PAUSE_ASYM: return "AUTO_PAUSE_ASYM";
    default: return NULL;
    }
}

static void
put_port_state(struct ds *s, uint32_t state)
{
    uint32_t stp = state & OFPUTIL_PS_STP_MASK;

    /* The 2-bit STP state is printed only when it is not LISTEN (0). */
    if (stp) {
        ds_put_cstr(s, (stp == OFPUTIL_PS_STP_LEARN ? "STP_LEARN"
                        : stp == OFPUTIL_PS_STP_FORWARD ? "STP_FORWARD"
                        : "STP_BLOCK"));
        state &= ~OFPUTIL_PS_STP_MASK;
        if (state) {
            put_bit_names(s, state, port_state_name, ' ');
        }
    } else {
        put_bit_names(s, state, port_state_name, ' ');
    }
    ds_put_char(s, '\n');
}

static void
put_features_line(struct ds *s, const char *label, uint32_t features)
{
    if (features) {
        ds_put_cstr(s, label);
        put_bit_names(s, features, port_feature_name, ' ');
        ds_put_char(s, '\n');
    }
}

void
ofp_print_phy_port(struct ds *s, const struct ofputil_phy_port *pp)
{
    char name[sizeof pp->name];
    size_t j;

    /* The name stops at its first unprintable character. */
    for (j = 0; j < sizeof name - 1 && isprint((unsigned char) pp->name[j]);
         j++) {
        name[j] = pp->name[j];
    }
    name[j] = '\0';

    ds_put_char(s, ' ');
    ofp_print_port_no(s, pp->port_no);
    ds_put_format(s, "(%s): addr:"ETH_ADDR_FMT"\n", name,
                  ETH_ADDR_ARGS(pp->hw_addr));
    ds_put_cstr(s, "     config:     ");
    put_bit_names(s, pp->config, port_config_name, ' ');
    ds_put_char(s, '\n');
    ds_put_cstr(s, "     state:      ");
    put_port_state(s, pp->state);
    put_features_line(s, "     current:    ", pp->curr);
    put_features_line(s, "     advertised: ", pp->advertised);
    put_features_line(s, "     supported:  ", pp->supported);
    put_features_line(s, "     peer:       ", pp->peer);
    ds_put_format(s, "     speed: %"PRIu32" Mbps now, %"PRIu32" Mbps max\n",
                  pp->curr_speed / 1000, pp->max_speed / 1000);
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct ofputil_phy_port *a = a_, *b = b_;
    uint16_t ap = port_to_u16(a->port_no), bp = port_to_u16(b->port_no);

    return ap < bp ? -1 : ap > bp;
}

void
ofp_print_phy_ports(struct ds *s, const struct ofputil_phy_port *ports,
                    size_t n)
{
    if (!n) {
        return;
    }
    struct ofputil_phy_port *sorted = xmemdup(ports, n * sizeof *ports);
    qsort(sorted, n, sizeof *sorted, compare_ports);
    for (size_t i = 0; i < n; i++) {
        ofp_print_phy_port(s, &sorted[i]);
    }
    free(sorted);
}

/* ---- Features and configuration. ---- */

static const char *
capability_name(uint32_t bit)
{
    switch (bit) {
    case OFPUTIL_C_FLOW_STATS: return "FLOW_STATS";
    case OFPUTIL_C_TABLE_STATS: return "TABLE_STATS";
    case OFPUTIL_C_PORT_STATS: return "PORT_STATS";
    case OFPUTIL_C_IP_REASM: return "IP_REASM";
    case OFPUTIL_C_QUEUE_STATS: return "QUEUE_STATS";
    case OFPUTIL_C_ARP_MATCH_IP: return "ARP_MATCH_IP";
    case OFPUTIL_C_STP: return "STP";
    case OFPUTIL_C_GROUP_STATS: return "GROUP_STATS";
    case OFPUTIL_C_PORT_BLOCKED: return "PORT_BLOCKED";
    default: return NULL;
    }
}

/* Open vSwitch prints action capabilities by its internal action types,
 * in their order; these are the ones that OpenFlow 1.0 action bits and
 * OpenFlow 1.3 action ids map to. */
enum ovs_act {
    OVS_ACT_OUTPUT, OVS_ACT_GROUP, OVS_ACT_ENQUEUE, OVS_ACT_SET_FIELD,
    OVS_ACT_SET_VLAN_VID, OVS_ACT_SET_VLAN_PCP, OVS_ACT_STRIP_VLAN,
    OVS_ACT_PUSH_VLAN, OVS_ACT_SET_ETH_SRC, OVS_ACT_SET_ETH_DST,
    OVS_ACT_SET_IPV4_SRC, OVS_ACT_SET_IPV4_DST, OVS_ACT_SET_IP_DSCP,
    OVS_ACT_SET_IP_TTL, OVS_ACT_SET_L4_SRC_PORT, OVS_ACT_SET_L4_DST_PORT,
    OVS_ACT_DEC_TTL, OVS_ACT_SET_MPLS_TTL, OVS_ACT_DEC_MPLS_TTL,
    OVS_ACT_PUSH_MPLS, OVS_ACT_POP_MPLS, OVS_ACT_SET_QUEUE,
};

static const char *const ovs_act_names[] = {
    "output", "group", "enqueue", "set_field", "set_vlan_vid",
    "set_vlan_pcp", "strip_vlan", "push_vlan", "mod_dl_src", "mod_dl_dst",
    "mod_nw_src", "mod_nw_dst", "mod_nw_tos", "mod_nw_ttl", "mod_tp_src",
    "mod_tp_dst", "dec_ttl", "set_mpls_ttl", "dec_mpls_ttl", "push_mpls",
    "pop_mpls", "set_queue",
};

/* OpenFlow 1.0 action bit N -> enum ovs_act. */
static const int8_t ofp10_acts[] = {
    OVS_ACT_OUTPUT, OVS_ACT_SET_VLAN_VID, OVS_ACT_SET_VLAN_PCP,
    OVS_ACT_STRIP_VLAN, OVS_ACT_SET_ETH_SRC, OVS_ACT_SET_ETH_DST,
    OVS_ACT_SET_IPV4_SRC, OVS_ACT_SET_IPV4_DST, OVS_ACT_SET_IP_DSCP,
    OVS_ACT_SET_L4_SRC_PORT, OVS_ACT_SET_L4_DST_PORT, OVS_ACT_ENQUEUE,
};

/* OpenFlow 1.3 action type N -> enum ovs_act (-1: Open vSwitch has no
 * such action and does not print it). */
static const int8_t ofp13_acts[28] = {
    [0] = OVS_ACT_OUTPUT, [1 ... 14] = -1,
    [15] = OVS_ACT_SET_MPLS_TTL, [16] = OVS_ACT_DEC_MPLS_TTL,
    [17] = OVS_ACT_PUSH_VLAN, [18] = OVS_ACT_STRIP_VLAN,
    [19] = OVS_ACT_PUSH_MPLS, [20] = OVS_ACT_POP_MPLS,
    [21] = OVS_ACT_SET_QUEUE, [22] = OVS_ACT_GROUP,
    [23] = OVS_ACT_SET_IP_TTL, [24] = OVS_ACT_DEC_TTL,
    [25] = OVS_ACT_SET_FIELD, [26] = -1, [27] = -1,
};

/* Maps a wire action bitmap of VERSION to a bitmap of enum ovs_act. */
static uint32_t
ovs_acts_from_wire(uint32_t bits, uint8_t version)
{
    const int8_t *map = version == V10 ? ofp10_acts : ofp13_acts;
    size_t n = version == V10 ? ARRAY_SIZE(ofp10_acts)
               : ARRAY_SIZE(ofp13_acts);
    uint32_t acts = 0;

    for (size_t i = 0; i < n; i++) {
        if (bits & (UINT32_C(1) << i) && map[i] >= 0) {
            acts |= UINT32_C(1) << map[i];
        }
    }
    return acts;
}

static void
put_ovs_acts(struct ds *s, uint32_t acts)
{
    int idx;

    ULLONG_FOR_EACH_1 (idx, acts) {
        ds_put_format(s, "%s ", ovs_act_names[idx]);
    }
    ds_chomp(s, ' ');
}

void
ofp_print_switch_features(struct ds *s, uint8_t version,
                          const struct ofputil_switch_features *sf,
                          const struct ofputil_phy_port *ports,
                          size_t n_ports)
{
    ds_put_format(s, " dpid:%016"PRIx64"\n", sf->datapath_id);
    ds_put_format(s, "n_tables:%"PRIu8", n_buffers:%"PRIu32,
                  sf->n_tables, sf->n_buffers);
    if (sf->auxiliary_id) {
        ds_put_format(s, ", auxiliary_id:%"PRIu8, sf->auxiliary_id);
    }
    ds_put_char(s, '\n');
    ds_put_cstr(s, "capabilities: ");
    put_bit_names(s, sf->capabilities, capability_name, ' ');
    ds_put_char(s, '\n');
    if (version == V10) {
        uint32_t acts = ovs_acts_from_wire(sf->ofp10_actions, V10);
        if (acts) {
            ds_put_cstr(s, "actions: ");
            put_ovs_acts(s, acts);
            ds_put_char(s, '\n');
        }
        ofp_print_phy_ports(s, ports, n_ports);
    }
}

void
ofp_print_switch_config(struct ds *s, const struct ofputil_switch_config *sc)
{
    static const char *const frags[] = {
        "normal", "drop", "reassemble", "nx-match"
    };

    ds_put_format(s, " frags=%s miss_send_len=%"PRIu16"\n",
                  frags[sc->frag & 3], sc->miss_send_len);
}

void
ofp_print_desc_stats(struct ds *s, const struct ofputil_desc_stats *d)
{
    ds_put_format(s, "\nManufacturer: %s\n", d->mfr_desc);
    ds_put_format(s, "Hardware: %s\n", d->hw_desc);
    ds_put_format(s, "Software: %s\n", d->sw_desc);
    ds_put_format(s, "Serial Num: %s\n", d->serial_num);
    ds_put_format(s, "DP Description: %s\n", d->dp_desc);
}

/* ---- Port and queue statistics. ---- */

static void
put_stat(struct ds *s, const char *leader, uint64_t stat, bool more)
{
    ds_put_cstr(s, leader);
    if (stat != UINT64_MAX) {
        ds_put_format(s, "%"PRIu64, stat);
    } else {
        ds_put_char(s, '?');
    }
    ds_put_cstr(s, more ? ", " : "\n");
}

void
ofp_print_port_stats(struct ds *s, const struct ofputil_port_stats *stats,
                     size_t n)
{
    ds_put_format(s, " %zu ports\n", n);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_port_stats *ps = &stats[i];

        ds_put_cstr(s, "  port ");
        if (port_to_u16(ps->port_no) < 10) {
            ds_put_char(s, ' ');
        }
        ofp_print_port_no(s, ps->port_no);
        ds_put_cstr(s, ": rx ");
        put_stat(s, "pkts=", ps->rx_packets, true);
        put_stat(s, "bytes=", ps->rx_bytes, true);
        put_stat(s, "drop=", ps->rx_dropped, true);
        put_stat(s, "errs=", ps->rx_errors, true);
        put_stat(s, "frame=", ps->rx_frame_errors, true);
        put_stat(s, "over=", ps->rx_over_errors, true);
        put_stat(s, "crc=", ps->rx_crc_errors, false);
        ds_put_cstr(s, "           tx ");
        put_stat(s, "pkts=", ps->tx_packets, true);
        put_stat(s, "bytes=", ps->tx_bytes, true);
        put_stat(s, "drop=", ps->tx_dropped, true);
        put_stat(s, "errs=", ps->tx_errors, true);
        put_stat(s, "coll=", ps->collisions, false);
        if (ps->duration_sec != UINT32_MAX) {
            ds_put_cstr(s, "           duration=");
            ofp_print_duration(s, ps->duration_sec, ps->duration_nsec);
            ds_put_char(s, '\n');
        }
    }
}

static void
put_queue_id(struct ds *s, uint32_t queue_id)
{
    if (queue_id == OFPUTIL_QUEUE_ALL) {
        ds_put_cstr(s, "ALL");
    } else {
        ds_put_format(s, "%"PRIu32, queue_id);
    }
}

void
ofp_print_queue_stats(struct ds *s, const struct ofputil_queue_stats *stats,
                      size_t n)
{
    ds_put_format(s, " %zu queues\n", n);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_queue_stats *qs = &stats[i];

        ds_put_cstr(s, "  port ");
        ofp_print_port_no(s, qs->port_no);
        ds_put_cstr(s, " queue ");
        put_queue_id(s, qs->queue_id);
        ds_put_cstr(s, ": ");
        put_stat(s, "bytes=", qs->tx_bytes, true);
        put_stat(s, "pkts=", qs->tx_packets, true);
        put_stat(s, "errors=", qs->tx_errors, true);
        ds_put_cstr(s, "duration=");
        if (qs->duration_sec != UINT32_MAX) {
            ofp_print_duration(s, qs->duration_sec, qs->duration_nsec);
        } else {
            ds_put_char(s, '?');
        }
        ds_put_char(s, '\n');
    }
}

void
ofp_print_queue_stats_request(struct ds *s,
                              const struct ofputil_queue_stats_request *r)
{
    ds_put_cstr(s, " port=");
    ofp_print_port_no(s, r->port_no);
    ds_put_cstr(s, " queue=");
    put_queue_id(s, r->queue_id);
}

static void
put_queue_rate(struct ds *s, const char *name, unsigned int rate)
{
    if (rate <= 1000) {
        ds_put_format(s, " %s:%u.%u%%", name, rate / 10, rate % 10);
    } else if (rate < UINT16_MAX) {
        ds_put_format(s, " %s:(disabled)", name);
    }
}

static int
compare_queues(const void *a_, const void *b_)
{
    const struct ofputil_queue_config *a = a_, *b = b_;
    uint16_t ap = port_to_u16(a->port_no), bp = port_to_u16(b->port_no);

    if (ap != bp) {
        return ap < bp ? -1 : 1;
    }
    return a->queue_id < b->queue_id ? -1 : a->queue_id > b->queue_id;
}

void
ofp_print_queue_config(struct ds *s, const struct ofputil_queue_config *qs,
                       size_t n)
{
    struct ofputil_queue_config *sorted = (n ? xmemdup(qs, n * sizeof *qs)
                                           : NULL);
    uint16_t port = 0;

    if (n) {
        qsort(sorted, n, sizeof *sorted, compare_queues);
    }
    ds_put_char(s, ' ');
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_queue_config *q = &sorted[i];

        /* Like Open vSwitch, a port line only when the port changes (and
         * none for port 0). */
        if (port_to_u16(q->port_no) != port) {
            port = port_to_u16(q->port_no);
            ds_put_cstr(s, "port=");
            ofp_print_port_no(s, q->port_no);
            ds_put_char(s, '\n');
        }
        ds_put_format(s, "queue %"PRIu32":", q->queue_id);
        put_queue_rate(s, "min_rate", q->min_rate);
        put_queue_rate(s, "max_rate", q->max_rate);
        ds_put_char(s, '\n');
    }
    ds_chomp(s, ' ');
    free(sorted);
}

void
ofp_print_table_mod(struct ds *s, const struct ofputil_table_mod *tm)
{
    if (tm->table_id == OFPTT_ALL) {
        ds_put_cstr(s, " table_id: ALL_TABLES");
    } else {
        ds_put_format(s, " table_id=%"PRIu8, tm->table_id);
    }
}

/* ---- Table features and table statistics. ---- */

/* What Open vSwitch prints for one table, in its terms: instructions in
 * its order (meter, apply_actions, clear_actions, write_actions,
 * write_metadata, goto_table), actions as enum ovs_act bits. */
struct pf_actions {
    uint32_t acts;
    struct ofputil_field_set set_fields;
};

struct pf_instructions {
    unsigned long next[BITMAP_N_LONGS(256)];
    uint32_t insts;
    struct pf_actions write, apply;
};

struct pf_table {
    int table_id;
    char name[OFP_MAX_TABLE_NAME_LEN];
    uint64_t metadata_match, metadata_write;
    uint32_t max_entries;
    struct pf_instructions nonmiss, miss;
    struct ofputil_field_set match, mask, wildcard;
};

/* Printing state across the tables of one message. */
struct pf_state {
    bool of10_names;            /* in_port is "in_port", not "in_port_oxm". */
    struct pf_table prev;
    struct ofputil_table_stats prev_stats;
    bool have_prev;
    int first_ditto, last_ditto;
};

static const char *const ovs_inst_names[] = {
    "meter", "apply_actions", "clear_actions", "write_actions",
    "write_metadata", "goto_table",
};

/* OpenFlow 1.3 instruction type -> index in ovs_inst_names. */
static const int8_t ofp13_insts[7] = { -1, 5, 4, 3, 1, 2, 0 };

static uint32_t
ovs_insts_from_wire(uint32_t bits)
{
    uint32_t insts = 0;

    for (size_t i = 1; i < ARRAY_SIZE(ofp13_insts); i++) {
        if (bits & (UINT32_C(1) << i)) {
            insts |= UINT32_C(1) << ofp13_insts[i];
        }
    }
    return insts;
}

static void
pf_instructions_from(struct pf_instructions *pi,
                     const struct ofputil_table_instruction_features *f)
{
    memcpy(pi->next, f->next, sizeof pi->next);
    pi->insts = ovs_insts_from_wire(f->instructions);
    pi->write.acts = ovs_acts_from_wire(f->write_actions, OFP13_VERSION);
    pi->write.set_fields = f->write_setfield;
    pi->apply.acts = ovs_acts_from_wire(f->apply_actions, OFP13_VERSION);
    pi->apply.set_fields = f->apply_setfield;
}

static void
pf_table_from_features(struct pf_table *t,
                       const struct ofputil_table_features *tf)
{
    memset(t, 0, sizeof *t);
    t->table_id = tf->table_id;
    memcpy(t->name, tf->name, sizeof t->name);
    t->metadata_match = tf->metadata_match;
    t->metadata_write = tf->metadata_write;
    t->max_entries = tf->max_entries;
    pf_instructions_from(&t->nonmiss, &tf->nonmiss);
    pf_instructions_from(&t->miss, &tf->miss);
    t->match = tf->match;
    t->mask = tf->mask;
    t->wildcard = tf->wildcard;
}

/* OpenFlow 1.0 wildcard bits -> fields, as Open vSwitch maps them. */
static const struct {
    uint32_t wc;
    enum mf_field_id id;
} ofp10_wc_map[] = {
    { 1u << 0, MFF_IN_PORT },
    { 1u << 1, MFF_VLAN_VID },
    { 1u << 2, MFF_ETH_SRC },
    { 1u << 3, MFF_ETH_DST },
    { 1u << 4, MFF_ETH_TYPE },
    { 1u << 5, MFF_IP_PROTO },
    { 1u << 6, MFF_TCP_SRC },
    { 1u << 7, MFF_TCP_DST },
    { 0x3fu << 8, MFF_IPV4_SRC },
    { 0x3fu << 14, MFF_IPV4_DST },
    { 1u << 20, MFF_VLAN_PCP },
    { 1u << 21, MFF_IP_DSCP },
};

static void
pf_table_from_stats(struct pf_table *t, uint8_t version,
                    const struct ofputil_table_stats *ts)
{
    memset(t, 0, sizeof *t);
    t->table_id = ts->table_id;
    if (version == V10) {
        memcpy(t->name, ts->name, sizeof t->name);
        t->max_entries = ts->max_entries;
        for (size_t i = 0; i < ARRAY_SIZE(ofp10_wc_map); i++) {
            if (ts->wildcards & ofp10_wc_map[i].wc) {
                bitmap_set1(t->match.bm, ofp10_wc_map[i].id);
            }
        }
        t->wildcard = t->match;
    }
}

/* Open vSwitch's name for a field. */
static const char *
ovs_field_name(enum mf_field_id id, bool of10_names)
{
    switch (id) {
    case MFF_IN_PORT: return of10_names ? "in_port" : "in_port_oxm";
    case MFF_ETH_SRC: return "eth_src";
    case MFF_ETH_DST: return "eth_dst";
    case MFF_ETH_TYPE: return "eth_type";
    case MFF_IPV4_SRC: return "ip_src";
    case MFF_IPV4_DST: return "ip_dst";
    case MFF_IP_FRAG: return "ip_frag";
    default: return mf_from_id(id)->name;
    }
}

/* Length of the run of trailing decimal digits of NAME (N bytes). */
static size_t
digits_len(const char *name, size_t n)
{
    size_t d = 0;

    while (d < n && isdigit((unsigned char) name[n - 1 - d])) {
        d++;
    }
    return d < n && d <= 9 ? d : 0;
}

/* Writes the N NAMES compressed as Open vSwitch 3.x does, separated by
 * SEP:
 *
 *   - A run of names that share their text up to the first underscore
 *     becomes PREFIX{a,b,...}, where PREFIX is what the first two names of
 *     the run share, back to an underscore, and each member is written
 *     (recursively compressed) without PREFIX's length of characters.
 *     Open vSwitch strips that length even from later members that do not
 *     share all of PREFIX ("ct_nw_{src,dst,6_src}" for ct_nw_src,
 *     ct_nw_dst, ct_ipv6_src), and so does this, for identical output.
 *
 *   - A run of three or more names that differ only in consecutive
 *     trailing numbers becomes "reg0...reg15". */
static void
put_compressed_names(struct ds *s, const char *const *names, size_t n,
                     char sep)
{
    size_t i = 0;

    while (i < n) {
        const char *name = names[i];
        const char *u = strchr(name, '_');
        size_t j;

        if (i) {
            ds_put_char(s, sep);
        }
        if (u) {
            size_t plen = u - name + 1;
            for (j = i + 1; j < n && !strncmp(names[j], name, plen); j++) {
                continue;
            }
            if (j - i >= 2) {
                const char *next = names[i + 1];
                size_t lcp = 0;
                while (name[lcp] && name[lcp] == next[lcp]) {
                    lcp++;
                }
                while (lcp > plen && name[lcp - 1] != '_') {
                    lcp--;
                }

                const char *sub[MFF_N_IDS];
                size_t n_sub = MIN(j - i, ARRAY_SIZE(sub));
                for (size_t k = 0; k < n_sub; k++) {
                    const char *o = names[i + k];
                    sub[k] = o + MIN(lcp, strlen(o));
                }
                ds_put_buffer(s, name, lcp);
                ds_put_char(s, '{');
                put_compressed_names(s, sub, n_sub, ',');
                ds_put_char(s, '}');
                i = j;
                continue;
            }
        }

        size_t len = strlen(name);
        size_t d = digits_len(name, len);
        if (d) {
            size_t stem = len - d;
            unsigned long num = strtoul(name + stem, NULL, 10);
            for (j = i + 1; j < n; j++) {
                const char *o = names[j];
                size_t olen = strlen(o);
                size_t od = digits_len(o, olen);
                if (!od || olen - od != stem || strncmp(o, name, stem)
                    || strtoul(o + stem, NULL, 10) != num + (j - i)) {
                    break;
                }
            }
            if (j - i >= 3) {
                ds_put_format(s, "%s...%s", name, names[j - 1]);
                i = j;
                continue;
            }
        }
        ds_put_cstr(s, name);
        i++;
    }
}

static void
put_field_set(struct ds *s, const struct ofputil_field_set *fs,
              bool of10_names)
{
    const char *names[MFF_N_IDS];
    size_t n = 0, id;

    BITMAP_FOR_EACH_1 (id, MFF_N_IDS, fs->bm) {
        names[n++] = ovs_field_name(id, of10_names);
    }
    put_compressed_names(s, names, n, ' ');
}

static bool
field_set_is_empty(const struct ofputil_field_set *fs)
{
    return bitmap_is_all_zeros(fs->bm, MFF_N_IDS);
}

static bool
field_set_equal(const struct ofputil_field_set *a,
                const struct ofputil_field_set *b)
{
    return bitmap_equal(a->bm, b->bm, MFF_N_IDS);
}

static void
put_action_features(struct ds *s, const struct pf_actions *a,
                    bool of10_names)
{
    if (a->acts) {
        ds_put_cstr(s, "        actions: ");
        put_ovs_acts(s, a->acts);
        ds_put_char(s, '\n');
    }
    if (!field_set_is_empty(&a->set_fields)) {
        ds_put_cstr(s, "        supported on Set-Field: ");
        put_field_set(s, &a->set_fields, of10_names);
        ds_put_char(s, '\n');
    }
}

static bool
actions_equal(const struct pf_actions *a, const struct pf_actions *b)
{
    return a->acts == b->acts && field_set_equal(&a->set_fields,
                                                 &b->set_fields);
}

static bool
actions_empty(const struct pf_actions *a)
{
    return !a->acts && field_set_is_empty(&a->set_fields);
}

static void
put_instruction_features(struct ds *s, const struct pf_instructions *pi,
                         const struct pf_instructions *prev,
                         bool of10_names)
{
    if (!bitmap_is_all_zeros(pi->next, 255)) {
        size_t start, end;

        ds_put_cstr(s, "      next tables: ");
        for (start = bitmap_scan(pi->next, 1, 0, 255); start < 255;
             start = bitmap_scan(pi->next, 1, end, 255)) {
            end = bitmap_scan(pi->next, 0, start + 1, 255);
            if (end == start + 1) {
                ds_put_format(s, "%zu,", start);
            } else {
                ds_put_format(s, "%zu-%zu,", start, end - 1);
            }
        }
        ds_chomp(s, ',');
        ds_put_char(s, '\n');
    }

    if (pi->insts) {
        if (prev && pi->insts == prev->insts) {
            ds_put_cstr(s, "      (same instructions)\n");
        } else {
            int idx;

            ds_put_cstr(s, "      instructions: ");
            ULLONG_FOR_EACH_1 (idx, pi->insts) {
                ds_put_format(s, "%s ", ovs_inst_names[idx]);
            }
            ds_chomp(s, ' ');
            ds_put_char(s, '\n');
        }
    }

    if (prev && actions_equal(&pi->write, &prev->write)
        && actions_equal(&pi->apply, &prev->apply)
        && !field_set_is_empty(&pi->write.set_fields)) {
        ds_put_cstr(s, "      (same actions)\n");
    } else if (!actions_equal(&pi->write, &pi->apply)) {
        ds_put_cstr(s, "      Write-Actions features:\n");
        put_action_features(s, &pi->write, of10_names);
        ds_put_cstr(s, "      Apply-Actions features:\n");
        put_action_features(s, &pi->apply, of10_names);
    } else if (pi->write.acts || !field_set_is_empty(&pi->write.set_fields)) {
        ds_put_cstr(s, "      Write-Actions and Apply-Actions features:\n");
        put_action_features(s, &pi->write, of10_names);
    }
}

/* Next-table sets are equal if they differ only in that A's table
 * (numbered one below B's) may go to B's table, which B itself cannot. */
static bool
next_equal(const unsigned long *a, int a_id, const unsigned long *b,
           int b_id)
{
    if (b_id == a_id + 1 && bitmap_is_set(a, b_id)
        && !bitmap_is_set(b, b_id)) {
        unsigned long tmp[BITMAP_N_LONGS(256)];
        memcpy(tmp, a, sizeof tmp);
        bitmap_set0(tmp, b_id);
        return bitmap_equal(tmp, b, 255);
    } else if (a_id == b_id + 1) {
        return next_equal(b, b_id, a, a_id);
    } else {
        return bitmap_equal(a, b, 255);
    }
}

static bool
instructions_equal(const struct pf_instructions *a, int a_id,
                   const struct pf_instructions *b, int b_id)
{
    return (next_equal(a->next, a_id, b->next, b_id)
            && a->insts == b->insts
            && actions_equal(&a->write, &b->write)
            && actions_equal(&a->apply, &b->apply));
}

static bool
instructions_empty(const struct pf_instructions *pi)
{
    return (bitmap_is_all_zeros(pi->next, 255) && !pi->insts
            && actions_empty(&pi->write) && actions_empty(&pi->apply));
}

static bool
pf_table_equal(const struct pf_table *a, const struct pf_table *b)
{
    return (a->metadata_match == b->metadata_match
            && a->metadata_write == b->metadata_write
            && a->max_entries == b->max_entries
            && instructions_equal(&a->nonmiss, a->table_id,
                                  &b->nonmiss, b->table_id)
            && instructions_equal(&a->miss, a->table_id,
                                  &b->miss, b->table_id)
            && field_set_equal(&a->match, &b->match));
}

static bool
pf_table_empty(const struct pf_table *t)
{
    return (!t->metadata_match && !t->metadata_write && !t->max_entries
            && instructions_empty(&t->nonmiss)
            && instructions_empty(&t->miss)
            && field_set_is_empty(&t->match));
}

static bool
table_stats_equal(const struct ofputil_table_stats *a,
                  const struct ofputil_table_stats *b)
{
    return (a->active_count == b->active_count
            && a->lookup_count == b->lookup_count
            && a->matched_count == b->matched_count);
}

static void
pf_finish(struct ds *s, struct pf_state *st)
{
    if (st->first_ditto < 0) {
        return;
    }
    ds_put_char(s, '\n');
    if (st->first_ditto == st->last_ditto) {
        ds_put_format(s, "  table %d: ditto\n", st->first_ditto);
    } else {
        ds_put_format(s, "  tables %d...%d: ditto\n", st->first_ditto,
                      st->last_ditto);
    }
    st->first_ditto = -1;
}

static void
put_matching(struct ds *s, const struct pf_table *t, bool of10_names)
{
    struct ofputil_field_set cats[3];     /* Masked, wildcard, exact. */
    static const char *const labels[3] = {
        "arbitrary mask", "exact match or wildcard", "must exact match",
    };
    size_t id;

    memset(cats, 0, sizeof cats);
    BITMAP_FOR_EACH_1 (id, MFF_N_IDS, t->match.bm) {
        int c = (bitmap_is_set(t->mask.bm, id) ? 0
                 : bitmap_is_set(t->wildcard.bm, id) ? 1 : 2);
        bitmap_set1(cats[c].bm, id);
    }
    ds_put_cstr(s, "    matching:\n");
    for (int c = 0; c < 3; c++) {
        if (!field_set_is_empty(&cats[c])) {
            ds_put_format(s, "      %s: ", labels[c]);
            put_field_set(s, &cats[c], of10_names);
            ds_put_char(s, '\n');
        }
    }
}

/* Open vSwitch's ofputil_table_features_format(). */
static void
pf_format(struct ds *s, struct pf_state *st, const struct pf_table *t,
          const struct ofputil_table_stats *stats)
{
    const struct pf_table *prev = st->have_prev ? &st->prev : NULL;
    bool same_stats = !stats || (prev && table_stats_equal(
                                     stats, &st->prev_stats));
    bool same_features = prev && pf_table_equal(t, prev);
    bool names = st->of10_names;

    if (same_stats && same_features && !t->name[0]) {
        if (st->first_ditto < 0) {
            st->first_ditto = t->table_id;
        }
        st->last_ditto = t->table_id;
        goto done;
    }
    pf_finish(s, st);

    ds_put_format(s, "\n  table %d", t->table_id);
    if (t->name[0]) {
        ds_put_format(s, " (\"%s\")", t->name);
    }
    ds_put_char(s, ':');
    if (same_stats && same_features) {
        ds_put_cstr(s, " ditto");
        goto done;
    }
    ds_put_char(s, '\n');
    if (stats) {
        ds_put_format(s, "    active=%"PRIu32", lookup=%"PRIu64", "
                      "matched=%"PRIu64"\n", stats->active_count,
                      stats->lookup_count, stats->matched_count);
    }
    if (same_features) {
        if (!pf_table_empty(t)) {
            ds_put_cstr(s, "    (same features)\n");
        }
        goto done;
    }
    if (t->metadata_match || t->metadata_write) {
        ds_put_format(s, "    metadata: match=%#"PRIx64" write=%#"PRIx64"\n",
                      t->metadata_match, t->metadata_write);
    }
    if (t->max_entries) {
        ds_put_format(s, "    max_entries=%"PRIu32"\n", t->max_entries);
    }

    if (prev
        && instructions_equal(&t->nonmiss, t->table_id,
                              &prev->nonmiss, prev->table_id)
        && instructions_equal(&t->miss, t->table_id,
                              &prev->miss, prev->table_id)) {
        if (!instructions_empty(&t->nonmiss)) {
            ds_put_cstr(s, "    (same instructions)\n");
        }
    } else if (!instructions_equal(&t->nonmiss, t->table_id,
                                   &t->miss, t->table_id)) {
        ds_put_cstr(s, "    instructions (other than table miss):\n");
        put_instruction_features(s, &t->nonmiss,
                                 prev ? &prev->nonmiss : NULL, names);
        ds_put_cstr(s, "    instructions (table miss):\n");
        put_instruction_features(s, &t->miss, prev ? &prev->miss : NULL,
                                 names);
    } else if (!instructions_empty(&t->nonmiss)) {
        ds_put_cstr(s, "    instructions (table miss and others):\n");
        put_instruction_features(s, &t->nonmiss,
                                 prev ? &prev->nonmiss : NULL, names);
    }

    if (!field_set_is_empty(&t->match)) {
        if (prev && field_set_equal(&t->match, &prev->match)) {
            ds_put_cstr(s, "    (same matching)\n");
        } else {
            put_matching(s, t, names);
        }
    }

done:
    st->prev = *t;
    st->have_prev = true;
    if (stats) {
        st->prev_stats = *stats;
    }
}

void
ofp_print_table_features(struct ds *s,
                         const struct ofputil_table_features *tfs, size_t n)
{
    struct pf_state *st = xzalloc(sizeof *st);
    struct pf_table t;

    st->first_ditto = st->last_ditto = -1;
    for (size_t i = 0; i < n; i++) {
        pf_table_from_features(&t, &tfs[i]);
        pf_format(s, st, &t, NULL);
    }
    pf_finish(s, st);
    free(st);
}

void
ofp_print_table_stats(struct ds *s, uint8_t version,
                      const struct ofputil_table_stats *stats, size_t n)
{
    struct pf_state *st = xzalloc(sizeof *st);
    struct pf_table t;

    st->of10_names = true;
    st->first_ditto = st->last_ditto = -1;
    for (size_t i = 0; i < n; i++) {
        pf_table_from_stats(&t, version, &stats[i]);
        pf_format(s, st, &t, &stats[i]);
    }
    pf_finish(s, st);
    free(st);
}

/* ---- Whole messages. ---- */

void
ofp_print_msg_header(struct ds *s, const struct ofp_header *oh)
{
    enum ofptype type;

    if (!ofptype_decode_msg(oh, &type)) {
        ds_put_cstr(s, ofptype_get_name(type));
    } else {
        ds_put_format(s, "(version 0x%02"PRIx8", type %"PRIu8")",
                      oh->version, oh->type);
    }
    switch (oh->version) {
    case OFP10_VERSION:
        break;
    case OFP11_VERSION: case OFP12_VERSION: case OFP13_VERSION:
    case OFP14_VERSION: case OFP15_VERSION:
        ds_put_format(s, " (OF1.%d)", oh->version - 1);
        break;
    default:
        ds_put_format(s, " (OF 0x%02"PRIx8")", oh->version);
        break;
    }
    ds_put_format(s, " (xid=0x%"PRIx32"):", ntohl(oh->xid));
}

/* Formats the body of OH, of type TYPE. */
static enum ofperr
print_body(struct ds *s, const struct ofp_header *oh, enum ofptype type)
{
    enum ofperr error = 0;

    switch (type) {
    case OFPTYPE_FEATURES_REPLY: {
        struct ofputil_switch_features sf;
        struct ofputil_phy_port *ports;
        size_t n;

        error = ofputil_decode_switch_features(oh, &sf, &ports, &n);
        if (!error) {
            ofp_print_switch_features(s, oh->version, &sf, ports, n);
            free(ports);
        }
        break;
    }
    case OFPTYPE_GET_CONFIG_REPLY:
    case OFPTYPE_SET_CONFIG: {
        struct ofputil_switch_config sc;

        error = (type == OFPTYPE_SET_CONFIG
                 ? ofputil_decode_set_config(oh, &sc)
                 : ofputil_decode_get_config_reply(oh, &sc));
        if (!error) {
            ofp_print_switch_config(s, &sc);
        }
        break;
    }
    case OFPTYPE_DESC_STATS_REPLY: {
        struct ofputil_desc_stats *d = xmalloc(sizeof *d);

        error = ofputil_decode_desc_stats_reply(oh, d);
        if (!error) {
            ofp_print_desc_stats(s, d);
        }
        free(d);
        break;
    }
    case OFPTYPE_TABLE_STATS_REPLY: {
        struct ofputil_table_stats *ts;
        size_t n;

        error = ofputil_decode_table_stats_reply(oh, &ts, &n);
        if (!error) {
            ofp_print_table_stats(s, oh->version, ts, n);
            free(ts);
        }
        break;
    }
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
    case OFPTYPE_TABLE_FEATURES_STATS_REPLY: {
        struct ofputil_table_features *tfs;
        size_t n;

        error = ofputil_decode_table_features(oh, true, &tfs, &n);
        if (!error) {
            ofp_print_table_features(s, tfs, n);
            free(tfs);
        }
        break;
    }
    case OFPTYPE_PORT_STATS_REQUEST: {
        uint32_t port_no;

        error = ofputil_decode_port_stats_request(oh, &port_no);
        if (!error) {
            ds_put_cstr(s, " port_no=");
            ofp_print_port_no(s, port_no);
        }
        break;
    }
    case OFPTYPE_PORT_STATS_REPLY: {
        struct ofputil_port_stats *ps;
        size_t n;

        error = ofputil_decode_port_stats_reply(oh, &ps, &n);
        if (!error) {
            ofp_print_port_stats(s, ps, n);
            free(ps);
        }
        break;
    }
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
        ds_put_cstr(s, " port=ANY");
        break;
    case OFPTYPE_PORT_DESC_STATS_REPLY: {
        struct ofputil_phy_port *ports;
        size_t n;

        error = ofputil_decode_port_desc_reply(oh, &ports, &n);
        if (!error) {
            ds_put_char(s, '\n');
            ofp_print_phy_ports(s, ports, n);
            free(ports);
        }
        break;
    }
    case OFPTYPE_QUEUE_STATS_REQUEST: {
        struct ofputil_queue_stats_request r;

        error = ofputil_decode_queue_stats_request(oh, &r);
        if (!error) {
            ofp_print_queue_stats_request(s, &r);
        }
        break;
    }
    case OFPTYPE_QUEUE_STATS_REPLY: {
        struct ofputil_queue_stats *qs;
        size_t n;

        error = ofputil_decode_queue_stats_reply(oh, &qs, &n);
        if (!error) {
            ofp_print_queue_stats(s, qs, n);
            free(qs);
        }
        break;
    }
    case OFPTYPE_QUEUE_GET_CONFIG_REQUEST: {
        uint32_t port_no;

        error = ofputil_decode_queue_get_config_request(oh, &port_no);
        if (!error) {
            ds_put_cstr(s, " port=");
            ofp_print_port_no(s, port_no);
        }
        break;
    }
    case OFPTYPE_QUEUE_GET_CONFIG_REPLY: {
        struct ofputil_queue_config *qs;
        uint32_t port_no;
        size_t n;

        error = ofputil_decode_queue_get_config_reply(oh, &port_no, &qs,
                                                      &n);
        if (!error) {
            ofp_print_queue_config(s, qs, n);
            free(qs);
        }
        break;
    }
    case OFPTYPE_TABLE_MOD: {
        struct ofputil_table_mod tm;

        error = ofputil_decode_table_mod(oh, &tm);
        if (!error) {
            ofp_print_table_mod(s, &tm);
        }
        break;
    }
    default:
        /* Header-only messages, and messages whose bodies other modules
         * format: the header line is all. */
        break;
    }
    return error;
}

/* A hex and ASCII dump laid out as Open vSwitch's ds_put_hex_dump() lays
 * it out (a '-' after the eighth byte, short lines padded). */
static void
put_hex_dump(struct ds *s, const uint8_t *buf, size_t size)
{
    for (size_t ofs = 0; ofs < size; ofs += 16) {
        size_t n = MIN(16, size - ofs);

        ds_put_format(s, "%08zx  ", ofs);
        for (size_t i = 0; i < 16; i++) {
            if (i < n) {
                ds_put_format(s, "%02x%c", buf[ofs + i], i == 7 ? '-' : ' ');
            } else {
                ds_put_cstr(s, "   ");
            }
        }
        ds_put_char(s, '|');
        for (size_t i = 0; i < 16; i++) {
            int c = i < n ? buf[ofs + i] : ' ';
            ds_put_char(s, c >= 32 && c < 127 ? c : '.');
        }
        ds_put_cstr(s, "|\n");
    }
}

/* For a message cut short, the header line Open vSwitch prints if the
 * bytes at hand say what the message is. */
static void
put_partial_header(struct ds *s, const void *data, size_t len)
{
    struct ofp_header *copy = xmemdup(data, len);
    enum ofptype type;

    copy->length = htons(len);
    if (!ofptype_decode(copy, len, &type)) {
        ofp_print_msg_header(s, copy);
        ds_put_char(s, '\n');
    }
    free(copy);
}

static void
add_newline(struct ds *s)
{
    if (s->length && ds_last(s) != '\n') {
        ds_put_char(s, '\n');
    }
}

char *
ofp_print_to_string(const void *data, size_t len)
{
    const struct ofp_header *oh = data;
    struct ds s = DS_EMPTY_INITIALIZER;
    enum ofptype type;

    if (!len) {
        ds_put_cstr(&s, "OpenFlow message is empty\n");
        return ds_steal_cstr(&s);
    } else if (len < sizeof *oh) {
        ds_put_format(&s, "OpenFlow packet too short (only %zu bytes):\n",
                      len);
    } else if (ntohs(oh->length) > len) {
        put_partial_header(&s, data, len);
        ds_put_format(&s, "(***truncated to %zu bytes from %"PRIu16"***)\n",
                      len, ntohs(oh->length));
    } else if (ntohs(oh->length) < len) {
        ds_put_format(&s, "(***only uses %"PRIu16" bytes out of %zu***)\n",
                      ntohs(oh->length), len);
    } else {
        enum ofperr error = ofptype_decode(data, len, &type);

        if (!error) {
            ofp_print_msg_header(&s, oh);
            size_t header_len = s.length;
            uint16_t flags = ofpmp_flags(oh);

            if (ofptype_is_multipart(type) && flags) {
                ds_put_cstr(&s, " flags=");
                if (flags & OFPMPF_MORE
                    && (oh->version != V10
                        || ofptype_multipart_reply(type) == OFPTYPE_N)) {
                    ds_put_cstr(&s, "[more]");
                    flags &= ~OFPMPF_MORE;
                }
                if (flags) {
                    ds_put_format(&s, "[***unknown flags 0x%04"PRIx16
                                  "***]", flags);
                }
            }
            error = print_body(&s, oh, type);
            if (error) {
                if (s.length > header_len) {
                    ds_chomp(&s, ' ');
                    add_newline(&s);
                } else {
                    ds_put_char(&s, ' ');
                }
            } else {
                ds_chomp(&s, ' ');
            }
        }
        if (error) {
            ds_put_format(&s, "***decode error: %s***\n",
                          ofperr_get_name(error));
            put_hex_dump(&s, data, len);
        }
        add_newline(&s);
        return ds_steal_cstr(&s);
    }
    put_hex_dump(&s, data, len);
    return ds_steal_cstr(&s);
}
