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

# Exact call sites: no API call compiled as a sibling call (objdump).
HOST_SUITES += tests/host/sibling_calls.sh
