/* Fuzz target for the OpenFlow framer, ofptype_decode() and every decoder
 * in lib/ofp-msgs.
 *
 * Input: 1 byte of chunking pattern, then a byte stream.  The stream goes
 * to one framer in chunks of pattern-derived sizes and to another all at
 * once; both must produce the same messages and the same final status.
 * Each message goes through ofptype_decode() and, by type, its decoder;
 * where an encoder exists, decode -> encode -> decode must give the same
 * decoded value. */
#include <config.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "ofp-msgs.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(COND) do { if (!(COND)) { abort(); } } while (0)

static const struct ofp_header *
oh_of(const struct ofpmsg *msg)
{
    return ofpmsg_header(msg);
}

/* The single message in LIST (asserted), removed from it. */
static struct ofpmsg *
only(struct plx_list *list)
{
    REQUIRE(plx_list_is_singleton(list));
    return CONTAINER_OF(plx_list_pop_front(list), struct ofpmsg, list_node);
}

static void
check_ports(const struct ofp_header *oh)
{
    struct ofputil_phy_port *p1, *p2;
    size_t n1, n2;
    struct plx_list list;

    if (ofputil_decode_port_desc_reply(oh, &p1, &n1)) {
        return;
    }
    ofputil_encode_port_desc_reply(&list, oh, p1, n1);
    struct ofpmsg *m = only(&list);
    REQUIRE(!ofputil_decode_port_desc_reply(oh_of(m), &p2, &n2));
    REQUIRE(n1 == n2 && (!n1 || !memcmp(p1, p2, n1 * sizeof *p1)));
    free(p1);
    free(p2);
    ofpmsg_delete(m);
}

static void
check_message(const struct ofpmsg *msg)
{
    const struct ofp_header *oh = oh_of(msg);
    enum ofptype type;
    struct ofpmsg *m = NULL;

    (void) ofpmp_flags(oh);
    if (oh->type == OFPT10_HELLO) {
        uint32_t v1, v2;
        ofputil_decode_hello(oh, &v1);
        if (v1 & ~1u) {
            m = ofputil_encode_hello(v1 & ~1u);
            REQUIRE(!ofputil_decode_hello(oh_of(m), &v2));
            REQUIRE(v2 == (v1 & ~1u));
            ofpmsg_delete(m);
            m = NULL;
        }
    }
    if (ofptype_decode(msg->data, msg->size, &type)) {
        REQUIRE(type == OFPTYPE_N);
        return;
    }
    REQUIRE(ofptype_exists(type, oh->version));
    REQUIRE(ofptype_get_name(type));

    switch (type) {
    case OFPTYPE_ERROR: {
        enum ofperr e1, e2;
        const void *d;
        size_t n;
        if (!ofputil_decode_error(oh, &e1, NULL, NULL, &d, &n) && e1) {
            m = ofputil_encode_error_reply(e1, oh->version, d, n);
            REQUIRE(!ofputil_decode_error(oh_of(m), &e2, NULL, NULL, &d,
                                          &n));
            REQUIRE(e1 == e2);
        }
        break;
    }
    case OFPTYPE_ECHO_REQUEST:
        m = ofputil_encode_echo_reply(oh);
        REQUIRE(m->size == msg->size);
        break;
    case OFPTYPE_FEATURES_REPLY: {
        struct ofputil_switch_features f1, f2;
        struct ofputil_phy_port *p1, *p2;
        size_t n1, n2;
        if (!ofputil_decode_switch_features(oh, &f1, &p1, &n1)) {
            m = ofputil_encode_switch_features(&f1, oh, p1, n1);
            REQUIRE(!ofputil_decode_switch_features(oh_of(m), &f2, &p2,
                                                    &n2));
            REQUIRE(!memcmp(&f1, &f2, sizeof f1));
            REQUIRE(n1 == n2 && (!n1 || !memcmp(p1, p2, n1 * sizeof *p1)));
            free(p1);
            free(p2);
        }
        break;
    }
    case OFPTYPE_SET_CONFIG:
    case OFPTYPE_GET_CONFIG_REPLY: {
        struct ofputil_switch_config c1, c2;
        bool set = type == OFPTYPE_SET_CONFIG;
        if (!(set ? ofputil_decode_set_config(oh, &c1)
              : ofputil_decode_get_config_reply(oh, &c1))) {
            m = (set ? ofputil_encode_set_config(&c1, oh->version, 0)
                 : ofputil_encode_get_config_reply(&c1, oh));
            REQUIRE(!(set ? ofputil_decode_set_config(oh_of(m), &c2)
                      : ofputil_decode_get_config_reply(oh_of(m), &c2)));
            REQUIRE(c1.frag == c2.frag
                    && c1.miss_send_len == c2.miss_send_len);
        }
        break;
    }
    case OFPTYPE_PORT_STATUS: {
        struct ofputil_port_status s1, s2;
        if (!ofputil_decode_port_status(oh, &s1)) {
            m = ofputil_encode_port_status(&s1, oh->version);
            REQUIRE(!ofputil_decode_port_status(oh_of(m), &s2));
            REQUIRE(!memcmp(&s1, &s2, sizeof s1));
        }
        break;
    }
    case OFPTYPE_PORT_MOD: {
        struct ofputil_port_mod p1, p2;
        if (!ofputil_decode_port_mod(oh, &p1)) {
            m = ofputil_encode_port_mod(&p1, oh->version, 0);
            REQUIRE(!ofputil_decode_port_mod(oh_of(m), &p2));
            REQUIRE(!memcmp(&p1, &p2, sizeof p1));
        }
        break;
    }
    case OFPTYPE_ROLE_REQUEST:
    case OFPTYPE_ROLE_REPLY: {
        struct ofputil_role_request r1, r2;
        if (!ofputil_decode_role_message(oh, &r1)) {
            m = (type == OFPTYPE_ROLE_REQUEST
                 ? ofputil_encode_role_request(&r1, oh->version, 0)
                 : ofputil_encode_role_reply(&r1, oh));
            REQUIRE(!ofputil_decode_role_message(oh_of(m), &r2));
            REQUIRE(!memcmp(&r1, &r2, sizeof r1));
        }
        break;
    }
    case OFPTYPE_SET_ASYNC:
    case OFPTYPE_GET_ASYNC_REPLY: {
        struct ofputil_async_cfg a1, a2;
        if (!ofputil_decode_async_cfg(oh, &a1)) {
            m = ofputil_encode_set_async(&a1, oh->version, 0);
            REQUIRE(!ofputil_decode_async_cfg(oh_of(m), &a2));
            REQUIRE(!memcmp(&a1, &a2, sizeof a1));
        }
        break;
    }
    case OFPTYPE_DESC_STATS_REPLY: {
        struct ofputil_desc_stats *d1 = xmalloc(sizeof *d1);
        struct ofputil_desc_stats *d2 = xmalloc(sizeof *d2);
        if (!ofputil_decode_desc_stats_reply(oh, d1)) {
            m = ofputil_encode_desc_stats_reply(d1, oh);
            REQUIRE(!ofputil_decode_desc_stats_reply(oh_of(m), d2));
            REQUIRE(!memcmp(d1, d2, sizeof *d1));
        }
        free(d1);
        free(d2);
        break;
    }
    case OFPTYPE_PORT_STATS_REQUEST: {
        uint32_t p1, p2;
        if (!ofputil_decode_port_stats_request(oh, &p1)) {
            m = ofputil_encode_port_stats_request(oh->version, 0, p1);
            REQUIRE(!ofputil_decode_port_stats_request(oh_of(m), &p2));
            REQUIRE(p1 == p2);
        }
        break;
    }
    case OFPTYPE_PORT_STATS_REPLY: {
        struct ofputil_port_stats *s1, *s2;
        size_t n1, n2;
        struct plx_list list;
        if (!ofputil_decode_port_stats_reply(oh, &s1, &n1)) {
            ofputil_encode_port_stats_reply(&list, oh, s1, n1);
            m = only(&list);
            REQUIRE(!ofputil_decode_port_stats_reply(oh_of(m), &s2, &n2));
            REQUIRE(n1 == n2 && (!n1 || !memcmp(s1, s2, n1 * sizeof *s1)));
            free(s1);
            free(s2);
        }
        break;
    }
    case OFPTYPE_TABLE_STATS_REPLY: {
        struct ofputil_table_stats *t1, *t2;
        size_t n1, n2;
        struct plx_list list;
        if (!ofputil_decode_table_stats_reply(oh, &t1, &n1)) {
            ofputil_encode_table_stats_reply(&list, oh, t1, n1);
            m = only(&list);
            REQUIRE(!ofputil_decode_table_stats_reply(oh_of(m), &t2, &n2));
            REQUIRE(n1 == n2 && (!n1 || !memcmp(t1, t2, n1 * sizeof *t1)));
            free(t1);
            free(t2);
        }
        break;
    }
    case OFPTYPE_PORT_DESC_STATS_REPLY:
        check_ports(oh);
        break;
    default:
        break;
    }
    if (m) {
        enum ofptype t2;
        REQUIRE(!ofptype_decode(m->data, m->size, &t2));
        ofpmsg_delete(m);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t pattern = data[0];
    data++;
    size--;

    struct ofpmsg_framer *chunked = ofpmsg_framer_create(0);
    struct ofpmsg_framer *whole = ofpmsg_framer_create(0);
    struct plx_list a, b;
    int ea = EAGAIN, eb;
    struct ofpmsg *msg;

    plx_list_init(&a);
    plx_list_init(&b);
    for (size_t ofs = 0, i = 0; ofs < size; i++) {
        size_t chunk = MIN(size - ofs, ((pattern >> (i % 8)) & 7) * 7 + 1);
        ofpmsg_framer_feed(chunked, data + ofs, chunk);
        ofs += chunk;
        while (!(ea = ofpmsg_framer_next(chunked, &msg))) {
            plx_list_push_back(&a, &msg->list_node);
        }
    }
    ofpmsg_framer_feed(whole, data, size);
    while (!(eb = ofpmsg_framer_next(whole, &msg))) {
        plx_list_push_back(&b, &msg->list_node);
    }
    REQUIRE(ea == eb);
    REQUIRE(plx_list_size(&a) == plx_list_size(&b));

    struct ofpmsg *mb;
    LIST_FOR_EACH_POP (msg, list_node, &a) {
        mb = CONTAINER_OF(plx_list_pop_front(&b), struct ofpmsg, list_node);
        REQUIRE(msg->size == mb->size
                && !memcmp(msg->data, mb->data, msg->size));
        check_message(msg);
        ofpmsg_delete(msg);
        ofpmsg_delete(mb);
    }
    ofpmsg_framer_destroy(chunked);
    ofpmsg_framer_destroy(whole);
    return 0;
}
