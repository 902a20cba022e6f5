# lib/classifier.mk: RCU, miniflow, prefix tries and the classifier
# (see lib/automake.mk).
lib_libplx_a_SOURCES += \
	lib/classifier.c \
	lib/classifier.h \
	lib/classifier-private.h \
	lib/miniflow.c \
	lib/miniflow.h \
	lib/prefix-trie.c \
	lib/prefix-trie.h \
	lib/rcu.c \
	lib/rcu.h

UNIT_TESTS += tests/unit/test-miniflow
check_PROGRAMS += tests/unit/test-miniflow
tests_unit_test_miniflow_SOURCES = tests/unit/test-miniflow.c
tests_unit_test_miniflow_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-rcu
check_PROGRAMS += tests/unit/test-rcu
tests_unit_test_rcu_SOURCES = tests/unit/test-rcu.c
tests_unit_test_rcu_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-classifier
check_PROGRAMS += tests/unit/test-classifier
tests_unit_test_classifier_SOURCES = tests/unit/test-classifier.c
tests_unit_test_classifier_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-prefix-trie
check_PROGRAMS += tests/unit/test-prefix-trie
tests_unit_test_prefix_trie_SOURCES = tests/unit/test-prefix-trie.c
tests_unit_test_prefix_trie_LDADD = $(PLX_UNIT_LIBS)

BENCHMARKS += tests/bench/bench-classifier
noinst_PROGRAMS += tests/bench/bench-classifier
tests_bench_bench_classifier_SOURCES = tests/bench/bench-classifier.c
tests_bench_bench_classifier_LDADD = lib/libplx.a $(PLX_LIBS)
