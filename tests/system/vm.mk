# tests/system/vm.mk: VMs that plx-vswitchd boots with plx-vm (VM table,
# type=vm interfaces, plx-vsctl's VM commands).
SYSTEM_TESTS += tests/system/test_vm.py
EXTRA_DIST += tests/system/test_vm.py
