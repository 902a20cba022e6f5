# lib/stream.mk: see lib/automake.mk.
