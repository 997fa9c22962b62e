// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * trace-cmd's binary trace.dat, read through Debian's libtracecmd and
 * libtraceevent (the file format is theirs; we only pick the fields).
 *
 * Each CPU's buffer in the file is in timestamp order, so the source is a
 * k-way merge over (buffer instance x CPU) streams: no reorder window and
 * one record per stream in memory. Call sites are addresses here; they are
 * symbolized with the kallsyms trace-cmd saved in the file and interned
 * like the text inputs' sites, so reports look the same.
 *
 * libtracecmd does not survive every damaged file (one flipped byte in a
 * compressed section can make tracecmd_open_fd() crash), and its crash must
 * not become ours: it runs in a child process that sends the converted
 * events over a pipe (struct dat_msg + the call site's name). A child that
 * dies before its END message is reported with the signal and how far it got,
 * and the input ends in an error (exit 2): the rest of the file is unchecked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* child -> parent */
enum { MSG_HDR = 1, MSG_EVENT, MSG_END };

struct dat_msg {
	__u32 type;
	__u32 site_len;		/* bytes of the site name following (EVENT) */
	struct iomc_event ev;	/* HDR: arg = number of CPUs; END: arg = other
				 * events, len = malformed records */
};

struct stream {
	struct tracecmd_input *h;
	int cpu;
	struct tep_record *rec;	/* next record, NULL when done */
	int drop_sent;		/* DROP for rec->missed_events already emitted */
};

struct evdesc {
	int id;
	struct tep_format_field *f[8];
};

enum { EV_CREATE, EV_FREE, EV_MAP, EV_UNMAP, EV_SWITCH, EV_EXIT, EV_IRQX, EV_SOFTX, EV_N };

static const struct {
	const char *sys, *name, *fields[8];
} wanted[EV_N] = {
	[EV_CREATE] = { "io_mapping", "io_mapping_create", { "mapping", "size", "caller" } },
	[EV_FREE] = { "io_mapping", "io_mapping_free", { "mapping", "size", "caller" } },
	[EV_MAP] = { "io_mapping", "io_mapping_map",
		     { "kind", "ctx", "mapping", "size", "offset", "len", "vaddr", "caller" } },
	[EV_UNMAP] = { "io_mapping", "io_mapping_unmap", { "kind", "ctx", "vaddr", "caller" } },
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
	char site[AZ_SYM_MAX_LEN];	/* the site of the last event */
	size_t site_len;
	struct tracecmd_input *top;
	struct tep_handle *tep;
	struct evdesc ev[EV_N];
	struct stream *streams;
	unsigned int nstreams;
	struct tracecmd_input **inst;	/* instance handles we opened */
	int ninst;
};

static void load_events(struct dat_rd *d)
{
	int i, j;

	for (i = 0; i < EV_N; i++) {
		struct tep_event *e = tep_find_event_by_name(d->tep, wanted[i].sys,
							     wanted[i].name);

		d->ev[i].id = -1;
		if (!e)
			continue;
		for (j = 0; j < 8 && wanted[i].fields[j]; j++) {
			d->ev[i].f[j] = tep_find_field(e, wanted[i].fields[j]);
			if (!d->ev[i].f[j])
				break;
		}
		if (j < 8 && wanted[i].fields[j]) {
			fprintf(stderr, "iomap-check: %s: event %s:%s lacks field %s: ignored\n",
				d->name, wanted[i].sys, wanted[i].name, wanted[i].fields[j]);
			continue;
		}
		d->ev[i].id = e->id;
	}
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

/* Fill ev from rec; 0 if the record is not one of ours. */
static int convert(struct dat_rd *d, struct tep_record *rec, struct iomc_event *ev)
{
	int type = tep_data_type(d->tep, rec), i;
	struct tep_format_field **f;
	const char *comm;

	for (i = 0; i < EV_N; i++)
		if (d->ev[i].id >= 0 && d->ev[i].id == type)
			break;
	if (i == EV_N)
		return 0;
	f = d->ev[i].f;
	memset(ev, 0, sizeof(*ev));
	d->site_len = 0;
	ev->ts_ns = rec->ts;
	ev->cpu = rec->cpu;
	ev->tid = tep_data_pid(d->tep, rec);
	ev->pid = ev->tid;	/* trace.dat keeps no tgid per record */
	comm = tep_data_comm_from_pid(d->tep, ev->tid);
	if (comm)
		strncpy(ev->comm, comm, IOMC_COMM_LEN - 1);
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
	if (ev->kind >= IOMC_KIND_MAX || ev->ctx >= IOMC_CTX_MAX || ev->cpu >= AZ_MAX_CPUS ||
	    (ev->type <= IOMC_EV_UNMAP && !d->site_len)) {
		d->st.malformed.count++;
		return 0;
	}
	return 1;
}

/* Next event of the merged streams: 1, or 0 at the end. (Child.) */
static int rd_next(struct dat_rd *d, struct iomc_event *out)
{
	for (;;) {
		struct stream *best = NULL;
		unsigned int i;

		for (i = 0; i < d->nstreams; i++) {
			struct stream *s = &d->streams[i];

			if (s->rec && (!best || s->rec->ts < best->rec->ts))
				best = s;
		}
		if (!best)
			return 0;
		if (best->rec->missed_events && !best->drop_sent) {
			/* the buffer lost events before this record */
			best->drop_sent = 1;
			memset(out, 0, sizeof(*out));
			d->site_len = 0;
			out->type = IOMC_EV_DROP;
			out->cpu = best->cpu;
			out->ts_ns = best->rec->ts;
			out->arg = best->rec->missed_events > 0 ? best->rec->missed_events : 0;
			return 1;
		}
		{
			struct tep_record *rec = best->rec;
			int ours = convert(d, rec, out);

			best->rec = tracecmd_read_data(best->h, best->cpu);
			best->drop_sent = 0;
			tracecmd_free_record(rec);
			if (!ours) {
				d->st.other++;
				continue;
			}
		}
		return 1;
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

		s->h = h;
		s->cpu = c;
		s->drop_sent = 0;
		s->rec = tracecmd_read_data(h, c);
	}
	return 0;
}

/* Open the file on fd with libtracecmd. 0, or -1 after saying why. (Child.) */
static int rd_open(struct dat_rd *d, int fd)
{
	int i, ninst;

	tracecmd_set_loglevel(TEP_LOG_ERROR);
	d->top = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!d->top) {
		dprintf(d->errfd, "iomap-check: %s: libtracecmd cannot read this trace.dat\n",
			d->name);
		return -1;
	}
	d->tep = tracecmd_get_tep(d->top);
	d->nr_cpus = tep_get_cpus(d->tep);
	load_events(d);
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
	while (rd_next(&d, &ev)) {
		if (send(w, MSG_EVENT, &ev, d.site, d.site_len))
			_exit(1);
		if (!(++n & 1023))
			alarm(tracedat_stall);
	}
	memset(&ev, 0, sizeof(ev));
	ev.arg = d.st.other;
	ev.len = d.st.malformed.count;
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
		src->st.malformed.count = m.ev.len;
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
	if (out->ev.type <= IOMC_EV_UNMAP)
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
