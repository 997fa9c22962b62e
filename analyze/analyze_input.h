/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inputs of `iomap-check analyze`: each file (or stdin) becomes a source
 * that yields its events in timestamp order; az_merge (analyze_order.c)
 * merges the sources.
 */
#ifndef IOMC_ANALYZE_INPUT_H
#define IOMC_ANALYZE_INPUT_H

#include <stdio.h>
#include <sys/types.h>
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
	__u64 iomap_events;	/* of which checked kinds (az_ev_checked) */
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

/*
 * An input file read sequentially. A regular file opened by its path is
 * closed when too many inputs are open at once (the least recently read
 * first) and reopened where it stopped, so that any number of inputs fits
 * in RLIMIT_NOFILE; its device and inode must then be the same (else it
 * was replaced: an error). Pipes, stdin and devices stay open (pinned).
 */
struct az_file {
	const char *path;	/* for messages and reopening */
	int fd;			/* -1: parked (or never had one) */
	int pinned;		/* never parked */
	__u64 off;		/* bytes read so far */
	dev_t dev;
	ino_t ino;
	__u64 size;		/* st_size at open (regular files), else 0 */
	int regular;		/* a regular file: pread works */
	struct az_file *prev, *next;	/* LRU of open, parkable files */
};

/* Take over fd (open on path, nothing read yet); 0, or -1 after saying why. */
int az_file_init(struct az_file *f, const char *path, int fd);
/* read(2) of up to n bytes, reopening a parked file; -1 after saying why. */
ssize_t az_file_read(struct az_file *f, void *buf, size_t n);
/*
 * pread(2) of up to n bytes at off (regular files), reopening a parked
 * file; f->off (where az_file_read goes on) does not move. -1 after saying
 * why.
 */
ssize_t az_file_pread(struct az_file *f, void *buf, size_t n, __u64 off);
/* The fd, for a reader that keeps it (parser threads): never parked again. */
int az_file_pin(struct az_file *f);
void az_file_close(struct az_file *f);
/* Most parkable files open at once (half of RLIMIT_NOFILE, 4..256). */
unsigned int az_file_open_max(void);

/* Event types the rules check: io_mapping_* and memremap/memunmap/pagemap. */
static inline int az_ev_checked(__u32 type)
{
	return (type >= IOMC_EV_CREATE && type <= IOMC_EV_UNMAP) || type == IOMC_EV_MEMREMAP ||
	       type == IOMC_EV_MEMUNMAP || type == IOMC_EV_PAGEMAP;
}

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
/* The same, when the first npre bytes of fd were already read into pre. */
struct az_source *az_open_record_pre(const char *path, int fd, __u32 index, const void *pre,
				     size_t npre);
int az_is_tracedat(const unsigned char *magic, size_t n);
int az_is_record(const unsigned char *magic, size_t n);

#endif
