/* Fuzz target for lib/ofp-packet: both PACKET_IN and PACKET_OUT decoders
 * in both versions, and the packet-out text parser.
 *
 * Input: one selector byte, then the rest.
 *   - Selector bit 0 set: the rest is packet-out text (NUL-terminated
 *     here).  What parses must encode in OpenFlow 1.3 (and in 1.0 unless
 *     an action or the port has no 1.0 form) and decode back to the same
 *     input port, packet and (same-version) actions.
 *   - Otherwise: the rest is a message body; bit 1 picks the version
 *     (1.0/1.3), bit 2 the type (PACKET_IN/PACKET_OUT), and a header is
 *     put in front.  Decoding never crashes or reads out of bounds; what
 *     decodes re-encodes, and decoding and encoding that again gives the
 *     same decoded values and the same bytes. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(COND) do { if (!(COND)) { abort(); } } while (0)

static bool
same_msg(const struct ofpmsg *a, const struct ofpmsg *b)
{
    return a->size == b->size && !memcmp(a->data, b->data, a->size);
}

static bool
same_pin(const struct ofputil_packet_in *a, const struct ofputil_packet_in *b)
{
    return (a->packet_len == b->packet_len
            && !memcmp(a->packet, b->packet, a->packet_len)
            && a->total_len == b->total_len
            && a->buffer_id == b->buffer_id
            && a->reason == b->reason
            && a->table_id == b->table_id
            && a->cookie == b->cookie
            && match_equal(&a->flow_metadata, &b->flow_metadata));
}

static void
check_packet_in(const struct ofp_header *oh)
{
    struct ofputil_packet_in p1, p2, p3;

    if (ofputil_decode_packet_in(oh, &p1)) {
        return;
    }
    /* A lenient 1.3 match may hold fields that encoding leaves out, so
     * compare from the first re-encoding on. */
    struct ofpmsg *m1 = ofputil_encode_packet_in(&p1, oh->version);
    REQUIRE(!ofputil_decode_packet_in(ofpmsg_header(m1), &p2));
    REQUIRE(p2.packet_len == p1.packet_len || m1->size == OFP_MAX_MSG_LEN);
    REQUIRE(!memcmp(p2.packet, p1.packet, p2.packet_len));
    REQUIRE(p2.flow_metadata.flow.in_port == p1.flow_metadata.flow.in_port);
    struct ofpmsg *m2 = ofputil_encode_packet_in(&p2, oh->version);
    REQUIRE(!ofputil_decode_packet_in(ofpmsg_header(m2), &p3));
    REQUIRE(same_pin(&p2, &p3));
    REQUIRE(same_msg(m1, m2));
    ofpmsg_delete(m1);
    ofpmsg_delete(m2);
}

static bool
same_po(const struct ofputil_packet_out *a,
        const struct ofputil_packet_out *b)
{
    return (a->buffer_id == b->buffer_id
            && a->in_port == b->in_port
            && a->packet_len == b->packet_len
            && (!a->packet_len || !memcmp(a->packet, b->packet,
                                          a->packet_len))
            && ofpacts_same(a->ofpacts, a->ofpacts_len,
                            b->ofpacts, b->ofpacts_len));
}

static void
check_packet_out(const struct ofp_header *oh)
{
    struct ofpa_buf a1 = OFPA_BUF_INITIALIZER, a2 = OFPA_BUF_INITIALIZER;
    struct ofpa_buf a3 = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out p1, p2, p3;
    enum ofperr error;

    if (!ofputil_decode_packet_out(oh, &p1, &a1)) {
        struct ofpmsg *m1 = ofputil_encode_packet_out(&p1, oh->version, 0,
                                                      &error);
        if (m1) {
            REQUIRE(!ofputil_decode_packet_out(ofpmsg_header(m1), &p2,
                                               &a2));
            REQUIRE(same_po(&p1, &p2));
            struct ofpmsg *m2 = ofputil_encode_packet_out(&p2, oh->version,
                                                          0, &error);
            REQUIRE(m2);
            REQUIRE(!ofputil_decode_packet_out(ofpmsg_header(m2), &p3,
                                               &a3));
            REQUIRE(same_po(&p2, &p3));
            REQUIRE(same_msg(m1, m2));
            ofpmsg_delete(m1);
            ofpmsg_delete(m2);
        }
    }
    ofpa_buf_uninit(&a1);
    ofpa_buf_uninit(&a2);
    ofpa_buf_uninit(&a3);
}

static void
check_text(const uint8_t *data, size_t size)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    char *s = xmemdup0((const char *) data, size);
    void *packet;
    char *error = ofputil_parse_packet_out_str(s, &po, &packet, &acts);

    if (error) {
        REQUIRE(!packet && !acts.size);
        free(error);
    } else {
        static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

        REQUIRE(packet && po.packet == packet && po.packet_len >= 14);
        for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
            struct ofpa_buf back_acts = OFPA_BUF_INITIALIZER;
            struct ofputil_packet_out back;
            enum ofperr err;
            struct ofpmsg *msg = ofputil_encode_packet_out(&po, versions[i],
                                                           0, &err);
            if (!msg) {
                continue;
            }
            err = ofputil_decode_packet_out(ofpmsg_header(msg), &back,
                                            &back_acts);
            /* "in_port=65280" parses (as in ovs-ofctl) but no switch
             * takes it. */
            REQUIRE(po.in_port == MF_OFPP_MAX ? err == OFPERR_OFPBRC_BAD_PORT
                    : !err);
            if (!err) {
                REQUIRE(back.in_port == po.in_port);
                REQUIRE(back.packet_len == po.packet_len
                        && !memcmp(back.packet, po.packet, po.packet_len));
            }
            ofpmsg_delete(msg);
            ofpa_buf_uninit(&back_acts);
        }
        free(packet);
    }
    ofpa_buf_uninit(&acts);
    free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t sel = data[0];
    data++;
    size--;

    if (sel & 1) {
        check_text(data, size);
        return 0;
    }

    size = MIN(size, OFP_MAX_MSG_LEN - sizeof(struct ofp_header));
    uint8_t version = sel & 2 ? OFP13_VERSION : OFP10_VERSION;
    bool pin = !(sel & 4);
    struct ofpmsg *msg = ofpmsg_clone_data("", 0);
    struct ofp_header *oh = ofpmsg_put_zeros(msg, sizeof *oh);

    oh->version = version;
    oh->type = pin ? OFPT10_PACKET_IN : OFPT10_PACKET_OUT;
    oh->xid = htonl(sel);
    ofpmsg_put(msg, data, size);
    ofpmsg_finish(msg);

    if (pin) {
        check_packet_in(ofpmsg_header(msg));
    } else {
        check_packet_out(ofpmsg_header(msg));
    }
    ofpmsg_delete(msg);
    return 0;
}
