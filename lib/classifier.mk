# lib/classifier.mk: see lib/automake.mk.
