/*
 * ofp-meter: OpenFlow 1.3 meters: METER_MOD, the meter statistics,
 * configuration and features multipart messages, and the ovs-ofctl text
 * for them (add-meter/mod-meter/del-meters syntax; what dump-meters,
 * meter-stats and meter-features print).
 *
 * Versions.  Meters are new in OpenFlow 1.3 and Plexus speaks 1.0 and
 * 1.3, so every encoder writes 1.3 and the decoders reject anything
 * else through lib/ofp-msgs's type table (OFPBRC_BAD_TYPE).
 *
 * Internal form.  A meter is an id, OFPMF13_* flags and an array of
 * bands (drop or dscp_remark, each with a rate, a burst size and, for
 * dscp_remark, the number of drop-precedence levels to add).  A struct
 * ofputil_meter_config owns its 'bands' (malloc'd); so does a struct
 * ofputil_meter_stats own its per-band counters.  Free them with
 * ofputil_meter_config_uninit() (or ofputil_meter_mod_uninit()) and the
 * array frees below.  Decoders and the parser leave the struct empty on
 * error, so uninit is always safe.
 *
 * Errors, as Open vSwitch's decoder reports them: a body that is not a
 * multiple of 8 bytes is OFPBRC_BAD_LEN (replies too), an unknown command is
 * OFPMMFC_BAD_COMMAND, KBPS together with PKTPS OFPMMFC_BAD_FLAGS, a
 * band whose length is not 16 (or bytes left over after the bands)
 * OFPBRC_BAD_LEN, and a band type other than drop and dscp_remark,
 * experimenter bands included, OFPMMFC_BAD_BAND.  What a switch checks
 * against its own limits (meter ids, number of bands, zero rates,
 * supported flags and band types) is ofputil_meter_mod_check().
 *
 * Text.  ofputil_parse_meter_mod() reads the ovs-ofctl syntax with its
 * checks and messages; ofputil_meter_msg_format() writes, for any meter
 * message, exactly what `ovs-ofctl ofp-print` writes after the header
 * line.
 */
#ifndef PLX_OFP_METER_H
#define PLX_OFP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "list.h"
#include "ofp-errors.h"
#include "openflow.h"

struct ds;
struct ofpmsg;

/* ---- Wire constants (OpenFlow 1.3). ---- */

/* Meter ids. */
#ifndef OFPM13_MAX
#define OFPM13_MAX 0xffff0000u          /* Last usable meter id. */
#endif
#define OFPM13_SLOWPATH 0xfffffffdu     /* Slow datapath (reserved). */
#define OFPM13_CONTROLLER 0xfffffffeu   /* Controller connection. */
#define OFPM13_ALL 0xffffffffu          /* Every meter (stats, delete). */

enum ofputil_meter_command {
    OFPMC13_ADD = 0,
    OFPMC13_MODIFY = 1,
    OFPMC13_DELETE = 2,
};

enum ofputil_meter_flags {
    OFPMF13_KBPS = 1 << 0,      /* Rates in kb/s. */
    OFPMF13_PKTPS = 1 << 1,     /* Rates in packets/s. */
    OFPMF13_BURST = 1 << 2,     /* Bands have burst sizes. */
    OFPMF13_STATS = 1 << 3,     /* Collect statistics. */
};

enum ofputil_meter_band_type {
    OFPMBT13_DROP = 1,
    OFPMBT13_DSCP_REMARK = 2,
    OFPMBT13_EXPERIMENTER = 0xffff,
};

/* ---- Meters. ---- */

struct ofputil_meter_band {
    uint16_t type;              /* OFPMBT13_DROP or _DSCP_REMARK. */
    uint8_t prec_level;         /* dscp_remark only. */
    uint32_t rate;
    uint32_t burst_size;
};

struct ofputil_meter_config {
    uint32_t meter_id;
    uint16_t flags;             /* OFPMF13_*. */
    uint16_t n_bands;
    struct ofputil_meter_band *bands;   /* Owned array. */
};

void ofputil_meter_config_uninit(struct ofputil_meter_config *);

struct ofputil_meter_mod {
    uint16_t command;           /* OFPMC13_*. */
    struct ofputil_meter_config meter;  /* No flags or bands for DELETE. */
};

static inline void
ofputil_meter_mod_uninit(struct ofputil_meter_mod *mm)
{
    ofputil_meter_config_uninit(&mm->meter);
}

/* VERSION must be OFP13_VERSION.  A DELETE is written without flags. */
struct ofpmsg *ofputil_encode_meter_mod(const struct ofputil_meter_mod *,
                                        uint8_t version, uint32_t xid);
enum ofperr ofputil_decode_meter_mod(const struct ofp_header *,
                                     struct ofputil_meter_mod *);

struct ofputil_meter_features {
    uint32_t max_meters;
    uint32_t band_types;        /* Bit N: band type N supported. */
    uint32_t capabilities;      /* OFPMF13_* supported. */
    uint8_t max_bands;
    uint8_t max_color;
};

/* Checks an ADD or MODIFY (a DELETE always passes) against a switch's
 * FEATURES, as Open vSwitch's ofproto and userspace datapath do: id 0 or
 * above OFPM13_MAX is OFPMMFC_INVALID_METER, an id above 'max_meters'
 * OFPMMFC_OUT_OF_METERS, more than 'max_bands' bands
 * OFPMMFC_OUT_OF_BANDS, flags outside 'capabilities' OFPMMFC_BAD_FLAGS,
 * a band type outside 'band_types' OFPMMFC_BAD_BAND, and a zero rate
 * OFPMMFC_BAD_RATE. */
enum ofperr ofputil_meter_mod_check(const struct ofputil_meter_mod *,
                                    const struct ofputil_meter_features *);

/* ---- Multipart. ---- */

/* A meter statistics (STATS true) or configuration request for METER_ID
 * (OFPM13_ALL: every meter). */
struct ofpmsg *ofputil_encode_meter_request(bool stats, uint8_t version,
                                            uint32_t xid, uint32_t meter_id);
/* Decodes either kind of request. */
enum ofperr ofputil_decode_meter_request(const struct ofp_header *,
                                         uint32_t *meter_idp);

/* Configuration replies: the N CONFIGS, split across messages as
 * needed.  '*configsp' is a malloc'd array of '*np' (NULL if none):
 * free it with ofputil_meter_config_free(). */
void ofputil_encode_meter_config_reply(struct plx_list *replies,
                                       const struct ofp_header *request,
                                       const struct ofputil_meter_config *,
                                       size_t n);
enum ofperr ofputil_decode_meter_config_reply(
    const struct ofp_header *, struct ofputil_meter_config **configsp,
    size_t *np);
void ofputil_meter_config_free(struct ofputil_meter_config *, size_t n);

struct ofputil_meter_band_stats {
    uint64_t packet_count;
    uint64_t byte_count;
};

struct ofputil_meter_stats {
    uint32_t meter_id;
    uint32_t flow_count;
    uint64_t packet_in_count;
    uint64_t byte_in_count;
    uint32_t duration_sec;
    uint32_t duration_nsec;
    uint16_t n_bands;
    struct ofputil_meter_band_stats *bands;     /* Owned array. */
};

void ofputil_encode_meter_stats_reply(struct plx_list *replies,
                                      const struct ofp_header *request,
                                      const struct ofputil_meter_stats *,
                                      size_t n);
/* An entry whose length is below 40, not 40 plus a multiple of 16, or
 * past the end is OFPBRC_BAD_LEN. */
enum ofperr ofputil_decode_meter_stats_reply(
    const struct ofp_header *, struct ofputil_meter_stats **statsp,
    size_t *np);
void ofputil_meter_stats_free(struct ofputil_meter_stats *, size_t n);

/* The request has no body: ofputil_encode_multipart_request(
 * OFPTYPE_METER_FEATURES_STATS_REQUEST, ...) of lib/ofp-msgs.h. */
struct ofpmsg *ofputil_encode_meter_features_reply(
    const struct ofputil_meter_features *, const struct ofp_header *request);
enum ofperr ofputil_decode_meter_features_reply(
    const struct ofp_header *, struct ofputil_meter_features *);

/* ---- Text. ---- */

/* Parses STRING, ovs-ofctl's meter syntax, e.g.
 *
 *   meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100
 *     type=dscp_remark,rate=2000,burst_size=10,prec_level=1
 *
 * for COMMAND: OFPMC13_ADD or _MODIFY need "meter=", a rate unit (kbps
 * or pktps) and "bands=" with at least one band; OFPMC13_DELETE and -1
 * (just a meter id, for dump-meters and meter-stats) take only
 * "meter=ID|all|controller|slowpath".  A NULL or empty STRING with
 * DELETE or -1 means every meter (OFPM13_ALL), as ovs-ofctl's
 * del-meters and dump-meters without an argument.  Returns NULL or a
 * malloc'd error message (MM then empty). */
char *ofputil_parse_meter_mod(const char *string, int command,
                              struct ofputil_meter_mod *)
    PLX_WARN_UNUSED_RESULT;

/* "meter=1" / "meter:all" (SEPARATOR '=' or ':'), as Open vSwitch. */
void ofputil_format_meter_id(uint32_t meter_id, char separator,
                             struct ds *);
/* "meter=1 kbps burst bands=\ntype=drop rate=1000 burst_size=100\n". */
void ofputil_meter_config_format(const struct ofputil_meter_config *,
                                 struct ds *);
/* "meter:1 flow_count:0 ... bands:\n0: packet_count:1 byte_count:64\n". */
void ofputil_meter_stats_format(const struct ofputil_meter_stats *,
                                struct ds *);

/* For OH, a METER_MOD or any meter multipart request or reply, appends
 * to S what `ovs-ofctl ofp-print` prints after the header line
 * ("OFPT_METER_MOD (OF1.3) (xid=0x2):").  Returns 0, or the decoding
 * error, or OFPBRC_BAD_TYPE for a message of another type. */
enum ofperr ofputil_meter_msg_format(const struct ofp_header *, struct ds *);

#endif /* ofp-meter.h */
