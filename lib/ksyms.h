/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one symbolizer: kernel addresses to `func+0xoff/0xlen [module]`, the
 * spelling of the kernel's %pS, for live reports (iomap-checkd, over
 * /proc/kallsyms), daemon recordings (a kallsyms file) and trace.dat (the
 * kallsyms trace-cmd saved, looked up through libtraceevent). Whatever the
 * lookup, a site is spelled by iomc_sym_format() alone.
 *
 * A symbol contains an address when the address lies before the next code
 * symbol and the symbol is at most IOMC_SYM_MAX_SIZE long, or one page for
 * the kernel's pseudo-modules ([bpf] programs, [__builtin__ftrace]
 * trampolines: small, and followed by a gap up to the next module, which
 * may have been loaded since); otherwise the address is printed as 0x...
 * (the last symbol of a table has no known end).
 */
#ifndef IOMC_LIB_KSYMS_H
#define IOMC_LIB_KSYMS_H

#include <stddef.h>
#include <linux/types.h>

#define IOMC_SYM_MAX_SIZE (1ULL << 20)
#define IOMC_SYM_MAX_PSEUDO_SIZE 4096ULL

/* One looked-up symbol (strings owned by the table it came from). */
struct iomc_sym {
	const char *name;
	const char *mod;	/* NULL for vmlinux */
	__u64 start, size;
};

/*
 * addr spelled from s: "func+0xoff/0xlen [mod]"; s NULL (not found):
 * "0x<addr>"; addr 0: "?". Returns the length snprintf would write.
 */
int iomc_sym_format(char *buf, size_t len, __u64 addr, const struct iomc_sym *s);

/* A kallsyms table (code symbols only). */
struct iomc_ksyms;

struct iomc_ksyms *iomc_ksyms_new(void);
/*
 * (Re)load from path (NULL: /proc/kallsyms). 0, or -errno with the old
 * table kept. A file whose addresses are all 0 (kptr_restrict) loads
 * with no symbols: iomc_ksyms_count() says so. -EINVAL: its first
 * IOMC_KSYMS_NOT_KALLSYMS lines are not kallsyms lines (not read further).
 */
#define IOMC_KSYMS_NOT_KALLSYMS 1000
int iomc_ksyms_load(struct iomc_ksyms *k, const char *path);
size_t iomc_ksyms_count(const struct iomc_ksyms *k);
/* 1 and *s filled when a symbol contains addr, else 0. */
int iomc_ksyms_find(const struct iomc_ksyms *k, __u64 addr, struct iomc_sym *s);
/*
 * The kernel named addr kname (%pB/%pS: "func+0xoff/0xlen [mod]"): later
 * lookups of that function (same start, name and module) use the kernel's
 * length. The kernel ends a function at the next symbol of any type or at
 * its module's end of text, which /proc/kallsyms does not show: the next
 * code symbol there can be pages further (a module's last function), and
 * a report named by the kernel and a summary named from kallsyms disagreed
 * (+0x4a/0xe1a vs +0x4a/0x4e1a). A module's last function, with no symbol
 * after it, gets a name too. Kept across reloads (the last 256).
 * Returns 1 if learned, 0 if kname is not such a name.
 */
int iomc_ksyms_learn(struct iomc_ksyms *k, __u64 addr, const char *kname);
/*
 * A symbol's address by name, whatever its type (the table above holds
 * code only, and 7.2 lists the variable iomem_resource as "T"): up to
 * IOMC_KSYMS_WANT_MAX vmlinux names can be asked for before a load (name
 * kept by the caller), and each load notes where they are. iomap-checkd's
 * BPF programs take iomem_resource from here instead of a __ksym, which
 * made libbpf read all of /proc/kallsyms a second time (a second under
 * emulation). iomc_ksyms_want: 0 or -ENOSPC; iomc_ksyms_addr: 0 when
 * absent or hidden.
 */
#define IOMC_KSYMS_WANT_MAX 4
int iomc_ksyms_want(struct iomc_ksyms *k, const char *name);
__u64 iomc_ksyms_addr(const struct iomc_ksyms *k, const char *name);
/* Lookup + format in one: returns buf. */
const char *iomc_ksyms_name(const struct iomc_ksyms *k, __u64 addr, char *buf, size_t len);
void iomc_ksyms_free(struct iomc_ksyms *k);

#endif
