# tests/bench: see tests/automake.mk
