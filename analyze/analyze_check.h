/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Feeding the merged events to the rule engine (lib/engine_state.c drives
 * include/iomap-check/engine.h, the code the BPF programs run) and turning
 * its verdicts into reports: the first occurrence of a (rule, site, map
 * site) in full, repeats counted, a summary per rule at the end.
 */
#ifndef IOMC_ANALYZE_CHECK_H
#define IOMC_ANALYZE_CHECK_H

#include "analyze.h"
#include "analyze_event.h"

struct az_checker;

struct az_checker *az_checker_new(const struct az_opts *o);
void az_checker_feed(struct az_checker *c, const struct az_event *ev);
/* Violations seen (repeats included). */
__u64 az_checker_violations(const struct az_checker *c);
void az_checker_summary(const struct az_checker *c, FILE *f);
void az_checker_free(struct az_checker *c);

/* errno of the first report the output did not take, 0 if none */
int az_checker_write_errno(const struct az_checker *c);

#endif
