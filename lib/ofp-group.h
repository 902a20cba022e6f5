/*
 * ofp-group: OpenFlow 1.3 groups: GROUP_MOD, the group statistics,
 * description and features multipart messages, and the ovs-ofctl text
 * for them (add-group/mod-group/del-groups syntax; what dump-groups,
 * dump-group-stats and dump-group-features print).
 *
 * Versions.  Groups exist from OpenFlow 1.1 on; Plexus speaks 1.0 and
 * 1.3, and a 1.0 message of these types does not exist (Open vSwitch's
 * Nicira 1.0 group extensions are not implemented), so every encoder
 * here writes OpenFlow 1.3 and every decoder rejects other versions
 * through the type table of lib/ofp-msgs (OFPBRC_BAD_TYPE).
 *
 * Internal form.  A group is a type, an id and an array of buckets.  A
 * struct ofputil_bucket owns its action list ('ofpacts', the internal
 * form of lib/ofp-actions.h, malloc'd); a struct ofputil_group_mod or
 * ofputil_group_desc owns its 'buckets' array and, through it, every
 * bucket's actions: free them with ofputil_group_mod_uninit() /
 * ofputil_group_desc_uninit().  Decoders and the text parser fill a
 * caller-supplied struct and leave it empty (n_buckets 0, buckets NULL)
 * on error, so uninit is always safe after either.  OpenFlow 1.3 has no
 * bucket ids on the wire: a decoded bucket's 'bucket_id' is its index.
 * Port numbers are 32-bit (lib/meta-flow.h's MF_OFPP_*); "no watch port"
 * is MF_OFPP_ANY, "no watch group" OFPG_ANY.
 *
 * Errors.  ofputil_decode_group_mod() returns what Open vSwitch's
 * decoder returns for the same bytes: a body that is not a multiple of
 * 8 bytes is OFPBRC_BAD_LEN (for the replies too), bucket framing errors
 * are
 * OFPGMFC_BAD_BUCKET, a watch port that OpenFlow 1.3 cannot name is
 * OFPGMFC_BAD_WATCH, an unknown group type OFPGMFC_BAD_TYPE, an unknown
 * command OFPGMFC_BAD_COMMAND; a weight in a non-select group, an
 * indirect group without exactly one bucket, a fast-failover bucket
 * with nothing to watch, and a DELETE carrying buckets are
 * OFPGMFC_INVALID_GROUP; watching in an all or indirect group is
 * OFPGMFC_WATCH_UNSUPPORTED; bucket actions fail as lib/ofp-actions
 * says.  What a switch checks against its own limits (ids above
 * OFPG_MAX, unsupported types, chaining) is ofputil_group_mod_check().
 *
 * Text.  ofputil_parse_group_mod() reads the ovs-ofctl syntax (see the
 * function) with Open vSwitch's defaults and error messages;
 * ofputil_group_msg_format() writes, for any group message, exactly the
 * text that `ovs-ofctl ofp-print` writes after the message's header
 * line, and the smaller formatters write one group the way dump-groups
 * does.
 */
#ifndef PLX_OFP_GROUP_H
#define PLX_OFP_GROUP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "list.h"
#include "ofp-errors.h"
#include "openflow.h"

struct ds;
struct ofpmsg;

/* ---- Wire constants (OpenFlow 1.1+). ---- */

/* Group ids. */
#ifndef OFPG_MAX
#define OFPG_MAX 0xffffff00u    /* Last usable group id. */
#endif
#ifndef OFPG_ALL
#define OFPG_ALL 0xfffffffcu    /* All groups (delete, stats). */
#endif
#ifndef OFPG_ANY
#define OFPG_ANY 0xffffffffu    /* No group (watch_group wildcard). */
#endif

enum ofputil_group_command {
    OFPGC11_ADD = 0,
    OFPGC11_MODIFY = 1,
    OFPGC11_DELETE = 2,
    OFPGC11_ADD_OR_MOD = 0x8000,    /* Open vSwitch extension. */
};

enum ofputil_group_type {
    OFPGT11_ALL = 0,            /* Every bucket. */
    OFPGT11_SELECT = 1,         /* One bucket, by weight. */
    OFPGT11_INDIRECT = 2,       /* The single bucket. */
    OFPGT11_FF = 3,             /* First live bucket (fast failover). */
};
#define OFPGT11_N_TYPES 4

/* Group features capabilities. */
enum ofputil_group_capabilities {
    OFPGFC_SELECT_WEIGHT = 1 << 0,
    OFPGFC_SELECT_LIVENESS = 1 << 1,
    OFPGFC_CHAINING = 1 << 2,
    OFPGFC_CHAINING_CHECKS = 1 << 3,
};

/* ---- Buckets and groups. ---- */

struct ofputil_bucket {
    uint32_t bucket_id;         /* Index in the group (1.3 has no ids). */
    uint16_t weight;            /* Select groups only; else 0. */
    uint32_t watch_port;        /* MF_OFPP_ANY: none. */
    uint32_t watch_group;       /* OFPG_ANY: none. */
    void *ofpacts;              /* Owned; plain actions, no instructions. */
    size_t ofpacts_len;
};

/* True if BUCKET watches a port or a group. */
bool ofputil_bucket_has_liveness(const struct ofputil_bucket *);

struct ofputil_group_mod {
    uint16_t command;           /* OFPGC11_*. */
    uint8_t type;               /* OFPGT11_*. */
    uint32_t group_id;          /* OFPG_ALL allowed for DELETE. */
    struct ofputil_bucket *buckets;     /* Owned array. */
    size_t n_buckets;
};

void ofputil_group_mod_uninit(struct ofputil_group_mod *);

/* Returns a GROUP_MOD for GM.  VERSION must be OFP13_VERSION; every
 * bucket's actions must be encodable in it (the decoder and the parser
 * guarantee that) and the message must fit in 65535 bytes. */
struct ofpmsg *ofputil_encode_group_mod(const struct ofputil_group_mod *,
                                        uint8_t version, uint32_t xid);
enum ofperr ofputil_decode_group_mod(const struct ofp_header *,
                                     struct ofputil_group_mod *);

/* A switch's limits, as the group features reply reports them. */
struct ofputil_group_features {
    uint32_t types;             /* Bit N set: group type N supported. */
    uint32_t capabilities;      /* OFPGFC_*. */
    uint32_t max_groups[OFPGT11_N_TYPES];
    uint32_t actions[OFPGT11_N_TYPES];  /* Bit N: OpenFlow 1.3 action N. */
};

/* Checks a decoded GROUP_MOD against a switch's FEATURES before a
 * switch acts on it: an ADD or MODIFY of a group id above OFPG_MAX is
 * OFPGMFC_INVALID_GROUP (as in Open vSwitch's ofproto; a DELETE of such
 * an id deletes nothing), a type the switch lacks OFPGMFC_BAD_TYPE (as
 * there too), a bucket with a group action or a watched group without
 * OFPGFC_CHAINING OFPGMFC_CHAINING_UNSUPPORTED, a watched port or group
 * in a select group without OFPGFC_SELECT_LIVENESS
 * OFPGMFC_WATCH_UNSUPPORTED, and select weights other than 1 without
 * OFPGFC_SELECT_WEIGHT OFPGMFC_WEIGHT_UNSUPPORTED (the OpenFlow 1.3
 * meanings of those codes). */
enum ofperr ofputil_group_mod_check(const struct ofputil_group_mod *,
                                    const struct ofputil_group_features *);

/* ---- Group statistics. ---- */

struct ofpmsg *ofputil_encode_group_stats_request(uint8_t version,
                                                  uint32_t xid,
                                                  uint32_t group_id);
/* '*group_idp' is OFPG_ALL for "every group". */
enum ofperr ofputil_decode_group_stats_request(const struct ofp_header *,
                                               uint32_t *group_idp);

struct ofputil_bucket_counter {
    uint64_t packet_count;      /* UINT64_MAX: unknown (not printed). */
    uint64_t byte_count;
};

struct ofputil_group_stats {
    uint32_t group_id;
    uint32_t ref_count;         /* Flows and groups that point here. */
    uint64_t packet_count;
    uint64_t byte_count;
    uint32_t duration_sec;
    uint32_t duration_nsec;
    struct ofputil_bucket_counter *bucket_stats;  /* Owned array. */
    size_t n_buckets;
};

/* Starts REPLIES (see ofpmp_init()) to REQUEST and appends the N STATS,
 * splitting into several messages as needed.  One group's entry must
 * fit in a message (at most 4091 buckets). */
void ofputil_encode_group_stats_reply(struct plx_list *replies,
                                      const struct ofp_header *request,
                                      const struct ofputil_group_stats *,
                                      size_t n);
/* '*statsp' is a malloc'd array of '*np' (NULL if none): free it with
 * ofputil_group_stats_free().  An entry whose length is below 40, not
 * 40 plus a multiple of 16, or past the end is OFPBRC_BAD_LEN. */
enum ofperr ofputil_decode_group_stats_reply(const struct ofp_header *,
                                             struct ofputil_group_stats **,
                                             size_t *np);
void ofputil_group_stats_free(struct ofputil_group_stats *, size_t n);

/* ---- Group descriptions. ---- */

struct ofputil_group_desc {
    uint8_t type;               /* OFPGT11_*. */
    uint32_t group_id;
    struct ofputil_bucket *buckets;     /* Owned array. */
    size_t n_buckets;
};

void ofputil_group_desc_uninit(struct ofputil_group_desc *);

/* The request has no body: ofputil_encode_multipart_request(
 * OFPTYPE_GROUP_DESC_STATS_REQUEST, ...) of lib/ofp-msgs.h. */
void ofputil_encode_group_desc_reply(struct plx_list *replies,
                                     const struct ofp_header *request,
                                     const struct ofputil_group_desc *,
                                     size_t n);
/* '*descsp' is a malloc'd array of '*np' (NULL if none): free it with
 * ofputil_group_desc_free().  Bucket errors as for GROUP_MOD; an entry
 * whose length is below 8 or past the end is OFPBRC_BAD_LEN.  The group
 * rules (weights, watches) are not checked: a reply reports what is. */
enum ofperr ofputil_decode_group_desc_reply(const struct ofp_header *,
                                            struct ofputil_group_desc **,
                                            size_t *np);
void ofputil_group_desc_free(struct ofputil_group_desc *, size_t n);

/* ---- Group features. ---- */

/* The request has no body (OFPTYPE_GROUP_FEATURES_STATS_REQUEST). */
struct ofpmsg *ofputil_encode_group_features_reply(
    const struct ofputil_group_features *, const struct ofp_header *request);
enum ofperr ofputil_decode_group_features_reply(
    const struct ofp_header *, struct ofputil_group_features *);

/* ---- Text. ---- */

/* Parses STRING, ovs-ofctl's group syntax, e.g.
 *
 *   group_id=1,type=select,bucket=weight:100,watch_port:1,actions=output:1,
 *     bucket=actions=output:2
 *
 * into GM for COMMAND (OFPGC11_*), or, if COMMAND is -2, for the command
 * that STRING starts with ("add", "modify", "add_or_mod", "delete"; none
 * means add), as add-groups files have it.  Keywords: group_id=ID|all,
 * type=all|select|indirect|ff|fast_failover, and buckets, each
 * "bucket=" followed by weight:N, watch_port:PORT, watch_group:ID,
 * bucket_id:N (accepted, but OpenFlow 1.3 cannot carry it), actions=A
 * (or action=A) and any other action written bare (bucket=output:1).  A
 * DELETE with an empty STRING deletes every group (OFPG_ALL).  Select
 * buckets weigh 1 unless told otherwise.  Returns NULL, or a malloc'd
 * error message (GM then empty). */
char *ofputil_parse_group_mod(const char *string, int command,
                              struct ofputil_group_mod *)
    PLX_WARN_UNUSED_RESULT;

/* "ALL", "ANY" or the number. */
void ofputil_format_group_id(uint32_t group_id, struct ds *);

/* One group as dump-groups prints it:
 * "group_id=1,type=select,bucket=weight:100,actions=output:1". */
void ofputil_group_desc_format(const struct ofputil_group_desc *,
                               struct ds *);
/* "ADD group_id=1,type=all,bucket=actions=output:1". */
void ofputil_group_mod_format(const struct ofputil_group_mod *, struct ds *);
/* One entry as dump-group-stats prints it (without the leading blank):
 * "group_id=1,duration=1.5s,ref_count=0,packet_count=1,byte_count=64,
 * bucket0:packet_count=1,byte_count=64". */
void ofputil_group_stats_format(const struct ofputil_group_stats *,
                                struct ds *);

/* For OH, a GROUP_MOD or any group multipart request or reply, appends
 * to S what `ovs-ofctl ofp-print` prints after the header line
 * ("OFPT_GROUP_MOD (OF1.3) (xid=0x2):"), newlines included.  Returns 0,
 * or the decoding error (S then holds whatever preceded it), or
 * OFPBRC_BAD_TYPE for a message of another type. */
enum ofperr ofputil_group_msg_format(const struct ofp_header *, struct ds *);

#endif /* ofp-group.h */
