# tests/devmachine/devmachine.mk: iomap-check on a Debian 12 machine with
# systemd, emulated (tests/devmachine/run.sh): the packages of `make deb`
# installed with apt, DKMS building iomap_check.ko in the guest, the
# daemon's unit, a driver built with `iomap-check build-driver`.
#
#   make check-devmachine [KERNEL=6.1] [DEVMACHINE_TIMEOUT=900]
#
# Also one suite of `make check`. The root filesystem (mmdebstrap, ~450 MB)
# is cached under build/devmachine/ keyed on its package list; the
# packages under build/deb/ keyed on the tree's files.
DEVMACHINE_TIMEOUT ?= 900
DEVMACHINE_RUN = tests/devmachine/run.sh --kernel $(KREL) --timeout $(DEVMACHINE_TIMEOUT)

.PHONY: check-devmachine
check-devmachine: deps kernel
	@$(DEVMACHINE_RUN)

GUEST_SUITES += '$(DEVMACHINE_RUN)'

# `iomap-check build-driver`'s symbols read from iomap_check.ko, against
# modpost's (host, under a second).
HOST_SUITES += 'tests/host/symvers.sh $(ABS_BUILD)/obj/$(KREL)/kmod'
