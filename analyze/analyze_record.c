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
	struct az_file file;
	int eof;
	const unsigned char *lead;	/* bytes read before us (at open only) */
	size_t nlead;
	struct iomc_rec_header hdr;
	struct iomc_event *buf;	/* allocated at the first read */
	size_t cap;		/* records it holds */
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

/* n bytes unless the input ends first; -1 after saying why. */
static ssize_t read_full(struct rec_src *r, void *p, size_t n)
{
	size_t got = 0;

	if (r->nlead) {
		got = n < r->nlead ? n : r->nlead;
		memcpy(p, r->lead, got);
		r->lead += got;
		r->nlead -= got;
	}
	while (got < n) {
		ssize_t k = az_file_read(&r->file, (char *)p + got, n - got);

		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += k;
	}
	return got;
}

/* Refill buf; 0 at the end, -1 on error. */
static int refill(struct rec_src *r)
{
	size_t want;
	char *base;
	ssize_t got;

	if (r->eof)
		return 0;
	if (!r->buf) {
		/* a small recording gets a buffer of its size, at its first read */
		__u64 left = r->file.size > r->file.off ? r->file.size - r->file.off : 0;

		r->cap = r->file.size && left / sizeof(struct iomc_event) + 1 < REC_BATCH ?
			 left / sizeof(struct iomc_event) + 1 : REC_BATCH;
		r->buf = malloc(r->cap * sizeof(struct iomc_event));
		if (!r->buf) {
			fprintf(stderr, "iomap-check: %s: out of memory\n", r->base.name);
			return -1;
		}
	}
	want = r->cap * sizeof(struct iomc_event);
	base = (char *)r->buf;
	/* an incomplete record from the previous read moves to the front */
	if (r->partial)
		memmove(base, base + r->n * sizeof(struct iomc_event), r->partial);
	got = read_full(r, base + r->partial, want - r->partial);
	if (got < 0)
		return -1;
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
	if (az_ev_checked(ev->ev.type))
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

	/* the reorder window is reserved when the input is first read */
	if (!r->win.ring && az_window_init(&r->win)) {
		fprintf(stderr, "iomap-check: %s: out of memory\n", src->name);
		return -1;
	}
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

	az_file_close(&r->file);
	az_window_free(&r->win);
	free(r->buf);
	free(r);
}

struct az_source *az_open_record_pre(const char *path, int fd, __u32 index, const void *pre,
				     size_t npre)
{
	struct rec_src *r = calloc(1, sizeof(*r));
	ssize_t got;

	if (!r) {
		fprintf(stderr, "iomap-check: %s: out of memory\n", path);
		if (strcmp(path, "-"))
			close(fd);
		return NULL;
	}
	r->base.name = path;
	r->base.index = index;
	r->base.fmt = AZ_FMT_RECORD;
	r->base.next = rec_next;
	r->base.close = rec_close;
	if (az_file_init(&r->file, path, fd)) {
		r->file.fd = fd;
		goto fail;
	}
	r->file.off = npre;	/* where fd stands: behind the bytes read before */
	r->lead = pre;
	r->nlead = npre;
	got = read_full(r, &r->hdr, sizeof(r->hdr));
	if (got < 0)
		goto fail;
	if (got != (ssize_t)sizeof(r->hdr)) {
		fprintf(stderr, "iomap-check: %s: recording header cut short\n", path);
		goto fail;
	}
	if (r->nlead) {
		fprintf(stderr, "iomap-check: %s: internal error: %zu bytes read ahead\n", path,
			r->nlead);
		goto fail;
	}
	r->lead = NULL;
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
	rec_close(&r->base);
	return NULL;
}

struct az_source *az_open_record(const char *path, int fd, __u32 index)
{
	return az_open_record_pre(path, fd, index, NULL, 0);
}
