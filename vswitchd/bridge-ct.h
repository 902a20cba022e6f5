/*
 * bridge-ct: the datapath's conntrack configuration from the database,
 * as Open vSwitch reads it: Open_vSwitch's 'datapaths' map names a
 * Datapath row for the datapath type ("netdev" for Plexus's userspace
 * datapath; "system" is accepted as the same, there being one datapath),
 * whose 'ct_zones' map each zone to a CT_Zone row, whose
 * 'timeout_policy' is a CT_Timeout_Policy row with its 'timeouts' map
 * (ovs-vsctl add-zone-tp writes these).  Each zone with a policy gets
 * the conntrack timeout policy numbered zone + 1, which every connection
 * committed in the zone uses; zones removed lose theirs.  Keys the
 * conntrack does not know are logged and skipped.  Main thread only.
 */
#ifndef PLX_BRIDGE_CT_H
#define PLX_BRIDGE_CT_H 1

struct conntrack;
struct vswitchrec_open_vswitch;

/* Applies OVS's zone timeout policies (NULL OVS: none) to CT. */
void bridge_ct_configure(struct conntrack *,
                         const struct vswitchrec_open_vswitch *ovs);

#endif /* bridge-ct.h */
