/*
 * ofctl-groups: plx-ofctl's group and meter commands, as ovs-ofctl runs
 * them.  Both exist only from OpenFlow 1.1 on, so these commands use
 * OpenFlow 1.3 (see ofctl.h).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "command-line.h"
#include "dynamic-string.h"
#include "ofctl-file.h"
#include "ofctl.h"
#include "ofp-group.h"
#include "ofp-meter.h"
#include "ofp-msgs.h"

/* ---- Groups. ---- */

static void
run_group_mods(const char *target, struct ofputil_group_mod *gms, size_t n)
{
    struct ofctl_conn *c = ofctl_open(target, OFCTL_OF13, "group_mod");

    for (size_t i = 0; i < n; i++) {
        ofctl_transact_noreply(c, ofputil_encode_group_mod(
                                   &gms[i], ofctl_version(c),
                                   ofpmsg_next_xid()));
    }
    ofctl_close(c);
}

static void
group_mod_file(const char *target, const char *file_name, int command)
{
    bool is_stdin = !strcmp(file_name, "-");
    FILE *stream = is_stdin ? stdin : fopen(file_name, "r");
    if (!stream) {
        plx_fatal(errno, "%s: open", file_name);
    }

    struct ofputil_group_mod *gms = NULL;
    size_t n = 0, allocated = 0;
    struct ds line = DS_EMPTY_INITIALIZER;
    int line_number = 0;
    while (!ofctl_read_flow_line(stream, &line, &line_number)) {
        if (n >= allocated) {
            gms = x2nrealloc(gms, &allocated, sizeof *gms);
        }
        char *error = ofputil_parse_group_mod(ds_cstr(&line), command,
                                              &gms[n]);
        if (error) {
            plx_fatal(0, "%s:%d: %s", file_name, line_number, error);
        }
        n++;
    }
    ds_destroy(&line);
    if (!is_stdin) {
        fclose(stream);
    }

    run_group_mods(target, gms, n);
    for (size_t i = 0; i < n; i++) {
        ofputil_group_mod_uninit(&gms[i]);
    }
    free(gms);
}

static void
group_mod_cmd(struct plx_cmdl_context *ctx, int command)
{
    if (ctx->argc > 2 && !strcmp(ctx->argv[2], "-")) {
        group_mod_file(ctx->argv[1], "-", command);
        return;
    }

    struct ofputil_group_mod gm;
    char *error = ofputil_parse_group_mod(ctx->argc > 2 ? ctx->argv[2] : "",
                                          command, &gm);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    run_group_mods(ctx->argv[1], &gm, 1);
    ofputil_group_mod_uninit(&gm);
}

void
ofctl_cmd_add_group(struct plx_cmdl_context *ctx)
{
    group_mod_cmd(ctx, OFPGC11_ADD);
}

void
ofctl_cmd_add_groups(struct plx_cmdl_context *ctx)
{
    /* Each line may start with its own command word. */
    group_mod_file(ctx->argv[1], ctx->argv[2], -2);
}

void
ofctl_cmd_mod_group(struct plx_cmdl_context *ctx)
{
    group_mod_cmd(ctx, ofctl_opts.may_create ? OFPGC11_ADD_OR_MOD
                  : OFPGC11_MODIFY);
}

void
ofctl_cmd_del_groups(struct plx_cmdl_context *ctx)
{
    group_mod_cmd(ctx, OFPGC11_DELETE);
}

void
ofctl_cmd_dump_groups(struct plx_cmdl_context *ctx)
{
    /* OpenFlow 1.3's group description request has no group id: like
     * ovs-ofctl, this dumps every group whatever GROUP says. */
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    ofctl_dump_transaction(c, ofputil_encode_multipart_request(
                               OFPTYPE_GROUP_DESC_STATS_REQUEST,
                               ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}

void
ofctl_cmd_dump_group_stats(struct plx_cmdl_context *ctx)
{
    struct ofputil_group_mod gm;
    char *error = ofputil_parse_group_mod(ctx->argc > 2 ? ctx->argv[2] : "",
                                          OFPGC11_DELETE, &gm);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    uint32_t group_id = gm.group_id;
    ofputil_group_mod_uninit(&gm);

    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    ofctl_dump_transaction(c, ofputil_encode_group_stats_request(
                               ofctl_version(c), ofpmsg_next_xid(),
                               group_id));
    ofctl_close(c);
}

void
ofctl_cmd_dump_group_features(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    ofctl_dump_transaction(c, ofputil_encode_multipart_request(
                               OFPTYPE_GROUP_FEATURES_STATS_REQUEST,
                               ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}

/* ---- Meters. ---- */

static void
meter_mod_cmd(struct plx_cmdl_context *ctx, int command)
{
    struct ofputil_meter_mod mm;
    char *error = ofputil_parse_meter_mod(ctx->argc > 2 ? ctx->argv[2]
                                          : NULL, command, &mm);
    if (error) {
        plx_fatal(0, "%s", error);
    }

    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      "meter_mod");
    ofctl_transact_noreply(c, ofputil_encode_meter_mod(&mm, ofctl_version(c),
                                                       ofpmsg_next_xid()));
    ofctl_close(c);
    ofputil_meter_mod_uninit(&mm);
}

void
ofctl_cmd_add_meter(struct plx_cmdl_context *ctx)
{
    meter_mod_cmd(ctx, OFPMC13_ADD);
}

void
ofctl_cmd_mod_meter(struct plx_cmdl_context *ctx)
{
    meter_mod_cmd(ctx, OFPMC13_MODIFY);
}

void
ofctl_cmd_del_meters(struct plx_cmdl_context *ctx)
{
    meter_mod_cmd(ctx, OFPMC13_DELETE);
}

static void
meter_request_cmd(struct plx_cmdl_context *ctx, bool stats)
{
    struct ofputil_meter_mod mm;
    char *error = ofputil_parse_meter_mod(ctx->argc > 2 ? ctx->argv[2]
                                          : NULL, -1, &mm);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    uint32_t meter_id = mm.meter.meter_id;
    ofputil_meter_mod_uninit(&mm);

    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    ofctl_dump_transaction(c, ofputil_encode_meter_request(
                               stats, ofctl_version(c), ofpmsg_next_xid(),
                               meter_id));
    ofctl_close(c);
}

void
ofctl_cmd_dump_meters(struct plx_cmdl_context *ctx)
{
    meter_request_cmd(ctx, false);
}

void
ofctl_cmd_meter_stats(struct plx_cmdl_context *ctx)
{
    meter_request_cmd(ctx, true);
}

void
ofctl_cmd_meter_features(struct plx_cmdl_context *ctx)
{
    struct ofctl_conn *c = ofctl_open(ctx->argv[1], OFCTL_OF13,
                                      ctx->argv[0]);
    ofctl_dump_transaction(c, ofputil_encode_multipart_request(
                               OFPTYPE_METER_FEATURES_STATS_REQUEST,
                               ofctl_version(c), ofpmsg_next_xid()));
    ofctl_close(c);
}
