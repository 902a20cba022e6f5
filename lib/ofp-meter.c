/* OpenFlow 1.3 meters: codecs and ovs-ofctl text.  See ofp-meter.h. */
#include <config.h>
#include "ofp-meter.h"

#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <string.h>
#include "dynamic-string.h"
#include "ofp-msgs.h"
#include "ofp-print.h"
#include "util.h"

/* ---- Wire structures. ---- */

struct ofp13_meter_mod {
    plx_be16 command;           /* OFPMC13_*. */
    plx_be16 flags;             /* OFPMF13_*. */
    plx_be32 meter_id;
    /* Followed by bands. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_mod) == 8);

/* Every band type (drop, dscp_remark, experimenter) is 16 bytes: this
 * header, then 4 bytes of type-specific data. */
struct ofp13_meter_band {
    plx_be16 type;              /* OFPMBT13_*. */
    plx_be16 len;
    plx_be32 rate;
    plx_be32 burst_size;
    uint8_t prec_level;         /* dscp_remark; drop: pad. */
    uint8_t pad[3];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_band) == 16);

struct ofp13_meter_multipart_request {
    plx_be32 meter_id;          /* OFPM13_ALL: every meter. */
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_multipart_request) == 8);

struct ofp13_meter_config {
    plx_be16 length;            /* Including the bands. */
    plx_be16 flags;
    plx_be32 meter_id;
    /* Followed by bands. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_config) == 8);

struct ofp13_meter_band_stats {
    plx_be64 packet_band_count;
    plx_be64 byte_band_count;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_band_stats) == 16);

struct ofp13_meter_stats {
    plx_be32 meter_id;
    plx_be16 len;               /* Including the band statistics. */
    uint8_t pad[6];
    plx_be32 flow_count;
    plx_be64 packet_in_count;
    plx_be64 byte_in_count;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    /* Followed by struct ofp13_meter_band_stats[]. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_stats) == 40);

struct ofp13_meter_features {
    plx_be32 max_meter;
    plx_be32 band_types;
    plx_be32 capabilities;
    uint8_t max_bands;
    uint8_t max_color;
    uint8_t pad[2];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_meter_features) == 16);


/* ---- Bands. ---- */

void
ofputil_meter_config_uninit(struct ofputil_meter_config *mc)
{
    free(mc->bands);
    mc->bands = NULL;
    mc->n_bands = 0;
}

void
ofputil_meter_config_free(struct ofputil_meter_config *configs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ofputil_meter_config_uninit(&configs[i]);
    }
    free(configs);
}

static void
bands_to_wire(const struct ofputil_meter_band *bands, size_t n, void *dst)
{
    struct ofp13_meter_band *omb = dst;

    for (size_t i = 0; i < n; i++, omb++) {
        memset(omb, 0, sizeof *omb);
        omb->type = htons(bands[i].type);
        omb->len = htons(sizeof *omb);
        omb->rate = htonl(bands[i].rate);
        omb->burst_size = htonl(bands[i].burst_size);
        omb->prec_level = bands[i].prec_level;
    }
}

/* Decodes the LEN bytes of bands at DATA, as Open vSwitch does. */
static enum ofperr
bands_from_wire(const uint8_t *data, size_t len,
                struct ofputil_meter_band **bandsp, uint16_t *np)
{
    const size_t size = sizeof(struct ofp13_meter_band);
    struct ofputil_meter_band *bands = NULL;
    size_t n = 0;

    *bandsp = NULL;
    *np = 0;
    if (len >= size) {
        bands = xcalloc(len / size, sizeof *bands);
    }
    for (; len >= size; data += size, len -= size) {
        const struct ofp13_meter_band *omb = (const void *) data;
        struct ofputil_meter_band *mb = &bands[n];

        if (ntohs(omb->len) != size) {
            free(bands);
            return OFPERR_OFPBRC_BAD_LEN;
        }
        mb->type = ntohs(omb->type);
        if (mb->type != OFPMBT13_DROP && mb->type != OFPMBT13_DSCP_REMARK) {
            free(bands);
            return OFPERR_OFPMMFC_BAD_BAND;
        }
        mb->rate = ntohl(omb->rate);
        mb->burst_size = ntohl(omb->burst_size);
        mb->prec_level = (mb->type == OFPMBT13_DSCP_REMARK
                          ? omb->prec_level : 0);
        n++;
    }
    if (len) {
        free(bands);
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *bandsp = bands;
    *np = n;
    return 0;
}

/* ---- METER_MOD. ---- */

struct ofpmsg *
ofputil_encode_meter_mod(const struct ofputil_meter_mod *mm,
                         uint8_t version, uint32_t xid)
{
    size_t bands_len = mm->meter.n_bands * sizeof(struct ofp13_meter_band);
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_METER_MOD, version, xid,
                                      bands_len);
    struct ofp13_meter_mod *omm = ofpmsg_put_zeros(msg, sizeof *omm);

    omm->command = htons(mm->command);
    if (mm->command != OFPMC13_DELETE) {
        omm->flags = htons(mm->meter.flags);
    }
    omm->meter_id = htonl(mm->meter.meter_id);
    bands_to_wire(mm->meter.bands, mm->meter.n_bands,
                  ofpmsg_put_zeros(msg, bands_len));
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_meter_mod(const struct ofp_header *oh,
                         struct ofputil_meter_mod *mm)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error;

    memset(mm, 0, sizeof *mm);
    error = ofpmsg_get_body8(oh, OFPTYPE_METER_MOD, &body, &len);
    if (error) {
        return error;
    }

    const struct ofp13_meter_mod *omm = (const void *) body;
    mm->command = ntohs(omm->command);
    if (mm->command != OFPMC13_ADD && mm->command != OFPMC13_MODIFY
        && mm->command != OFPMC13_DELETE) {
        return OFPERR_OFPMMFC_BAD_COMMAND;
    }
    mm->meter.meter_id = ntohl(omm->meter_id);
    if (mm->command == OFPMC13_DELETE) {
        /* Open vSwitch ignores whatever a DELETE carries. */
        return 0;
    }

    mm->meter.flags = ntohs(omm->flags);
    if (mm->meter.flags & OFPMF13_KBPS && mm->meter.flags & OFPMF13_PKTPS) {
        return OFPERR_OFPMMFC_BAD_FLAGS;
    }
    return bands_from_wire(body + sizeof *omm, len - sizeof *omm,
                           &mm->meter.bands, &mm->meter.n_bands);
}

enum ofperr
ofputil_meter_mod_check(const struct ofputil_meter_mod *mm,
                        const struct ofputil_meter_features *mf)
{
    const struct ofputil_meter_config *mc = &mm->meter;

    if (mm->command == OFPMC13_DELETE) {
        return 0;
    }
    if (!mc->meter_id || mc->meter_id > OFPM13_MAX) {
        return OFPERR_OFPMMFC_INVALID_METER;
    }
    if (mc->meter_id > mf->max_meters) {
        return OFPERR_OFPMMFC_OUT_OF_METERS;
    }
    if (mc->n_bands > mf->max_bands) {
        return OFPERR_OFPMMFC_OUT_OF_BANDS;
    }
    if (mc->flags & ~mf->capabilities) {
        return OFPERR_OFPMMFC_BAD_FLAGS;
    }
    for (size_t i = 0; i < mc->n_bands; i++) {
        const struct ofputil_meter_band *mb = &mc->bands[i];

        if (mb->type >= 32 || !(mf->band_types & (1u << mb->type))) {
            return OFPERR_OFPMMFC_BAD_BAND;
        }
        if (!mb->rate) {
            return OFPERR_OFPMMFC_BAD_RATE;
        }
    }
    return 0;
}

/* ---- Requests. ---- */

struct ofpmsg *
ofputil_encode_meter_request(bool stats, uint8_t version, uint32_t xid,
                             uint32_t meter_id)
{
    struct ofpmsg *msg = ofpmsg_start(stats
                                      ? OFPTYPE_METER_STATS_REQUEST
                                      : OFPTYPE_METER_CONFIG_STATS_REQUEST,
                                      version, xid, 0);
    struct ofp13_meter_multipart_request *req = ofpmsg_put_zeros(
        msg, sizeof *req);

    req->meter_id = htonl(meter_id);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_meter_request(const struct ofp_header *oh,
                             uint32_t *meter_idp)
{
    const struct ofp13_meter_multipart_request *req;
    size_t len;
    enum ofptype type;
    enum ofperr error;

    *meter_idp = 0;
    error = ofptype_decode_msg(oh, &type);
    if (error) {
        return error;
    }
    if (type != OFPTYPE_METER_STATS_REQUEST
        && type != OFPTYPE_METER_CONFIG_STATS_REQUEST) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    error = ofpmsg_get_body(oh, type, (const void **) &req, &len);
    if (!error) {
        *meter_idp = ntohl(req->meter_id);
    }
    return error;
}

/* ---- Configuration replies. ---- */

void
ofputil_encode_meter_config_reply(struct plx_list *replies,
                                  const struct ofp_header *request,
                                  const struct ofputil_meter_config *configs,
                                  size_t n)
{
    ofpmp_init(replies, OFPTYPE_METER_CONFIG_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_meter_config *mc = &configs[i];
        size_t len = (sizeof(struct ofp13_meter_config)
                      + mc->n_bands * sizeof(struct ofp13_meter_band));
        struct ofp13_meter_config *omc = ofpmp_append(replies, len);

        omc->length = htons(len);
        omc->flags = htons(mc->flags);
        omc->meter_id = htonl(mc->meter_id);
        bands_to_wire(mc->bands, mc->n_bands, omc + 1);
    }
}

enum ofperr
ofputil_decode_meter_config_reply(const struct ofp_header *oh,
                                  struct ofputil_meter_config **configsp,
                                  size_t *np)
{
    struct ofputil_meter_config *configs = NULL;
    size_t n = 0, allocated = 0;
    const uint8_t *p;
    size_t left;
    enum ofperr error = ofpmsg_get_body8(oh, OFPTYPE_METER_CONFIG_STATS_REPLY,
                                         &p, &left);

    while (!error && left > 0) {
        const struct ofp13_meter_config *omc = (const void *) p;
        size_t len;

        if (left < sizeof *omc) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }
        len = ntohs(omc->length);
        if (len < sizeof *omc || len > left) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }

        struct ofputil_meter_config mc = {
            .meter_id = ntohl(omc->meter_id),
            .flags = ntohs(omc->flags),
        };
        error = bands_from_wire(p + sizeof *omc, len - sizeof *omc,
                                &mc.bands, &mc.n_bands);
        if (error) {
            break;
        }
        if (n >= allocated) {
            configs = x2nrealloc(configs, &allocated, sizeof *configs);
        }
        configs[n++] = mc;
        p += len;
        left -= len;
    }
    if (error) {
        ofputil_meter_config_free(configs, n);
        configs = NULL;
        n = 0;
    }
    *configsp = configs;
    *np = n;
    return error;
}

/* ---- Statistics replies. ---- */

void
ofputil_encode_meter_stats_reply(struct plx_list *replies,
                                 const struct ofp_header *request,
                                 const struct ofputil_meter_stats *stats,
                                 size_t n)
{
    ofpmp_init(replies, OFPTYPE_METER_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_meter_stats *ms = &stats[i];
        size_t len = (sizeof(struct ofp13_meter_stats)
                      + ms->n_bands * sizeof(struct ofp13_meter_band_stats));
        struct ofp13_meter_stats *oms = ofpmp_append(replies, len);
        struct ofp13_meter_band_stats *obs = (void *) (oms + 1);

        oms->meter_id = htonl(ms->meter_id);
        oms->len = htons(len);
        oms->flow_count = htonl(ms->flow_count);
        oms->packet_in_count = htobe64(ms->packet_in_count);
        oms->byte_in_count = htobe64(ms->byte_in_count);
        oms->duration_sec = htonl(ms->duration_sec);
        oms->duration_nsec = htonl(ms->duration_nsec);
        for (size_t j = 0; j < ms->n_bands; j++) {
            obs[j].packet_band_count = htobe64(ms->bands[j].packet_count);
            obs[j].byte_band_count = htobe64(ms->bands[j].byte_count);
        }
    }
}

void
ofputil_meter_stats_free(struct ofputil_meter_stats *stats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(stats[i].bands);
    }
    free(stats);
}

enum ofperr
ofputil_decode_meter_stats_reply(const struct ofp_header *oh,
                                 struct ofputil_meter_stats **statsp,
                                 size_t *np)
{
    struct ofputil_meter_stats *stats = NULL;
    size_t n = 0, allocated = 0;
    const uint8_t *p;
    size_t left;
    enum ofperr error = ofpmsg_get_body8(oh, OFPTYPE_METER_STATS_REPLY,
                                         &p, &left);

    while (!error && left > 0) {
        const struct ofp13_meter_stats *oms = (const void *) p;
        const size_t unit = sizeof(struct ofp13_meter_band_stats);
        size_t len;

        if (left < sizeof *oms) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }
        len = ntohs(oms->len);
        if (len < sizeof *oms || len > left
            || (len - sizeof *oms) % unit) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }

        if (n >= allocated) {
            stats = x2nrealloc(stats, &allocated, sizeof *stats);
        }
        struct ofputil_meter_stats *ms = &stats[n++];
        const struct ofp13_meter_band_stats *obs = (const void *) (oms + 1);

        ms->meter_id = ntohl(oms->meter_id);
        ms->flow_count = ntohl(oms->flow_count);
        ms->packet_in_count = be64toh(oms->packet_in_count);
        ms->byte_in_count = be64toh(oms->byte_in_count);
        ms->duration_sec = ntohl(oms->duration_sec);
        ms->duration_nsec = ntohl(oms->duration_nsec);
        ms->n_bands = (len - sizeof *oms) / unit;
        ms->bands = (ms->n_bands
                     ? xcalloc(ms->n_bands, sizeof *ms->bands) : NULL);
        for (size_t j = 0; j < ms->n_bands; j++) {
            ms->bands[j].packet_count = be64toh(obs[j].packet_band_count);
            ms->bands[j].byte_count = be64toh(obs[j].byte_band_count);
        }
        p += len;
        left -= len;
    }
    if (error) {
        ofputil_meter_stats_free(stats, n);
        stats = NULL;
        n = 0;
    }
    *statsp = stats;
    *np = n;
    return error;
}

/* ---- Features. ---- */

struct ofpmsg *
ofputil_encode_meter_features_reply(const struct ofputil_meter_features *mf,
                                    const struct ofp_header *request)
{
    struct ofpmsg *msg = ofpmsg_start_reply(
        OFPTYPE_METER_FEATURES_STATS_REPLY, request, 0);
    struct ofp13_meter_features *omf = ofpmsg_put_zeros(msg, sizeof *omf);

    omf->max_meter = htonl(mf->max_meters);
    omf->band_types = htonl(mf->band_types);
    omf->capabilities = htonl(mf->capabilities);
    omf->max_bands = mf->max_bands;
    omf->max_color = mf->max_color;
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_meter_features_reply(const struct ofp_header *oh,
                                    struct ofputil_meter_features *mf)
{
    const struct ofp13_meter_features *omf;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh,
                                        OFPTYPE_METER_FEATURES_STATS_REPLY,
                                        (const void **) &omf, &len);

    memset(mf, 0, sizeof *mf);
    if (error) {
        return error;
    }
    mf->max_meters = ntohl(omf->max_meter);
    mf->band_types = ntohl(omf->band_types);
    mf->capabilities = ntohl(omf->capabilities);
    mf->max_bands = omf->max_bands;
    mf->max_color = omf->max_color;
    return 0;
}

/* ---- Text: parsing. ---- */

static char *
parse_u32(const char *s, uint32_t *x)
{
    unsigned long long ull;

    if (!str_to_ullong(s, 0, &ull) || ull > UINT32_MAX) {
        return xasprintf("invalid numeric format %s", s);
    }
    *x = ull;
    return NULL;
}

/* Parses the bands in S (after "bands=") into MC, as Open vSwitch. */
static char *
parse_bands(char *s, struct ofputil_meter_config *mc)
{
    size_t allocated = 0;
    struct ofputil_meter_band *band = NULL;
    char *save_ptr = NULL;
    char *name;

    for (name = strtok_r(s, "=, \t\r\n", &save_ptr); name;
         name = strtok_r(NULL, "=, \t\r\n", &save_ptr)) {
        char *value = strtok_r(NULL, ", \t\r\n", &save_ptr);
        char *error = NULL;

        if (!value) {
            return xasprintf("field %s missing value", name);
        }
        if (!strcmp(name, "type")) {
            if (mc->n_bands == UINT16_MAX) {
                return xstrdup("too many bands");
            }
            if (mc->n_bands >= allocated) {
                mc->bands = x2nrealloc(mc->bands, &allocated,
                                       sizeof *mc->bands);
            }
            band = &mc->bands[mc->n_bands++];
            memset(band, 0, sizeof *band);
            if (!strcmp(value, "drop")) {
                band->type = OFPMBT13_DROP;
            } else if (!strcmp(value, "dscp_remark")) {
                band->type = OFPMBT13_DSCP_REMARK;
            } else {
                return xasprintf("field %s unknown value %s", name, value);
            }
        } else if (!band) {
            return xstrdup("band must start with the 'type' keyword");
        } else if (!strcmp(name, "rate")) {
            error = parse_u32(value, &band->rate);
        } else if (!strcmp(name, "burst_size")) {
            error = parse_u32(value, &band->burst_size);
        } else if (!strcmp(name, "prec_level")) {
            unsigned int x;
            if (!str_to_uint(value, 0, &x) || x > UINT8_MAX) {
                error = xasprintf("invalid %s \"%s\"", name, value);
            } else {
                band->prec_level = x;
            }
        } else {
            return xasprintf("unknown keyword %s", name);
        }
        if (error) {
            return error;
        }
    }
    if (!mc->n_bands) {
        return xstrdup("meter must have bands");
    }
    for (size_t i = 0; i < mc->n_bands; i++) {
        band = &mc->bands[i];
        if (band->type == OFPMBT13_DSCP_REMARK) {
            if (!band->prec_level) {
                return xstrdup("'dscp_remark' band must have 'prec_level'");
            }
        } else if (band->prec_level) {
            return xstrdup("Only 'dscp_remark' band may have 'prec_level'");
        }
        if (!band->rate) {
            return xstrdup("band must have 'rate'");
        }
        if (mc->flags & OFPMF13_BURST) {
            if (!band->burst_size) {
                return xstrdup("band must have 'burst_size' when 'burst' "
                               "flag is set");
            }
        } else if (band->burst_size) {
            return xstrdup("band may have 'burst_size' only when 'burst' "
                           "flag is set");
        }
    }
    if (sizeof(struct ofp_header) + sizeof(struct ofp13_meter_mod)
        + mc->n_bands * sizeof(struct ofp13_meter_band) > OFP_MAX_MSG_LEN) {
        return xstrdup("too many bands for one OpenFlow message");
    }
    return NULL;
}

static char *
parse_meter_mod__(char *string, int command, struct ofputil_meter_mod *mm)
{
    struct ofputil_meter_config *mc = &mm->meter;
    bool want_flags_and_bands;
    char *band_str = NULL;
    char *save_ptr = NULL;
    char *name;

    switch (command) {
    case -1:
    case OFPMC13_DELETE:
        want_flags_and_bands = false;
        break;
    case OFPMC13_ADD:
    case OFPMC13_MODIFY:
        want_flags_and_bands = true;
        break;
    default:
        return xasprintf("%d: unknown meter command", command);
    }
    mm->command = command == -1 ? OFPMC13_ADD : command;

    if (!want_flags_and_bands && !string[strspn(string, " \t\r\n")]) {
        mc->meter_id = OFPM13_ALL;
        return NULL;
    }

    if (want_flags_and_bands) {
        band_str = strstr(string, "band");
        if (!band_str) {
            return xstrdup("must specify bands");
        }
        *band_str = '\0';
        band_str = strchr(band_str + 1, '=');
        if (!band_str) {
            return xstrdup("must specify bands");
        }
        band_str++;
    }

    for (name = strtok_r(string, "=, \t\r\n", &save_ptr); name;
         name = strtok_r(NULL, "=, \t\r\n", &save_ptr)) {
        if (want_flags_and_bands && !strcmp(name, "kbps")) {
            mc->flags |= OFPMF13_KBPS;
        } else if (want_flags_and_bands && !strcmp(name, "pktps")) {
            mc->flags |= OFPMF13_PKTPS;
        } else if (want_flags_and_bands && !strcmp(name, "burst")) {
            mc->flags |= OFPMF13_BURST;
        } else if (want_flags_and_bands && !strcmp(name, "stats")) {
            mc->flags |= OFPMF13_STATS;
        } else {
            char *value = strtok_r(NULL, ", \t\r\n", &save_ptr);

            if (!value) {
                return xasprintf("field %s missing value", name);
            }
            if (strcmp(name, "meter")) {
                return xasprintf("unknown keyword %s", name);
            }
            if (!strcmp(value, "all")) {
                mc->meter_id = OFPM13_ALL;
            } else if (!strcmp(value, "controller")) {
                mc->meter_id = OFPM13_CONTROLLER;
            } else if (!strcmp(value, "slowpath")) {
                mc->meter_id = OFPM13_SLOWPATH;
            } else {
                char *error = parse_u32(value, &mc->meter_id);
                if (error) {
                    return error;
                }
                if (!mc->meter_id || mc->meter_id > OFPM13_MAX) {
                    return xasprintf("invalid value for %s", name);
                }
            }
        }
    }
    if (!mc->meter_id) {
        return xstrdup("must specify 'meter'");
    }
    if (want_flags_and_bands) {
        if (!mc->flags) {
            return xstrdup("meter must specify either 'kbps' or 'pktps'");
        }
        return parse_bands(band_str, mc);
    }
    return NULL;
}

char *
ofputil_parse_meter_mod(const char *s, int command,
                        struct ofputil_meter_mod *mm)
{
    char *string = xstrdup(s ? s : "");
    char *error;

    memset(mm, 0, sizeof *mm);
    error = parse_meter_mod__(string, command, mm);
    free(string);
    if (error) {
        ofputil_meter_mod_uninit(mm);
        memset(mm, 0, sizeof *mm);
    }
    return error;
}

/* ---- Text: formatting. ---- */

void
ofputil_format_meter_id(uint32_t meter_id, char separator, struct ds *s)
{
    if (meter_id <= OFPM13_MAX) {
        ds_put_format(s, "meter%c%"PRIu32, separator, meter_id);
    } else {
        ds_put_format(s, "meter%c%s", separator,
                      (meter_id == OFPM13_SLOWPATH ? "slowpath"
                       : meter_id == OFPM13_CONTROLLER ? "controller"
                       : meter_id == OFPM13_ALL ? "all" : "unknown"));
    }
}

static void
format_band(const struct ofputil_meter_band *mb, uint16_t flags,
            struct ds *s)
{
    ds_put_cstr(s, "\ntype=");
    if (mb->type == OFPMBT13_DROP) {
        ds_put_cstr(s, "drop");
    } else if (mb->type == OFPMBT13_DSCP_REMARK) {
        ds_put_cstr(s, "dscp_remark");
    } else {
        ds_put_format(s, "%"PRIu16, mb->type);
    }
    ds_put_format(s, " rate=%"PRIu32, mb->rate);
    if (flags & OFPMF13_BURST) {
        ds_put_format(s, " burst_size=%"PRIu32, mb->burst_size);
    }
    if (mb->type == OFPMBT13_DSCP_REMARK) {
        ds_put_format(s, " prec_level=%"PRIu8, mb->prec_level);
    }
}

static void
format_meter_flags(uint16_t flags, struct ds *s)
{
    static const char *const names[] = { "kbps", "pktps", "burst", "stats" };

    for (int i = 0; i < 4; i++) {
        if (flags & (1u << i)) {
            ds_put_format(s, "%s ", names[i]);
        }
    }
    if (flags & ~0xfu) {
        ds_put_format(s, "flags:0x%"PRIx16" ", (uint16_t) (flags & ~0xfu));
    }
}

void
ofputil_meter_config_format(const struct ofputil_meter_config *mc,
                            struct ds *s)
{
    ofputil_format_meter_id(mc->meter_id, '=', s);
    ds_put_char(s, ' ');
    format_meter_flags(mc->flags, s);
    ds_put_cstr(s, "bands=");
    for (size_t i = 0; i < mc->n_bands; i++) {
        format_band(&mc->bands[i], mc->flags, s);
    }
    ds_put_char(s, '\n');
}


void
ofputil_meter_stats_format(const struct ofputil_meter_stats *ms,
                           struct ds *s)
{
    ofputil_format_meter_id(ms->meter_id, ':', s);
    ds_put_format(s, " flow_count:%"PRIu32" packet_in_count:%"PRIu64
                  " byte_in_count:%"PRIu64" duration:", ms->flow_count,
                  ms->packet_in_count, ms->byte_in_count);
    ofp_print_duration(s, ms->duration_sec, ms->duration_nsec);
    ds_put_cstr(s, " bands:\n");
    for (size_t i = 0; i < ms->n_bands; i++) {
        ds_put_format(s, "%zu: packet_count:%"PRIu64" byte_count:%"PRIu64
                      "\n", i, ms->bands[i].packet_count,
                      ms->bands[i].byte_count);
    }
}

/* As Open vSwitch's ofp_print_bit_names() with NAMES for bits 0..N-1. */
static void
format_bit_names(uint32_t bits, const char *const names[], size_t n,
                 struct ds *s)
{
    bool any = false;

    if (!bits) {
        ds_put_char(s, '0');
        return;
    }
    for (size_t i = 0; i < 32; i++) {
        if (bits & (1u << i) && i < n && names[i]) {
            ds_put_format(s, "%s%s", any ? " " : "", names[i]);
            bits &= ~(1u << i);
            any = true;
        }
    }
    if (bits) {
        ds_put_format(s, "%s0x%"PRIx32, any ? " " : "", bits);
    }
}

static void
format_meter_features(const struct ofputil_meter_features *mf, struct ds *s)
{
    static const char *const band_names[] = { NULL, "drop", "dscp_remark" };
    static const char *const flag_names[] = {
        "kbps", "pktps", "burst", "stats"
    };

    ds_put_format(s, "\nmax_meter:%"PRIu32" max_bands:%"PRIu8
                  " max_color:%"PRIu8"\n", mf->max_meters, mf->max_bands,
                  mf->max_color);
    ds_put_cstr(s, "band_types: ");
    format_bit_names(mf->band_types, band_names, ARRAY_SIZE(band_names), s);
    ds_put_cstr(s, "\ncapabilities: ");
    format_bit_names(mf->capabilities, flag_names, ARRAY_SIZE(flag_names),
                     s);
    ds_put_char(s, '\n');
}

enum ofperr
ofputil_meter_msg_format(const struct ofp_header *oh, struct ds *s)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);

    if (error) {
        return error;
    }
    switch (type) {
    case OFPTYPE_METER_MOD: {
        struct ofputil_meter_mod mm;
        error = ofputil_decode_meter_mod(oh, &mm);
        if (!error) {
            ds_put_cstr(s, (mm.command == OFPMC13_ADD ? " ADD "
                            : mm.command == OFPMC13_MODIFY ? " MOD "
                            : " DEL "));
            ofputil_meter_config_format(&mm.meter, s);
            ofputil_meter_mod_uninit(&mm);
        }
        return error;
    }
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST: {
        uint32_t meter_id;
        error = ofputil_decode_meter_request(oh, &meter_id);
        if (!error) {
            ds_put_char(s, ' ');
            ofputil_format_meter_id(meter_id, '=', s);
        }
        return error;
    }
    case OFPTYPE_METER_STATS_REPLY: {
        struct ofputil_meter_stats *stats;
        size_t n;
        error = ofputil_decode_meter_stats_reply(oh, &stats, &n);
        for (size_t i = 0; i < n; i++) {
            ds_put_char(s, '\n');
            ofputil_meter_stats_format(&stats[i], s);
        }
        ofputil_meter_stats_free(stats, n);
        return error;
    }
    case OFPTYPE_METER_CONFIG_STATS_REPLY: {
        struct ofputil_meter_config *configs;
        size_t n;
        error = ofputil_decode_meter_config_reply(oh, &configs, &n);
        for (size_t i = 0; i < n; i++) {
            ds_put_char(s, '\n');
            ofputil_meter_config_format(&configs[i], s);
        }
        ofputil_meter_config_free(configs, n);
        return error;
    }
    case OFPTYPE_METER_FEATURES_STATS_REQUEST:
        return 0;
    case OFPTYPE_METER_FEATURES_STATS_REPLY: {
        struct ofputil_meter_features mf;
        error = ofputil_decode_meter_features_reply(oh, &mf);
        if (!error) {
            format_meter_features(&mf, s);
        }
        return error;
    }
    default:
        return OFPERR_OFPBRC_BAD_TYPE;
    }
}
