# lib/packets.mk: see lib/automake.mk.
