/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's symbols: /proc/kallsyms through the one symbolizer
 * (lib/ksyms.h). Module symbols change as modules come and go: the table
 * is reloaded on request (a module attached; SIGUSR1), before a report when
 * the module list (/proc/modules: names and addresses) changed (checked at
 * most every 10 ms), and, at most once a second, when an address falls
 * outside every known symbol and the module list changed since the last load.
 */
#ifndef IOMC_CHECKD_SYMS_H
#define IOMC_CHECKD_SYMS_H

#include <stddef.h>
#include <linux/types.h>

/* (Re)load /proc/kallsyms; 0 or -errno. */
int ck_syms_load(void);
/*
 * Reload if a module came or went since the last load (/proc/modules):
 * before a report is printed, so that the stack's frames in a module
 * loaded after the daemon (the driver under test) are named, not taken for
 * the end of the module before it. Cheap when nothing changed.
 */
void ck_syms_fresh(void);
/*
 * The address of the kernel's iomem_resource (the root of the resources
 * the memremap programs walk) as of the last load; 0 if not known.
 */
__u64 ck_syms_iomem_resource(void);
/* Symbols loaded (0: kallsyms unreadable or its addresses hidden). */
size_t ck_syms_count(void);
/*
 * A name the kernel gave addr (a report's %pB): used for addr from then on
 * (the summary; a stack frame at that address), before kallsyms, which may
 * no longer know the address (init text freed, module unloaded) and ends a
 * module's last function elsewhere; the function's length is learned for
 * its other addresses (iomc_ksyms_learn). The last CK_SYMS_REMEMBERED
 * addresses are kept, the latest name of each.
 */
#define CK_SYMS_REMEMBERED 256
void ck_syms_remember(__u64 addr, const char *name);
/* The report printer's symbolize callback (report.h). */
const char *ck_syms_name(void *ctx, __u64 addr, char *buf, size_t len);
void ck_syms_free(void);

#endif
