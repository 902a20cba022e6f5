/* ofp-flow-tool: a command-line face of lib/ofp-flow.c for
 * tests/interop/test_ofp_flow.py.
 *
 *   ofp-flow-tool flow-mods VERSION FILE
 *       Parses each line of FILE as an add-flows line (leading command
 *       word allowed; blank lines and lines starting with '#' skipped)
 *       and prints the FLOW_MOD that Plexus encodes for it in VERSION
 *       (10 or 13), in hex, one per line ("error: ..." if it fails).
 *
 *   ofp-flow-tool stats-reply VERSION FILE
 *       Makes a flow statistics reply holding one flow per line of FILE
 *       (parsed as add-flow), with made-up durations and counters.
 *       Prints "msg HEX" for each reply message, then decodes those
 *       messages and prints "flow TEXT" per flow as dump-flows would,
 *       then "nostats TEXT" per flow as dump-flows --no-stats would.
 *
 *   ofp-flow-tool stats-request VERSION flow|aggregate ARGS
 *       Prints the flow or aggregate statistics request Plexus encodes
 *       for dump-flows/dump-aggregate ARGS, in hex.
 *
 *   ofp-flow-tool aggregate-reply REQUEST-HEX PACKETS BYTES FLOWS
 *       Prints the aggregate statistics reply to REQUEST in hex.
 *
 *   ofp-flow-tool decode HEX
 *       Decodes a FLOW_MOD, FLOW_REMOVED or flow statistics request or
 *       reply and prints "ok" or the name of the error. */
#include <config.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofp-msgs.h"
#include "util.h"

static void
print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

static size_t
parse_hex(const char *s, uint8_t *buf, size_t size)
{
    size_t n = 0;

    while (*s) {
        unsigned int byte;
        if (*s == ' ' || *s == '\n') {
            s++;
            continue;
        }
        if (n >= size || sscanf(s, "%2x", &byte) != 1 || !s[1]) {
            plx_fatal(0, "bad hex");
        }
        buf[n++] = byte;
        s += 2;
    }
    return n;
}

static uint8_t
parse_version(const char *s)
{
    if (!strcmp(s, "10")) {
        return OFP10_VERSION;
    } else if (!strcmp(s, "13")) {
        return OFP13_VERSION;
    }
    plx_fatal(0, "%s: version must be 10 or 13", s);
}

/* Calls CB for each nonblank, non-comment line of FILE. */
static void
for_each_line(const char *file, void (*cb)(const char *, uint8_t, void *),
              uint8_t version, void *aux)
{
    FILE *stream = fopen(file, "r");
    char line[4096];

    if (!stream) {
        plx_fatal(errno, "%s: open failed", file);
    }
    while (fgets(line, sizeof line, stream)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[strspn(line, " \t")] && line[0] != '#') {
            cb(line, version, aux);
        }
    }
    fclose(stream);
}

static void
flow_mod_line(const char *line, uint8_t version, void *aux PLX_UNUSED)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    char *error = ofputil_parse_flow_mod_str(line, -1, &fm, &ofpacts);

    if (error) {
        printf("error: %s\n", error);
        free(error);
    } else {
        enum ofperr err;
        struct ofpmsg *msg = ofputil_encode_flow_mod(&fm, version, 0, &err);
        if (msg) {
            print_hex(msg->data, msg->size);
            putchar('\n');
            ofpmsg_delete(msg);
        } else {
            printf("error: %s\n", ofperr_get_name(err));
        }
    }
    ofpa_buf_uninit(&ofpacts);
}

static void
stats_line(const char *line, uint8_t version PLX_UNUSED, void *replies_)
{
    static unsigned int n;
    struct plx_list *replies = replies_;
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    char *error = ofputil_parse_flow_mod_str(line, OFPUTIL_FC_ADD, &fm,
                                             &ofpacts);
    if (error) {
        plx_fatal(0, "%s: %s", line, error);
    }

    struct ofputil_flow_stats fs = {
        .match = fm.match,
        .priority = fm.priority,
        .table_id = fm.table_id == OFPTT_ALL ? 0 : fm.table_id,
        .cookie = fm.new_cookie,
        .duration_sec = n * 7,
        .duration_nsec = (n % 3 == 0 ? 0 : n % 3 == 1 ? 250000000
                          : 123456789),
        .idle_timeout = fm.idle_timeout,
        .hard_timeout = fm.hard_timeout,
        .flags = fm.flags,
        .packet_count = n * 11,
        .byte_count = n * 1111,
        .ofpacts = fm.ofpacts,
        .ofpacts_len = fm.ofpacts_len,
    };
    n++;
    enum ofperr err = ofputil_append_flow_stats_reply(&fs, replies);
    if (err) {
        plx_fatal(0, "%s: %s", line, ofperr_get_name(err));
    }
    ofpa_buf_uninit(&ofpacts);
}

static void
stats_reply(uint8_t version, const char *file)
{
    struct ofpmsg *request = ofputil_encode_multipart_request(
        OFPTYPE_DESC_STATS_REQUEST, version, 0);
    struct plx_list replies;
    struct ofpmsg *msg;

    ofpmp_init(&replies, OFPTYPE_FLOW_STATS_REPLY, ofpmsg_header(request));
    for_each_line(file, stats_line, version, &replies);
    LIST_FOR_EACH (msg, list_node, &replies) {
        printf("msg ");
        print_hex(msg->data, msg->size);
        putchar('\n');
    }
    LIST_FOR_EACH (msg, list_node, &replies) {
        struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
        struct ofputil_flow_stats fs;
        int retval;

        for (int show = 1; show >= 0; show--) {
            size_t ofs = 0;
            while (!(retval = ofputil_decode_flow_stats_reply(
                         ofpmsg_header(msg), &ofs, &fs, &ofpacts))) {
                struct ds s = DS_EMPTY_INITIALIZER;
                ofputil_flow_stats_format(&fs, show, &s);
                printf("%s %s\n", show ? "flow" : "nostats", ds_cstr(&s));
                ds_destroy(&s);
                ofpa_buf_clear(&ofpacts);
            }
            if (retval != EOF) {
                printf("error: %s\n", ofperr_get_name(retval));
            }
        }
        ofpa_buf_uninit(&ofpacts);
    }
    ofpmsg_list_delete(&replies);
    ofpmsg_delete(request);
}

static void
stats_request(uint8_t version, const char *kind, const char *args)
{
    struct ofputil_flow_stats_request fsr;
    char *error = ofputil_parse_flow_stats_request_str(
        args, !strcmp(kind, "aggregate"), &fsr);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    struct ofpmsg *msg = ofputil_encode_flow_stats_request(&fsr, version, 0);
    print_hex(msg->data, msg->size);
    putchar('\n');
    ofpmsg_delete(msg);
}

static void
aggregate_reply(const char *request_hex, char *argv[])
{
    static uint8_t buf[65536];
    size_t n = parse_hex(request_hex, buf, sizeof buf);
    struct ofputil_flow_stats_request fsr;
    enum ofperr error;

    if (n < 8 || (error = ofputil_decode_flow_stats_request(
                      (const void *) buf, &fsr))) {
        plx_fatal(0, "bad request");
    }
    struct ofputil_aggregate_stats as = {
        .packet_count = strtoull(argv[0], NULL, 0),
        .byte_count = strtoull(argv[1], NULL, 0),
        .flow_count = strtoul(argv[2], NULL, 0),
    };
    struct ofpmsg *msg = ofputil_encode_aggregate_stats_reply(
        &as, (const void *) buf);
    print_hex(msg->data, msg->size);
    putchar('\n');
    ofpmsg_delete(msg);
}

static void
decode(const char *hex)
{
    static uint8_t buf[65536];
    size_t n = parse_hex(hex, buf, sizeof buf);
    const struct ofp_header *oh = (const void *) buf;
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    enum ofptype type;
    int error;

    error = ofptype_decode(buf, n, &type);
    if (!error) {
        if (type == OFPTYPE_FLOW_MOD) {
            struct ofputil_flow_mod fm;
            error = ofputil_decode_flow_mod(oh, &fm, &ofpacts);
        } else if (type == OFPTYPE_FLOW_REMOVED) {
            struct ofputil_flow_removed fr;
            error = ofputil_decode_flow_removed(oh, &fr);
        } else if (type == OFPTYPE_FLOW_STATS_REQUEST
                   || type == OFPTYPE_AGGREGATE_STATS_REQUEST) {
            struct ofputil_flow_stats_request fsr;
            error = ofputil_decode_flow_stats_request(oh, &fsr);
        } else if (type == OFPTYPE_FLOW_STATS_REPLY) {
            struct ofputil_flow_stats fs;
            size_t ofs = 0;
            while (!(error = ofputil_decode_flow_stats_reply(oh, &ofs, &fs,
                                                             &ofpacts))) {
                continue;
            }
            if (error == EOF) {
                error = 0;
            }
        } else {
            plx_fatal(0, "unexpected message type %s",
                      ofptype_get_name(type));
        }
    }
    printf("%s\n", error ? ofperr_get_name(error) : "ok");
    ofpa_buf_uninit(&ofpacts);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc == 4 && !strcmp(argv[1], "flow-mods")) {
        for_each_line(argv[3], flow_mod_line, parse_version(argv[2]), NULL);
    } else if (argc == 4 && !strcmp(argv[1], "stats-reply")) {
        stats_reply(parse_version(argv[2]), argv[3]);
    } else if (argc == 5 && !strcmp(argv[1], "stats-request")) {
        stats_request(parse_version(argv[2]), argv[3], argv[4]);
    } else if (argc == 6 && !strcmp(argv[1], "aggregate-reply")) {
        aggregate_reply(argv[2], argv + 3);
    } else if (argc == 3 && !strcmp(argv[1], "decode")) {
        decode(argv[2]);
    } else {
        plx_fatal(0, "usage: %s flow-mods|stats-reply VERSION FILE "
                  "| stats-request VERSION flow|aggregate ARGS "
                  "| aggregate-reply HEX PACKETS BYTES FLOWS "
                  "| decode HEX", program_name);
    }
    return 0;
}
