/* ofp-errors: see ofp-errors.h. */
#include <config.h>
#include "ofp-errors.h"

#include <string.h>
#include "util.h"

/* One wire encoding, or none. */
struct ofperr_enc {
    bool valid;
    struct ofperr_wire wire;
};

struct ofperr_info {
    const char *name;           /* Without "OFPERR_". */
    const char *description;
    struct ofperr_enc of10;
    struct ofperr_enc of13;
};

#define NONE { false, { 0, 0, 0 } }
#define STD(TYPE, CODE) { true, { 0, TYPE, CODE } }
#define NX10(TYPE, CODE) { true, { OFPERR_NX_VENDOR_ID, TYPE, CODE } }
#define NX13(EXP_TYPE) { true, { OFPERR_NX_VENDOR_ID, EXP_TYPE, 0 } }
#define ONF13(EXP_TYPE) { true, { OFPERR_ONF_VENDOR_ID, EXP_TYPE, 0 } }

#define E(NAME, OF10, OF13, DESC) \
    [OFPERR_##NAME - OFPERR_OFS] = { #NAME, DESC, OF10, OF13 }

static const struct ofperr_info ofperr_infos[OFPERR_N_ERRORS] = {
    E(OFPHFC_INCOMPATIBLE, STD(0, 0), STD(0, 0), "No compatible version."),
    E(OFPHFC_EPERM, STD(0, 1), STD(0, 1), "Permissions error."),

    E(OFPBRC_BAD_VERSION, STD(1, 0), STD(1, 0),
      "ofp_header.version not supported."),
    E(OFPBRC_BAD_TYPE, STD(1, 1), STD(1, 1),
      "ofp_header.type not supported."),
    E(OFPBRC_BAD_STAT, STD(1, 2), STD(1, 2),
      "Stats (multipart) request type not supported."),
    E(OFPBRC_BAD_VENDOR, STD(1, 3), STD(1, 3),
      "Vendor (experimenter) not supported."),
    E(OFPBRC_BAD_SUBTYPE, STD(1, 4), STD(1, 4),
      "Vendor (experimenter) subtype not supported."),
    E(OFPBRC_EPERM, STD(1, 5), STD(1, 5), "Permissions error."),
    E(OFPBRC_BAD_LEN, STD(1, 6), STD(1, 6), "Wrong request length for type."),
    E(OFPBRC_BUFFER_EMPTY, STD(1, 7), STD(1, 7),
      "Specified buffer has already been used."),
    E(OFPBRC_BUFFER_UNKNOWN, STD(1, 8), STD(1, 8),
      "Specified buffer does not exist."),
    E(OFPBRC_BAD_TABLE_ID, NX10(1, 512), STD(1, 9),
      "Specified table-id invalid or does not exist."),
    E(OFPBRC_IS_SLAVE, STD(1, 5), STD(1, 10),
      "Denied because controller is slave."),
    E(OFPBRC_BAD_PORT, NX10(1, 514), STD(1, 11), "Invalid port."),
    E(OFPBRC_BAD_PACKET, NONE, STD(1, 12), "Invalid packet in packet-out."),
    E(OFPBRC_MULTIPART_BUFFER_OVERFLOW, NONE, STD(1, 13),
      "Multipart request overflowed the assigned buffer."),
    E(NXBRC_NXM_INVALID, NX10(1, 256), NX13(2), "Invalid NXM flow match."),
    E(NXBRC_NXM_BAD_TYPE, NX10(1, 257), NX13(3),
      "Invalid or unimplemented NXM/OXM field type."),
    E(NXBRC_MUST_BE_ZERO, NX10(1, 515), NX13(4),
      "Must-be-zero field had nonzero value."),
    E(NXBRC_UNENCODABLE_ERROR, NX10(1, 521), NX13(10),
      "The error that occurred cannot be represented in this OpenFlow "
      "version."),

    E(OFPBAC_BAD_TYPE, STD(2, 0), STD(2, 0), "Unknown action type."),
    E(OFPBAC_BAD_LEN, STD(2, 1), STD(2, 1), "Length problem in actions."),
    E(OFPBAC_BAD_VENDOR, STD(2, 2), STD(2, 2),
      "Unknown experimenter id specified."),
    E(OFPBAC_BAD_VENDOR_TYPE, STD(2, 3), STD(2, 3),
      "Unknown action type for experimenter id."),
    E(OFPBAC_BAD_OUT_PORT, STD(2, 4), STD(2, 4),
      "Problem validating output port."),
    E(OFPBAC_BAD_ARGUMENT, STD(2, 5), STD(2, 5), "Bad action argument."),
    E(OFPBAC_EPERM, STD(2, 6), STD(2, 6), "Permissions error."),
    E(OFPBAC_TOO_MANY, STD(2, 7), STD(2, 7),
      "Can't handle this many actions."),
    E(OFPBAC_BAD_QUEUE, STD(2, 8), STD(2, 8),
      "Problem validating output queue."),
    E(OFPBAC_BAD_OUT_GROUP, NONE, STD(2, 9),
      "Invalid group id in forward action."),
    E(OFPBAC_MATCH_INCONSISTENT, NX10(1, 522), STD(2, 10),
      "Action can't apply for this match, or a prerequisite for use of "
      "this field is unmet."),
    E(OFPBAC_UNSUPPORTED_ORDER, NONE, STD(2, 11),
      "Action order is unsupported for the action list in an "
      "Apply-Actions instruction."),
    E(OFPBAC_BAD_TAG, NONE, STD(2, 12),
      "Actions uses an unsupported tag/encap."),
    E(OFPBAC_BAD_SET_TYPE, NX10(1, 523), STD(2, 13),
      "Action uses unknown or unsupported OXM or NXM field."),
    E(OFPBAC_BAD_SET_LEN, NX10(1, 524), STD(2, 14),
      "Action references past the end of an OXM or NXM field, or uses a "
      "length of zero."),
    E(OFPBAC_BAD_SET_ARGUMENT, NX10(1, 525), STD(2, 15),
      "Action sets a field to an invalid or unsupported value, or modifies "
      "a read-only field."),
    E(OFPBAC_BAD_SET_MASK, NONE, ONF13(4250),
      "Field in Set-Field action has Has-Mask bit set to 1."),
    E(NXBAC_MUST_BE_ZERO, NX10(2, 256), NX13(11),
      "Must-be-zero action argument had nonzero value."),

    E(OFPBIC_UNKNOWN_INST, NONE, STD(3, 0), "Unknown instruction."),
    E(OFPBIC_UNSUP_INST, NX10(2, 257), STD(3, 1),
      "Switch or table does not support the instruction."),
    E(OFPBIC_BAD_TABLE_ID, NONE, STD(3, 2), "Invalid Table-ID specified."),
    E(OFPBIC_UNSUP_METADATA, NONE, STD(3, 3),
      "Metadata value unsupported by datapath."),
    E(OFPBIC_UNSUP_METADATA_MASK, NONE, STD(3, 4),
      "Metadata mask value unsupported by datapath."),
    E(OFPBIC_BAD_EXPERIMENTER, NONE, STD(3, 5),
      "Unknown experimenter id specified."),
    E(OFPBIC_BAD_EXP_TYPE, NONE, STD(3, 6),
      "Unknown instruction for experimenter id."),
    E(OFPBIC_BAD_LEN, NONE, STD(3, 7), "Length problem in instructions."),
    E(OFPBIC_EPERM, NONE, STD(3, 8), "Permissions error."),
    E(OFPBIC_DUP_INST, NONE, ONF13(2600), "Duplicate instruction."),

    E(OFPBMC_BAD_TYPE, NONE, STD(4, 0),
      "Unsupported match type specified by the match."),
    E(OFPBMC_BAD_LEN, NONE, STD(4, 1), "Length problem in match."),
    E(OFPBMC_BAD_TAG, NONE, STD(4, 2),
      "Match uses an unsupported tag/encap."),
    E(OFPBMC_BAD_DL_ADDR_MASK, NONE, STD(4, 3),
      "Unsupported datalink addr mask."),
    E(OFPBMC_BAD_NW_ADDR_MASK, NONE, STD(4, 4),
      "Unsupported network addr mask."),
    E(OFPBMC_BAD_WILDCARDS, NX10(1, 262), STD(4, 5),
      "Unsupported wildcard specified in the match."),
    E(OFPBMC_BAD_FIELD, NX10(0, 263), STD(4, 6),
      "Unsupported field in the match."),
    E(OFPBMC_BAD_VALUE, NX10(1, 258), STD(4, 7),
      "Unsupported value in a match field."),
    E(OFPBMC_BAD_MASK, NX10(1, 259), STD(4, 8),
      "Unsupported mask specified in the match."),
    E(OFPBMC_BAD_PREREQ, NX10(1, 260), STD(4, 9),
      "A prerequisite was not met."),
    E(OFPBMC_DUP_FIELD, NX10(1, 261), STD(4, 10),
      "A field type was duplicated."),
    E(OFPBMC_EPERM, NONE, STD(4, 11), "Permissions error."),

    E(OFPFMFC_UNKNOWN, NONE, STD(5, 0), "Unspecified error."),
    E(OFPFMFC_TABLE_FULL, STD(3, 0), STD(5, 1),
      "Flow not added because of full table(s)."),
    E(OFPFMFC_BAD_TABLE_ID, NONE, STD(5, 2), "Table does not exist."),
    E(OFPFMFC_OVERLAP, STD(3, 1), STD(5, 3),
      "Attempted to add overlapping flow with CHECK_OVERLAP flag set."),
    E(OFPFMFC_EPERM, STD(3, 2), STD(5, 4), "Permissions error."),
    E(OFPFMFC_BAD_TIMEOUT, NONE, STD(5, 5),
      "Flow not added because of unsupported idle/hard timeout."),
    E(OFPFMFC_BAD_EMERG_TIMEOUT, STD(3, 3), NONE,
      "Flow not added because of non-zero idle/hard timeout."),
    E(OFPFMFC_BAD_COMMAND, STD(3, 4), STD(5, 6),
      "Unsupported or unknown command."),
    E(OFPFMFC_BAD_FLAGS, NX10(3, 258), STD(5, 7),
      "Unsupported or unknown flags."),
    E(OFPFMFC_UNSUPPORTED, STD(3, 5), NONE,
      "Unsupported action list - cannot process in the order specified."),
    E(NXFMFC_HARDWARE, NX10(5, 256), NX13(12), "Generic hardware error."),
    E(NXFMFC_BAD_TABLE_ID, NX10(5, 257), NX13(13),
      "A nonexistent table ID was specified in the flow_mod command."),

    E(OFPGMFC_GROUP_EXISTS, NONE, STD(6, 0),
      "Group not added because a group ADD attempted to replace an "
      "already-present group."),
    E(OFPGMFC_INVALID_GROUP, NONE, STD(6, 1),
      "Group not added because Group specified is invalid."),
    E(OFPGMFC_WEIGHT_UNSUPPORTED, NONE, STD(6, 2),
      "Switch does not support unequal load sharing with select groups."),
    E(OFPGMFC_OUT_OF_GROUPS, NONE, STD(6, 3), "The group table is full."),
    E(OFPGMFC_OUT_OF_BUCKETS, NONE, STD(6, 4),
      "The maximum number of action buckets for a group has been "
      "exceeded."),
    E(OFPGMFC_CHAINING_UNSUPPORTED, NONE, STD(6, 5),
      "Switch does not support groups that forward to groups."),
    E(OFPGMFC_WATCH_UNSUPPORTED, NONE, STD(6, 6),
      "This group cannot watch the watch_port or watch_group specified."),
    E(OFPGMFC_LOOP, NONE, STD(6, 7), "Group entry would cause a loop."),
    E(OFPGMFC_UNKNOWN_GROUP, NONE, STD(6, 8),
      "Group not modified because a group MODIFY attempted to modify a "
      "non-existent group."),
    E(OFPGMFC_CHAINED_GROUP, NONE, STD(6, 9),
      "Group not deleted because another group is forwarding to it."),
    E(OFPGMFC_BAD_TYPE, NONE, STD(6, 10),
      "Unsupported or unknown group type."),
    E(OFPGMFC_BAD_COMMAND, NONE, STD(6, 11),
      "Unsupported or unknown command."),
    E(OFPGMFC_BAD_BUCKET, NONE, STD(6, 12), "Error in bucket."),
    E(OFPGMFC_BAD_WATCH, NONE, STD(6, 13), "Error in watch port/group."),
    E(OFPGMFC_EPERM, NONE, STD(6, 14), "Permissions error."),

    E(OFPPMFC_BAD_PORT, STD(4, 0), STD(7, 0),
      "Specified port does not exist."),
    E(OFPPMFC_BAD_HW_ADDR, STD(4, 1), STD(7, 1),
      "Specified hardware address does not match the port number."),
    E(OFPPMFC_BAD_CONFIG, NONE, STD(7, 2), "Specified config is invalid."),
    E(OFPPMFC_BAD_ADVERTISE, NONE, STD(7, 3),
      "Specified advertise is invalid."),
    E(OFPPMFC_EPERM, NONE, STD(7, 4), "Permissions error."),

    E(OFPTMFC_BAD_TABLE, NONE, STD(8, 0), "Specified table does not exist."),
    E(OFPTMFC_BAD_CONFIG, NONE, STD(8, 1), "Specified config is invalid."),
    E(OFPTMFC_EPERM, NONE, STD(8, 2), "Permissions error."),

    E(OFPQOFC_BAD_PORT, STD(5, 0), STD(9, 0),
      "Invalid port (or port does not exist)."),
    E(OFPQOFC_BAD_QUEUE, STD(5, 1), STD(9, 1), "Queue does not exist."),
    E(OFPQOFC_EPERM, STD(5, 2), STD(9, 2), "Permissions error."),

    E(OFPSCFC_BAD_FLAGS, NONE, STD(10, 0), "Specified flags is invalid."),
    E(OFPSCFC_BAD_LEN, NONE, STD(10, 1), "Specified len is invalid."),
    E(OFPSCFC_EPERM, NONE, STD(10, 2), "Permissions error."),

    E(OFPRRFC_STALE, NONE, STD(11, 0), "Stale Message: old generation_id."),
    E(OFPRRFC_UNSUP, NONE, STD(11, 1), "Controller role change unsupported."),
    E(OFPRRFC_BAD_ROLE, NX10(1, 513), STD(11, 2), "Invalid role."),

    E(OFPMMFC_UNKNOWN, NONE, STD(12, 0), "Unspecified error."),
    E(OFPMMFC_METER_EXISTS, NONE, STD(12, 1),
      "Meter not added because a Meter ADD attempted to replace an "
      "existing Meter."),
    E(OFPMMFC_INVALID_METER, NONE, STD(12, 2),
      "Meter not added because Meter specified is invalid."),
    E(OFPMMFC_UNKNOWN_METER, NONE, STD(12, 3),
      "Meter not modified because a Meter MODIFY attempted to modify a "
      "non-existent Meter."),
    E(OFPMMFC_BAD_COMMAND, NONE, STD(12, 4),
      "Unsupported or unknown command."),
    E(OFPMMFC_BAD_FLAGS, NONE, STD(12, 5), "Flag configuration unsupported."),
    E(OFPMMFC_BAD_RATE, NONE, STD(12, 6), "Rate unsupported."),
    E(OFPMMFC_BAD_BURST, NONE, STD(12, 7), "Burst size unsupported."),
    E(OFPMMFC_BAD_BAND, NONE, STD(12, 8), "Band unsupported."),
    E(OFPMMFC_BAD_BAND_VALUE, NONE, STD(12, 9), "Band value unsupported."),
    E(OFPMMFC_OUT_OF_METERS, NONE, STD(12, 10), "No more meters available."),
    E(OFPMMFC_OUT_OF_BANDS, NONE, STD(12, 11),
      "The maximum number of properties for a meter has been exceeded."),

    E(OFPTFFC_BAD_TABLE, NONE, STD(13, 0), "Specified table does not exist."),
    E(OFPTFFC_BAD_METADATA, NONE, STD(13, 1), "Invalid metadata mask."),
    E(OFPTFFC_BAD_TYPE, NONE, STD(13, 2), "Unknown property type."),
    E(OFPTFFC_BAD_LEN, NONE, STD(13, 3), "Length problem in properties."),
    E(OFPTFFC_BAD_ARGUMENT, NONE, STD(13, 4), "Unsupported property value."),
    E(OFPTFFC_EPERM, NONE, STD(13, 5), "Permissions error."),
};

static const struct ofperr_enc *
ofperr_get_enc(enum ofperr error, uint8_t version)
{
    const struct ofperr_info *info = &ofperr_infos[error - OFPERR_OFS];
    return version == OFP10_VERSION ? &info->of10 : &info->of13;
}

bool
ofperr_is_valid(int error)
{
    return error >= OFPERR_OFS && error < OFPERR_END;
}

const char *
ofperr_get_name(enum ofperr error)
{
    return (!error ? "OK"
            : ofperr_is_valid(error) ? ofperr_infos[error - OFPERR_OFS].name
            : "<invalid>");
}

const char *
ofperr_get_description(enum ofperr error)
{
    return (!error ? "Success."
            : ofperr_is_valid(error)
            ? ofperr_infos[error - OFPERR_OFS].description
            : "<invalid>");
}

enum ofperr
ofperr_from_name(const char *name)
{
    if (!strncmp(name, "OFPERR_", 7)) {
        name += 7;
    }
    for (size_t i = 0; i < ARRAY_SIZE(ofperr_infos); i++) {
        if (!strcmp(ofperr_infos[i].name, name)) {
            return OFPERR_OFS + (int) i;
        }
    }
    return 0;
}

bool
ofperr_encode_type_code(enum ofperr error, uint8_t version,
                        uint16_t *type, uint16_t *code)
{
    if (!ofperr_is_valid(error)
        || (version != OFP10_VERSION && version != OFP13_VERSION)) {
        return false;
    }
    const struct ofperr_enc *enc = ofperr_get_enc(error, version);
    if (!enc->valid || enc->wire.vendor) {
        return false;
    }
    *type = enc->wire.type;
    *code = enc->wire.code;
    return true;
}

bool
ofperr_is_encodable(enum ofperr error, uint8_t version)
{
    return (ofperr_is_valid(error)
            && (version == OFP10_VERSION || version == OFP13_VERSION)
            && ofperr_get_enc(error, version)->valid);
}

enum ofperr
ofperr_encode(enum ofperr error, uint8_t version, struct ofperr_wire *wire)
{
    if (version != OFP10_VERSION) {
        version = OFP13_VERSION;
    }
    if (!ofperr_is_encodable(error, version)) {
        error = OFPERR_NXBRC_UNENCODABLE_ERROR;
    }
    *wire = ofperr_get_enc(error, version)->wire;
    return error;
}

enum ofperr
ofperr_decode_vendor(uint8_t version, uint32_t vendor,
                     uint16_t type, uint16_t code)
{
    if (version != OFP10_VERSION && version != OFP13_VERSION) {
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(ofperr_infos); i++) {
        const struct ofperr_enc *enc = ofperr_get_enc(OFPERR_OFS + (int) i,
                                                      version);
        if (enc->valid && enc->wire.vendor == vendor
            && enc->wire.type == type && enc->wire.code == code) {
            return OFPERR_OFS + (int) i;
        }
    }
    return 0;
}

enum ofperr
ofperr_decode(uint8_t version, uint16_t type, uint16_t code)
{
    return ofperr_decode_vendor(version, 0, type, code);
}

const char *
ofperr_to_string(int error)
{
    return (!error || ofperr_is_valid(error) ? ofperr_get_name(error)
            : plx_strerror(error));
}
