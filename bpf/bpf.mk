# bpf/bpf.mk: the BPF programs of iomap-checkd.
#
# Each bpf/iomc_*.bpf.c (one job each: bpf/iomc_bpf.h lists them) is
# compiled with clang -target bpf against vmlinux/<arch>/vmlinux.h (CO-RE);
# `bpftool gen object` links them into one object, as libbpf-tools keep
# each program small; `bpftool gen skeleton` embeds that object into
# $(CHECKD_SKEL), which the daemon and the host tests include.

BPF_ARCH      := x86
BPF_CLANG     ?= clang
BPFTOOL       ?= bpftool
BPF_OBJDIR    := $(ABS_BUILD)/obj/bpf
CHECKD_BPFOBJ := $(BPF_OBJDIR)/iomap_checkd.bpf.o
CHECKD_SKEL   := $(BPF_OBJDIR)/iomap_checkd.skel.h
BPF_CFLAGS    := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-Ivmlinux/$(BPF_ARCH) -Iinclude -Ibpf
BPF_SRCS      := $(wildcard bpf/iomc_*.bpf.c)
BPF_PARTS     := $(BPF_SRCS:bpf/%.bpf.c=$(BPF_OBJDIR)/parts/%.bpf.o)

$(BPF_OBJDIR)/parts/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h include/iomap-check/*.h) \
		vmlinux/$(BPF_ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

# The linker keeps .BTF/.BTF.ext (CO-RE needs them); DWARF is not needed.
$(CHECKD_BPFOBJ): $(BPF_PARTS)
	@mkdir -p $(@D)
	$(BPFTOOL) gen object $@.tmp $^
	llvm-strip -g $@.tmp
	mv $@.tmp $@

$(CHECKD_SKEL): $(CHECKD_BPFOBJ)
	$(BPFTOOL) gen skeleton $< name iomap_checkd > $@.tmp
	mv $@.tmp $@
