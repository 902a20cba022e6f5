/*
 * ofp-table: OpenFlow table and queue messages: TABLE_MOD, table
 * features (OFPMP_TABLE_FEATURES requests and replies), queue statistics
 * (OFPST_QUEUE / OFPMP_QUEUE) and queue configuration
 * (QUEUE_GET_CONFIG_REQUEST/REPLY).
 *
 * As in lib/ofp-msgs.h, every message has one decoded form, a struct
 * ofputil_* in Plexus's internal conventions whatever the version, with
 * per-version codecs at the edge: ofputil_encode_X() returns a new
 * struct ofpmsg (or, for multipart replies, appends to a list of them),
 * ofputil_decode_X(oh, ...) returns 0 or an enum ofperr and never
 * asserts on its input.  Decoders re-run ofptype_decode() (through
 * ofpmsg_get_body()), so a message of the wrong type is OFPBRC_BAD_TYPE
 * and one whose length disagrees with its header is OFPBRC_BAD_LEN.
 * Port numbers are 32-bit (lib/meta-flow.h MF_OFPP_*) in every decoded
 * form; OpenFlow 1.0's 16-bit ports are converted at the edge.
 *
 * Table features (OpenFlow 1.3 only).  A table's features are bit sets:
 *
 *   - instructions: bit N set means OpenFlow 1.3 instruction type N
 *     (OFPIT_GOTO_TABLE = 1 ... OFPIT_METER = 6);
 *   - write/apply actions: bit N means OpenFlow 1.3 action type N
 *     (OFPAT_OUTPUT = 0 ... OFPAT_POP_PBB = 27);
 *   - next tables: a 256-bit bitmap of table ids (255 is never valid);
 *   - match, wildcards, write/apply set-field: sets of enum mf_field_id,
 *     plus 'mask' (fields that may be arbitrarily masked), a subset of
 *     'match'.  Fields are written as OXM headers (NXM or the ONF
 *     experimenter header where a field has no OXM one, as Open vSwitch
 *     does).
 *
 * Decoding applies Open vSwitch's fix-ups: masked fields are matchable
 * and wildcardable, and a wildcardable field must be matchable.  With
 * LOOSE (a controller reading a switch's reply) unknown properties,
 * instructions and fields are skipped; without it (a switch reading a
 * controller's request) they are errors.  Property errors use OpenFlow
 * 1.3's table-features codes: OFPTFFC_BAD_TYPE for an unknown property,
 * OFPTFFC_BAD_LEN for a property or table entry of a bad length,
 * OFPTFFC_BAD_ARGUMENT for next table 255, OFPTFFC_BAD_TABLE for an
 * entry for table 255 (OFPTT_ALL); OXM lists give OFPBMC_BAD_LEN,
 * OFPBMC_BAD_FIELD (unknown field, strict only) and OFPBMC_BAD_MASK (a
 * masked field anywhere but the match property); instruction lists give
 * OFPBIC_UNKNOWN_INST (strict only).  These are the errors Open vSwitch
 * returns (its OFPBPC_* codes are these codes in OpenFlow 1.3).
 *
 * A table features request with a body asks the switch to reconfigure
 * its tables.  It decodes like a reply (strictly); Open vSwitch refuses
 * it with OFPTFFC_EPERM, and so may Plexus (ofputil_table_features_
 * request_is_set()).
 *
 * TABLE_MOD (OpenFlow 1.3 only: OpenFlow 1.0 has no such message).  The
 * 'config' bits are OpenFlow 1.3's, all of which are deprecated; like
 * Open vSwitch, the decoder keeps but does not judge them.
 * ofputil_check_table_mod() then says whether the table exists (OFPTT_ALL
 * names every table) with Open vSwitch's OFPTMFC_BAD_TABLE.
 *
 * Queues.  A queue is (port, queue id); OFPQ_ALL (0xffffffff) means every
 * queue and MF_OFPP_ANY every port.  OpenFlow 1.0 queue stats requests
 * say "every port" with OFPP_ALL (0xfffc), which the codec maps to and
 * from MF_OFPP_ANY.  Queue rates are in tenths of a percent; UINT16_MAX
 * means "not configured" (no property on the wire), as in Open vSwitch.
 */
#ifndef PLX_OFP_TABLE_H
#define PLX_OFP_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitmap.h"
#include "list.h"
#include "meta-flow.h"
#include "ofp-errors.h"
#include "ofp-msgs.h"
#include "openflow.h"

/* ---- TABLE_MOD. ---- */

struct ofputil_table_mod {
    uint8_t table_id;           /* 0..254, or OFPTT_ALL. */
    uint32_t config;            /* OFPTC_* (all deprecated in 1.3). */
};

struct ofpmsg *ofputil_encode_table_mod(const struct ofputil_table_mod *,
                                        uint8_t version, uint32_t xid);
enum ofperr ofputil_decode_table_mod(const struct ofp_header *,
                                     struct ofputil_table_mod *);
/* 0 if TM may be applied to a switch with N_TABLES tables, else
 * OFPTMFC_BAD_TABLE. */
enum ofperr ofputil_check_table_mod(const struct ofputil_table_mod *,
                                    unsigned int n_tables);

/* ---- Table features. ---- */

/* A set of enum mf_field_id. */
struct ofputil_field_set {
    unsigned long bm[BITMAP_N_LONGS(MFF_N_IDS)];
};

/* Instruction features of a table, for flows (nonmiss) or for its
 * table-miss flow (miss). */
struct ofputil_table_instruction_features {
    unsigned long next[BITMAP_N_LONGS(256)];    /* Next tables. */
    uint32_t instructions;      /* Bit N: OpenFlow 1.3 instruction N. */
    uint32_t write_actions;     /* Bit N: OpenFlow 1.3 action type N. */
    uint32_t apply_actions;
    struct ofputil_field_set write_setfield;
    struct ofputil_field_set apply_setfield;
};

struct ofputil_table_features {
    uint8_t table_id;
    char name[OFP_MAX_TABLE_NAME_LEN];  /* NUL-terminated. */
    uint64_t metadata_match;    /* Bits of metadata a flow can match. */
    uint64_t metadata_write;    /* Bits write_metadata can write. */
    uint32_t config;            /* OFPTC_* (deprecated in 1.3). */
    uint32_t max_entries;
    struct ofputil_table_instruction_features nonmiss, miss;
    struct ofputil_field_set match;     /* Fields a flow can match. */
    struct ofputil_field_set mask;      /* ...with an arbitrary mask. */
    struct ofputil_field_set wildcard;  /* ...that may be left out. */
};

static inline bool
ofputil_field_set_contains(const struct ofputil_field_set *fs,
                           enum mf_field_id id)
{
    return bitmap_is_set(fs->bm, id);
}

static inline void
ofputil_field_set_add(struct ofputil_field_set *fs, enum mf_field_id id)
{
    bitmap_set1(fs->bm, id);
}

/* True if FIELD can be named in table features (it has an OXM, NXM or
 * experimenter header). */
bool ofputil_table_features_can_name(enum mf_field_id);

/* Appends the N tables' features, in reply to REQUEST (OpenFlow 1.3), to
 * REPLIES, a list of struct ofpmsg that this function initializes.  A
 * table's features are never split between messages; messages past the
 * first follow with OFPMPF_MORE on the ones before. */
void ofputil_encode_table_features_reply(
    struct plx_list *replies, const struct ofp_header *request,
    const struct ofputil_table_features *, size_t n);

/* A request that sets the N tables' features (N 0: a plain request). */
struct ofpmsg *ofputil_encode_table_features_request(
    uint8_t version, uint32_t xid,
    const struct ofputil_table_features *, size_t n);

/* Decodes every table in one OFPMP_TABLE_FEATURES request or reply
 * message into a malloc'd array '*tfsp' of '*np' (NULL and 0 for none),
 * which the caller frees.  LOOSE as described at the top.  On error
 * '*tfsp' is NULL and '*np' 0. */
enum ofperr ofputil_decode_table_features(const struct ofp_header *,
                                          bool loose,
                                          struct ofputil_table_features **,
                                          size_t *np);

/* True if OH, a valid table features request, has a body (asks to set
 * features) or announces more parts.  Open vSwitch answers such a
 * request with OFPTFFC_EPERM. */
bool ofputil_table_features_request_is_set(const struct ofp_header *);

/* ---- Queue statistics. ---- */

#define OFPUTIL_QUEUE_ALL 0xffffffffu   /* OFPQ_ALL. */

struct ofputil_queue_stats_request {
    uint32_t port_no;           /* MF_OFPP_ANY: every port. */
    uint32_t queue_id;          /* OFPUTIL_QUEUE_ALL: every queue. */
};

struct ofpmsg *ofputil_encode_queue_stats_request(
    const struct ofputil_queue_stats_request *, uint8_t version,
    uint32_t xid);
/* A 1.3 port number in 0xff00..0xfffffeff, which has no 16-bit form, is
 * OFPBAC_BAD_OUT_PORT, as in Open vSwitch. */
enum ofperr ofputil_decode_queue_stats_request(
    const struct ofp_header *, struct ofputil_queue_stats_request *);

struct ofputil_queue_stats {
    uint32_t port_no;
    uint32_t queue_id;
    uint64_t tx_bytes;
    uint64_t tx_packets;
    uint64_t tx_errors;
    uint32_t duration_sec;      /* UINT32_MAX: unknown (always in 1.0). */
    uint32_t duration_nsec;
};

void ofputil_encode_queue_stats_reply(struct plx_list *replies,
                                      const struct ofp_header *request,
                                      const struct ofputil_queue_stats *,
                                      size_t n);
/* '*statsp' is a malloc'd array of '*np' (NULL if 0); caller frees.  A
 * 1.3 port number in 0xff00..0xfffffeff is OFPBAC_BAD_OUT_PORT. */
enum ofperr ofputil_decode_queue_stats_reply(const struct ofp_header *,
                                             struct ofputil_queue_stats **,
                                             size_t *np);

/* ---- Queue configuration. ---- */

#define OFPUTIL_QUEUE_RATE_NONE UINT16_MAX

struct ofputil_queue_config {
    uint32_t port_no;
    uint32_t queue_id;
    uint16_t min_rate;          /* Tenths of a percent, or ..._RATE_NONE. */
    uint16_t max_rate;          /* Same (OpenFlow 1.2+ only). */
};

struct ofpmsg *ofputil_encode_queue_get_config_request(uint8_t version,
                                                       uint32_t xid,
                                                       uint32_t port_no);
/* Open vSwitch's rules: the port must be a physical port (below
 * 0xff00), or in 1.3 MF_OFPP_ANY, else OFPQOFC_BAD_PORT (or, for a 1.3
 * port with no 16-bit form, OFPBAC_BAD_OUT_PORT). */
enum ofperr ofputil_decode_queue_get_config_request(const struct ofp_header *,
                                                    uint32_t *port_nop);

/* A reply to REQUEST for port PORT_NO with N queues.  Every queue's
 * 'port_no' is written only in 1.3; in 1.0 the reply's port stands for
 * all of them.  Rates other than ..._RATE_NONE become MIN_RATE and
 * MAX_RATE properties, except that OpenFlow 1.0, which has no MAX_RATE,
 * gets none (Open vSwitch writes one, which OS-Ken cannot parse).
 * Queues that would not fit in 64 kB are left out. */
struct ofpmsg *ofputil_encode_queue_get_config_reply(
    const struct ofp_header *request, uint32_t port_no,
    const struct ofputil_queue_config *, size_t n);
/* '*queuesp' is a malloc'd array of '*np' (NULL if 0).  In 1.0 every
 * queue's port is the reply's.  Unknown properties are skipped, as in
 * Open vSwitch; malformed lengths are OFPBRC_BAD_LEN. */
enum ofperr ofputil_decode_queue_get_config_reply(
    const struct ofp_header *, uint32_t *port_nop,
    struct ofputil_queue_config **queuesp, size_t *np);

#endif /* ofp-table.h */
