/*
 * openflow: OpenFlow wire constants and structures, shared by all
 * OpenFlow code (messages, errors, matches, actions).
 *
 * What is here is the wire format and nothing else: numbers as the
 * specifications assign them and packed structures laid out byte for
 * byte as they travel, every multi-byte field in network byte order
 * (plx_be16/32/64).  The decoded internal forms live in the modules that
 * translate (lib/ofp-msgs.h and friends); code above lib/ never touches
 * these structures.
 *
 * Versions.  Plexus speaks OpenFlow 1.0 (wire version 0x01) and 1.3
 * (0x04).  Names carry the version that introduced a layout: "ofp10_"
 * for OpenFlow 1.0 only, "ofp11_" for a layout that OpenFlow 1.1 brought
 * and 1.3 still uses, "ofp13_" for what 1.3 added, and a bare "ofp_" for
 * what every version shares (ofp_header).  Constants for 1.4 (0x05) and
 * 1.5 (0x06) message types are listed where they extend the 1.3 table, so
 * that supporting them later is a matter of adding rows, not renumbering.
 *
 * Port numbers.  OpenFlow 1.0 port numbers are 16 bits with reserved
 * ports at 0xff00..0xffff; OpenFlow 1.1 and later use 32 bits with
 * reserved ports at 0xffffff00..0xffffffff.  Inside Plexus a port number
 * is always the 32-bit form (lib/meta-flow.h's MF_OFPP_*), and
 * ofp_port_from_ofp10()/ofp_port_to_ofp10() convert at the OpenFlow 1.0
 * edge.  A 32-bit port in 0xff00..0xfffffeff has no 1.0 form.
 *
 * Every structure's size is checked at compile time against the
 * specification.
 */
#ifndef PLX_OPENFLOW_H
#define PLX_OPENFLOW_H 1

#include <stdbool.h>
#include <stdint.h>
#include "types.h"
#include "util.h"

#define OFP_PACKED __attribute__((packed))

/* ---- Versions. ---- */

/* Plain macros, not an enum, so that other headers may repeat the same
 * definitions (lib/ofp-errors.h does). */
#define OFP10_VERSION 0x01
#define OFP11_VERSION 0x02
#define OFP12_VERSION 0x03
#define OFP13_VERSION 0x04
#define OFP14_VERSION 0x05
#define OFP15_VERSION 0x06

/* Bitmaps of versions: bit N set means wire version N. */
#define OFP_VERSION_BIT(V) (1u << (V))
/* The versions Plexus implements. */
#define OFP_SUPPORTED_VERSIONS \
    (OFP_VERSION_BIT(OFP10_VERSION) | OFP_VERSION_BIT(OFP13_VERSION))

/* Default TCP port (IANA). */
#define OFP_TCP_PORT 6653

/* ---- The header every message starts with. ---- */

struct ofp_header {
    uint8_t version;            /* OFPxx_VERSION. */
    uint8_t type;               /* One of the OFPT*_ constants below. */
    plx_be16 length;            /* Whole message, including this header. */
    plx_be32 xid;               /* Transaction id. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_header) == 8);

#define OFP_MAX_MSG_LEN 65535

/* ---- Message type numbers. ---- */

/* OpenFlow 1.0. */
enum ofp10_type {
    OFPT10_HELLO = 0,
    OFPT10_ERROR = 1,
    OFPT10_ECHO_REQUEST = 2,
    OFPT10_ECHO_REPLY = 3,
    OFPT10_VENDOR = 4,
    OFPT10_FEATURES_REQUEST = 5,
    OFPT10_FEATURES_REPLY = 6,
    OFPT10_GET_CONFIG_REQUEST = 7,
    OFPT10_GET_CONFIG_REPLY = 8,
    OFPT10_SET_CONFIG = 9,
    OFPT10_PACKET_IN = 10,
    OFPT10_FLOW_REMOVED = 11,
    OFPT10_PORT_STATUS = 12,
    OFPT10_PACKET_OUT = 13,
    OFPT10_FLOW_MOD = 14,
    OFPT10_PORT_MOD = 15,
    OFPT10_STATS_REQUEST = 16,
    OFPT10_STATS_REPLY = 17,
    OFPT10_BARRIER_REQUEST = 18,
    OFPT10_BARRIER_REPLY = 19,
    OFPT10_QUEUE_GET_CONFIG_REQUEST = 20,
    OFPT10_QUEUE_GET_CONFIG_REPLY = 21,
};

/* OpenFlow 1.3 (1.1 and 1.2 are subsets; 1.4 and 1.5 extend it). */
enum ofp13_type {
    OFPT13_HELLO = 0,
    OFPT13_ERROR = 1,
    OFPT13_ECHO_REQUEST = 2,
    OFPT13_ECHO_REPLY = 3,
    OFPT13_EXPERIMENTER = 4,
    OFPT13_FEATURES_REQUEST = 5,
    OFPT13_FEATURES_REPLY = 6,
    OFPT13_GET_CONFIG_REQUEST = 7,
    OFPT13_GET_CONFIG_REPLY = 8,
    OFPT13_SET_CONFIG = 9,
    OFPT13_PACKET_IN = 10,
    OFPT13_FLOW_REMOVED = 11,
    OFPT13_PORT_STATUS = 12,
    OFPT13_PACKET_OUT = 13,
    OFPT13_FLOW_MOD = 14,
    OFPT13_GROUP_MOD = 15,
    OFPT13_PORT_MOD = 16,
    OFPT13_TABLE_MOD = 17,
    OFPT13_MULTIPART_REQUEST = 18,
    OFPT13_MULTIPART_REPLY = 19,
    OFPT13_BARRIER_REQUEST = 20,
    OFPT13_BARRIER_REPLY = 21,
    OFPT13_QUEUE_GET_CONFIG_REQUEST = 22,
    OFPT13_QUEUE_GET_CONFIG_REPLY = 23,
    OFPT13_ROLE_REQUEST = 24,
    OFPT13_ROLE_REPLY = 25,
    OFPT13_GET_ASYNC_REQUEST = 26,
    OFPT13_GET_ASYNC_REPLY = 27,
    OFPT13_SET_ASYNC = 28,
    OFPT13_METER_MOD = 29,
    /* OpenFlow 1.4 and 1.5 additions (not implemented yet). */
    OFPT14_ROLE_STATUS = 30,
    OFPT14_TABLE_STATUS = 31,
    OFPT14_REQUESTFORWARD = 32,
    OFPT14_BUNDLE_CONTROL = 33,
    OFPT14_BUNDLE_ADD_MESSAGE = 34,
    OFPT15_CONTROLLER_STATUS = 35,
};

/* ---- HELLO. ---- */

/* Hello elements (OpenFlow 1.3.1+), each padded to 8 bytes. */
enum ofp_hello_elem_type {
    OFPHET_VERSIONBITMAP = 1,
};

struct ofp_hello_elem_header {
    plx_be16 type;              /* OFPHET_*. */
    plx_be16 length;            /* Excluding padding. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_hello_elem_header) == 4);

/* ---- ERROR. ---- */

struct ofp_error_msg {
    plx_be16 type;
    plx_be16 code;
    /* Followed by data: usually the first 64 bytes of the failed
     * request; ASCII text for OFPET_HELLO_FAILED. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_error_msg) == 4);

/* OpenFlow 1.2+ experimenter error. */
#define OFPET12_EXPERIMENTER 0xffff
struct ofp12_error_experimenter_msg {
    plx_be16 type;              /* OFPET12_EXPERIMENTER. */
    plx_be16 exp_type;
    plx_be32 experimenter;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp12_error_experimenter_msg) == 8);

/* ---- Port numbers. ---- */

/* OpenFlow 1.0 reserved ports (16 bits). */
#define OFPP10_MAX        0xff00
#define OFPP10_IN_PORT    0xfff8
#define OFPP10_TABLE      0xfff9
#define OFPP10_NORMAL     0xfffa
#define OFPP10_FLOOD      0xfffb
#define OFPP10_ALL        0xfffc
#define OFPP10_CONTROLLER 0xfffd
#define OFPP10_LOCAL      0xfffe
#define OFPP10_NONE       0xffff

/* OpenFlow 1.1+ reserved ports (32 bits): the MF_OFPP_* values of
 * lib/meta-flow.h, repeated so that this header stands alone. */
#define OFPP11_MAX        0xffffff00u
#define OFPP11_IN_PORT    0xfffffff8u
#define OFPP11_TABLE      0xfffffff9u
#define OFPP11_NORMAL     0xfffffffau
#define OFPP11_FLOOD      0xfffffffbu
#define OFPP11_ALL        0xfffffffcu
#define OFPP11_CONTROLLER 0xfffffffdu
#define OFPP11_LOCAL      0xfffffffeu
#define OFPP11_ANY        0xffffffffu

/* The offset between the two numberings of the reserved ports. */
#define OFPP11_OFFSET (OFPP11_MAX - OFPP10_MAX)

/* Converts an OpenFlow 1.0 port number to the internal 32-bit form. */
static inline uint32_t
ofp_port_from_ofp10(uint16_t port)
{
    return port < OFPP10_MAX ? port : port + OFPP11_OFFSET;
}

/* Converts internal port PORT to OpenFlow 1.0 in '*port10'; returns false
 * (and stores OFPP10_NONE) if PORT has no 16-bit form. */
static inline bool
ofp_port_to_ofp10(uint32_t port, uint16_t *port10)
{
    if (port < OFPP10_MAX) {
        *port10 = port;
        return true;
    } else if (port >= OFPP11_MAX) {
        *port10 = port - OFPP11_OFFSET;
        return true;
    }
    *port10 = OFPP10_NONE;
    return false;
}

/* ---- Ports. ---- */

#define OFP_MAX_PORT_NAME_LEN 16
#define OFP_ETH_ALEN 6

/* Port config bits.  OpenFlow 1.1+ keeps only PORT_DOWN, NO_RECV, NO_FWD
 * and NO_PACKET_IN, at the same positions. */
enum ofp_port_config {
    OFPPC_PORT_DOWN = 1 << 0,
    OFPPC10_NO_STP = 1 << 1,
    OFPPC_NO_RECV = 1 << 2,
    OFPPC10_NO_RECV_STP = 1 << 3,
    OFPPC10_NO_FLOOD = 1 << 4,
    OFPPC_NO_FWD = 1 << 5,
    OFPPC_NO_PACKET_IN = 1 << 6,
};
#define OFPPC10_ALL 0x7f
#define OFPPC11_ALL (OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD \
                     | OFPPC_NO_PACKET_IN)

/* Port state bits. */
enum ofp_port_state {
    OFPPS_LINK_DOWN = 1 << 0,
    /* OpenFlow 1.0: a 2-bit spanning tree state. */
    OFPPS10_STP_LISTEN = 0 << 8,
    OFPPS10_STP_LEARN = 1 << 8,
    OFPPS10_STP_FORWARD = 2 << 8,
    OFPPS10_STP_BLOCK = 3 << 8,
    OFPPS10_STP_MASK = 3 << 8,
    /* OpenFlow 1.1+. */
    OFPPS11_BLOCKED = 1 << 1,
    OFPPS11_LIVE = 1 << 2,
};
#define OFPPS10_ALL (OFPPS_LINK_DOWN | OFPPS10_STP_MASK)
#define OFPPS11_ALL (OFPPS_LINK_DOWN | OFPPS11_BLOCKED | OFPPS11_LIVE)

/* Port feature bits, OpenFlow 1.1+ layout. */
enum ofp11_port_features {
    OFPPF_10MB_HD = 1 << 0,
    OFPPF_10MB_FD = 1 << 1,
    OFPPF_100MB_HD = 1 << 2,
    OFPPF_100MB_FD = 1 << 3,
    OFPPF_1GB_HD = 1 << 4,
    OFPPF_1GB_FD = 1 << 5,
    OFPPF_10GB_FD = 1 << 6,
    OFPPF11_40GB_FD = 1 << 7,
    OFPPF11_100GB_FD = 1 << 8,
    OFPPF11_1TB_FD = 1 << 9,
    OFPPF11_OTHER = 1 << 10,
    OFPPF11_COPPER = 1 << 11,
    OFPPF11_FIBER = 1 << 12,
    OFPPF11_AUTONEG = 1 << 13,
    OFPPF11_PAUSE = 1 << 14,
    OFPPF11_PAUSE_ASYM = 1 << 15,
};
#define OFPPF11_ALL 0xffff

/* OpenFlow 1.0 has the speed bits 0..6 at the same place and the media
 * bits (copper .. pause_asym) at 7..11 instead of 11..15. */
enum ofp10_port_features {
    OFPPF10_COPPER = 1 << 7,
    OFPPF10_FIBER = 1 << 8,
    OFPPF10_AUTONEG = 1 << 9,
    OFPPF10_PAUSE = 1 << 10,
    OFPPF10_PAUSE_ASYM = 1 << 11,
};
#define OFPPF10_ALL 0xfff

struct ofp10_phy_port {
    plx_be16 port_no;
    uint8_t hw_addr[OFP_ETH_ALEN];
    char name[OFP_MAX_PORT_NAME_LEN];   /* NUL-padded. */
    plx_be32 config;            /* OFPPC_*. */
    plx_be32 state;             /* OFPPS_*. */
    plx_be32 curr;              /* OFPPF10 layout, all four. */
    plx_be32 advertised;
    plx_be32 supported;
    plx_be32 peer;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_phy_port) == 48);

struct ofp11_port {
    plx_be32 port_no;
    uint8_t pad[4];
    uint8_t hw_addr[OFP_ETH_ALEN];
    uint8_t pad2[2];
    char name[OFP_MAX_PORT_NAME_LEN];
    plx_be32 config;
    plx_be32 state;
    plx_be32 curr;              /* OFPPF_* (1.1 layout). */
    plx_be32 advertised;
    plx_be32 supported;
    plx_be32 peer;
    plx_be32 curr_speed;        /* kbps. */
    plx_be32 max_speed;         /* kbps. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_port) == 64);

enum ofp_port_reason {
    OFPPR_ADD = 0,
    OFPPR_DELETE = 1,
    OFPPR_MODIFY = 2,
};

struct ofp_port_status {
    uint8_t reason;             /* OFPPR_*. */
    uint8_t pad[7];
    /* Followed by struct ofp10_phy_port or struct ofp11_port. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_port_status) == 8);

struct ofp10_port_mod {
    plx_be16 port_no;
    uint8_t hw_addr[OFP_ETH_ALEN];
    plx_be32 config;
    plx_be32 mask;
    plx_be32 advertise;         /* 0: do not change. */
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_port_mod) == 24);

struct ofp11_port_mod {
    plx_be32 port_no;
    uint8_t pad[4];
    uint8_t hw_addr[OFP_ETH_ALEN];
    uint8_t pad2[2];
    plx_be32 config;
    plx_be32 mask;
    plx_be32 advertise;
    uint8_t pad3[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_port_mod) == 32);

/* ---- FEATURES. ---- */

/* Capabilities, OpenFlow 1.0. */
enum ofp10_capabilities {
    OFPC10_FLOW_STATS = 1 << 0,
    OFPC10_TABLE_STATS = 1 << 1,
    OFPC10_PORT_STATS = 1 << 2,
    OFPC10_STP = 1 << 3,
    OFPC10_RESERVED = 1 << 4,
    OFPC10_IP_REASM = 1 << 5,
    OFPC10_QUEUE_STATS = 1 << 6,
    OFPC10_ARP_MATCH_IP = 1 << 7,
};

/* Capabilities, OpenFlow 1.3. */
enum ofp13_capabilities {
    OFPC13_FLOW_STATS = 1 << 0,
    OFPC13_TABLE_STATS = 1 << 1,
    OFPC13_PORT_STATS = 1 << 2,
    OFPC13_GROUP_STATS = 1 << 3,
    OFPC13_IP_REASM = 1 << 5,
    OFPC13_QUEUE_STATS = 1 << 6,
    OFPC13_PORT_BLOCKED = 1 << 8,
};

struct ofp_switch_features {
    plx_be64 datapath_id;
    plx_be32 n_buffers;
    uint8_t n_tables;
    uint8_t auxiliary_id;       /* OpenFlow 1.3; pad in 1.0. */
    uint8_t pad[2];
    plx_be32 capabilities;
    plx_be32 actions;           /* OpenFlow 1.0: OFPAT10 bitmap; 1.3:
                                 * reserved. */
    /* OpenFlow 1.0: followed by struct ofp10_phy_port[]. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_switch_features) == 24);

/* ---- GET_CONFIG_REPLY, SET_CONFIG. ---- */

enum ofp_config_flags {
    OFPC_FRAG_NORMAL = 0,       /* No special handling for fragments. */
    OFPC_FRAG_DROP = 1,         /* Drop fragments. */
    OFPC_FRAG_REASM = 2,        /* Reassemble (if OFPC_IP_REASM). */
    OFPC_FRAG_NX_MATCH = 3,     /* OVS extension, OpenFlow 1.0 only. */
    OFPC_FRAG_MASK = 3,
    OFPC_INVALID_TTL_TO_CONTROLLER = 1 << 2,  /* OpenFlow 1.1/1.2 only. */
};

/* miss_send_len value meaning "send whole packets, do not buffer". */
#define OFPCML_NO_BUFFER 0xffff
#define OFP_DEFAULT_MISS_SEND_LEN 128

struct ofp_switch_config {
    plx_be16 flags;             /* OFPC_*. */
    plx_be16 miss_send_len;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_switch_config) == 4);

/* ---- ROLE_REQUEST/REPLY (1.2+). ---- */

enum ofp12_controller_role {
    OFPCR12_ROLE_NOCHANGE = 0,
    OFPCR12_ROLE_EQUAL = 1,
    OFPCR12_ROLE_MASTER = 2,
    OFPCR12_ROLE_SLAVE = 3,
};

struct ofp12_role_request {
    plx_be32 role;              /* OFPCR12_ROLE_*. */
    uint8_t pad[4];
    plx_be64 generation_id;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp12_role_request) == 16);

/* ---- GET_ASYNC_REPLY, SET_ASYNC (1.3). ---- */

/* Element [0] applies in master or equal role, [1] in slave role.  Each
 * mask has bit N set to receive messages with reason N. */
struct ofp13_async_config {
    plx_be32 packet_in_mask[2];
    plx_be32 port_status_mask[2];
    plx_be32 flow_removed_mask[2];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_async_config) == 24);

/* ---- MULTIPART (1.3) and STATS (1.0). ---- */

enum ofp_multipart_type {
    OFPMP_DESC = 0,
    OFPMP_FLOW = 1,
    OFPMP_AGGREGATE = 2,
    OFPMP_TABLE = 3,
    OFPMP_PORT_STATS = 4,
    OFPMP_QUEUE = 5,
    OFPMP_GROUP = 6,            /* 1.1+ from here. */
    OFPMP_GROUP_DESC = 7,
    OFPMP_GROUP_FEATURES = 8,
    OFPMP_METER = 9,            /* 1.3+ from here. */
    OFPMP_METER_CONFIG = 10,
    OFPMP_METER_FEATURES = 11,
    OFPMP_TABLE_FEATURES = 12,
    OFPMP_PORT_DESC = 13,
    OFPMP_EXPERIMENTER = 0xffff,    /* OFPST_VENDOR in 1.0. */
};

enum ofp_multipart_flags {
    OFPMPF_MORE = 1 << 0,       /* REQ_MORE / REPLY_MORE. */
};

/* OpenFlow 1.0 stats header, after struct ofp_header. */
struct ofp10_stats_msg {
    plx_be16 type;              /* OFPMP_*. */
    plx_be16 flags;             /* OFPMPF_*. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_stats_msg) == 4);

/* OpenFlow 1.1+ multipart header, after struct ofp_header. */
struct ofp11_stats_msg {
    plx_be16 type;
    plx_be16 flags;
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_stats_msg) == 8);

#define DESC_STR_LEN 256
#define SERIAL_NUM_LEN 32
struct ofp_desc_stats {
    char mfr_desc[DESC_STR_LEN];
    char hw_desc[DESC_STR_LEN];
    char sw_desc[DESC_STR_LEN];
    char serial_num[SERIAL_NUM_LEN];
    char dp_desc[DESC_STR_LEN];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_desc_stats) == 1056);

struct ofp10_port_stats_request {
    plx_be16 port_no;           /* OFPP10_NONE: all ports. */
    uint8_t pad[6];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_port_stats_request) == 8);

struct ofp11_port_stats_request {
    plx_be32 port_no;           /* OFPP11_ANY: all ports. */
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_port_stats_request) == 8);

/* The twelve counters shared by both versions' port stats. */
struct ofp_port_counters {
    plx_be64 rx_packets;
    plx_be64 tx_packets;
    plx_be64 rx_bytes;
    plx_be64 tx_bytes;
    plx_be64 rx_dropped;
    plx_be64 tx_dropped;
    plx_be64 rx_errors;
    plx_be64 tx_errors;
    plx_be64 rx_frame_err;
    plx_be64 rx_over_err;
    plx_be64 rx_crc_err;
    plx_be64 collisions;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_port_counters) == 96);

struct ofp10_port_stats {
    plx_be16 port_no;
    uint8_t pad[6];
    struct ofp_port_counters c;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_port_stats) == 104);

struct ofp13_port_stats {
    plx_be32 port_no;
    uint8_t pad[4];
    struct ofp_port_counters c;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_port_stats) == 112);

#define OFP_MAX_TABLE_NAME_LEN 32
struct ofp10_table_stats {
    uint8_t table_id;
    uint8_t pad[3];
    char name[OFP_MAX_TABLE_NAME_LEN];
    plx_be32 wildcards;         /* OFPFW10_* supported. */
    plx_be32 max_entries;
    plx_be32 active_count;
    plx_be64 lookup_count;
    plx_be64 matched_count;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_table_stats) == 64);

struct ofp13_table_stats {
    uint8_t table_id;
    uint8_t pad[3];
    plx_be32 active_count;
    plx_be64 lookup_count;
    plx_be64 matched_count;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_table_stats) == 24);

/* Table numbers. */
#define OFPTT_MAX 0xfe
#define OFPTT_ALL 0xff

/* Buffer id meaning "no buffer". */
#define OFP_NO_BUFFER 0xffffffffu

#endif /* openflow.h */
