/* OpenFlow 1.3 groups: codecs and ovs-ofctl text.  See ofp-group.h. */
#include <config.h>
#include "ofp-group.h"

#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-msgs.h"
#include "ofp-print.h"
#include "util.h"

/* ---- Wire structures (OpenFlow 1.1+ layouts that 1.3 uses). ---- */

struct ofp11_group_mod {
    plx_be16 command;           /* OFPGC11_*. */
    uint8_t type;               /* OFPGT11_*. */
    uint8_t pad;
    plx_be32 group_id;
    /* Followed by struct ofp11_bucket[]. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_group_mod) == 8);

struct ofp11_bucket {
    plx_be16 len;               /* This header plus its actions. */
    plx_be16 weight;
    plx_be32 watch_port;
    plx_be32 watch_group;
    uint8_t pad[4];
    /* Followed by actions. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_bucket) == 16);

struct ofp11_group_stats_request {
    plx_be32 group_id;          /* OFPG_ALL: every group. */
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_group_stats_request) == 8);

struct ofp11_bucket_counter {
    plx_be64 packet_count;
    plx_be64 byte_count;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_bucket_counter) == 16);

struct ofp13_group_stats {
    plx_be16 length;            /* Including the bucket counters. */
    uint8_t pad[2];
    plx_be32 group_id;
    plx_be32 ref_count;
    uint8_t pad2[4];
    plx_be64 packet_count;
    plx_be64 byte_count;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    /* Followed by struct ofp11_bucket_counter[]. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_group_stats) == 40);

struct ofp11_group_desc_stats {
    plx_be16 length;            /* Including the buckets. */
    uint8_t type;
    uint8_t pad;
    plx_be32 group_id;
    /* Followed by struct ofp11_bucket[]. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_group_desc_stats) == 8);

struct ofp12_group_features_stats {
    plx_be32 types;
    plx_be32 capabilities;
    plx_be32 max_groups[OFPGT11_N_TYPES];
    plx_be32 actions[OFPGT11_N_TYPES];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp12_group_features_stats) == 40);

/* Appends N bytes from DATA (zeros if NULL) to the plain byte buffer B
 * and returns where they start. */
static void *
wire_put(struct ofpa_buf *b, const void *data, size_t n)
{
    if (b->size + n > b->allocated) {
        b->allocated = MAX(b->size + n, MAX(64, b->allocated * 2));
        b->data = xrealloc(b->data, b->allocated);
    }
    uint8_t *p = (uint8_t *) b->data + b->size;
    if (data) {
        memcpy(p, data, n);
    } else {
        memset(p, 0, n);
    }
    b->size += n;
    return p;
}


/* ---- Buckets. ---- */

bool
ofputil_bucket_has_liveness(const struct ofputil_bucket *b)
{
    return b->watch_port != MF_OFPP_ANY || b->watch_group != OFPG_ANY;
}

static void
buckets_free(struct ofputil_bucket *buckets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(buckets[i].ofpacts);
    }
    free(buckets);
}

/* Appends the wire form of the N BUCKETS to OUT. */
static void
buckets_to_wire(const struct ofputil_bucket *buckets, size_t n,
                uint8_t version, struct ofpa_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_bucket *b = &buckets[i];
        size_t start = out->size;
        struct ofp11_bucket *ob;

        wire_put(out, NULL, sizeof *ob);
        enum ofperr error = ofpacts_encode_actions(b->ofpacts, b->ofpacts_len,
                                                   version, out);
        plx_assert(!error);     /* Caller bug: see ofp-group.h. */
        plx_assert(out->size - start <= UINT16_MAX);
        ob = (void *) ((uint8_t *) out->data + start);
        ob->len = htons(out->size - start);
        ob->weight = htons(b->weight);
        ob->watch_port = htonl(b->watch_port);
        ob->watch_group = htonl(b->watch_group);
    }
}

/* Decodes the LEN bytes of buckets at DATA into a new array. */
static enum ofperr
buckets_from_wire(const uint8_t *data, size_t len, uint8_t version,
                  struct ofputil_bucket **bucketsp, size_t *np)
{
    struct ofputil_bucket *buckets = NULL;
    size_t n = 0, allocated = 0;
    enum ofperr error = 0;

    while (len > 0) {
        const struct ofp11_bucket *ob = (const void *) data;
        size_t ob_len;

        if (len < sizeof *ob) {
            error = OFPERR_OFPGMFC_BAD_BUCKET;
            break;
        }
        ob_len = ntohs(ob->len);
        if (ob_len < sizeof *ob || ob_len > len) {
            error = OFPERR_OFPGMFC_BAD_BUCKET;
            break;
        }

        struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
        error = ofpacts_decode_actions(ob + 1, ob_len - sizeof *ob, version,
                                       &ofpacts);
        if (error) {
            ofpa_buf_uninit(&ofpacts);
            break;
        }
        /* OpenFlow 1.3 ports past 0xff00 are reserved; only the named
         * ones at 0xffffff00 and up may be watched, as in Open vSwitch. */
        uint32_t watch_port = ntohl(ob->watch_port);
        if (watch_port >= 0xff00 && watch_port < MF_OFPP_MAX) {
            ofpa_buf_uninit(&ofpacts);
            error = OFPERR_OFPGMFC_BAD_WATCH;
            break;
        }

        if (n >= allocated) {
            buckets = x2nrealloc(buckets, &allocated, sizeof *buckets);
        }
        struct ofputil_bucket *b = &buckets[n];
        b->bucket_id = n++;
        b->weight = ntohs(ob->weight);
        b->watch_port = watch_port;
        b->watch_group = ntohl(ob->watch_group);
        b->ofpacts = ofpacts.data;
        b->ofpacts_len = ofpacts.size;

        data += ob_len;
        len -= ob_len;
    }
    if (error) {
        buckets_free(buckets, n);
        buckets = NULL;
        n = 0;
    }
    *bucketsp = buckets;
    *np = n;
    return error;
}

/* ---- GROUP_MOD. ---- */

void
ofputil_group_mod_uninit(struct ofputil_group_mod *gm)
{
    buckets_free(gm->buckets, gm->n_buckets);
    gm->buckets = NULL;
    gm->n_buckets = 0;
}

struct ofpmsg *
ofputil_encode_group_mod(const struct ofputil_group_mod *gm,
                         uint8_t version, uint32_t xid)
{
    struct ofpa_buf wire = OFPA_BUF_INITIALIZER;
    struct ofp11_group_mod *ogm = wire_put(&wire, NULL, sizeof *ogm);

    ogm->command = htons(gm->command);
    ogm->type = gm->type;
    ogm->group_id = htonl(gm->group_id);
    buckets_to_wire(gm->buckets, gm->n_buckets, version, &wire);

    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_GROUP_MOD, version, xid,
                                      wire.size);
    ofpmsg_put(msg, wire.data, wire.size);
    ofpa_buf_uninit(&wire);
    ofpmsg_finish(msg);
    return msg;
}

/* The consistency rules Open vSwitch's decoder applies. */
static enum ofperr
group_mod_check_rules(const struct ofputil_group_mod *gm)
{
    switch (gm->type) {
    case OFPGT11_INDIRECT:
        if (gm->command != OFPGC11_DELETE && gm->n_buckets != 1) {
            return OFPERR_OFPGMFC_INVALID_GROUP;
        }
        break;
    case OFPGT11_ALL:
    case OFPGT11_SELECT:
    case OFPGT11_FF:
        break;
    default:
        return OFPERR_OFPGMFC_BAD_TYPE;
    }

    switch (gm->command) {
    case OFPGC11_ADD:
    case OFPGC11_MODIFY:
    case OFPGC11_DELETE:
    case OFPGC11_ADD_OR_MOD:
        break;
    default:
        return OFPERR_OFPGMFC_BAD_COMMAND;
    }

    for (size_t i = 0; i < gm->n_buckets; i++) {
        const struct ofputil_bucket *b = &gm->buckets[i];

        if (b->weight && gm->type != OFPGT11_SELECT) {
            return OFPERR_OFPGMFC_INVALID_GROUP;
        }
        if ((gm->type == OFPGT11_ALL || gm->type == OFPGT11_INDIRECT)
            && ofputil_bucket_has_liveness(b)) {
            return OFPERR_OFPGMFC_WATCH_UNSUPPORTED;
        }
        if (gm->type == OFPGT11_FF && !ofputil_bucket_has_liveness(b)) {
            return OFPERR_OFPGMFC_INVALID_GROUP;
        }
    }
    return 0;
}

enum ofperr
ofputil_decode_group_mod(const struct ofp_header *oh,
                         struct ofputil_group_mod *gm)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error;

    memset(gm, 0, sizeof *gm);
    error = ofpmsg_get_body8(oh, OFPTYPE_GROUP_MOD, &body, &len);
    if (error) {
        return error;
    }

    const struct ofp11_group_mod *ogm = (const void *) body;
    gm->command = ntohs(ogm->command);
    gm->type = ogm->type;
    gm->group_id = ntohl(ogm->group_id);
    error = buckets_from_wire(body + sizeof *ogm, len - sizeof *ogm,
                              oh->version, &gm->buckets, &gm->n_buckets);
    /* OpenFlow 1.3.5 prescribes an error for a DELETE with buckets. */
    if (!error && gm->command == OFPGC11_DELETE && gm->n_buckets) {
        error = OFPERR_OFPGMFC_INVALID_GROUP;
    }
    if (!error) {
        error = group_mod_check_rules(gm);
    }
    if (error) {
        ofputil_group_mod_uninit(gm);
    }
    return error;
}

static bool
ofpacts_have_group(const void *ofpacts, size_t len)
{
    const struct ofpa *a;

    OFPA_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPA_GROUP) {
            return true;
        }
    }
    return false;
}

enum ofperr
ofputil_group_mod_check(const struct ofputil_group_mod *gm,
                        const struct ofputil_group_features *features)
{
    if (gm->command != OFPGC11_DELETE && gm->group_id > OFPG_MAX) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    if (gm->command == OFPGC11_DELETE) {
        return 0;
    }
    if (gm->type >= OFPGT11_N_TYPES
        || !(features->types & (1u << gm->type))) {
        return OFPERR_OFPGMFC_BAD_TYPE;
    }

    bool chaining = features->capabilities & OFPGFC_CHAINING;
    for (size_t i = 0; i < gm->n_buckets; i++) {
        const struct ofputil_bucket *b = &gm->buckets[i];

        if (!chaining && (b->watch_group != OFPG_ANY
                          || ofpacts_have_group(b->ofpacts,
                                                b->ofpacts_len))) {
            return OFPERR_OFPGMFC_CHAINING_UNSUPPORTED;
        }
        if (gm->type == OFPGT11_SELECT) {
            if (ofputil_bucket_has_liveness(b)
                && !(features->capabilities & OFPGFC_SELECT_LIVENESS)) {
                return OFPERR_OFPGMFC_WATCH_UNSUPPORTED;
            }
            if (b->weight != 1
                && !(features->capabilities & OFPGFC_SELECT_WEIGHT)) {
                return OFPERR_OFPGMFC_WEIGHT_UNSUPPORTED;
            }
        }
    }
    return 0;
}

/* ---- Group statistics. ---- */

struct ofpmsg *
ofputil_encode_group_stats_request(uint8_t version, uint32_t xid,
                                   uint32_t group_id)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_GROUP_STATS_REQUEST, version,
                                      xid, 0);
    struct ofp11_group_stats_request *req = ofpmsg_put_zeros(msg,
                                                             sizeof *req);
    req->group_id = htonl(group_id);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_group_stats_request(const struct ofp_header *oh,
                                   uint32_t *group_idp)
{
    const struct ofp11_group_stats_request *req;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_GROUP_STATS_REQUEST,
                                        (const void **) &req, &len);

    *group_idp = error ? 0 : ntohl(req->group_id);
    return error;
}

void
ofputil_encode_group_stats_reply(struct plx_list *replies,
                                 const struct ofp_header *request,
                                 const struct ofputil_group_stats *stats,
                                 size_t n)
{
    ofpmp_init(replies, OFPTYPE_GROUP_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_group_stats *gs = &stats[i];
        size_t len = (sizeof(struct ofp13_group_stats)
                      + gs->n_buckets * sizeof(struct ofp11_bucket_counter));
        struct ofp13_group_stats *ogs = ofpmp_append(replies, len);
        struct ofp11_bucket_counter *obc = (void *) (ogs + 1);

        ogs->length = htons(len);
        ogs->group_id = htonl(gs->group_id);
        ogs->ref_count = htonl(gs->ref_count);
        ogs->packet_count = htobe64(gs->packet_count);
        ogs->byte_count = htobe64(gs->byte_count);
        ogs->duration_sec = htonl(gs->duration_sec);
        ogs->duration_nsec = htonl(gs->duration_nsec);
        for (size_t j = 0; j < gs->n_buckets; j++) {
            obc[j].packet_count = htobe64(gs->bucket_stats[j].packet_count);
            obc[j].byte_count = htobe64(gs->bucket_stats[j].byte_count);
        }
    }
}

void
ofputil_group_stats_free(struct ofputil_group_stats *stats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(stats[i].bucket_stats);
    }
    free(stats);
}

enum ofperr
ofputil_decode_group_stats_reply(const struct ofp_header *oh,
                                 struct ofputil_group_stats **statsp,
                                 size_t *np)
{
    struct ofputil_group_stats *stats = NULL;
    size_t n = 0, allocated = 0;
    const uint8_t *p;
    size_t left;
    enum ofperr error = ofpmsg_get_body8(oh, OFPTYPE_GROUP_STATS_REPLY,
                                         &p, &left);

    while (!error && left > 0) {
        const struct ofp13_group_stats *ogs = (const void *) p;
        size_t len;

        if (left < sizeof *ogs) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }
        len = ntohs(ogs->length);
        if (len < sizeof *ogs || len > left
            || (len - sizeof *ogs) % sizeof(struct ofp11_bucket_counter)) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }

        if (n >= allocated) {
            stats = x2nrealloc(stats, &allocated, sizeof *stats);
        }
        struct ofputil_group_stats *gs = &stats[n++];
        const struct ofp11_bucket_counter *obc = (const void *) (ogs + 1);

        gs->group_id = ntohl(ogs->group_id);
        gs->ref_count = ntohl(ogs->ref_count);
        gs->packet_count = be64toh(ogs->packet_count);
        gs->byte_count = be64toh(ogs->byte_count);
        gs->duration_sec = ntohl(ogs->duration_sec);
        gs->duration_nsec = ntohl(ogs->duration_nsec);
        gs->n_buckets = (len - sizeof *ogs) / sizeof *obc;
        gs->bucket_stats = (gs->n_buckets
                            ? xcalloc(gs->n_buckets, sizeof *gs->bucket_stats)
                            : NULL);
        for (size_t j = 0; j < gs->n_buckets; j++) {
            gs->bucket_stats[j].packet_count = be64toh(obc[j].packet_count);
            gs->bucket_stats[j].byte_count = be64toh(obc[j].byte_count);
        }
        p += len;
        left -= len;
    }
    if (error) {
        ofputil_group_stats_free(stats, n);
        stats = NULL;
        n = 0;
    }
    *statsp = stats;
    *np = n;
    return error;
}

/* ---- Group descriptions. ---- */

void
ofputil_group_desc_uninit(struct ofputil_group_desc *gd)
{
    buckets_free(gd->buckets, gd->n_buckets);
    gd->buckets = NULL;
    gd->n_buckets = 0;
}

void
ofputil_group_desc_free(struct ofputil_group_desc *descs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ofputil_group_desc_uninit(&descs[i]);
    }
    free(descs);
}

void
ofputil_encode_group_desc_reply(struct plx_list *replies,
                                const struct ofp_header *request,
                                const struct ofputil_group_desc *descs,
                                size_t n)
{
    struct ofpa_buf wire = OFPA_BUF_INITIALIZER;

    ofpmp_init(replies, OFPTYPE_GROUP_DESC_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_group_desc *gd = &descs[i];

        ofpa_buf_clear(&wire);
        buckets_to_wire(gd->buckets, gd->n_buckets, request->version, &wire);

        size_t len = sizeof(struct ofp11_group_desc_stats) + wire.size;
        plx_assert(len <= UINT16_MAX);
        struct ofp11_group_desc_stats *ogds = ofpmp_append(replies, len);
        ogds->length = htons(len);
        ogds->type = gd->type;
        ogds->group_id = htonl(gd->group_id);
        if (wire.size) {
            memcpy(ogds + 1, wire.data, wire.size);
        }
    }
    ofpa_buf_uninit(&wire);
}

enum ofperr
ofputil_decode_group_desc_reply(const struct ofp_header *oh,
                                struct ofputil_group_desc **descsp,
                                size_t *np)
{
    struct ofputil_group_desc *descs = NULL;
    size_t n = 0, allocated = 0;
    const uint8_t *p;
    size_t left;
    enum ofperr error = ofpmsg_get_body8(oh, OFPTYPE_GROUP_DESC_STATS_REPLY,
                                         &p, &left);

    while (!error && left > 0) {
        const struct ofp11_group_desc_stats *ogds = (const void *) p;
        size_t len;

        if (left < sizeof *ogds) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }
        len = ntohs(ogds->length);
        if (len < sizeof *ogds || len > left) {
            error = OFPERR_OFPBRC_BAD_LEN;
            break;
        }

        struct ofputil_group_desc gd = {
            .type = ogds->type,
            .group_id = ntohl(ogds->group_id),
        };
        error = buckets_from_wire(p + sizeof *ogds, len - sizeof *ogds,
                                  oh->version, &gd.buckets, &gd.n_buckets);
        if (error) {
            break;
        }
        if (n >= allocated) {
            descs = x2nrealloc(descs, &allocated, sizeof *descs);
        }
        descs[n++] = gd;
        p += len;
        left -= len;
    }
    if (error) {
        ofputil_group_desc_free(descs, n);
        descs = NULL;
        n = 0;
    }
    *descsp = descs;
    *np = n;
    return error;
}

/* ---- Group features. ---- */

struct ofpmsg *
ofputil_encode_group_features_reply(
    const struct ofputil_group_features *gf,
    const struct ofp_header *request)
{
    struct ofpmsg *msg = ofpmsg_start_reply(
        OFPTYPE_GROUP_FEATURES_STATS_REPLY, request, 0);
    struct ofp12_group_features_stats *ogf = ofpmsg_put_zeros(msg,
                                                              sizeof *ogf);

    ogf->types = htonl(gf->types);
    ogf->capabilities = htonl(gf->capabilities);
    for (int i = 0; i < OFPGT11_N_TYPES; i++) {
        ogf->max_groups[i] = htonl(gf->max_groups[i]);
        ogf->actions[i] = htonl(gf->actions[i]);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_group_features_reply(const struct ofp_header *oh,
                                    struct ofputil_group_features *gf)
{
    const struct ofp12_group_features_stats *ogf;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh,
                                        OFPTYPE_GROUP_FEATURES_STATS_REPLY,
                                        (const void **) &ogf, &len);

    memset(gf, 0, sizeof *gf);
    if (error) {
        return error;
    }
    gf->types = ntohl(ogf->types);
    gf->capabilities = ntohl(ogf->capabilities);
    for (int i = 0; i < OFPGT11_N_TYPES; i++) {
        gf->max_groups[i] = ntohl(ogf->max_groups[i]);
        gf->actions[i] = ntohl(ogf->actions[i]);
    }
    return 0;
}

/* ---- Text: parsing. ---- */

/* Length of the value at S up to one of DELIMITERS, skipping over
 * parenthesized parts (as Open vSwitch's ofputil_parse_key_value()). */
static size_t
parse_value_len(const char *s, const char *delimiters)
{
    size_t n = 0;

    while (!strchr(delimiters, s[n])) {
        if (s[n] == '(') {
            int level = 0;
            do {
                if (s[n] == '\0') {
                    return n;
                } else if (s[n] == '(') {
                    level++;
                } else if (s[n] == ')') {
                    level--;
                }
                n++;
            } while (level > 0);
        } else {
            n++;
        }
    }
    return n;
}

/* Takes the next "key", "key=value", "key:value" or "key(value)" from
 * '*stringp' (modified in place).  Returns false at the end. */
static bool
parse_key_value(char **stringp, char **keyp, char **valuep)
{
    *stringp += strspn(*stringp, ", \t\r\n");
    if (**stringp == '\0') {
        *keyp = *valuep = NULL;
        return false;
    }

    char *key = *stringp;
    size_t key_len = strcspn(key, ":=(, \t\r\n");
    char key_delim = key[key_len];
    key[key_len] = '\0';
    *stringp += key_len + (key_delim != '\0');

    const char *delims;
    if (key_delim == ':' || key_delim == '=') {
        delims = ", \t\r\n";
    } else if (key_delim == '(') {
        delims = ")";
    } else {
        *keyp = key;
        *valuep = key + key_len;        /* Empty. */
        return true;
    }

    char *value = *stringp;
    size_t value_len = parse_value_len(value, delims);
    char value_delim = value[value_len];
    /* "(x)->y", as set_field's "set_field(x)->y"... rare, but OVS has it. */
    if (key_delim == '(' && value_delim == ')'
        && value[value_len + 1] == '-' && value[value_len + 2] == '>') {
        value_len += parse_value_len(value + value_len, ", \t\r\n");
        value_delim = value[value_len];
    }
    value[value_len] = '\0';
    *stringp += value_len + (value_delim != '\0');
    *keyp = key;
    *valuep = value;
    return true;
}

static char *
parse_u32(const char *s, uint32_t *x)
{
    unsigned long long ull;

    if (!*s) {
        return xstrdup("missing required numeric argument");
    }
    if (!str_to_ullong(s, 0, &ull) || ull > UINT32_MAX) {
        return xasprintf("invalid numeric format %s", s);
    }
    *x = ull;
    return NULL;
}

static char *
parse_bucket(char *s, uint8_t group_type, struct ofputil_bucket *b)
{
    struct ds actions = DS_EMPTY_INITIALIZER;
    char *key, *value;
    char *error = NULL;

    memset(b, 0, sizeof *b);
    b->weight = group_type == OFPGT11_SELECT ? 1 : 0;
    b->watch_port = MF_OFPP_ANY;
    b->watch_group = OFPG_ANY;

    while (!error && parse_key_value(&s, &key, &value)) {
        if (!strcasecmp(key, "weight")) {
            unsigned long long x;
            if (!str_to_ullong(value, 0, &x) || x > UINT16_MAX) {
                error = xasprintf("invalid weight \"%s\"", value);
            } else {
                b->weight = x;
            }
        } else if (!strcasecmp(key, "watch_port")) {
            if (!mf_port_from_string(value, &b->watch_port)
                || (b->watch_port >= 0xff00
                    && b->watch_port != MF_OFPP_ANY)) {
                error = xasprintf("%s: invalid watch_port", value);
            }
        } else if (!strcasecmp(key, "watch_group")) {
            error = parse_u32(value, &b->watch_group);
            if (!error && b->watch_group > OFPG_MAX) {
                error = xasprintf("invalid watch_group id %"PRIu32,
                                  b->watch_group);
            }
        } else if (!strcasecmp(key, "bucket_id")) {
            error = parse_u32(value, &b->bucket_id);
            if (!error && b->bucket_id > 0xffffff00u) {
                error = xasprintf("invalid bucket_id id %"PRIu32,
                                  b->bucket_id);
            }
        } else if (!strcasecmp(key, "action") || !strcasecmp(key, "actions")) {
            ds_put_format(&actions, "%s,", value);
        } else if (*value) {
            ds_put_format(&actions, "%s(%s),", key, value);
        } else {
            ds_put_format(&actions, "%s,", key);
        }
    }
    if (!error && !actions.length) {
        error = xstrdup("bucket must specify actions");
    }
    if (!error && group_type == OFPGT11_FF
        && !ofputil_bucket_has_liveness(b)) {
        error = xstrdup("fast failover bucket requires watch_port or "
                        "watch_group");
    }
    if (!error) {
        struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
        struct ofpa_buf wire = OFPA_BUF_INITIALIZER;
        const struct ofpa *a;

        ds_chomp(&actions, ',');
        error = ofpacts_text_parse(ds_cstr(&actions), &ofpacts);
        if (!error) {
            OFPA_FOR_EACH (a, ofpacts.data, ofpacts.size) {
                if (ofpa_is_instruction(a->type)) {
                    error = xasprintf("%s instruction not allowed in a "
                                      "bucket", ofpa_type_name(a->type));
                    break;
                }
            }
        }
        if (!error && ofpacts_encode_actions(ofpacts.data, ofpacts.size,
                                             OFP13_VERSION, &wire)) {
            error = xasprintf("%s: actions not expressible in OpenFlow 1.3",
                              ds_cstr(&actions));
        }
        ofpa_buf_uninit(&wire);
        if (error) {
            ofpa_buf_uninit(&ofpacts);
        } else {
            b->ofpacts = ofpacts.data;
            b->ofpacts_len = ofpacts.size;
        }
    }
    ds_destroy(&actions);
    return error;
}

/* The command word at the start of S, for COMMAND -2. */
static int
parse_group_command(char **sp)
{
    static const struct {
        const char *name;
        int command;
    } commands[] = {
        { "add", OFPGC11_ADD },
        { "delete", OFPGC11_DELETE },
        { "modify", OFPGC11_MODIFY },
        { "add_or_mod", OFPGC11_ADD_OR_MOD },
    };
    char *s = *sp + strspn(*sp, " \t\r\n");
    size_t len = strcspn(s, ", \t\r\n");

    *sp = s;
    for (size_t i = 0; len && i < ARRAY_SIZE(commands); i++) {
        if (!strncmp(s, commands[i].name, len)
            && strlen(commands[i].name) == len) {
            *sp = s + len;
            return commands[i].command;
        }
    }
    return OFPGC11_ADD;
}

static char *
parse_group_mod__(char *string, int command, struct ofputil_group_mod *gm)
{
    bool want_type_and_buckets;
    bool had_type = false;
    char *key, *value;

    if (command == -2) {
        command = parse_group_command(&string);
    }
    switch (command) {
    case OFPGC11_ADD:
    case OFPGC11_MODIFY:
    case OFPGC11_ADD_OR_MOD:
        want_type_and_buckets = true;
        break;
    case OFPGC11_DELETE:
        want_type_and_buckets = false;
        break;
    default:
        return xasprintf("%d: unknown group command", command);
    }

    gm->command = command;
    gm->group_id = OFPG_ANY;
    if (command == OFPGC11_DELETE && string[strspn(string, " \t\r\n")]
        == '\0') {
        gm->group_id = OFPG_ALL;
        return NULL;
    }

    /* Buckets come last: their defaults depend on the type. */
    char *bucket_str = strstr(string, "bucket=");
    if (bucket_str) {
        if (!want_type_and_buckets) {
            return xstrdup("bucket is not needed");
        }
        *bucket_str = '\0';
    }

    char *pos = string;
    while (parse_key_value(&pos, &key, &value)) {
        if (!strcmp(key, "group_id")) {
            if (!strcmp(value, "all")) {
                gm->group_id = OFPG_ALL;
            } else {
                char *error = parse_u32(value, &gm->group_id);
                if (error) {
                    return error;
                }
                if (gm->group_id != OFPG_ALL && gm->group_id > OFPG_MAX) {
                    return xasprintf("invalid group id %"PRIu32,
                                     gm->group_id);
                }
            }
        } else if (!strcmp(key, "type")) {
            if (!want_type_and_buckets) {
                return xstrdup("type is not needed");
            }
            if (!strcmp(value, "all")) {
                gm->type = OFPGT11_ALL;
            } else if (!strcmp(value, "select")) {
                gm->type = OFPGT11_SELECT;
            } else if (!strcmp(value, "indirect")) {
                gm->type = OFPGT11_INDIRECT;
            } else if (!strcmp(value, "ff")
                       || !strcmp(value, "fast_failover")) {
                gm->type = OFPGT11_FF;
            } else {
                return xasprintf("invalid group type %s", value);
            }
            had_type = true;
        } else if (!strcmp(key, "command_bucket_id")
                   || !strcmp(key, "selection_method")
                   || !strcmp(key, "selection_method_param")
                   || !strcmp(key, "fields")) {
            return xasprintf("%s needs OpenFlow 1.5 or later", key);
        } else {
            return xasprintf("unknown keyword %s", key);
        }
    }
    if (gm->group_id == OFPG_ANY) {
        return xstrdup("must specify a group_id");
    }
    if (want_type_and_buckets && !had_type) {
        return xstrdup("must specify a type");
    }

    size_t allocated = 0;
    while (bucket_str) {
        bucket_str = strchr(bucket_str + 1, '=') + 1;

        char *next = strstr(bucket_str, "bucket=");
        if (next) {
            *next = '\0';
        }
        if (gm->n_buckets >= allocated) {
            gm->buckets = x2nrealloc(gm->buckets, &allocated,
                                     sizeof *gm->buckets);
        }
        struct ofputil_bucket *b = &gm->buckets[gm->n_buckets];
        char *error = parse_bucket(bucket_str, gm->type, b);
        if (error) {
            return error;
        }
        gm->n_buckets++;
        if (gm->type != OFPGT11_SELECT && b->weight) {
            return xstrdup("Only select groups can have bucket weights.");
        }
        bucket_str = next;
    }
    if (gm->type == OFPGT11_INDIRECT && gm->n_buckets > 1) {
        return xstrdup("Indirect groups can have at most one bucket.");
    }

    /* The whole message must fit in one OpenFlow message. */
    size_t total = sizeof(struct ofp_header) + sizeof(struct ofp11_group_mod);
    for (size_t i = 0; i < gm->n_buckets; i++) {
        struct ofpa_buf wire = OFPA_BUF_INITIALIZER;
        const struct ofputil_bucket *b = &gm->buckets[i];

        if (!ofpacts_encode_actions(b->ofpacts, b->ofpacts_len,
                                    OFP13_VERSION, &wire)) {
            total += sizeof(struct ofp11_bucket) + wire.size;
        }
        ofpa_buf_uninit(&wire);
    }
    if (total > OFP_MAX_MSG_LEN) {
        return xasprintf("group is %zu bytes long, more than an OpenFlow "
                         "message can hold", total);
    }
    return NULL;
}

char *
ofputil_parse_group_mod(const char *s, int command,
                        struct ofputil_group_mod *gm)
{
    char *string = xstrdup(s);
    char *error;

    memset(gm, 0, sizeof *gm);
    error = parse_group_mod__(string, command, gm);
    free(string);
    if (error) {
        ofputil_group_mod_uninit(gm);
        memset(gm, 0, sizeof *gm);
    }
    return error;
}

/* ---- Text: formatting. ---- */

void
ofputil_format_group_id(uint32_t group_id, struct ds *s)
{
    if (group_id == OFPG_ALL) {
        ds_put_cstr(s, "ALL");
    } else if (group_id == OFPG_ANY) {
        ds_put_cstr(s, "ANY");
    } else {
        ds_put_format(s, "%"PRIu32, group_id);
    }
}


static void
format_group(uint32_t group_id, uint8_t type,
             const struct ofputil_bucket *buckets, size_t n, struct ds *s)
{
    static const char *const type_names[] = {
        "all", "select", "indirect", "ff", "unknown"
    };

    ds_put_format(s, "group_id=%"PRIu32",type=%s", group_id,
                  type_names[MIN(type, 4)]);
    ds_put_char(s, ',');
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_bucket *b = &buckets[i];

        ds_put_cstr(s, "bucket=");
        if (b->weight != (type == OFPGT11_SELECT ? 1 : 0)) {
            ds_put_format(s, "weight:%"PRIu16",", b->weight);
        }
        if (b->watch_port != MF_OFPP_ANY) {
            ds_put_cstr(s, "watch_port:");
            mf_format_port(b->watch_port, s);
            ds_put_char(s, ',');
        }
        if (b->watch_group != OFPG_ANY) {
            ds_put_format(s, "watch_group:%"PRIu32",", b->watch_group);
        }
        ds_put_cstr(s, "actions=");
        ofpacts_text_format(b->ofpacts, b->ofpacts_len, s);
        ds_put_char(s, ',');
    }
    ds_chomp(s, ',');
}

void
ofputil_group_desc_format(const struct ofputil_group_desc *gd, struct ds *s)
{
    format_group(gd->group_id, gd->type, gd->buckets, gd->n_buckets, s);
}

void
ofputil_group_mod_format(const struct ofputil_group_mod *gm, struct ds *s)
{
    switch (gm->command) {
    case OFPGC11_ADD:
        ds_put_cstr(s, "ADD");
        break;
    case OFPGC11_MODIFY:
        ds_put_cstr(s, "MOD");
        break;
    case OFPGC11_ADD_OR_MOD:
        ds_put_cstr(s, "ADD_OR_MOD");
        break;
    case OFPGC11_DELETE:
        ds_put_cstr(s, "DEL");
        break;
    default:
        ds_put_format(s, "cmd:%"PRIu16, gm->command);
        break;
    }
    ds_put_char(s, ' ');
    format_group(gm->group_id, gm->type, gm->buckets, gm->n_buckets, s);
}

void
ofputil_group_stats_format(const struct ofputil_group_stats *gs,
                           struct ds *s)
{
    ds_put_format(s, "group_id=%"PRIu32",", gs->group_id);
    if (gs->duration_sec != UINT32_MAX) {
        ds_put_cstr(s, "duration=");
        ofp_print_duration(s, gs->duration_sec, gs->duration_nsec);
        ds_put_char(s, ',');
    }
    ds_put_format(s, "ref_count=%"PRIu32",packet_count=%"PRIu64","
                  "byte_count=%"PRIu64, gs->ref_count, gs->packet_count,
                  gs->byte_count);
    for (size_t i = 0; i < gs->n_buckets; i++) {
        const struct ofputil_bucket_counter *bc = &gs->bucket_stats[i];
        if (bc->packet_count != UINT64_MAX) {
            ds_put_format(s, ",bucket%zu:packet_count=%"PRIu64","
                          "byte_count=%"PRIu64, i, bc->packet_count,
                          bc->byte_count);
        }
    }
}

/* Names of OpenFlow 1.3 action types in group features, in the order
 * ovs-ofctl prints them. */
static const struct {
    uint8_t bit;
    const char *name;
} group_action_names[] = {
    { 0, "output" }, { 22, "group" }, { 25, "set_field" },
    { 18, "strip_vlan" }, { 17, "push_vlan" }, { 23, "mod_nw_ttl" },
    { 24, "dec_ttl" }, { 15, "set_mpls_ttl" }, { 16, "dec_mpls_ttl" },
    { 19, "push_mpls" }, { 20, "pop_mpls" }, { 21, "set_queue" },
};

static void
format_group_features(const struct ofputil_group_features *gf, struct ds *s)
{
    static const char *const type_names[] = {
        "all", "select", "indirect", "fast failover"
    };

    ds_put_format(s, "\n Group table:\n    Types:  0x%"PRIx32"\n"
                  "    Capabilities:  0x%"PRIx32"\n", gf->types,
                  gf->capabilities);
    for (int i = 0; i < OFPGT11_N_TYPES; i++) {
        if (!(gf->types & (1u << i))) {
            continue;
        }
        ds_put_format(s, "    %s group:\n       max_groups=%#"PRIx32"\n"
                      "       actions: ", type_names[i], gf->max_groups[i]);
        size_t start = s->length;
        for (size_t j = 0; j < ARRAY_SIZE(group_action_names); j++) {
            if (gf->actions[i] & (1u << group_action_names[j].bit)) {
                ds_put_format(s, "%s ", group_action_names[j].name);
            }
        }
        if (s->length == start) {
            ds_put_cstr(s, "<none>");
        }
        ds_chomp(s, ' ');
        ds_put_char(s, '\n');
    }
}

enum ofperr
ofputil_group_msg_format(const struct ofp_header *oh, struct ds *s)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);

    if (error) {
        return error;
    }
    switch (type) {
    case OFPTYPE_GROUP_MOD: {
        struct ofputil_group_mod gm;
        error = ofputil_decode_group_mod(oh, &gm);
        if (!error) {
            ds_put_cstr(s, "\n ");
            ofputil_group_mod_format(&gm, s);
            ofputil_group_mod_uninit(&gm);
        }
        return error;
    }
    case OFPTYPE_GROUP_STATS_REQUEST: {
        uint32_t group_id;
        error = ofputil_decode_group_stats_request(oh, &group_id);
        if (!error) {
            ds_put_cstr(s, " group_id=");
            ofputil_format_group_id(group_id, s);
        }
        return error;
    }
    case OFPTYPE_GROUP_STATS_REPLY: {
        struct ofputil_group_stats *stats;
        size_t n;
        error = ofputil_decode_group_stats_reply(oh, &stats, &n);
        for (size_t i = 0; i < n; i++) {
            ds_put_cstr(s, "\n ");
            ofputil_group_stats_format(&stats[i], s);
        }
        ofputil_group_stats_free(stats, n);
        return error;
    }
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
        ds_put_cstr(s, " group_id=ALL");
        return 0;
    case OFPTYPE_GROUP_DESC_STATS_REPLY: {
        struct ofputil_group_desc *descs;
        size_t n;
        error = ofputil_decode_group_desc_reply(oh, &descs, &n);
        for (size_t i = 0; i < n; i++) {
            ds_put_cstr(s, "\n ");
            ofputil_group_desc_format(&descs[i], s);
        }
        ofputil_group_desc_free(descs, n);
        return error;
    }
    case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
        return 0;
    case OFPTYPE_GROUP_FEATURES_STATS_REPLY: {
        struct ofputil_group_features gf;
        error = ofputil_decode_group_features_reply(oh, &gf);
        if (!error) {
            format_group_features(&gf, s);
        }
        return error;
    }
    default:
        return OFPERR_OFPBRC_BAD_TYPE;
    }
}
