/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel addresses to `func+0xoff/0xlen [module]`, from /proc/kallsyms
 * (the format of the kernel's %pS). Module symbols change as modules come
 * and go: the table is reloaded on request and when an address falls
 * outside every known symbol.
 */
#ifndef IOMC_CHECKD_KSYMS_H
#define IOMC_CHECKD_KSYMS_H

#include <stddef.h>
#include <linux/types.h>

/* (Re)load the symbol table; path NULL = /proc/kallsyms. 0 or -errno. */
int ck_ksyms_load(const char *path);
/* Symbolize addr into buf; returns buf. Unknown addresses print as 0x...;
 * 0 prints as "?". */
const char *ck_ksym(__u64 addr, char *buf, size_t len);
/* Address of a symbol (first match), 0 if none. */
__u64 ck_ksym_addr(const char *name);
/* Number of symbols loaded (0: kallsyms unreadable or addresses hidden). */
size_t ck_ksyms_count(void);
void ck_ksyms_free(void);

#endif
