# tests/bench: benchmarks, built with the tree and run by "make bench".
# Each prints one JSON object per result line; see
# Documentation/performance.md for the numbers and how they were taken.
bench: $(BENCHMARKS)
	@set -e; for b in $(BENCHMARKS); do \
	  echo "== $$b" >&2; ./$$b; \
	done
.PHONY: bench
include tests/bench/bench.mk
include tests/bench/openflow.mk
