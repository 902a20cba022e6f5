# lib/runtime.mk: see lib/automake.mk.
