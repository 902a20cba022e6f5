/*
 * ofp-errors: OpenFlow error codes, independent of protocol version.
 *
 * Every OpenFlow error that Plexus can send or understand is one value of
 * enum ofperr, named as in Open vSwitch (OFPERR_<spec name>, for example
 * OFPERR_OFPBMC_BAD_PREREQ).  Code that detects an error returns the enum
 * value; only the edge that writes an OFPT_ERROR message asks how that
 * error is spelled on the wire in the connection's version, and only the
 * edge that reads one turns (type, code) back into the enum.
 *
 * Invariants:
 *
 *   - 0 means "no error".  Valid errors are OFPERR_OFS and up, so that a
 *     function may return either an errno value (1 .. 2**30-1) or an
 *     enum ofperr in one int, and ofperr_is_valid() tells them apart.
 *
 *   - Numbering differs by version (OF1.0 FLOW_MOD_FAILED is type 3, OF1.3
 *     type 5; OF1.0 has no instructions, groups, meters...).  Where a
 *     version has no standard code for an error, Plexus does what Open
 *     vSwitch does: a few errors have a Nicira ("NX") or ONF extension
 *     encoding (see struct ofperr_wire); the rest have none in that
 *     version and ofperr_encode() substitutes
 *     OFPERR_NXBRC_UNENCODABLE_ERROR.
 *
 *   - Decoding a (type, code) that several errors share in an old version
 *     (OF1.0 (1,5) is both OFPBRC_EPERM and OFPBRC_IS_SLAVE) yields the
 *     one declared first below, as in Open vSwitch.
 */
#ifndef PLX_OFP_ERRORS_H
#define PLX_OFP_ERRORS_H 1

#include <stdbool.h>
#include <stdint.h>

/* OpenFlow protocol versions (ofp_header.version).  Identical
 * redefinitions elsewhere are harmless. */
#define OFP10_VERSION 0x01
#define OFP13_VERSION 0x04

/* Vendor (experimenter) ids of the extension errors below. */
#define OFPERR_NX_VENDOR_ID  0x00002320   /* Nicira. */
#define OFPERR_ONF_VENDOR_ID 0x4f4e4600   /* Open Networking Foundation. */

#define OFPERR_OFS (1 << 30)

enum ofperr {
    /* OFPET_HELLO_FAILED. */
    OFPERR_OFPHFC_INCOMPATIBLE = OFPERR_OFS,
    OFPERR_OFPHFC_EPERM,

    /* OFPET_BAD_REQUEST. */
    OFPERR_OFPBRC_BAD_VERSION,
    OFPERR_OFPBRC_BAD_TYPE,
    OFPERR_OFPBRC_BAD_STAT,          /* OF1.3: OFPBRC_BAD_MULTIPART. */
    OFPERR_OFPBRC_BAD_VENDOR,        /* OF1.3: OFPBRC_BAD_EXPERIMENTER. */
    OFPERR_OFPBRC_BAD_SUBTYPE,       /* OF1.3: OFPBRC_BAD_EXP_TYPE. */
    OFPERR_OFPBRC_EPERM,
    OFPERR_OFPBRC_BAD_LEN,
    OFPERR_OFPBRC_BUFFER_EMPTY,
    OFPERR_OFPBRC_BUFFER_UNKNOWN,
    OFPERR_OFPBRC_BAD_TABLE_ID,
    OFPERR_OFPBRC_IS_SLAVE,
    OFPERR_OFPBRC_BAD_PORT,
    OFPERR_OFPBRC_BAD_PACKET,
    OFPERR_OFPBRC_MULTIPART_BUFFER_OVERFLOW,
    OFPERR_NXBRC_NXM_INVALID,
    OFPERR_NXBRC_NXM_BAD_TYPE,
    OFPERR_NXBRC_MUST_BE_ZERO,
    OFPERR_NXBRC_UNENCODABLE_ERROR,

    /* OFPET_BAD_ACTION. */
    OFPERR_OFPBAC_BAD_TYPE,
    OFPERR_OFPBAC_BAD_LEN,
    OFPERR_OFPBAC_BAD_VENDOR,        /* OF1.3: OFPBAC_BAD_EXPERIMENTER. */
    OFPERR_OFPBAC_BAD_VENDOR_TYPE,   /* OF1.3: OFPBAC_BAD_EXP_TYPE. */
    OFPERR_OFPBAC_BAD_OUT_PORT,
    OFPERR_OFPBAC_BAD_ARGUMENT,
    OFPERR_OFPBAC_EPERM,
    OFPERR_OFPBAC_TOO_MANY,
    OFPERR_OFPBAC_BAD_QUEUE,
    OFPERR_OFPBAC_BAD_OUT_GROUP,
    OFPERR_OFPBAC_MATCH_INCONSISTENT,
    OFPERR_OFPBAC_UNSUPPORTED_ORDER,
    OFPERR_OFPBAC_BAD_TAG,
    OFPERR_OFPBAC_BAD_SET_TYPE,
    OFPERR_OFPBAC_BAD_SET_LEN,
    OFPERR_OFPBAC_BAD_SET_ARGUMENT,
    OFPERR_OFPBAC_BAD_SET_MASK,
    OFPERR_NXBAC_MUST_BE_ZERO,

    /* OFPET_BAD_INSTRUCTION (OF1.3 only). */
    OFPERR_OFPBIC_UNKNOWN_INST,
    OFPERR_OFPBIC_UNSUP_INST,
    OFPERR_OFPBIC_BAD_TABLE_ID,
    OFPERR_OFPBIC_UNSUP_METADATA,
    OFPERR_OFPBIC_UNSUP_METADATA_MASK,
    OFPERR_OFPBIC_BAD_EXPERIMENTER,
    OFPERR_OFPBIC_BAD_EXP_TYPE,
    OFPERR_OFPBIC_BAD_LEN,
    OFPERR_OFPBIC_EPERM,
    OFPERR_OFPBIC_DUP_INST,

    /* OFPET_BAD_MATCH. */
    OFPERR_OFPBMC_BAD_TYPE,
    OFPERR_OFPBMC_BAD_LEN,
    OFPERR_OFPBMC_BAD_TAG,
    OFPERR_OFPBMC_BAD_DL_ADDR_MASK,
    OFPERR_OFPBMC_BAD_NW_ADDR_MASK,
    OFPERR_OFPBMC_BAD_WILDCARDS,
    OFPERR_OFPBMC_BAD_FIELD,
    OFPERR_OFPBMC_BAD_VALUE,
    OFPERR_OFPBMC_BAD_MASK,
    OFPERR_OFPBMC_BAD_PREREQ,
    OFPERR_OFPBMC_DUP_FIELD,
    OFPERR_OFPBMC_EPERM,

    /* OFPET_FLOW_MOD_FAILED. */
    OFPERR_OFPFMFC_UNKNOWN,
    OFPERR_OFPFMFC_TABLE_FULL,       /* OF1.0: OFPFMFC_ALL_TABLES_FULL. */
    OFPERR_OFPFMFC_BAD_TABLE_ID,
    OFPERR_OFPFMFC_OVERLAP,
    OFPERR_OFPFMFC_EPERM,
    OFPERR_OFPFMFC_BAD_TIMEOUT,
    OFPERR_OFPFMFC_BAD_EMERG_TIMEOUT,
    OFPERR_OFPFMFC_BAD_COMMAND,
    OFPERR_OFPFMFC_BAD_FLAGS,
    OFPERR_OFPFMFC_UNSUPPORTED,
    OFPERR_NXFMFC_HARDWARE,
    OFPERR_NXFMFC_BAD_TABLE_ID,

    /* OFPET_GROUP_MOD_FAILED (OF1.3 only). */
    OFPERR_OFPGMFC_GROUP_EXISTS,
    OFPERR_OFPGMFC_INVALID_GROUP,
    OFPERR_OFPGMFC_WEIGHT_UNSUPPORTED,
    OFPERR_OFPGMFC_OUT_OF_GROUPS,
    OFPERR_OFPGMFC_OUT_OF_BUCKETS,
    OFPERR_OFPGMFC_CHAINING_UNSUPPORTED,
    OFPERR_OFPGMFC_WATCH_UNSUPPORTED,
    OFPERR_OFPGMFC_LOOP,
    OFPERR_OFPGMFC_UNKNOWN_GROUP,
    OFPERR_OFPGMFC_CHAINED_GROUP,
    OFPERR_OFPGMFC_BAD_TYPE,
    OFPERR_OFPGMFC_BAD_COMMAND,
    OFPERR_OFPGMFC_BAD_BUCKET,
    OFPERR_OFPGMFC_BAD_WATCH,
    OFPERR_OFPGMFC_EPERM,

    /* OFPET_PORT_MOD_FAILED. */
    OFPERR_OFPPMFC_BAD_PORT,
    OFPERR_OFPPMFC_BAD_HW_ADDR,
    OFPERR_OFPPMFC_BAD_CONFIG,
    OFPERR_OFPPMFC_BAD_ADVERTISE,
    OFPERR_OFPPMFC_EPERM,

    /* OFPET_TABLE_MOD_FAILED (OF1.3 only). */
    OFPERR_OFPTMFC_BAD_TABLE,
    OFPERR_OFPTMFC_BAD_CONFIG,
    OFPERR_OFPTMFC_EPERM,

    /* OFPET_QUEUE_OP_FAILED. */
    OFPERR_OFPQOFC_BAD_PORT,
    OFPERR_OFPQOFC_BAD_QUEUE,
    OFPERR_OFPQOFC_EPERM,

    /* OFPET_SWITCH_CONFIG_FAILED (OF1.3 only). */
    OFPERR_OFPSCFC_BAD_FLAGS,
    OFPERR_OFPSCFC_BAD_LEN,
    OFPERR_OFPSCFC_EPERM,

    /* OFPET_ROLE_REQUEST_FAILED. */
    OFPERR_OFPRRFC_STALE,
    OFPERR_OFPRRFC_UNSUP,
    OFPERR_OFPRRFC_BAD_ROLE,

    /* OFPET_METER_MOD_FAILED (OF1.3 only). */
    OFPERR_OFPMMFC_UNKNOWN,
    OFPERR_OFPMMFC_METER_EXISTS,
    OFPERR_OFPMMFC_INVALID_METER,
    OFPERR_OFPMMFC_UNKNOWN_METER,
    OFPERR_OFPMMFC_BAD_COMMAND,
    OFPERR_OFPMMFC_BAD_FLAGS,
    OFPERR_OFPMMFC_BAD_RATE,
    OFPERR_OFPMMFC_BAD_BURST,
    OFPERR_OFPMMFC_BAD_BAND,
    OFPERR_OFPMMFC_BAD_BAND_VALUE,
    OFPERR_OFPMMFC_OUT_OF_METERS,
    OFPERR_OFPMMFC_OUT_OF_BANDS,

    /* OFPET_TABLE_FEATURES_FAILED (OF1.3 only). */
    OFPERR_OFPTFFC_BAD_TABLE,
    OFPERR_OFPTFFC_BAD_METADATA,
    OFPERR_OFPTFFC_BAD_TYPE,
    OFPERR_OFPTFFC_BAD_LEN,
    OFPERR_OFPTFFC_BAD_ARGUMENT,
    OFPERR_OFPTFFC_EPERM,

    OFPERR_END                       /* Not an error: one past the last. */
};

#define OFPERR_N_ERRORS (OFPERR_END - OFPERR_OFS)

/* The OF1.3 spellings of errors that OF1.0 named differently. */
#define OFPERR_OFPBRC_BAD_MULTIPART    OFPERR_OFPBRC_BAD_STAT
#define OFPERR_OFPBRC_BAD_EXPERIMENTER OFPERR_OFPBRC_BAD_VENDOR
#define OFPERR_OFPBRC_BAD_EXP_TYPE     OFPERR_OFPBRC_BAD_SUBTYPE
#define OFPERR_OFPBAC_BAD_EXPERIMENTER OFPERR_OFPBAC_BAD_VENDOR
#define OFPERR_OFPBAC_BAD_EXP_TYPE     OFPERR_OFPBAC_BAD_VENDOR_TYPE
#define OFPERR_OFPFMFC_ALL_TABLES_FULL OFPERR_OFPFMFC_TABLE_FULL

/* OFPT_ERROR 'type' values that frame extension errors. */
#define OFPERR_NXET_VENDOR        0xb0c2  /* OF1.0: Nicira vendor error. */
#define OFPERR_NXVC_VENDOR_ERROR  0       /* ...its 'code'. */
#define OFPERR_OFPET_EXPERIMENTER 0xffff  /* OF1.2+: experimenter error. */

/* How one error is spelled on the wire in one OpenFlow version.
 *
 * vendor == 0: a standard error, OFPT_ERROR with 'type' and 'code'.
 *
 * vendor != 0: an extension error of that vendor.
 *   - OF1.0: OFPT_ERROR type OFPERR_NXET_VENDOR, code
 *     OFPERR_NXVC_VENDOR_ERROR, then struct nx_vendor_error
 *     { be32 vendor; be16 type; be16 code; } carrying these three fields,
 *     then the data.
 *   - OF1.3: OFPT_ERROR type OFPERR_OFPET_EXPERIMENTER, exp_type = 'type',
 *     experimenter = 'vendor', then the data; 'code' is 0. */
struct ofperr_wire {
    uint32_t vendor;
    uint16_t type;
    uint16_t code;
};

/* True if ERROR is one of the values above (not 0, not an errno). */
bool ofperr_is_valid(int error);

/* "OFPBMC_BAD_PREREQ" for OFPERR_OFPBMC_BAD_PREREQ (no "OFPERR_" prefix,
 * as Open vSwitch prints it), "OK" for 0, "<invalid>" otherwise. */
const char *ofperr_get_name(enum ofperr);

/* One-line human-readable description; never null. */
const char *ofperr_get_description(enum ofperr);

/* The error whose name (with or without "OFPERR_") is NAME, else 0. */
enum ofperr ofperr_from_name(const char *name);

/* If ERROR has a standard (type, code) in VERSION, stores it and returns
 * true.  Returns false if ERROR is invalid, VERSION unsupported, or ERROR
 * has only an extension encoding or none in VERSION. */
bool ofperr_encode_type_code(enum ofperr, uint8_t version,
                             uint16_t *type, uint16_t *code);

/* True if ERROR has any encoding (standard or extension) in VERSION. */
bool ofperr_is_encodable(enum ofperr, uint8_t version);

/* Fills *WIRE with how ERROR is sent in VERSION and returns ERROR; if it
 * has no encoding there (or is invalid), fills in and returns
 * OFPERR_NXBRC_UNENCODABLE_ERROR instead, as Open vSwitch does.  VERSION
 * must be OFP10_VERSION or OFP13_VERSION; any other is treated as 1.3. */
enum ofperr ofperr_encode(enum ofperr, uint8_t version,
                          struct ofperr_wire *wire);

/* The error that standard (TYPE, CODE) means in VERSION, or 0 if none
 * (unknown code, or unsupported VERSION). */
enum ofperr ofperr_decode(uint8_t version, uint16_t type, uint16_t code);

/* The error that extension error (VENDOR, TYPE, CODE) means in VERSION
 * (for OF1.3 experimenter errors pass exp_type as TYPE and 0 as CODE), or
 * 0 if none. */
enum ofperr ofperr_decode_vendor(uint8_t version, uint32_t vendor,
                                 uint16_t type, uint16_t code);

/* Like ofperr_get_name() but also renders errno values (for functions
 * that return either). */
const char *ofperr_to_string(int error);

#endif /* ofp-errors.h */
