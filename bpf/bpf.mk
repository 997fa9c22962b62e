# bpf/bpf.mk: the BPF programs of iomap-checkd.
#
# iomap_checkd.bpf.c is compiled with clang -target bpf against
# vmlinux/<arch>/vmlinux.h (CO-RE); `bpftool gen skeleton` embeds the object
# into $(CHECKD_SKEL), which the daemon and the host tests include.

BPF_ARCH      := x86
BPF_CLANG     ?= clang
BPFTOOL       ?= bpftool
CHECKD_BPFOBJ := $(ABS_BUILD)/obj/bpf/iomap_checkd.bpf.o
CHECKD_SKEL   := $(ABS_BUILD)/obj/bpf/iomap_checkd.skel.h
BPF_CFLAGS    := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-Ivmlinux/$(BPF_ARCH) -Iinclude -Ibpf

$(CHECKD_BPFOBJ): bpf/iomap_checkd.bpf.c $(wildcard bpf/*.h include/iomap-check/*.h) \
		vmlinux/$(BPF_ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	llvm-strip -g $@.tmp	# keeps .BTF/.BTF.ext: CO-RE needs them, not DWARF
	mv $@.tmp $@

$(CHECKD_SKEL): $(CHECKD_BPFOBJ)
	$(BPFTOOL) gen skeleton $< name iomap_checkd > $@.tmp
	mv $@.tmp $@
