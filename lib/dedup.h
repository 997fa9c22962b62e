/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Report dedup: each (rule, site, map site) is reported in full once and
 * its repeats are counted. The BPF programs keep the kernel's side of it
 * (their `seen` map, so repeats cost no userspace work); this table is the
 * userspace side, for the daemon (keys the kernel table could not hold,
 * --all) and the analyzer, and it builds the summary's per-site counts.
 *
 * Bounded: at most IOMC_DEDUP_MAX keys (about 32 bytes each). Beyond that a
 * new key is not stored: it is reported (it is new), counted in
 * iomc_dedup.overflow, and its repeats are reported again.
 */
#ifndef IOMC_LIB_DEDUP_H
#define IOMC_LIB_DEDUP_H

#include <stddef.h>
#include <linux/types.h>

#define IOMC_DEDUP_MAX (1U << 20)

struct iomc_dedup_ent {
	__u32 rule;
	__u64 site, map_site;
	__u64 count;		/* 0: empty slot */
};

struct iomc_dedup {
	struct iomc_dedup_ent *ent;
	size_t mask, n;
	__u64 overflow;		/* keys not stored (table full or no memory) */
};

/*
 * Add n occurrences of the key; the count after them, or 0 when the key
 * could not be stored (counted in overflow: treat it as new).
 */
__u64 iomc_dedup_add(struct iomc_dedup *d, __u32 rule, __u64 site, __u64 map_site, __u64 n);
void iomc_dedup_free(struct iomc_dedup *d);

struct iomc_summary;
/*
 * The summary's per-rule and per-site counts from the table (sites sorted
 * by rule, then most frequent first). 0, or -ENOMEM. The caller frees
 * s->sites.
 */
int iomc_dedup_summarize(const struct iomc_dedup *d, struct iomc_summary *s);

#endif
