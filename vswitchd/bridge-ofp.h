/*
 * bridge-ofp: what plx-vswitchd's bridge layer reads from and writes to
 * the database for a bridge's OpenFlow side: the Controller rows and the
 * Bridge's 'protocols' (turned into connmgr targets), the datapath id,
 * and the controllers' status written back (is_connected, role,
 * status).  Main thread only; bridge.c calls these for each bridge.
 */
#ifndef PLX_BRIDGE_OFP_H
#define PLX_BRIDGE_OFP_H 1

#include <stdbool.h>
#include <stdint.h>

struct ofproto;
struct vswitchrec_bridge;

/* Applies CFG's controllers to OFPROTO if they differ from '*APPLIEDP'
 * (their text form as last applied, malloc'd, updated).  Returns true
 * if they changed. */
bool bridge_ofp_configure_controllers(struct ofproto *,
                                      const struct vswitchrec_bridge *cfg,
                                      char **appliedp);

/* other_config:datapath-id (16 hex digits), or 0 if absent or invalid
 * (logged). */
uint64_t bridge_ofp_datapath_id(const struct vswitchrec_bridge *cfg);

/* Writes the datapath id and each Controller row's status. */
void bridge_ofp_write_status(struct ofproto *,
                             const struct vswitchrec_bridge *cfg);

/* A hash of what the Controller rows should say, to notice changes. */
uint64_t bridge_ofp_status_hash(const struct ofproto *);

#endif /* bridge-ofp.h */
