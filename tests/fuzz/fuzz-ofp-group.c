/* Fuzz target for lib/ofp-group: the GROUP_MOD and group multipart
 * decoders, the formatter, and the text parser.
 *
 * Input: 1 selector byte, then either a message (selector even; its
 * header length is forced to the input size, as the framer guarantees)
 * or text for ofputil_parse_group_mod() (selector odd; the command comes
 * from the selector).  Every decoded message must re-encode to a message
 * that decodes to the same bytes again, and every parsed text must encode
 * to a GROUP_MOD that decodes. */
#include <config.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "ofp-group.h"
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

static void
require_same(const struct ofpmsg *a, const struct ofpmsg *b)
{
    REQUIRE(a->size == b->size && !memcmp(a->data, b->data, a->size));
}

static void
check_message(const struct ofp_header *oh)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct plx_list list;
    enum ofptype type;

    (void) ofputil_group_msg_format(oh, &s);
    ds_destroy(&s);
    if (ofptype_decode_msg(oh, &type)) {
        return;
    }
    switch (type) {
    case OFPTYPE_GROUP_MOD: {
        struct ofputil_group_mod gm, gm2;
        if (!ofputil_decode_group_mod(oh, &gm)) {
            struct ofpmsg *m = ofputil_encode_group_mod(&gm, oh->version, 1);
            REQUIRE(!ofputil_decode_group_mod(ofpmsg_header(m), &gm2));
            struct ofpmsg *m2 = ofputil_encode_group_mod(&gm2, oh->version,
                                                         1);
            require_same(m, m2);
            ofpmsg_delete(m);
            ofpmsg_delete(m2);
            ofputil_group_mod_uninit(&gm2);
        }
        ofputil_group_mod_uninit(&gm);
        break;
    }
    case OFPTYPE_GROUP_STATS_REQUEST: {
        uint32_t id, id2;
        if (!ofputil_decode_group_stats_request(oh, &id)) {
            struct ofpmsg *m = ofputil_encode_group_stats_request(
                oh->version, 1, id);
            REQUIRE(!ofputil_decode_group_stats_request(ofpmsg_header(m),
                                                        &id2));
            REQUIRE(id == id2);
            ofpmsg_delete(m);
        }
        break;
    }
    case OFPTYPE_GROUP_STATS_REPLY: {
        struct ofputil_group_stats *gs, *gs2;
        size_t n, n2;
        if (!ofputil_decode_group_stats_reply(oh, &gs, &n)) {
            ofputil_encode_group_stats_reply(&list, oh, gs, n);
            struct ofpmsg *m = only(&list);
            REQUIRE(!ofputil_decode_group_stats_reply(ofpmsg_header(m), &gs2,
                                                      &n2));
            REQUIRE(n == n2);
            ofputil_encode_group_stats_reply(&list, oh, gs2, n2);
            struct ofpmsg *m2 = only(&list);
            require_same(m, m2);
            ofpmsg_delete(m);
            ofpmsg_delete(m2);
            ofputil_group_stats_free(gs, n);
            ofputil_group_stats_free(gs2, n2);
        }
        break;
    }
    case OFPTYPE_GROUP_DESC_STATS_REPLY: {
        struct ofputil_group_desc *gd, *gd2;
        size_t n, n2;
        if (!ofputil_decode_group_desc_reply(oh, &gd, &n)) {
            ofputil_encode_group_desc_reply(&list, oh, gd, n);
            struct ofpmsg *m = only(&list);
            REQUIRE(!ofputil_decode_group_desc_reply(ofpmsg_header(m), &gd2,
                                                     &n2));
            REQUIRE(n == n2);
            ofputil_encode_group_desc_reply(&list, oh, gd2, n2);
            struct ofpmsg *m2 = only(&list);
            require_same(m, m2);
            ofpmsg_delete(m);
            ofpmsg_delete(m2);
            ofputil_group_desc_free(gd, n);
            ofputil_group_desc_free(gd2, n2);
        }
        break;
    }
    case OFPTYPE_GROUP_FEATURES_STATS_REPLY: {
        struct ofputil_group_features gf, gf2;
        if (!ofputil_decode_group_features_reply(oh, &gf)) {
            struct ofpmsg *m = ofputil_encode_group_features_reply(&gf, oh);
            REQUIRE(!ofputil_decode_group_features_reply(ofpmsg_header(m),
                                                         &gf2));
            REQUIRE(!memcmp(&gf, &gf2, sizeof gf));
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
        -2, OFPGC11_ADD, OFPGC11_MODIFY, OFPGC11_DELETE
    };
    char *text = xmemdup0((const char *) data, size);
    struct ofputil_group_mod gm, gm2;
    char *error = ofputil_parse_group_mod(text, commands[(selector >> 1) & 3],
                                          &gm);
    if (!error) {
        struct ofpmsg *m = ofputil_encode_group_mod(&gm, OFP13_VERSION, 1);
        /* The parser allows what the decoder's rules forbid in a few
         * cases (a watch in an all group), so only framing must hold. */
        enum ofptype type;
        REQUIRE(!ofptype_decode(m->data, m->size, &type));
        if (!ofputil_decode_group_mod(ofpmsg_header(m), &gm2)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            ofputil_group_mod_format(&gm2, &s);
            ds_destroy(&s);
            ofputil_group_mod_uninit(&gm2);
        }
        ofpmsg_delete(m);
    }
    free(error);
    ofputil_group_mod_uninit(&gm);
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
