/*
 * plx-ofctl: the OpenFlow switch management tool, with ovs-ofctl's
 * command language, options and output, so that scripts written for
 * ovs-ofctl work with plx-ofctl in its place.
 *
 * This file has main(), the options, the command table and the commands
 * about the switch as a whole; flows, groups and meters live in
 * ofctl-flows.c and ofctl-groups.c, connections and transactions in
 * ofctl-conn.c, message text in ofctl-print.c (see ofctl.h).
 *
 * probe, ping and snoop talk to the switch over a bare stream rather than
 * a struct ofpconn, because an ofpconn answers and swallows echo messages
 * itself and snoop must see every message as it is.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "command-line.h"
#include "dirs.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "meta-flow.h"
#include "ofctl.h"
#include "ofp-msgs.h"
#include "ofp-print.h"
#include "ofp-table.h"
#include "pcap-file.h"
#include "poll-loop.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

/* OpenFlow's default flow priority: match_format() omits it. */
#define DEFAULT_PRIORITY 32768

/* ---- show, dump-desc, dump-tables, dump-table-features. ---- */

static void
dump_trivial(const char *target, enum ofptype type, uint32_t usable,
             const char *what)
{
    struct ofctl_conn *c = ofctl_open(target, usable, what);
    uint8_t version = ofctl_version(c);
    struct ofpmsg *request = (ofptype_is_multipart(type)
                              ? ofputil_encode_multipart_request(
                                  type, version, ofpmsg_next_xid())
                              : ofputil_encode_header_only(
                                  type, version, ofpmsg_next_xid()));
    ofctl_dump_transaction(c, request);
    ofctl_close(c);
}

static void
cmd_show(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      "show");
    uint8_t version = ofctl_version(c);

    struct ofpmsg *reply = ofctl_transact(
        c, ofputil_encode_header_only(OFPTYPE_FEATURES_REQUEST, version,
                                      ofpmsg_next_xid()));
    ofctl_print_msg(stdout, reply);
    ofpmsg_delete(reply);

    /* OpenFlow 1.3's features reply has no ports. */
    if (version != OFP10_VERSION) {
        ofctl_dump_transaction(c, ofputil_encode_multipart_request(
                                   OFPTYPE_PORT_DESC_STATS_REQUEST, version,
                                   ofpmsg_next_xid()));
    }
    ofctl_close(c);

    /* As ovs-ofctl, on a connection of its own. */
    dump_trivial(ctx->argv[1], OFPTYPE_GET_CONFIG_REQUEST, OFCTL_ANY_VERSION,
                 "show");
}

static void
cmd_dump_desc(struct plx_cmdl_context *ctx)
{
    dump_trivial(ctx->argv[1], OFPTYPE_DESC_STATS_REQUEST, OFCTL_ANY_VERSION,
                 ctx->argv[0]);
}

static void
cmd_dump_tables(struct plx_cmdl_context *ctx)
{
    dump_trivial(ctx->argv[1], OFPTYPE_TABLE_STATS_REQUEST,
                 OFCTL_ANY_VERSION, ctx->argv[0]);
}

static void
cmd_dump_table_features(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    struct ofpmsg *request = ofputil_encode_table_features_request(
        ofctl_version(c), ofpmsg_next_xid(), NULL, 0);
    uint32_t xid = ntohl(ofpmsg_header(request)->xid);
    struct ofputil_table_features *all = NULL;
    size_t n_all = 0;
    bool more = true;

    /* Gathers every part first, so that "ditto" spans them all, as in
     * ovs-ofctl. */
    ofctl_send(c, request);
    while (more) {
        struct ofpmsg *reply = ofctl_recv(c);
        const struct ofp_header *oh = ofpmsg_header(reply);
        enum ofptype type;

        if (ntohl(oh->xid) != xid) {
            ofpmsg_delete(reply);
            continue;
        }
        enum ofperr error = ofptype_decode_msg(oh, &type);
        if (error) {
            plx_fatal(0, "decode error: %s", ofperr_get_name(error));
        } else if (type == OFPTYPE_ERROR) {
            ofctl_print_msg(stdout, reply);
            more = false;
        } else if (type == OFPTYPE_TABLE_FEATURES_STATS_REPLY) {
            struct ofputil_table_features *tfs;
            size_t n;

            more = ofpmp_more(oh);
            error = ofputil_decode_table_features(oh, true, &tfs, &n);
            if (error) {
                plx_fatal(0, "decode error: %s", ofperr_get_name(error));
            }
            all = xrealloc(all, (n_all + n + 1) * sizeof *all);
            memcpy(&all[n_all], tfs, n * sizeof *tfs);
            n_all += n;
            free(tfs);
        } else {
            char *s = ofctl_msg_to_string(reply->data, reply->size);
            plx_fatal(0, "received bad reply: %s", s);
        }
        ofpmsg_delete(reply);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ofp_print_table_features(&s, all, n_all);
    /* ovs-ofctl prints a table's leading blank line after it instead. */
    const char *text = ds_cstr(&s);
    if (text[0] == '\n') {
        printf("%s\n", text + 1);
    } else {
        fputs(text, stdout);
    }
    ds_destroy(&s);
    free(all);
    ofctl_close(c);
}

/* ---- Ports and queues. ---- */

static void
cmd_dump_ports(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      ctx->argv[0]);
    uint32_t port = (ctx->argc > 2
                     ? ofctl_port_from_string(c, ctx->argv[2])
                     : MF_OFPP_ANY);
    ofctl_dump_transaction(c, ofputil_encode_port_stats_request(
                               ofctl_version(c), ofpmsg_next_xid(), port));
    ofctl_close(c);
}

static void
cmd_dump_ports_desc(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      ctx->argv[0]);
    if (ctx->argc > 2) {
        /* Only checked: neither version's request can name a port, so
         * (as ovs-ofctl with OpenFlow 1.0 and 1.3) every port is shown. */
        ofctl_port_from_string(c, ctx->argv[2]);
    }
    ofctl_dump_transaction(c, ofputil_encode_multipart_request(
                               OFPTYPE_PORT_DESC_STATS_REQUEST,
                               ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}

static void
cmd_mod_port(struct plx_cmdl_context *ctx)
{
    static const struct {
        const char *name;
        uint32_t bit;
        bool on;
    } flags[] = {
        { "up", OFPPC_PORT_DOWN, false },
        { "down", OFPPC_PORT_DOWN, true },
        { "stp", OFPPC10_NO_STP, false },
        { "receive", OFPPC_NO_RECV, false },
        { "receive-stp", OFPPC10_NO_RECV_STP, false },
        { "flood", OFPPC10_NO_FLOOD, false },
        { "forward", OFPPC_NO_FWD, false },
        { "packet-in", OFPPC_NO_PACKET_IN, false },
    };
    const char *port_name = ctx->argv[2];
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      ctx->argv[0]);

    struct ofputil_phy_port *ports;
    size_t n_ports;
    unsigned int number;
    bool is_number = str_to_uint(port_name, 10, &number);
    ofctl_fetch_ports(c, &ports, &n_ports);
    const struct ofputil_phy_port *pp = NULL;
    for (size_t i = 0; i < n_ports; i++) {
        if (is_number ? ports[i].port_no == number
            : !strcmp(ports[i].name, port_name)) {
            pp = &ports[i];
            break;
        }
    }
    if (!pp) {
        plx_fatal(0, "%s: couldn't find port `%s'", ctx->argv[1], port_name);
    }

    const char *command = ctx->argv[3];
    bool not = false;
    if (!strncasecmp(command, "no-", 3)) {
        command += 3;
        not = true;
    } else if (!strncasecmp(command, "no", 2)) {
        command += 2;
        not = true;
    }
    struct ofputil_port_mod pm = {
        .port_no = pp->port_no,
        .hw_addr = pp->hw_addr,
    };
    size_t i;
    for (i = 0; i < ARRAY_SIZE(flags); i++) {
        if (!strcasecmp(command, flags[i].name)) {
            pm.mask = flags[i].bit;
            pm.config = flags[i].on ^ not ? flags[i].bit : 0;
            break;
        }
    }
    if (i >= ARRAY_SIZE(flags)) {
        plx_fatal(0, "unknown mod-port command '%s'", ctx->argv[3]);
    }
    free(ports);

    ofctl_transact_noreply(c, ofputil_encode_port_mod(&pm, ofctl_version(c),
                                                      ofpmsg_next_xid()));
    ofctl_close(c);
}

static void
cmd_queue_stats(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      ctx->argv[0]);
    struct ofputil_queue_stats_request qsr = {
        .port_no = MF_OFPP_ANY,
        .queue_id = OFPUTIL_QUEUE_ALL,
    };

    if (ctx->argc > 2 && ctx->argv[2][0] && strcasecmp(ctx->argv[2], "all")) {
        qsr.port_no = ofctl_port_from_string(c, ctx->argv[2]);
    }
    if (ctx->argc > 3 && ctx->argv[3][0] && strcasecmp(ctx->argv[3], "all")) {
        qsr.queue_id = atoi(ctx->argv[3]);
    }
    ofctl_dump_transaction(c, ofputil_encode_queue_stats_request(
                               &qsr, ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}

/* ---- monitor. ---- */

static void
print_timestamp(FILE *stream)
{
    if (ofctl_opts.timestamp) {
        long long int msec = time_wall_msec();
        time_t sec = msec / 1000;
        struct tm tm;
        char buf[64];

        gmtime_r(&sec, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(stream, "%s.%03lld: ", buf, msec % 1000);
    }
}

static void
cmd_monitor(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_ANY_VERSION,
                                      ctx->argv[0]);
    uint8_t version = ofctl_version(c);

    for (int i = 2; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];

        if (!isdigit((unsigned char) arg[0])) {
            plx_fatal(0, "%s: unsupported \"monitor\" argument", arg);
        }
        struct ofpmsg *reply = ofctl_transact(
            c, ofputil_encode_header_only(OFPTYPE_GET_CONFIG_REQUEST, version,
                                          ofpmsg_next_xid()));
        struct ofputil_switch_config config;
        if (ofputil_decode_get_config_reply(ofpmsg_header(reply), &config)) {
            plx_fatal(0, "%s: bad reply to config request", ctx->argv[1]);
        }
        ofpmsg_delete(reply);
        config.miss_send_len = atoi(arg);
        ofctl_transact_noreply(c, ofputil_encode_set_config(
                                   &config, version, ofpmsg_next_xid()));
    }

    for (;;) {
        struct ofpmsg *msg = ofctl_recv(c);
        print_timestamp(stderr);
        ofctl_print_msg(stderr, msg);
        fflush(stderr);
        ofpmsg_delete(msg);
    }
}

/* ---- Bare connections: probe, ping, snoop. ---- */

/* Message types that are the same in every OpenFlow version. */
enum {
    RAW_OFPT_HELLO = 0,
    RAW_OFPT_ECHO_REQUEST = 2,
    RAW_OFPT_ECHO_REPLY = 3,
};

struct raw_conn {
    struct stream *stream;
    struct ofpmsg_framer *framer;
    uint8_t version;
    const char *target;
};

static void
raw_send(struct raw_conn *rc, struct ofpmsg *msg)
{
    size_t ofs = 0;

    while (ofs < msg->size) {
        stream_run(rc->stream);
        int n = stream_send(rc->stream, msg->data + ofs, msg->size - ofs);
        if (n > 0) {
            ofs += n;
        } else if (n == -EAGAIN) {
            stream_run_wait(rc->stream);
            stream_send_wait(rc->stream);
            poll_block();
        } else {
            plx_fatal(-n, "%s: send failed", rc->target);
        }
    }
    ofpmsg_delete(msg);
}

static struct ofpmsg *
raw_recv(struct raw_conn *rc)
{
    for (;;) {
        struct ofpmsg *msg;
        int error = ofpmsg_framer_next(rc->framer, &msg);
        if (!error) {
            return msg;
        } else if (error != EAGAIN) {
            plx_fatal(0, "%s: %s", rc->target,
                      ofpmsg_framer_get_error(rc->framer));
        }

        uint8_t buf[4096];
        stream_run(rc->stream);
        int n = stream_recv(rc->stream, buf, sizeof buf);
        if (n > 0) {
            ofpmsg_framer_feed(rc->framer, buf, n);
        } else if (!n) {
            plx_fatal(0, "%s: connection closed by peer", rc->target);
        } else if (n == -EAGAIN) {
            stream_run_wait(rc->stream);
            stream_recv_wait(rc->stream);
            poll_block();
        } else {
            plx_fatal(-n, "%s: receive failed", rc->target);
        }
    }
}

/* Connects to TARGET and exchanges HELLOs. */
static void
raw_open(struct raw_conn *rc, const char *target, const char *suffix,
         uint32_t versions)
{
    rc->target = target;
    rc->stream = ofctl_open_stream(target, suffix);
    rc->framer = ofpmsg_framer_create(0);
    raw_send(rc, ofputil_encode_hello(versions));

    struct ofpmsg *hello = raw_recv(rc);
    const struct ofp_header *oh = ofpmsg_header(hello);
    uint32_t theirs = 0;
    if (oh->type != RAW_OFPT_HELLO) {
        plx_fatal(0, "%s: expected OFPT_HELLO", target);
    }
    ofputil_decode_hello(oh, &theirs);
    rc->version = ofputil_negotiate_version(versions, theirs);
    if (!rc->version) {
        plx_fatal(0, "%s: failed to connect to socket (version negotiation "
                  "failed)", target);
    }
    ofpmsg_delete(hello);
}

static void
raw_close(struct raw_conn *rc)
{
    stream_close(rc->stream);
    ofpmsg_framer_destroy(rc->framer);
}

/* Sends an echo request with N bytes of PAYLOAD and returns the reply,
 * answering the switch's own echo requests meanwhile. */
static struct ofpmsg *
raw_echo(struct raw_conn *rc, const void *payload, size_t n)
{
    uint32_t xid = ofpmsg_next_xid();

    raw_send(rc, ofputil_encode_echo_request(rc->version, xid, payload, n));
    for (;;) {
        struct ofpmsg *msg = raw_recv(rc);
        const struct ofp_header *oh = ofpmsg_header(msg);

        if (ntohl(oh->xid) == xid) {
            return msg;
        } else if (oh->type == RAW_OFPT_ECHO_REQUEST) {
            raw_send(rc, ofputil_encode_echo_reply(oh));
        }
        ofpmsg_delete(msg);
    }
}

static void
cmd_probe(struct plx_cmdl_context *ctx)
{
    struct raw_conn rc;

    raw_open(&rc, ctx->argv[1], "mgmt", ofctl_offer(OFCTL_ANY_VERSION));
    struct ofpmsg *reply = raw_echo(&rc, NULL, 0);
    if (reply->size != sizeof(struct ofp_header)) {
        plx_fatal(0, "reply does not match request");
    }
    ofpmsg_delete(reply);
    raw_close(&rc);
}

static void
cmd_ping(struct plx_cmdl_context *ctx)
{
    size_t max_payload = 65535 - sizeof(struct ofp_header);
    unsigned int payload = 64;
    struct raw_conn rc;

    if (ctx->argc > 2 && (!str_to_uint(ctx->argv[2], 10, &payload)
                          || payload > max_payload)) {
        plx_fatal(0, "payload must be between 0 and %zu bytes",
                  max_payload);
    }

    raw_open(&rc, ctx->argv[1], "mgmt", ofctl_offer(OFCTL_ANY_VERSION));
    uint8_t *data = xzalloc(payload + 1);
    for (int i = 0; i < 10; i++) {
        for (unsigned int j = 0; j < payload; j++) {
            data[j] = random() & 0xff;
        }

        long long int start = time_usec();
        struct ofpmsg *reply = raw_echo(&rc, data, payload);
        long long int end = time_usec();

        const struct ofp_header *oh = ofpmsg_header(reply);
        size_t body = reply->size - sizeof *oh;
        if (oh->type != RAW_OFPT_ECHO_REPLY || body != payload
            || memcmp(oh + 1, data, payload)) {
            printf("Reply does not match request.\n");
        }
        printf("%zu bytes from %s: xid=%08"PRIx32" time=%.1f ms\n",
               body, ctx->argv[1], ntohl(oh->xid), (end - start) / 1000.0);
        fflush(stdout);
        ofpmsg_delete(reply);
    }
    free(data);
    raw_close(&rc);
}

static void
cmd_snoop(struct plx_cmdl_context *ctx)
{
    const char *target = ctx->argv[1];
    struct stat st;

    if (!strchr(target, ':') && stat(target, &st)) {
        char *snoop = xasprintf("%s/%s.snoop", plx_rundir(), target);
        char *mgmt = xasprintf("%s/%s.mgmt", plx_rundir(), target);
        if (stat(snoop, &st) && !stat(mgmt, &st)) {
            plx_fatal(0, "%s: this switch offers no snoop socket (%s does "
                      "not exist); \"monitor %s\" shows the messages it "
                      "sends to a controller", target, snoop, target);
        }
        free(snoop);
        free(mgmt);
    }

    struct raw_conn rc;
    raw_open(&rc, target, "snoop", OFCTL_ANY_VERSION);
    for (;;) {
        struct ofpmsg *msg = raw_recv(&rc);
        print_timestamp(stderr);
        ofctl_print_msg(stderr, msg);
        fflush(stderr);
        ofpmsg_delete(msg);
    }
}

/* ---- parse-pcap. ---- */

/* parse-pcap FILE...: prints each packet's flow key as a match on exactly
 * the fields that packet carries, the input port being ANY (the capture
 * does not say which port a packet came from). */
static void
cmd_parse_pcap(struct plx_cmdl_context *ctx)
{
    int status = 0;

    for (int i = 1; i < ctx->argc; i++) {
        const char *file_name = ctx->argv[i];
        struct pcap_file *pcap;
        char *error = pcap_file_open_read(file_name, &pcap);
        if (error) {
            plx_fatal(0, "%s", error);
        }

        for (;;) {
            struct dp_packet *packet;
            int retval = pcap_file_read(pcap, &packet, NULL);
            if (retval == EOF) {
                break;
            } else if (retval) {
                plx_error(retval, "%s: read failed", file_name);
                status = 1;
                break;
            }

            struct match match;
            pkt_metadata_init(&packet->md, MF_OFPP_ANY);
            flow_extract(packet, &match.flow);
            flow_wildcards_init_for_packet(&match.wc, &match.flow);
            match_normalize(&match);

            struct ds s = DS_EMPTY_INITIALIZER;
            match_format(&match, DEFAULT_PRIORITY, &s);
            puts(ds_cstr(&s));
            ds_destroy(&s);
            dp_packet_delete(packet);
        }
        pcap_file_close(pcap);
    }
    exit(status);
}

/* ---- Options and the command table. ---- */

static void cmd_help(struct plx_cmdl_context *);
static void cmd_list_commands(struct plx_cmdl_context *);

static const struct plx_cmdl_command all_commands[] = {
    { "show", "switch", 1, 1, cmd_show },
    { "monitor", "switch [misslen]", 1, 2, cmd_monitor },
    { "snoop", "switch", 1, 1, cmd_snoop },
    { "dump-desc", "switch", 1, 1, cmd_dump_desc },
    { "dump-tables", "switch", 1, 1, cmd_dump_tables },
    { "dump-table-features", "switch", 1, 1, cmd_dump_table_features },
    { "dump-flows", "switch [flow]", 1, 2, ofctl_cmd_dump_flows },
    { "dump-aggregate", "switch [flow]", 1, 2, ofctl_cmd_dump_aggregate },
    { "queue-stats", "switch [port [queue]]", 1, 3, cmd_queue_stats },
    { "add-flow", "switch flow", 2, 2, ofctl_cmd_add_flow },
    { "add-flows", "switch file", 2, 2, ofctl_cmd_add_flows },
    { "mod-flows", "switch flow", 2, 2, ofctl_cmd_mod_flows },
    { "del-flows", "switch [flow]", 1, 2, ofctl_cmd_del_flows },
    { "replace-flows", "switch file", 2, 2, ofctl_cmd_replace_flows },
    { "diff-flows", "source1 source2", 2, 2, ofctl_cmd_diff_flows },
    { "add-meter", "switch meter", 2, 2, ofctl_cmd_add_meter },
    { "mod-meter", "switch meter", 2, 2, ofctl_cmd_mod_meter },
    { "del-meter", "switch meter", 2, 2, ofctl_cmd_del_meters },
    { "del-meters", "switch [meter]", 1, 2, ofctl_cmd_del_meters },
    { "dump-meter", "switch meter", 2, 2, ofctl_cmd_dump_meters },
    { "dump-meters", "switch [meter]", 1, 2, ofctl_cmd_dump_meters },
    { "meter-stats", "switch [meter]", 1, 2, ofctl_cmd_meter_stats },
    { "meter-features", "switch", 1, 1, ofctl_cmd_meter_features },
    { "packet-out", "switch \"in_port=<port> packet=<hex data> actions=...\"",
      2, INT_MAX, ofctl_cmd_packet_out },
    { "dump-ports", "switch [port]", 1, 2, cmd_dump_ports },
    { "dump-ports-desc", "switch [port]", 1, 2, cmd_dump_ports_desc },
    { "mod-port", "switch iface act", 3, 3, cmd_mod_port },
    { "probe", "target", 1, 1, cmd_probe },
    { "ping", "target [n]", 1, 2, cmd_ping },
    { "add-group", "switch group", 1, 2, ofctl_cmd_add_group },
    { "add-groups", "switch file", 2, 2, ofctl_cmd_add_groups },
    { "mod-group", "switch group", 1, 2, ofctl_cmd_mod_group },
    { "del-groups", "switch [group]", 1, 2, ofctl_cmd_del_groups },
    { "dump-groups", "switch [group]", 1, 2, ofctl_cmd_dump_groups },
    { "dump-group-stats", "switch [group]", 1, 2,
      ofctl_cmd_dump_group_stats },
    { "dump-group-features", "switch", 1, 1,
      ofctl_cmd_dump_group_features },
    { "parse-pcap", "pcap...", 1, INT_MAX, cmd_parse_pcap },
    { "help", NULL, 0, INT_MAX, cmd_help },
    { "list-commands", NULL, 0, INT_MAX, cmd_list_commands },
    { NULL, NULL, 0, 0, NULL },
};

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: OpenFlow switch management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\nFor OpenFlow switches:\n"
           "  show SWITCH                 show OpenFlow information\n"
           "  dump-desc SWITCH            print switch description\n"
           "  dump-tables SWITCH          print table stats\n"
           "  dump-table-features SWITCH  print table features\n"
           "  mod-port SWITCH IFACE ACT   modify port behavior\n"
           "  dump-ports SWITCH [PORT]    print port statistics\n"
           "  dump-ports-desc SWITCH [PORT]  print port descriptions\n"
           "  dump-flows SWITCH           print all flow entries\n"
           "  dump-flows SWITCH FLOW      print matching FLOWs\n"
           "  dump-aggregate SWITCH       print aggregate flow statistics\n"
           "  dump-aggregate SWITCH FLOW  print aggregate stats for FLOWs\n"
           "  queue-stats SWITCH [PORT [QUEUE]]  dump queue stats\n"
           "  add-flow SWITCH FLOW        add flow described by FLOW\n"
           "  add-flows SWITCH FILE       add flows from FILE\n"
           "  mod-flows SWITCH FLOW       modify actions of matching FLOWs\n"
           "  del-flows SWITCH [FLOW]     delete matching FLOWs\n"
           "  replace-flows SWITCH FILE   replace flows with those in FILE\n"
           "  diff-flows SOURCE1 SOURCE2  compare flows from two sources\n"
           "  packet-out SWITCH IN_PORT ACTIONS PACKET...\n"
           "                              execute ACTIONS on PACKET\n"
           "  monitor SWITCH [MISSLEN]    print packets received from "
           "SWITCH\n"
           "  snoop SWITCH                snoop on SWITCH and its "
           "controller\n"
           "  add-group SWITCH GROUP      add group described by GROUP\n"
           "  add-groups SWITCH FILE      add group from FILE\n"
           "  [--may-create] mod-group SWITCH GROUP   modify specific "
           "group\n"
           "  del-groups SWITCH [GROUP]   delete matching GROUPs\n"
           "  dump-groups SWITCH [GROUP]  print group description\n"
           "  dump-group-stats SWITCH [GROUP]  print group statistics\n"
           "  dump-group-features SWITCH  print group features\n"
           "  add-meter SWITCH METER      add meter described by METER\n"
           "  mod-meter SWITCH METER      modify specific METER\n"
           "  del-meters SWITCH [METER]   delete METER (default: all)\n"
           "  dump-meters SWITCH [METER]  print METER configuration\n"
           "  meter-stats SWITCH [METER]  print meter statistics\n"
           "  meter-features SWITCH       print meter features\n"
           "\nFor OpenFlow switches and controllers:\n"
           "  probe TARGET                probe whether TARGET is up\n"
           "  ping TARGET [N]             latency of N-byte echos\n"
           "SWITCH or TARGET is a bridge name, a socket file, or an active\n"
           "OpenFlow connection method (unix:FILE, tcp:HOST[:PORT],\n"
           "ssl:HOST[:PORT]).\n"
           "\nOther commands:\n"
           "  parse-pcap PCAP...          print the flow of each packet\n"
           "\nOptions:\n"
           "  -O, --protocols=VERSIONS    OpenFlow10 and/or OpenFlow13\n"
           "  --strict                    use strict match for flow "
           "commands\n"
           "  --readd                     replace flows that haven't "
           "changed\n"
           "  --may-create                mod-group may create the group\n"
           "  --sort[=priority]           sort dump-flows by priority\n"
           "  --rsort[=priority]          ...in descending order\n"
           "  --no-stats                  dump-flows without statistics\n"
           "  --timestamp                 (monitor, snoop) print "
           "timestamps\n"
           "  -t, --timeout=SECS          give up after SECS seconds\n"
           "  --private-key=FILE, --certificate=FILE, --ca-cert=FILE\n"
           "                              SSL configuration\n"
           "  -v, --verbose=[SPEC]        set logging levels\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static void
cmd_help(struct plx_cmdl_context *ctx PLX_UNUSED)
{
    usage();
}

static void
cmd_list_commands(struct plx_cmdl_context *ctx PLX_UNUSED)
{
    plx_cmdl_print_commands(all_commands);
}

/* -O: a comma-separated list of versions.  Versions Plexus does not speak
 * (1.1, 1.2, 1.4, 1.5) are dropped, so that "-O OpenFlow13,OpenFlow14"
 * from an Open vSwitch script still works. */
static void
parse_protocols(const char *arg)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        { "OpenFlow10", OFCTL_OF10 }, { "OpenFlow11", 0 },
        { "OpenFlow12", 0 }, { "OpenFlow13", OFCTL_OF13 },
        { "OpenFlow14", 0 }, { "OpenFlow15", 0 },
    };
    char *copy = xstrdup(arg);
    char *save = NULL;
    uint32_t versions = 0;

    for (char *name = strtok_r(copy, ", \t", &save); name;
         name = strtok_r(NULL, ", \t", &save)) {
        size_t i;
        for (i = 0; i < ARRAY_SIZE(names); i++) {
            if (!strcasecmp(name, names[i].name)) {
                versions |= names[i].bit;
                break;
            }
        }
        if (i >= ARRAY_SIZE(names)) {
            plx_fatal(0, "Unknown OpenFlow version: \"%s\"", name);
        }
    }
    free(copy);
    if (!versions) {
        plx_fatal(0, "%s: none of these OpenFlow versions is supported "
                  "(Plexus speaks OpenFlow10 and OpenFlow13)", arg);
    }
    ofctl_opts.allowed_versions = versions;
    ofctl_opts.versions_explicit = true;
}

static void
parse_sort(const char *arg, int order)
{
    if (arg && strcasecmp(arg, "priority")) {
        plx_fatal(0, "%s: sorting by fields other than priority is not "
                  "supported", arg);
    }
    ofctl_opts.sort = order;
}

static char timeout_message[128];

static void
timeout_handler(int sig PLX_UNUSED)
{
    ssize_t retval = write(STDERR_FILENO, timeout_message,
                           strlen(timeout_message));
    (void) retval;
    _exit(EXIT_FAILURE);
}

static void
set_timeout(const char *arg)
{
    unsigned int timeout;

    if (!str_to_uint(arg, 10, &timeout) || !timeout) {
        plx_fatal(0, "value %s on -t or --timeout is invalid", arg);
    }
    snprintf(timeout_message, sizeof timeout_message,
             "%s: timed out after %u seconds\n", program_name, timeout);
    signal(SIGALRM, timeout_handler);
    alarm(timeout);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_STRICT = UCHAR_MAX + 1,
        OPT_READD,
        OPT_TIMESTAMP,
        OPT_SORT,
        OPT_RSORT,
        OPT_NAMES,
        OPT_NO_NAMES,
        OPT_STATS,
        OPT_NO_STATS,
        OPT_MAY_CREATE,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"timeout", required_argument, NULL, 't'},
        {"protocols", required_argument, NULL, 'O'},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"readd", no_argument, NULL, OPT_READD},
        {"timestamp", no_argument, NULL, OPT_TIMESTAMP},
        {"sort", optional_argument, NULL, OPT_SORT},
        {"rsort", optional_argument, NULL, OPT_RSORT},
        {"names", no_argument, NULL, OPT_NAMES},
        {"no-names", no_argument, NULL, OPT_NO_NAMES},
        {"stats", no_argument, NULL, OPT_STATS},
        {"no-stats", no_argument, NULL, OPT_NO_STATS},
        {"may-create", no_argument, NULL, OPT_MAY_CREATE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = plx_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            set_timeout(optarg);
            break;
        case 'O':
            parse_protocols(optarg);
            break;
        case OPT_STRICT:
            ofctl_opts.strict = true;
            break;
        case OPT_READD:
            ofctl_opts.readd = true;
            break;
        case OPT_TIMESTAMP:
            ofctl_opts.timestamp = true;
            break;
        case OPT_SORT:
            parse_sort(optarg, 1);
            break;
        case OPT_RSORT:
            parse_sort(optarg, -1);
            break;
        case OPT_NAMES:
            plx_fatal(0, "--names is not supported (ports are shown by "
                      "number)");
        case OPT_NO_NAMES:
            break;
        case OPT_STATS:
            ofctl_opts.show_stats = true;
            break;
        case OPT_NO_STATS:
            ofctl_opts.show_stats = false;
            break;
        case OPT_MAY_CREATE:
            ofctl_opts.may_create = true;
            break;
        case 'h':
            usage();
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    parse_options(argc, argv);

    if (optind >= argc) {
        plx_fatal(0, "missing command name; use --help for help");
    }
    struct plx_cmdl_context ctx = {
        .argc = argc - optind,
        .argv = argv + optind,
    };
    plx_cmdl_run_command(&ctx, all_commands);
    return 0;
}
