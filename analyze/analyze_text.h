/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One line of trace text -> one normalized event (or a verdict on why not).
 *
 * The three text formats share one line grammar, so a single parser reads
 * them all and reports which shape it saw (the per-file format is detected
 * from those verdicts and the header lines):
 *
 *   ftrace trace / trace_pipe:
 *	<comm>-<pid> [(<tgid>|-------)] [<cpu>] [<flags>] <ts>: <event>: <fields>
 *   trace-cmd report (first line "cpus=N"; -l puts "<cpu><flags>" instead):
 *	[<buffer>: ]<comm>-<pid> [<cpu>] [<flags>] <ts>:[ (+diff)] <event>: <fields>
 *   perf script:
 *	<comm> <pid>[/<tid>] [<cpu>] <ts>: <system>:<event>: <fields>
 *	followed by call-chain lines "\t <hexaddr> <sym> (<dso>)"
 *
 * <ts> is secs.fraction (µs or ns, by the number of digits) or a raw counter
 * (trace_clock counter, x86-tsc, ...), taken as is. The parser never reads
 * outside [s, s + n) and needs no NUL terminator.
 */
#ifndef IOMC_ANALYZE_TEXT_H
#define IOMC_ANALYZE_TEXT_H

#include <stddef.h>
#include <linux/types.h>
#include "iomap-check/abi.h"

/*
 * CPU numbers at or above this are not trace text but garbage: x86's
 * largest CONFIG_NR_CPUS. (The rule engine keeps per-CPU interrupt state:
 * a bogus CPU number must not make it allocate for millions of CPUs.)
 */
#define AZ_MAX_CPUS 8192

enum az_fmt {
	AZ_FMT_UNKNOWN = 0,
	AZ_FMT_FTRACE,		/* /sys/kernel/tracing/trace or trace_pipe */
	AZ_FMT_TCREPORT,	/* trace-cmd report */
	AZ_FMT_PERF,		/* perf script */
	AZ_FMT_TRACEDAT,	/* trace-cmd trace.dat (binary, libtracecmd) */
	AZ_FMT_RECORD,		/* iomap-checkd --record file (binary) */
};

const char *az_fmt_name(enum az_fmt f);

enum az_line {
	AZ_LINE_EVENT,		/* out->ev holds an event the rules use */
	AZ_LINE_OTHER,		/* a well-formed trace line of an unrelated event */
	AZ_LINE_META,		/* blank, '#' comment/header, "cpus=N" */
	AZ_LINE_STACK,		/* "<stack trace>": frames follow (ev.cpu, ev.tid; arg 1 = user stack) */
	AZ_LINE_FRAME,		/* one stack frame: out->frame is its interned site */
	AZ_LINE_DROP,		/* events lost: ev.type = IOMC_EV_DROP, ev.cpu, ev.arg = count or 0 */
	AZ_LINE_BAD,		/* not trace text at all */
	AZ_LINE_MALFORMED,	/* an event the rules use that does not parse (cut short, a damaged
				 * header): a loss on ev.cpu, IOMC_CPU_ALL if not known */
};

struct az_parsed {
	struct iomc_event ev;
	__u64 frame;		/* AZ_LINE_FRAME */
	enum az_fmt fmt;	/* shape seen on this line, AZ_FMT_UNKNOWN if none */
	__u32 nr_cpus;		/* META "#P:N" or "cpus=N", else 0 */
	__u32 block_start;	/* META "# tracer: ...": an ftrace file's first line */
	__u64 lost_at_start;	/* META "entries-in-buffer/entries-written: A/B": B - A */
};

/* Parse s[0..n) (no trailing newline needed; a trailing '\r' is ignored). */
enum az_line az_parse_line(const char *s, size_t n, struct az_parsed *out);
/* The same without the fast path for ftrace's own layout: the tests and
 * fuzz targets check that both give the same verdict and event. */
enum az_line az_parse_line_general(const char *s, size_t n, struct az_parsed *out);

#endif
