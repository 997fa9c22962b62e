/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reports of every tool: a violation in full (lockdep-style text or one
 * JSON line), status lines, in-band loss notes and the summary. Formatting
 * only: what to report and when is decided by the caller (the daemon's
 * loop, the analyzer's checker). Symbols and output come from the caller,
 * through struct iomc_report_ops.
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
#ifndef IOMC_LIB_REPORT_H
#define IOMC_LIB_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "iomap-check/abi.h"
#include "rule_info.h"

/* What the printer needs from its user. */
struct iomc_report_ops {
	/* addr -> "func+0xoff/0xlen [mod]" (ksyms.h's spelling) in buf */
	const char *(*symbolize)(void *ctx, __u64 addr, char *buf, size_t len);
	/* one complete message (lines ending in \n) in the main format */
	void (*write)(void *ctx, const char *text, size_t len, int syslog_prio);
	/* NULL, or a second sink that takes every report as a JSON line too */
	void (*write_json)(void *ctx, const char *text, size_t len);
	void *ctx;
};

struct iomc_fmt {
	int json;
	int live;		/* reports of the running kernel: print its taint */
	const char *release;	/* the kernel's release (uname -r) */
	const char *version;	/* and version (uname -v) */
	struct iomc_report_ops ops;
};

/* Reports about the running kernel (the daemon). */
void iomc_fmt_init(struct iomc_fmt *f, int json, const struct iomc_report_ops *ops);
/*
 * Reports about a kernel that ran elsewhere or earlier (the analyzer):
 * release as the trace or recording names it (NULL: unknown), no taint.
 */
void iomc_fmt_init_post_mortem(struct iomc_fmt *f, int json, const char *release,
			     const struct iomc_report_ops *ops);

/* A violation in full. */
void iomc_print_violation(const struct iomc_fmt *f, const struct iomc_report *r);
/* A status line (attached, waiting, detached...). */
void iomc_print_status(const struct iomc_fmt *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Loss noticed: 'what' lost 'n' more times (n > 0). */
void iomc_print_lost(const struct iomc_fmt *f, const char *what, __u64 n,
		   __u64 total);
/* The same at a trace's own time (post-mortem: not this machine's clock). */
void iomc_print_lost_at(const struct iomc_fmt *f, const char *what, __u64 n,
		      __u64 total, __u64 ts_ns);

/* Summary, built up by the caller. */
struct iomc_site_count {
	__u32 rule;
	__u64 site, map_site;
	__u64 count;
};

struct iomc_summary {
	__u64 rule_count[IOMC_RULE_MAX];
	__u32 rule_sites[IOMC_RULE_MAX];
	struct iomc_site_count *sites;
	unsigned int n_sites;
	struct iomc_counters c;
	__u64 misses;		/* program runs the kernel skipped (recursion) */
	__u64 out_lost;		/* messages an output could not take (write errors) */
	__u64 rec_lost;		/* events --record could not write */
	__u64 run_ns, run_cnt;	/* kernel BPF stats, 0 if off */
	struct {
		const char *name;
		__u64 runs, ns;
	} prog[32];		/* per program, when BPF stats are on */
	unsigned int n_prog;
	int final;		/* at exit, else on SIGUSR1 */
};

void iomc_print_summary(const struct iomc_fmt *f, const struct iomc_summary *s);

/* s as a JSON string, quoted; control and non-ASCII bytes as \u00XX. */
void iomc_json_str(FILE *f, const char *s);

#endif /* IOMC_LIB_REPORT_H */
