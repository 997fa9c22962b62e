# iomap-check: top-level build. `make demo` and `make check` do all set-up on
# a fresh Debian 12 machine (as root) by themselves.
#
#   make deps                 install missing Debian packages
#   make kernel [KERNEL=6.1]  fetch/unpack the pinned guest kernel
#   make kmod                 build iomap_check.ko and the scenario driver
#   make demo | check | bench | install
#
# KERNEL selects the guest kernel: 6.1 (default) or 6.12, Debian's cloud
# flavor; 6.1-generic or 6.12-generic, the generic flavor (every driver as a
# module: DRM, TTM, ...; about 70 MB to fetch); or an exact release of either
# such as 6.1.0-57-cloud-amd64 or 6.1.0-57-amd64; or the path of your own
# kernel's build tree or install root (docs/vmcheck.md). Everything built lands
# under $(BUILD).

BUILD   ?= build
KERNEL  ?= 6.1
PREFIX  ?= /usr/local
DESTDIR ?=
V       ?= 0

# KERNEL is pasted into recipes' shell text: only a kernel name's
# characters (no blank, quote, backtick, $$ or parenthesis) are allowed.
iomc_strip = $(if $(2),$(call iomc_strip,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
IOMC_NAME_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z \
	A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9 . _ + - /
ifneq ($(words $(KERNEL))$(call iomc_strip,$(KERNEL),$(IOMC_NAME_CHARS)),1)
$(error KERNEL='$(KERNEL)': $(shell PYTHONPATH=vm python3 -B -m iomcvm kernels --usage) (letters, digits, '.', '_', '+', '-', '/'))
endif

# python3 once: where it is pyenv's shim (a bash script that runs pyenv to
# pick the version, about 0.3 s a call), the interpreter it picks goes
# first in PATH for everything make runs. The runner (vm/iomcvm) and the
# tests call python3 hundreds of times in make check. The same python3
# either way; nothing changes where python3 is a plain binary.
IOMC_PYTHON := $(shell python3 -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
IOMC_PY_DIR := $(patsubst %/,%,$(dir $(IOMC_PYTHON)))
ifneq ($(IOMC_PYTHON),)
ifneq ($(IOMC_PY_DIR),$(patsubst %/,%,$(dir $(realpath $(shell command -v python3 2>/dev/null)))))
export PATH := $(IOMC_PY_DIR):$(PATH)
endif
endif

ABS_BUILD := $(abspath $(BUILD))
TOP       := $(abspath .)
KCACHE    := $(ABS_BUILD)/kernel
DEPS_STAMP := $(ABS_BUILD)/.deps-ok

export BUILD ABS_BUILD KERNEL KCACHE TOP

.PHONY: all deps kernel demo check check-host bench install clean distclean
all: kmod daemon

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(ABS_BUILD)
	scripts/deps.sh
	@touch $@

# The resolved release (e.g. 6.1.0-56-cloud-amd64) lands in
# $(KCACHE)/latest-$(KERNEL); recipes read it with $(KREL).
# KDIR=/lib/modules/$(uname -r)/build (any configured kernel tree) builds
# the modules against that tree instead of a fetched guest kernel.
KDIR ?=
ifeq ($(KDIR),)
KREL = $$(scripts/fetch-kernel.sh $(KERNEL) $(KCACHE))
kernel: deps
	@scripts/fetch-kernel.sh $(KERNEL) $(KCACHE) >/dev/null
else
KREL = $$(cat $(KDIR)/include/config/kernel.release)
kernel:
	@test -f $(KDIR)/include/config/kernel.release || \
		{ echo "KDIR=$(KDIR): not a configured kernel build tree" >&2; exit 2; }
endif

# Each part owns a folder and a fragment there; a fragment owns its targets
# and their install steps, and extends these 9 lists (with +=):
#   HOST_SUITES    test commands run on the host (KTAP on stdout)
#   GUEST_SUITES   test commands that boot a guest (KTAP on stdout)
#   CHECK_DEPS     targets built before any suite runs
#   GUEST_BINS     static binaries copied into the guest's initramfs /bin
#   GUEST_MODES    guest modes one `make check` boot runs        vm/vm.mk
#   GUEST_FILES    extra guest files, host/path:/guest/path       vm/vm.mk
#   GUEST_KMODS    modules of the guest kernel's own tree         vm/vm.mk
#   GUEST_APPEND   kernel command-line words for every boot       vm/vm.mk
#   BENCH_TARGETS  the targets `make bench` runs            bench/bench.mk
# The fragments work in any include order (tests/host/make_order.sh proves
# it): the lists are deferred (=), so a value is read when a recipe runs,
# after every fragment; a rule that names a list or another fragment's
# variable among its prerequisites writes $$(VAR) (second expansion). Paths
# a fragment defines for others (LIB_OBJ, CHECKD_BIN, AZ_BIN, ...) stay :=.
HOST_SUITES =
GUEST_SUITES =
CHECK_DEPS =
GUEST_BINS =
GUEST_MODES =
GUEST_FILES =
GUEST_KMODS =
GUEST_APPEND =
BENCH_TARGETS =
.SECONDEXPANSION:

include kmod/kmod.mk        # iomap_check.ko, the scenario driver
include lib/lib.mk          # the userspace library of every tool
include bpf/bpf.mk          # the checker's BPF programs
include checkd/checkd.mk    # iomap-checkd
include analyze/analyze.mk  # iomap-check analyze
include vm/vm.mk            # the QEMU guest harness
include tests/tests.mk      # make check, make demo
include vmcheck/vmcheck.mk  # iomap-vmcheck
include corpus/corpus.mk    # make corpus: real drivers, clean and mutated
include bench/bench.mk      # make bench
include pkg/pkg.mk          # make deb, install-dkms, man pages
include tests/devmachine/devmachine.mk  # make check-devmachine

clean:
	rm -rf $(ABS_BUILD)/obj $(ABS_BUILD)/check
distclean:
	rm -rf $(ABS_BUILD)
