/* OpenFlow codecs for ports, switch features and configuration, roles,
 * asynchronous configuration and multipart bodies: see ofp-msgs.h.  The
 * framing, type table, HELLO, ERROR and ECHO are in ofp-msgs.c. */
#include <config.h>
#include "ofp-msgs.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>

#define V10 OFP10_VERSION

/* ---- Ports. ---- */

uint32_t
ofputil_port_features_from_ofp10(uint32_t f)
{
    return (f & 0x7f) | ((f & 0xf80) << 4);
}

uint32_t
ofputil_port_features_to_ofp10(uint32_t f)
{
    return (f & 0x7f) | ((f >> 4) & 0xf80);
}

uint32_t
ofputil_port_features_to_kbps(uint32_t f)
{
    return (f & OFPPF11_1TB_FD ? UINT32_C(1000000000)
            : f & OFPPF11_100GB_FD ? UINT32_C(100000000)
            : f & OFPPF11_40GB_FD ? UINT32_C(40000000)
            : f & OFPPF_10GB_FD ? UINT32_C(10000000)
            : f & (OFPPF_1GB_HD | OFPPF_1GB_FD) ? UINT32_C(1000000)
            : f & (OFPPF_100MB_HD | OFPPF_100MB_FD) ? UINT32_C(100000)
            : f & (OFPPF_10MB_HD | OFPPF_10MB_FD) ? UINT32_C(10000)
            : 0);
}

/* Copies the string in the SRC_SIZE bytes at SRC (NUL-terminated or not)
 * into DST of DST_SIZE bytes, truncating and NUL-terminating. */
static void
ofputil_copy_str(char *dst, size_t dst_size, const char *src,
                 size_t src_size)
{
    size_t n = 0;

    /* (A loop, not strnlen(): GCC misjudges the bounds of fields of
     * packed structures and warns.) */
    while (n < src_size && n < dst_size - 1 && src[n]) {
        n++;
    }
    memcpy(dst, src, n);
    memset(dst + n, 0, dst_size - n);
}

/* Writes NUL-terminated SRC into the DST_SIZE bytes at DST, NUL-padded
 * (and truncated, not necessarily terminated, if it does not fit). */
static void
ofputil_put_str(char *dst, size_t dst_size, const char *src)
{
    size_t n = MIN(strlen(src), dst_size);

    memcpy(dst, src, n);
    memset(dst + n, 0, dst_size - n);
}

size_t
ofputil_phy_port_size(uint8_t version)
{
    return (version == V10 ? sizeof(struct ofp10_phy_port)
            : sizeof(struct ofp11_port));
}

void
ofputil_put_phy_port(struct ofpmsg *msg, uint8_t version,
                     const struct ofputil_phy_port *pp)
{
    if (version == V10) {
        struct ofp10_phy_port *opp = ofpmsg_put_zeros(msg, sizeof *opp);
        uint16_t port10;

        ofp_port_to_ofp10(pp->port_no, &port10);
        opp->port_no = htons(port10);
        memcpy(opp->hw_addr, pp->hw_addr.ea, OFP_ETH_ALEN);
        ofputil_put_str(opp->name, sizeof opp->name, pp->name);
        opp->config = htonl(pp->config & OFPPC10_ALL);
        opp->state = htonl(pp->state & OFPPS10_ALL);
        opp->curr = htonl(ofputil_port_features_to_ofp10(pp->curr));
        opp->advertised = htonl(ofputil_port_features_to_ofp10(
                                    pp->advertised));
        opp->supported = htonl(ofputil_port_features_to_ofp10(
                                   pp->supported));
        opp->peer = htonl(ofputil_port_features_to_ofp10(pp->peer));
    } else {
        struct ofp11_port *op = ofpmsg_put_zeros(msg, sizeof *op);

        op->port_no = htonl(pp->port_no);
        memcpy(op->hw_addr, pp->hw_addr.ea, OFP_ETH_ALEN);
        ofputil_put_str(op->name, sizeof op->name, pp->name);
        op->config = htonl(pp->config & OFPPC11_ALL);
        op->state = htonl(pp->state & OFPPS11_ALL);
        op->curr = htonl(pp->curr & OFPPF11_ALL);
        op->advertised = htonl(pp->advertised & OFPPF11_ALL);
        op->supported = htonl(pp->supported & OFPPF11_ALL);
        op->peer = htonl(pp->peer & OFPPF11_ALL);
        op->curr_speed = htonl(pp->curr_speed);
        op->max_speed = htonl(pp->max_speed);
    }
}

void
ofputil_pull_phy_port(uint8_t version, const void *data,
                      struct ofputil_phy_port *pp)
{
    memset(pp, 0, sizeof *pp);
    if (version == V10) {
        const struct ofp10_phy_port *opp = data;

        pp->port_no = ofp_port_from_ofp10(ntohs(opp->port_no));
        memcpy(pp->hw_addr.ea, opp->hw_addr, OFP_ETH_ALEN);
        ofputil_copy_str(pp->name, sizeof pp->name, opp->name,
                         sizeof opp->name);
        pp->config = ntohl(opp->config) & OFPPC10_ALL;
        pp->state = ntohl(opp->state) & OFPPS10_ALL;
        pp->curr = ofputil_port_features_from_ofp10(ntohl(opp->curr));
        pp->advertised = ofputil_port_features_from_ofp10(
            ntohl(opp->advertised));
        pp->supported = ofputil_port_features_from_ofp10(
            ntohl(opp->supported));
        pp->peer = ofputil_port_features_from_ofp10(ntohl(opp->peer));
        pp->curr_speed = ofputil_port_features_to_kbps(pp->curr);
        pp->max_speed = ofputil_port_features_to_kbps(pp->supported);
    } else {
        const struct ofp11_port *op = data;

        pp->port_no = ntohl(op->port_no);
        memcpy(pp->hw_addr.ea, op->hw_addr, OFP_ETH_ALEN);
        ofputil_copy_str(pp->name, sizeof pp->name, op->name,
                         sizeof op->name);
        pp->config = ntohl(op->config) & OFPPC11_ALL;
        pp->state = ntohl(op->state) & OFPPS11_ALL;
        pp->curr = ntohl(op->curr) & OFPPF11_ALL;
        pp->advertised = ntohl(op->advertised) & OFPPF11_ALL;
        pp->supported = ntohl(op->supported) & OFPPF11_ALL;
        pp->peer = ntohl(op->peer) & OFPPF11_ALL;
        pp->curr_speed = ntohl(op->curr_speed);
        pp->max_speed = ntohl(op->max_speed);
    }
}

/* Decodes the BODY_LEN bytes at BODY, a whole number of port
 * descriptions in VERSION (the type table checked that), into a malloc'd
 * array. */
static void
ofputil_pull_phy_ports(uint8_t version, const uint8_t *body, size_t len,
                       struct ofputil_phy_port **portsp, size_t *np)
{
    size_t size = ofputil_phy_port_size(version);
    size_t n = len / size;

    *np = n;
    *portsp = n ? xcalloc(n, sizeof **portsp) : NULL;
    for (size_t i = 0; i < n; i++) {
        ofputil_pull_phy_port(version, body + i * size, &(*portsp)[i]);
    }
}

struct ofpmsg *
ofputil_encode_port_status(const struct ofputil_port_status *ps,
                           uint8_t version)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_PORT_STATUS, version, 0,
                                      8 + ofputil_phy_port_size(version));
    struct ofp_port_status *ops = ofpmsg_put_zeros(msg, sizeof *ops);

    ops->reason = ps->reason;
    ofputil_put_phy_port(msg, version, &ps->desc);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_port_status(const struct ofp_header *oh,
                           struct ofputil_port_status *ps)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_PORT_STATUS,
                                        (const void **) &body, &len);

    memset(ps, 0, sizeof *ps);
    if (!error) {
        const struct ofp_port_status *ops = (const void *) body;
        ps->reason = ops->reason;
        ofputil_pull_phy_port(oh->version, ops + 1, &ps->desc);
    }
    return error;
}

struct ofpmsg *
ofputil_encode_port_mod(const struct ofputil_port_mod *pm, uint8_t version,
                        uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_PORT_MOD, version, xid, 32);

    if (version == V10) {
        struct ofp10_port_mod *opm = ofpmsg_put_zeros(msg, sizeof *opm);
        uint16_t port10;

        ofp_port_to_ofp10(pm->port_no, &port10);
        opm->port_no = htons(port10);
        memcpy(opm->hw_addr, pm->hw_addr.ea, OFP_ETH_ALEN);
        opm->config = htonl(pm->config & OFPPC10_ALL);
        opm->mask = htonl(pm->mask & OFPPC10_ALL);
        opm->advertise = htonl(ofputil_port_features_to_ofp10(
                                   pm->advertise));
    } else {
        struct ofp11_port_mod *opm = ofpmsg_put_zeros(msg, sizeof *opm);

        opm->port_no = htonl(pm->port_no);
        memcpy(opm->hw_addr, pm->hw_addr.ea, OFP_ETH_ALEN);
        opm->config = htonl(pm->config & OFPPC11_ALL);
        opm->mask = htonl(pm->mask & OFPPC11_ALL);
        opm->advertise = htonl(pm->advertise & OFPPF11_ALL);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_port_mod(const struct ofp_header *oh,
                        struct ofputil_port_mod *pm)
{
    const void *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_PORT_MOD, &body, &len);

    memset(pm, 0, sizeof *pm);
    if (error) {
        return error;
    }
    if (oh->version == V10) {
        const struct ofp10_port_mod *opm = body;

        pm->port_no = ofp_port_from_ofp10(ntohs(opm->port_no));
        memcpy(pm->hw_addr.ea, opm->hw_addr, OFP_ETH_ALEN);
        pm->config = ntohl(opm->config) & OFPPC10_ALL;
        pm->mask = ntohl(opm->mask) & OFPPC10_ALL;
        pm->advertise = ofputil_port_features_from_ofp10(
            ntohl(opm->advertise));
    } else {
        const struct ofp11_port_mod *opm = body;

        pm->port_no = ntohl(opm->port_no);
        memcpy(pm->hw_addr.ea, opm->hw_addr, OFP_ETH_ALEN);
        pm->config = ntohl(opm->config) & OFPPC11_ALL;
        pm->mask = ntohl(opm->mask) & OFPPC11_ALL;
        pm->advertise = ntohl(opm->advertise) & OFPPF11_ALL;
    }
    return 0;
}

/* ---- FEATURES. ---- */

#define OFPUTIL_C_COMMON (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS \
                          | OFPUTIL_C_PORT_STATS | OFPUTIL_C_IP_REASM  \
                          | OFPUTIL_C_QUEUE_STATS)
#define OFPUTIL_C_OFP10 (OFPUTIL_C_COMMON | OFPUTIL_C_STP \
                         | OFPUTIL_C_ARP_MATCH_IP)

static uint32_t
ofputil_capabilities_to_wire(uint32_t caps, uint8_t version)
{
    if (version == V10) {
        return caps & OFPUTIL_C_OFP10;  /* Same bit positions. */
    }
    return ((caps & (OFPUTIL_C_COMMON | OFPUTIL_C_PORT_BLOCKED))
            | (caps & OFPUTIL_C_GROUP_STATS ? OFPC13_GROUP_STATS : 0));
}

static uint32_t
ofputil_capabilities_from_wire(uint32_t wire, uint8_t version)
{
    if (version == V10) {
        return wire & OFPUTIL_C_OFP10;
    }
    return ((wire & (OFPUTIL_C_COMMON | OFPUTIL_C_PORT_BLOCKED))
            | (wire & OFPC13_GROUP_STATS ? OFPUTIL_C_GROUP_STATS : 0));
}

struct ofpmsg *
ofputil_encode_switch_features(const struct ofputil_switch_features *sf,
                               const struct ofp_header *request,
                               const struct ofputil_phy_port *ports,
                               size_t n_ports)
{
    uint8_t version = request->version;
    struct ofpmsg *msg = ofpmsg_start_reply(OFPTYPE_FEATURES_REPLY, request,
                                            24);
    struct ofp_switch_features *osf = ofpmsg_put_zeros(msg, sizeof *osf);

    osf->datapath_id = htobe64(sf->datapath_id);
    osf->n_buffers = htonl(sf->n_buffers);
    osf->n_tables = sf->n_tables;
    osf->capabilities = htonl(ofputil_capabilities_to_wire(
                                  sf->capabilities, version));
    if (version == V10) {
        osf->actions = htonl(sf->ofp10_actions);
        for (size_t i = 0; i < n_ports; i++) {
            if (msg->size + sizeof(struct ofp10_phy_port)
                > OFP_MAX_MSG_LEN) {
                break;          /* No room: OpenFlow 1.0 cannot say more. */
            }
            ofputil_put_phy_port(msg, version, &ports[i]);
        }
    } else {
        osf->auxiliary_id = sf->auxiliary_id;
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_switch_features(const struct ofp_header *oh,
                               struct ofputil_switch_features *sf,
                               struct ofputil_phy_port **portsp,
                               size_t *n_portsp)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_FEATURES_REPLY,
                                        (const void **) &body, &len);

    memset(sf, 0, sizeof *sf);
    if (portsp) {
        *portsp = NULL;
        *n_portsp = 0;
    }
    if (error) {
        return error;
    }

    const struct ofp_switch_features *osf = (const void *) body;
    sf->datapath_id = be64toh(osf->datapath_id);
    sf->n_buffers = ntohl(osf->n_buffers);
    sf->n_tables = osf->n_tables;
    sf->capabilities = ofputil_capabilities_from_wire(
        ntohl(osf->capabilities), oh->version);
    if (oh->version == V10) {
        sf->ofp10_actions = ntohl(osf->actions);
        if (portsp) {
            ofputil_pull_phy_ports(oh->version, body + sizeof *osf,
                                   len - sizeof *osf, portsp, n_portsp);
        }
    } else {
        sf->auxiliary_id = osf->auxiliary_id;
    }
    return 0;
}

/* ---- GET_CONFIG_REPLY, SET_CONFIG. ---- */

static struct ofpmsg *
ofputil_encode_switch_config(enum ofptype type,
                             const struct ofputil_switch_config *sc,
                             uint8_t version, uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(type, version, xid, 4);
    struct ofp_switch_config *osc = ofpmsg_put_zeros(msg, sizeof *osc);
    uint16_t frag = sc->frag & OFPC_FRAG_MASK;

    if (version != V10 && frag == OFPUTIL_FRAG_NX_MATCH) {
        frag = OFPUTIL_FRAG_NORMAL;     /* No such thing in 1.3. */
    }
    osc->flags = htons(frag);
    osc->miss_send_len = htons(sc->miss_send_len);
    ofpmsg_finish(msg);
    return msg;
}

struct ofpmsg *
ofputil_encode_get_config_reply(const struct ofputil_switch_config *sc,
                                const struct ofp_header *request)
{
    return ofputil_encode_switch_config(OFPTYPE_GET_CONFIG_REPLY, sc,
                                        request->version,
                                        ntohl(request->xid));
}

struct ofpmsg *
ofputil_encode_set_config(const struct ofputil_switch_config *sc,
                          uint8_t version, uint32_t xid)
{
    return ofputil_encode_switch_config(OFPTYPE_SET_CONFIG, sc, version,
                                        xid);
}

static enum ofperr
ofputil_decode_switch_config(const struct ofp_header *oh, enum ofptype type,
                             struct ofputil_switch_config *sc)
{
    const struct ofp_switch_config *osc;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, type, (const void **) &osc,
                                        &len);

    memset(sc, 0, sizeof *sc);
    if (error) {
        return error;
    }
    uint16_t frag = ntohs(osc->flags) & OFPC_FRAG_MASK;
    if (oh->version != V10 && frag == OFPC_FRAG_NX_MATCH) {
        return OFPERR_OFPSCFC_BAD_FLAGS;
    }
    sc->frag = frag;
    sc->miss_send_len = ntohs(osc->miss_send_len);
    return 0;
}

enum ofperr
ofputil_decode_get_config_reply(const struct ofp_header *oh,
                                struct ofputil_switch_config *sc)
{
    return ofputil_decode_switch_config(oh, OFPTYPE_GET_CONFIG_REPLY, sc);
}

enum ofperr
ofputil_decode_set_config(const struct ofp_header *oh,
                          struct ofputil_switch_config *sc)
{
    return ofputil_decode_switch_config(oh, OFPTYPE_SET_CONFIG, sc);
}

/* ---- ROLE. ---- */

static struct ofpmsg *
ofputil_encode_role(enum ofptype type, const struct ofputil_role_request *rr,
                    uint8_t version, uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(type, version, xid, 16);
    struct ofp12_role_request *orr = ofpmsg_put_zeros(msg, sizeof *orr);

    orr->role = htonl(rr->role);
    orr->generation_id = htobe64(rr->have_generation_id
                                 ? rr->generation_id : 0);
    ofpmsg_finish(msg);
    return msg;
}

struct ofpmsg *
ofputil_encode_role_request(const struct ofputil_role_request *rr,
                            uint8_t version, uint32_t xid)
{
    return ofputil_encode_role(OFPTYPE_ROLE_REQUEST, rr, version, xid);
}

struct ofpmsg *
ofputil_encode_role_reply(const struct ofputil_role_request *rr,
                          const struct ofp_header *request)
{
    return ofputil_encode_role(OFPTYPE_ROLE_REPLY, rr, request->version,
                               ntohl(request->xid));
}

enum ofperr
ofputil_decode_role_message(const struct ofp_header *oh,
                            struct ofputil_role_request *rr)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);

    memset(rr, 0, sizeof *rr);
    if (error) {
        return error;
    }
    if (type != OFPTYPE_ROLE_REQUEST && type != OFPTYPE_ROLE_REPLY) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }

    const struct ofp12_role_request *orr = (const void *) (oh + 1);
    uint32_t role = ntohl(orr->role);
    if (role > OFPCR12_ROLE_SLAVE) {
        return OFPERR_OFPRRFC_BAD_ROLE;
    }
    rr->role = role;
    rr->have_generation_id = (role == OFPCR12_ROLE_MASTER
                              || role == OFPCR12_ROLE_SLAVE);
    rr->generation_id = rr->have_generation_id
                        ? be64toh(orr->generation_id) : 0;
    return 0;
}

/* ---- Asynchronous message configuration. ---- */

void
ofputil_async_cfg_default(struct ofputil_async_cfg *ac)
{
    /* Packet-in for no-match and action (not invalid TTL); every port
     * status; flow-removed for idle, hard, delete and group delete; a
     * slave gets port status only. */
    ac->packet_in[0] = (1u << 0) | (1u << 1);
    ac->packet_in[1] = 0;
    ac->port_status[0] = ac->port_status[1] = 0x7;
    ac->flow_removed[0] = 0xf;
    ac->flow_removed[1] = 0;
}

static struct ofpmsg *
ofputil_encode_async_cfg(enum ofptype type,
                         const struct ofputil_async_cfg *ac,
                         uint8_t version, uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(type, version, xid, 24);
    struct ofp13_async_config *oac = ofpmsg_put_zeros(msg, sizeof *oac);

    for (int i = 0; i < 2; i++) {
        oac->packet_in_mask[i] = htonl(ac->packet_in[i]);
        oac->port_status_mask[i] = htonl(ac->port_status[i]);
        oac->flow_removed_mask[i] = htonl(ac->flow_removed[i]);
    }
    ofpmsg_finish(msg);
    return msg;
}

struct ofpmsg *
ofputil_encode_set_async(const struct ofputil_async_cfg *ac,
                         uint8_t version, uint32_t xid)
{
    return ofputil_encode_async_cfg(OFPTYPE_SET_ASYNC, ac, version, xid);
}

struct ofpmsg *
ofputil_encode_get_async_reply(const struct ofputil_async_cfg *ac,
                               const struct ofp_header *request)
{
    return ofputil_encode_async_cfg(OFPTYPE_GET_ASYNC_REPLY, ac,
                                    request->version, ntohl(request->xid));
}

enum ofperr
ofputil_decode_async_cfg(const struct ofp_header *oh,
                         struct ofputil_async_cfg *ac)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);

    memset(ac, 0, sizeof *ac);
    if (error) {
        return error;
    }
    if (type != OFPTYPE_SET_ASYNC && type != OFPTYPE_GET_ASYNC_REPLY) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }

    const struct ofp13_async_config *oac = (const void *) (oh + 1);
    for (int i = 0; i < 2; i++) {
        ac->packet_in[i] = ntohl(oac->packet_in_mask[i]);
        ac->port_status[i] = ntohl(oac->port_status_mask[i]);
        ac->flow_removed[i] = ntohl(oac->flow_removed_mask[i]);
    }
    return 0;
}

/* ---- Multipart. ---- */

struct ofpmsg *
ofputil_encode_multipart_request(enum ofptype type, uint8_t version,
                                 uint32_t xid)
{
    return ofputil_encode_header_only(type, version, xid);
}

struct ofpmsg *
ofputil_encode_desc_stats_reply(const struct ofputil_desc_stats *ds,
                                const struct ofp_header *request)
{
    struct ofpmsg *msg = ofpmsg_start_reply(OFPTYPE_DESC_STATS_REPLY,
                                            request, 1056);
    struct ofp_desc_stats *ods = ofpmsg_put_zeros(msg, sizeof *ods);

    ofputil_put_str(ods->mfr_desc, sizeof ods->mfr_desc, ds->mfr_desc);
    ofputil_put_str(ods->hw_desc, sizeof ods->hw_desc, ds->hw_desc);
    ofputil_put_str(ods->sw_desc, sizeof ods->sw_desc, ds->sw_desc);
    ofputil_put_str(ods->serial_num, sizeof ods->serial_num,
                    ds->serial_num);
    ofputil_put_str(ods->dp_desc, sizeof ods->dp_desc, ds->dp_desc);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_desc_stats_reply(const struct ofp_header *oh,
                                struct ofputil_desc_stats *ds)
{
    const struct ofp_desc_stats *ods;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_DESC_STATS_REPLY,
                                        (const void **) &ods, &len);

    memset(ds, 0, sizeof *ds);
    if (!error) {
#define COPY(F) ofputil_copy_str(ds->F, sizeof ds->F, ods->F, sizeof ods->F)
        COPY(mfr_desc);
        COPY(hw_desc);
        COPY(sw_desc);
        COPY(serial_num);
        COPY(dp_desc);
#undef COPY
    }
    return error;
}

struct ofpmsg *
ofputil_encode_port_stats_request(uint8_t version, uint32_t xid,
                                  uint32_t port_no)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_PORT_STATS_REQUEST, version,
                                      xid, 8);

    if (version == V10) {
        struct ofp10_port_stats_request *r = ofpmsg_put_zeros(msg,
                                                              sizeof *r);
        uint16_t port10;

        ofp_port_to_ofp10(port_no, &port10);
        r->port_no = htons(port10);
    } else {
        struct ofp11_port_stats_request *r = ofpmsg_put_zeros(msg,
                                                              sizeof *r);
        r->port_no = htonl(port_no);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_port_stats_request(const struct ofp_header *oh,
                                  uint32_t *port_nop)
{
    const void *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_PORT_STATS_REQUEST,
                                        &body, &len);

    *port_nop = OFPP11_ANY;
    if (error) {
        return error;
    }
    if (oh->version == V10) {
        const struct ofp10_port_stats_request *r = body;
        *port_nop = ofp_port_from_ofp10(ntohs(r->port_no));
    } else {
        const struct ofp11_port_stats_request *r = body;
        *port_nop = ntohl(r->port_no);
    }
    return 0;
}

static void
ofputil_put_port_counters(struct ofp_port_counters *c,
                          const struct ofputil_port_stats *ps)
{
    c->rx_packets = htobe64(ps->rx_packets);
    c->tx_packets = htobe64(ps->tx_packets);
    c->rx_bytes = htobe64(ps->rx_bytes);
    c->tx_bytes = htobe64(ps->tx_bytes);
    c->rx_dropped = htobe64(ps->rx_dropped);
    c->tx_dropped = htobe64(ps->tx_dropped);
    c->rx_errors = htobe64(ps->rx_errors);
    c->tx_errors = htobe64(ps->tx_errors);
    c->rx_frame_err = htobe64(ps->rx_frame_errors);
    c->rx_over_err = htobe64(ps->rx_over_errors);
    c->rx_crc_err = htobe64(ps->rx_crc_errors);
    c->collisions = htobe64(ps->collisions);
}

static void
ofputil_pull_port_counters(struct ofputil_port_stats *ps,
                           const struct ofp_port_counters *c)
{
    ps->rx_packets = be64toh(c->rx_packets);
    ps->tx_packets = be64toh(c->tx_packets);
    ps->rx_bytes = be64toh(c->rx_bytes);
    ps->tx_bytes = be64toh(c->tx_bytes);
    ps->rx_dropped = be64toh(c->rx_dropped);
    ps->tx_dropped = be64toh(c->tx_dropped);
    ps->rx_errors = be64toh(c->rx_errors);
    ps->tx_errors = be64toh(c->tx_errors);
    ps->rx_frame_errors = be64toh(c->rx_frame_err);
    ps->rx_over_errors = be64toh(c->rx_over_err);
    ps->rx_crc_errors = be64toh(c->rx_crc_err);
    ps->collisions = be64toh(c->collisions);
}

void
ofputil_encode_port_stats_reply(struct plx_list *replies,
                                const struct ofp_header *request,
                                const struct ofputil_port_stats *stats,
                                size_t n)
{
    ofpmp_init(replies, OFPTYPE_PORT_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_port_stats *ps = &stats[i];

        if (request->version == V10) {
            struct ofp10_port_stats *ops = ofpmp_append(replies,
                                                        sizeof *ops);
            uint16_t port10;

            ofp_port_to_ofp10(ps->port_no, &port10);
            ops->port_no = htons(port10);
            ofputil_put_port_counters(&ops->c, ps);
        } else {
            struct ofp13_port_stats *ops = ofpmp_append(replies,
                                                        sizeof *ops);
            ops->port_no = htonl(ps->port_no);
            ofputil_put_port_counters(&ops->c, ps);
            ops->duration_sec = htonl(ps->duration_sec);
            ops->duration_nsec = htonl(ps->duration_nsec);
        }
    }
}

enum ofperr
ofputil_decode_port_stats_reply(const struct ofp_header *oh,
                                struct ofputil_port_stats **statsp,
                                size_t *np)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_PORT_STATS_REPLY,
                                        (const void **) &body, &len);

    *statsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }

    size_t size = (oh->version == V10 ? sizeof(struct ofp10_port_stats)
                   : sizeof(struct ofp13_port_stats));
    size_t n = len / size;
    struct ofputil_port_stats *stats = n ? xcalloc(n, sizeof *stats) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct ofputil_port_stats *ps = &stats[i];
        const void *p = body + i * size;

        if (oh->version == V10) {
            const struct ofp10_port_stats *ops = p;
            ps->port_no = ofp_port_from_ofp10(ntohs(ops->port_no));
            ofputil_pull_port_counters(ps, &ops->c);
            ps->duration_sec = ps->duration_nsec = UINT32_MAX;
        } else {
            const struct ofp13_port_stats *ops = p;
            ps->port_no = ntohl(ops->port_no);
            ofputil_pull_port_counters(ps, &ops->c);
            ps->duration_sec = ntohl(ops->duration_sec);
            ps->duration_nsec = ntohl(ops->duration_nsec);
        }
    }
    *statsp = stats;
    *np = n;
    return 0;
}

void
ofputil_encode_table_stats_reply(struct plx_list *replies,
                                 const struct ofp_header *request,
                                 const struct ofputil_table_stats *stats,
                                 size_t n)
{
    ofpmp_init(replies, OFPTYPE_TABLE_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_table_stats *ts = &stats[i];

        if (request->version == V10) {
            struct ofp10_table_stats *ots = ofpmp_append(replies,
                                                         sizeof *ots);
            ots->table_id = ts->table_id;
            ofputil_put_str(ots->name, sizeof ots->name, ts->name);
            ots->wildcards = htonl(ts->wildcards);
            ots->max_entries = htonl(ts->max_entries);
            ots->active_count = htonl(ts->active_count);
            ots->lookup_count = htobe64(ts->lookup_count);
            ots->matched_count = htobe64(ts->matched_count);
        } else {
            struct ofp13_table_stats *ots = ofpmp_append(replies,
                                                         sizeof *ots);
            ots->table_id = ts->table_id;
            ots->active_count = htonl(ts->active_count);
            ots->lookup_count = htobe64(ts->lookup_count);
            ots->matched_count = htobe64(ts->matched_count);
        }
    }
}

enum ofperr
ofputil_decode_table_stats_reply(const struct ofp_header *oh,
                                 struct ofputil_table_stats **statsp,
                                 size_t *np)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_TABLE_STATS_REPLY,
                                        (const void **) &body, &len);

    *statsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }

    size_t size = (oh->version == V10 ? sizeof(struct ofp10_table_stats)
                   : sizeof(struct ofp13_table_stats));
    size_t n = len / size;
    struct ofputil_table_stats *stats = n ? xcalloc(n, sizeof *stats) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct ofputil_table_stats *ts = &stats[i];
        const void *p = body + i * size;

        if (oh->version == V10) {
            const struct ofp10_table_stats *ots = p;
            ts->table_id = ots->table_id;
            ofputil_copy_str(ts->name, sizeof ts->name, ots->name,
                             sizeof ots->name);
            ts->wildcards = ntohl(ots->wildcards);
            ts->max_entries = ntohl(ots->max_entries);
            ts->active_count = ntohl(ots->active_count);
            ts->lookup_count = be64toh(ots->lookup_count);
            ts->matched_count = be64toh(ots->matched_count);
        } else {
            const struct ofp13_table_stats *ots = p;
            ts->table_id = ots->table_id;
            ts->active_count = ntohl(ots->active_count);
            ts->lookup_count = be64toh(ots->lookup_count);
            ts->matched_count = be64toh(ots->matched_count);
        }
    }
    *statsp = stats;
    *np = n;
    return 0;
}

void
ofputil_encode_port_desc_reply(struct plx_list *replies,
                               const struct ofp_header *request,
                               const struct ofputil_phy_port *ports,
                               size_t n)
{
    size_t size = ofputil_phy_port_size(request->version);

    ofpmp_init(replies, OFPTYPE_PORT_DESC_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        /* Encode into a scratch message, then copy into the reply. */
        struct ofpmsg tmp = { .data = NULL };
        ofputil_put_phy_port(&tmp, request->version, &ports[i]);
        memcpy(ofpmp_append(replies, size), tmp.data, size);
        free(tmp.data);
    }
}

enum ofperr
ofputil_decode_port_desc_reply(const struct ofp_header *oh,
                               struct ofputil_phy_port **portsp, size_t *np)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_PORT_DESC_STATS_REPLY,
                                        (const void **) &body, &len);

    *portsp = NULL;
    *np = 0;
    if (!error) {
        ofputil_pull_phy_ports(oh->version, body, len, portsp, np);
    }
    return error;
}
