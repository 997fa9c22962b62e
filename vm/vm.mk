# vm/vm.mk: the QEMU guest harness (vm/vm.sh, vm/guest/) as make sees it.
#
# Other fragments extend (lists of the Makefile, in any order):
#   GUEST_MODES  modes one `make check` boot runs: M.sh in vm/guest/,
#                tests/guest/ or bench/guest/ (protocol: vm/guest/lib.sh)
#   GUEST_BINS   static binaries copied to the guest's /bin
#   GUEST_FILES  extra files, host/path:/guest/path
#   GUEST_KMODS  modules of the guest kernel's own tree to copy in, relative
#                to lib/modules/<release>/kernel (vm.sh --kernel-module)
#   GUEST_APPEND kernel command-line words for every boot (vm.sh --append)
#
# VM_TIMEOUT: wall-clock limit of one guest boot. The daemon needs ~15 s
# to attach its kprobes under TCG and its mode runs ~60 s, so one boot with
# every mode takes 2-4 minutes on an idle machine; the limit leaves room
# for a loaded one (boots of 6-8 minutes were seen at load average 10).

VM := vm/vm.sh
# The runner's facts (vm/iomcvm): `$(IOMCVM) kernels --other 6.1` and the like.
# $(IOMC_PYTHON): the Makefile's python3, resolved once (no pyenv shim in
# $(shell), which does not see the PATH the Makefile exports)
IOMCVM = PYTHONPATH=$(TOP)/vm $(or $(IOMC_PYTHON),python3) -B -m iomcvm
VM_TIMEOUT ?= 900

iomc_comma := ,
iomc_empty :=
iomc_space := $(iomc_empty) $(iomc_empty)
vm_list = $(subst $(iomc_space),$(iomc_comma),$(strip $(1)))
VM_ARGS = $(foreach b,$(GUEST_BINS),--bin $(abspath $(b))) \
	$(foreach f,$(GUEST_FILES),--extra $(abspath $(firstword $(subst :, ,$(f)))):$(word 2,$(subst :, ,$(f)))) \
	$(foreach m,$(GUEST_KMODS),--kernel-module $(m)) \
	$(foreach a,$(GUEST_APPEND),--append $(a))
