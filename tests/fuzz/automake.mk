# tests/fuzz: libFuzzer targets, one per parser of outside input.
#
# Each target NAME is tests/fuzz/fuzz-NAME.c defining
# LLVMFuzzerTestOneInput(), with seed inputs in tests/fuzz/corpus/NAME/.
# "make fuzz" builds them with clang (-fsanitize=fuzzer,address,undefined)
# against the library sources, replays each seed corpus, then fuzzes each
# target for FUZZ_SECONDS (default 20).  Targets register themselves with
# FUZZ_TARGETS += NAME in the fragment of the module they test.

FUZZ_SECONDS = 20
FUZZ_SANITIZERS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
PLX_FUZZ_SRCS = $(filter %.c,$(lib_libplx_a_SOURCES))

EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/corpus

fuzz-build:
	@test -n "$(FUZZ_CC)" || { echo "make fuzz needs clang: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
	@mkdir -p tests/fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZCC   tests/fuzz/fuzz-$$t"; \
	  $(FUZZ_CC) -g -O1 $(FUZZ_SANITIZERS) $(DEFS) $(DEFAULT_INCLUDES) \
	    $(AM_CPPFLAGS) $(CPPFLAGS) -std=gnu11 \
	    -o tests/fuzz/fuzz-$$t $(srcdir)/tests/fuzz/fuzz-$$t.c \
	    $(PLX_FUZZ_SRCS:%=$(srcdir)/%) $(PLX_LIBS); \
	done

fuzz: fuzz-build
	@$(SHELL) $(srcdir)/tests/fuzz/run-fuzz --srcdir $(srcdir) \
	  --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)
.PHONY: fuzz fuzz-build
