/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Putting events in timestamp order with memory that does not grow with
 * the input.
 *
 * Within one input the events are already (nearly) in order: the kernel's
 * trace/trace_pipe files and trace-cmd report merge the per-CPU buffers by
 * timestamp, perf script sorts its samples, trace.dat is read per CPU (each
 * CPU's buffer is in order) and the daemon's recording comes from one BPF
 * ring buffer, in which records of different CPUs can be a few entries out
 * of order. So each input passes through a small reorder window (a sorted
 * ring of AZ_WINDOW events: an event is released once AZ_WINDOW newer ones
 * have been read); anything arriving older than what was already released
 * is "late": counted, not checked (it would be checked against state that
 * went past it), and a loss of every CPU. Then the inputs are merged
 * k-way (k = number of files). One file that holds per-CPU traces one
 * after another (`cat per_cpu/cpu*\/trace`) is not "nearly in order": its
 * "# tracer:" blocks are found and merged k-way like files
 * (analyze_input.c, decide_blocks()).
 */
#ifndef IOMC_ANALYZE_ORDER_H
#define IOMC_ANALYZE_ORDER_H

#include "analyze_event.h"
#include "analyze_input.h"

#define AZ_WINDOW 4096
/*
 * A source checks az_window_full() once per input line or record, and one
 * line can push more than one event (the event held back for its stack
 * frames, then a loss marker): the ring has this many slots beyond the
 * window, so such a line never overwrites the oldest event.
 */
#define AZ_WINDOW_SLACK 4

struct az_window {
	struct az_event *ring;	/* size + AZ_WINDOW_SLACK slots */
	size_t size;		/* events held before one is released */
	size_t head, count;
	__u64 last_out_ts;	/* ts of the last released event */
	int released;		/* anything released yet? */
	int late_run;		/* the last event pushed was late */
};

/* A window of AZ_WINDOW events. */
int az_window_init(struct az_window *w);
/* A window of size events (size >= 1). */
int az_window_init_size(struct az_window *w, size_t size);
void az_window_free(struct az_window *w);
static inline int az_window_full(const struct az_window *w)
{
	return w->count >= w->size;
}
/*
 * Insert; at most AZ_WINDOW_SLACK pushes after az_window_full() said 0.
 * Returns 1 if the event is late: older than one already released. A late
 * event is not checked: the first of a run of them becomes a loss of every
 * CPU (a DROP of IOMC_CPU_ALL at its place), the others are left out.
 */
int az_window_push(struct az_window *w, const struct az_event *ev);
/* Release the oldest; 0 if empty. */
int az_window_pop(struct az_window *w, struct az_event *ev);

/* k-way merge over sources. */
struct az_merge;
struct az_merge *az_merge_new(struct az_source **srcs, unsigned int n);
/* 1: *ev is the next event of all inputs; 0: all done; -1: an input failed. */
int az_merge_next(struct az_merge *m, struct az_event *ev);
void az_merge_free(struct az_merge *m);

/* Total order used everywhere: timestamp, then input, then position. */
static inline int az_event_before(const struct az_event *a, const struct az_event *b)
{
	if (a->ev.ts_ns != b->ev.ts_ns)
		return a->ev.ts_ns < b->ev.ts_ns;
	if (a->src != b->src)
		return a->src < b->src;
	return a->seq < b->seq;
}

#endif
