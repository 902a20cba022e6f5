/* Fuzz target for lib/ofp-flow: every decoder, in both versions, and the
 * ovs-ofctl flow text parser.
 *
 * Input: one selector byte, then the payload.
 *
 *   - Selector bit 0 picks the version (1.0 or 1.3); (selector >> 1) % 7
 *     picks the message: FLOW_MOD, FLOW_REMOVED, flow or aggregate
 *     statistics request, flow statistics reply, aggregate reply.  The
 *     payload becomes a whole message of that type: its header's version,
 *     type, length (and multipart type) are set so that the decoder gets
 *     past the type check, and the rest is arbitrary.  Whatever decodes
 *     re-encodes (where the actions can be said in that version) to a
 *     message that decodes to the same match and actions.
 *
 *   - Otherwise (kind 6) the payload is flow text for the parser, as an
 *     add-flows line (a leading command word picks the command) and as a
 *     dump-flows argument; what parses is encoded in both versions,
 *     formatted, and the formatted text parses again.
 *
 * Nothing may crash, read out of bounds or leak. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "match.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofp-msgs.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(COND) do { if (!(COND)) { abort(); } } while (0)

enum kind {
    K_FLOW_MOD,
    K_FLOW_REMOVED,
    K_FLOW_REQUEST,
    K_AGGREGATE_REQUEST,
    K_FLOW_REPLY,
    K_AGGREGATE_REPLY,
    K_TEXT,
    K_N
};

/* Wire type and multipart type of KIND in VERSION (-1: not multipart). */
static void
wire_type(enum kind kind, uint8_t version, uint8_t *type, int *stat)
{
    bool v10 = version == OFP10_VERSION;

    *stat = -1;
    switch (kind) {
    case K_FLOW_MOD:
        *type = 14;
        break;
    case K_FLOW_REMOVED:
        *type = 11;
        break;
    case K_FLOW_REQUEST:
    case K_AGGREGATE_REQUEST:
        *type = v10 ? 16 : 18;
        *stat = kind == K_FLOW_REQUEST ? OFPMP_FLOW : OFPMP_AGGREGATE;
        break;
    case K_FLOW_REPLY:
    case K_AGGREGATE_REPLY:
    case K_TEXT:
    case K_N:
    default:
        *type = v10 ? 17 : 19;
        *stat = kind == K_FLOW_REPLY ? OFPMP_FLOW : OFPMP_AGGREGATE;
        break;
    }
}

static void
check_flow_mod(const struct ofp_header *oh)
{
    struct ofpa_buf a = OFPA_BUF_INITIALIZER, b = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm, back;
    enum ofperr error;

    if (!ofputil_decode_flow_mod(oh, &fm, &a)) {
        struct ofpmsg *msg = ofputil_encode_flow_mod(&fm, oh->version, 1,
                                                     &error);
        if (msg) {
            REQUIRE(!ofputil_decode_flow_mod(ofpmsg_header(msg), &back,
                                             &b));
            REQUIRE(match_equal(&fm.match, &back.match));
            REQUIRE(back.command == fm.command);
            ofpmsg_delete(msg);
        }
    } else {
        REQUIRE(a.size == 0);
    }
    ofpa_buf_uninit(&a);
    ofpa_buf_uninit(&b);
}

static void
check_flow_removed(const struct ofp_header *oh)
{
    struct ofputil_flow_removed fr, back;

    if (!ofputil_decode_flow_removed(oh, &fr)) {
        struct ofpmsg *msg = ofputil_encode_flow_removed(&fr, oh->version);
        REQUIRE(!ofputil_decode_flow_removed(ofpmsg_header(msg), &back));
        REQUIRE(match_equal(&fr.match, &back.match));
        ofpmsg_delete(msg);
    }
}

static void
check_request(const struct ofp_header *oh)
{
    struct ofputil_flow_stats_request fsr, back;

    if (!ofputil_decode_flow_stats_request(oh, &fsr)) {
        struct ofpmsg *msg = ofputil_encode_flow_stats_request(
            &fsr, oh->version, 1);
        REQUIRE(!ofputil_decode_flow_stats_request(ofpmsg_header(msg),
                                                   &back));
        REQUIRE(match_equal(&fsr.match, &back.match));
        REQUIRE(fsr.aggregate == back.aggregate);
        ofpmsg_delete(msg);
    }
}

static void
check_flow_reply(const struct ofp_header *oh)
{
    struct ofpmsg *req = ofputil_encode_multipart_request(
        OFPTYPE_DESC_STATS_REQUEST, oh->version, 1);
    struct ofpa_buf a = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_stats fs;
    struct plx_list replies;
    size_t ofs = 0;
    int n = 0;

    ofpmp_init(&replies, OFPTYPE_FLOW_STATS_REPLY, ofpmsg_header(req));
    while (!ofputil_decode_flow_stats_reply(oh, &ofs, &fs, &a)) {
        struct ds s = DS_EMPTY_INITIALIZER;

        ofputil_flow_stats_format(&fs, n & 1, &s);
        ds_destroy(&s);
        if (!ofputil_append_flow_stats_reply(&fs, &replies)) {
            n++;
        }
        ofpa_buf_clear(&a);
    }

    /* What was re-encoded decodes again, flow for flow. */
    struct ofpmsg *msg;
    int m = 0;
    LIST_FOR_EACH (msg, list_node, &replies) {
        ofs = 0;
        while (!ofputil_decode_flow_stats_reply(ofpmsg_header(msg), &ofs,
                                                &fs, &a)) {
            m++;
            ofpa_buf_clear(&a);
        }
    }
    REQUIRE(m == n);
    ofpmsg_list_delete(&replies);
    ofpmsg_delete(req);
    ofpa_buf_uninit(&a);
}

static void
check_aggregate_reply(const struct ofp_header *oh)
{
    struct ofputil_aggregate_stats as;

    (void) ofputil_decode_aggregate_stats_reply(oh, &as);
}

static void
check_message(enum kind kind, uint8_t version, const uint8_t *payload,
              size_t n)
{
    uint8_t type;
    int stat;
    size_t hdr;

    wire_type(kind, version, &type, &stat);
    hdr = (stat < 0 ? 8 : version == OFP10_VERSION ? 12 : 16);
    if (hdr + n > OFP_MAX_MSG_LEN) {
        return;
    }

    /* An exact-size buffer, so that ASan sees any read past the end. */
    uint8_t *buf = xmalloc(hdr + n);
    struct ofp_header *oh = (void *) buf;
    memset(buf, 0, hdr);
    oh->version = version;
    oh->type = type;
    oh->length = htons(hdr + n);
    if (stat >= 0) {
        buf[9] = stat;
    }
    memcpy(buf + hdr, payload, n);

    switch (kind) {
    case K_FLOW_MOD:
        check_flow_mod(oh);
        break;
    case K_FLOW_REMOVED:
        check_flow_removed(oh);
        break;
    case K_FLOW_REQUEST:
    case K_AGGREGATE_REQUEST:
        check_request(oh);
        break;
    case K_FLOW_REPLY:
        check_flow_reply(oh);
        break;
    case K_AGGREGATE_REPLY:
    case K_TEXT:
    case K_N:
    default:
        check_aggregate_reply(oh);
        break;
    }
    free(buf);
}

static void
check_text(bool aggregate, const uint8_t *payload, size_t n)
{
    struct ofpa_buf a = OFPA_BUF_INITIALIZER, b = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_stats_request fsr;
    struct ofputil_flow_mod fm, again;
    char *s = xmemdup0((const char *) payload, n);
    char *error;

    error = ofputil_parse_flow_stats_request_str(s, aggregate, &fsr);
    free(error);

    error = ofputil_parse_flow_mod_str(s, -1, &fm, &a);
    if (!error) {
        for (int v = 0; v < 2; v++) {
            enum ofperr err;
            struct ofpmsg *msg = ofputil_encode_flow_mod(
                &fm, v ? OFP13_VERSION : OFP10_VERSION, 1, &err);
            ofpmsg_delete(msg);
        }

        /* dump-flows text of an add parses back to the same match. */
        if (fm.command == OFPUTIL_FC_ADD) {
            struct ofputil_flow_stats fs = {
                .match = fm.match,
                .priority = fm.priority,
                .table_id = fm.table_id == OFPTT_ALL ? 0 : fm.table_id,
                .cookie = fm.new_cookie,
                .idle_timeout = fm.idle_timeout,
                .hard_timeout = fm.hard_timeout,
                .flags = fm.flags,
                .ofpacts = fm.ofpacts,
                .ofpacts_len = fm.ofpacts_len,
            };
            struct ds ds = DS_EMPTY_INITIALIZER;

            ofputil_flow_stats_format(&fs, true, &ds);
            error = ofputil_parse_flow_mod_str(ds_cstr(&ds), OFPUTIL_FC_ADD,
                                               &again, &b);
            REQUIRE(!error);
            REQUIRE(match_equal(&fm.match, &again.match));
            REQUIRE(again.priority == fm.priority);
            ds_destroy(&ds);
        }
    }
    free(error);
    free(s);
    ofpa_buf_uninit(&a);
    ofpa_buf_uninit(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }
    uint8_t sel = data[0];
    uint8_t version = sel & 1 ? OFP13_VERSION : OFP10_VERSION;
    enum kind kind = (sel >> 1) % K_N;

    if (kind == K_TEXT) {
        check_text(sel & 1, data + 1, size - 1);
    } else {
        check_message(kind, version, data + 1, size - 1);
    }
    return 0;
}
