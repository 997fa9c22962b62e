/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Command-line helpers every tool shares (bpftool's small argument
 * helpers): the one spelling of a usage error, the version, and the
 * parsers of the options the daemon and the analyzer have in common.
 * Each parser returns 0, or IOMC_EXIT_USAGE (2) after
 * printing why, so a caller writes `return rc`.
 */
#ifndef IOMC_LIB_CLI_H
#define IOMC_LIB_CLI_H

#include <stdio.h>
#include <linux/types.h>
#include "iomap-check/exit_status.h"
#include "rule_info.h"

/* Bit of an exit status in the `which` mask of iomc_print_exit_statuses. */
#define IOMC_EXIT_BIT(name) (1U << IOMC_EXIT_##name)

/*
 * The "Exit status:" block of a --help: the statuses in which (a mask of
 * IOMC_EXIT_BIT()s, the subset the tool uses) with their meanings as
 * include/iomap-check/exit_status.h words them, one "  N  meaning" line
 * each, so every tool shows the one table.
 */
void iomc_print_exit_statuses(FILE *f, unsigned int which);

/* The project's version (the VERSION file at the top of the tree). */
extern const char iomc_version[];

/* "PROG VERSION" on stdout. */
void iomc_print_version(const char *prog);

/* "PROG: <message>" and "Try 'PROG --help'." on stderr; returns IOMC_EXIT_USAGE (2). */
int iomc_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * --disable RULE[,RULE...]: clears the rules' bits in *mask. An empty
 * list or an empty name (",", "a,,b") is an error, like an unknown rule.
 */
int iomc_parse_disable(const char *prog, const char *arg, __u32 *mask);

/* --list-rules of both tools: one line per rule, its id and what it checks. */
void iomc_print_rules(FILE *f);

/* --depth-limit N: decimal, 1..IOMC_STACK_MAX (the engine's stacks). */
int iomc_parse_depth_limit(const char *prog, const char *arg, __u32 *limit);

/*
 * A size option (--ringbuf-size N): decimal bytes, or with a suffix k, m
 * or g (either case: KiB, MiB, GiB); from min to max, a power of 2 if
 * pow2. Overflow is an error, never a wrap. The message names opt, the
 * option as the user spelled it, and the range in the same notation.
 */
int iomc_parse_size(const char *prog, const char *opt, const char *arg,
		    unsigned long long min, unsigned long long max, int pow2,
		    unsigned long long *out);

#endif
