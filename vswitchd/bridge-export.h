/*
 * bridge-export: a bridge's NetFlow, sFlow and IPFIX configuration, read
 * from the database tables Open vSwitch names for them (NetFlow, sFlow
 * and IPFIX referenced from the Bridge row, Flow_Sample_Collector_Set
 * rows that name the bridge) and applied to its ofproto.
 *
 * Each exporter's settings are kept as text as last applied, so a
 * database change that does not touch them touches nothing, and one that
 * does reconfigures that exporter in place (its cache survives).  A
 * setting that cannot be used is logged once per change.  Main thread
 * only.
 */
#ifndef PLX_BRIDGE_EXPORT_H
#define PLX_BRIDGE_EXPORT_H 1

struct ofproto;
struct ovsdb_idl;
struct vswitchrec_bridge;

struct bridge_export *bridge_export_create(void);
void bridge_export_destroy(struct bridge_export *);

/* Applies CFG's exporters (and the collector sets of IDL naming CFG) to
 * OFPROTO, those that changed since the last call. */
void bridge_export_configure(struct bridge_export *, struct ofproto *,
                             const struct vswitchrec_bridge *cfg,
                             struct ovsdb_idl *idl);

#endif /* bridge-export.h */
