/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The analyzer's event: the normalized struct iomc_event every input turns
 * into, plus where it came from (for ordering ties and for reports that
 * point back at the input line).
 */
#ifndef IOMC_ANALYZE_EVENT_H
#define IOMC_ANALYZE_EVENT_H

#include <linux/types.h>
#include <stddef.h>
#include "iomap-check/abi.h"

struct az_event {
	struct iomc_event ev;
	__u64 seq;	/* position in its input: stable order for equal ts */
	__u64 line;	/* 1-based line in a text input, 0 for binary ones */
	__u32 src;	/* index of the input (file) in the command line */
	__u32 stack;	/* interned stack id (analyze_syms.h), 0 = none */
};

#endif
