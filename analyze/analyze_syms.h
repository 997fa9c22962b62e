/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Interned call sites and stacks.
 *
 * Text traces carry symbolized sites (`func+0xoff/0xlen [mod]`), not
 * addresses. The analyzer interns each distinct string once and puts its id
 * where the live checker has an address (iomc_event.caller): the rule engine
 * only compares sites, so an id serves as well as an address, and the report
 * printer asks az_sym_name() for the text. Ids start at 1 and stay far
 * below any kernel address, so the two can never be confused. One table
 * serves all inputs of a run: the same site in two files is the same id.
 *
 * Stacks (perf script call chains, ftrace `<stack trace>` blocks) are
 * interned the same way as arrays of site ids.
 */
#ifndef IOMC_ANALYZE_SYMS_H
#define IOMC_ANALYZE_SYMS_H

#include <linux/types.h>
#include <stddef.h>

#define AZ_SYM_MAX_LEN 512	/* longer site strings are cut (still unique enough) */
#define AZ_STACK_MAX 64		/* frames kept per stack */

/* Id of the site string s[0..n) (trailing blanks ignored); 0 on OOM. */
__u64 az_sym_intern(const char *s, size_t n);
/* The string for an id, NUL terminated, or NULL if it is not one of ours. */
const char *az_sym_name(__u64 id);

/* Id of the stack ids[0..n) (n <= AZ_STACK_MAX), 0 for an empty stack or OOM. */
__u32 az_stack_intern(const __u64 *ids, unsigned int n);
/* Frames of a stack id; *n = 0 and NULL for 0 or an unknown id. */
const __u64 *az_stack_get(__u32 id, unsigned int *n);

/* Free everything (tests and fuzzers start each input from scratch). */
void az_syms_reset(void);

#endif
