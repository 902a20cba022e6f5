# vswitchd/vm.mk: VMs in the configuration: plx-vswitchd launches and supervises plx-vm.
# (See vswitchd/vm-supervisor.h; the "vm" netdev type is in
# datapath/netdev-vhost.c, the plx-vsctl commands in
# utilities/vsctl-vm-cmds.c.)
vswitchd_plx_vswitchd_SOURCES += \
	vswitchd/vm-supervisor.c \
	vswitchd/vm-supervisor.h
vswitchd/vm-supervisor.$(OBJEXT): vswitchd/vswitch-idl.h

include tests/system/vm.mk
