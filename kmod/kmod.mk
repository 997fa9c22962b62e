# kmod/kmod.mk: the io_mapping module (iomap_check.ko) and the scenario
# driver (iomap_scenarios.ko), built for $(KERNEL) into
# $(ABS_BUILD)/obj/<release>/kmod/ by kmod/build.sh.
#
# For later parts (vmcheck): IOMC_BUILD_DRIVER builds any out-of-tree
# driver directory against iomap_check.ko with the drop-in header, no
# source change. Use it in a recipe after `kmod`:
#   $(IOMC_BUILD_DRIVER) DRIVER_DIR OUT_DIR $(KREL)
# and IOMC_KMOD_DIR (also recipe-only: it expands $(KREL)) for the .ko's.
IOMC_BUILD_DRIVER := $(TOP)/kmod/build-driver.sh
IOMC_KMOD_DIR = $(ABS_BUILD)/obj/$(KREL)/kmod

.PHONY: kmod
kmod: kernel
	@rel=$(KREL) && KCACHE=$(KCACHE) V=$(filter-out 0,$(V)) \
		$(if $(KDIR),KDIR=$(abspath $(KDIR))) $(TOP)/kmod/build.sh "$$rel" "$(ABS_BUILD)/obj/$$rel/kmod"

CHECK_DEPS += kmod

# The unstable kernel's build chroot: kmake.sh and debian-chroot.sh run.
HOST_SUITES += tests/host/debian_chroot.sh

# Exact call sites: no API call compiled as a sibling call (objdump).
HOST_SUITES += tests/host/sibling_calls.sh

# ---- make install -------------------------------------------------------------
# iomap_check.ko, built for $(KERNEL).
.PHONY: install-kmod install-kmod-share
install: install-kmod
install-kmod: kmod
	@rel=$(KREL) && \
	install -D -m 0644 $(ABS_BUILD)/obj/$$rel/kmod/iomap_check.ko \
		$(DESTDIR)/lib/modules/$$rel/extra/iomap_check.ko && \
	echo "installed iomap_check.ko for $$rel" && \
	if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$$rel/kernel ]; then depmod -a $$rel; fi

# What builds iomap_check.ko and drivers against it on a kernel not seen
# here: the module's sources, the drop-in headers and the build-driver
# scripts, under $(PREFIX)/share/iomap-check (`iomap-check build-driver`
# and iomap-vmcheck run them from there).
KMOD_SHARE = $(DESTDIR)$(PREFIX)/share/iomap-check
KMOD_SHARE_FILES = VERSION $(shell find kmod include/iomap-check -type f \( -name '*.[ch]' \
	-o -name Kbuild -o -name '*.sh' \) | LC_ALL=C sort)
install-kmod-share:
	@set -e; for f in $(KMOD_SHARE_FILES); do \
		install -D -m $$(if [ -x $$f ]; then echo 0755; else echo 0644; fi) $$f $(KMOD_SHARE)/$$f; \
	done

# Tracing off costs what the kernel's inline io_mapping costs: the drop-in's
# benchmark loops hold no more instructions than the kernel's (objdump).
HOST_SUITES += tests/host/fast_paths.sh
