/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Symbolizing the kernel addresses of a daemon recording (and of a
 * trace.dat when --kallsyms is given) with the one symbolizer, lib/ksyms.h,
 * into the `func+0xoff/0xlen [mod]` strings the text traces carry
 * (interned, analyze_syms.h). Symbols come from --kallsyms FILE, or from
 * /proc/kallsyms when the recording was made on the running kernel.
 */
#ifndef IOMC_ANALYZE_KSYMS_H
#define IOMC_ANALYZE_KSYMS_H

#include <linux/types.h>

/* Load a kallsyms file (explicit --kallsyms); -1 after printing why. */
int az_ksyms_load(const char *path);
/* A recording of kernel 'release' is being read: use /proc/kallsyms if it
 * matches the running kernel and nothing was loaded explicitly. */
void az_ksyms_expect_release(const char *release);
/* A symbol table is loaded (--kallsyms, or the running kernel's). */
int az_ksyms_loaded(void);
/* Interned site id for a kernel address (0 stays 0). */
__u64 az_symbolize(__u64 addr);
void az_ksyms_reset(void);

#endif
