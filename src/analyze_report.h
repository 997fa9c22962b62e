/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Printing a violation: lockdep-style text or one JSON line. Sites in the
 * analyzer are interned ids (analyze_syms.h), printed by name.
 */
#ifndef IOMC_ANALYZE_REPORT_H
#define IOMC_ANALYZE_REPORT_H

#include <stdio.h>
#include <linux/types.h>
#include "iomap-check/abi.h"

/* input/line: where in the inputs the offending event was (line 0: unknown) */
void az_report_print(FILE *f, const struct iomc_report *r, int json, const char *input,
		     __u64 line);
/* In-band note of lost events for --json consumers. */
void az_report_lost(FILE *f, const struct iomc_event *ev, const char *input);

#endif
