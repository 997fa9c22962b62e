# kmod/kmod.mk: owned by its part; see the top-level Makefile for the lists it extends.
