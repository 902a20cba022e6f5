# tests/system/controllers.mk: plx-vswitchd bridges under real OpenFlow
# controllers (ovs-testcontroller, OS-Ken, raw OpenFlow 1.3 clients).
SYSTEM_TESTS += tests/system/test_controllers.py
EXTRA_DIST += tests/system/test_controllers.py
