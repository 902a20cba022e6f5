# tests/system/vhost.mk: vhost-user ports (dpdkvhostuser,
# dpdkvhostuserclient) with a frontend written in Python.
SYSTEM_TESTS += tests/system/test_vhost.py
EXTRA_DIST += tests/system/test_vhost.py \
	tests/system/vhost_frontend.py
