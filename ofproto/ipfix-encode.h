/*
 * ipfix-encode: the wire side of the IPFIX exporter (ofproto/ipfix.h,
 * whose opening comment lists the templates and Information Elements).
 *
 * Three pieces, none with state beyond a table built once:
 *
 *   - the 28 templates, built from per-layer lists of IEs, so that the
 *     template a record announces and the bytes written for it come from
 *     the same lists;
 *   - ipfix_encode_key(): a sample's key fields, encoded as they go on
 *     the wire, which is also the flow cache's key (two samples aggregate
 *     exactly when a collector would see the same key);
 *   - struct ipfix_msg: one datagram under construction, never longer
 *     than IPFIX_MAX_MSG_LEN; a record that does not fit is refused, and
 *     the caller sends the message and starts another.
 *
 * For the exporter only (ofproto/ipfix.c); not a public interface.
 */
#ifndef PLX_OFPROTO_IPFIX_ENCODE_H
#define PLX_OFPROTO_IPFIX_ENCODE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ipfix.h"

struct flow;

#define IPFIX_VERSION 10
#define IPFIX_HEADER_LEN 16
#define IPFIX_SET_HEADER_LEN 4
#define IPFIX_SET_ID_TEMPLATE 2

/* flowEndReason values (RFC 7012 IE 136). */
enum {
    IPFIX_END_ACTIVE_TIMEOUT = 2,
    IPFIX_END_FORCED = 4,
    IPFIX_END_LACK_OF_RESOURCES = 5,
};

struct ipfix_ie {
    uint16_t id;
    uint16_t len;
};

#define IPFIX_MAX_FIELDS 32
#define IPFIX_MAX_KEY_LEN 96

struct ipfix_template {
    uint16_t id;
    uint16_t n_fields;
    struct ipfix_ie fields[IPFIX_MAX_FIELDS];
    uint16_t key_len;           /* Bytes of key fields in a record. */
    uint16_t record_len;        /* Bytes of a whole data record. */
    bool transport;             /* Has tcpControlBits. */
};

/* Builds the template table; idempotent. */
void ipfix_templates_init(void);
/* Template number I (0 <= I < IPFIX_N_TEMPLATES). */
const struct ipfix_template *ipfix_template_at(size_t i);

/* A flow key: the key fields of a data record, exactly as they go on
 * the wire (the first of them is observationPointId), plus what selects
 * the message and set they go in.  Unused bytes stay zero so that keys
 * can be hashed and compared as bytes. */
struct ipfix_key {
    uint32_t obs_domain_id;
    uint16_t template_id;
    uint16_t len;                       /* Bytes used in 'data'. */
    uint8_t data[IPFIX_MAX_KEY_LEN];
};

/* Fills KEY from SAMPLE, for observation domain DOMAIN_ID and point
 * POINT_ID, choosing the template; tunnel fields only if
 * TUNNEL_SAMPLING. */
void ipfix_encode_key(const struct ipfix_sample *sample,
                      bool tunnel_sampling, uint32_t domain_id,
                      uint32_t point_id, struct ipfix_key *key);
uint32_t ipfix_key_hash(const struct ipfix_key *);
bool ipfix_key_equal(const struct ipfix_key *, const struct ipfix_key *);

/* Bytes of L2 headers before the network header (Ethernet, VLAN tags,
 * MPLS labels). */
uint32_t ipfix_l2_header_len(const struct flow *);

/* The non-key fields of a data record. */
struct ipfix_counters {
    long long int start_wall;           /* Wall msec, first sample. */
    long long int end_wall;             /* Wall msec, last sample. */
    uint64_t packets;
    uint64_t octets;                    /* After the L2 headers. */
    uint64_t l2_octets;
    uint16_t tcp_flags;
    uint8_t end_reason;
};

/* An IPFIX message under construction. */
struct ipfix_msg {
    uint8_t data[IPFIX_MAX_MSG_LEN];
    size_t len;
    size_t set_ofs;             /* Offset of the open set, 0 if none. */
    uint16_t set_id;
    uint32_t n_records;         /* Data or template records. */
};

void ipfix_msg_init(struct ipfix_msg *);
/* Append one template record or one data record, opening a set for it
 * if needed.  Return false, appending nothing, if it does not fit. */
bool ipfix_msg_put_template(struct ipfix_msg *,
                            const struct ipfix_template *);
bool ipfix_msg_put_record(struct ipfix_msg *, const struct ipfix_key *,
                          const struct ipfix_counters *);
/* Closes the open set and writes the message header. */
void ipfix_msg_finish(struct ipfix_msg *, uint32_t export_time,
                      uint32_t seq, uint32_t obs_domain_id);

#endif /* ipfix-encode.h */
