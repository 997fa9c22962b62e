# lib/lib.mk: the userspace library every tool links (iomap-checkd,
# iomap-check analyze, the host tests): the rule engine's driver
# (engine_state), the report printer (report: one printer per report
# class), the event printer (event), the rule table as data (rule_info:
# names, families, the one lookup), the symbolizer (ksyms),
# report dedup (dedup), the write loop (io) and the command-line
# helpers (cli, which carries the version). The daemon's output sinks are
# its own (checkd/checkd_sink.c). Compiled once, with the flags
# every userspace part shares, into $(LIB_OBJ).
#
# The version of every tool is the VERSION file's.

LIB_OBJ    := $(ABS_BUILD)/obj/lib
USER_CC    ?= gcc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib
LIB_HDRS   := $(wildcard include/iomap-check/*.h lib/*.h)
LIB_NAMES  := engine_state rule_info event report ksyms dedup io cli
IOMC_VERSION := $(shell cat VERSION)

$(LIB_OBJ)/cli.o: USER_CFLAGS += -DIOMC_VERSION='"$(IOMC_VERSION)"'
$(LIB_OBJ)/cli.o: VERSION

$(LIB_OBJ)/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@

# Its own host test (KTAP): option parsers, dedup, the symbolizer's rules.
LIB_TEST := $(ABS_BUILD)/obj/lib-tests/lib_test
$(LIB_TEST): tests/host/lib_test.c $(LIB_HDRS) $(LIB_NAMES:%=$(LIB_OBJ)/%.o)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $< $(filter %.o,$^)
CHECK_DEPS += $(LIB_TEST)
HOST_SUITES += $(LIB_TEST)

# The same test under UBSan (clang, every check fatal): undefined behaviour
# in the library on odd input (qsort(NULL, 0) of an empty kallsyms) fails it.
LIB_TEST_UBSAN := $(ABS_BUILD)/obj/lib-tests/lib_test_ubsan
LIB_UBSAN_CC ?= clang
$(LIB_TEST_UBSAN): tests/host/lib_test.c $(LIB_HDRS) $(LIB_NAMES:%=lib/%.c)
	@mkdir -p $(@D)
	$(LIB_UBSAN_CC) $(filter-out -O2,$(USER_CFLAGS)) -O1 -DIOMC_VERSION='"$(IOMC_VERSION)"' \
		-fsanitize=undefined -fno-sanitize-recover=all -o $@ $< $(LIB_NAMES:%=lib/%.c)
CHECK_DEPS += $(LIB_TEST_UBSAN)
HOST_SUITES += $(LIB_TEST_UBSAN)

# Every report, text and JSON, against a golden file: printers refactored
# without a change of output (tests/host/report_golden.c says how to
# regenerate it after a deliberate change).
REPORT_GOLDEN := $(ABS_BUILD)/obj/lib-tests/report_golden
$(REPORT_GOLDEN): tests/host/report_golden.c $(LIB_HDRS) $(LIB_NAMES:%=$(LIB_OBJ)/%.o)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $< $(filter %.o,$^)
CHECK_DEPS += $(REPORT_GOLDEN)
HOST_SUITES += '$(REPORT_GOLDEN) tests/host/report_golden.expected'

# docs/rules.md, generated from the rule table; a host test fails when the
# file in the tree is not what the table generates.
RULES_DOC_GEN := $(ABS_BUILD)/obj/lib-tests/rules_doc
$(RULES_DOC_GEN): scripts/rules_doc.c $(LIB_HDRS) $(LIB_OBJ)/rule_info.o
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $< $(LIB_OBJ)/rule_info.o
.PHONY: rules-doc
rules-doc: $(RULES_DOC_GEN)
	$(RULES_DOC_GEN) > docs/rules.md
CHECK_DEPS += $(RULES_DOC_GEN)
HOST_SUITES += 'tests/host/rules_doc.sh $(RULES_DOC_GEN) docs/rules.md'
