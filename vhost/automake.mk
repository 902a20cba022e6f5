# vhost/: virtqueues, virtio-net and vhost-user (see vhost/README.md).
noinst_LIBRARIES += vhost/libvhost.a
vhost_libvhost_a_SOURCES =
EXTRA_DIST += vhost/README.md
PLX_VHOST_UNIT_LIBS = tests/unit/libplxtest.a vhost/libvhost.a \
	lib/libplx.a $(PLX_LIBS)

include vhost/virtqueue.mk
include vhost/vhost-user-msg.mk
include vhost/vhost-user.mk
include tests/system/vhost.mk
include tests/bench/vhost.mk
