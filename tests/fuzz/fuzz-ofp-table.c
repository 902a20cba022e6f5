/* Fuzz target for every decoder in lib/ofp-table (TABLE_MOD, table
 * features strict and loose, queue stats requests and replies, queue
 * configuration requests and replies) and for lib/ofp-print's
 * ofp_print_to_string(), which also runs lib/ofp-msgs' decoders of the
 * switch-description replies.
 *
 * Input: one OpenFlow message; its header length is overwritten with the
 * input size (capped at 65535), so that every input reaches the decoders.
 * Where an encoder exists, decode -> encode -> decode must give the same
 * decoded value. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "ofp-print.h"
#include "ofp-table.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(COND) do { if (!(COND)) { abort(); } } while (0)

static void
check_table_features(const struct ofp_header *oh)
{
    struct ofputil_table_features *tfs, *strict;
    size_t n, n_strict;

    (void) ofputil_table_features_request_is_set(oh);
    if (!ofputil_decode_table_features(oh, false, &strict, &n_strict)) {
        free(strict);
    }
    if (ofputil_decode_table_features(oh, true, &tfs, &n)) {
        return;
    }

    /* Re-encode as a reply (maybe several messages); decoding those
     * strictly gives back the same tables. */
    struct ofp_header req = { .version = oh->version, .xid = oh->xid };
    struct plx_list list;
    struct ofpmsg *msg;
    size_t total = 0;

    ofputil_encode_table_features_reply(&list, &req, tfs, n);
    LIST_FOR_EACH_POP (msg, list_node, &list) {
        struct ofputil_table_features *again;
        size_t m;

        REQUIRE(!ofputil_decode_table_features(ofpmsg_header(msg), false,
                                               &again, &m));
        REQUIRE(total + m <= n);
        REQUIRE(!m || !memcmp(again, &tfs[total], m * sizeof *again));
        total += m;
        free(again);
        ofpmsg_delete(msg);
    }
    REQUIRE(total == n);

    struct ds s = DS_EMPTY_INITIALIZER;
    ofp_print_table_features(&s, tfs, n);
    ds_destroy(&s);
    free(tfs);
}

static void
check_queue_stats(const struct ofp_header *oh, enum ofptype type)
{
    if (type == OFPTYPE_QUEUE_STATS_REQUEST) {
        struct ofputil_queue_stats_request r1, r2;
        if (!ofputil_decode_queue_stats_request(oh, &r1)) {
            struct ofpmsg *m = ofputil_encode_queue_stats_request(
                &r1, oh->version, 0);
            REQUIRE(!ofputil_decode_queue_stats_request(ofpmsg_header(m),
                                                        &r2));
            REQUIRE(r1.port_no == r2.port_no && r1.queue_id == r2.queue_id);
            ofpmsg_delete(m);
        }
    } else {
        struct ofputil_queue_stats *q1, *q2;
        struct plx_list list;
        size_t n1, n2;

        if (ofputil_decode_queue_stats_reply(oh, &q1, &n1)) {
            return;
        }
        ofputil_encode_queue_stats_reply(&list, oh, q1, n1);
        REQUIRE(plx_list_is_singleton(&list));
        struct ofpmsg *m = CONTAINER_OF(plx_list_pop_front(&list),
                                        struct ofpmsg, list_node);
        REQUIRE(!ofputil_decode_queue_stats_reply(ofpmsg_header(m), &q2,
                                                  &n2));
        REQUIRE(n1 == n2);
        for (size_t i = 0; i < n1; i++) {
            REQUIRE(q1[i].port_no == q2[i].port_no
                    && q1[i].queue_id == q2[i].queue_id
                    && q1[i].tx_bytes == q2[i].tx_bytes
                    && q1[i].tx_packets == q2[i].tx_packets
                    && q1[i].tx_errors == q2[i].tx_errors
                    && q1[i].duration_sec == q2[i].duration_sec);
        }
        free(q1);
        free(q2);
        ofpmsg_delete(m);
    }
}

static void
check_queue_config(const struct ofp_header *oh, enum ofptype type)
{
    if (type == OFPTYPE_QUEUE_GET_CONFIG_REQUEST) {
        uint32_t p1, p2;
        if (!ofputil_decode_queue_get_config_request(oh, &p1)) {
            struct ofpmsg *m = ofputil_encode_queue_get_config_request(
                oh->version, 0, p1);
            REQUIRE(!ofputil_decode_queue_get_config_request(
                        ofpmsg_header(m), &p2));
            REQUIRE(p1 == p2);
            ofpmsg_delete(m);
        }
    } else {
        struct ofputil_queue_config *q1, *q2;
        uint32_t port1, port2;
        size_t n1, n2;

        if (ofputil_decode_queue_get_config_reply(oh, &port1, &q1, &n1)) {
            return;
        }
        struct ofpmsg *m = ofputil_encode_queue_get_config_reply(oh, port1,
                                                                 q1, n1);
        REQUIRE(!ofputil_decode_queue_get_config_reply(ofpmsg_header(m),
                                                       &port2, &q2, &n2));
        REQUIRE(port1 == port2 && n1 == n2);
        for (size_t i = 0; i < n1; i++) {
            REQUIRE(q1[i].port_no == q2[i].port_no
                    && q1[i].queue_id == q2[i].queue_id
                    && q1[i].min_rate == q2[i].min_rate);
            REQUIRE(oh->version == OFP10_VERSION
                    || q1[i].max_rate == q2[i].max_rate);
        }
        free(q1);
        free(q2);
        ofpmsg_delete(m);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(struct ofp_header) || size > OFP_MAX_MSG_LEN) {
        char *s = ofp_print_to_string(data, size);
        free(s);
        return 0;
    }

    struct ofpmsg *msg = ofpmsg_clone_data(data, size);
    struct ofp_header *oh = ofpmsg_header(msg);
    enum ofptype type;

    oh->length = htons(size);
    char *s = ofp_print_to_string(msg->data, msg->size);
    REQUIRE(s && s[0] && s[strlen(s) - 1] == '\n');
    free(s);

    if (!ofptype_decode_msg(oh, &type)) {
        switch (type) {
        case OFPTYPE_TABLE_MOD: {
            struct ofputil_table_mod t1, t2;
            if (!ofputil_decode_table_mod(oh, &t1)) {
                (void) ofputil_check_table_mod(&t1, 254);
                struct ofpmsg *m = ofputil_encode_table_mod(&t1,
                                                            oh->version, 0);
                REQUIRE(!ofputil_decode_table_mod(ofpmsg_header(m), &t2));
                REQUIRE(t1.table_id == t2.table_id
                        && t1.config == t2.config);
                ofpmsg_delete(m);
            }
            break;
        }
        case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
        case OFPTYPE_TABLE_FEATURES_STATS_REPLY:
            check_table_features(oh);
            break;
        case OFPTYPE_QUEUE_STATS_REQUEST:
        case OFPTYPE_QUEUE_STATS_REPLY:
            check_queue_stats(oh, type);
            break;
        case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
        case OFPTYPE_QUEUE_GET_CONFIG_REPLY:
            check_queue_config(oh, type);
            break;
        default:
            break;
        }
    }
    ofpmsg_delete(msg);
    return 0;
}
