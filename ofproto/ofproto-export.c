/* ofproto-export: a bridge's NetFlow, sFlow and IPFIX exporters.
 *
 * The exporters themselves (netflow.c, sflow.c, ipfix.c) are
 * single-threaded libraries; this file connects them to the bridge:
 *
 *   - Sampling happens in the datapath.  Translation (xlate.c) puts a
 *     sample action with a userspace action before the bridge's own
 *     actions for sFlow and the bridge IPFIX exporter, and one where an
 *     OpenFlow sample action is.  A sampled packet comes back as an
 *     upcall in the PMD thread, which copies what the exporter needs (the
 *     first OFPROTO_SAMPLE_BYTES for sFlow, the packet's flow for IPFIX)
 *     into a bounded queue (OFPROTO_MAX_SAMPLES; beyond that samples are
 *     dropped and counted) and returns at once.
 *   - The main thread drains the queue in ofproto_export_run(), every
 *     OFPROTO_SAMPLE_DRAIN_MS or when it fills up to OFPROTO_SAMPLE_WAKE,
 *     and hands each sample to sFlow or IPFIX.
 *   - NetFlow is not sampled: while it is on, translation matches every
 *     megaflow on the NetFlow key, and the revalidator hands each
 *     megaflow's new packets and bytes to netflow.c, and its removal.
 *
 * So a slow or dead collector costs the datapath nothing: the main thread
 * sends without blocking (lib/collectors.h) and the queue only drops. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/netdev.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "openflow.h"
#include "ofproto/ipfix.h"
#include "ofproto/netflow.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/sflow.h"
#include "packets.h"
#include "poll-loop.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_export);

/* A sampled packet on its way from a PMD thread to the main thread. */
struct ofproto_sample {
    struct plx_list node;           /* In ofproto 'samples'. */
    struct xlate_sample_cookie cookie;
    struct flow flow;               /* IPFIX: the packet's flow. */
    uint32_t frame_len;             /* The whole packet's length. */
    uint32_t len;                   /* sFlow: bytes in 'data'. */
    uint8_t data[];                 /* sFlow: the packet's first bytes. */
};

void
ofproto_export_init(struct ofproto *p)
{
    pthread_mutex_init(&p->sample_mutex, NULL);
    plx_list_init(&p->samples);
    latch_init(&p->samples_ready);
}

void
ofproto_export_destroy(struct ofproto *p)
{
    struct ofproto_sample *s;

    LIST_FOR_EACH_POP (s, node, &p->samples) {
        free(s);
    }
    pthread_mutex_destroy(&p->sample_mutex);
    latch_destroy(&p->samples_ready);
    if (p->netflow) {
        netflow_flush(p->netflow, time_msec());
    }
    netflow_destroy(p->netflow);
    sflow_destroy(p->sflow);
    free(p->sflow_ports);
    ipfix_destroy(p->ipfix);
    p->netflow = NULL;
    p->sflow = NULL;
    p->ipfix = NULL;
}

bool
ofproto_export_is_sample(const struct dpif_upcall *upcall)
{
    const struct xlate_sample_cookie *c = upcall->userdata;

    return (upcall->userdata_len == sizeof *c
            && (c->magic == XLATE_SFLOW_MAGIC
                || c->magic == XLATE_IPFIX_MAGIC
                || c->magic == XLATE_FSAMPLE_MAGIC));
}

/* Counts a sample that found the queue full. */
static void
count_drop(struct ofproto *p, const struct xlate_sample_cookie *c)
{
    p->n_samples_dropped++;
    if (c->magic == XLATE_SFLOW_MAGIC) {
        p->n_sflow_dropped++;
    }
}

/* In a PMD thread, under the backer's read lock (which guards
 * 'p->xbridge'). */
void
ofproto_export_queue_sample(struct ofproto *p,
                            const struct dpif_upcall *upcall)
{
    const struct xlate_sample_cookie *c = upcall->userdata;
    bool sflow = c->magic == XLATE_SFLOW_MAGIC;
    size_t frame_len = dp_packet_size(upcall->packet);
    size_t len = sflow ? MIN(frame_len, OFPROTO_SAMPLE_BYTES) : 0;
    struct ofproto_sample *s;

    /* A sample for an exporter that is gone (a translation made before
     * the change), or an OpenFlow sample action without IPFIX. */
    if (sflow ? !p->xbridge->sflow_rate : !p->xbridge->ipfix) {
        return;
    }
    /* Full: drop before copying (a hint; the check below decides). */
    if (__atomic_load_n(&p->n_samples, __ATOMIC_RELAXED)
        >= OFPROTO_MAX_SAMPLES) {
        pthread_mutex_lock(&p->sample_mutex);
        count_drop(p, c);
        pthread_mutex_unlock(&p->sample_mutex);
        return;
    }

    s = xmalloc(sizeof *s + len);
    memcpy(&s->cookie, c, sizeof s->cookie);
    s->frame_len = frame_len;
    s->len = len;
    if (sflow) {
        memcpy(s->data, dp_packet_data(upcall->packet), len);
    } else {
        /* IPFIX needs the whole packet's flow: a truncated copy would
         * lose its L3 and L4 fields (see flow_extract()).  Extraction
         * only annotates the packet wrapper, not the data. */
        struct dp_packet packet;

        dp_packet_use_const(&packet, dp_packet_data(upcall->packet),
                            frame_len);
        flow_extract(&packet, &s->flow);
        dp_packet_uninit(&packet);
        s->flow.in_port = c->in_port;
        s->flow.tunnel = upcall->flow->tunnel;
    }

    pthread_mutex_lock(&p->sample_mutex);
    bool full = p->n_samples >= OFPROTO_MAX_SAMPLES;
    size_t n = p->n_samples;
    if (full) {
        count_drop(p, c);
    } else {
        plx_list_push_back(&p->samples, &s->node);
        __atomic_store_n(&p->n_samples, ++n, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&p->sample_mutex);
    if (full) {
        free(s);
    } else if (n == OFPROTO_SAMPLE_WAKE) {
        /* The main thread drains the queue every OFPROTO_SAMPLE_DRAIN_MS
         * anyway; waking it for every sample would cost a system call
         * per sample here and a wake-up per sample there. */
        latch_set(&p->samples_ready);
    }
}

/* The sFlow data source index of OpenFlow port OFP_PORT: the kernel's
 * ifindex where the port has one, else the OpenFlow port number. */
static uint32_t
port_sflow_ifindex(const struct ofproto *p, uint32_t ofp_port)
{
    const struct ofport *port = ofproto_find_port(p, ofp_port);
    if (!port) {
        return 0;
    }
    int ifindex = netdev_get_ifindex(port->netdev);
    return ifindex > 0 ? ifindex : ofp_port;
}

/* sFlow's encoding of where a sampled packet went. */
static uint32_t
sflow_output(const struct ofproto *p, const struct xlate_sample_cookie *c)
{
    if (!c->n_outputs) {
        return SFLOW_OUT_DISCARD | SFLOW_DISCARD_UNKNOWN;
    } else if (c->n_outputs > 1) {
        return SFLOW_OUT_MULTIPLE | MIN(c->n_outputs, 0x3fffffff);
    }
    return port_sflow_ifindex(p, c->output);
}

static void
deliver_sample(struct ofproto *p, struct ofproto_sample *s, uint32_t drops,
               long long int now)
{
    const struct xlate_sample_cookie *c = &s->cookie;

    if (c->magic == XLATE_SFLOW_MAGIC) {
        if (p->sflow) {
            struct sflow_sample ss = {
                .header = s->data,
                .header_len = s->len,
                .frame_len = s->frame_len,
                .input_ifindex = port_sflow_ifindex(p, c->in_port),
                .output_ifindex = sflow_output(p, c),
                .sampling_rate = c->rate,
                .drops = drops,
            };
            sflow_received(p->sflow, &ss, now);
        }
        return;
    }
    if (!p->ipfix) {
        return;
    }

    struct ipfix_sample is = {
        .flow = &s->flow,
        .packet_len = s->frame_len,
        .output_port = c->n_outputs == 1 ? c->output : 0,
        .sampling_rate = c->rate,
    };
    if (c->magic == XLATE_IPFIX_MAGIC) {
        ipfix_bridge_sample(p->ipfix, &is, now);
    } else {
        ipfix_flow_sample(p->ipfix, &is, c->collector_set_id,
                          c->obs_domain_id, c->obs_point_id, now);
    }
}

void
ofproto_export_run(struct ofproto *p)
{
    long long int now = time_msec();
    struct ofproto_sample *s;
    struct plx_list samples;
    uint64_t dropped;

    latch_poll(&p->samples_ready);
    p->next_sample_drain = now + OFPROTO_SAMPLE_DRAIN_MS;
    pthread_mutex_lock(&p->sample_mutex);
    plx_list_init(&samples);
    plx_list_push_back_all(&samples, &p->samples);
    __atomic_store_n(&p->n_samples, 0, __ATOMIC_RELAXED);
    dropped = p->n_samples_dropped - p->n_samples_logged;
    p->n_samples_logged = p->n_samples_dropped;
    uint64_t sflow_dropped = p->n_sflow_dropped - p->n_sflow_reported;
    pthread_mutex_unlock(&p->sample_mutex);

    if (dropped) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: %"PRIu64" sampled packets dropped: the "
                     "exporters' queue was full", p->name, dropped);
    }
    LIST_FOR_EACH_POP (s, node, &samples) {
        /* sFlow reports its lost samples with the next one it gets. */
        bool to_sflow = s->cookie.magic == XLATE_SFLOW_MAGIC && p->sflow;
        deliver_sample(p, s, to_sflow ? sflow_dropped : 0, now);
        if (to_sflow) {
            p->n_sflow_reported += sflow_dropped;
            sflow_dropped = 0;
        }
        free(s);
    }
    if (p->netflow) {
        netflow_run(p->netflow, now);
    }
    if (p->sflow) {
        sflow_run(p->sflow, now);
    }
    if (p->ipfix) {
        ipfix_run(p->ipfix, now);
    }
}

void
ofproto_export_wait(struct ofproto *p)
{
    long long int now = time_msec();

    latch_wait(&p->samples_ready);
    if (p->sflow || p->ipfix) {
        poll_timer_wait_until(p->next_sample_drain);
    }
    if (p->netflow) {
        netflow_wait(p->netflow, now);
    }
    if (p->sflow) {
        sflow_wait(p->sflow, now);
    }
    if (p->ipfix) {
        ipfix_wait(p->ipfix, now);
    }
}

/* ------------------------------------------------------------------ */
/* Configuration. */

/* The bridge IPFIX exporter's sampling rate, 0 if there is none or it
 * does not sample input (Plexus samples only there). */
static uint32_t
ipfix_input_rate(const struct ofproto *p)
{
    bool input, output, tunnel;

    if (!p->ipfix) {
        return 0;
    }
    ipfix_get_bridge_sampling(p->ipfix, &input, &output, &tunnel);
    return input ? ipfix_bridge_sampling_rate(p->ipfix) : 0;
}

/* Publishes P's sampling rates and NetFlow state to translation if they
 * changed. */
static void
publish_if_changed(struct ofproto *p)
{
    const struct xlate_bridge *xb = p->xbridge;

    if (xb->sflow_rate != (p->sflow ? p->sflow_rate : 0)
        || xb->ipfix_rate != ipfix_input_rate(p)
        || xb->ipfix != (p->ipfix != NULL)
        || xb->netflow != (p->netflow != NULL)) {
        ofproto_publish(p);
    }
}

char *
ofproto_set_netflow(struct ofproto *p, const struct netflow_options *opts)
{
    char *error = NULL;

    if (!opts) {
        if (p->netflow) {
            /* What was counted so far goes out first. */
            netflow_flush(p->netflow, time_msec());
            netflow_destroy(p->netflow);
            p->netflow = NULL;
        }
    } else {
        if (!p->netflow) {
            p->netflow = netflow_create();
        }
        error = netflow_set_options(p->netflow, opts);
        if (!netflow_is_configured(p->netflow)) {
            /* Refused from the start: stay off rather than make every
             * megaflow a NetFlow flow for nothing. */
            netflow_destroy(p->netflow);
            p->netflow = NULL;
        }
    }
    publish_if_changed(p);
    return error;
}

static bool
sflow_counters_cb(void *p_, uint32_t ifindex, struct sflow_if_counters *c)
{
    const struct ofproto *p = p_;
    const struct ofport *port;

    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        struct netdev_stats st;

        if (port_sflow_ifindex(p, port->ofp_port) != ifindex
            || netdev_get_stats(port->netdev, &st)) {
            continue;
        }
        /* A netdev counts packets, not unicast apart from multicast and
         * broadcast: as Open vSwitch, all of them go in the unicast
         * counters and the others stay "unknown". */
        sflow_if_counters_init(c);
        c->if_type = 6;
        c->if_status = (port->config & OFPPC_PORT_DOWN ? 0 : 1)
                       | (port->live ? 2 : 0);
        c->in_octets = st.rx_bytes;
        c->in_ucast_pkts = st.rx_packets;
        c->in_discards = st.rx_dropped;
        c->in_errors = st.rx_errors;
        c->out_octets = st.tx_bytes;
        c->out_ucast_pkts = st.tx_packets;
        c->out_discards = st.tx_dropped;
        c->out_errors = st.tx_errors;
        return true;
    }
    return false;
}

static bool
contains(const uint32_t *array, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++) {
        if (array[i] == x) {
            return true;
        }
    }
    return false;
}

/* Makes sFlow's data sources P's ports, keeping those it has. */
static void
sflow_sync_ports(struct ofproto *p)
{
    size_t n = 0, max = hmap_count(&p->ports);
    uint32_t *now = xcalloc(MAX(max, 1), sizeof *now);
    const struct ofport *port;

    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        uint32_t ifindex = port_sflow_ifindex(p, port->ofp_port);
        if (!contains(now, n, ifindex)) {
            now[n++] = ifindex;
            if (!contains(p->sflow_ports, p->n_sflow_ports, ifindex)) {
                sflow_add_port(p->sflow, ifindex, port->name);
            }
        }
    }
    for (size_t i = 0; i < p->n_sflow_ports; i++) {
        if (!contains(now, n, p->sflow_ports[i])) {
            sflow_del_port(p->sflow, p->sflow_ports[i]);
        }
    }
    free(p->sflow_ports);
    p->sflow_ports = now;
    p->n_sflow_ports = n;
}

char *
ofproto_set_sflow(struct ofproto *p, const struct sflow_options *opts)
{
    char *error = NULL;

    if (!opts) {
        sflow_destroy(p->sflow);
        p->sflow = NULL;
        free(p->sflow_ports);
        p->sflow_ports = NULL;
        p->n_sflow_ports = 0;
    } else {
        if (!p->sflow) {
            p->sflow = sflow_create();
            sflow_set_counters_cb(p->sflow, sflow_counters_cb, p);
        }
        error = sflow_set_options(p->sflow, opts);
        if (!sflow_is_configured(p->sflow)) {
            sflow_destroy(p->sflow);
            p->sflow = NULL;
        } else {
            /* The rate in effect: a refused change keeps the old one. */
            p->sflow_rate = sflow_get_sampling_rate(p->sflow);
            sflow_sync_ports(p);
        }
    }
    publish_if_changed(p);
    return error;
}

void
ofproto_export_ports_changed(struct ofproto *p)
{
    if (p->sflow) {
        sflow_sync_ports(p);
    }
}

char *
ofproto_set_ipfix(struct ofproto *p, const struct ipfix_options *bridge,
                  const struct ipfix_options *flows, const uint32_t *ids,
                  size_t n_flows)
{
    char *error = NULL;

    if (!bridge && !n_flows) {
        ipfix_destroy(p->ipfix);
        p->ipfix = NULL;
    } else {
        if (!p->ipfix) {
            p->ipfix = ipfix_create();
        }
        error = ipfix_set_options(p->ipfix, bridge, flows, ids, n_flows);
    }
    publish_if_changed(p);
    return error;
}

void
ofproto_export_publish(const struct ofproto *p, struct xlate_bridge *xb)
{
    xb->sflow_rate = p->sflow ? p->sflow_rate : 0;
    xb->ipfix_rate = ipfix_input_rate(p);
    xb->ipfix = p->ipfix != NULL;
    xb->netflow = p->netflow != NULL;
}

/* ------------------------------------------------------------------ */
/* NetFlow from the revalidator. */

/* True if megaflow MATCH is one NetFlow flow: its mask covers what
 * NetFlow keys on.  One translated before NetFlow was on may not be; its
 * packets cannot be told apart, and it is about to be replaced. */
static bool
is_netflow_flow(const struct match *match)
{
    struct flow_wildcards nf;

    flow_wildcards_init_catchall(&nf);
    netflow_mask_wc(&match->flow, &nf);

    const uint64_t *need = flow_u64_const(&nf.masks);
    const uint64_t *have = flow_u64_const(&match->wc.masks);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (need[i] & ~have[i]) {
            return false;
        }
    }
    return true;
}

void
ofproto_export_flow_stats(struct ofproto *p, const struct match *megaflow,
                          ofp_port_t in_port, uint32_t n_outputs,
                          uint32_t output, uint64_t packets, uint64_t bytes,
                          uint16_t tcp_flags, long long int used)
{
    if (p->netflow && packets && is_netflow_flow(megaflow)) {
        struct flow flow = megaflow->flow;
        uint32_t nf_out = (n_outputs > 1 ? NETFLOW_OUT_FLOOD
                           : n_outputs ? output : NETFLOW_OUT_NONE);

        flow.in_port = in_port;
        netflow_flow_update(p->netflow, &flow, nf_out, packets, bytes,
                            tcp_flags, used, 0);
    }
}

void
ofproto_export_flow_removed(struct ofproto *p, const struct match *megaflow,
                            ofp_port_t in_port)
{
    if (p->netflow && is_netflow_flow(megaflow)) {
        struct flow flow = megaflow->flow;

        flow.in_port = in_port;
        netflow_flow_removed(p->netflow, &flow);
    }
}

/* ------------------------------------------------------------------ */
/* plx-appctl. */

static void
unixctl_export_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                    const char *argv[], void *which_)
{
    struct ofproto *p = ofproto_lookup(argv[1]);
    const char *which = which_;
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (!p) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    if (!strcmp(which, "netflow")) {
        if (!p->netflow) {
            goto off;
        }
        netflow_format_status(p->netflow, &ds);
    } else {
        if (!strcmp(which, "sflow") ? !p->sflow : !p->ipfix) {
            goto off;
        }
        pthread_mutex_lock(&p->sample_mutex);
        uint64_t dropped = p->n_samples_dropped;
        pthread_mutex_unlock(&p->sample_mutex);
        ds_put_format(&ds, "samples dropped before export: %"PRIu64"\n",
                      dropped);
        if (!strcmp(which, "sflow")) {
            sflow_format_status(p->sflow, &ds);
        } else {
            ipfix_format_status(p->ipfix, &ds);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
    return;

off:
    ds_put_format(&ds, "%s: %s is not configured\n", p->name, which);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

void
ofproto_export_init_unixctl(void)
{
    unixctl_command_register("netflow/show", "BRIDGE", 1, 1,
                             unixctl_export_show, (void *) "netflow");
    unixctl_command_register("sflow/show", "BRIDGE", 1, 1,
                             unixctl_export_show, (void *) "sflow");
    unixctl_command_register("ipfix/show", "BRIDGE", 1, 1,
                             unixctl_export_show, (void *) "ipfix");
}
