/* ofproto-ofp: a bridge as OpenFlow sees it.  The connection manager
 * (connmgr.h) hands every request it does not answer itself to
 * handle_msg() here, which decodes it (lib/ofp-*.h), acts on the bridge
 * (flow tables, groups, ports) and encodes the reply in the
 * connection's version.  Packets for the controller and removed flows
 * come back the other way through connmgr_send_async(). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dpif.h"
#include "datapath/netdev.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "match.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofp-group.h"
#include "ofp-match.h"
#include "ofp-meter.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "ofp-table.h"
#include "ofproto/connmgr.h"
#include "ofproto/ofproto-private.h"
#include "openflow.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_ofp);

/* Tables reported to controllers (0..253), as Open vSwitch. */
#define N_VISIBLE_TABLES OFPROTO_N_OPENFLOW_TABLES

/* The OpenFlow 1.3 actions Plexus executes, as a bitmap of OFPAT13_*
 * numbers: output (0), copy_ttl_out/in (11, 12), set/dec_mpls_ttl (15,
 * 16), push/pop_vlan (17, 18), push/pop_mpls (19, 20), set_queue (21),
 * group (22), set/dec_nw_ttl (23, 24), set_field (25). */
#define ACTIONS13 ((1u << 0) | (1u << 11) | (1u << 12) | (1u << 15)     \
                   | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19)   \
                   | (1u << 20) | (1u << 21) | (1u << 22) | (1u << 23)   \
                   | (1u << 24) | (1u << 25))
/* Its instructions (OFPIT13_*): goto_table (1), write_metadata (2),
 * write_actions (3), apply_actions (4), clear_actions (5), meter (6). */
#define INSTRUCTION_GOTO_TABLE 1
#define INSTRUCTIONS13 ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4)    \
                        | (1u << 5) | (1u << 6))

/* ------------------------------------------------------------------ */
/* Switch description. */

/* Copies SRC into the SIZE-byte DST, truncating, always NUL-terminated. */
static void
copy_str(char *dst, const char *src, size_t size)
{
    snprintf(dst, size, "%s", src);
}

static uint64_t
datapath_id(const struct ofproto *p)
{
    if (p->datapath_id) {
        return p->datapath_id;
    }
    /* Derived from the name, in the locally administered MAC range as
     * Open vSwitch derives it from the bridge's address. */
    return (0x0000020000000000ULL
            | (hash_string(p->name, 0) & 0xffffffffULL));
}

static void
fill_phy_port(const struct ofport *port, struct ofputil_phy_port *pp)
{
    enum netdev_flags flags = 0;
    bool carrier = true;

    memset(pp, 0, sizeof *pp);
    pp->port_no = port->ofp_port;
    netdev_get_etheraddr(port->netdev, &pp->hw_addr);
    copy_str(pp->name, port->name, sizeof pp->name);
    pp->config = port->config;
    netdev_get_flags(port->netdev, &flags);
    if (!(flags & NETDEV_UP)) {
        pp->config |= OFPPC_PORT_DOWN;
    }
    netdev_get_carrier(port->netdev, &carrier);
    pp->state = carrier ? OFPUTIL_PS_LIVE : OFPUTIL_PS_LINK_DOWN;
    pp->curr = OFPPF_10GB_FD | OFPPF11_COPPER;
    pp->curr_speed = 10000000;
}

static int
port_no_order(const void *a_, const void *b_)
{
    const struct ofputil_phy_port *a = a_, *b = b_;

    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

/* A malloc'd array of every port's description, by port number. */
static struct ofputil_phy_port *
collect_ports(const struct ofproto *p, size_t *np)
{
    struct ofputil_phy_port *ports;
    const struct ofport *port;
    size_t n = 0;

    ports = xcalloc(hmap_count(&p->ports) + 1, sizeof *ports);
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        fill_phy_port(port, &ports[n++]);
    }
    qsort(ports, n, sizeof *ports, port_no_order);
    *np = n;
    return ports;
}

static enum ofperr
handle_features_request(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofp_header *oh)
{
    struct ofputil_switch_features f = {
        .datapath_id = datapath_id(p),
        .n_buffers = 0,
        .n_tables = N_VISIBLE_TABLES,
        .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                         | OFPUTIL_C_PORT_STATS | OFPUTIL_C_GROUP_STATS
                         | OFPUTIL_C_QUEUE_STATS | OFPUTIL_C_ARP_MATCH_IP),
        .ofp10_actions = 0xfff,
    };
    struct ofputil_phy_port *ports;
    size_t n;

    ports = collect_ports(p, &n);
    ofconn_send_reply(ofconn, ofputil_encode_switch_features(&f, oh, ports,
                                                             n));
    free(ports);
    return 0;
}

static enum ofperr
handle_desc_request(struct ofproto *p, struct ofconn *ofconn,
                    const struct ofp_header *oh)
{
    struct ofputil_desc_stats d;

    memset(&d, 0, sizeof d);
    copy_str(d.mfr_desc, "Plexus", sizeof d.mfr_desc);
    copy_str(d.hw_desc, "Plexus userspace switch", sizeof d.hw_desc);
    copy_str(d.sw_desc, PACKAGE_VERSION, sizeof d.sw_desc);
    copy_str(d.serial_num, "None", sizeof d.serial_num);
    copy_str(d.dp_desc, p->name, sizeof d.dp_desc);
    ofconn_send_reply(ofconn, ofputil_encode_desc_stats_reply(&d, oh));
    return 0;
}

static enum ofperr
handle_port_desc_request(struct ofproto *p, struct ofconn *ofconn,
                         const struct ofp_header *oh)
{
    struct ofputil_phy_port *ports;
    struct plx_list replies;
    size_t n;

    ports = collect_ports(p, &n);
    ofputil_encode_port_desc_reply(&replies, oh, ports, n);
    ofconn_send_replies(ofconn, &replies);
    free(ports);
    return 0;
}

static int
port_no_order_stats(const void *a_, const void *b_)
{
    const struct ofputil_port_stats *a = a_, *b = b_;

    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

static enum ofperr
handle_port_stats_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh)
{
    struct ofputil_port_stats *stats;
    const struct ofport *port;
    struct plx_list replies;
    uint32_t port_no;
    enum ofperr error;
    long long int now = time_msec();
    size_t n = 0;

    error = ofputil_decode_port_stats_request(oh, &port_no);
    if (error) {
        return error;
    }
    stats = xcalloc(hmap_count(&p->ports) + 1, sizeof *stats);
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        struct ofputil_port_stats *ps;
        struct netdev_stats ns;

        if (port_no != MF_OFPP_ANY && port_no != port->ofp_port) {
            continue;
        }
        ps = &stats[n++];
        memset(&ns, 0, sizeof ns);
        netdev_get_stats(port->netdev, &ns);
        ps->port_no = port->ofp_port;
        ps->rx_packets = ns.rx_packets;
        ps->tx_packets = ns.tx_packets;
        ps->rx_bytes = ns.rx_bytes;
        ps->tx_bytes = ns.tx_bytes;
        ps->rx_dropped = ns.rx_dropped;
        ps->tx_dropped = ns.tx_dropped;
        ps->rx_errors = ns.rx_errors;
        ps->tx_errors = ns.tx_errors;
        ps->duration_sec = (now - port->created) / 1000;
        ps->duration_nsec = (now - port->created) % 1000 * 1000000;
    }
    qsort(stats, n, sizeof *stats, port_no_order_stats);
    ofputil_encode_port_stats_reply(&replies, oh, stats, n);
    ofconn_send_replies(ofconn, &replies);
    free(stats);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Tables. */

static enum ofperr
handle_table_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh)
{
    struct ofputil_table_stats *stats;
    struct plx_list replies;

    stats = xcalloc(N_VISIBLE_TABLES, sizeof *stats);
    for (size_t i = 0; i < N_VISIBLE_TABLES; i++) {
        struct ofputil_table_stats *ts = &stats[i];

        ts->table_id = i;
        if (i) {
            snprintf(ts->name, sizeof ts->name, "table%zu", i);
        } else {
            snprintf(ts->name, sizeof ts->name, "classifier");
        }
        ts->wildcards = OFPFW10_ALL;
        ts->max_entries = 1000000;
        ts->active_count = classifier_count(&p->tables[i]);
        ts->lookup_count = p->oftables[i].lookup_count;
        ts->matched_count = p->oftables[i].matched_count;
    }
    /* Hidden rules are not OpenFlow's to count. */
    if (p->fail_open_rule) {
        stats[0].active_count--;
    }
    ofputil_encode_table_stats_reply(&replies, oh, stats, N_VISIBLE_TABLES);
    ofconn_send_replies(ofconn, &replies);
    free(stats);
    return 0;
}

static void
fill_table_features(uint8_t table_id, struct ofputil_table_features *tf)
{
    struct ofputil_table_instruction_features *inf = &tf->nonmiss;

    memset(tf, 0, sizeof *tf);
    tf->table_id = table_id;
    if (table_id) {
        snprintf(tf->name, sizeof tf->name, "table%"PRIu8, table_id);
    } else {
        snprintf(tf->name, sizeof tf->name, "classifier");
    }
    tf->metadata_match = UINT64_MAX;
    tf->metadata_write = UINT64_MAX;
    tf->max_entries = 1000000;
    inf->instructions = INSTRUCTIONS13;
    if (table_id == N_VISIBLE_TABLES - 1) {
        inf->instructions &= ~(1u << INSTRUCTION_GOTO_TABLE);
    }
    for (size_t t = table_id + 1; t < N_VISIBLE_TABLES; t++) {
        bitmap_set1(inf->next, t);
    }
    inf->write_actions = inf->apply_actions = ACTIONS13;
    for (size_t id = 0; id < MFF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id(id);

        if (!ofputil_table_features_can_name(id)) {
            continue;
        }
        ofputil_field_set_add(&tf->match, id);
        ofputil_field_set_add(&tf->wildcard, id);
        if (mf->maskable != MFM_NONE) {
            ofputil_field_set_add(&tf->mask, id);
        }
        if (mf->writable && xlate_field_is_settable(id)) {
            ofputil_field_set_add(&inf->write_setfield, id);
            ofputil_field_set_add(&inf->apply_setfield, id);
        }
    }
    tf->miss = tf->nonmiss;
}

static enum ofperr
handle_table_features_request(struct ofconn *ofconn,
                              const struct ofp_header *oh)
{
    struct ofputil_table_features *tfs;
    struct plx_list replies;

    if (ofputil_table_features_request_is_set(oh)) {
        /* Changing table features is not supported, as in Open vSwitch
         * before 2.x's "table features set" support. */
        return OFPERR_OFPTFFC_EPERM;
    }
    tfs = xcalloc(N_VISIBLE_TABLES, sizeof *tfs);
    for (size_t i = 0; i < N_VISIBLE_TABLES; i++) {
        fill_table_features(i, &tfs[i]);
    }
    ofputil_encode_table_features_reply(&replies, oh, tfs, N_VISIBLE_TABLES);
    ofconn_send_replies(ofconn, &replies);
    free(tfs);
    return 0;
}

static enum ofperr
handle_table_mod(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_table_mod tm;
    enum ofperr error;

    error = ofputil_decode_table_mod(oh, &tm);
    if (!error) {
        error = ofputil_check_table_mod(&tm, N_VISIBLE_TABLES);
    }
    if (error) {
        return error;
    }
    for (size_t i = 0; i < N_VISIBLE_TABLES; i++) {
        if (tm.table_id == OFPTT_ALL || tm.table_id == i) {
            p->oftables[i].config = tm.config;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Flows. */

static enum ofperr
handle_flow_mod(struct ofproto *p, struct ofconn *ofconn,
                const struct ofp_header *oh)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    enum ofperr error;

    error = ofputil_decode_flow_mod(oh, &fm, &ofpacts);
    if (!error) {
        if (fm.table_id != OFPTT_ALL && fm.table_id >= N_VISIBLE_TABLES) {
            error = OFPERR_OFPBRC_BAD_TABLE_ID;
        } else {
            error = ofproto_flow_mod(p, &fm, ofconn_get_version(ofconn));
        }
    }
    ofpa_buf_uninit(&ofpacts);
    return error;
}

static void
rule_to_flow_stats(const struct rule *rule, long long int now,
                   struct ofputil_flow_stats *fs)
{
    long long int age = now - rule->created;

    memset(fs, 0, sizeof *fs);
    minimatch_expand(&rule->cr.match, &fs->match);
    fs->priority = rule->cr.priority;
    fs->table_id = rule->table_id;
    fs->cookie = rule->cookie;
    fs->duration_sec = age / 1000;
    fs->duration_nsec = age % 1000 * 1000000;
    fs->idle_timeout = rule->idle_timeout;
    fs->hard_timeout = rule->hard_timeout;
    fs->flags = rule->flags;
    fs->packet_count = (rule->flags & OFPUTIL_FF_NO_PKT_COUNTS
                        ? UINT64_MAX : rule->n_packets);
    fs->byte_count = (rule->flags & OFPUTIL_FF_NO_BYT_COUNTS
                      ? UINT64_MAX : rule->n_bytes);
    fs->ofpacts = rule->actions->ofpacts;
    fs->ofpacts_len = rule->actions->ofpacts_len;
}

struct flow_stats_aux {
    struct plx_list *replies;
    struct ofputil_aggregate_stats agg;
    long long int now;
};

static void
append_flow_stats_cb(const struct rule *rule, void *aux_)
{
    struct flow_stats_aux *aux = aux_;
    struct ofputil_flow_stats fs;

    rule_to_flow_stats(rule, aux->now, &fs);
    if (ofputil_append_flow_stats_reply(&fs, aux->replies)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "flow in table %"PRIu8" has actions this "
                     "version cannot express: left out of the reply",
                     rule->table_id);
    }
}

static void
aggregate_cb(const struct rule *rule, void *aux_)
{
    struct flow_stats_aux *aux = aux_;

    aux->agg.flow_count++;
    if (!(rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
        aux->agg.packet_count += rule->n_packets;
    }
    if (!(rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
        aux->agg.byte_count += rule->n_bytes;
    }
}

static enum ofperr
handle_flow_stats_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh, bool aggregate)
{
    struct ofputil_flow_stats_request req;
    struct flow_stats_aux aux;
    struct plx_list replies;
    enum ofperr error;

    error = ofputil_decode_flow_stats_request(oh, &req);
    if (error) {
        return error;
    }
    if (req.table_id != OFPTT_ALL && req.table_id >= N_VISIBLE_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    memset(&aux, 0, sizeof aux);
    aux.now = time_msec();
    if (aggregate) {
        ofproto_collect_flows(p, &req, aggregate_cb, &aux);
        ofconn_send_reply(ofconn,
                          ofputil_encode_aggregate_stats_reply(&aux.agg, oh));
    } else {
        ofpmp_init(&replies, OFPTYPE_FLOW_STATS_REPLY, oh);
        aux.replies = &replies;
        ofproto_collect_flows(p, &req, append_flow_stats_cb, &aux);
        ofconn_send_replies(ofconn, &replies);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Packet-out. */

/* Runs OFPACTS on a copy of PACKET as a packet-out from IN_PORT. */
static enum ofperr
packet_out__(struct ofproto *p, const void *data, size_t len,
             ofp_port_t in_port, void *ofpacts, size_t ofpacts_len,
             int version)
{
    struct odp_buf odp = ODP_BUF_INITIALIZER;
    struct flow_wildcards wc;
    struct dp_packet *packet;
    struct xlate_out xout;
    struct match match;
    struct flow flow;
    enum ofperr error;

    packet = dp_packet_clone_data(data, len);
    flow_extract(packet, &flow);
    flow.in_port = in_port;
    match_init_exact(&match, &flow);
    error = ofpacts_check(ofpacts, ofpacts_len, &match, OFPROTO_MAX_PORTS,
                          0, OFPROTO_N_OPENFLOW_TABLES, version);
    if (!error) {
        error = ofproto_check_action_refs(p, ofpacts, ofpacts_len);
    }
    if (error) {
        dp_packet_delete(packet);
        return error;
    }

    flow_wildcards_init_catchall(&wc);
    pthread_rwlock_rdlock(&p->backer->rwlock);
    xlate_actions(&(struct xlate_in) {
                      .bridge = p->xbridge,
                      .flow = &flow,
                      .may_learn = true,
                      .now = time_msec(),
                      .ofpacts = ofpacts ? ofpacts : "",
                      .ofpacts_len = ofpacts_len,
                  }, &odp, &wc, &xout);
    pthread_rwlock_unlock(&p->backer->rwlock);

    {
        const struct ofport *in = ofproto_find_port(p, in_port);

        packet->md.in_port = in ? in->odp_port : ODPP_NONE;
    }
    if (dpif_execute(p->backer->dpif, packet, odp.data, odp.size)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: packet-out: datapath refused the actions",
                     p->name);
    }
    odp_buf_uninit(&odp);
    return 0;
}

enum ofperr
ofproto_packet_out(struct ofproto *p, const void *data, size_t len,
                   ofp_port_t in_port, void *ofpacts,
                   size_t ofpacts_len)
{
    return packet_out__(p, data, len, in_port, ofpacts, ofpacts_len,
                        OFP13_VERSION);
}

static enum ofperr
handle_packet_out(struct ofproto *p, struct ofconn *ofconn,
                  const struct ofp_header *oh)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    enum ofperr error;

    error = ofputil_decode_packet_out(oh, &po, &ofpacts);
    if (!error && po.buffer_id != OFP_NO_BUFFER) {
        error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }
    if (!error) {
        error = packet_out__(p, po.packet, po.packet_len, po.in_port,
                             ofpacts.data, ofpacts.size,
                             ofconn_get_version(ofconn));
    }
    ofpa_buf_uninit(&ofpacts);
    return error;
}

/* ------------------------------------------------------------------ */
/* Ports. */

static enum ofperr
handle_port_mod(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_port_mod pm;
    struct ofport *port;
    struct eth_addr mac;
    enum ofperr error;
    uint32_t config;

    error = ofputil_decode_port_mod(oh, &pm);
    if (error) {
        return error;
    }
    port = ofproto_find_port(p, pm.port_no);
    if (!port) {
        return OFPERR_OFPPMFC_BAD_PORT;
    }
    if (!netdev_get_etheraddr(port->netdev, &mac)
        && !eth_addr_equals(mac, pm.hw_addr)) {
        return OFPERR_OFPPMFC_BAD_HW_ADDR;
    }
    config = (port->config & ~pm.mask) | (pm.config & pm.mask);
    if (pm.mask & OFPPC_PORT_DOWN) {
        enum netdev_flags old;

        netdev_update_flags(port->netdev,
                            config & OFPPC_PORT_DOWN ? NETDEV_UP : 0,
                            config & OFPPC_PORT_DOWN ? 0 : NETDEV_UP, &old);
    }
    if (config != port->config) {
        port->config = config;
        ofproto_publish(p);
    }
    ofproto_send_port_status(p, port, OFPPR_MODIFY);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Groups. */

static void
group_features(struct ofputil_group_features *gf)
{
    memset(gf, 0, sizeof *gf);
    gf->types = ((1u << OFPGT11_ALL) | (1u << OFPGT11_SELECT)
                 | (1u << OFPGT11_INDIRECT) | (1u << OFPGT11_FF));
    gf->capabilities = (OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS
                        | OFPGFC_CHAINING);
    for (size_t i = 0; i < OFPGT11_N_TYPES; i++) {
        gf->max_groups[i] = OFPG_MAX;
        gf->actions[i] = ACTIONS13;
    }
}

static enum ofperr
handle_group_mod(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_group_features gf;
    struct ofputil_group_mod gm;
    struct ofproto_bucket *buckets = NULL;
    enum ofperr error;

    error = ofputil_decode_group_mod(oh, &gm);
    if (error) {
        return error;
    }
    group_features(&gf);
    error = ofputil_group_mod_check(&gm, &gf);
    if (error) {
        goto out;
    }
    buckets = xcalloc(gm.n_buckets + 1, sizeof *buckets);
    for (size_t i = 0; i < gm.n_buckets; i++) {
        const struct ofputil_bucket *b = &gm.buckets[i];

        buckets[i] = (struct ofproto_bucket) {
            .weight = gm.type == OFPGT11_SELECT ? b->weight : 0,
            .watch_port = b->watch_port,
            .watch_group = b->watch_group,
            .ofpacts = b->ofpacts,
            .ofpacts_len = b->ofpacts_len,
        };
    }
    switch (gm.command) {
    case OFPGC11_ADD:
        error = ofproto_group_add(p, gm.group_id, gm.type, buckets,
                                  gm.n_buckets);
        break;
    case OFPGC11_MODIFY:
        error = ofproto_group_modify(p, gm.group_id, gm.type, buckets,
                                     gm.n_buckets);
        break;
    case OFPGC11_ADD_OR_MOD:
        error = (ofproto_group_exists(p, gm.group_id)
                 ? ofproto_group_modify(p, gm.group_id, gm.type, buckets,
                                        gm.n_buckets)
                 : ofproto_group_add(p, gm.group_id, gm.type, buckets,
                                     gm.n_buckets));
        break;
    case OFPGC11_DELETE:
        ofproto_group_delete(p, gm.group_id);
        break;
    default:
        error = OFPERR_OFPGMFC_BAD_COMMAND;
        break;
    }
out:
    free(buckets);
    ofputil_group_mod_uninit(&gm);
    return error;
}

struct group_collect {
    uint32_t group_id;              /* OFPG_ALL: all. */
    const struct ofproto *p;
    struct ofputil_group_stats *stats;
    struct ofputil_group_desc *descs;
    size_t n;
    long long int now;
};

static void
collect_group_cb(const struct ofproto_group_info *g, void *aux_)
{
    struct group_collect *c = aux_;

    if (c->group_id != OFPG_ALL && c->group_id != g->group_id) {
        return;
    }
    if (c->stats) {
        struct ofputil_group_stats *gs = &c->stats[c->n++];
        long long int age = c->now - g->created;

        memset(gs, 0, sizeof *gs);
        gs->group_id = g->group_id;
        gs->ref_count = ofproto_group_ref_count(c->p, g->group_id);
        gs->packet_count = g->n_packets;
        gs->byte_count = g->n_bytes;
        gs->duration_sec = age / 1000;
        gs->duration_nsec = age % 1000 * 1000000;
        gs->n_buckets = g->n_buckets;
        gs->bucket_stats = xcalloc(g->n_buckets + 1,
                                   sizeof *gs->bucket_stats);
        for (size_t i = 0; i < g->n_buckets; i++) {
            gs->bucket_stats[i].packet_count = g->bucket_packets[i];
            gs->bucket_stats[i].byte_count = g->bucket_bytes[i];
        }
    } else {
        struct ofputil_group_desc *gd = &c->descs[c->n++];

        memset(gd, 0, sizeof *gd);
        gd->type = g->type;
        gd->group_id = g->group_id;
        gd->n_buckets = g->n_buckets;
        gd->buckets = xcalloc(g->n_buckets + 1, sizeof *gd->buckets);
        for (size_t i = 0; i < g->n_buckets; i++) {
            const struct xlate_bucket *xb = &g->buckets[i];
            struct ofputil_bucket *b = &gd->buckets[i];

            b->bucket_id = i;
            b->weight = xb->weight;
            b->watch_port = xb->watch_port;
            b->watch_group = xb->watch_group;
            b->ofpacts_len = xb->actions->ofpacts_len;
            /* At least one byte, so that an empty list is not NULL. */
            b->ofpacts = xmalloc(b->ofpacts_len + 1);
            memcpy(b->ofpacts, xb->actions->ofpacts, b->ofpacts_len);
        }
    }
}

static int
group_stats_order(const void *a_, const void *b_)
{
    const struct ofputil_group_stats *a = a_, *b = b_;

    return a->group_id < b->group_id ? -1 : a->group_id > b->group_id;
}

static int
group_desc_order(const void *a_, const void *b_)
{
    const struct ofputil_group_desc *a = a_, *b = b_;

    return a->group_id < b->group_id ? -1 : a->group_id > b->group_id;
}

static enum ofperr
handle_group_request(struct ofproto *p, struct ofconn *ofconn,
                     const struct ofp_header *oh, enum ofptype type)
{
    struct group_collect c;
    struct plx_list replies;
    size_t n = hmap_count(&p->groups);

    memset(&c, 0, sizeof c);
    c.p = p;
    c.now = time_msec();
    c.group_id = OFPG_ALL;
    if (type == OFPTYPE_GROUP_STATS_REQUEST) {
        enum ofperr error = ofputil_decode_group_stats_request(oh,
                                                               &c.group_id);
        if (error) {
            return error;
        }
        ofproto_revalidator_run_now(p->backer);
        c.stats = xcalloc(n + 1, sizeof *c.stats);
        ofproto_group_for_each(p, collect_group_cb, &c);
        qsort(c.stats, c.n, sizeof *c.stats, group_stats_order);
        ofputil_encode_group_stats_reply(&replies, oh, c.stats, c.n);
        ofputil_group_stats_free(c.stats, c.n);
    } else if (type == OFPTYPE_GROUP_DESC_STATS_REQUEST) {
        c.descs = xcalloc(n + 1, sizeof *c.descs);
        ofproto_group_for_each(p, collect_group_cb, &c);
        qsort(c.descs, c.n, sizeof *c.descs, group_desc_order);
        ofputil_encode_group_desc_reply(&replies, oh, c.descs, c.n);
        ofputil_group_desc_free(c.descs, c.n);
    } else {
        struct ofputil_group_features gf;

        group_features(&gf);
        ofconn_send_reply(ofconn,
                          ofputil_encode_group_features_reply(&gf, oh));
        return 0;
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Meters. */

static enum ofperr
handle_meter_mod(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_meter_mod mm;
    enum ofperr error;

    error = ofputil_decode_meter_mod(oh, &mm);
    if (!error) {
        error = ofproto_meter_mod(p, &mm);
        ofputil_meter_mod_uninit(&mm);
    }
    return error;
}

static enum ofperr
handle_meter_request(struct ofproto *p, struct ofconn *ofconn,
                     const struct ofp_header *oh, enum ofptype type)
{
    struct plx_list replies;
    uint32_t meter_id;
    enum ofperr error;
    size_t n;

    if (type == OFPTYPE_METER_FEATURES_STATS_REQUEST) {
        struct ofputil_meter_features mf;

        ofproto_meter_features(p, &mf);
        ofconn_send_reply(ofconn,
                          ofputil_encode_meter_features_reply(&mf, oh));
        return 0;
    }
    error = ofputil_decode_meter_request(oh, &meter_id);
    if (error) {
        return error;
    }
    if (type == OFPTYPE_METER_STATS_REQUEST) {
        struct ofputil_meter_stats *stats;

        ofproto_meter_stats(p, meter_id, &stats, &n);
        ofputil_encode_meter_stats_reply(&replies, oh, stats, n);
        ofputil_meter_stats_free(stats, n);
    } else {
        struct ofputil_meter_config *configs;

        ofproto_meter_configs(p, meter_id, &configs, &n);
        ofputil_encode_meter_config_reply(&replies, oh, configs, n);
        ofputil_meter_config_free(configs, n);
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Queues: Plexus configures no QoS queues, so every port has none. */

static enum ofperr
handle_queue_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh)
{
    struct ofputil_queue_stats_request req;
    struct plx_list replies;
    enum ofperr error;

    error = ofputil_decode_queue_stats_request(oh, &req);
    if (error) {
        return error;
    }
    if (req.port_no != MF_OFPP_ANY && !ofproto_find_port(p, req.port_no)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    if (req.queue_id != OFPUTIL_QUEUE_ALL) {
        return OFPERR_OFPQOFC_BAD_QUEUE;
    }
    ofputil_encode_queue_stats_reply(&replies, oh, NULL, 0);
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static enum ofperr
handle_queue_get_config_request(struct ofproto *p, struct ofconn *ofconn,
                                const struct ofp_header *oh)
{
    uint32_t port_no;
    enum ofperr error;

    error = ofputil_decode_queue_get_config_request(oh, &port_no);
    if (error) {
        return error;
    }
    if (port_no != MF_OFPP_ANY && !ofproto_find_port(p, port_no)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    ofconn_send_reply(ofconn, ofputil_encode_queue_get_config_reply(
                          oh, port_no, NULL, 0));
    return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch. */

static enum ofperr
handle_msg(void *p_, struct ofconn *ofconn, const struct ofp_header *oh,
           enum ofptype type)
{
    struct ofproto *p = p_;

    switch (type) {
    case OFPTYPE_FEATURES_REQUEST:
        return handle_features_request(p, ofconn, oh);
    case OFPTYPE_DESC_STATS_REQUEST:
        return handle_desc_request(p, ofconn, oh);
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
        return handle_port_desc_request(p, ofconn, oh);
    case OFPTYPE_PORT_STATS_REQUEST:
        return handle_port_stats_request(p, ofconn, oh);
    case OFPTYPE_PORT_MOD:
        return handle_port_mod(p, oh);
    case OFPTYPE_TABLE_STATS_REQUEST:
        return handle_table_stats_request(p, ofconn, oh);
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
        return handle_table_features_request(ofconn, oh);
    case OFPTYPE_TABLE_MOD:
        return handle_table_mod(p, oh);
    case OFPTYPE_FLOW_MOD:
        return handle_flow_mod(p, ofconn, oh);
    case OFPTYPE_FLOW_STATS_REQUEST:
        return handle_flow_stats_request(p, ofconn, oh, false);
    case OFPTYPE_AGGREGATE_STATS_REQUEST:
        return handle_flow_stats_request(p, ofconn, oh, true);
    case OFPTYPE_PACKET_OUT:
        return handle_packet_out(p, ofconn, oh);
    case OFPTYPE_GROUP_MOD:
        return handle_group_mod(p, oh);
    case OFPTYPE_GROUP_STATS_REQUEST:
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
    case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
        return handle_group_request(p, ofconn, oh, type);
    case OFPTYPE_METER_MOD:
        return handle_meter_mod(p, oh);
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
    case OFPTYPE_METER_FEATURES_STATS_REQUEST:
        return handle_meter_request(p, ofconn, oh, type);
    case OFPTYPE_QUEUE_STATS_REQUEST:
        return handle_queue_stats_request(p, ofconn, oh);
    case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
        return handle_queue_get_config_request(p, ofconn, oh);
    default:
        return OFPERR_OFPBRC_BAD_TYPE;
    }
}

/* ------------------------------------------------------------------ */
/* Asynchronous messages. */

/* Whether a miss should reach OpenFlow 1.0 controllers, which expect
 * every table miss as a PACKET_IN; 1.3 ones only get them from
 * table-miss rules. */
static void
update_miss_to_controller(struct ofproto *p)
{
    bool want = p->n_ofp10_controllers > 0;

    if (want != p->miss_to_controller) {
        p->miss_to_controller = want;
        ofproto_publish(p);
    }
}

static void
ofconn_connected(void *p_, struct ofconn *ofconn)
{
    struct ofproto *p = p_;

    if (ofconn_is_controller(ofconn)
        && ofconn_get_version(ofconn) < OFP13_VERSION) {
        p->n_ofp10_controllers++;
        update_miss_to_controller(p);
    }
}

static void
ofconn_disconnected(void *p_, struct ofconn *ofconn)
{
    struct ofproto *p = p_;

    if (ofconn_is_controller(ofconn)
        && ofconn_get_version(ofconn) < OFP13_VERSION
        && p->n_ofp10_controllers) {
        p->n_ofp10_controllers--;
        update_miss_to_controller(p);
    }
}

static const struct connmgr_handler handler = {
    .handle_msg = handle_msg,
    .connected = ofconn_connected,
    .disconnected = ofconn_disconnected,
};

struct pin_aux {
    const struct ofproto_pin *pin;
};

static struct ofpmsg *
build_packet_in(void *aux_, uint8_t version, uint16_t miss_send_len)
{
    const struct ofproto_pin *pin = ((struct pin_aux *) aux_)->pin;
    const struct xlate_pin_cookie *c = &pin->cookie;
    struct ofputil_packet_in pi;
    size_t max_len;

    memset(&pi, 0, sizeof pi);
    switch (c->reason) {
    case XLATE_PIN_IMPLICIT_MISS:
        if (version >= OFP13_VERSION) {
            return NULL;
        }
        pi.reason = OFPR_NO_MATCH;
        max_len = miss_send_len;
        break;
    case XLATE_PIN_EXPLICIT_MISS:
        pi.reason = version >= OFP13_VERSION ? OFPR_NO_MATCH : OFPR_ACTION;
        max_len = c->max_len;
        break;
    case XLATE_PIN_INVALID_TTL:
        pi.reason = OFPR_INVALID_TTL;
        max_len = miss_send_len;
        break;
    case XLATE_PIN_ACTION:
    default:
        pi.reason = OFPR_ACTION;
        max_len = c->max_len;
        break;
    }
    if (max_len == OFPCML_NO_BUFFER) {
        max_len = SIZE_MAX;
    }
    pi.packet = pin->packet;
    pi.total_len = pin->len;
    pi.packet_len = MIN(pin->len, max_len);
    pi.buffer_id = OFP_NO_BUFFER;
    pi.table_id = c->table_id;
    pi.cookie = c->cookie;
    match_init_catchall(&pi.flow_metadata);
    match_set_in_port(&pi.flow_metadata, c->in_port);
    if (c->metadata) {
        match_set_metadata_masked(&pi.flow_metadata, c->metadata,
                                  (plx_be64) UINT64_MAX);
    }
    if (pin->tunnel.tun_id) {
        match_set_tun_id_masked(&pi.flow_metadata, pin->tunnel.tun_id,
                                (plx_be64) UINT64_MAX);
    }
    return ofputil_encode_packet_in(&pi, version);
}

static void
send_packet_in(struct ofproto *p, const struct ofproto_pin *pin)
{
    struct pin_aux aux = { .pin = pin };
    unsigned int reason;

    switch (pin->cookie.reason) {
    case XLATE_PIN_IMPLICIT_MISS:
    case XLATE_PIN_EXPLICIT_MISS:
        reason = OFPR_NO_MATCH;
        break;
    case XLATE_PIN_INVALID_TTL:
        reason = OFPR_INVALID_TTL;
        break;
    default:
        reason = OFPR_ACTION;
        break;
    }
    connmgr_send_async(p->connmgr, OFPTYPE_PACKET_IN, reason,
                       build_packet_in, &aux);
}

struct flow_removed_aux {
    struct ofputil_flow_removed fr;
};

static struct ofpmsg *
build_flow_removed(void *aux_, uint8_t version,
                   uint16_t miss_send_len PLX_UNUSED)
{
    struct flow_removed_aux *aux = aux_;

    return ofputil_encode_flow_removed(&aux->fr, version);
}

static void
send_flow_removed(struct ofproto *p, const struct rule *rule, uint8_t reason)
{
    struct flow_removed_aux aux;
    long long int age = time_msec() - rule->created;

    memset(&aux, 0, sizeof aux);
    minimatch_expand(&rule->cr.match, &aux.fr.match);
    aux.fr.priority = rule->cr.priority;
    aux.fr.cookie = rule->cookie;
    aux.fr.reason = reason;
    aux.fr.table_id = rule->table_id;
    aux.fr.duration_sec = age / 1000;
    aux.fr.duration_nsec = age % 1000 * 1000000;
    aux.fr.idle_timeout = rule->idle_timeout;
    aux.fr.hard_timeout = rule->hard_timeout;
    aux.fr.packet_count = rule->n_packets;
    aux.fr.byte_count = rule->n_bytes;
    connmgr_send_async(p->connmgr, OFPTYPE_FLOW_REMOVED, reason,
                       build_flow_removed, &aux);
}

struct port_status_aux {
    struct ofputil_port_status ps;
};

static struct ofpmsg *
build_port_status(void *aux_, uint8_t version,
                  uint16_t miss_send_len PLX_UNUSED)
{
    struct port_status_aux *aux = aux_;

    return ofputil_encode_port_status(&aux->ps, version);
}

void
ofproto_send_port_status(struct ofproto *p, const struct ofport *port,
                         uint8_t reason)
{
    struct port_status_aux aux;

    if (!p->connmgr) {
        return;
    }
    aux.ps.reason = reason;
    fill_phy_port(port, &aux.ps.desc);
    connmgr_send_async(p->connmgr, OFPTYPE_PORT_STATUS, reason,
                       build_port_status, &aux);
}

/* ------------------------------------------------------------------ */
/* Life cycle. */

void
ofproto_ofp_init(struct ofproto *p)
{
    p->connmgr = connmgr_create(p->name, &handler, p);
    p->packet_in = send_packet_in;
    p->flow_removed = send_flow_removed;
}

void
ofproto_ofp_destroy(struct ofproto *p)
{
    connmgr_destroy(p->connmgr);
    p->connmgr = NULL;
    p->packet_in = NULL;
    p->flow_removed = NULL;
}

void
ofproto_ofp_run(struct ofproto *p)
{
    connmgr_run(p->connmgr);
    ofproto_set_fail_open(p, connmgr_fail_open_active(p->connmgr,
                                                      p->fail_mode));
}

void
ofproto_ofp_wait(struct ofproto *p)
{
    connmgr_wait(p->connmgr);
}

int
ofproto_set_controllers(struct ofproto *p,
                        const struct connmgr_controller *controllers,
                        size_t n)
{
    bool had = p->has_controllers;
    int error;

    error = connmgr_set_controllers(p->connmgr, controllers, n);
    p->has_controllers = connmgr_has_controllers(p->connmgr);
    if (had != p->has_controllers) {
        /* As Open vSwitch: gaining or losing every controller flushes
         * the tables (and a standalone bridge without controllers gets
         * its NORMAL rule back). */
        ofproto_flush_flows(p);
        ofproto_tables_sync(p);
    }
    return error;
}

int
ofproto_set_mgmt_socket(struct ofproto *p, const char *path)
{
    return connmgr_set_mgmt_socket(p->connmgr, path);
}

void
ofproto_set_datapath_id(struct ofproto *p, uint64_t dpid)
{
    p->datapath_id = dpid;
}

uint64_t
ofproto_get_datapath_id(const struct ofproto *p)
{
    return datapath_id(p);
}

struct connmgr *
ofproto_get_connmgr(const struct ofproto *p)
{
    return p->connmgr;
}
