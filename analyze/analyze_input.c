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
/*
 * Per-CPU traces one after another in one file (`cat per_cpu/cpu*\/trace`):
 * each "# tracer:" block is read as an input of its own and the blocks are
 * merged (see decide_blocks()). A block is one CPU's buffer, in order: it
 * needs a small window and read buffer only. Blocks read through their
 * file's struct az_file (az_file_pread), so one file of many blocks is one
 * open file in the bounded set, parked and reopened like any other.
 */
#define AZ_BLOCK_READ (64 * 1024)
#define AZ_BLOCK_BUF (AZ_BLOCK_READ + AZ_MAX_LINE)
#define AZ_BLOCK_WINDOW 64
#define AZ_MAX_BLOCKS 1024
#define AZ_BLOCK_SEQ_SHIFT 40	/* seq of block i's events: i << 40 on */

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
	f->regular = S_ISREG(sb.st_mode);
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

ssize_t az_file_pread(struct az_file *f, void *buf, size_t n, __u64 off)
{
	ssize_t r;

	if (f->fd < 0 && (!f->path || file_reopen(f)))
		return -1;
	if (!f->pinned)
		lru_touch(f);
	do
		r = pread(f->fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fprintf(stderr, "iomap-check: %s: read: %s\n", f->path, strerror(errno));
		return -1;
	}
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

/* A file pinned by az_file_pin() that was parkable goes back to the LRU. */
static void file_unpin(struct az_file *f)
{
	f->pinned = 0;
	if (f->fd >= 0)
		lru_touch(f);
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

static unsigned int par_inputs;	/* inputs parsed by threads now */

struct text_src {
	struct az_source base;
	struct text_src *top;	/* the file's source (itself, or a block's file) */
	struct az_file file;	/* file.fd -1 and no path: memory input (or a block) */
	struct az_par *par;	/* parser threads, when used */
	char *buf;		/* fd inputs: read buffer, allocated at the first read */
	size_t cap;		/* its size: grows up to bufmax while lines need it */
	size_t bufmax;		/* AZ_BUF_MAX; a block's AZ_BLOCK_BUF */
	size_t winsize;		/* of the reorder window, reserved at the first read */
	int is_block;		/* reads [off, end) of top->file by pread */
	__u64 off, end;
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
	/* what decides whether the file is per-CPU blocks (top only) */
	int decided;		/* decide_blocks() ran */
	unsigned int headers;	/* "# tracer:" lines read */
	int have_cpu, many_cpus;	/* events of one CPU (first_cpu) or several */
	__u32 first_cpu;
	int late_in_blocks;	/* a late event after a second header, unmergeable */
	__u64 second_header;	/* its line */
	/* the blocks, when the file is per-CPU blocks */
	struct az_source **blocks;
	unsigned int nblocks;
	struct az_merge *merge;
};

#define ST(t) ((t)->top->base.st)

/* A pipe (or other unseekable input): read once, in order. */
static int text_is_pipe(const struct text_src *t)
{
	return t->file.path && !t->file.regular;
}

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
	if (az_window_push(&t->win, ev)) {
		ST(t).late++;
		if (t->headers > 1 && !t->late_in_blocks)
			t->late_in_blocks = 1;
	}
	ST(t).events++;
	if (az_ev_checked(ev->ev.type))
		ST(t).iomap_events++;
}

static void flush_pending(struct text_src *t)
{
	if (!t->have_pending)
		return;
	t->pending.stack = az_stack_intern(t->frames, t->nframes);
	ST(t).frames += t->nframes;
	push_event(t, &t->pending);
	t->have_pending = 0;
	t->nframes = 0;
}

static void update_fmt(struct text_src *t, enum az_fmt f)
{
	struct az_source *b = &t->top->base;

	/* trace-cmd report and perf are told apart by details ftrace lacks */
	if (f != AZ_FMT_UNKNOWN && (b->fmt == AZ_FMT_UNKNOWN || b->fmt == AZ_FMT_FTRACE))
		b->fmt = f;
}

/* What decide_blocks() needs to know: the CPUs seen before it runs. */
static void note_cpus(struct text_src *t, enum az_line r, const struct az_parsed *pp)
{
	if (r != AZ_LINE_EVENT && r != AZ_LINE_OTHER)
		return;
	if (!t->have_cpu) {
		t->have_cpu = 1;
		t->first_cpu = pp->ev.cpu;
	} else if (pp->ev.cpu != t->first_cpu) {
		t->many_cpus = 1;
	}
}

/* An event line: it waits for its stack frames (perf, ftrace) as pending. */
static void take_event(struct text_src *t, const struct az_parsed *pp)
{
	flush_pending(t);
	memset(&t->pending, 0, sizeof(t->pending));
	t->pending.ev = pp->ev;
	t->pending.line = t->lineno;
	t->have_pending = 1;
	t->frames_to = 1;	/* perf's call chain follows directly */
	t->last_ts = pp->ev.ts_ns;
}

/* A loss marker into the stream: a drop of cpu's events at ts, arg lost. */
static void push_drop(struct text_src *t, __u32 cpu, __u64 ts, __u64 arg)
{
	struct az_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev.type = IOMC_EV_DROP;
	ev.ev.cpu = cpu;
	ev.ev.ts_ns = ts;
	ev.ev.arg = arg;
	ev.line = t->lineno;
	ST(t).drops++;
	push_event(t, &ev);
}

/* A header line: the CPU count, and events ftrace overwrote before it. */
static void take_meta(struct text_src *t, const struct az_parsed *pp)
{
	if (pp->nr_cpus)
		t->top->base.nr_cpus = pp->nr_cpus;
	if (pp->lost_at_start && !ST(t).lost_at_start) {
		/*
		 * ftrace overwrote the oldest events: each CPU's history
		 * before the first line is unknown, as after a drop. One
		 * marker for every CPU: "#P:" is input, nothing is sized
		 * from it.
		 */
		ST(t).lost_at_start = pp->lost_at_start;
		push_drop(t, IOMC_CPU_ALL, 0, 0);
	}
}

/* One parsed line, in file order (t->lineno is its number). */
static void handle_parsed(struct text_src *t, enum az_line r, const struct az_parsed *pp)
{
	update_fmt(t, pp->fmt);
	if (pp->block_start && t->headers++ == 1)
		t->second_header = t->lineno;
	if (!t->decided)
		note_cpus(t, r, pp);
	/*
	 * A last line without its newline was cut off (a copy of a file still
	 * being written, a truncated log): its last field, the call site, may
	 * be incomplete, so the event is not trusted.
	 */
	if (t->unterminated && r == AZ_LINE_EVENT)
		r = AZ_LINE_MALFORMED;
	switch (r) {
	case AZ_LINE_EVENT:
		take_event(t, pp);
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
		ST(t).other++;
		t->last_ts = pp->ev.ts_ns;
		break;
	case AZ_LINE_DROP:
		/*
		 * The marker has no timestamp; it stands where the loss was
		 * noticed, i.e. just after the previous line's event.
		 */
		flush_pending(t);
		t->frames_to = 0;
		ST(t).lost += pp->ev.arg;
		push_drop(t, pp->ev.cpu, t->last_ts, pp->ev.arg);
		break;
	case AZ_LINE_META:
		take_meta(t, pp);
		break;
	case AZ_LINE_BAD:
		flush_pending(t);
		t->frames_to = 0;
		note_bad(&ST(t).bad, t->lineno);
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
		note_bad(&ST(t).malformed, t->lineno);
		ST(t).lost++;
		push_drop(t, pp->ev.cpu, pp->ev.ts_ns ? pp->ev.ts_ns : t->last_ts, 1);
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
	size_t cap = t->cap ? t->cap * 2 : AZ_BUF_MIN, max = t->bufmax;
	__u64 size = t->is_block ? t->end : t->file.size;
	__u64 at = t->is_block ? t->off : t->file.off;
	__u64 left = size > at ? size - at : 0;
	char *p;

	/* the whole file (or block) and its EOF, if it fits */
	if (!t->cap && (t->file.size || t->is_block))
		cap = left + t->nsniff + 1 < max ? (size_t)left + t->nsniff + 1 : max;
	if (cap > max)
		cap = max;
	if (cap <= t->cap)
		cap = t->cap + 1;	/* never here: bufmax > AZ_MAX_LINE + 1 */
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

/* A block's next bytes, from its file at off, up to its end; 0 at its end. */
static ssize_t block_read(struct text_src *t, char *buf, size_t n)
{
	ssize_t r;

	if ((__u64)n > t->end - t->off)
		n = (size_t)(t->end - t->off);
	if (!n)
		return 0;
	r = az_file_pread(&t->top->file, buf, n, t->off);
	if (r > 0)
		t->off += (__u64)r;
	return r;
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
					note_bad(&ST(t).toolong, t->lineno);
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
				note_bad(&ST(t).toolong, t->lineno);
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
			ssize_t r = t->is_block ? block_read(t, t->buf + t->len, t->cap - t->len)
						: az_file_read(&t->file, t->buf + t->len, t->cap - t->len);

			if (r < 0)
				return -1;
			if (r == 0)
				t->eof = 1;
			t->len += r;
		}
	}
}

static struct text_src *text_new(const char *name, __u32 index, size_t window);
static void text_close(struct az_source *src);

struct block {
	__u64 off;		/* of its "# tracer:" line */
	__u64 line;		/* lines before it */
};

/*
 * Note a line start at file offset off (line number line, 0-based) whose
 * first bytes are [p, p + n): a block starts there if it is "# tracer:".
 */
static int block_at(struct block *bl, unsigned int *nb, const char *p, size_t n, __u64 off,
		    __u64 line)
{
	if (n < 9 || memcmp(p, "# tracer:", 9))
		return 0;
	if (*nb == AZ_MAX_BLOCKS)
		return -1;
	bl[*nb].off = off;
	bl[*nb].line = line;
	(*nb)++;
	return 0;
}

/* Up to n bytes of t's file at off (fewer only at its end); -1 after saying why. */
static ssize_t pread_full(struct text_src *t, char *buf, size_t n, __u64 off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = az_file_pread(&t->file, buf + got, n - got, off + got);

		if (r < 0)
			return -1;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * The "# tracer:" lines among the lines of d[0, n) into bl (base: d's
 * offset in the input, *line: the number of its first line, counted on;
 * d[0] is a line start, so is the byte after each newline): the bytes
 * scanned up to the start of an incomplete last line (all n at eof), or
 * (size_t)-1 after saying why (too many blocks).
 */
static size_t scan_chunk(struct text_src *t, struct block *bl, unsigned int *nb,
			 const char *d, size_t n, __u64 base, __u64 *line, int eof)
{
	size_t i = 0;

	for (;;) {
		const char *nl = memchr(d + i, '\n', n - i);

		if (!nl && !eof)
			return i;	/* read again from this line's start */
		if (block_at(bl, nb, d + i, n - i, base + i, *line)) {
			fprintf(stderr, "iomap-check: %s: more than %d \"# tracer:\" headers: "
				"not merging so many per-CPU traces (merge them with "
				"trace-cmd)\n", t->base.name, AZ_MAX_BLOCKS);
			return (size_t)-1;
		}
		if (!nl)
			return n;
		i = nl + 1 - d;
		(*line)++;
	}
}

/*
 * A line longer than a chunk goes on at *base: read on to its end. 1: *base
 * is the next line's start; 0: the input ends in it (*base: its size); -1:
 * a read error.
 */
static int skip_long_line(struct text_src *t, char *buf, size_t chunk, __u64 *base)
{
	const char *nl = NULL;
	ssize_t r;

	while ((r = pread_full(t, buf, chunk, *base)) > 0 &&
	       !(nl = memchr(buf, '\n', (size_t)r)))
		*base += (__u64)r;
	if (r < 0)
		return -1;
	if (!r)
		return 0;
	*base += (__u64)(nl + 1 - buf);
	return 1;
}

/*
 * The "# tracer:" lines of the whole input (one more pass over a file:
 * only for inputs that look like per-CPU blocks) and its size. 0, or -1
 * after saying why (a read error, too many blocks). A file is read by
 * pread through its struct az_file: it may be parked and reopened.
 */
static int find_blocks(struct text_src *t, struct block *bl, unsigned int *nb, __u64 *size)
{
	const size_t chunk = AZ_READ_BLOCK;
	char *buf = NULL;
	const char *d;
	__u64 base = 0, line = 0;
	size_t n = 0, i;
	int eof = 0, err = 0;

	*nb = 0;
	if (!t->file.path) {	/* memory: one chunk */
		d = t->data;
		n = t->len;
		eof = 1;
	} else {
		buf = malloc(chunk);
		if (!buf) {
			fprintf(stderr, "iomap-check: %s: out of memory (looking for per-CPU "
				"traces)\n", t->base.name);
			return -1;
		}
		d = buf;
	}
	for (;;) {
		if (buf) {
			ssize_t r = pread_full(t, buf, chunk, base);

			if (r < 0) {
				err = -1;
				break;
			}
			n = (size_t)r;
			eof = n < chunk;
		}
		i = scan_chunk(t, bl, nb, d, n, base, &line, eof);
		if (i == (size_t)-1) {
			err = -1;
			break;
		}
		if (eof || !buf) {
			*size = base + n;
			break;
		}
		if (i == 0) {
			/* a line longer than a chunk: on to its end, then go on */
			int more;

			base += n;
			more = skip_long_line(t, buf, chunk, &base);
			if (more < 0) {
				err = -1;
				break;
			}
			if (!more) {
				*size = base;
				break;
			}
			line++;
			continue;
		}
		base += i;
	}
	free(buf);
	return err;
}

/*
 * A source reading block [b->off, end) of t's input, merged with the
 * others. A file's block reads through t->file (pread, the file parked and
 * reopened as the bounded set of open files needs); its read buffer and
 * window are reserved at its first read, like an input's.
 */
static struct text_src *block_new(struct text_src *t, const struct block *b, __u64 end,
				  unsigned int i)
{
	struct text_src *k = text_new(t->base.name, t->base.index, AZ_BLOCK_WINDOW);

	if (!k)
		return NULL;
	k->top = t;
	k->decided = 1;
	k->lineno = b->line;
	k->seq = (__u64)i << AZ_BLOCK_SEQ_SHIFT;
	if (!t->file.path) {
		k->data = t->data + b->off;
		k->len = (size_t)(end - b->off);
		k->eof = 1;
		return k;
	}
	k->is_block = 1;
	k->off = b->off;
	k->end = end;
	k->bufmax = AZ_BLOCK_BUF;
	return k;
}

/*
 * Before the first event leaves the window: is this file per-CPU traces
 * one after another (`cat per_cpu/cpu*\/trace`)? Each block is one CPU's
 * buffer from its own start, so after the first block every event would
 * come too late for the window, and the first block alone, read as the
 * whole trace, reports unmaps and frees of maps made on other CPUs. Seen
 * as: a second "# tracer:" header, or an ftrace header followed by a
 * window of events of one CPU while the header says there are more.
 * Then the file (a regular file or memory) is read again per block, the
 * blocks merged by timestamp like separate inputs; what was read so far
 * is discarded. From a pipe it cannot be: a late event after a second
 * header is an error (text_next).
 */
static int decide_blocks(struct text_src *t)
{
	struct block *bl;
	unsigned int nb, i;
	__u64 size = 0;

	t->decided = 1;
	if (!t->headers || (t->headers == 1 && (t->many_cpus || t->base.nr_cpus == 1)))
		return 0;
	if (text_is_pipe(t))
		return 0;
	bl = malloc(sizeof(*bl) * AZ_MAX_BLOCKS);
	if (!bl) {
		fprintf(stderr, "iomap-check: %s: out of memory (looking for per-CPU traces)\n",
			t->base.name);
		return -1;
	}
	if (find_blocks(t, bl, &nb, &size)) {
		free(bl);
		return -1;
	}
	if (nb < 2) {
		free(bl);
		return 0;
	}
	t->blocks = calloc(nb, sizeof(*t->blocks));
	if (!t->blocks)
		goto oom;
	for (i = 0; i < nb; i++) {
		struct text_src *k = block_new(t, &bl[i], i + 1 < nb ? bl[i + 1].off : size, i);

		if (!k)
			goto oom;
		t->blocks[t->nblocks++] = &k->base;
	}
	t->merge = az_merge_new(t->blocks, nb);
	if (!t->merge)
		goto oom;
	free(bl);
	/*
	 * Start over: the blocks read everything again; the file's own
	 * window, read buffer and parser threads are not used any more. A
	 * file the threads had pinned is parkable again: the blocks pread
	 * through it, reopening it when it was parked.
	 */
	if (t->par) {
		az_par_stop(t->par);
		t->par = NULL;
		par_inputs--;
		file_unpin(&t->file);
	}
	az_window_free(&t->win);
	free(t->buf);
	t->buf = NULL;
	t->cap = 0;
	t->data = NULL;
	t->len = t->pos = t->nsniff = 0;
	memset(&t->base.st, 0, sizeof(t->base.st));
	t->base.fmt = AZ_FMT_UNKNOWN;
	t->have_pending = 0;
	t->nframes = 0;
	return 0;
oom:
	fprintf(stderr, "iomap-check: %s: out of memory (%u per-CPU traces)\n", t->base.name, nb);
	free(bl);
	return -1;
}

static int text_next(struct az_source *src, struct az_event *ev)
{
	struct text_src *t = (struct text_src *)src;
	const struct az_par_rec *rec;
	struct az_parsed p;
	const char *line;
	size_t n;
	int r;

	if (t->merge)
		return az_merge_next(t->merge, ev);
	/* the reorder window too is reserved when the input is first read */
	if (!t->win.ring && az_window_init_size(&t->win, t->winsize)) {
		fprintf(stderr, "iomap-check: %s: out of memory\n", t->base.name);
		return -1;
	}
	while (!az_window_full(&t->win)) {
		if (t->par) {
			r = az_par_next(t->par, &rec);
			if (r == 1) {
				t->lineno++;
				if (rec->verdict == AZ_PAR_TOOLONG) {
					note_bad(&ST(t).toolong, t->lineno);
					continue;
				}
				t->unterminated = rec->unterminated;
				ST(t).lines++;
				handle_parsed(t, rec->verdict, &rec->p);
				if (t->late_in_blocks)
					goto unmergeable;
				continue;
			}
		} else {
			r = get_line(t, &line, &n);
			if (r == 1) {
				ST(t).lines++;
				handle_parsed(t, az_parse_line(line, n, &p), &p);
				if (t->late_in_blocks)
					goto unmergeable;
				continue;
			}
		}
		if (r < 0)
			return -1;
		flush_pending(t);
		break;
	}
	if (!t->decided) {
		if (decide_blocks(t))
			return -1;
		if (t->merge)
			return az_merge_next(t->merge, ev);
	}
	return az_window_pop(&t->win, ev);
unmergeable:
	/* checked on, the events after the header would make false reports */
	if (text_is_pipe(t))
		fprintf(stderr, "iomap-check: %s:%llu: a second trace header, then events older "
			"than those before it: per-CPU traces one after another (cat "
			"per_cpu/cpu*/trace) cannot be merged from a pipe; give the file by its "
			"name\n", t->base.name, (unsigned long long)t->second_header);
	else
		fprintf(stderr, "iomap-check: %s:%llu: a second trace header, then events older "
			"than those before it: traces whose times overlap, one after another, "
			"and not per-CPU traces (the first block has events of several CPUs); "
			"check them as separate inputs\n", t->base.name,
			(unsigned long long)t->second_header);
	return -1;
}

static void text_close(struct az_source *src)
{
	struct text_src *t = (struct text_src *)src;
	unsigned int i;

	az_merge_free(t->merge);
	for (i = 0; i < t->nblocks; i++)
		text_close(t->blocks[i]);	/* before the file they read */
	free(t->blocks);
	if (t->par) {
		az_par_stop(t->par);
		par_inputs--;
	}
	az_file_close(&t->file);
	az_window_free(&t->win);
	free(t->buf);
	free(t);
}

static struct text_src *text_new(const char *name, __u32 index, size_t window)
{
	struct text_src *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->top = t;
	t->winsize = window;
	t->bufmax = AZ_BUF_MAX;
	t->base.name = name;
	t->base.index = index;
	t->base.next = text_next;
	t->base.close = text_close;
	t->file.fd = -1;
	return t;
}

struct az_source *az_open_text_mem(const char *name, const char *buf, size_t len, __u32 index)
{
	struct text_src *t = text_new(name, index, AZ_WINDOW);

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
	t = text_new(path, index, AZ_WINDOW);
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
		      "io_mapping/sched lines that do not parse (damaged or cut short: each is a lost event)");
	print_badlist(out, src->name, &st->toolong, "lines longer than 64 KiB");
	if (st->late)
		fprintf(out, "iomap-check: %s: warning: %llu events were more than %d events "
			"out of timestamp order: not checked, each run of them a loss of every "
			"CPU\n", src->name, (unsigned long long)st->late, AZ_WINDOW);
	if (st->lost_at_start)
		fprintf(out, "iomap-check: %s: warning: the trace buffer overwrote its first "
			"%llu events: what was mapped before the first line is unknown\n",
			src->name, (unsigned long long)st->lost_at_start);
}
