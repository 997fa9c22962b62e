// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Text inputs: read in large blocks, split into lines in place (no copy, no
 * per-line allocation), parse, attach stack frames to the event they follow,
 * and release events through the reorder window. Also: opening a path and
 * telling binary formats from text by their first bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze_input.h"
#include "analyze_order.h"
#include "analyze_par.h"
#include "analyze_syms.h"

#define AZ_READ_BLOCK (1024 * 1024)

struct text_src {
	struct az_source base;
	int fd;			/* -1: memory input */
	struct az_par *par;	/* parser threads, when used */
	char *buf;		/* fd inputs: read buffer */
	const char *data;	/* buf, or the caller's memory */
	size_t len, pos;	/* valid bytes in data, parse position */
	int eof, skipping;	/* skipping: inside an enormous line */
	int unterminated;	/* the line being handled has no newline: cut off */
	__u64 lineno, seq, last_ts;
	struct az_window win;
	/* the last event, held back until its stack frames (if any) are read */
	struct az_event pending;
	int have_pending;
	int frames_to;		/* 1: frames belong to pending; 0: ignore them */
	unsigned int nframes;
	__u64 frames[AZ_STACK_MAX];
};

static void note_bad(struct az_badlist *b, __u64 line)
{
	if (b->count < AZ_WARN_LINES)
		b->first[b->count] = line;
	b->count++;
}

static void push_event(struct text_src *t, struct az_event *ev)
{
	ev->seq = t->seq++;
	ev->src = t->base.index;
	if (az_window_push(&t->win, ev))
		t->base.st.late++;
	t->base.st.events++;
	if (ev->ev.type >= IOMC_EV_CREATE && ev->ev.type <= IOMC_EV_UNMAP)
		t->base.st.iomap_events++;
}

static void flush_pending(struct text_src *t)
{
	if (!t->have_pending)
		return;
	t->pending.stack = az_stack_intern(t->frames, t->nframes);
	t->base.st.frames += t->nframes;
	push_event(t, &t->pending);
	t->have_pending = 0;
	t->nframes = 0;
}

static void update_fmt(struct text_src *t, enum az_fmt f)
{
	/* trace-cmd report and perf are told apart by details ftrace lacks */
	if (f != AZ_FMT_UNKNOWN && (t->base.fmt == AZ_FMT_UNKNOWN || t->base.fmt == AZ_FMT_FTRACE))
		t->base.fmt = f;
}

/* One parsed line, in file order (t->lineno is its number). */
static void handle_parsed(struct text_src *t, enum az_line r, const struct az_parsed *pp)
{
	struct az_event ev;

	update_fmt(t, pp->fmt);
	/*
	 * A last line without its newline was cut off (a copy of a file still
	 * being written, a truncated log): its last field, the call site, may
	 * be incomplete, so the event is not trusted.
	 */
	if (t->unterminated && r == AZ_LINE_EVENT)
		r = AZ_LINE_MALFORMED;
	switch (r) {
	case AZ_LINE_EVENT:
		flush_pending(t);
		memset(&t->pending, 0, sizeof(t->pending));
		t->pending.ev = pp->ev;
		t->pending.line = t->lineno;
		t->have_pending = 1;
		t->frames_to = 1;	/* perf's call chain follows directly */
		t->last_ts = pp->ev.ts_ns;
		break;
	case AZ_LINE_STACK:
		/* ftrace: "<stack trace>" is its own entry, right after the event */
		t->frames_to = t->have_pending && !pp->ev.arg && pp->ev.cpu == t->pending.ev.cpu &&
			       !t->nframes;
		break;
	case AZ_LINE_FRAME:
		if (t->frames_to && t->have_pending && t->nframes < AZ_STACK_MAX)
			t->frames[t->nframes++] = pp->frame;
		break;
	case AZ_LINE_OTHER:
		flush_pending(t);
		t->frames_to = 0;
		t->base.st.other++;
		t->last_ts = pp->ev.ts_ns;
		break;
	case AZ_LINE_DROP:
		/*
		 * The marker has no timestamp; it stands where the loss was
		 * noticed, i.e. just after the previous line's event.
		 */
		flush_pending(t);
		t->frames_to = 0;
		memset(&ev, 0, sizeof(ev));
		ev.ev = pp->ev;
		ev.ev.ts_ns = t->last_ts;
		ev.line = t->lineno;
		t->base.st.drops++;
		t->base.st.lost += pp->ev.arg;
		push_event(t, &ev);
		break;
	case AZ_LINE_META:
		if (pp->nr_cpus)
			t->base.nr_cpus = pp->nr_cpus;
		if (pp->lost_at_start && !t->base.st.lost_at_start) {
			/*
			 * ftrace overwrote the oldest events: each CPU's history
			 * before the first line is unknown, as after a drop. One
			 * marker for every CPU: "#P:" is input, nothing is sized
			 * from it.
			 */
			t->base.st.lost_at_start = pp->lost_at_start;
			memset(&ev, 0, sizeof(ev));
			ev.ev.type = IOMC_EV_DROP;
			ev.ev.cpu = IOMC_CPU_ALL;
			ev.line = t->lineno;
			t->base.st.drops++;
			push_event(t, &ev);
		}
		break;
	case AZ_LINE_BAD:
		flush_pending(t);
		t->frames_to = 0;
		note_bad(&t->base.st.bad, t->lineno);
		break;
	case AZ_LINE_MALFORMED:
		/*
		 * One of our events whose fields do not parse: the event is
		 * lost, so its CPU's state is forgotten as after a drop marker
		 * (keeping it would report a false lifo or unknown_unmap).
		 * The CPU column and timestamp parsed before the fields did.
		 */
		flush_pending(t);
		t->frames_to = 0;
		note_bad(&t->base.st.malformed, t->lineno);
		memset(&ev, 0, sizeof(ev));
		ev.ev.type = IOMC_EV_DROP;
		ev.ev.cpu = pp->ev.cpu;
		ev.ev.ts_ns = pp->ev.ts_ns ? pp->ev.ts_ns : t->last_ts;
		ev.ev.arg = 1;
		ev.line = t->lineno;
		t->base.st.drops++;
		t->base.st.lost++;
		push_event(t, &ev);
		break;
	}
}

/* Next complete line; 0 at end of input, -1 on a read error. */
static int get_line(struct text_src *t, const char **line, size_t *n)
{
	for (;;) {
		if (t->pos < t->len) {
			const char *s = t->data + t->pos;
			const char *nl = memchr(s, '\n', t->len - t->pos);

			if (nl) {
				t->pos = nl + 1 - t->data;
				t->lineno++;
				if (t->skipping || (size_t)(nl - s) > AZ_MAX_LINE) {
					t->skipping = 0;
					note_bad(&t->base.st.toolong, t->lineno);
					continue;
				}
				*line = s;
				*n = nl - s;
				return 1;
			}
			if (t->skipping || t->len - t->pos > AZ_MAX_LINE) {
				t->skipping = 1;
				t->pos = t->len;
			}
		}
		if (t->eof) {
			if (t->skipping) {
				t->skipping = 0;
				t->lineno++;
				note_bad(&t->base.st.toolong, t->lineno);
				return 0;
			}
			if (t->pos < t->len) {
				/* last line without a newline (a cut-off file) */
				*line = t->data + t->pos;
				*n = t->len - t->pos;
				t->pos = t->len;
				t->lineno++;
				t->unterminated = 1;
				return 1;
			}
			return 0;
		}
		/* refill: keep the partial line, read behind it */
		if (t->pos) {
			memmove(t->buf, t->buf + t->pos, t->len - t->pos);
			t->len -= t->pos;
			t->pos = 0;
		}
		for (;;) {
			ssize_t r = read(t->fd, t->buf + t->len, AZ_READ_BLOCK + AZ_MAX_LINE - t->len);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				fprintf(stderr, "iomap-check: %s: read: %s\n", t->base.name,
					strerror(errno));
				return -1;
			}
			if (r == 0)
				t->eof = 1;
			t->len += r;
			break;
		}
	}
}

static int text_next(struct az_source *src, struct az_event *ev)
{
	struct text_src *t = (struct text_src *)src;
	const struct az_par_rec *rec;
	struct az_parsed p;
	const char *line;
	size_t n;
	int r;

	while (!az_window_full(&t->win)) {
		if (t->par) {
			r = az_par_next(t->par, &rec);
			if (r == 1) {
				t->lineno++;
				if (rec->verdict == AZ_PAR_TOOLONG) {
					note_bad(&t->base.st.toolong, t->lineno);
					continue;
				}
				t->unterminated = rec->unterminated;
				t->base.st.lines++;
				handle_parsed(t, rec->verdict, &rec->p);
				continue;
			}
		} else {
			r = get_line(t, &line, &n);
			if (r == 1) {
				t->base.st.lines++;
				handle_parsed(t, az_parse_line(line, n, &p), &p);
				continue;
			}
		}
		if (r < 0)
			return -1;
		flush_pending(t);
		break;
	}
	return az_window_pop(&t->win, ev);
}

static void text_close(struct az_source *src)
{
	struct text_src *t = (struct text_src *)src;

	az_par_stop(t->par);
	if (t->fd > 0)
		close(t->fd);
	az_window_free(&t->win);
	free(t->buf);
	free(t);
}

static struct text_src *text_new(const char *name, __u32 index)
{
	struct text_src *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (az_window_init(&t->win)) {
		free(t);
		return NULL;
	}
	t->base.name = name;
	t->base.index = index;
	t->base.next = text_next;
	t->base.close = text_close;
	t->fd = -1;
	return t;
}

struct az_source *az_open_text_mem(const char *name, const char *buf, size_t len, __u32 index)
{
	struct text_src *t = text_new(name, index);

	if (!t)
		return NULL;
	t->data = buf;
	t->len = len;
	t->eof = 1;
	return &t->base;
}

struct az_source *az_open(const char *path, __u32 index)
{
	int is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct text_src *t;
	ssize_t r;

	if (fd < 0) {
		fprintf(stderr, "iomap-check: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	t = text_new(path, index);
	if (!t || !(t->buf = malloc(AZ_READ_BLOCK + AZ_MAX_LINE))) {
		fprintf(stderr, "iomap-check: out of memory\n");
		if (t)
			text_close(&t->base);
		if (!is_stdin)
			close(fd);
		return NULL;
	}
	t->fd = fd;
	t->data = t->buf;
	/* sniff the first bytes: binary formats announce themselves */
	do {
		r = read(fd, t->buf + t->len, 64 - t->len);
		if (r > 0)
			t->len += r;
	} while ((r > 0 && t->len < 64) || (r < 0 && errno == EINTR));
	if (r < 0) {
		fprintf(stderr, "iomap-check: %s: read: %s\n", path, strerror(errno));
		text_close(&t->base);
		return NULL;
	}
	if (r == 0)
		t->eof = 1;
	if (az_is_tracedat((unsigned char *)t->buf, t->len) ||
	    az_is_record((unsigned char *)t->buf, t->len)) {
		int tracedat = az_is_tracedat((unsigned char *)t->buf, t->len);

		if (lseek(fd, 0, SEEK_SET) != 0) {
			fprintf(stderr, "iomap-check: %s: a %s must be a regular file, not a pipe\n",
				path, tracedat ? "trace.dat" : "recording");
			text_close(&t->base);
			return NULL;
		}
		t->fd = -1;	/* handed over */
		text_close(&t->base);
		return tracedat ? az_open_tracedat(path, fd, index) : az_open_record(path, fd, index);
	}
	/*
	 * Text: parse on worker threads when there is more than one CPU. The
	 * bytes sniffed above go back first: from a file by seeking, from a
	 * pipe (stdin) by staying on the sequential reader, which already has
	 * them.
	 */
	if (az_par_workers() > 1 && lseek(fd, 0, SEEK_SET) == 0) {
		t->par = az_par_start(fd, path, az_par_workers());
		if (t->par) {
			t->len = 0;
			t->eof = 0;
		} else if (lseek(fd, t->len, SEEK_SET) != (off_t)t->len) {
			fprintf(stderr, "iomap-check: %s: cannot seek back\n", path);
			text_close(&t->base);
			return NULL;
		}
	}
	return &t->base;
}

void az_close(struct az_source *src)
{
	if (src)
		src->close(src);
}

static void print_badlist(FILE *out, const char *name, const struct az_badlist *b,
			  const char *what)
{
	unsigned int i;

	if (!b->count)
		return;
	fprintf(out, "iomap-check: %s: warning: skipped %llu %s (line%s", name,
		(unsigned long long)b->count, what, b->count > 1 ? "s" : "");
	for (i = 0; i < b->count && i < AZ_WARN_LINES; i++)
		fprintf(out, "%s%llu", i ? ", " : " ", (unsigned long long)b->first[i]);
	fprintf(out, "%s)\n", b->count > AZ_WARN_LINES ? ", ..." : "");
}

void az_print_warnings(const struct az_source *src, FILE *out)
{
	const struct az_stats *st = &src->st;

	print_badlist(out, src->name, &st->bad, "lines that are not trace text");
	print_badlist(out, src->name, &st->malformed,
		      "io_mapping/sched events whose fields do not parse (cut short?)");
	print_badlist(out, src->name, &st->toolong, "lines longer than 64 KiB");
	if (st->late)
		fprintf(out, "iomap-check: %s: warning: %llu events were more than %d events "
			"out of timestamp order and were checked late\n", src->name,
			(unsigned long long)st->late, AZ_WINDOW);
	if (st->lost_at_start)
		fprintf(out, "iomap-check: %s: warning: the trace buffer overwrote its first "
			"%llu events: what was mapped before the first line is unknown\n",
			src->name, (unsigned long long)st->lost_at_start);
}
