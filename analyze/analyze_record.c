// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iomap-checkd --record files: struct iomc_rec_header, then struct
 * iomc_event records back to back (include/iomap-check/abi.h). Another
 * version or record size is refused: the layout is only ours to read when
 * it is exactly the one compiled in.
 *
 * Records come from one BPF ring buffer shared by all CPUs, so records of
 * different CPUs can be slightly out of timestamp order: they go through
 * the reorder window. Call sites are kernel addresses; they are symbolized
 * (az_symbolize, analyze_ksyms.c) and interned like text sites.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze_input.h"
#include "analyze_ksyms.h"
#include "analyze_order.h"

#define REC_BATCH 4096	/* records per read() */

struct rec_src {
	struct az_source base;
	int fd, eof;
	struct iomc_rec_header hdr;
	struct iomc_event *buf;
	size_t n, pos;		/* records in buf, next one */
	size_t partial;		/* bytes of an incomplete record at buf[n] */
	__u64 seq, nrec, last_ts;
	/* a loss to emit for an invalid record (pending_drop) */
	struct az_event drop;
	int pending_drop;
	struct az_window win;
};

int az_is_record(const unsigned char *m, size_t n)
{
	return n >= sizeof(IOMC_REC_MAGIC) && !memcmp(m, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC));
}

static ssize_t read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* Refill buf; 0 at the end, -1 on error. */
static int refill(struct rec_src *r)
{
	size_t want = REC_BATCH * sizeof(struct iomc_event);
	char *base = (char *)r->buf;
	ssize_t got;

	if (r->eof)
		return 0;
	/* an incomplete record from the previous read moves to the front */
	if (r->partial)
		memmove(base, base + r->n * sizeof(struct iomc_event), r->partial);
	got = read_full(r->fd, base + r->partial, want - r->partial);
	if (got < 0) {
		fprintf(stderr, "iomap-check: %s: read: %s\n", r->base.name, strerror(errno));
		return -1;
	}
	if ((size_t)got < want - r->partial)
		r->eof = 1;
	got += r->partial;
	r->n = got / sizeof(struct iomc_event);
	r->partial = got % sizeof(struct iomc_event);
	r->pos = 0;
	if (r->eof && r->partial) {
		/* the recorder was killed mid-write: the tail is not a record */
		r->base.st.malformed.count++;
		r->base.st.malformed.first[0] = r->nrec + r->n + 1;
		r->partial = 0;
	}
	return r->n > 0;
}

/* A record of this version, from one of the recorded kernel's CPUs. */
static int valid(const struct rec_src *r, const struct iomc_event *ev)
{
	__u32 ncpus = r->hdr.ncpus && r->hdr.ncpus < AZ_MAX_CPUS ? r->hdr.ncpus : AZ_MAX_CPUS;

	int mr = ev->type == IOMC_EV_MEMREMAP || ev->type == IOMC_EV_MEMUNMAP ||
		 ev->type == IOMC_EV_PAGEMAP;

	return ev->type >= IOMC_EV_CREATE && ev->type < IOMC_EV_MAX &&
	       ev->kind < (mr ? IOMC_MR_API_MAX : IOMC_KIND_MAX) &&
	       ev->ctx < IOMC_CTX_MAX && ev->cpu < ncpus;
}

static void push(struct rec_src *r, struct az_event *ev)
{
	ev->seq = r->seq++;
	ev->src = r->base.index;
	if (az_window_push(&r->win, ev))
		r->base.st.late++;
	r->base.st.events++;
	if (ev->ev.type <= IOMC_EV_UNMAP)
		r->base.st.iomap_events++;
}

/*
 * An invalid record is a lost event: its CPU's state is forgotten, as after
 * a DROP record (keeping it would report a false lifo or unknown_unmap).
 * When the CPU field itself is out of range, the loss is of an unknown CPU
 * (IOMC_CPU_ALL: every CPU forgets): one marker per bad record, whatever
 * the header says about the CPU count.
 */
static void drop_for_invalid(struct rec_src *r, const struct iomc_event *bad)
{
	__u32 ncpus = r->hdr.ncpus && r->hdr.ncpus < AZ_MAX_CPUS ? r->hdr.ncpus : AZ_MAX_CPUS;

	r->base.st.drops++;
	r->base.st.lost++;
	memset(&r->drop, 0, sizeof(r->drop));
	r->drop.ev.type = IOMC_EV_DROP;
	r->drop.ev.cpu = bad->cpu < ncpus ? bad->cpu : IOMC_CPU_ALL;
	r->drop.ev.ts_ns = r->last_ts;
	r->drop.ev.arg = 1;
	r->drop.line = r->nrec;
	r->pending_drop = 1;
}

static int rec_next(struct az_source *src, struct az_event *out)
{
	struct rec_src *r = (struct rec_src *)src;

	while (!az_window_full(&r->win)) {
		struct az_event ev;

		if (r->pending_drop) {
			r->pending_drop = 0;
			push(r, &r->drop);
			continue;
		}
		if (r->pos == r->n) {
			int k = refill(r);

			if (k < 0)
				return -1;
			if (!k)
				break;
		}
		memset(&ev, 0, sizeof(ev));
		ev.ev = r->buf[r->pos++];
		r->nrec++;
		if (!valid(r, &ev.ev)) {
			if (src->st.malformed.count < AZ_WARN_LINES)
				src->st.malformed.first[src->st.malformed.count] = r->nrec;
			src->st.malformed.count++;
			drop_for_invalid(r, &ev.ev);
			continue;
		}
		r->last_ts = ev.ev.ts_ns;
		ev.ev.comm[IOMC_COMM_LEN - 1] = 0;
		ev.ev.caller = az_symbolize(ev.ev.caller);
		if (ev.ev.type == IOMC_EV_MIGHT_SLEEP)	/* arg: the function entered */
			ev.ev.arg = az_symbolize(ev.ev.arg);
		if (ev.ev.type == IOMC_EV_DROP) {
			src->st.drops++;
			src->st.lost += ev.ev.arg;
		}
		ev.line = r->nrec;	/* record number, for messages */
		push(r, &ev);
	}
	return az_window_pop(&r->win, out);
}

static void rec_close(struct az_source *src)
{
	struct rec_src *r = (struct rec_src *)src;

	if (r->fd > 0)
		close(r->fd);
	az_window_free(&r->win);
	free(r->buf);
	free(r);
}

struct az_source *az_open_record(const char *path, int fd, __u32 index)
{
	struct rec_src *r = calloc(1, sizeof(*r));
	ssize_t got;

	if (!r || az_window_init(&r->win) ||
	    !(r->buf = malloc(REC_BATCH * sizeof(struct iomc_event)))) {
		fprintf(stderr, "iomap-check: out of memory\n");
		goto fail;
	}
	r->fd = fd;
	r->base.name = path;
	r->base.index = index;
	r->base.fmt = AZ_FMT_RECORD;
	r->base.next = rec_next;
	r->base.close = rec_close;
	got = read_full(fd, &r->hdr, sizeof(r->hdr));
	if (got != (ssize_t)sizeof(r->hdr)) {
		fprintf(stderr, "iomap-check: %s: recording header cut short\n", path);
		goto fail;
	}
	if (r->hdr.version != IOMC_REC_VERSION) {
		fprintf(stderr, "iomap-check: %s: recording format version %u; this iomap-check "
			"reads version %u only\n", path, r->hdr.version, IOMC_REC_VERSION);
		goto fail;
	}
	if (r->hdr.event_size != sizeof(struct iomc_event)) {
		fprintf(stderr, "iomap-check: %s: records of %u bytes, expected %zu: not a "
			"recording of this version\n", path, r->hdr.event_size,
			sizeof(struct iomc_event));
		goto fail;
	}
	r->hdr.release[sizeof(r->hdr.release) - 1] = 0;
	r->base.nr_cpus = r->hdr.ncpus;
	r->base.release = r->hdr.release;
	az_ksyms_expect_release(r->hdr.release);
	return &r->base;
fail:
	if (r) {
		r->fd = -1;
		az_window_free(&r->win);
		free(r->buf);
		free(r);
	}
	close(fd);
	return NULL;
}
