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
#include <sys/resource.h>
#include <sys/stat.h>
#include "analyze_input.h"
#include "analyze_order.h"
#include "analyze_par.h"
#include "analyze_syms.h"

#define AZ_READ_BLOCK (1024 * 1024)
#define AZ_BUF_MAX (AZ_READ_BLOCK + AZ_MAX_LINE)
#define AZ_BUF_MIN (16 * 1024)	/* first buffer of a pipe; doubles while lines need it */
#define AZ_SNIFF 64		/* bytes read at open to tell the formats apart */
/*
 * Parser threads only for inputs large enough to gain from them, and for
 * at most AZ_PAR_INPUTS inputs at once: each costs its threads' stacks and
 * 2 x threads blocks of a MiB, which a thousand small inputs must not.
 */
#define AZ_PAR_MIN_BYTES (4ULL << 20)
#define AZ_PAR_INPUTS 2

/* ---- input files: bounded number open, reopened where they stopped ------- */

static struct az_file *lru_head, *lru_tail;	/* most recently read first */
static unsigned int lru_n;

unsigned int az_file_open_max(void)
{
	static unsigned int max;
	struct rlimit rl;

	if (!max) {
		rlim_t n = getrlimit(RLIMIT_NOFILE, &rl) ? 1024 : rl.rlim_cur / 2;

		max = n < 4 ? 4 : n > 256 ? 256 : (unsigned int)n;
	}
	return max;
}

static void lru_unlink(struct az_file *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else if (lru_head == f)
		lru_head = f->next;
	else
		return;		/* not on the list */
	if (f->next)
		f->next->prev = f->prev;
	else
		lru_tail = f->prev;
	f->prev = f->next = NULL;
	lru_n--;
}

/* f is open and parkable: it goes first; the oldest beyond the bound is parked. */
static void lru_touch(struct az_file *f)
{
	lru_unlink(f);
	f->next = lru_head;
	if (lru_head)
		lru_head->prev = f;
	lru_head = f;
	if (!lru_tail)
		lru_tail = f;
	lru_n++;
	while (lru_n > az_file_open_max() && lru_tail != f) {
		struct az_file *old = lru_tail;

		lru_unlink(old);
		close(old->fd);
		old->fd = -1;
	}
}

int az_file_init(struct az_file *f, const char *path, int fd)
{
	struct stat sb;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = fd;
	if (fstat(fd, &sb)) {
		fprintf(stderr, "iomap-check: %s: %s\n", path, strerror(errno));
		return -1;
	}
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	/* only a regular file opened by its own path can be reopened */
	f->pinned = !S_ISREG(sb.st_mode) || !strcmp(path, "-") || !strncmp(path, "/dev/", 5) ||
		    !strncmp(path, "/proc/", 6);
	if (S_ISREG(sb.st_mode))
		f->size = (__u64)sb.st_size;
	if (!f->pinned)
		lru_touch(f);
	return 0;
}

static int file_reopen(struct az_file *f)
{
	struct stat sb;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "iomap-check: %s: reopening: %s\n", f->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) || sb.st_dev != f->dev || sb.st_ino != f->ino) {
		fprintf(stderr, "iomap-check: %s: the file was replaced while being read\n",
			f->path);
		close(fd);
		return -1;
	}
	if (lseek(fd, (off_t)f->off, SEEK_SET) != (off_t)f->off) {
		fprintf(stderr, "iomap-check: %s: cannot seek back to byte %llu: %s\n", f->path,
			(unsigned long long)f->off, strerror(errno));
		close(fd);
		return -1;
	}
	f->fd = fd;
	return 0;
}

ssize_t az_file_read(struct az_file *f, void *buf, size_t n)
{
	ssize_t r;

	if (f->fd < 0 && (!f->path || file_reopen(f)))
		return -1;
	if (!f->pinned)
		lru_touch(f);
	do
		r = read(f->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fprintf(stderr, "iomap-check: %s: read: %s\n", f->path, strerror(errno));
		return -1;
	}
	f->off += (__u64)r;
	return r;
}

int az_file_pin(struct az_file *f)
{
	if (f->fd < 0 && file_reopen(f))
		return -1;
	lru_unlink(f);
	f->pinned = 1;
	return f->fd;
}

void az_file_close(struct az_file *f)
{
	lru_unlink(f);
	/* stdin stays open: it is the caller's */
	if (f->fd >= 0 && !(f->path && !strcmp(f->path, "-")))
		close(f->fd);
	f->fd = -1;
}

/* ---- text inputs ---------------------------------------------------------- */

struct text_src {
	struct az_source base;
	struct az_file file;	/* file.fd -1 and no path: memory input */
	struct az_par *par;	/* parser threads, when used */
	char *buf;		/* fd inputs: read buffer, allocated at the first read */
	size_t cap;		/* its size: grows up to AZ_BUF_MAX while lines need it */
	char sniff[AZ_SNIFF];	/* the first bytes, read at open */
	size_t nsniff;
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
	if (az_ev_checked(ev->ev.type))
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
	__u32 cpu;

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
			 * before the first line is unknown, as after a drop.
			 */
			t->base.st.lost_at_start = pp->lost_at_start;
			for (cpu = 0; cpu < (t->base.nr_cpus ? t->base.nr_cpus : 1); cpu++) {
				memset(&ev, 0, sizeof(ev));
				ev.ev.type = IOMC_EV_DROP;
				ev.ev.cpu = cpu;
				ev.line = t->lineno;
				t->base.st.drops++;
				push_event(t, &ev);
			}
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

/*
 * The read buffer, allocated at the first read (an input costs no buffer
 * until the merge reaches it) and grown while a line does not fit: a small
 * file gets a buffer of its size, a pipe starts small; at most AZ_BUF_MAX,
 * which always leaves room for a block behind the longest line kept.
 */
static int text_grow(struct text_src *t)
{
	size_t cap = t->cap ? t->cap * 2 : AZ_BUF_MIN;
	__u64 left = t->file.size > t->file.off ? t->file.size - t->file.off : 0;
	char *p;

	if (!t->cap && t->file.size)	/* the whole file and its EOF, if it fits */
		cap = left + t->nsniff + 1 < AZ_BUF_MAX ? (size_t)left + t->nsniff + 1 : AZ_BUF_MAX;
	if (cap > AZ_BUF_MAX)
		cap = AZ_BUF_MAX;
	if (cap <= t->cap)
		cap = t->cap + 1;	/* never here: AZ_BUF_MAX > AZ_MAX_LINE + 1 */
	p = realloc(t->buf, cap);
	if (!p) {
		fprintf(stderr, "iomap-check: %s: out of memory (a read buffer of %zu bytes)\n",
			t->base.name, cap);
		return -1;
	}
	if (!t->buf) {
		memcpy(p, t->sniff, t->nsniff);	/* the bytes read at open come first */
		t->len = t->nsniff;
	}
	t->buf = p;
	t->data = p;
	t->cap = cap;
	return 0;
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
		if (t->len == t->cap && text_grow(t))
			return -1;
		{
			ssize_t r = az_file_read(&t->file, t->buf + t->len, t->cap - t->len);

			if (r < 0)
				return -1;
			if (r == 0)
				t->eof = 1;
			t->len += r;
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

	/* the reorder window too is reserved when the input is first read */
	if (!t->win.ring && az_window_init(&t->win)) {
		fprintf(stderr, "iomap-check: %s: out of memory\n", t->base.name);
		return -1;
	}
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

static unsigned int par_inputs;	/* inputs parsed by threads now */

static void text_close(struct az_source *src)
{
	struct text_src *t = (struct text_src *)src;

	if (t->par) {
		az_par_stop(t->par);
		par_inputs--;
	}
	az_file_close(&t->file);
	az_window_free(&t->win);
	free(t->buf);
	free(t);
}

static struct text_src *text_new(const char *name, __u32 index)
{
	struct text_src *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base.name = name;
	t->base.index = index;
	t->base.next = text_next;
	t->base.close = text_close;
	t->file.fd = -1;
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

/* Parser threads for a large regular file, read from its start; 0 if not. */
static int start_par(struct text_src *t)
{
	int fd;

	if (az_par_workers() < 2 || par_inputs >= AZ_PAR_INPUTS || t->file.pinned ||
	    t->file.size < AZ_PAR_MIN_BYTES)
		return 0;
	fd = az_file_pin(&t->file);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		return fd < 0 ? -1 : 0;
	t->par = az_par_start(fd, t->base.name, az_par_workers());
	if (!t->par) {
		/* back to the sequential reader, behind the sniffed bytes */
		if (lseek(fd, (off_t)t->file.off, SEEK_SET) != (off_t)t->file.off) {
			fprintf(stderr, "iomap-check: %s: cannot seek back\n", t->base.name);
			return -1;
		}
		return 0;
	}
	par_inputs++;
	t->nsniff = 0;
	return 0;
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
	if (!t) {
		fprintf(stderr, "iomap-check: %s: out of memory\n", path);
		if (!is_stdin)
			close(fd);
		return NULL;
	}
	if (az_file_init(&t->file, path, fd)) {
		text_close(&t->base);
		return NULL;
	}
	/* sniff the first bytes: binary formats announce themselves */
	do {
		r = az_file_read(&t->file, t->sniff + t->nsniff, AZ_SNIFF - t->nsniff);
		if (r > 0)
			t->nsniff += r;
	} while (r > 0 && t->nsniff < AZ_SNIFF);
	if (r < 0) {
		text_close(&t->base);
		return NULL;
	}
	if (az_is_tracedat((unsigned char *)t->sniff, t->nsniff) ||
	    az_is_record((unsigned char *)t->sniff, t->nsniff)) {
		int tracedat = az_is_tracedat((unsigned char *)t->sniff, t->nsniff);
		struct az_source *s;

		fd = az_file_pin(&t->file);
		if (fd < 0) {
			text_close(&t->base);
			return NULL;
		}
		if (!tracedat) {
			/* read sequentially: a pipe is fine, the sniffed bytes go first */
			t->file.fd = -1;	/* handed over */
			s = az_open_record_pre(path, fd, index, t->sniff, t->nsniff);
			text_close(&t->base);
			return s;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			fprintf(stderr, "iomap-check: %s: a trace.dat must be a regular file, not "
				"a pipe (libtracecmd seeks in it)\n", path);
			text_close(&t->base);
			return NULL;
		}
		t->file.fd = -1;	/* handed over */
		text_close(&t->base);
		return az_open_tracedat(path, fd, index);
	}
	/*
	 * Text: parse a large file on worker threads when there is more than
	 * one CPU (they read it from its start); anything else is read by the
	 * sequential reader, which has the sniffed bytes.
	 */
	if (start_par(t)) {
		text_close(&t->base);
		return NULL;
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
