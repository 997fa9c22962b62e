/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Command-line helpers every tool shares (bpftool's small argument
 * helpers): the one spelling of a usage error, the version, and the
 * parsers of the options the daemon and the analyzer have in common.
 * Each parser returns 0, or 2 (the usage-error exit status) after
 * printing why, so a caller writes `return rc`.
 */
#ifndef IOMC_LIB_CLI_H
#define IOMC_LIB_CLI_H

#include <stdio.h>
#include <linux/types.h>

/* The project's version (the VERSION file at the top of the tree). */
extern const char iomc_version[];

/* "PROG VERSION" on stdout. */
void iomc_print_version(const char *prog);

/* "PROG: <message>" and "Try 'PROG --help'." on stderr; returns 2. */
int iomc_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Rule id by name (exactly n bytes of s), -1 if none. */
int iomc_rule_lookup(const char *s, size_t n);

/*
 * --disable RULE[,RULE...]: clears the rules' bits in *mask. An empty
 * list or an empty name (",", "a,,b") is an error, like an unknown rule.
 */
int iomc_parse_disable(const char *prog, const char *arg, __u32 *mask);

/* --list-rules of both tools: one line per rule, its id and what it checks. */
void iomc_print_rules(FILE *f);

/* --depth-limit N: decimal, 1..IOMC_STACK_MAX (the engine's stacks). */
int iomc_parse_depth_limit(const char *prog, const char *arg, __u32 *limit);

#endif
