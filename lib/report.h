/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's reports: a violation in full (lockdep-style text or one JSON
 * line), status lines, in-band loss notes and the summary. Formatting only:
 * what to report and when is decided in checkd_main.c.
 *
 * JSON lines, one object per line, each starting with '{':
 *   violation: {"rule", "time", "task": {"comm","pid","tid"}, "cpu",
 *     "context", "op", "mapping", "offset", "vaddr", "site", "map_site",
 *     "held": [{"kind","mapping","offset","vaddr","site","context","tid"}],
 *     "stack": [...], "count", ...}  (no "type" key, like the analyzer's)
 *   {"type":"status","time":..,"message":..}
 *   {"type":"lost","what":..,"count":..}
 *   {"type":"summary", ...}
 */
#ifndef IOMC_CHECKD_REPORT_H
#define IOMC_CHECKD_REPORT_H

#include <linux/types.h>
#include "iomap-check/abi.h"

struct ck_fmt {
	int json;
	const char *release;	/* uname -r */
	const char *version;	/* uname -v */
};

void ck_fmt_init(struct ck_fmt *f, int json);

/* A violation in full. */
void ck_print_violation(const struct ck_fmt *f, const struct iomc_report *r);
/* A status line (attached, waiting, detached...). */
void ck_print_status(const struct ck_fmt *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Loss noticed: 'what' lost 'n' more times (n > 0). */
void ck_print_lost(const struct ck_fmt *f, const char *what, __u64 n,
		   __u64 total);

/* Summary, built up by the caller. */
struct ck_site_count {
	__u32 rule;
	__u64 site, map_site;
	__u64 count;
};

struct ck_summary {
	__u64 rule_count[IOMC_RULE_MAX];
	__u32 rule_sites[IOMC_RULE_MAX];
	struct ck_site_count *sites;
	unsigned int n_sites;
	struct iomc_counters c;
	__u64 misses;		/* program runs the kernel skipped (recursion) */
	__u64 run_ns, run_cnt;	/* kernel BPF stats, 0 if off */
	struct {
		const char *name;
		__u64 runs, ns;
	} prog[32];		/* per program, when BPF stats are on */
	unsigned int n_prog;
	int final;		/* at exit, else on SIGUSR1 */
};

void ck_print_summary(const struct ck_fmt *f, const struct ck_summary *s);

/* Rule name by id, id by name (-1 if unknown). */
const char *ck_rule_name(__u32 rule);
int ck_rule_id(const char *name);
const char *ck_rule_desc(__u32 rule);

#endif
