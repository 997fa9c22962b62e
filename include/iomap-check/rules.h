/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The io_mapping and memremap rules: the one list of their ids, names and meanings.
 * Compiled by clang -target bpf (BPF programs), gcc (daemon, analyzer) and
 * read by the tests; plain C, no includes.
 *
 * X(ID, "name", "one-line meaning for --help and reports")
 */
#ifndef IOMAP_CHECK_RULES_H
#define IOMAP_CHECK_RULES_H

#define IOMC_RULES(X)							\
	X(LIFO, "lifo",							\
	  "unmap_local/unmap_atomic of an address that is not the most recent map of its context") \
	X(SLEEP_IN_ATOMIC, "sleep_in_atomic",				\
	  "task switched out voluntarily while holding an atomic map")	\
	X(MIGHT_SLEEP_IN_ATOMIC, "might_sleep_in_atomic",		\
	  "function that may sleep called while an atomic map is held") \
	X(UNALIGNED_OFFSET, "unaligned_offset",				\
	  "map offset is not page aligned")				\
	X(OFFSET_OUT_OF_RANGE, "offset_out_of_range",			\
	  "offset >= size or offset + length > size")			\
	X(UNMAP_MISMATCH, "unmap_mismatch",				\
	  "unmapped with another variant than it was mapped with")	\
	X(UNKNOWN_UNMAP, "unknown_unmap",				\
	  "unmap of an address with no outstanding map (double unmap)") \
	X(CROSS_CONTEXT_UNMAP, "cross_context_unmap",			\
	  "unmapped by another task or context than the one that mapped it") \
	X(LEAK_ON_FREE, "leak_on_free",					\
	  "io_mapping_free/fini while maps of that mapping are outstanding") \
	X(LEAK_ON_EXIT, "leak_on_exit",					\
	  "task exits or interrupt handler returns holding maps")	\
	X(USE_AFTER_FREE, "use_after_free",				\
	  "map of a mapping that was freed")				\
	X(DEPTH_EXCEEDED, "depth_exceeded",				\
	  "local/atomic nesting deeper than the limit")			\
	X(LEAK_ON_UNLOAD, "leak_on_unload",				\
	  "module unloaded (or its load failed) while a mapping it created or a map it took is outstanding")			\
	X(MEMREMAP_BAD_FLAGS, "memremap_bad_flags",			\
	  "memremap flags without a type (WB/WT/WC), with unknown bits, or with both ENC and DEC") \
	X(MEMREMAP_REFUSED, "memremap_refused",				\
	  "memremap WT/WC over System RAM, or over a range mixing System RAM and other resources") \
	X(MEMUNMAP_UNKNOWN, "memunmap_unknown",				\
	  "memunmap/devm_memunmap of an address no live memremap returned (double unmap?)") \
	X(PAGEMAP_MMIO, "pagemap_mmio",					\
	  "memremap_pages over device MMIO (a PCI window) for a type that expects host memory") \
	X(PAGEMAP_UNINIT, "pagemap_uninit",				\
	  "memremap_pages of a dev_pagemap whose type or range is not set")

enum iomc_rule {
#define IOMC_RULE_ENUM(id, name, desc) IOMC_RULE_##id,
	IOMC_RULES(IOMC_RULE_ENUM)
#undef IOMC_RULE_ENUM
	IOMC_RULE_MAX
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
