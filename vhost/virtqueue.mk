# vhost/virtqueue.mk: guest memory, split and packed rings, virtio-net.
vhost_libvhost_a_SOURCES += vhost/vhost-mem.h vhost/virtqueue.h \
	vhost/vhost-mem.c \
	vhost/virtqueue.c vhost/virtqueue-private.h \
	vhost/vring-split.c vhost/vring-packed.c \
	vhost/virtio-net.c vhost/virtio-net.h

# The test driver (guest side of a virtqueue) goes into libplxtest, for
# every vhost test.  tests/automake.mk defines libplxtest's sources after
# this fragment is read, so the object is built by a library of its own
# and added to libplxtest with LIBADD.
check_LIBRARIES += tests/unit/libvirtio-driver.a
tests_unit_libvirtio_driver_a_SOURCES = tests/unit/virtio-driver.c \
	tests/unit/virtio-driver.h
tests_unit_libplxtest_a_LIBADD = tests/unit/virtio-driver.$(OBJEXT)

UNIT_TESTS += tests/unit/test-virtqueue
check_PROGRAMS += tests/unit/test-virtqueue
tests_unit_test_virtqueue_SOURCES = tests/unit/test-virtqueue.c
tests_unit_test_virtqueue_LDADD = $(PLX_VHOST_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-virtqueue-bad
check_PROGRAMS += tests/unit/test-virtqueue-bad
tests_unit_test_virtqueue_bad_SOURCES = tests/unit/test-virtqueue-bad.c
tests_unit_test_virtqueue_bad_LDADD = $(PLX_VHOST_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vhost-mem
check_PROGRAMS += tests/unit/test-vhost-mem
tests_unit_test_vhost_mem_SOURCES = tests/unit/test-vhost-mem.c
tests_unit_test_vhost_mem_LDADD = $(PLX_VHOST_UNIT_LIBS)

FUZZ_TARGETS += virtqueue
EXTRA_DIST += tests/fuzz/fuzz-virtqueue.c
