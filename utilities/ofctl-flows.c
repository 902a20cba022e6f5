/*
 * ofctl-flows: plx-ofctl's flow commands (dump-flows, dump-aggregate,
 * add-flow, add-flows, mod-flows, del-flows, replace-flows, diff-flows)
 * and packet-out, as ovs-ofctl runs them.  See ofctl.h.
 *
 * Every modifying command sends each message followed by a barrier and
 * waits for the barrier reply (ovs-ofctl's "transact_noreply"), so that
 * when the command returns the switch has applied everything, and the
 * first error stops it with exit status 1.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "command-line.h"
#include "dynamic-string.h"
#include "match.h"
#include "meta-flow.h"
#include "ofctl-file.h"
#include "ofctl.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofp-match.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "packets.h"

/* The versions in which FM can be sent without changing its meaning. */
static uint32_t
flow_mod_usable(const struct ofputil_flow_mod *fm)
{
    bool add = fm->command == OFPUTIL_FC_ADD;
    uint32_t flags10 = (OFPUTIL_FF_SEND_FLOW_REM | OFPUTIL_FF_CHECK_OVERLAP
                        | OFPUTIL_FF_RESET_COUNTS);

    if (!ofp10_match_is_exact(&fm->match)
        || fm->cookie_mask
        || !(fm->table_id == OFPTT_ALL || (add && !fm->table_id))
        || fm->out_group != OFPUTIL_GROUP_ANY
        || fm->flags & ~flags10) {
        return OFCTL_OF13;
    }

    enum ofperr error;
    struct ofpmsg *msg = ofputil_encode_flow_mod(fm, OFP10_VERSION, 0,
                                                 &error);
    if (!msg) {
        return OFCTL_OF13;
    }
    ofpmsg_delete(msg);
    return OFCTL_ANY_VERSION;
}

static uint32_t
flow_stats_request_usable(const struct ofputil_flow_stats_request *fsr)
{
    return (ofp10_match_is_exact(&fsr->match) && !fsr->cookie_mask
            && fsr->out_group == OFPUTIL_GROUP_ANY
            ? OFCTL_ANY_VERSION : OFCTL_OF13);
}

static struct ofpmsg *
encode_flow_mod(const struct ofputil_flow_mod *fm, uint8_t version)
{
    enum ofperr error;
    struct ofpmsg *msg = ofputil_encode_flow_mod(fm, version,
                                                 ofpmsg_next_xid(), &error);
    if (!msg) {
        plx_fatal(0, "cannot encode flow in OpenFlow 1.%d (%s)",
                  version == OFP10_VERSION ? 0 : 3, ofperr_get_name(error));
    }
    return msg;
}

/* Sends the N flow mods in FMS to TARGET, each followed by a barrier. */
static void
run_flow_mods(const char *target, const struct ofputil_flow_mod *fms,
              size_t n)
{
    uint32_t usable = OFCTL_ANY_VERSION;

    for (size_t i = 0; i < n; i++) {
        usable &= flow_mod_usable(&fms[i]);
    }

    struct ofctl_conn *c = ofctl_open(target, usable, "flow_mod");
    for (size_t i = 0; i < n; i++) {
        ofctl_transact_noreply(c, encode_flow_mod(&fms[i],
                                                  ofctl_version(c)));
    }
    ofctl_close(c);
}

static void
flow_mod_file(const char *target, const char *file_name, int command)
{
    struct ofctl_flow_mods fms = { NULL, 0 };

    char *error = ofctl_parse_flow_file_name(file_name, command, &fms);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    run_flow_mods(target, fms.fms, fms.n);
    ofctl_flow_mods_destroy(&fms);
}

static void
flow_mod_cmd(struct plx_cmdl_context *ctx, int command)
{
    if (ctx->argc > 2 && !strcmp(ctx->argv[2], "-")) {
        flow_mod_file(ctx->argv[1], "-", command);
        return;
    }

    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    char *error = ofputil_parse_flow_mod_str(ctx->argc > 2 ? ctx->argv[2]
                                             : "", command, &fm, &ofpacts);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    run_flow_mods(ctx->argv[1], &fm, 1);
    ofpa_buf_uninit(&ofpacts);
}

void
ofctl_cmd_add_flow(struct plx_cmdl_context *ctx)
{
    flow_mod_cmd(ctx, OFPUTIL_FC_ADD);
}

void
ofctl_cmd_add_flows(struct plx_cmdl_context *ctx)
{
    /* A file may mix commands, each line's first word choosing. */
    flow_mod_file(ctx->argv[1], ctx->argv[2], -1);
}

void
ofctl_cmd_mod_flows(struct plx_cmdl_context *ctx)
{
    flow_mod_cmd(ctx, ofctl_opts.strict ? OFPUTIL_FC_MODIFY_STRICT
                 : OFPUTIL_FC_MODIFY);
}

void
ofctl_cmd_del_flows(struct plx_cmdl_context *ctx)
{
    flow_mod_cmd(ctx, ofctl_opts.strict ? OFPUTIL_FC_DELETE_STRICT
                 : OFPUTIL_FC_DELETE);
}

/* ---- Dumping flows. ---- */

/* A flow from a flow statistics reply, owning its actions. */
struct flow_entry {
    struct ofputil_flow_stats fs;
    size_t index;               /* Arrival order, for a stable sort. */
};

struct flow_entries {
    struct flow_entry *entries;
    size_t n, allocated;
};

static void
flow_entries_destroy(struct flow_entries *fes)
{
    for (size_t i = 0; i < fes->n; i++) {
        free((void *) fes->entries[i].fs.ofpacts);
    }
    free(fes->entries);
}

/* Runs FSR against C and collects every flow of every reply part. */
static void
collect_flows(struct ofctl_conn *c,
              const struct ofputil_flow_stats_request *fsr,
              struct flow_entries *fes)
{
    struct ofpmsg *request = ofputil_encode_flow_stats_request(
        fsr, ofctl_version(c), ofpmsg_next_xid());
    uint32_t xid = ntohl(ofpmsg_header(request)->xid);
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    bool more = true;

    memset(fes, 0, sizeof *fes);
    ofctl_send(c, request);
    while (more) {
        struct ofpmsg *reply = ofctl_recv(c);
        const struct ofp_header *oh = ofpmsg_header(reply);
        enum ofptype type;

        if (ntohl(oh->xid) != xid) {
            ofpmsg_delete(reply);
            continue;
        }
        if (ofptype_decode_msg(oh, &type)
            || type != OFPTYPE_FLOW_STATS_REPLY) {
            char *s = ofctl_msg_to_string(reply->data, reply->size);
            plx_fatal(0, "dump flows (%s)", s);
        }
        more = ofpmp_more(oh);

        size_t ofs = 0;
        for (;;) {
            struct ofputil_flow_stats fs;

            ofpa_buf_clear(&ofpacts);
            int retval = ofputil_decode_flow_stats_reply(oh, &ofs, &fs,
                                                         &ofpacts);
            if (retval == EOF) {
                break;
            } else if (retval) {
                plx_fatal(0, "dump flows (%s)", ofperr_to_string(retval));
            }
            fs.ofpacts = (fs.ofpacts_len
                          ? xmemdup(fs.ofpacts, fs.ofpacts_len) : NULL);
            if (fes->n >= fes->allocated) {
                fes->entries = x2nrealloc(fes->entries, &fes->allocated,
                                          sizeof *fes->entries);
            }
            fes->entries[fes->n] = (struct flow_entry) { fs, fes->n };
            fes->n++;
        }
        ofpmsg_delete(reply);
    }
    ofpa_buf_uninit(&ofpacts);
}

static int
compare_flow_entries(const void *a_, const void *b_)
{
    const struct flow_entry *a = a_;
    const struct flow_entry *b = b_;

    if (a->fs.priority != b->fs.priority) {
        int ret = a->fs.priority < b->fs.priority ? -1 : 1;
        return ofctl_opts.sort > 0 ? ret : -ret;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static struct ofctl_conn *
prepare_dump_flows(struct plx_cmdl_context *ctx, bool aggregate,
                   struct ofputil_flow_stats_request *fsr)
{
    char *error = ofputil_parse_flow_stats_request_str(
        ctx->argc > 2 ? ctx->argv[2] : "", aggregate, fsr);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    return ofctl_open_highest(ctx->argv[1], flow_stats_request_usable(fsr),
                              ctx->argv[0]);
}

void
ofctl_cmd_dump_flows(struct plx_cmdl_context *ctx)
{
    struct ofputil_flow_stats_request fsr;
    struct ofctl_conn *c = prepare_dump_flows(ctx, false, &fsr);

    if (!ofctl_opts.sort && ofctl_opts.show_stats) {
        ofctl_dump_transaction(c, ofputil_encode_flow_stats_request(
                                   &fsr, ofctl_version(c),
                                   ofpmsg_next_xid()));
    } else {
        struct flow_entries fes;
        struct ds s = DS_EMPTY_INITIALIZER;

        collect_flows(c, &fsr, &fes);
        if (ofctl_opts.sort) {
            qsort(fes.entries, fes.n, sizeof *fes.entries,
                  compare_flow_entries);
        }
        for (size_t i = 0; i < fes.n; i++) {
            ds_clear(&s);
            ofputil_flow_stats_format(&fes.entries[i].fs,
                                      ofctl_opts.show_stats, &s);
            printf(" %s\n", ds_cstr(&s));
        }
        ds_destroy(&s);
        flow_entries_destroy(&fes);
    }
    ofctl_close(c);
}

void
ofctl_cmd_dump_aggregate(struct plx_cmdl_context *ctx)
{
    struct ofputil_flow_stats_request fsr;
    struct ofctl_conn *c = prepare_dump_flows(ctx, true, &fsr);

    ofctl_dump_transaction(c, ofputil_encode_flow_stats_request(
                               &fsr, ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}

/* ---- replace-flows and diff-flows. ---- */

static void
read_flows_from_switch(struct ofctl_conn *c, struct ofctl_ftes *ftes,
                       int index)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .table_id = OFPTT_ALL,
        .out_port = MF_OFPP_ANY,
        .out_group = OFPUTIL_GROUP_ANY,
    };
    struct flow_entries fes;

    match_init_catchall(&fsr.match);
    collect_flows(c, &fsr, &fes);
    for (size_t i = 0; i < fes.n; i++) {
        ofctl_ftes_insert_flow_stats(ftes, &fes.entries[i].fs, index);
    }
    flow_entries_destroy(&fes);
}

/* Reads FILE_NAME's flows as version INDEX of FTES; returns the versions
 * that can express all of them. */
static uint32_t
read_flows_from_file(const char *file_name, struct ofctl_ftes *ftes,
                     int index)
{
    struct ofctl_flow_mods fms = { NULL, 0 };
    uint32_t usable = OFCTL_ANY_VERSION;

    bool is_stdin = !strcmp(file_name, "-");
    FILE *stream = is_stdin ? stdin : fopen(file_name, "r");
    if (!stream) {
        plx_fatal(errno, "%s: open", file_name);
    }
    char *error = ofctl_parse_flow_file(stream, file_name, OFPUTIL_FC_ADD,
                                        &fms);
    if (!is_stdin) {
        fclose(stream);
    }
    if (error) {
        plx_fatal(0, "%s", error);
    }
    for (size_t i = 0; i < fms.n; i++) {
        usable &= flow_mod_usable(&fms.fms[i]);
        ofctl_ftes_insert_flow_mod(ftes, &fms.fms[i], index);
    }
    ofctl_flow_mods_destroy(&fms);
    return usable;
}

static void
fte_make_flow_mod(const struct ofctl_fte *fte, int index,
                  enum ofputil_flow_mod_command command, uint8_t version,
                  struct plx_list *requests)
{
    const struct ofctl_fte_version *v = fte->versions[index];
    bool actions = command == OFPUTIL_FC_ADD;
    struct ofputil_flow_mod fm = {
        .command = command,
        .match = fte->match,
        .priority = fte->priority,
        .table_id = fte->table_id,
        .new_cookie = v->cookie,
        .modify_cookie = true,
        .idle_timeout = v->idle_timeout,
        .hard_timeout = v->hard_timeout,
        .buffer_id = OFP_NO_BUFFER,
        .out_port = MF_OFPP_ANY,
        .out_group = OFPUTIL_GROUP_ANY,
        .flags = v->flags,
        .ofpacts = actions ? v->ofpacts : NULL,
        .ofpacts_len = actions ? v->ofpacts_len : 0,
    };
    if (version == OFP10_VERSION && command != OFPUTIL_FC_ADD) {
        /* OpenFlow 1.0 has no table id: a delete covers every table. */
        fm.table_id = OFPTT_ALL;
    }
    struct ofpmsg *msg = encode_flow_mod(&fm, version);
    plx_list_push_back(requests, &msg->list_node);
}

void
ofctl_cmd_replace_flows(struct plx_cmdl_context *ctx)
{
    enum { FILE_IDX = 0, SWITCH_IDX = 1 };
    struct plx_list requests = PLX_LIST_INITIALIZER(&requests);
    struct ofctl_ftes ftes;

    ofctl_ftes_init(&ftes);
    uint32_t usable = read_flows_from_file(ctx->argv[2], &ftes, FILE_IDX);
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], usable, ctx->argv[0]);
    uint8_t version = ofctl_version(c);
    read_flows_from_switch(c, &ftes, SWITCH_IDX);

    size_t n;
    struct ofctl_fte **sorted = ofctl_ftes_sorted(&ftes, &n);
    for (size_t i = 0; i < n; i++) {
        if (sorted[i]->versions[SWITCH_IDX]
            && !sorted[i]->versions[FILE_IDX]) {
            fte_make_flow_mod(sorted[i], SWITCH_IDX,
                              OFPUTIL_FC_DELETE_STRICT, version, &requests);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct ofctl_fte_version *file_ver
            = sorted[i]->versions[FILE_IDX];
        const struct ofctl_fte_version *sw_ver
            = sorted[i]->versions[SWITCH_IDX];
        if (file_ver && (ofctl_opts.readd || !sw_ver
                         || !ofctl_fte_version_equal(sw_ver, file_ver))) {
            fte_make_flow_mod(sorted[i], FILE_IDX, OFPUTIL_FC_ADD, version,
                              &requests);
        }
    }
    free(sorted);

    ofctl_transact_noreply_list(c, &requests);
    ofctl_close(c);
    ofctl_ftes_destroy(&ftes);
}

static void
read_flows_from_source(const char *source, struct ofctl_ftes *ftes,
                       int index)
{
    struct stat st;

    if (source[0] == '/' || source[0] == '.' || !strcmp(source, "-")
        || (!strchr(source, ':') && !stat(source, &st)
            && !S_ISSOCK(st.st_mode))) {
        read_flows_from_file(source, ftes, index);
    } else {
        struct ofctl_conn *c = ofctl_open(source, OFCTL_ANY_VERSION,
                                          "diff-flows");
        read_flows_from_switch(c, ftes, index);
        ofctl_close(c);
    }
}

void
ofctl_cmd_diff_flows(struct plx_cmdl_context *ctx)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofctl_ftes ftes;

    ofctl_ftes_init(&ftes);
    read_flows_from_source(ctx->argv[1], &ftes, 0);
    read_flows_from_source(ctx->argv[2], &ftes, 1);
    bool differences = ofctl_ftes_diff(&ftes, &s);
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    ofctl_ftes_destroy(&ftes);
    if (differences) {
        exit(2);
    }
}

/* ---- packet-out. ---- */

/* Parses HEX, hex digits optionally separated by white space, as an
 * Ethernet frame. */
static void *
eth_from_hex(const char *hex, size_t *lenp)
{
    uint8_t *data = xzalloc(strlen(hex) / 2 + 1);
    size_t n = 0;

    for (const char *p = hex; *p; ) {
        if (isspace((unsigned char) *p)) {
            p++;
            continue;
        }
        if (!isxdigit((unsigned char) p[0])
            || !isxdigit((unsigned char) p[1])) {
            plx_fatal(0, "Trailing garbage in packet data");
        }
        char byte[3] = { p[0], p[1], '\0' };
        data[n++] = strtoul(byte, NULL, 16);
        p += 2;
    }
    if (n < ETH_HEADER_LEN) {
        plx_fatal(0, "Packet data too short for Ethernet");
    }
    *lenp = n;
    return data;
}

static uint32_t
packet_out_usable(const struct ofputil_packet_out *po)
{
    enum ofperr error;
    struct ofpmsg *msg = ofputil_encode_packet_out(po, OFP10_VERSION, 0,
                                                   &error);
    if (!msg) {
        return OFCTL_OF13;
    }
    ofpmsg_delete(msg);
    return OFCTL_ANY_VERSION;
}

static void
send_packet_out(struct ofctl_conn *c, const struct ofputil_packet_out *po)
{
    enum ofperr error;
    struct ofpmsg *msg = ofputil_encode_packet_out(po, ofctl_version(c),
                                                   ofpmsg_next_xid(),
                                                   &error);
    if (!msg) {
        plx_fatal(0, "cannot encode packet-out (%s)",
                  ofperr_get_name(error));
    }
    ofctl_transact_noreply(c, msg);
}

void
ofctl_cmd_packet_out(struct plx_cmdl_context *ctx)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;

    if (ctx->argc == 3) {
        void *packet;
        char *error = ofputil_parse_packet_out_str(ctx->argv[2], &po,
                                                   &packet, &ofpacts);
        if (error) {
            plx_fatal(0, "%s", error);
        }
        struct ofctl_conn *c = ofctl_open(ctx->argv[1],
                                          packet_out_usable(&po),
                                          "packet-out");
        send_packet_out(c, &po);
        ofctl_close(c);
        free(packet);
    } else if (ctx->argc > 4) {
        /* The old syntax: SWITCH IN_PORT ACTIONS PACKET... */
        char *error = ofpacts_text_parse(ctx->argv[3], &ofpacts);
        if (error) {
            plx_fatal(0, "%s", error);
        }
        struct ofctl_conn *c = NULL;
        uint32_t in_port = MF_OFPP_CONTROLLER;
        for (int i = 4; i < ctx->argc; i++) {
            size_t len;
            void *packet = eth_from_hex(ctx->argv[i], &len);

            po = (struct ofputil_packet_out) {
                .packet = packet,
                .packet_len = len,
                .buffer_id = OFP_NO_BUFFER,
                .in_port = MF_OFPP_CONTROLLER,
                .ofpacts = ofpacts.data,
                .ofpacts_len = ofpacts.size,
            };
            if (!c) {
                c = ofctl_open(ctx->argv[1], packet_out_usable(&po),
                               "packet-out");
                in_port = ofctl_port_from_string(c, ctx->argv[2]);
                if (in_port == MF_OFPP_ANY) {
                    in_port = MF_OFPP_CONTROLLER;   /* "none". */
                }
            }
            po.in_port = in_port;
            send_packet_out(c, &po);
            free(packet);
        }
        ofctl_close(c);
    } else {
        plx_fatal(0, "Too many arguments (%d)", ctx->argc);
    }
    ofpa_buf_uninit(&ofpacts);
}
