# analyze/analyze.mk: `iomap-check analyze`, its tests, fuzzers and benchmark.
#
#   make analyze         build/bin/iomap-check
#   make analyze-tests   host unit tests (also run by make check)
#   make fuzz            libFuzzer targets, FUZZ_SECONDS (default 60) each
#
# Links libtracecmd/libtraceevent dynamically (Debian ships no libtracecmd.a);
# the analyzer runs on the host only.

AZ_OBJ  := $(ABS_BUILD)/obj/analyze
AZ_BIN  := $(ABS_BUILD)/bin/iomap-check
AZ_TBIN := $(ABS_BUILD)/bin/tests
AZ_TRACECMD_CFLAGS = $(shell pkg-config --cflags libtracecmd 2>/dev/null)
AZ_TRACECMD_LIBS = $(shell pkg-config --libs libtracecmd 2>/dev/null || echo -ltracecmd -ltracefs -ltraceevent)
AZ_LIBS = $(AZ_TRACECMD_LIBS) -pthread
AZ_CFLAGS = $(USER_CFLAGS) -pthread -Ianalyze $(AZ_TRACECMD_CFLAGS)

# The parts without libtracecmd (the fuzzers link these alone).
AZ_CORE := analyze_text analyze_syms analyze_order analyze_input analyze_par analyze_record \
	analyze_ksyms
AZ_ALL  := $(AZ_CORE) analyze_tracedat analyze_check analyze_main
AZ_LIB  = $(LIB_NAMES:%=$(LIB_OBJ)/%.o)
AZ_HDRS = $(LIB_HDRS) $(wildcard analyze/*.h)

.PHONY: analyze analyze-tests fuzz
analyze: $(AZ_BIN) $(ABS_BUILD)/share/iomap-check

# BIN/../share/iomap-check is where the binary finds build-driver's script
# (iomap_check_main.c): in the build tree, the source tree.
$(ABS_BUILD)/share/iomap-check:
	@mkdir -p $(@D) && ln -sfn $(TOP) $@
# build-driver from the build tree, its usage errors, the driver checks it
# shares with iomap-vmcheck (no build, no guest)
HOST_SUITES += tests/host/build_driver_cli.sh

$(AZ_OBJ)/%.o: analyze/%.c $$(AZ_HDRS)
	@mkdir -p $(@D)
	$(USER_CC) $(AZ_CFLAGS) -c $< -o $@

$(AZ_BIN): $(AZ_ALL:%=$(AZ_OBJ)/%.o) $(AZ_OBJ)/iomap_check_main.o $$(AZ_LIB)
	@mkdir -p $(@D)
	$(USER_CC) -o $@ $^ $(AZ_LIBS)

CHECK_DEPS += analyze

# ---- tests ----------------------------------------------------------------
AZ_TEST_OBJS = $(AZ_ALL:%=$(AZ_OBJ)/%.o) $(AZ_LIB)
$(AZ_TBIN)/analyze_test: tests/host/analyze_test.c tests/host/analyze_gen.h tests/host/analyze_parse_same.h $$(AZ_TEST_OBJS)
	@mkdir -p $(@D)
	$(USER_CC) $(AZ_CFLAGS) -Itests/host -o $@ $< $(AZ_TEST_OBJS) $(AZ_LIBS)

analyze-tests: $(AZ_TBIN)/analyze_test
CHECK_DEPS += analyze-tests
HOST_SUITES += $(AZ_TBIN)/analyze_test

# ---- fuzzing (clang's libFuzzer + ASan + UBSan) ---------------------------
AZ_FUZZ    := $(ABS_BUILD)/fuzz
AZ_FUZZCC  ?= clang
AZ_FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -pthread -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -Ilib -Ianalyze $(AZ_TRACECMD_CFLAGS)
AZ_FUZZ_SRCS = $(AZ_CORE:%=analyze/%.c) analyze/analyze_tracedat.c analyze/analyze_check.c \
	lib/rule_info.c lib/event.c lib/report.c lib/engine_state.c lib/ksyms.c lib/dedup.c lib/io.c
AZ_FUZZ_TARGETS := ftrace tcreport perf record tracedat
FUZZ_SECONDS ?= 60

# preambles: what a real file of each format starts with
$(AZ_FUZZ)/bin/fuzz_ftrace: AZ_PRE = -DFUZZ_PREAMBLE='"\# tracer: nop\n"'
$(AZ_FUZZ)/bin/fuzz_tcreport: AZ_PRE = -DFUZZ_PREAMBLE='"cpus=2\n"'
$(AZ_FUZZ)/bin/fuzz_perf: AZ_PRE =
$(AZ_FUZZ)/bin/fuzz_ftrace $(AZ_FUZZ)/bin/fuzz_tcreport $(AZ_FUZZ)/bin/fuzz_perf: \
		tests/fuzz/fuzz_text.c tests/host/analyze_parse_same.h $(AZ_FUZZ_SRCS) $$(AZ_HDRS)
	@mkdir -p $(@D)
	$(AZ_FUZZCC) $(AZ_FUZZ_CFLAGS) $(AZ_PRE) -o $@ tests/fuzz/fuzz_text.c $(AZ_FUZZ_SRCS) \
		$(AZ_LIBS)
$(AZ_FUZZ)/bin/fuzz_record $(AZ_FUZZ)/bin/fuzz_tracedat: $(AZ_FUZZ)/bin/fuzz_%: \
		tests/fuzz/fuzz_%.c $(AZ_FUZZ_SRCS) $$(AZ_HDRS)
	@mkdir -p $(@D)
	$(AZ_FUZZCC) $(AZ_FUZZ_CFLAGS) -o $@ $< $(AZ_FUZZ_SRCS) $(AZ_LIBS)
$(AZ_FUZZ)/gen_seeds: tests/fuzz/gen_seeds.c tests/host/analyze_gen.h
	@mkdir -p $(@D)
	$(USER_CC) -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -Iinclude -Itests/host -o $@ $<
$(AZ_FUZZ)/seeds/.stamp: $(AZ_FUZZ)/gen_seeds $(wildcard tests/host/analyze/*/*.txt.gz)
	rm -rf $(@D) && $< $(@D)
	@# trace.dat: the committed captures (tests/fuzz/corpus/tracedat) only
	mkdir -p $(@D)/tracedat
	@# real traces captured in the guest (tests/host/analyze_guest.sh --save-fixtures)
	for f in $(wildcard tests/host/analyze/*/*.txt.gz); do \
		t=ftrace; case $$f in *tcreport*) t=tcreport ;; esac; \
		k=$$(basename $$(dirname $$f))-$$(basename $$f .txt.gz); \
		gzip -dc $$f | split -b 8000 -d -a 3 - $(@D)/$$t/captured-$$k-; \
	done
	touch $@

.PHONY: fuzz-build
fuzz-build: $(AZ_FUZZ_TARGETS:%=$(AZ_FUZZ)/bin/fuzz_%) $(AZ_FUZZ)/seeds/.stamp
fuzz: fuzz-build
	tests/fuzz/run.sh --seconds $(FUZZ_SECONDS) --bindir $(AZ_FUZZ)/bin --workdir $(AZ_FUZZ)

CHECK_DEPS += fuzz-build
HOST_SUITES += 'tests/fuzz/run.sh --fresh --seconds 3 --bindir $(AZ_FUZZ)/bin --workdir $(AZ_FUZZ)/check --seeds $(AZ_FUZZ)/seeds'

# ---- traces captured in the guest ------------------------------------------
# The committed captures (tests/host/analyze/<kernel>/) are checked without a
# VM; a fresh capture of every scenario in one more boot of $(KERNEL).
HOST_SUITES += tests/host/analyze_fixtures.sh
# io_mapping_fault text (strategy=window) from a real 6.1 capture
HOST_SUITES += tests/host/analyze_window.sh
# the command line against full disks, damaged trace.dat, outputs that are inputs
HOST_SUITES += tests/host/analyze_cli.sh
# damaged, foreign and unusual text: damaged headers, odd comms, per-CPU blocks
HOST_SUITES += tests/host/analyze_text_input.sh
# inputs: the same one twice, many of them (file and memory limits), a
# closed stdout, recordings from pipes, exact counts (analyze_mkrec writes
# small recordings with the ABI's structs)
$(AZ_TBIN)/analyze_mkrec: tests/host/analyze_mkrec.c include/iomap-check/abi.h
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<
CHECK_DEPS += $(AZ_TBIN)/analyze_mkrec
HOST_SUITES += tests/host/analyze_inputs.sh
# damaged and foreign trace.dat: losses said and forgotten, foreign formats refused
HOST_SUITES += tests/host/analyze_tracedat.sh
GUEST_SUITES += 'tests/host/analyze_guest.sh --kernel $(KERNEL) $(foreach b,$(GUEST_BINS),--bin $(abspath $(b)))'

# `iomap-check build-driver` runs BIN/../share/iomap-check/kmod/
# iomap-check-build-driver.sh (installed by install-kmod-share, with the kmod
# sources and the drop-in header it builds with; in the build tree a link
# to the source tree), else $(PREFIX)/share/iomap-check's.
$(AZ_OBJ)/iomap_check_main.o: AZ_CFLAGS += -DIOMC_DATADIR='"$(PREFIX)/share/iomap-check"'
$(AZ_OBJ)/iomap_check_main.o: $(AZ_OBJ)/.prefix-$(subst /,_,$(PREFIX))
$(AZ_OBJ)/.prefix-%:
	@mkdir -p $(@D) && rm -f $(@D)/.prefix-* && touch $@

.PHONY: install-analyze
install: install-analyze
install-analyze: analyze install-kmod-share
	install -D -m 0755 $(AZ_BIN) $(DESTDIR)$(PREFIX)/bin/iomap-check
