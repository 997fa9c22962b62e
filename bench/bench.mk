# bench/bench.mk: `make bench`, every benchmark of the project. Each prints
# ratios against a baseline measured in the same run (goals in docs/testing.md).
#
#   make bench           all of them, then the module's own (below)
#   make bench-daemon    the checker's cost per map/unmap pair, a bpftrace
#                        peer's, BPF run time per event, a flood
#   make analyze-bench   ~1 GiB generated ftrace text: analyze vs wc -l, RSS;
#                        4 vs 200,000 thread ids (time, RSS)
#   make bench-vmcheck   vmcheck boot-to-verdict on a generic kernel, with the
#                        DRM example and drm.ko (vmcheck/vmcheck.mk)
# Other fragments add their benchmarks to BENCH_TARGETS (the Makefile's list).
#
# Guest modes bench and daemon_bench live in bench/guest/ (vm.sh finds them).

BENCH_BIN := $(ABS_BUILD)/bin/bench
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror

# ---- the checker (one boot) --------------------------------------------------
# bench-daemon: one boot; the scenario driver's benchmark without a checker,
# with iomap-checkd, with the bpftrace peer (bench/iomap-check.bt); the
# programs' run time from the kernel's BPF stats; a flood of the checker
# from both CPUs (checkd_flood) with a violation every 1000 operations.
$(BENCH_BIN)/checkd_flood: bench/checkd_flood.c $$(CHECKD_HDRS) $$(CHECKD_SKEL)
	@mkdir -p $(@D)
	$(USER_CC) $(CHECKD_CFLAGS) -o $@ $< $(CHECKD_LIBS)

# the syscall-heavy workload the might-sleep hooks are measured on
$(BENCH_BIN)/syscall_bench: bench/syscall_bench.c
	@mkdir -p $(@D)
	$(USER_CC) $(BENCH_CFLAGS) -static -o $@ $<

# bpftrace and the shared libraries it needs, copied into the guest
CHECKD_BT_FILES = $(shell ldd /usr/bin/bpftrace 2>/dev/null | \
	awk '$$3 ~ /^\// { print $$3 } $$1 ~ /^\// { print $$1 }' | sort -u)
CHECKD_BENCH_OUT = $(ABS_BUILD)/vm/bench-daemon-$(KERNEL)
# bpftrace compiles its script with LLVM in the guest: minutes under TCG
CHECKD_BENCH_TIMEOUT ?= 1200

.PHONY: bench-daemon
BENCH_TARGETS += bench-daemon
bench-daemon: deps kernel kmod daemon $(BENCH_BIN)/checkd_flood $(BENCH_BIN)/syscall_bench
	@$(VM) --kernel $(KERNEL) --mode daemon_bench --format none --out $(CHECKD_BENCH_OUT) \
		--timeout $(CHECKD_BENCH_TIMEOUT) --bin $(CHECKD_BIN) --bin $(BENCH_BIN)/checkd_flood \
		--bin $(BENCH_BIN)/syscall_bench \
		--extra bench/iomap-check.bt:/guest/iomap-check.bt \
		$(if $(wildcard /usr/bin/bpftrace),--extra /usr/bin/bpftrace:/bin/bpftrace \
		$(foreach f,$(CHECKD_BT_FILES),--extra $(f):$(f))); rc=$$?; \
	awk -v report=daemon -f bench/bench-report.awk $(CHECKD_BENCH_OUT)/guest.log && exit $$rc

# ---- the analyzer ------------------------------------------------------------
$(BENCH_BIN)/analyze_bench_gen: bench/analyze_bench_gen.c tests/host/analyze_gen.h
	@mkdir -p $(@D)
	$(USER_CC) $(BENCH_CFLAGS) -Itests/host -o $@ $<
$(BENCH_BIN)/analyze_rusage: bench/analyze_rusage.c
	@mkdir -p $(@D)
	$(USER_CC) $(BENCH_CFLAGS) -o $@ $<

AZ_BENCH_MIB ?= 1024
analyze-bench: $$(AZ_BIN) $(BENCH_BIN)/analyze_bench_gen $(BENCH_BIN)/analyze_rusage
	bench/analyze_bench.sh $(ABS_BUILD)/bin $(BENCH_BIN) $(ABS_BUILD)/bench $(AZ_BENCH_MIB) 256
.PHONY: analyze-bench
BENCH_TARGETS += analyze-bench

# ---- the module, and all of the above -----------------------------------------
# Boots $(KERNEL) and prints ns per map/unmap pair: the kernel's inline
# io_mapping against iomap_check.ko (bench/guest/bench.sh).
# trace-cmd and its shared libraries in the guest record the trace.dat of
# the peer line (bench/tracedat_peer.sh: analyze against trace-cmd report).
BENCH_TC_FILES = $(shell ldd /usr/bin/trace-cmd 2>/dev/null | \
	awk '$$3 ~ /^\// { print $$3 } $$1 ~ /^\// { print $$1 }' | sort -u)
BENCH_TIMEOUT ?= 300
.PHONY: bench
bench: deps kernel kmod $$(AZ_BIN) $(BENCH_BIN)/analyze_rusage $$(BENCH_TARGETS)
	@out=$(ABS_BUILD)/vm/bench-$(KERNEL); \
	$(VM) --kernel $(KERNEL) --mode bench --format none --out $$out \
		--timeout $(BENCH_TIMEOUT) --chan traces \
		$(if $(wildcard /usr/bin/trace-cmd),--extra /usr/bin/trace-cmd:/bin/trace-cmd \
		$(foreach f,$(BENCH_TC_FILES),--extra $(f):$(f))); rc=$$?; \
	awk -v accel="$$(cut -d' ' -f2 $$out/info 2>/dev/null)" \
		-f bench/bench-report.awk $$out/guest.log || rc=1; \
	bench/tracedat_peer.sh $$out/traces.log $(AZ_BIN) $(BENCH_BIN)/analyze_rusage || rc=1; \
	exit $$rc
