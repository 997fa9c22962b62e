# tests/tests.mk: the test entry points.
#
#   make check   every test: HOST_SUITES one after another while GUEST_SUITES
#                (one guest boot per kernel, $(KERNEL) and the other supported
#                one, each running all GUEST_MODES, plus the suites of other
#                parts) run alongside, CHECK_GUESTS=2 at once, longest first
#                (tests/check.sh); outputs are printed whole in this order;
#                each suite's time is printed ("# time: SUITE N s"), then
#                all of them and the total; ends with "N passed, N failed".
#                CHECK_GUESTS=0: one suite at a time; CHECK_SUITE_TIMEOUT=S
#                (1800): a suite running longer is killed and fails
#   make check-host  the host suites only (no guest)
#   make demo    boot $(KERNEL) and run DEMO_MODES (default daemon_demo: the
#                checker's reports for every scenario; `demo` prints the
#                events each scenario recorded)
#
# Adding tests from another fragment (in any include order):
#   - a host suite: HOST_SUITES += 'cmd args'  (quote it: each entry must stay
#     one shell word; it prints KTAP on stdout)
#   - a guest test: write tests/guest/<mode>.sh (see vm/guest/lib.sh for
#     the protocol: KTAP on stdout, mark_begin/mark_end around kernel work)
#     and add GUEST_MODES += <mode>; its binaries go in GUEST_BINS (static,
#     copied to the guest's /bin) and the targets building them in CHECK_DEPS.
#     Extra guest files: GUEST_FILES += host/path:/guest/path (vm/vm.mk).

GUEST_MODES += check
# strategy=window (issue 22): its own mode, in the same boot
GUEST_MODES += window
DEMO_MODES ?= daemon_demo

# The kernel `make check` boots besides $(KERNEL), so that every run proves
# both supported kernels.
# (The runner's kernel table decides: vm/iomcvm/kernels.py.)
# (Asked once, when first used: a runner call each time it is expanded was
# dozens of python3 starts in every make.)
OTHER_KERNEL = $(eval OTHER_KERNEL := $(shell $(IOMCVM) kernels --other $(KERNEL)))$(OTHER_KERNEL)

HOST_SUITES += tests/host/iomcvm.sh tests/host/harness.sh tests/host/check_sh.sh
vm_suite = '$(strip $(VM) --kernel $(1) --mode $(call vm_list,$(GUEST_MODES)) --timeout $(VM_TIMEOUT) $(VM_ARGS))'
GUEST_SUITES += $(call vm_suite,$(KERNEL)) $(call vm_suite,$(OTHER_KERNEL))

# Debian unstable's current kernel (7.x) too, with the daemon and the
# scenario driver (the CO-RE binary built here, unchanged): its modules are
# built in an unstable chroot (scripts/debian-chroot.sh), made once in the
# kernel cache (about 6 minutes from nothing). CHECK_UNSTABLE= skips it.
CHECK_UNSTABLE ?= unstable
UNSTABLE_MODES = daemon check
GUEST_SUITES += $(foreach k,$(CHECK_UNSTABLE),'$(strip $(VM) --kernel $(k) --mode $(call vm_list,$(UNSTABLE_MODES)) --timeout $(VM_TIMEOUT) $(VM_ARGS))')

.PHONY: kmod-other
# The modules for the other kernels: the same kmod target, once more each.
kmod-other: deps
	@$(MAKE) --no-print-directory kmod KERNEL=$(OTHER_KERNEL)
	@$(foreach k,$(CHECK_UNSTABLE),$(MAKE) --no-print-directory kmod KERNEL=$(k) &&) true

check: deps kernel kmod-other $$(CHECK_DEPS)
	@CHECK_LOGDIR=$(ABS_BUILD)/check tests/check.sh $(HOST_SUITES) --guest $(GUEST_SUITES)

# The host suites alone (no guest boot): a quick run while working.
check-host: deps kernel kmod $$(CHECK_DEPS)
	@CHECK_LOGDIR=$(ABS_BUILD)/check-host tests/check.sh $(HOST_SUITES)

demo: deps kernel kmod $$(CHECK_DEPS)
	@$(VM) --kernel $(KERNEL) --mode $(call vm_list,$(DEMO_MODES)) --format text \
		--timeout $(VM_TIMEOUT) $(VM_ARGS)

# One version for all tools (the VERSION file).
HOST_SUITES += 'tests/host/version.sh $(AZ_BIN) $(CHECKD_BIN)'
# The README's first screen and every docs link.
HOST_SUITES += tests/host/readme.sh
# The make fragments in any include order: the same rules, lists and commands.
HOST_SUITES += tests/host/make_order.sh
# One exit-status table for all tools: their --help, man pages and docs/
# against it, and its three readers (C, bash, vm/iomcvm) agree.
HOST_SUITES += 'tests/host/exit_status.sh $(AZ_BIN) $(CHECKD_BIN)'

# No userspace C function over 80 lines unless it says why (/* long: ... */).
HOST_SUITES += tests/host/long_functions.sh
