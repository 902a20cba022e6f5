/* ofp-actions: Nicira extension actions (see ofp-actions.h).
 *
 * OpenFlow 1.0 (OFPAT_VENDOR) and OpenFlow 1.3 (OFPAT_EXPERIMENTER)
 * carry Nicira's actions the same way: type 0xffff, length, vendor
 * NX_VENDOR_ID, a 16-bit subtype, then the subtype's fields, so one
 * codec serves both versions.  Plexus implements "sample" in its three
 * wire forms:
 *
 *     NXAST_SAMPLE (29), 24 bytes:
 *         type, len, vendor, subtype, probability (16 bits),
 *         collector_set_id, obs_domain_id, obs_point_id (32 bits each).
 *     NXAST_SAMPLE2 (38) and NXAST_SAMPLE3 (41), 32 bytes:
 *         the same, then sampling_port (16 bits, OpenFlow 1.0
 *         numbering, 0xffff for none), direction (8 bits, SAMPLE3 only;
 *         ignored in SAMPLE2) and 5 bytes of padding (ignored).
 *
 * As Open vSwitch, the encoder picks the oldest form that can express
 * the action.  The subtypes and error codes follow ovs-ofctl 3.x.  The
 * conntrack actions (ct, nat, ct_clear) have a file of their own,
 * ofp-actions-ct.c; the decoder here only dispatches to it. */
#include <config.h>
#include "ofp-actions.h"
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "unaligned.h"
#include "util.h"

#define NX_VENDOR_ID 0x00002320

enum {
    NXAST_SAMPLE = 29,
    NXAST_CT = 35,              /* These three: ofp-actions-ct.c. */
    NXAST_NAT = 36,
    NXAST_SAMPLE2 = 38,
    NXAST_SAMPLE3 = 41,
    NXAST_CT_CLEAR = 43,
};

/* struct nx_action_sample and struct nx_action_sample2 sizes. */
#define NX_SAMPLE_LEN 24
#define NX_SAMPLE2_LEN 32

/* Every Nicira action has at least type, length, vendor, subtype and is
 * padded to 8 bytes. */
#define NX_HEADER_LEN 16

/* Sampling ports travel in OpenFlow 1.0's 16-bit numbering in both
 * versions; reserved ports 0xff00..0xffff are 0xffffff00..0xffffffff
 * here, as everywhere in this module. */
static uint32_t
sample_port_from_wire(uint16_t port)
{
    return port >= 0xff00 ? port + 0xffff0000u : port;
}

static bool
sample_port_to_wire(uint32_t port, uint16_t *out)
{
    if (port >= MF_OFPP_MAX) {
        *out = port - 0xffff0000u;
    } else if (port < 0xff00) {
        *out = port;
    } else {
        return false;
    }
    return true;
}

static enum ofperr
decode_sample(uint16_t subtype, const uint8_t *p, struct ofpa_buf *out)
{
    uint16_t probability = load_be16(p + 10);
    uint8_t direction = OFPA_SAMPLE_DEFAULT;
    uint32_t port = OFPA_SAMPLE_NO_PORT;

    if (!probability) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    if (subtype != NXAST_SAMPLE) {
        port = sample_port_from_wire(load_be16(p + 24));
    }
    if (subtype == NXAST_SAMPLE3) {
        direction = p[26];
        if (direction != OFPA_SAMPLE_DEFAULT
            && direction != OFPA_SAMPLE_INGRESS
            && direction != OFPA_SAMPLE_EGRESS) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
    }

    struct ofpa_sample *s = ofpa_put(out, OFPA_SAMPLE, sizeof *s);
    s->probability = probability;
    s->collector_set_id = load_be32(p + 12);
    s->obs_domain_id = load_be32(p + 16);
    s->obs_point_id = load_be32(p + 20);
    s->sampling_port = port;
    s->direction = direction;
    return 0;
}

enum ofperr
ofpacts_nx_decode(const uint8_t *p, size_t len, int ofp_version,
                  struct ofpa_buf *out)
{
    if (len < 8 || load_be32(p + 4) != NX_VENDOR_ID) {
        return OFPERR_OFPBAC_BAD_VENDOR;
    } else if (len < NX_HEADER_LEN) {
        return OFPERR_OFPBAC_BAD_LEN;
    }

    uint16_t subtype = load_be16(p + 8);
    switch (subtype) {
    case NXAST_SAMPLE:
    case NXAST_SAMPLE2:
    case NXAST_SAMPLE3:
        if (len != (subtype == NXAST_SAMPLE ? NX_SAMPLE_LEN
                    : NX_SAMPLE2_LEN)) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        return decode_sample(subtype, p, out);
    case NXAST_CT:
    case NXAST_NAT:
    case NXAST_CT_CLEAR:
        return ofpacts_ct_decode(subtype, p, len, ofp_version, out);
    default:
        return OFPERR_OFPBAC_BAD_VENDOR_TYPE;
    }
}

static enum ofperr
encode_sample(const struct ofpa_sample *s, struct ofpa_buf *out)
{
    uint16_t port = 0xffff;
    uint16_t subtype;
    size_t len;

    if (s->direction > OFPA_SAMPLE_EGRESS
        || !sample_port_to_wire(s->sampling_port, &port)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    if (s->direction != OFPA_SAMPLE_DEFAULT) {
        subtype = NXAST_SAMPLE3;
    } else if (s->sampling_port != OFPA_SAMPLE_NO_PORT) {
        subtype = NXAST_SAMPLE2;
    } else {
        subtype = NXAST_SAMPLE;
    }
    len = subtype == NXAST_SAMPLE ? NX_SAMPLE_LEN : NX_SAMPLE2_LEN;

    uint8_t *p = ofpa_buf_put_zeros(out, len);
    store_be16(p, 0xffff);
    store_be16(p + 2, len);
    store_be32(p + 4, NX_VENDOR_ID);
    store_be16(p + 8, subtype);
    store_be16(p + 10, s->probability);
    store_be32(p + 12, s->collector_set_id);
    store_be32(p + 16, s->obs_domain_id);
    store_be32(p + 20, s->obs_point_id);
    if (subtype != NXAST_SAMPLE) {
        store_be16(p + 24, port);
        if (subtype == NXAST_SAMPLE3) {
            p[26] = s->direction;
        }
    }
    return 0;
}

enum ofperr
ofpacts_nx_encode(const struct ofpa *a, struct ofpa_buf *out)
{
    switch ((enum ofpa_type) a->type) {
    case OFPA_SAMPLE:
        return encode_sample(OFPA_CAST(ofpa_sample, a), out);
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

/* Text. */

void
ofpa_sample_format(const struct ofpa_sample *s, struct ds *ds)
{
    ds_put_format(ds, "sample(probability=%"PRIu16",collector_set_id=%"
                  PRIu32",obs_domain_id=%"PRIu32",obs_point_id=%"PRIu32,
                  s->probability, s->collector_set_id, s->obs_domain_id,
                  s->obs_point_id);
    if (s->sampling_port != OFPA_SAMPLE_NO_PORT) {
        ds_put_cstr(ds, ",sampling_port=");
        if (s->sampling_port >= MF_OFPP_MAX
            && s->sampling_port < MF_OFPP_IN_PORT) {
            /* Unnamed reserved ports print in their 16-bit wire form, as
             * ovs-ofctl prints them ("65280"). */
            ds_put_format(ds, "%"PRIu32, s->sampling_port - 0xffff0000u);
        } else {
            mf_format_port(s->sampling_port, ds);
        }
    }
    if (s->direction == OFPA_SAMPLE_INGRESS) {
        ds_put_cstr(ds, ",ingress");
    } else if (s->direction == OFPA_SAMPLE_EGRESS) {
        ds_put_cstr(ds, ",egress");
    }
    ds_put_char(ds, ')');
}

static char *
parse_number(const char *key, const char *value, uint64_t max, uint64_t *x)
{
    unsigned long long ull;

    if (!value || !str_to_ullong(value, 0, &ull) || ull > max) {
        return xasprintf("invalid %s \"%s\"", key, value ? value : "");
    }
    *x = ull;
    return NULL;
}

/* Parses one KEY[=VALUE] of a sample action into S. */
static char *
parse_sample_key(const char *key, const char *value, struct ofpa_sample *s)
{
    uint64_t x = 0;
    char *error = NULL;

    if (!strcmp(key, "probability")) {
        error = parse_number(key, value, UINT16_MAX, &x);
        if (!error && !x) {
            error = xasprintf("invalid probability value \"%s\"", value);
        }
        s->probability = x;
    } else if (!strcmp(key, "collector_set_id")) {
        error = parse_number(key, value, UINT32_MAX, &x);
        s->collector_set_id = x;
    } else if (!strcmp(key, "obs_domain_id")) {
        error = parse_number(key, value, UINT32_MAX, &x);
        s->obs_domain_id = x;
    } else if (!strcmp(key, "obs_point_id")) {
        error = parse_number(key, value, UINT32_MAX, &x);
        s->obs_point_id = x;
    } else if (!strcmp(key, "sampling_port")) {
        uint32_t port = OFPA_SAMPLE_NO_PORT;
        uint16_t wire;
        if (!value || !mf_port_from_string(value, &port)
            || !sample_port_to_wire(port, &wire)) {
            error = xasprintf("%s: unknown port", value ? value : "");
        } else {
            s->sampling_port = port;
        }
    } else if (!strcmp(key, "ingress")) {
        s->direction = OFPA_SAMPLE_INGRESS;
    } else if (!strcmp(key, "egress")) {
        s->direction = OFPA_SAMPLE_EGRESS;
    } else {
        error = xasprintf("invalid key \"%s\" in \"sample\" argument", key);
    }
    return error;
}

/* Trims blanks from both ends of S in place. */
static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');
         ) {
        *--e = '\0';
    }
    return s;
}

char *
ofpa_sample_parse(char *arg, struct ofpa_buf *out)
{
    struct ofpa_sample s;
    char *save = NULL;

    memset(&s, 0, sizeof s);
    s.sampling_port = OFPA_SAMPLE_NO_PORT;
    s.direction = OFPA_SAMPLE_DEFAULT;

    /* KEY=VALUE, KEY:VALUE, KEY(VALUE) or a bare KEY, separated by
     * commas (no value of a sample action has a comma of its own). */
    for (char *item = arg ? strtok_r(arg, ",", &save) : NULL;
         item; item = strtok_r(NULL, ",", &save)) {
        char *key = trim(item);
        char *value = NULL;
        size_t key_len = strcspn(key, ":=(");

        if (!*key) {
            continue;
        }
        if (key[key_len] == '(') {
            char *close = key + strlen(key) - 1;
            if (*close != ')') {
                return xasprintf("%s: syntax error after `)'", key);
            }
            *close = '\0';
            value = key + key_len + 1;
        } else if (key[key_len]) {
            value = key + key_len + 1;
        }
        key[key_len] = '\0';
        char *error = parse_sample_key(trim(key), value ? trim(value) : NULL,
                                       &s);
        if (error) {
            return error;
        }
    }
    if (!s.probability) {
        return xstrdup("non-zero \"probability\" must be specified on "
                       "sample");
    }

    struct ofpa_sample *dst = ofpa_put(out, OFPA_SAMPLE, sizeof *dst);
    dst->probability = s.probability;
    dst->collector_set_id = s.collector_set_id;
    dst->obs_domain_id = s.obs_domain_id;
    dst->obs_point_id = s.obs_point_id;
    dst->sampling_port = s.sampling_port;
    dst->direction = s.direction;
    return NULL;
}
