/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inputs of `iomap-check analyze`: each file (or stdin) becomes a source
 * that yields its events in timestamp order; analyze_merge.c merges the
 * sources.
 */
#ifndef IOMC_ANALYZE_INPUT_H
#define IOMC_ANALYZE_INPUT_H

#include <stdio.h>
#include "analyze_event.h"
#include "analyze_text.h"

#define AZ_WARN_LINES 5		/* line numbers quoted per kind of bad line */
#define AZ_MAX_LINE (64 * 1024)	/* longer lines are skipped as enormous */

struct az_badlist {
	__u64 count;
	__u64 first[AZ_WARN_LINES];
};

struct az_stats {
	__u64 lines;		/* text lines read */
	__u64 events;		/* events handed to the rules (incl. drops) */
	__u64 iomap_events;	/* of which io_mapping_* */
	__u64 other;		/* well-formed lines of unrelated events */
	__u64 frames;		/* stack frames attached to events */
	__u64 drops;		/* drop markers */
	__u64 lost;		/* events those markers say were lost (when they say) */
	__u64 lost_at_start;	/* overwritten before the trace begins */
	__u64 late;		/* events older than the reorder window */
	struct az_badlist bad;		/* not trace text */
	struct az_badlist malformed;	/* our events with unparsable fields */
	struct az_badlist toolong;	/* longer than AZ_MAX_LINE */
};

struct az_source {
	const char *name;	/* as given on the command line ("-" = stdin) */
	__u32 index;
	enum az_fmt fmt;
	__u32 nr_cpus;		/* from the header, 0 if unknown */
	const char *release;	/* the traced kernel's (recordings), else NULL */
	struct az_stats st;
	/* 1: *ev filled; 0: end of input; -1: error (already reported) */
	int (*next)(struct az_source *src, struct az_event *ev);
	void (*close)(struct az_source *src);
};

/*
 * Open a file: binary formats (trace.dat, daemon recording) are recognized
 * by their magic, anything else is read as text. NULL after printing why.
 */
struct az_source *az_open(const char *path, __u32 index);

/* A text source over a memory buffer (tests and fuzzers). */
struct az_source *az_open_text_mem(const char *name, const char *buf, size_t len, __u32 index);

void az_close(struct az_source *src);

/* Print the per-input warnings (bad lines with their numbers, drops, ...). */
void az_print_warnings(const struct az_source *src, FILE *out);

/* Binary formats (analyze_tracedat.c, analyze_record.c). */
struct az_source *az_open_tracedat(const char *path, int fd, __u32 index);
/*
 * trace.dat is read by libtracecmd in a child process (analyze_tracedat.c).
 * -q: libtracecmd's own messages are not shown (errors still are). A child
 * that makes no progress for AZ_TRACEDAT_STALL seconds is ended. The hook,
 * when set, runs in the child first thing (the fuzzer's sanitizer set-up).
 */
#define AZ_TRACEDAT_STALL 60
void az_tracedat_quiet(int quiet);
void az_tracedat_stall(unsigned int seconds);
extern void (*az_tracedat_child_hook)(void);
struct az_source *az_open_record(const char *path, int fd, __u32 index);
int az_is_tracedat(const unsigned char *magic, size_t n);
int az_is_record(const unsigned char *magic, size_t n);

#endif
