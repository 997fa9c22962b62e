/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's symbols: /proc/kallsyms through the one symbolizer
 * (lib/ksyms.h). Module symbols change as modules come and go: the table
 * is reloaded on request (a module attached) and, at most once a second,
 * when an address falls outside every known symbol.
 */
#ifndef IOMC_CHECKD_SYMS_H
#define IOMC_CHECKD_SYMS_H

#include <stddef.h>
#include <linux/types.h>

/* (Re)load /proc/kallsyms; 0 or -errno. */
int ck_syms_load(void);
/* Symbols loaded (0: kallsyms unreadable or its addresses hidden). */
size_t ck_syms_count(void);
/* The report printer's symbolize callback (report.h). */
const char *ck_syms_name(void *ctx, __u64 addr, char *buf, size_t len);
void ck_syms_free(void);

#endif
