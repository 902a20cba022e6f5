/*
 * ofp-print: the text Open vSwitch's ovs-ofctl prints for OpenFlow
 * messages that describe a switch, so that plx-ofctl's output is
 * interchangeable with Debian's ovs-ofctl (3.x) for scripts that parse
 * it.
 *
 * Two layers:
 *
 *   - Formatters of decoded forms (struct ofputil_* of lib/ofp-msgs.h and
 *     lib/ofp-table.h) append to a struct ds exactly what ovs-ofctl
 *     prints for the body of the corresponding message: `show` (features
 *     reply, port descriptions, GET_CONFIG reply), dump-desc, dump-tables,
 *     dump-table-features, dump-ports, dump-ports-desc, queue-stats and
 *     queue-get-config.  Their output starts where ovs-ofctl's does after
 *     the message's header line (so usually with a space or a newline).
 *
 *   - ofp_print_to_string() renders a whole message as `ovs-ofctl
 *     ofp-print HEX` does: the header line "NAME (OF1.3) (xid=0x2a):",
 *     multipart flags, then the body (formatted by the functions above for
 *     the types they cover, nothing more for header-only messages).  A
 *     message Plexus cannot decode yields "***decode error: NAME***" and a
 *     hex dump, as ovs-ofctl does.
 *
 * Ports are printed as Open vSwitch prints its 16-bit port numbers:
 * reserved ports by name (LOCAL, CONTROLLER, ANY, ...), others in decimal.
 * Match fields in table features are printed with Open vSwitch's field
 * names (eth_src, ip_src, in_port_oxm, ...) in its order, grouped by
 * category and with its name compression ("tun_{id,src}", "reg0...reg15").
 *
 * Nothing here asserts on message contents; formatting is total.
 */
#ifndef PLX_OFP_PRINT_H
#define PLX_OFP_PRINT_H 1

#include <stddef.h>
#include <stdint.h>
#include "ofp-msgs.h"
#include "ofp-table.h"

struct ds;

/* "OFPT_FEATURES_REPLY (OF1.3) (xid=0x2a):" (no version for 1.0).  For a
 * message whose type does not decode, the raw version and type numbers
 * are used instead of the name. */
void ofp_print_msg_header(struct ds *, const struct ofp_header *);

/* The whole of what `ovs-ofctl ofp-print` prints for the LEN bytes at
 * DATA (one message), always ending in a newline.  The caller frees the
 * result. */
char *ofp_print_to_string(const void *data, size_t len);

/* One port number as ovs-ofctl prints it. */
void ofp_print_port_no(struct ds *, uint32_t port_no);

/* A duration as ovs-ofctl writes it: "3s", "1.500s", "2.000000001s"
 * (three decimals for whole milliseconds, else as many as it takes). */
void ofp_print_duration(struct ds *, uint32_t sec, uint32_t nsec);

/* Features reply body: " dpid:...\nn_tables:...\ncapabilities: ...\n"
 * ("actions: ..." too for 1.0), then the 1.0 PORTS sorted by number.
 * VERSION is the message's. */
void ofp_print_switch_features(struct ds *, uint8_t version,
                               const struct ofputil_switch_features *,
                               const struct ofputil_phy_port *ports,
                               size_t n_ports);
/* " 1(eth0): addr:...\n     config: ...\n ... speed: ...\n". */
void ofp_print_phy_port(struct ds *, const struct ofputil_phy_port *);
/* The N ports, sorted by port number as ovs-ofctl sorts them. */
void ofp_print_phy_ports(struct ds *, const struct ofputil_phy_port *,
                         size_t n);
/* " frags=normal miss_send_len=0\n". */
void ofp_print_switch_config(struct ds *,
                             const struct ofputil_switch_config *);
/* "\nManufacturer: ...\n...DP Description: ...\n". */
void ofp_print_desc_stats(struct ds *, const struct ofputil_desc_stats *);
/* Table stats of a VERSION reply, with "ditto" for repeated tables. */
void ofp_print_table_stats(struct ds *, uint8_t version,
                           const struct ofputil_table_stats *, size_t n);
/* Table features (of one message), with "ditto" for repeated tables. */
void ofp_print_table_features(struct ds *,
                              const struct ofputil_table_features *,
                              size_t n);
/* " N ports\n" then each port's counters. */
void ofp_print_port_stats(struct ds *, const struct ofputil_port_stats *,
                          size_t n);
/* " N queues\n" then each queue's counters. */
void ofp_print_queue_stats(struct ds *, const struct ofputil_queue_stats *,
                           size_t n);
/* " port=P queue=Q". */
void ofp_print_queue_stats_request(
    struct ds *, const struct ofputil_queue_stats_request *);
/* " port=P\nqueue Q: min_rate:...\n" for a reply about port PORT_NO. */
void ofp_print_queue_config(struct ds *, const struct ofputil_queue_config *,
                            size_t n);
/* " table_id=N" (or " table_id: ALL_TABLES"). */
void ofp_print_table_mod(struct ds *, const struct ofputil_table_mod *);

#endif /* ofp-print.h */
