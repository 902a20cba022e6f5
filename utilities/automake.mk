# utilities/: command-line tools and developer scripts.
include utilities/ofctl.mk

dist_noinst_SCRIPTS += \
	utilities/plx-dev \
	utilities/plx-install-deps \
	utilities/plx-sandbox

SYSTEM_TESTS += tests/system/test-sandbox.sh
EXTRA_DIST += tests/lib.sh tests/system/test-sandbox.sh
include utilities/vsctl.mk
include utilities/dpctl.mk
