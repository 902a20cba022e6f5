/*
 * ofctl: the pieces plx-ofctl's commands share.
 *
 * plx-ofctl is split by concern:
 *
 *   plx-ofctl.c      main(), options, the command table, and the commands
 *                    about the switch as a whole (show, dump-desc,
 *                    dump-tables, ports, queues, monitor, snoop, probe,
 *                    ping, parse-pcap);
 *   ofctl-conn.c     connecting to a target and the transactions ovs-ofctl
 *                    runs over it (this header);
 *   ofctl-print.c    the text ovs-ofctl prints for a whole message, on top
 *                    of the lib/ofp-* formatters;
 *   ofctl-flows.c    flows: dump-flows, dump-aggregate, add/mod/del-flows,
 *                    add-flows, replace-flows, diff-flows, packet-out;
 *   ofctl-groups.c   groups and meters;
 *   ofctl-file.c     pure logic with no switch: reading flow files and
 *                    comparing two flow tables (ofctl-file.h, unit tested).
 *
 * Conventions, as in ovs-ofctl: every failure is fatal (plx_fatal(), exit
 * status 1) with a message naming what failed; replies are printed to
 * stdout, errors the switch returns for a modifying command to stderr
 * (exit status 1), asynchronous messages seen by "monitor" to stderr.
 *
 * OpenFlow versions.  The user allows a set of versions with -O (default:
 * 1.0 and 1.3).  Each command also has the versions it can use (groups
 * and meters need 1.3; a flow whose match or actions OpenFlow 1.0 cannot
 * express needs 1.3).  The connection offers the intersection, except
 * that without -O a command that can use 1.0 offers only 1.0: that is
 * what ovs-ofctl offers by default, so output is the same text
 * ("OFPST_FLOW reply (xid=0x4):", not "... (OF1.3) ...").  ovs-ofctl
 * reaches groups and meters over 1.0 through Nicira extensions that
 * Plexus does not speak, which is why they use 1.3 here even without -O.
 */
#ifndef PLX_UTILITIES_OFCTL_H
#define PLX_UTILITIES_OFCTL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "list.h"
#include "openflow.h"
#include "util.h"

struct ds;
struct ofpmsg;
struct ofp_header;
struct stream;
struct ofputil_phy_port;
struct plx_cmdl_context;

#define OFCTL_OF10 OFP_VERSION_BIT(OFP10_VERSION)
#define OFCTL_OF13 OFP_VERSION_BIT(OFP13_VERSION)
#define OFCTL_ANY_VERSION (OFCTL_OF10 | OFCTL_OF13)

/* Command-line options that the commands read. */
struct ofctl_options {
    uint32_t allowed_versions;  /* OFCTL_OF10 and/or OFCTL_OF13. */
    bool versions_explicit;     /* -O was given. */
    bool strict;                /* --strict. */
    bool show_stats;            /* --stats (default) / --no-stats. */
    int sort;                   /* 0, or 1 (--sort) / -1 (--rsort). */
    bool may_create;            /* --may-create (mod-group). */
    bool readd;                 /* --readd (replace-flows). */
    bool timestamp;             /* --timestamp (monitor, snoop). */
};
extern struct ofctl_options ofctl_opts;

/* ---- Connections (ofctl-conn.c). ---- */

struct ofctl_conn;

/* Opens TARGET (a bridge name, a socket file, or "unix:", "tcp:",
 * "ssl:"), for a command that can use the versions in USABLE, and
 * waits for version negotiation.  WHAT names the command for the error
 * when the user's -O rules out every usable version.  Fatal on error. */
struct ofctl_conn *ofctl_open(const char *target, uint32_t usable,
                              const char *what);
/* Like ofctl_open(), but without -O it offers every usable version, so
 * that the highest the switch speaks is used.  For the flow dumps: an
 * OpenFlow 1.0 match cannot show conntrack, register or metadata fields,
 * nor a reply's instructions (Open vSwitch's ovs-ofctl uses its NXM
 * extension to OpenFlow 1.0 there; Plexus uses OpenFlow 1.3). */
struct ofctl_conn *ofctl_open_highest(const char *target, uint32_t usable,
                                      const char *what);
void ofctl_close(struct ofctl_conn *);
uint8_t ofctl_version(const struct ofctl_conn *);
const char *ofctl_target(const struct ofctl_conn *);
/* A connected stream to TARGET, resolved as for ofctl_open() but with
 * SUFFIX ("mgmt", "snoop") for a bridge name.  Fatal on error. */
struct stream *ofctl_open_stream(const char *target, const char *suffix);
/* The versions that ofctl_open() would offer for USABLE (0: none). */
uint32_t ofctl_offer(uint32_t usable);

/* Queues MSG and sends everything queued.  Fatal on error. */
void ofctl_send(struct ofctl_conn *, struct ofpmsg *);
/* The next message from the peer (blocking).  Fatal on error or EOF. */
struct ofpmsg *ofctl_recv(struct ofctl_conn *);
/* Like ofctl_recv(), but returns NULL instead of blocking. */
struct ofpmsg *ofctl_try_recv(struct ofctl_conn *);
void ofctl_wait(struct ofctl_conn *);

/* Sends REQUEST and returns the reply with its xid (other messages are
 * dropped). */
struct ofpmsg *ofctl_transact(struct ofctl_conn *, struct ofpmsg *request);
/* Sends REQUEST and prints its replies to stdout, every part of a
 * multipart reply, or the error (exit status 0, as ovs-ofctl). */
void ofctl_dump_transaction(struct ofctl_conn *, struct ofpmsg *request);
/* Sends each request in REQUESTS (a list of struct ofpmsg, emptied) with a
 * barrier after it and waits for the barrier reply.  An error reply is
 * printed to stderr and ends the program with status 1. */
void ofctl_transact_noreply_list(struct ofctl_conn *, struct plx_list *);
void ofctl_transact_noreply(struct ofctl_conn *, struct ofpmsg *request);

/* The switch's ports, from a FEATURES_REPLY (1.0) or a port description
 * reply (1.3): a malloc'd array in '*portsp'. */
void ofctl_fetch_ports(struct ofctl_conn *, struct ofputil_phy_port **portsp,
                       size_t *n_portsp);
/* PORT_NAME as a port number: a number or reserved name ("LOCAL"), else
 * the name of one of CONN's ports.  Fatal if neither. */
uint32_t ofctl_port_from_string(struct ofctl_conn *, const char *port_name);

/* "OpenFlow10,OpenFlow13" for the versions in VERSIONS. */
void ofctl_format_versions(struct ds *, uint32_t versions);

/* ---- Printing (ofctl-print.c). ---- */

/* The whole of what ovs-ofctl prints for the LEN bytes at DATA, one
 * message, ending in a newline.  The caller frees it. */
char *ofctl_msg_to_string(const void *data, size_t len);
void ofctl_print_msg(FILE *, const struct ofpmsg *);
/* The one-line summary of an Ethernet frame that ovs-ofctl prints under a
 * PACKET_IN or PACKET_OUT ("udp,vlan_tci=0x0000,dl_src=... udp_csum:..."),
 * with a newline. */
void ofctl_format_packet(struct ds *, const void *data, size_t len);

/* ---- Commands in other files. ---- */

void ofctl_cmd_dump_flows(struct plx_cmdl_context *);
void ofctl_cmd_dump_aggregate(struct plx_cmdl_context *);
void ofctl_cmd_add_flow(struct plx_cmdl_context *);
void ofctl_cmd_add_flows(struct plx_cmdl_context *);
void ofctl_cmd_mod_flows(struct plx_cmdl_context *);
void ofctl_cmd_del_flows(struct plx_cmdl_context *);
void ofctl_cmd_replace_flows(struct plx_cmdl_context *);
void ofctl_cmd_diff_flows(struct plx_cmdl_context *);
void ofctl_cmd_packet_out(struct plx_cmdl_context *);

void ofctl_cmd_add_group(struct plx_cmdl_context *);
void ofctl_cmd_add_groups(struct plx_cmdl_context *);
void ofctl_cmd_mod_group(struct plx_cmdl_context *);
void ofctl_cmd_del_groups(struct plx_cmdl_context *);
void ofctl_cmd_dump_groups(struct plx_cmdl_context *);
void ofctl_cmd_dump_group_stats(struct plx_cmdl_context *);
void ofctl_cmd_dump_group_features(struct plx_cmdl_context *);
void ofctl_cmd_add_meter(struct plx_cmdl_context *);
void ofctl_cmd_mod_meter(struct plx_cmdl_context *);
void ofctl_cmd_del_meters(struct plx_cmdl_context *);
void ofctl_cmd_dump_meters(struct plx_cmdl_context *);
void ofctl_cmd_meter_stats(struct plx_cmdl_context *);
void ofctl_cmd_meter_features(struct plx_cmdl_context *);

#endif /* ofctl.h */
