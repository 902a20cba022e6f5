/* Fuzz target for lib/ofp-meter: the METER_MOD and meter multipart
 * decoders, the formatter, and the text parser.
 *
 * Input: 1 selector byte, then either a message (selector even; its
 * header length is forced to the input size, as the framer guarantees)
 * or text for ofputil_parse_meter_mod() (selector odd; the command comes
 * from the selector).  Decoded messages must re-encode to bytes that
 * decode to the same values; parsed text must encode to a METER_MOD that
 * decodes to the same meter. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "ofp-meter.h"
#include "ofp-msgs.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(COND) do { if (!(COND)) { abort(); } } while (0)

static struct ofpmsg *
only(struct plx_list *list)
{
    REQUIRE(plx_list_is_singleton(list));
    return CONTAINER_OF(plx_list_pop_front(list), struct ofpmsg, list_node);
}

static bool
same_config(const struct ofputil_meter_config *a,
            const struct ofputil_meter_config *b)
{
    if (a->meter_id != b->meter_id || a->flags != b->flags
        || a->n_bands != b->n_bands) {
        return false;
    }
    for (size_t i = 0; i < a->n_bands; i++) {
        const struct ofputil_meter_band *x = &a->bands[i], *y = &b->bands[i];
        if (x->type != y->type || x->prec_level != y->prec_level
            || x->rate != y->rate || x->burst_size != y->burst_size) {
            return false;
        }
    }
    return true;
}

static void
check_message(const struct ofp_header *oh)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct plx_list list;
    enum ofptype type;

    (void) ofputil_meter_msg_format(oh, &s);
    ds_destroy(&s);
    if (ofptype_decode_msg(oh, &type)) {
        return;
    }
    switch (type) {
    case OFPTYPE_METER_MOD: {
        struct ofputil_meter_mod mm, mm2;
        if (!ofputil_decode_meter_mod(oh, &mm)) {
            struct ofpmsg *m = ofputil_encode_meter_mod(&mm, oh->version, 1);
            REQUIRE(!ofputil_decode_meter_mod(ofpmsg_header(m), &mm2));
            REQUIRE(mm.command == mm2.command);
            REQUIRE(same_config(&mm.meter, &mm2.meter));
            ofputil_meter_mod_uninit(&mm2);
            ofpmsg_delete(m);
        }
        ofputil_meter_mod_uninit(&mm);
        break;
    }
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST: {
        uint32_t id, id2;
        if (!ofputil_decode_meter_request(oh, &id)) {
            struct ofpmsg *m = ofputil_encode_meter_request(
                type == OFPTYPE_METER_STATS_REQUEST, oh->version, 1, id);
            REQUIRE(!ofputil_decode_meter_request(ofpmsg_header(m), &id2));
            REQUIRE(id == id2);
            ofpmsg_delete(m);
        }
        break;
    }
    case OFPTYPE_METER_STATS_REPLY: {
        struct ofputil_meter_stats *ms, *ms2;
        size_t n, n2;
        if (!ofputil_decode_meter_stats_reply(oh, &ms, &n)) {
            ofputil_encode_meter_stats_reply(&list, oh, ms, n);
            struct ofpmsg *m = only(&list);
            REQUIRE(!ofputil_decode_meter_stats_reply(ofpmsg_header(m), &ms2,
                                                      &n2));
            REQUIRE(n == n2);
            for (size_t i = 0; i < n; i++) {
                REQUIRE(ms[i].meter_id == ms2[i].meter_id
                        && ms[i].n_bands == ms2[i].n_bands
                        && ms[i].byte_in_count == ms2[i].byte_in_count);
            }
            ofpmsg_delete(m);
            ofputil_meter_stats_free(ms, n);
            ofputil_meter_stats_free(ms2, n2);
        }
        break;
    }
    case OFPTYPE_METER_CONFIG_STATS_REPLY: {
        struct ofputil_meter_config *mc, *mc2;
        size_t n, n2;
        if (!ofputil_decode_meter_config_reply(oh, &mc, &n)) {
            ofputil_encode_meter_config_reply(&list, oh, mc, n);
            struct ofpmsg *m = only(&list);
            REQUIRE(!ofputil_decode_meter_config_reply(ofpmsg_header(m),
                                                       &mc2, &n2));
            REQUIRE(n == n2);
            for (size_t i = 0; i < n; i++) {
                REQUIRE(same_config(&mc[i], &mc2[i]));
            }
            ofpmsg_delete(m);
            ofputil_meter_config_free(mc, n);
            ofputil_meter_config_free(mc2, n2);
        }
        break;
    }
    case OFPTYPE_METER_FEATURES_STATS_REPLY: {
        struct ofputil_meter_features mf, mf2;
        if (!ofputil_decode_meter_features_reply(oh, &mf)) {
            struct ofpmsg *m = ofputil_encode_meter_features_reply(&mf, oh);
            REQUIRE(!ofputil_decode_meter_features_reply(ofpmsg_header(m),
                                                         &mf2));
            REQUIRE(!memcmp(&mf, &mf2, sizeof mf));
            ofpmsg_delete(m);
        }
        break;
    }
    default:
        break;
    }
}

static void
check_text(uint8_t selector, const uint8_t *data, size_t size)
{
    static const int commands[] = {
        -1, OFPMC13_ADD, OFPMC13_MODIFY, OFPMC13_DELETE
    };
    int command = commands[(selector >> 1) & 3];
    char *text = xmemdup0((const char *) data, size);
    struct ofputil_meter_mod mm, mm2;
    char *error = ofputil_parse_meter_mod(text, command, &mm);

    if (!error && command != -1) {
        struct ofpmsg *m = ofputil_encode_meter_mod(&mm, OFP13_VERSION, 1);
        enum ofperr e = ofputil_decode_meter_mod(ofpmsg_header(m), &mm2);
        if (e) {
            /* As in ovs-ofctl, "kbps,pktps" parses; a switch refuses it. */
            uint16_t both = OFPMF13_KBPS | OFPMF13_PKTPS;
            REQUIRE(e == OFPERR_OFPMMFC_BAD_FLAGS
                    && (mm.meter.flags & both) == both);
        } else {
            REQUIRE(same_config(&mm.meter, &mm2.meter));
            struct ds s = DS_EMPTY_INITIALIZER;
            ofputil_meter_config_format(&mm2.meter, &s);
            ds_destroy(&s);
        }
        ofputil_meter_mod_uninit(&mm2);
        ofpmsg_delete(m);
    }
    free(error);
    ofputil_meter_mod_uninit(&mm);
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > OFP_MAX_MSG_LEN + 1) {
        return 0;
    }
    uint8_t selector = data[0];
    data++;
    size--;

    if (selector & 1) {
        check_text(selector, data, size);
    } else if (size >= sizeof(struct ofp_header)) {
        struct ofpmsg *msg = ofpmsg_clone_data(data, size);
        ofpmsg_header(msg)->length = htons(size);
        check_message(ofpmsg_header(msg));
        ofpmsg_delete(msg);
    }
    return 0;
}
