/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel functions and tracepoints the daemon hooks besides
 * iomap_check.ko's own tracepoints: might-sleep entry points (kprobes) and
 * the tracepoints where an interrupt returns. One table, also printed by
 * --help and --list-hooks, so the documented set is the hooked set.
 */
#ifndef IOMC_CHECKD_HOOKS_H
#define IOMC_CHECKD_HOOKS_H

#include <stdio.h>

enum ck_ms_class {
	CK_MS_SLEEP,	/* may always sleep */
	CK_MS_ALLOC,	/* may sleep if its gfp_t argument allows reclaim */
	CK_MS_PTR1,	/* may sleep unless its first argument is NULL */
};

struct ck_ms_hook {
	const char *func;
	enum ck_ms_class cls;
	const char *why;
};

extern const struct ck_ms_hook ck_ms_hooks[];
extern const unsigned int ck_n_ms_hooks;
/* The function every might_sleep() calls (voluntary preemption mode). */
extern const char ck_ms_every[];

/* Tracepoints (raw_tp names) at which each interrupt level returns. */
extern const char *const ck_hardirq_exits[];
extern const char *const ck_softirq_exits[];
extern const char *const ck_nmi_exits[];

/* Print the hooked set for --help / --list-hooks. */
void ck_hooks_print(FILE *f);

#endif
