# tests/tests.mk: the test entry points and the QEMU guest harness.
#
#   make check   every test: HOST_SUITES first, then one guest boot per
#                kernel ($(KERNEL) and the other supported one), each running
#                all GUEST_MODES; ends with "N passed, N failed"
#   make demo    boot $(KERNEL), run every scenario, print what was recorded
#   make bench   boot $(KERNEL), print ns per map/unmap pair
#
# Adding tests from another fragment (included before this one):
#   - a host suite: HOST_SUITES += 'cmd args'  (quote it: each entry must stay
#     one shell word; it prints KTAP on stdout)
#   - a guest test: write tests/guest/<mode>.sh (see tests/guest/lib.sh for
#     the protocol: KTAP on stdout, mark_begin/mark_end around kernel work)
#     and add GUEST_MODES += <mode>; its binaries go in GUEST_BINS (static,
#     copied to the guest's /bin) and the targets building them in CHECK_DEPS.
#     Extra guest files: GUEST_FILES += host/path:/guest/path.
#   - DEMO_MODES selects what `make demo` runs (default: demo).

VM := tests/vm.sh
VM_TIMEOUT ?= 120
BENCH_TIMEOUT ?= 300
GUEST_MODES += check
GUEST_FILES ?=
DEMO_MODES ?= demo

# The kernel `make check` boots besides $(KERNEL), so that every run proves
# both supported kernels.
OTHER_KERNEL = $(if $(filter 6.12%,$(KERNEL)),6.1,6.12)

iomc_comma := ,
iomc_empty :=
iomc_space := $(iomc_empty) $(iomc_empty)
vm_list = $(subst $(iomc_space),$(iomc_comma),$(strip $(1)))
VM_ARGS = $(foreach b,$(GUEST_BINS),--bin $(abspath $(b))) \
	$(foreach f,$(GUEST_FILES),--extra $(abspath $(firstword $(subst :, ,$(f)))):$(word 2,$(subst :, ,$(f))))

HOST_SUITES += tests/host/harness.sh
vm_suite = '$(strip $(VM) --kernel $(1) --mode $(call vm_list,$(GUEST_MODES)) --timeout $(VM_TIMEOUT) $(VM_ARGS))'
GUEST_SUITES += $(call vm_suite,$(KERNEL)) $(call vm_suite,$(OTHER_KERNEL))

.PHONY: kmod-other
# The modules for the other kernel: the same kmod target, one more time.
kmod-other: deps
	@$(MAKE) --no-print-directory kmod KERNEL=$(OTHER_KERNEL)

check: deps kernel kmod kmod-other $(CHECK_DEPS)
	@CHECK_LOGDIR=$(ABS_BUILD)/check tests/check.sh $(HOST_SUITES) $(GUEST_SUITES)

demo: deps kernel kmod $(CHECK_DEPS)
	@$(VM) --kernel $(KERNEL) --mode $(call vm_list,$(DEMO_MODES)) --format text \
		--timeout $(VM_TIMEOUT) $(VM_ARGS)

# Other parts' benchmarks (BENCH_TARGETS) run first, then the module's own.
bench: deps kernel kmod $(BENCH_TARGETS)
	@out=$(ABS_BUILD)/vm/bench-$(KERNEL); \
	$(VM) --kernel $(KERNEL) --mode bench --format none --out $$out \
		--timeout $(BENCH_TIMEOUT); rc=$$?; \
	awk -v accel="$$(cut -d' ' -f2 $$out/info 2>/dev/null)" \
		-f tests/lib/bench-report.awk $$out/guest.log && exit $$rc
