// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reorder window and k-way merge; see analyze_order.h for why they suffice. */
#include <stdlib.h>
#include <string.h>
#include "analyze_order.h"

#define RING(w) ((w)->size + AZ_WINDOW_SLACK)

/* Slot i after the head; no division (the ring size is not a power of 2). */
static inline size_t ring_idx(const struct az_window *w, size_t i)
{
	size_t k = w->head + i, n = RING(w);

	return k >= n ? k - n : k;
}
#define SLOT(w, i) (&(w)->ring[ring_idx(w, i)])

int az_window_init_size(struct az_window *w, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->size = size ? size : 1;
	w->ring = malloc(sizeof(*w->ring) * RING(w));
	return w->ring ? 0 : -1;
}

int az_window_init(struct az_window *w)
{
	return az_window_init_size(w, AZ_WINDOW);
}

void az_window_free(struct az_window *w)
{
	free(w->ring);
	w->ring = NULL;
}

int az_window_push(struct az_window *w, const struct az_event *ev)
{
	size_t i = w->count;
	int late = w->released && ev->ev.ts_ns < w->last_out_ts;
	struct az_event loss;

	if (w->count == RING(w)) {
		/* a source broke the AZ_WINDOW_SLACK promise: never overwrite */
		abort();
	}
	if (late) {
		/*
		 * Older than an event already released: checked now, after
		 * what followed it, it would be checked against state that
		 * went past it. It is lost instead; a run of late events is
		 * one loss of every CPU (each CPU's state may have gone past).
		 */
		if (w->late_run)
			return 1;
		w->late_run = 1;
		memset(&loss, 0, sizeof(loss));
		loss.ev.type = IOMC_EV_DROP;
		loss.ev.cpu = IOMC_CPU_ALL;
		loss.ev.ts_ns = ev->ev.ts_ns;
		loss.seq = ev->seq;
		loss.line = ev->line;
		loss.src = ev->src;
		ev = &loss;
	} else {
		w->late_run = 0;
	}

	if (w->count && az_event_before(ev, SLOT(w, 0))) {
		/* older than all it holds (a late event, mostly): in front, O(1) */
		w->head = w->head ? w->head - 1 : RING(w) - 1;
		w->ring[w->head] = *ev;
		w->count++;
		return late;
	}
	/*
	 * Insertion from the tail: O(1) for the in-order common case, a short
	 * shift for the rare event that is a little out of order.
	 */
	while (i > 0 && az_event_before(ev, SLOT(w, i - 1))) {
		*SLOT(w, i) = *SLOT(w, i - 1);
		i--;
	}
	*SLOT(w, i) = *ev;
	w->count++;
	return late;
}

int az_window_pop(struct az_window *w, struct az_event *ev)
{
	if (!w->count)
		return 0;
	*ev = w->ring[w->head];
	w->head = w->head + 1 == RING(w) ? 0 : w->head + 1;
	w->count--;
	if (!w->released || ev->ev.ts_ns > w->last_out_ts)
		w->last_out_ts = ev->ev.ts_ns;
	w->released = 1;
	return 1;
}

/*
 * k is the number of files on the command line, small: a linear scan for
 * the smallest head is cheaper than keeping a heap, and with one input
 * (the common case) the merge is a plain pass-through.
 */
struct az_merge {
	unsigned int n;
	struct az_source **srcs;
	struct az_event *head;	/* next event of each source */
	unsigned char *live;	/* head[i] valid */
};

struct az_merge *az_merge_new(struct az_source **srcs, unsigned int n)
{
	struct az_merge *m = calloc(1, sizeof(*m));
	unsigned int i;

	if (!m)
		return NULL;
	m->n = n;
	m->srcs = srcs;
	m->head = calloc(n ? n : 1, sizeof(*m->head));
	m->live = calloc(n ? n : 1, 1);
	if (!m->head || !m->live) {
		az_merge_free(m);
		return NULL;
	}
	for (i = 0; i < n; i++)
		m->live[i] = 2;	/* not fetched yet */
	return m;
}

int az_merge_next(struct az_merge *m, struct az_event *ev)
{
	unsigned int i, best = m->n;

	if (m->n == 1) {
		int r;

		if (!m->live[0])
			return 0;
		r = m->srcs[0]->next(m->srcs[0], ev);
		if (r != 1)
			m->live[0] = 0;
		return r;
	}
	for (i = 0; i < m->n; i++) {
		if (m->live[i] == 2) {
			int r = m->srcs[i]->next(m->srcs[i], &m->head[i]);

			if (r < 0)
				return -1;
			m->live[i] = r == 1;
		}
		if (m->live[i] && (best == m->n || az_event_before(&m->head[i], &m->head[best])))
			best = i;
	}
	if (best == m->n)
		return 0;
	*ev = m->head[best];
	m->live[best] = 2;
	return 1;
}

void az_merge_free(struct az_merge *m)
{
	if (!m)
		return;
	free(m->head);
	free(m->live);
	free(m);
}
