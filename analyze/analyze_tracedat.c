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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <trace-cmd.h>
#include "analyze_input.h"
#include "analyze_ksyms.h"
#include "analyze_syms.h"
#include "ksyms.h"

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

struct dat_src {
	struct az_source base;
	struct tracecmd_input *top;
	struct tep_handle *tep;
	struct evdesc ev[EV_N];
	struct stream *streams;
	unsigned int nstreams;
	struct tracecmd_input **inst;	/* instance handles we opened */
	int ninst;
	__u64 seq;
	struct tep_record *cur;	/* record whose event was last returned */
};

static void load_events(struct dat_src *d)
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
				d->base.name, wanted[i].sys, wanted[i].name, wanted[i].fields[j]);
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
 * A site, spelled by lib/ksyms: from --kallsyms when given (it names
 * modules), else from the kallsyms trace-cmd saved in the file, which
 * libtraceevent 1.7 looks up without the module name.
 */
static __u64 site(struct dat_src *d, __u64 addr)
{
	const char *name = NULL;
	unsigned long long start = 0;
	unsigned long size = 0;
	struct iomc_sym s;
	char buf[AZ_SYM_MAX_LEN];
	int n, found;

	if (az_ksyms_loaded())
		return az_symbolize(addr);
	found = tep_find_function_info(d->tep, addr, &name, &start, &size) && name &&
		size && size <= IOMC_SYM_MAX_SIZE && addr - start < size;
	if (found) {
		s.name = name;
		s.mod = NULL;
		s.start = start;
		s.size = size;
	}
	n = iomc_sym_format(buf, sizeof(buf), addr, found ? &s : NULL);
	if (n < 0)
		return 0;
	return az_sym_intern(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Fill ev from rec; 0 if the record is not one of ours. */
static int convert(struct dat_src *d, struct tep_record *rec, struct iomc_event *ev)
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
		ev->caller = site(d, num(f[2], rec));
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
		ev->caller = site(d, num(f[7], rec));
		break;
	case EV_UNMAP:
		ev->type = IOMC_EV_UNMAP;
		ev->kind = num(f[0], rec);
		ev->ctx = num(f[1], rec);
		ev->vaddr = num(f[2], rec);
		ev->caller = site(d, num(f[3], rec));
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
	    (ev->type <= IOMC_EV_UNMAP && !ev->caller)) {
		d->base.st.malformed.count++;
		return 0;
	}
	return 1;
}

static int dat_next(struct az_source *src, struct az_event *out)
{
	struct dat_src *d = (struct dat_src *)src;

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
		memset(out, 0, sizeof(*out));
		out->seq = d->seq++;
		out->src = src->index;
		if (best->rec->missed_events && !best->drop_sent) {
			/* the buffer lost events before this record */
			best->drop_sent = 1;
			out->ev.type = IOMC_EV_DROP;
			out->ev.cpu = best->cpu;
			out->ev.ts_ns = best->rec->ts;
			out->ev.arg = best->rec->missed_events > 0 ? best->rec->missed_events : 0;
			src->st.drops++;
			src->st.lost += out->ev.arg;
			src->st.events++;
			return 1;
		}
		{
			struct tep_record *rec = best->rec;
			int ours = convert(d, rec, &out->ev);

			best->rec = tracecmd_read_data(best->h, best->cpu);
			best->drop_sent = 0;
			tracecmd_free_record(rec);
			if (!ours) {
				src->st.other++;
				continue;
			}
		}
		src->st.events++;
		if (out->ev.type <= IOMC_EV_UNMAP)
			src->st.iomap_events++;
		return 1;
	}
}

static void dat_close(struct az_source *src)
{
	struct dat_src *d = (struct dat_src *)src;
	unsigned int i;

	for (i = 0; i < d->nstreams; i++)
		if (d->streams[i].rec)
			tracecmd_free_record(d->streams[i].rec);
	for (i = 0; i < (unsigned int)d->ninst; i++)
		tracecmd_close(d->inst[i]);
	free(d->inst);
	free(d->streams);
	if (d->top)
		tracecmd_close(d->top);
	free(d);
}

int az_is_tracedat(const unsigned char *m, size_t n)
{
	return n >= 10 && m[0] == 0x17 && m[1] == 0x08 && m[2] == 0x44 &&
	       !memcmp(m + 3, "tracing", 7);
}

static int add_streams(struct dat_src *d, struct tracecmd_input *h)
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

struct az_source *az_open_tracedat(const char *path, int fd, __u32 index)
{
	struct dat_src *d = calloc(1, sizeof(*d));
	int i, ninst;

	close(fd);
	if (!d)
		return NULL;
	d->base.name = path;
	d->base.index = index;
	d->base.fmt = AZ_FMT_TRACEDAT;
	d->base.next = dat_next;
	d->base.close = dat_close;
	tracecmd_set_loglevel(TEP_LOG_ERROR);
	d->top = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!d->top) {
		fprintf(stderr, "iomap-check: %s: libtracecmd cannot read this trace.dat\n", path);
		free(d);
		return NULL;
	}
	d->tep = tracecmd_get_tep(d->top);
	d->base.nr_cpus = tep_get_cpus(d->tep);
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
	return &d->base;
oom:
	fprintf(stderr, "iomap-check: out of memory\n");
	dat_close(&d->base);
	return NULL;
}
