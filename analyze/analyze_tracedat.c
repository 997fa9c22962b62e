// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * trace-cmd's binary trace.dat, read through Debian's libtracecmd and
 * libtraceevent (the file format is theirs; we only pick the fields).
 *
 * Each CPU's buffer in the file is in timestamp order, so the source is a
 * k-way merge over (buffer instance x CPU) streams: no reorder window and
 * one page's events per stream in memory (a page is judged whole before its
 * events go on: see fill_page). Call sites are addresses here; they are
 * symbolized with the kallsyms trace-cmd saved in the file and interned
 * like the text inputs' sites, so reports look the same.
 *
 * libtracecmd does not survive every damaged file (one flipped byte in a
 * compressed section can make tracecmd_open_fd() crash), and its crash must
 * not become ours: it runs in a child process that sends the converted
 * events over a pipe (struct dat_msg + the call site's name). A child that
 * dies before its END message is reported with the signal and how far it got,
 * and the input ends in an error (exit 2): the rest of the file is unchecked.
 * What libtracecmd reads without crashing is not trusted either: a page it
 * cannot read ends its iteration of a CPU silently, and a damaged zstd chunk
 * decompresses to garbage records; both are losses of the CPU's events
 * (drop markers, said with the CPU and offset), never half-read input.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <trace-cmd.h>
#include "analyze_input.h"
#include "analyze_ksyms.h"
#include "analyze_syms.h"
#include "ksyms.h"

/*
 * Exported by libtracecmd.so.1 (3.1.6 as 3.4) for trace-cmd's own tools but
 * declared only in its private header, which Debian does not ship: the
 * prototypes are trace-cmd-private.h's. A libtracecmd without them fails to
 * link, it cannot mislead.
 */
struct tep_record *tracecmd_read_cpu_last(struct tracecmd_input *handle, int cpu);
int tracecmd_page_size(struct tracecmd_input *handle);

/* child -> parent */
enum { MSG_HDR = 1, MSG_EVENT, MSG_END };

struct dat_msg {
	__u32 type;
	__u32 site_len;		/* bytes of the site name following (EVENT) */
	struct iomc_event ev;	/* HDR: arg = number of CPUs; END: arg = other
				 * events (losses came as DROP events) */
};

/*
 * A page's converted events wait in the stream's queue until the whole page
 * has been read: a page found damaged part way (a record libtracecmd cannot
 * decode) is lost whole, so no event of it reaches the rules. The sites are
 * kept in one buffer per stream.
 */
struct qev {
	struct iomc_event ev;
	__u32 site_off, site_len;
};

struct stream {
	struct tracecmd_input *h;
	int cpu;
	struct tep_record *rec;	/* next record (a new page's first), NULL at the end */
	__u64 end_off;		/* offset of the CPU's last record, when end_known */
	int end_known;
	int any;		/* a record was read; read_off: the last one's offset */
	__u64 read_off;
	__u64 last_ts;		/* of the last event handed on: a loss stands there */
	int done;
	struct qev *q;		/* the page's events, q[qpos..qn) still to hand on */
	unsigned int qn, qpos, qcap;
	char *sites;
	size_t sites_len, sites_cap;
};

struct evdesc {
	int id;
	struct tep_format_field *f[8];
};

enum { EV_CREATE, EV_FREE, EV_MAP, EV_UNMAP, EV_SWITCH, EV_EXIT, EV_IRQX, EV_SOFTX, EV_N };

static const struct {
	const char *sys, *name, *fields[8];
} wanted[EV_N] = {
	[EV_CREATE] = { IOMC_TP_SYSTEM, IOMC_TP_CREATE, { "mapping", "size", "caller" } },
	[EV_FREE] = { IOMC_TP_SYSTEM, IOMC_TP_FREE, { "mapping", "size", "caller" } },
	[EV_MAP] = { IOMC_TP_SYSTEM, IOMC_TP_MAP,
		     { "kind", "ctx", "mapping", "size", "offset", "len", "vaddr", "caller" } },
	[EV_UNMAP] = { IOMC_TP_SYSTEM, IOMC_TP_UNMAP, { "kind", "ctx", "vaddr", "caller" } },
	[EV_SWITCH] = { "sched", "sched_switch", { "prev_pid", "prev_state", "prev_comm" } },
	[EV_EXIT] = { "sched", "sched_process_exit", { "pid", "comm" } },
	[EV_IRQX] = { "irq", "irq_handler_exit", { NULL } },
	[EV_SOFTX] = { "irq", "softirq_exit", { NULL } },
};

/* The reader, in the child. */
struct dat_rd {
	const char *name;
	struct az_stats st;
	__u32 nr_cpus;
	int errfd;		/* the real stderr (fd 2 may be /dev/null: -q) */
	int quiet;
	__u64 losses;		/* damaged pages and invalid records, said or not */
	char site[AZ_SYM_MAX_LEN];	/* the site of the last event */
	size_t site_len;
	struct tracecmd_input *top;
	struct tep_handle *tep;
	unsigned long long page_mask;
	struct evdesc ev[EV_N];
	struct stream *streams;
	unsigned int nstreams;
	struct tracecmd_input **inst;	/* instance handles we opened */
	int ninst;
};

/* A field the analyzer reads: a number of 1-8 bytes, or a char array (comm). */
static int field_usable(const struct tep_format_field *f)
{
	if (strstr(f->name, "comm"))
		return (f->flags & TEP_FIELD_IS_ARRAY) && !(f->flags & TEP_FIELD_IS_DYNAMIC) &&
		       f->size > 0;
	return !(f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_STRING)) &&
	       (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8);
}

/*
 * The formats in the file are the recording's (its kernel's, its module's).
 * An io_mapping event without a field the analyzer reads, or io_mapping_map
 * or io_mapping_unmap missing while other io_mapping events are there (a
 * capture from another module version), would leave some of the io_mapping
 * events unread and the rules deciding on the rest: false unknown_unmap,
 * lost lifos. Such a file is refused (-1, said). The formats are the file's,
 * shared by every CPU and instance, so no part of it can be read while
 * another is refused. A missing io_mapping_create or io_mapping_free (a
 * capture of some events only: trace-cmd saves the formats of the events it
 * records) is said: the rules that need it see no such events and report
 * nothing from them. A sched or irq event lacking a field is ignored with a
 * message: its rules are not checked, none decides on half of its events.
 */
static int load_events(struct dat_rd *d)
{
	int i, j, have_iomap = 0;

	for (i = EV_CREATE; i <= EV_UNMAP; i++)
		have_iomap |= !!tep_find_event_by_name(d->tep, wanted[i].sys, wanted[i].name);
	for (i = 0; i < EV_N; i++) {
		struct tep_event *e = tep_find_event_by_name(d->tep, wanted[i].sys,
							     wanted[i].name);
		int iomap = i <= EV_UNMAP;

		d->ev[i].id = -1;
		if (!e) {
			if (have_iomap && (i == EV_MAP || i == EV_UNMAP)) {
				dprintf(d->errfd, "iomap-check: %s: this trace.dat has no format for "
					"event %s:%s but has other io_mapping events (another "
					"module version?): refused, its io_mapping events cannot "
					"all be read\n", d->name, wanted[i].sys, wanted[i].name);
				return -1;
			}
			if (have_iomap && iomap && !d->quiet)
				dprintf(d->errfd, "iomap-check: %s: warning: event %s:%s was not "
					"recorded: the rules that need it are not checked\n",
					d->name, wanted[i].sys, wanted[i].name);
			continue;
		}
		for (j = 0; j < 8 && wanted[i].fields[j]; j++) {
			d->ev[i].f[j] = tep_find_field(e, wanted[i].fields[j]);
			if (!d->ev[i].f[j] || !field_usable(d->ev[i].f[j]))
				break;
		}
		if (j < 8 && wanted[i].fields[j]) {
			const char *how = d->ev[i].f[j] ? "has an unusable" : "lacks";

			if (iomap) {
				dprintf(d->errfd, "iomap-check: %s: event %s:%s %s field %s in this "
					"trace.dat (another module version?): refused, its "
					"io_mapping events cannot all be read\n", d->name,
					wanted[i].sys, wanted[i].name, how, wanted[i].fields[j]);
				return -1;
			}
			if (!d->quiet)
				dprintf(d->errfd, "iomap-check: %s: event %s:%s %s field %s: "
					"ignored\n", d->name, wanted[i].sys, wanted[i].name, how,
					wanted[i].fields[j]);
			continue;
		}
		d->ev[i].id = e->id;
	}
	return 0;
}

static __u64 num(struct tep_format_field *f, struct tep_record *r)
{
	unsigned long long v = 0;

	if (f)
		tep_read_number_field(f, r->data, &v);
	return v;
}

static void str_field(struct tep_format_field *f, struct tep_record *r, char *dst, size_t n)
{
	size_t len;

	memset(dst, 0, n);
	if (!f || r->size < 0 || (unsigned int)(f->offset + f->size) > (unsigned int)r->size)
		return;
	len = (size_t)f->size < n - 1 ? (size_t)f->size : n - 1;
	memcpy(dst, (char *)r->data + f->offset, len);
}

/*
 * A site, spelled by lib/ksyms, into d->site: from --kallsyms when given (it
 * names modules), else from the kallsyms trace-cmd saved in the file, which
 * libtraceevent 1.7 looks up without the module name. (Child: the text goes
 * to the parent, which interns it.)
 */
static void site(struct dat_rd *d, __u64 addr)
{
	const char *name = NULL;
	unsigned long long start = 0;
	unsigned long size = 0;
	struct iomc_sym s;
	int n, found;

	if (az_ksyms_loaded()) {
		name = az_sym_name(az_symbolize(addr));
		n = snprintf(d->site, sizeof(d->site), "%s", name ? name : "");
	} else {
		found = tep_find_function_info(d->tep, addr, &name, &start, &size) && name &&
			size && size <= IOMC_SYM_MAX_SIZE && addr - start < size;
		if (found) {
			s.name = name;
			s.mod = NULL;
			s.start = start;
			s.size = size;
		}
		n = iomc_sym_format(d->site, sizeof(d->site), addr, found ? &s : NULL);
	}
	if (n < 0)
		n = 0;
	d->site_len = (size_t)n < sizeof(d->site) ? (size_t)n : sizeof(d->site) - 1;
}

/*
 * Can this record be what its event id says? An id without a format in the
 * file, a record shorter than its format, longer than it without a
 * variable-length field, or with a string pointing out of it, is not
 * something the kernel wrote: the page is damaged (a flipped byte in a zstd
 * chunk decompresses to garbage, zstd keeps no checksum there; a length
 * read from garbage skips records). NULL if it can, else why not (in buf).
 * Damage that leaves the layout intact and changes a value is not seen.
 */
static const char *undecodable(struct dat_rd *d, struct tep_record *rec, char *buf, size_t n)
{
	int id = tep_data_type(d->tep, rec), k;
	struct tep_event *e = tep_find_event(d->tep, id);
	struct tep_format_field *f;
	unsigned int fmt_end = 0;
	int dynamic = 0;

	if (!e) {
		snprintf(buf, n, "event id %d has no format in the file", id);
		return buf;
	}
	for (k = 0; k < 2; k++)
		for (f = k ? e->format.fields : e->format.common_fields; f; f = f->next) {
			unsigned int end = (unsigned int)f->offset + (unsigned int)f->size;
			unsigned int loc, at, len;

			if (f->offset < 0 || f->size < 0 || rec->size < 0 ||
			    end > (unsigned int)rec->size) {
				snprintf(buf, n, "%s record of %d bytes is shorter than its "
					 "format", e->name, rec->size);
				return buf;
			}
			if (end > fmt_end)
				fmt_end = end;
			if (!(f->flags & TEP_FIELD_IS_DYNAMIC))
				continue;
			dynamic = 1;
			if (f->size != 4)
				continue;
			memcpy(&loc, (char *)rec->data + f->offset, 4);
			at = (loc & 0xffff) + (f->flags & TEP_FIELD_IS_RELATIVE ? end : 0);
			len = loc >> 16;
			if (at + len > (unsigned int)rec->size) {
				snprintf(buf, n, "%s record's field %s points out of it", e->name,
					 f->name);
				return buf;
			}
		}
	/*
	 * The kernel's entry is the format's fields padded to 8 bytes, its
	 * ring buffer rounds the length up to 4 (8 on some architectures).
	 */
	if (!dynamic && (unsigned int)rec->size > ((fmt_end + 7) & ~7U) + 8) {
		snprintf(buf, n, "%s record of %d bytes is longer than its format (%u)", e->name,
			 rec->size, fmt_end);
		return buf;
	}
	return NULL;
}

/* ev's fields from rec, an event of our kind i whose format fields are f */
static void fill(struct dat_rd *d, int i, struct tep_format_field **f,
		 struct tep_record *rec, struct iomc_event *ev)
{
	switch (i) {
	case EV_CREATE:
	case EV_FREE:
		ev->type = i == EV_CREATE ? IOMC_EV_CREATE : IOMC_EV_FREE;
		ev->mapping = num(f[0], rec);
		ev->size = num(f[1], rec);
		site(d, num(f[2], rec));
		break;
	case EV_MAP:
		ev->type = IOMC_EV_MAP;
		ev->kind = num(f[0], rec);
		ev->ctx = num(f[1], rec);
		ev->mapping = num(f[2], rec);
		ev->size = num(f[3], rec);
		ev->offset = num(f[4], rec);
		ev->len = num(f[5], rec);
		ev->vaddr = num(f[6], rec);
		site(d, num(f[7], rec));
		break;
	case EV_UNMAP:
		ev->type = IOMC_EV_UNMAP;
		ev->kind = num(f[0], rec);
		ev->ctx = num(f[1], rec);
		ev->vaddr = num(f[2], rec);
		site(d, num(f[3], rec));
		break;
	case EV_SWITCH:
		ev->type = IOMC_EV_SWITCH;
		ev->tid = num(f[0], rec);
		/*
		 * prev_state 0 prints "R", TASK_REPORT_MAX (0x100) "R+"
		 * (preempted); any state bit below it means the task went
		 * to sleep on its own.
		 */
		ev->arg = (num(f[1], rec) & 0xff) != 0;
		str_field(f[2], rec, ev->comm, IOMC_COMM_LEN);
		break;
	case EV_EXIT:
		ev->type = IOMC_EV_EXIT;
		ev->tid = num(f[0], rec);
		str_field(f[1], rec, ev->comm, IOMC_COMM_LEN);
		break;
	case EV_IRQX:
	case EV_SOFTX:
		ev->type = IOMC_EV_IRQ_EXIT;
		ev->ctx = i == EV_IRQX ? IOMC_CTX_HARDIRQ : IOMC_CTX_SOFTIRQ;
		break;
	}
}

/*
 * Fill ev from rec: 1, or 0 if the record is not one of ours, or -1 if it is
 * one whose values are out of range (why in buf).
 */
static int convert(struct dat_rd *d, struct tep_record *rec, struct iomc_event *ev,
		   char *buf, size_t n)
{
	int type = tep_data_type(d->tep, rec), i;
	const char *comm;

	for (i = 0; i < EV_N; i++)
		if (d->ev[i].id >= 0 && d->ev[i].id == type)
			break;
	if (i == EV_N)
		return 0;
	memset(ev, 0, sizeof(*ev));
	d->site_len = 0;
	ev->ts_ns = rec->ts;
	ev->cpu = rec->cpu;
	ev->tid = tep_data_pid(d->tep, rec);
	ev->pid = ev->tid;	/* trace.dat keeps no tgid per record */
	comm = tep_data_comm_from_pid(d->tep, ev->tid);
	if (comm)
		strncpy(ev->comm, comm, IOMC_COMM_LEN - 1);
	fill(d, i, d->ev[i].f, rec, ev);
	if (ev->kind >= IOMC_KIND_MAX || ev->ctx >= IOMC_CTX_MAX) {
		snprintf(buf, n, "%s record with kind %u, ctx %u out of range", wanted[i].name,
			 ev->kind, ev->ctx);
		return -1;
	}
	if (ev->cpu >= AZ_MAX_CPUS) {
		snprintf(buf, n, "%s record of CPU %u (at most %d CPUs)", wanted[i].name, ev->cpu,
			 AZ_MAX_CPUS);
		return -1;
	}
	if (ev->type <= IOMC_EV_UNMAP && !d->site_len) {
		snprintf(buf, n, "%s record without a call site", wanted[i].name);
		return -1;
	}
	return 1;
}

/* Append an event (and d->site when site) to the stream's queue; -1: no memory. */
static int queue(struct dat_rd *d, struct stream *s, const struct iomc_event *ev, int with_site)
{
	size_t n = with_site ? d->site_len : 0;
	struct qev *q;

	if (s->qn == s->qcap) {
		unsigned int cap = s->qcap ? 2 * s->qcap : 64;

		q = realloc(s->q, cap * sizeof(*q));
		if (!q)
			return -1;
		s->q = q;
		s->qcap = cap;
	}
	if (s->sites_len + n > s->sites_cap) {
		size_t cap = s->sites_cap ? 2 * s->sites_cap : 4096;
		char *p;

		while (cap < s->sites_len + n)
			cap *= 2;
		p = realloc(s->sites, cap);
		if (!p)
			return -1;
		s->sites = p;
		s->sites_cap = cap;
	}
	q = &s->q[s->qn++];
	q->ev = *ev;
	q->site_off = (__u32)s->sites_len;
	q->site_len = (__u32)n;
	memcpy(s->sites + s->sites_len, d->site, n);
	s->sites_len += n;
	return 0;
}

/*
 * A loss on the stream's CPU: a drop marker (the rules forget what the CPU's
 * contexts held, as after the kernel's own drops), and a message with the
 * position (the record offset as libtracecmd counts it: a file offset in a
 * trace.dat of version 6, an offset in the decompressed CPU data in a
 * compressed one). The first AZ_WARN_LINES are said; -q says none.
 */
static int lose(struct dat_rd *d, struct stream *s, __u64 ts, __u64 count, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int lose(struct dat_rd *d, struct stream *s, __u64 ts, __u64 count, const char *fmt, ...)
{
	struct iomc_event ev;
	va_list ap;

	if (++d->losses <= AZ_WARN_LINES && !d->quiet) {
		dprintf(d->errfd, "iomap-check: %s: CPU %d, ", d->name, s->cpu);
		va_start(ap, fmt);
		vdprintf(d->errfd, fmt, ap);
		va_end(ap);
		dprintf(d->errfd, "\n");
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IOMC_EV_DROP;
	ev.cpu = (__u32)s->cpu;
	ev.ts_ns = ts;
	ev.arg = count;
	return queue(d, s, &ev, 0);
}

/* The timestamp a loss found now stands at: after what was queued or sent. */
static __u64 tail_ts(const struct stream *s)
{
	return s->qn ? s->q[s->qn - 1].ev.ts_ns : s->last_ts;
}

/*
 * The stream ended: did libtracecmd reach the CPU's last record? A page it
 * cannot read (a zstd chunk that does not decompress, a page header whose
 * size is out of range) ends its iteration of the CPU early, silently.
 */
static int end_check(struct dat_rd *d, struct stream *s)
{
	if (!s->any || (s->end_known && s->read_off == s->end_off))
		return 0;
	if (s->end_known)
		return lose(d, s, tail_ts(s), 0, "offset 0x%llx: libtracecmd cannot read this "
			    "CPU's data after it (its last record is at 0x%llx): the rest of "
			    "this CPU's events are lost", (unsigned long long)s->read_off,
			    (unsigned long long)s->end_off);
	return lose(d, s, tail_ts(s), 0, "offset 0x%llx: libtracecmd cannot read this CPU's "
		    "data after it (nor its last page): the rest of this CPU's events are "
		    "lost", (unsigned long long)s->read_off);
}

/*
 * Read the stream's next page into its queue. A record that cannot be what
 * it says, or a timestamp going back, makes the page a loss as a whole;
 * one of our events with values out of range is a loss of that one event
 * (as a text line whose fields do not parse). 0, or -1 out of memory.
 */
static int fill_page(struct dat_rd *d, struct stream *s)
{
	unsigned long long page, prev_ts, bad_off = 0;
	char why[160];
	const char *bad = NULL;
	unsigned int nrec = 0;
	__u64 other = 0;
	struct iomc_event ev;

	s->qn = s->qpos = 0;
	s->sites_len = 0;
	if (!s->rec) {
		s->done = 1;
		return end_check(d, s);
	}
	page = s->rec->offset & d->page_mask;
	prev_ts = s->rec->ts;
	if (s->rec->missed_events) {
		/* the kernel's buffer lost events before this page */
		memset(&ev, 0, sizeof(ev));
		ev.type = IOMC_EV_DROP;
		ev.cpu = (__u32)s->cpu;
		ev.ts_ns = s->rec->ts;
		ev.arg = s->rec->missed_events > 0 ? (__u64)s->rec->missed_events : 0;
		if (queue(d, s, &ev, 0))
			return -1;
	}
	while (s->rec && (s->rec->offset & d->page_mask) == page) {
		struct tep_record *rec = s->rec;
		int r = 0;

		nrec++;
		if (!bad) {
			bad = undecodable(d, rec, why, sizeof(why));
			if (!bad && rec->ts < prev_ts) {
				snprintf(why, sizeof(why), "timestamp goes back by %llu ns",
					 prev_ts - rec->ts);
				bad = why;
			}
			if (bad)
				bad_off = rec->offset;
			else
				r = convert(d, rec, &ev, why, sizeof(why));
			prev_ts = rec->ts;
		}
		if (r > 0 && queue(d, s, &ev, 1))
			return -1;
		if (r < 0 && lose(d, s, rec->ts, 1, "offset 0x%llx: %s: lost",
				  (unsigned long long)rec->offset, why))
			return -1;
		if (!r && !bad)
			other++;
		s->any = 1;
		s->read_off = rec->offset;
		s->rec = tracecmd_read_data(s->h, s->cpu);
		tracecmd_free_record(rec);
	}
	if (bad) {
		/* nothing of the page is trusted, not even what came before */
		s->qn = 0;
		s->sites_len = 0;
		if (lose(d, s, s->last_ts, 0, "offset 0x%llx: %s: the page (%u records from "
			 "0x%llx) cannot be decoded and is lost", bad_off, bad, nrec, page))
			return -1;
	} else {
		d->st.other += other;
	}
	if (!s->rec) {
		s->done = 1;
		return end_check(d, s);
	}
	return 0;
}

/* The stream's next event, NULL when it is done. */
static struct qev *head(struct dat_rd *d, struct stream *s, int *oom)
{
	while (s->qpos == s->qn) {
		if (s->done)
			return NULL;
		if (fill_page(d, s)) {
			*oom = 1;
			return NULL;
		}
	}
	return &s->q[s->qpos];
}

/* Next event of the merged streams: 1, 0 at the end, -1 out of memory. (Child.) */
static int rd_next(struct dat_rd *d, struct iomc_event *out)
{
	struct stream *best = NULL;
	struct qev *bq = NULL;
	unsigned int i;
	int oom = 0;

	for (i = 0; i < d->nstreams; i++) {
		struct stream *s = &d->streams[i];
		struct qev *q = head(d, s, &oom);

		if (oom)
			return -1;
		if (q && (!bq || q->ev.ts_ns < bq->ev.ts_ns)) {
			best = s;
			bq = q;
		}
	}
	if (!best)
		return 0;
	*out = bq->ev;
	d->site_len = bq->site_len;
	memcpy(d->site, best->sites + bq->site_off, bq->site_len);
	best->qpos++;
	if (bq->ev.ts_ns > best->last_ts)
		best->last_ts = bq->ev.ts_ns;
	return 1;
}

/*
 * Where each CPU's data ends, before reading it: libtracecmd's iteration
 * stops silently at a page it cannot read, and this is what tells.
 */
static void find_end(struct stream *s)
{
	struct tep_record *first = tracecmd_read_cpu_first(s->h, s->cpu), *last;

	if (!first)
		return;
	tracecmd_free_record(first);
	last = tracecmd_read_cpu_last(s->h, s->cpu);
	if (last) {
		s->end_off = last->offset;
		s->end_known = 1;
		tracecmd_free_record(last);
	}
}

static int add_streams(struct dat_rd *d, struct tracecmd_input *h)
{
	int cpus = tep_get_cpus(tracecmd_get_tep(h)), c;
	struct stream *ns;

	if (cpus <= 0)
		return 0;
	ns = realloc(d->streams, (d->nstreams + cpus) * sizeof(*ns));
	if (!ns)
		return -1;
	d->streams = ns;
	for (c = 0; c < cpus; c++) {
		struct stream *s = &d->streams[d->nstreams++];

		memset(s, 0, sizeof(*s));
		s->h = h;
		s->cpu = c;
		find_end(s);
		/* back to the CPU's first record */
		s->rec = tracecmd_read_cpu_first(h, c);
	}
	return 0;
}

/* Open the file on fd with libtracecmd. 0, or -1 after saying why. (Child.) */
static int rd_open(struct dat_rd *d, int fd)
{
	int i, ninst, ps;

	tracecmd_set_loglevel(TEP_LOG_ERROR);
	d->top = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!d->top) {
		dprintf(d->errfd, "iomap-check: %s: libtracecmd cannot read this trace.dat\n",
			d->name);
		return -1;
	}
	d->tep = tracecmd_get_tep(d->top);
	d->nr_cpus = tep_get_cpus(d->tep);
	/* the unit in which libtracecmd reads the CPUs' data (and fails to) */
	ps = tracecmd_page_size(d->top);
	if (ps <= 0 || (ps & (ps - 1))) {
		dprintf(d->errfd, "iomap-check: %s: this trace.dat's page size (%d) is not a "
			"power of two\n", d->name, ps);
		return -1;
	}
	d->page_mask = ~((unsigned long long)ps - 1);
	if (load_events(d))
		return -1;
	/* events recorded into instances (trace-cmd record -B) live in sub-buffers */
	if (add_streams(d, d->top))
		goto oom;
	ninst = tracecmd_buffer_instances(d->top);
	if (ninst > 0 && !(d->inst = calloc(ninst, sizeof(*d->inst))))
		goto oom;
	for (i = 0; i < ninst; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(d->top, i);

		if (!h)
			continue;
		d->inst[d->ninst++] = h;
		if (add_streams(d, h))
			goto oom;
	}
	return 0;
oom:
	dprintf(d->errfd, "iomap-check: %s: out of memory\n", d->name);
	return -1;
}

static int send(FILE *w, __u32 type, const struct iomc_event *ev, const char *site, size_t n)
{
	struct dat_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.site_len = (__u32)n;
	if (ev)
		m.ev = *ev;
	return fwrite(&m, sizeof(m), 1, w) == 1 && (!n || fwrite(site, n, 1, w) == 1) ? 0 : -1;
}

/*
 * The child: read the file, send its events, exit. Never returns. Its
 * crash is its own: no core file, the default action for the signals a bad
 * pointer raises (a sanitizer's handler would count it as the parent's).
 */
static int tracedat_quiet;
static unsigned int tracedat_stall = AZ_TRACEDAT_STALL;
void (*az_tracedat_child_hook)(void);

static void __attribute__((noreturn)) child_main(const char *name, int fd, int wfd, int quiet)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct rlimit nocore = { 0, 0 };
	struct dat_rd d;
	struct iomc_event ev;
	FILE *w;
	unsigned int i;
	__u64 n = 0;
	int r;

	setrlimit(RLIMIT_CORE, &nocore);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* a library stuck in a loop: SIGALRM ends it (re-armed as it goes) */
	signal(SIGALRM, SIG_DFL);
	alarm(tracedat_stall);
	if (az_tracedat_child_hook)
		az_tracedat_child_hook();
	memset(&d, 0, sizeof(d));
	d.name = name;
	d.quiet = quiet;
	d.errfd = dup(2);
	if (d.errfd < 0)
		d.errfd = 2;
	if (quiet) {
		/* libtracecmd writes its own complaints to stderr */
		int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (nul >= 0) {
			dup2(nul, 2);
			close(nul);
		}
	}
	w = fdopen(wfd, "w");
	if (!w || rd_open(&d, fd))
		_exit(3);
	memset(&ev, 0, sizeof(ev));
	ev.arg = d.nr_cpus;
	if (send(w, MSG_HDR, &ev, NULL, 0))
		_exit(1);
	while ((r = rd_next(&d, &ev)) == 1) {
		if (send(w, MSG_EVENT, &ev, d.site, d.site_len))
			_exit(1);
		if (!(++n & 1023))
			alarm(tracedat_stall);
	}
	if (r < 0) {
		dprintf(d.errfd, "iomap-check: %s: out of memory\n", name);
		_exit(1);
	}
	if (d.losses > AZ_WARN_LINES && !quiet)
		dprintf(d.errfd, "iomap-check: %s: %llu losses in all (the first %d said)\n",
			name, (unsigned long long)d.losses, AZ_WARN_LINES);
	memset(&ev, 0, sizeof(ev));
	ev.arg = d.st.other;
	if (send(w, MSG_END, &ev, NULL, 0) || fflush(w))
		_exit(1);
	_exit(0);
}

/* ---- the parent's side ---------------------------------------------------- */

struct dat_src {
	struct az_source base;
	FILE *in;		/* from the child */
	pid_t pid;		/* 0 once reaped */
	int status;
	__u64 seq;
};

static void reap(struct dat_src *d, int kill_it)
{
	if (d->pid <= 0)
		return;
	if (kill_it)
		kill(d->pid, SIGKILL);
	while (waitpid(d->pid, &d->status, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
}

/* The child ended without its END message: say how, once. */
static void child_died(struct dat_src *d)
{
	reap(d, 0);
	if (WIFSIGNALED(d->status) && WTERMSIG(d->status) == SIGALRM)
		fprintf(stderr, "iomap-check: %s: libtracecmd made no progress for %u s reading "
			"this trace.dat (stopped after %llu events); the rest of it is not "
			"checked\n", d->base.name, tracedat_stall,
			(unsigned long long)d->base.st.events);
	else if (WIFSIGNALED(d->status))
		fprintf(stderr, "iomap-check: %s: libtracecmd crashed (%s) reading this trace.dat "
			"after %llu events; the rest of it is not checked\n", d->base.name,
			strsignal(WTERMSIG(d->status)), (unsigned long long)d->base.st.events);
	else if (!WIFEXITED(d->status) || WEXITSTATUS(d->status) != 3)
		fprintf(stderr, "iomap-check: %s: the trace.dat reader stopped (exit %d) after "
			"%llu events; the rest of it is not checked\n", d->base.name,
			WIFEXITED(d->status) ? WEXITSTATUS(d->status) : -1,
			(unsigned long long)d->base.st.events);
	/* exit 3: it could not open the file and said why */
}

static int dat_next(struct az_source *src, struct az_event *out)
{
	struct dat_src *d = (struct dat_src *)src;
	struct dat_msg m;
	char name[AZ_SYM_MAX_LEN];

	if (!d->in)
		return 0;
	if (fread(&m, sizeof(m), 1, d->in) != 1 || m.site_len >= sizeof(name) ||
	    (m.site_len && fread(name, m.site_len, 1, d->in) != 1) ||
	    (m.type != MSG_EVENT && m.type != MSG_END)) {
		child_died(d);
		fclose(d->in);
		d->in = NULL;
		return -1;
	}
	if (m.type == MSG_END) {
		src->st.other = m.ev.arg;
		fclose(d->in);
		d->in = NULL;
		reap(d, 0);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	out->ev = m.ev;
	out->ev.caller = m.site_len ? az_sym_intern(name, m.site_len) : 0;
	out->seq = d->seq++;
	out->src = src->index;
	if (out->ev.type == IOMC_EV_DROP) {
		src->st.drops++;
		src->st.lost += out->ev.arg;
	}
	src->st.events++;
	if (az_ev_checked(out->ev.type))
		src->st.iomap_events++;
	return 1;
}

static void dat_close(struct az_source *src)
{
	struct dat_src *d = (struct dat_src *)src;

	if (d->in)
		fclose(d->in);
	reap(d, 1);
	free(d);
}

int az_is_tracedat(const unsigned char *m, size_t n)
{
	return n >= 10 && m[0] == 0x17 && m[1] == 0x08 && m[2] == 0x44 &&
	       !memcmp(m + 3, "tracing", 7);
}

void az_tracedat_quiet(int quiet)
{
	tracedat_quiet = quiet;
}

void az_tracedat_stall(unsigned int seconds)
{
	tracedat_stall = seconds;
}

struct az_source *az_open_tracedat(const char *path, int fd, __u32 index)
{
	struct dat_src *d = calloc(1, sizeof(*d));
	struct dat_msg m;
	int p[2];

	if (!d || pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "iomap-check: %s: %s\n", path, strerror(errno));
		free(d);
		close(fd);
		return NULL;
	}
	d->base.name = path;
	d->base.index = index;
	d->base.fmt = AZ_FMT_TRACEDAT;
	d->base.next = dat_next;
	d->base.close = dat_close;
	fflush(NULL);	/* nothing buffered is written twice */
	d->pid = fork();
	if (d->pid == 0) {
		close(p[0]);
		child_main(path, fd, p[1], tracedat_quiet);
	}
	close(fd);
	close(p[1]);
	if (d->pid < 0) {
		fprintf(stderr, "iomap-check: %s: fork: %s\n", path, strerror(errno));
		close(p[0]);
		free(d);
		return NULL;
	}
	d->in = fdopen(p[0], "r");
	if (!d->in) {
		close(p[0]);
		dat_close(&d->base);
		return NULL;
	}
	/* the header: the file opened (or the child said why not, or died) */
	if (fread(&m, sizeof(m), 1, d->in) != 1 || m.type != MSG_HDR) {
		child_died(d);
		dat_close(&d->base);
		return NULL;
	}
	d->base.nr_cpus = (__u32)m.ev.arg;
	return &d->base;
}
