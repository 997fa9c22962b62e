/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Parallel parsing of one text input: worker threads each take the next
 * block of whole lines from the file (in turn, under a lock) and parse it
 * with az_parse_line(); the consumer takes the parsed lines back in file
 * order. Everything with state (stack frames, drop markers, line numbers,
 * the reorder window, the rules) stays in the one consumer thread, so the
 * result is the same as a sequential read; only the per-line work, nearly
 * all of the analyzer's time on a large trace, is spread over the CPUs.
 * Memory: a fixed number of blocks in flight, whatever the file size.
 */
#ifndef IOMC_ANALYZE_PAR_H
#define IOMC_ANALYZE_PAR_H

#include "analyze_text.h"

#define AZ_PAR_TOOLONG 100	/* verdict of a line longer than AZ_MAX_LINE */

struct az_par_rec {
	int verdict;		/* enum az_line, or AZ_PAR_TOOLONG */
	int unterminated;	/* the file's last line, without its newline */
	struct az_parsed p;
};

struct az_par;

/* nworkers >= 1 threads reading fd; NULL on failure (then read it yourself). */
struct az_par *az_par_start(int fd, const char *name, int nworkers);
/* 1: *rec is the next line (valid until the next call); 0: end; -1: error. */
int az_par_next(struct az_par *p, const struct az_par_rec **rec);
/* Stop and join the workers (fd is left open). */
void az_par_stop(struct az_par *p);
/* Worker threads to use for an input: IOMC_ANALYZE_THREADS, else the CPUs. */
int az_par_workers(void);

#endif
