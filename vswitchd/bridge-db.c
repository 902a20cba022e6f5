/* bridge-db: database details of plx-vswitchd (see bridge-db.h). */
#include <config.h>
#include "vswitchd/bridge-db.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ovsdb/ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "vswitchd/vswitch-idl.h"

/* Columns this module writes: replicated (they are read back, e.g. the
 * ofport hint) but their changes are not configuration changes. */
void
bridge_db_omit_written_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vswitchrec_open_vswitch_col_cur_cfg,
        &vswitchrec_open_vswitch_col_statistics,
        &vswitchrec_open_vswitch_col_ovs_version,
        &vswitchrec_open_vswitch_col_db_version,
        &vswitchrec_open_vswitch_col_datapath_types,
        &vswitchrec_open_vswitch_col_iface_types,
        &vswitchrec_open_vswitch_col_system_type,
        &vswitchrec_open_vswitch_col_system_version,
        &vswitchrec_open_vswitch_col_dpdk_initialized,
        &vswitchrec_open_vswitch_col_dpdk_version,
        &vswitchrec_bridge_col_datapath_id,
        &vswitchrec_bridge_col_datapath_version,
        &vswitchrec_bridge_col_status,
        &vswitchrec_bridge_col_rstp_status,
        &vswitchrec_port_col_statistics,
        &vswitchrec_port_col_status,
        &vswitchrec_port_col_rstp_status,
        &vswitchrec_port_col_rstp_statistics,
        &vswitchrec_port_col_bond_active_slave,
        &vswitchrec_interface_col_ofport,
        &vswitchrec_interface_col_error,
        &vswitchrec_interface_col_mac_in_use,
        &vswitchrec_interface_col_mtu,
        &vswitchrec_interface_col_ifindex,
        &vswitchrec_interface_col_admin_state,
        &vswitchrec_interface_col_link_state,
        &vswitchrec_interface_col_link_speed,
        &vswitchrec_interface_col_link_resets,
        &vswitchrec_interface_col_duplex,
        &vswitchrec_interface_col_statistics,
        &vswitchrec_interface_col_status,
        &vswitchrec_interface_col_lacp_current,
        &vswitchrec_interface_col_bfd_status,
        &vswitchrec_interface_col_cfm_fault,
        &vswitchrec_interface_col_cfm_fault_status,
        &vswitchrec_interface_col_cfm_flap_count,
        &vswitchrec_interface_col_cfm_health,
        &vswitchrec_interface_col_cfm_remote_mpids,
        &vswitchrec_interface_col_cfm_remote_opstate,
        &vswitchrec_controller_col_is_connected,
        &vswitchrec_controller_col_role,
        &vswitchrec_controller_col_status,
        &vswitchrec_manager_col_is_connected,
        &vswitchrec_manager_col_status,
        &vswitchrec_mirror_col_statistics,
        &vswitchrec_vm_col_state,
        &vswitchrec_vm_col_status,
        &vswitchrec_vm_col_error,
    };
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_omit_alert(idl, columns[i]);
    }
}

/* Driver information for the 'status' column of a Linux device, as
 * ethtool -i reports it. */
void
bridge_db_read_driver_status(const char *name, struct smap *status)
{
    struct ethtool_drvinfo drvinfo;
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        return;
    }
    memset(&drvinfo, 0, sizeof drvinfo);
    memset(&ifr, 0, sizeof ifr);
    drvinfo.cmd = ETHTOOL_GDRVINFO;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_data = (void *) &drvinfo;
    if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
        drvinfo.driver[sizeof drvinfo.driver - 1] = '\0';
        drvinfo.version[sizeof drvinfo.version - 1] = '\0';
        drvinfo.fw_version[sizeof drvinfo.fw_version - 1] = '\0';
        smap_add(status, "driver_name", drvinfo.driver);
        smap_add(status, "driver_version", drvinfo.version);
        smap_add(status, "firmware_version", drvinfo.fw_version);
    }
    close(fd);
}
