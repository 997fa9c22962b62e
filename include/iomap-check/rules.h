/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The io_mapping and memremap rules: the one table of what each rule is.
 * Compiled by clang -target bpf (BPF programs), gcc (daemon, analyzer) and
 * read by the tests and by docs/rules.md's generator; plain C, no includes.
 *
 * X(ID, "name", family, report class, "headline", "meaning")
 *   family: IO_MAPPING, MEMREMAP, or ANY (leak_on_unload: the family of
 *     what leaked);
 *   report class: how its report reads (lib/report.c keeps one printer per
 *     class, lockdep-style: the related sites it names, the "why" line);
 *   headline: what the task is doing, after "comm/tid is " in the report;
 *   meaning: one line for --list-rules, the report and docs/rules.md.
 * A new rule is one entry here, its check in engine.h and a scenario.
 */
#ifndef IOMAP_CHECK_RULES_H
#define IOMAP_CHECK_RULES_H

#define IOMC_RULES(X)							\
	X(LIFO, "lifo", IO_MAPPING, STACK_ORDER,			\
	  "unmapping a map that is not the most recent one of its context", \
	  "unmap_local/unmap_atomic of an address that is not the most recent map of its context") \
	X(SLEEP_IN_ATOMIC, "sleep_in_atomic", IO_MAPPING, SLEEP_ATOMIC,	\
	  "sleeping while holding an atomic io_mapping map",		\
	  "task switched out voluntarily while holding an atomic map")	\
	X(MIGHT_SLEEP_IN_ATOMIC, "might_sleep_in_atomic", IO_MAPPING, SLEEP_ATOMIC, \
	  "calling a function that may sleep while an atomic io_mapping map is held", \
	  "function that may sleep called while an atomic map is held") \
	X(UNALIGNED_OFFSET, "unaligned_offset", IO_MAPPING, BAD_CALL,	\
	  "mapping at an offset that is not page aligned",		\
	  "map offset is not page aligned")				\
	X(OFFSET_OUT_OF_RANGE, "offset_out_of_range", IO_MAPPING, OUT_OF_RANGE, \
	  "mapping beyond the end of the mapping",			\
	  "offset >= size or offset + length > size")			\
	X(UNMAP_MISMATCH, "unmap_mismatch", IO_MAPPING, WRONG_UNMAP,	\
	  "unmapping with another variant than the map was made with",	\
	  "unmapped with another variant than it was mapped with")	\
	X(UNKNOWN_UNMAP, "unknown_unmap", IO_MAPPING, BAD_CALL,	\
	  "unmapping an address that no outstanding map returned (double unmap, or inside a map?)", \
	  "unmap of an address no outstanding map returned: a second unmap, or an address inside a map instead of the one it returned") \
	X(CROSS_CONTEXT_UNMAP, "cross_context_unmap", IO_MAPPING, CROSS_CONTEXT, \
	  "unmapping in CONTEXT context a map of another context",	\
	  "unmapped by another task or context than the one that mapped it") \
	X(LEAK_ON_FREE, "leak_on_free", IO_MAPPING, LEAK_ON_FREE,	\
	  "freeing a mapping whose maps are still outstanding",		\
	  "io_mapping_free/fini while maps of that mapping are outstanding") \
	X(LEAK_ON_EXIT, "leak_on_exit", IO_MAPPING, LEAK_ON_EXIT,	\
	  "exiting while holding a map",				\
	  "task exits or interrupt handler returns holding maps")	\
	X(USE_AFTER_FREE, "use_after_free", IO_MAPPING, USE_AFTER_FREE, \
	  "mapping a mapping that was freed",				\
	  "map of a mapping that was freed")				\
	X(DEPTH_EXCEEDED, "depth_exceeded", IO_MAPPING, DEPTH,		\
	  "nesting maps deeper than the limit",				\
	  "local/atomic nesting deeper than the limit")			\
	X(LEAK_ON_UNLOAD, "leak_on_unload", ANY, LEAK_ON_UNLOAD,	\
	  "unloading a module whose code left a mapping, map or memremap behind", \
	  "module unloaded (or its load failed) while a mapping it created or a map it took is outstanding") \
	X(MEMREMAP_BAD_FLAGS, "memremap_bad_flags", MEMREMAP, MR_FLAGS, \
	  "calling memremap with flags it cannot honour",		\
	  "memremap flags without a type (WB/WT/WC), with unknown bits, or with both ENC and DEC") \
	X(MEMREMAP_REFUSED, "memremap_refused", MEMREMAP, MR_REFUSED,	\
	  "asking memremap for a mapping the kernel refuses",		\
	  "memremap WT/WC over System RAM, or over a range mixing System RAM and other resources") \
	X(MEMUNMAP_UNKNOWN, "memunmap_unknown", MEMREMAP, MR_UNKNOWN_UNMAP, \
	  "unmapping an address that no live memremap returned (double memunmap, or inside one?)", \
	  "memunmap/devm_memunmap of an address no live memremap returned: a second unmap, or an address inside a memremap") \
	X(PAGEMAP_MMIO, "pagemap_mmio", MEMREMAP, PAGEMAP_MMIO,		\
	  "creating struct pages over device MMIO",			\
	  "memremap_pages over device MMIO (a PCI window) for a type that expects host memory") \
	X(PAGEMAP_UNINIT, "pagemap_uninit", MEMREMAP, PAGEMAP_UNINIT,	\
	  "handing memremap_pages a dev_pagemap that is not initialized", \
	  "memremap_pages of a dev_pagemap whose type or range is not set") \
	X(USE_AFTER_UNMAP, "use_after_unmap", IO_MAPPING, USE_AFTER_UNMAP, \
	  "accessing a local/atomic map's page after its unmap",	\
	  "access through a local/atomic map's pointer after its unmap (strategy=window)")

enum iomc_rule {
#define IOMC_RULE_ENUM(id, name, fam, rc, head, desc) IOMC_RULE_##id,
	IOMC_RULES(IOMC_RULE_ENUM)
#undef IOMC_RULE_ENUM
	IOMC_RULE_MAX
};

/* The API family a rule is about (the report's banner names it). */
enum iomc_family {
	IOMC_FAM_IO_MAPPING,
	IOMC_FAM_MEMREMAP,
	IOMC_FAM_ANY,		/* decided by the report (what leaked) */
};

/*
 * How a report reads: one printer per class in lib/report.c. Rules share
 * a class when their reports differ only in the table's words.
 */
#define IOMC_REPORT_CLASSES(X)						\
	X(STACK_ORDER)		/* the map unmapped and the stack's top */ \
	X(SLEEP_ATOMIC)		/* the atomic map held across a sleep */ \
	X(BAD_CALL)		/* the call alone is wrong: no other site */ \
	X(OUT_OF_RANGE)		/* the call and the mapping's size */	\
	X(WRONG_UNMAP)		/* the unmap and where the map was made */ \
	X(CROSS_CONTEXT)	/* ... and by whom */			\
	X(LEAK_ON_FREE)		/* the free and an outstanding map */	\
	X(LEAK_ON_EXIT)		/* the exit (task or interrupt) and the map */ \
	X(USE_AFTER_FREE)	/* the map and where the mapping was freed */ \
	X(DEPTH)		/* the map and where the nest began */	\
	X(LEAK_ON_UNLOAD)	/* the module end and what it left */	\
	X(MR_FLAGS)		/* memremap: why its flags are wrong */	\
	X(MR_REFUSED)		/* memremap: why the kernel refuses it */ \
	X(MR_UNKNOWN_UNMAP)	/* memunmap of what no memremap returned */ \
	X(PAGEMAP_MMIO)		/* memremap_pages over MMIO */		\
	X(PAGEMAP_UNINIT)	/* memremap_pages: what is not set */	\
	X(USE_AFTER_UNMAP)	/* the faulting access, the page's map and unmap */

enum iomc_report_class {
#define IOMC_RC_ENUM(c) IOMC_RC_##c,
	IOMC_REPORT_CLASSES(IOMC_RC_ENUM)
#undef IOMC_RC_ENUM
	IOMC_RC_MAX
};

/*
 * Whether repeats of a violation (same rule, site and map site) fold into
 * the first report, counted. leak_on_unload's never do: a module ends once
 * and each end reports its own leaks (a reload may put the same code at the
 * same address). The BPF dedup, the daemon and the analyzer all ask here.
 */
static inline int iomc_rule_dedups(unsigned int rule)
{
	return rule != IOMC_RULE_LEAK_ON_UNLOAD;
}

/* The kernel's KM_MAX_IDX: how deep kmap_local/iomap_local may nest. */
#define IOMC_DEFAULT_DEPTH_LIMIT 16

#endif /* IOMAP_CHECK_RULES_H */
