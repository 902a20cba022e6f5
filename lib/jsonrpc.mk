# lib/jsonrpc.mk: see lib/automake.mk.
