# tests/interop/vm.mk: plx-vm's vhost-user frontend against Debian's Open
# vSwitch with DPDK (openvswitch-switch-dpdk): two standalone plx-vm
# guests on dpdkvhostuser and dpdkvhostuserclient ports ping and pass
# UDP.  Needs root, /dev/kvm, hugepages, vmm/plx-vm and the test guest;
# skipped, with the reason, without them.  The case loads
# tests/bench/bench-vm.py (its OvsDpdk and Guest classes).
INTEROP_TESTS += tests/interop/test_vm_ovs_dpdk.py
EXTRA_DIST += tests/interop/test_vm_ovs_dpdk.py
