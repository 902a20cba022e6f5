# vhost/vhost-user.mk: the vhost-user backend.
vhost_libvhost_a_SOURCES += vhost/vhost-user.c vhost/vhost-user.h

UNIT_TESTS += tests/unit/test-vhost-user
check_PROGRAMS += tests/unit/test-vhost-user
tests_unit_test_vhost_user_SOURCES = tests/unit/test-vhost-user.c
tests_unit_test_vhost_user_LDADD = $(PLX_VHOST_UNIT_LIBS)
