# vhost/vhost-user-msg.mk: vhost-user messages and the frontend.
vhost_libvhost_a_SOURCES += vhost/vhost-user-msg.h \
	vhost/vhost-user-msg.c \
	vhost/vhost-user-frontend.c vhost/vhost-user-frontend.h

UNIT_TESTS += tests/unit/test-vhost-user-msg
check_PROGRAMS += tests/unit/test-vhost-user-msg
tests_unit_test_vhost_user_msg_SOURCES = tests/unit/test-vhost-user-msg.c
tests_unit_test_vhost_user_msg_LDADD = $(PLX_VHOST_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vhost-user-frontend
check_PROGRAMS += tests/unit/test-vhost-user-frontend
tests_unit_test_vhost_user_frontend_SOURCES = \
	tests/unit/test-vhost-user-frontend.c
tests_unit_test_vhost_user_frontend_LDADD = $(PLX_VHOST_UNIT_LIBS)

FUZZ_TARGETS += vhost-user-msg
EXTRA_DIST += tests/fuzz/fuzz-vhost-user-msg.c
