# vmcheck/vmcheck.mk: check a user's driver in the guest (vmcheck/iomap-vmcheck.sh),
# its tests, and its installation.
#
#   make vmcheck DRIVER=<dir> RUN='<command>'
#                [KERNEL=6.1|6.12|6.1-generic|6.12-generic|<release>]
#                [VGA=std|qxl|virtio|none|...] [QEMU_ARGS='-device ...']
#                [VMCHECK_TIMEOUT=300] [EXTRA='file[:guestpath] ...']
#                [DRIVER_CFLAGS='-DFOO ...'] [INJECT_FAULTS=1]
#                [CHECKD_ARGS='--might-sleep none ...'] [STRATEGY=window]
#                [MODULE_PARAMS='MODULE.NAME=VALUE ...'] [APPEND='memmap=4K$$0x30000000 ...']
#                [KERNEL_MODULES='nd_pmem ...'] [KDIR=<headers of an install root>]
#
# The same as `iomap-vmcheck --driver DIR --run CMD ...` (see its --help);
# make itself exits 2 whatever the failure: the tool's own status (1
# violations, 2 usage, 3 set-up/timeout, 4 never attached, 6 oops, 7 build;
# include/iomap-check/exit_status.h) is on the last line
# of its output, and is the exit status of iomap-vmcheck run directly.
# DRIVER_CFLAGS: extra compiler flags for the driver only (KCFLAGS in make's
# environment would reach iomap_check.ko's build too). VGA: the guest's
# display device (--vga); QEMU_ARGS: words appended to QEMU's command line,
# one --qemu-arg each (split at spaces); CHECKD_ARGS: options for the
# guest's iomap-checkd, one --checkd-arg each (split at spaces).
# MODULE_PARAMS, APPEND, KERNEL_MODULES: one --module-param, --append,
# --kernel-module each, split at spaces (a value with a blank needs
# iomap-vmcheck itself); make reads '$' in a value: write '$$' for one.
# STRATEGY: iomap-vmcheck's own default (premap) when empty.
#
# Its suites join make check's command line (the lists are expanded when
# the recipe runs); what they need (the daemon, the modules) is in
# CHECK_DEPS already.

VMCHECK := $(TOP)/vmcheck/iomap-vmcheck.sh
VMCHECK_TIMEOUT ?= 300
DRIVER ?=
RUN ?=
EXTRA ?=
DRIVER_CFLAGS ?=
INJECT_FAULTS ?=
CHECKD_ARGS ?=
VGA ?= std
QEMU_ARGS ?=
MODULE_PARAMS ?=
APPEND ?=
KERNEL_MODULES ?=
KDIR ?=
# The generic kernel make check boots (vramcopy needs drm.ko): $(KERNEL) if
# it is a generic one, else the generic kernel of the same series.
# (Asked once, when first used, like OTHER_KERNEL.)
GENERIC_KERNEL = $(eval GENERIC_KERNEL := $(shell $(IOMCVM) kernels --generic $(KERNEL)))$(GENERIC_KERNEL)

.PHONY: vmcheck install-vmcheck
# Every variable goes through the environment and reaches iomap-vmcheck as
# quoted words: make pastes a value into the recipe's shell text, where
# backticks and $$(...) would run on the host and "a(b)" is a syntax error.
# EXTRA and QEMU_ARGS are split at blanks (set -f: no globbing), nothing
# more. KERNEL is checked when the Makefile is read (Makefile).
vmcheck: export VMCHECK_DRIVER = $(DRIVER)
vmcheck: export VMCHECK_RUN = $(RUN)
vmcheck: export VMCHECK_CFLAGS = $(DRIVER_CFLAGS)
vmcheck: export VMCHECK_KERNEL = $(KERNEL)
vmcheck: export VMCHECK_VGA = $(VGA)
vmcheck: export VMCHECK_TIMEOUT_S = $(VMCHECK_TIMEOUT)
vmcheck: export VMCHECK_EXTRA = $(EXTRA)
vmcheck: export VMCHECK_QEMU_ARGS = $(QEMU_ARGS)
# CHECKD_ARGS: one --checkd-arg per word, the same way
vmcheck: export VMCHECK_CHECKD_ARGS = $(CHECKD_ARGS)
vmcheck: export VMCHECK_CHECKD = $(CHECKD_BIN)
vmcheck: export VMCHECK_STRATEGY = $(STRATEGY)
vmcheck: export VMCHECK_MODULE_PARAMS = $(MODULE_PARAMS)
vmcheck: export VMCHECK_APPEND = $(APPEND)
vmcheck: export VMCHECK_KERNEL_MODULES = $(KERNEL_MODULES)
vmcheck: export VMCHECK_KDIR = $(KDIR)
vmcheck: export VMCHECK_INJECT = $(if $(filter 1 yes,$(INJECT_FAULTS)),--inject-faults)
vmcheck: export VMCHECK_TOOL = $(VMCHECK)
vmcheck: deps kernel kmod daemon
	@if [ -z "$$VMCHECK_DRIVER" ] && [ -z "$$VMCHECK_KERNEL_MODULES" ]; then \
		echo "usage: make vmcheck DRIVER=<dir> RUN='<command>' [KERNEL=6.1|6.12|6.1-generic|6.12-generic]" \
			"[VGA=std|qxl|virtio|none] [QEMU_ARGS='...'] [VMCHECK_TIMEOUT=S] [EXTRA='file[:guestpath] ...']" \
			"[DRIVER_CFLAGS=...] [CHECKD_ARGS='--might-sleep none ...'] [STRATEGY=premap|permap|window]" \
			"[MODULE_PARAMS='MODULE.NAME=VALUE ...'] [APPEND='ARG ...'] [KERNEL_MODULES='NAME ...'] [KDIR=DIR]" >&2; exit 2; fi
	@set -f; set -- $$VMCHECK_INJECT; \
	[ -z "$$VMCHECK_DRIVER" ] || set -- "$$@" --driver "$$VMCHECK_DRIVER"; \
	[ -z "$$VMCHECK_STRATEGY" ] || set -- "$$@" --strategy "$$VMCHECK_STRATEGY"; \
	[ -z "$$VMCHECK_KDIR" ] || set -- "$$@" --kdir "$$VMCHECK_KDIR"; \
	for p in $$VMCHECK_MODULE_PARAMS; do set -- "$$@" --module-param "$$p"; done; \
	for a in $$VMCHECK_APPEND; do set -- "$$@" --append "$$a"; done; \
	for m in $$VMCHECK_KERNEL_MODULES; do set -- "$$@" --kernel-module "$$m"; done; \
	for e in $$VMCHECK_EXTRA; do set -- "$$@" --extra "$$e"; done; \
	for q in $$VMCHECK_QEMU_ARGS; do set -- "$$@" --qemu-arg "$$q"; done; \
	for a in $$VMCHECK_CHECKD_ARGS; do set -- "$$@" --checkd-arg "$$a"; done; \
	KCFLAGS="$${KCFLAGS:+$$KCFLAGS }$$VMCHECK_CFLAGS" "$$VMCHECK_TOOL" \
		--run "$$VMCHECK_RUN" --kernel "$$VMCHECK_KERNEL" --timeout "$$VMCHECK_TIMEOUT_S" \
		--checkd "$$VMCHECK_CHECKD" --vga "$$VMCHECK_VGA" "$$@"

# Usage errors, a driver that does not compile and one whose dependency the
# kernel lacks need no guest; the guest suite boots seven times (eight on a 6.1 generic kernel): fbcopy clean
# on $(KERNEL), with its injected bugs on the other kernel (so both kernels
# are proven), a hanging RUN; errpath with --inject-faults on the other
# kernel (its error path leaks) and fixed on $(KERNEL); the DRM example
# vramcopy clean on $(GENERIC_KERNEL) with a QXL device (--vga none
# --qemu-arg ...), and with its injected bugs on the std VGA; on a 6.1
# generic kernel, the kernel's own vmwgfx under -vga vmware (its failed
# probe's devm_memremap released by devres: exit 0; 58 s).
HOST_SUITES += 'tests/vmcheck/test.sh host'
GUEST_SUITES += 'tests/vmcheck/test.sh guest $(KERNEL) $(OTHER_KERNEL) $(GENERIC_KERNEL)'

# make kernel-tree: a small kernel built from Debian's linux-source-6.12
# with a minimal config and `iomap-vmcheck --kconfig` (scripts/kernel-tree.sh;
# nice make -j2, ~28 min on 2 busy cores, cached in build/kernel-tree).
# make check-kernel-tree: that build tree proven in two guest boots (the
# guest check mode with the scenario driver, fbcopy under iomap-vmcheck).
# Not in make check (the build alone is twice its budget): make check proves
# the build-tree layout with one made of the fetched Debian kernel
# (tests/vmcheck/test.sh buildtree).
.PHONY: kernel-tree check-kernel-tree
kernel-tree: deps
	@IOMC_APT_LOCK=$(IOMC_APT_LOCK) scripts/kernel-tree.sh $(ABS_BUILD)/kernel-tree >/dev/null
# The guest's binaries and files, not the daemon mode's pmem modules and
# memmap= (checkd/checkd.mk): the minimal tree builds no nvdimm, and the
# check mode booted here needs none (it was refused: "no module
# drivers/nvdimm/libnvdimm.ko in the 6.12.118-iomc tree").
check-kernel-tree: GUEST_KMODS =
check-kernel-tree: GUEST_APPEND =
check-kernel-tree: export TREE_VM_ARGS = $(VM_ARGS)
check-kernel-tree: deps kernel-tree daemon $$(CHECK_DEPS)
	@tests/vmcheck/test.sh tree

# make bench: vmcheck's boot-to-verdict on $(GENERIC_KERNEL), with drm.ko
# loaded as vramcopy's dependency (the guest boots once).
BENCH_TARGETS += bench-vmcheck
.PHONY: bench-vmcheck
bench-vmcheck: deps daemon
	@tests/vmcheck/test.sh bench $(GENERIC_KERNEL)

# Installed, iomap-vmcheck finds what it needs under $(PREFIX)/share/iomap-check
# (the guest harness, kmod sources to build iomap_check.ko for a kernel it has
# not seen; `iomap-check build-driver` uses the same kmod/ and include/) and
# the static daemon for the guest in $(PREFIX)/lib/iomap-check/guest-bin
# (architecture-dependent: not under share/), and caches kernels and modules
# in $$XDG_CACHE_HOME/iomap-check.
VMCHECK_SHARE = $(DESTDIR)$(PREFIX)/share/iomap-check
# (kmod/ and include/: install-kmod-share, kmod/kmod.mk)
VMCHECK_FILES = scripts/fetch-kernel.sh scripts/extract-vmlinux.py \
	vm/vm.sh vm/guest/init $(wildcard vm/guest/*.sh vm/iomcvm/*.py)
install: install-vmcheck
install-vmcheck: daemon install-kmod-share
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 vmcheck/iomap-vmcheck.sh $(DESTDIR)$(PREFIX)/bin/iomap-vmcheck
	@set -e; for f in $(VMCHECK_FILES); do \
		install -D -m $$(if [ -x $$f ] || [ $$f = vm/guest/init ]; then echo 0755; else echo 0644; fi) \
			$$f $(VMCHECK_SHARE)/$$f; \
	done
	install -D -m 0755 $(CHECKD_BIN) $(DESTDIR)$(PREFIX)/lib/iomap-check/guest-bin/iomap-checkd
