# checkd/checkd.mk: iomap-checkd (the libbpf daemon that loads bpf/'s
# programs) and its host tests.
#
#   make daemon          build/bin/iomap-checkd (static), its BPF object and skeleton
#   make daemon-tests    build the host test programs

CHECKD_OBJ    := $(ABS_BUILD)/obj/checkd
CHECKD_BIN    := $(ABS_BUILD)/bin/iomap-checkd
CHECKD_TBIN   := $(ABS_BUILD)/obj/checkd-tests
CHECKD_CFLAGS = $(USER_CFLAGS) -Icheckd -Ibpf -I$(dir $(CHECKD_SKEL))
CHECKD_LIBS   := -static -lbpf -lelf -lz -lcap -lpthread
CHECKD_HDRS   = $(LIB_HDRS) $(wildcard bpf/*.h checkd/*.h)

$(CHECKD_OBJ)/%.o: checkd/%.c $$(CHECKD_HDRS) $$(CHECKD_SKEL)
	@mkdir -p $(@D)
	$(USER_CC) $(CHECKD_CFLAGS) -c $< -o $@

$(CHECKD_OBJ)/tests/%.o: tests/host/%.c $$(CHECKD_HDRS) $$(CHECKD_SKEL) $(wildcard tests/host/iomc_*.h)
	@mkdir -p $(@D)
	$(USER_CC) $(CHECKD_CFLAGS) -Itests/host -c $< -o $@

# ---- host tests -----------------------------------------------------------
# bpf_rules: the real object on the host's verifier, every rule through
# BPF_PROG_TEST_RUN, and its agreement with the userspace engine driver.
$(CHECKD_TBIN)/bpf_rules: $(CHECKD_OBJ)/tests/bpf_rules.o $(CHECKD_OBJ)/tests/iomc_seq.o \
		$$(LIB_OBJ)/engine_state.o $$(LIB_OBJ)/rule_info.o
	@mkdir -p $(@D)
	$(USER_CC) -o $@ $^ $(CHECKD_LIBS)

.PHONY: daemon daemon-tests
daemon-tests: $(CHECKD_TBIN)/bpf_rules $(CHECKD_TBIN)/checkd_format

# checkd_format: the report formats (JSON validity, lockdep-like text) offline.
$(CHECKD_TBIN)/checkd_format: $(CHECKD_OBJ)/tests/checkd_format.o $$(LIB_OBJ)/report.o $$(LIB_OBJ)/rule_info.o \
		$$(LIB_OBJ)/event.o $$(LIB_OBJ)/io.o $$(LIB_OBJ)/ksyms.o $(CHECKD_OBJ)/checkd_sink.o
	@mkdir -p $(@D)
	$(USER_CC) -o $@ $^ $(CHECKD_LIBS)

CHECK_DEPS += daemon-tests
HOST_SUITES += '$(CHECKD_TBIN)/bpf_rules tests/host/rules.seq'
HOST_SUITES += '$(CHECKD_TBIN)/checkd_format'

# The same test inside each guest kernel (6.1, 6.12): their verifiers accept
# the programs and the rules decide alike there (tests/guest/bpf_rules.sh).
GUEST_MODES += bpf_rules
GUEST_BINS += $(CHECKD_TBIN)/bpf_rules
GUEST_FILES += tests/host/rules.seq:/guest/rules.seq

# ---- the daemon ---------------------------------------------------------------
CHECKD_LIB_OBJS = $(LIB_NAMES:%=$(LIB_OBJ)/%.o)
CHECKD_SRCS := checkd_main checkd_loop checkd_attach checkd_memremap checkd_hooks checkd_caps checkd_record \
	checkd_syms checkd_sink

$(CHECKD_BIN): $(CHECKD_SRCS:%=$(CHECKD_OBJ)/%.o) $$(CHECKD_LIB_OBJS)
	@mkdir -p $(@D)
	$(USER_CC) -o $@ $^ $(CHECKD_LIBS)

# The same objects linked against the shared libraries: what `make install`
# and the package install on a host (the static one goes into guests).
CHECKD_HOST_BIN := $(ABS_BUILD)/bin/host/iomap-checkd
$(CHECKD_HOST_BIN): $(CHECKD_SRCS:%=$(CHECKD_OBJ)/%.o) $$(CHECKD_LIB_OBJS)
	@mkdir -p $(@D)
	$(USER_CC) -o $@ $^ $(filter-out -static,$(CHECKD_LIBS))

daemon: $(CHECKD_BIN) $(CHECKD_HOST_BIN)
CHECK_DEPS += daemon
GUEST_BINS += $(CHECKD_BIN)
# the daemon on the host (it loads, never attaches): CI verdicts, output errors
HOST_SUITES += tests/host/checkd_cli.sh
# ... and a burst of distinct violations driven through its own programs
# (bench/checkd_flood, built by bench/bench.mk): all of them reported, none
# lost. The same flood at a steady rate in the guest's daemon mode.
CHECKD_FLOOD := $(ABS_BUILD)/bin/bench/checkd_flood
CHECK_DEPS += $(CHECKD_FLOOD)
GUEST_BINS += $(CHECKD_FLOOD)
HOST_SUITES += 'tests/host/checkd_burst.sh $(ABS_BUILD)'

# Guest mode: the daemon against every scenario (make demo shows its
# reports: vm/guest/daemon_demo.sh).
GUEST_MODES += daemon
# ... and against a real memremap user, the kernel's pmem driver on a legacy
# pmem region carved from the guest's RAM (tests/guest/daemon.sh).
GUEST_KMODS += $(foreach m,libnvdimm nd_btt nd_pmem nd_e820,drivers/nvdimm/$(m).ko)
GUEST_APPEND += memmap=64M!512M

# ---- make install -------------------------------------------------------------
# The daemon, its systemd unit and the documentation (iomap_check.ko:
# kmod/kmod.mk).
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR  ?= $(PREFIX)/share/doc/iomap-check

# The unit reads its options from $(SYSCONFDIR)/default/iomap-checkd
# (installed once: a re-install keeps the local edits).
SYSCONFDIR ?= /etc

.PHONY: install-daemon
install: install-daemon
install-daemon: daemon
	install -D -m 0755 $(CHECKD_HOST_BIN) $(DESTDIR)$(SBINDIR)/iomap-checkd
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		-e 's|/etc/default/|$(SYSCONFDIR)/default/|g' \
		checkd/iomap-checkd.service >$(DESTDIR)$(UNITDIR)/iomap-checkd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/iomap-checkd.service
	test -e $(DESTDIR)$(SYSCONFDIR)/default/iomap-checkd || \
		install -D -m 0644 checkd/iomap-checkd.default $(DESTDIR)$(SYSCONFDIR)/default/iomap-checkd
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/docs docs/*.md
