# lib/lib.mk: the userspace library every tool links (iomap-checkd,
# iomap-check analyze, the host tests): the rule engine's driver
# (engine_state), the report printer (report), the kallsyms symbolizer
# (ksyms) and the output sinks (sink). Compiled once, with the flags every
# userspace part shares, into $(LIB_OBJ).

LIB_OBJ    := $(ABS_BUILD)/obj/lib
USER_CC    ?= gcc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib
LIB_HDRS   := $(wildcard include/iomap-check/*.h lib/*.h)
LIB_NAMES  := engine_state report ksyms sink

$(LIB_OBJ)/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@
