# tests/system/openflow-packets.mk: OpenFlow tables, actions, matches,
# groups, meters and counters on plx-vswitchd, checked with real packets
# between namespace hosts (Debian's ovs-ofctl and python3-scapy).
SYSTEM_TESTS += tests/system/test_openflow_packets.py
EXTRA_DIST += \
	tests/system/test_openflow_packets.py \
	tests/system/openflow_packets_lib.py \
	tests/system/openflow_packets_agent.py
