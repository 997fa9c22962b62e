# src/daemon.mk: iomap-checkd (BPF programs + libbpf daemon) and its host tests.
#
#   make daemon          build/bin/iomap-checkd (static), its BPF object and skeleton
#   make daemon-tests    build the host test programs
#
# The BPF object is compiled with clang -target bpf against vmlinux/<arch>/vmlinux.h
# (CO-RE); `bpftool gen skeleton` embeds it into build/obj/bpf/iomap_checkd.skel.h.

CHECKD_ARCH   := x86
CHECKD_OBJ    := $(ABS_BUILD)/obj/checkd
CHECKD_BPFOBJ := $(ABS_BUILD)/obj/bpf/iomap_checkd.bpf.o
CHECKD_SKEL   := $(ABS_BUILD)/obj/bpf/iomap_checkd.skel.h
CHECKD_BIN    := $(ABS_BUILD)/bin/iomap-checkd
CHECKD_TBIN   := $(ABS_BUILD)/obj/checkd-tests
BPF_CLANG     ?= clang
BPFTOOL       ?= bpftool
CHECKD_CC     ?= gcc

CHECKD_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(CHECKD_ARCH) -Wall -Werror \
	-Ivmlinux/$(CHECKD_ARCH) -Iinclude -Ibpf
CHECKD_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude -Isrc -Ibpf -I$(dir $(CHECKD_SKEL))
CHECKD_LIBS   := -static -lbpf -lelf -lz -lcap -lpthread
CHECKD_HDRS   := $(wildcard include/iomap-check/*.h bpf/*.h src/checkd_*.h src/engine_state.h)

$(CHECKD_BPFOBJ): bpf/iomap_checkd.bpf.c $(CHECKD_HDRS) vmlinux/$(CHECKD_ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(CHECKD_BPF_CFLAGS) -c $< -o $@.tmp
	llvm-strip -g $@.tmp	# keeps .BTF/.BTF.ext: CO-RE needs them, not DWARF
	mv $@.tmp $@

$(CHECKD_SKEL): $(CHECKD_BPFOBJ)
	$(BPFTOOL) gen skeleton $< name iomap_checkd > $@.tmp
	mv $@.tmp $@

$(CHECKD_OBJ)/%.o: src/%.c $(CHECKD_HDRS) $(CHECKD_SKEL)
	@mkdir -p $(@D)
	$(CHECKD_CC) $(CHECKD_CFLAGS) -c $< -o $@

$(CHECKD_OBJ)/tests/%.o: tests/host/%.c $(CHECKD_HDRS) $(CHECKD_SKEL) $(wildcard tests/host/iomc_*.h)
	@mkdir -p $(@D)
	$(CHECKD_CC) $(CHECKD_CFLAGS) -Itests/host -c $< -o $@

# ---- host tests -----------------------------------------------------------
# bpf_rules: the real object on the host's verifier, every rule through
# BPF_PROG_TEST_RUN, and its agreement with the userspace engine driver.
$(CHECKD_TBIN)/bpf_rules: $(CHECKD_OBJ)/tests/bpf_rules.o $(CHECKD_OBJ)/tests/iomc_seq.o \
		$(CHECKD_OBJ)/engine_state.o
	@mkdir -p $(@D)
	$(CHECKD_CC) -o $@ $^ $(CHECKD_LIBS)

.PHONY: daemon daemon-tests
daemon-tests: $(CHECKD_TBIN)/bpf_rules $(CHECKD_TBIN)/checkd_format

# checkd_format: the report formats (JSON validity, lockdep-like text) offline.
$(CHECKD_TBIN)/checkd_format: $(CHECKD_OBJ)/tests/checkd_format.o $(CHECKD_OBJ)/checkd_report.o \
		$(CHECKD_OBJ)/checkd_out.o $(CHECKD_OBJ)/checkd_ksyms.o
	@mkdir -p $(@D)
	$(CHECKD_CC) -o $@ $^ $(CHECKD_LIBS)

CHECK_DEPS += daemon-tests
HOST_SUITES += '$(CHECKD_TBIN)/bpf_rules tests/host/rules.seq'
HOST_SUITES += '$(CHECKD_TBIN)/checkd_format'

# The same test inside each guest kernel (6.1, 6.12): their verifiers accept
# the programs and the rules decide alike there (tests/guest/bpf_rules.sh).
GUEST_MODES += bpf_rules
GUEST_BINS += $(CHECKD_TBIN)/bpf_rules
GUEST_FILES += tests/host/rules.seq:/guest/rules.seq

# ---- the daemon ---------------------------------------------------------------
CHECKD_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
CHECKD_SRCS := checkd_main checkd_loop checkd_attach checkd_hooks checkd_report \
	checkd_out checkd_ksyms checkd_caps checkd_record
$(CHECKD_OBJ)/checkd_main.o: CHECKD_CFLAGS += -DIOMC_VERSION='"$(CHECKD_VERSION)"'

$(CHECKD_BIN): $(CHECKD_SRCS:%=$(CHECKD_OBJ)/%.o)
	@mkdir -p $(@D)
	$(CHECKD_CC) -o $@ $^ $(CHECKD_LIBS)

daemon: $(CHECKD_BIN)
CHECK_DEPS += daemon
GUEST_BINS += $(CHECKD_BIN)

# Guest modes: the daemon against every scenario, and (make demo) its reports.
# Under TCG the daemon needs ~15 s to attach its ~60 kprobes and the mode runs
# ~60 s: one boot with every mode takes 2+ minutes, more than the harness's
# default limit of 120 s (tests/tests.mk; set here, before its ?=).
VM_TIMEOUT ?= 480
GUEST_MODES += daemon
DEMO_MODES ?= daemon_demo

# ---- make install -------------------------------------------------------------
# The daemon, its systemd unit and iomap_check.ko (built for $(KERNEL)).
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR  ?= $(PREFIX)/share/doc/iomap-check

.PHONY: install-daemon
install: install-daemon
install-daemon: daemon kmod
	install -D -m 0755 $(CHECKD_BIN) $(DESTDIR)$(SBINDIR)/iomap-checkd
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		src/iomap-checkd.service >$(DESTDIR)$(UNITDIR)/iomap-checkd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/iomap-checkd.service
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	@rel=$(KREL) && \
	install -D -m 0644 $(ABS_BUILD)/obj/$$rel/kmod/iomap_check.ko \
		$(DESTDIR)/lib/modules/$$rel/extra/iomap_check.ko && \
	echo "installed iomap_check.ko for $$rel" && \
	if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$$rel/kernel ]; then depmod -a $$rel; fi

# ---- benchmarks (make bench) ------------------------------------------------------
# bench-daemon: one boot; the scenario driver's benchmark without a checker,
# with iomap-checkd, with the bpftrace peer (src/iomap-check.bt); the
# programs' run time from the kernel's BPF stats; a flood of the checker
# from both CPUs (checkd_flood) with a violation every 1000 operations.
$(CHECKD_TBIN)/checkd_flood: $(CHECKD_OBJ)/tests/checkd_flood.o
	@mkdir -p $(@D)
	$(CHECKD_CC) -o $@ $^ $(CHECKD_LIBS)

# bpftrace and the shared libraries it needs, copied into the guest
CHECKD_BT_FILES = $(shell ldd /usr/bin/bpftrace 2>/dev/null | \
	awk '$$3 ~ /^\// { print $$3 } $$1 ~ /^\// { print $$1 }' | sort -u)
CHECKD_BENCH_OUT = $(ABS_BUILD)/vm/bench-daemon-$(KERNEL)
# bpftrace compiles its script with LLVM in the guest: minutes under TCG
CHECKD_BENCH_TIMEOUT ?= 1200

.PHONY: bench-daemon
BENCH_TARGETS += bench-daemon
bench-daemon: deps kernel kmod daemon $(CHECKD_TBIN)/checkd_flood
	@$(VM) --kernel $(KERNEL) --mode daemon_bench --format none --out $(CHECKD_BENCH_OUT) \
		--timeout $(CHECKD_BENCH_TIMEOUT) --bin $(CHECKD_BIN) --bin $(CHECKD_TBIN)/checkd_flood \
		--extra src/iomap-check.bt:/guest/iomap-check.bt \
		$(if $(wildcard /usr/bin/bpftrace),--extra /usr/bin/bpftrace:/bin/bpftrace \
		$(foreach f,$(CHECKD_BT_FILES),--extra $(f):$(f))); rc=$$?; \
	awk -f src/checkd_bench.awk $(CHECKD_BENCH_OUT)/guest.log && exit $$rc
