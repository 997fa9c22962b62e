// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules on a real verifier and the agreement of the two engine drivers.
 *
 * Loads build/.../iomap_checkd.bpf.o (the daemon's object, through its
 * skeleton) on the running kernel, attaches nothing, and drives its raw_tp
 * programs with BPF_PROG_TEST_RUN: one worker thread per task of a case
 * (t1..t4), pinned to the case's CPU, so the programs see the tid and CPU
 * the sequence says. Every event is fed to the userspace driver
 * (lib/engine_state.c) too. For each case of the .seq file:
 *   - each event's violations from BPF == its expect lines,
 *   - the userspace driver's == the BPF programs' (rule, context, sites,
 *     owner, held stack), event by event,
 *   - the report records carry the event as the tracepoint gave it,
 *   - the programs' fast-path counters match their state afterwards.
 * Then BPF-only tests: dedup counting, per-CPU counters.
 *
 * usage: bpf_rules FILE.seq   (root; KTAP on stdout)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iomap_checkd.h"
#include "iomap_checkd.skel.h"
#include "engine_state.h"
#include "iomc_seq.h"

/* ---- worker threads: one per task of a sequence ------------------------ */

struct job {
	int prog_fd;
	__u64 args[12];
	unsigned int nargs;
	int cpu;
	int err;
};

struct worker {
	pthread_t th;
	sem_t go, done;
	pid_t tid;
	struct job *job;
	int quit;
};

static struct worker workers[SEQ_MAX_TASKS];

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->tid = (pid_t)syscall(SYS_gettid);
	sem_post(&w->done);
	for (;;) {
		struct job *j;
		cpu_set_t set;
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		sem_wait(&w->go);
		if (w->quit)
			return NULL;
		j = w->job;
		CPU_ZERO(&set);
		CPU_SET(j->cpu, &set);
		/* run on the CPU itself: test_run on another CPU would use
		 * an IPI and see whatever task runs there */
		if (sched_setaffinity(0, sizeof(set), &set)) {
			j->err = -errno;
		} else {
			opts.ctx_in = j->args;
			opts.ctx_size_in = j->nargs * sizeof(__u64);
			opts.flags = BPF_F_TEST_RUN_ON_CPU;
			opts.cpu = (__u32)j->cpu;
			j->err = bpf_prog_test_run_opts(j->prog_fd, &opts);
			if (!j->err && opts.retval)
				j->err = -EPROTO;
		}
		sem_post(&w->done);
	}
}

static int workers_start(void)
{
	int i;

	for (i = 0; i < SEQ_MAX_TASKS; i++) {
		sem_init(&workers[i].go, 0, 0);
		sem_init(&workers[i].done, 0, 0);
		if (pthread_create(&workers[i].th, NULL, worker_main,
				   &workers[i]))
			return -1;
		sem_wait(&workers[i].done);
	}
	return 0;
}

static void workers_stop(void)
{
	int i;

	for (i = 0; i < SEQ_MAX_TASKS; i++) {
		workers[i].quit = 1;
		sem_post(&workers[i].go);
		pthread_join(workers[i].th, NULL);
	}
}

static int run_on(unsigned int task, struct job *j)
{
	struct worker *w = &workers[task - 1];

	w->job = j;
	sem_post(&w->go);
	sem_wait(&w->done);
	return j->err;
}

/* ---- collected violations --------------------------------------------- */

struct vrec {
	__u32 rule, ctx;
	__u64 map_site, other_site;
	__u32 other_tid, other_ctx, other_cpu;
	__u32 held_ctx, held_tid, n_held;
	__u64 held_site[IOMC_STACK_MAX];
	__u64 caller;
	__u32 type;
	/* a module end's report carries what leaked, which each driver
	 * derives on its own: kind, mapping, offset, vaddr, size, len, arg */
	__u64 leak[7];
};

#define MAX_VREC 64
struct vlist {
	unsigned int n;
	struct vrec v[MAX_VREC];
};

static struct vlist bpf_out, user_out;
static struct iomc_event cur_ev;	/* the event being run (bound tids) */
static char last_site_sym[IOMC_SYM_LEN];	/* the last report's named site */
static int field_errors;
static char diag[8192];
static size_t diag_len;

static void note(const char *fmt, ...)
{
	va_list ap;

	if (diag_len >= sizeof(diag) - 1)
		return;
	va_start(ap, fmt);
	diag_len += (size_t)vsnprintf(diag + diag_len, sizeof(diag) - diag_len,
				      fmt, ap);
	va_end(ap);
	if (diag_len >= sizeof(diag))
		diag_len = sizeof(diag) - 1;
}

static void vrec_fill(struct vrec *r, const struct iomc_event *ev,
		      const struct iomc_viol *v, const struct iomc_held *held,
		      __u32 n_held, __u32 held_ctx, __u32 held_tid)
{
	__u32 i;

	memset(r, 0, sizeof(*r));
	r->rule = v->rule;
	r->ctx = v->ctx;
	r->map_site = v->map_site;
	r->other_site = v->other_site;
	r->other_tid = v->other_tid;
	r->other_ctx = v->other_ctx;
	r->other_cpu = v->other_cpu;
	/* whose stack matters only when it holds something */
	r->held_ctx = n_held ? held_ctx : 0;
	r->held_tid = n_held ? held_tid : 0;
	r->n_held = n_held;
	for (i = 0; i < n_held && i < IOMC_STACK_MAX; i++)
		r->held_site[i] = held[i].site;
	r->caller = ev->caller;
	r->type = ev->type;
	if (ev->type == IOMC_EV_MODULE_END) {
		r->leak[0] = ev->kind;
		r->leak[1] = ev->mapping;
		r->leak[2] = ev->offset;
		r->leak[3] = ev->vaddr;
		r->leak[4] = ev->size;
		r->leak[5] = ev->len;
		r->leak[6] = ev->arg;
	}
}

static void user_cb(void *arg, const struct iomc_event *ev,
		    const struct iomc_viol *v, const struct iomc_stack *held,
		    __u32 held_ctx, __u32 held_tid)
{
	(void)arg;
	if (user_out.n >= MAX_VREC)
		return;
	vrec_fill(&user_out.v[user_out.n++], ev, v, held ? held->held : NULL,
		  held ? held->depth : 0, held_ctx, held_tid);
}

static int rb_cb(void *ctx, void *data, size_t size)
{
	const struct iomc_report *r = data;
	const struct iomc_event *e = &r->ev, *x = &cur_ev;

	(void)ctx;
	if (size < sizeof(__u32) || r->msg != IOMC_MSG_REPORT)
		return 0;
	if (size < sizeof(*r)) {
		note("# short report (%zu bytes)\n", size);
		field_errors++;
		return 0;
	}
	/* the record must carry the event as the tracepoint gave it */
	if (e->type != x->type || e->tid != x->tid || e->cpu != x->cpu ||
	    e->ctx != x->ctx || e->caller != x->caller ||
	    ((x->type == IOMC_EV_MAP || x->type == IOMC_EV_UNMAP) &&
	     (e->kind != x->kind || e->vaddr != x->vaddr)) ||
	    (x->type == IOMC_EV_MAP &&
	     (e->mapping != x->mapping || e->offset != x->offset ||
	      e->size != x->size || e->len != x->len))) {
		note("# report's event differs: type %u/%u tid %u/%u cpu %u/%u ctx %u/%u caller %llx/%llx\n",
		     e->type, x->type, e->tid, x->tid, e->cpu, x->cpu, e->ctx,
		     x->ctx, (unsigned long long)e->caller,
		     (unsigned long long)x->caller);
		field_errors++;
	}
	if (r->stack_bytes < 0 && r->stack_bytes != -EFAULT) {
		note("# bpf_get_stack failed: %d\n", r->stack_bytes);
		field_errors++;
	}
	memcpy(last_site_sym, r->sym[IOMC_RSYM_SITE], sizeof(last_site_sym));
	last_site_sym[sizeof(last_site_sym) - 1] = 0;
	if (bpf_out.n < MAX_VREC)
		vrec_fill(&bpf_out.v[bpf_out.n++], e, &r->v, r->held,
			  r->n_held, r->held_ctx, r->held_tid);
	return 0;
}

/* ---- the BPF side -------------------------------------------------------- */

static struct iomap_checkd *skel;
static struct ring_buffer *rb;
static int ncpus;

/*
 * The programs' settings are .rodata, fixed at load: one object per
 * distinct setting the tests use, each loaded once (the first with every
 * program, the verifier's test; the others with the ones prog_for() runs
 * only, to keep the loads short in a TCG guest). skel and rb are the one
 * in use.
 */
#define MAX_LOADS 16
static struct loaded {
	struct iomc_bpf_cfg cfg;
	struct iomap_checkd *skel;
	struct ring_buffer *rb;
} loads[MAX_LOADS];
static int nloads;

static int rb_cb(void *ctx, void *data, size_t size);

/* The programs prog_for() runs (the others are loaded once, by the first). */
static int test_run(const char *name)
{
	static const char *const names[] = {
		"iomc_create", "iomc_free", "iomc_map", "iomc_unmap", "iomc_fault", "iomc_switch",
		"iomc_exit", "iomc_hardirq_exit", "iomc_softirq_exit", "iomc_nmi_exit",
		"iomc_test_module_end", "iomc_test_memremap", "iomc_test_create", "iomc_test_might_sleep",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* The settings every test uses unless it says otherwise. */
static struct iomc_bpf_cfg cfg_of(__u32 rule_mask, __u32 depth_limit, __u32 dedup)
{
	struct iomc_bpf_cfg c;

	memset(&c, 0, sizeof(c));
	c.rules.rule_mask = rule_mask;
	c.rules.depth_limit = depth_limit;
	c.dedup = dedup;
	return c;
}

/* Run the programs loaded with cfg from now on; 0 or -errno. */
static int use_cfg(struct iomc_bpf_cfg cfg)
{
	struct bpf_program *p;
	struct loaded *l;
	int i, err;

	for (i = 0; i < nloads; i++) {
		if (!memcmp(&loads[i].cfg, &cfg, sizeof(cfg))) {
			skel = loads[i].skel;
			rb = loads[i].rb;
			return 0;
		}
	}
	if (nloads == MAX_LOADS)
		return -E2BIG;
	l = &loads[nloads];
	l->skel = iomap_checkd__open();
	if (!l->skel)
		return -errno;
	bpf_map__set_max_entries(l->skel->maps.irqs, (__u32)ncpus * 3);
	l->skel->rodata->cfg = cfg;
	bpf_object__for_each_program(p, l->skel->obj)
		if (nloads && !test_run(bpf_program__name(p)))
			bpf_program__set_autoload(p, false);
	err = iomap_checkd__load(l->skel);
	if (!err) {
		l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.rb), rb_cb, NULL, NULL);
		if (!l->rb)
			err = -errno;
	}
	if (err) {
		iomap_checkd__destroy(l->skel);
		return err;
	}
	l->cfg = cfg;
	nloads++;
	skel = l->skel;
	rb = l->rb;
	return 0;
}

static void unload_all(void)
{
	int i;

	for (i = 0; i < nloads; i++) {
		ring_buffer__free(loads[i].rb);
		iomap_checkd__destroy(loads[i].skel);
	}
	nloads = 0;
}

static int prog_for(const struct iomc_event *ev, struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->cpu = (int)ev->cpu;
	switch (ev->type) {
	case IOMC_EV_CREATE:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_test_create);
		j->args[0] = ev->mapping;
		j->args[1] = 0;
		j->args[2] = ev->size;
		j->args[3] = ev->caller;
		j->args[4] = ev->len;	/* owner */
		j->nargs = 5;
		break;
	case IOMC_EV_FREE:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_free);
		j->args[0] = ev->mapping;
		j->args[1] = ev->size;
		j->args[2] = ev->caller;
		j->nargs = 3;
		break;
	case IOMC_EV_MAP:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_map);
		j->args[0] = ev->kind;
		j->args[1] = ev->ctx;
		j->args[2] = ev->mapping;
		j->args[3] = ev->size;
		j->args[4] = ev->offset;
		j->args[5] = ev->len;
		j->args[6] = ev->vaddr;
		j->args[7] = ev->caller;
		j->nargs = 8;
		break;
	case IOMC_EV_UNMAP:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_unmap);
		j->args[0] = ev->kind;
		j->args[1] = ev->ctx;
		j->args[2] = ev->vaddr;
		j->args[3] = ev->caller;
		j->nargs = 4;
		break;
	case IOMC_EV_SWITCH:
		/* sched_switch(preempt, prev, next, prev_state) */
		j->prog_fd = bpf_program__fd(skel->progs.iomc_switch);
		j->args[0] = !ev->arg;
		j->nargs = 4;
		break;
	case IOMC_EV_EXIT:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_exit);
		j->nargs = 1;
		break;
	case IOMC_EV_IRQ_EXIT:
		j->prog_fd = bpf_program__fd(
			ev->ctx == IOMC_CTX_HARDIRQ ? skel->progs.iomc_hardirq_exit :
			ev->ctx == IOMC_CTX_SOFTIRQ ? skel->progs.iomc_softirq_exit :
			skel->progs.iomc_nmi_exit);
		j->nargs = 2;
		break;
	case IOMC_EV_MODULE_END:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_test_module_end);
		j->args[0] = ev->mapping;
		j->args[1] = ev->offset;
		j->args[2] = ev->len;
		j->args[3] = ev->vaddr;
		j->args[4] = ev->size;
		j->args[5] = ev->arg;
		j->nargs = 6;
		break;
	case IOMC_EV_MEMREMAP:
	case IOMC_EV_MEMUNMAP:
	case IOMC_EV_PAGEMAP:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_test_memremap);
		j->args[0] = ev->type;
		j->args[1] = ev->kind;
		j->args[2] = ev->type != IOMC_EV_MEMUNMAP ? ev->offset :
			     ev->kind == IOMC_MR_MEMUNMAP_PAGES ? ev->mapping : ev->vaddr;
		j->args[3] = ev->size;
		j->args[4] = ev->vaddr;
		j->args[5] = ev->arg;
		j->args[6] = ev->caller;
		/* len: a pagemap's nr_range, a memremap's owner */
		j->args[7] = ev->type == IOMC_EV_PAGEMAP ? ev->len : 0;
		j->args[8] = ev->type == IOMC_EV_MEMREMAP ? ev->len : 0;
		j->args[9] = ev->type == IOMC_EV_PAGEMAP ? ev->mapping : 0;
		j->nargs = 10;
		break;
	case IOMC_EV_FAULT:
		/* io_mapping_fault(vaddr, ip, mapping, offset, kind, ctx,
		 * map_caller, unmap_caller, holder, fixed) */
		j->prog_fd = bpf_program__fd(skel->progs.iomc_fault);
		j->args[0] = ev->vaddr;
		j->args[1] = ev->caller;
		j->args[2] = ev->mapping;
		j->args[3] = ev->offset;
		j->args[4] = ev->kind;
		j->args[5] = ev->ctx;
		j->args[6] = ev->len;
		j->args[7] = ev->arg;
		j->args[8] = IOMC_FAULT_HOLDER(ev->size);
		j->args[9] = IOMC_FAULT_FIXED(ev->size);
		j->nargs = 10;
		break;
	case IOMC_EV_MIGHT_SLEEP:
		j->prog_fd = bpf_program__fd(skel->progs.iomc_test_might_sleep);
		j->args[0] = ev->arg;
		j->args[1] = ev->caller;
		j->nargs = 2;
		break;
	default:
		return -1;
	}
	return 0;
}

static void map_clear(struct bpf_map *map, size_t ksz)
{
	int fd = bpf_map__fd(map);
	char key[64], next[64];
	void *prev = NULL;

	/* collect-then-delete would need memory; restart after each delete */
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		bpf_map_delete_elem(fd, key);
		prev = NULL;
	}
}

static void bpf_reset(void)
{
	static struct iomc_stack zero;
	__u32 i;

	map_clear(skel->maps.tasks, 4);
	map_clear(skel->maps.wcs, 8);
	map_clear(skel->maps.freed, 8);
	map_clear(skel->maps.lives, 8);
	map_clear(skel->maps.modinit, 8);
	map_clear(skel->maps.mrs, 8);
	map_clear(skel->maps.mr_names, 8);
	skel->bss->mr_untracked = 0;
	map_clear(skel->maps.seen, sizeof(struct iomc_seen_key));
	for (i = 0; i < (__u32)ncpus * 3; i++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.irqs), &i, &zero, 0);
	skel->bss->atomic_held = 0;
	skel->bss->irq_held = 0;
	skel->bss->wc_held = 0;
}

/* The fast-path counters must equal what the state holds. */
static int bpf_counters_consistent(void)
{
	int fd = bpf_map__fd(skel->maps.tasks);
	struct iomc_stack s;
	__s64 atomic = 0, irq = 0;
	__u32 key, next, *prev = NULL, i;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &s))
			atomic += s.n_atomic;
	}
	fd = bpf_map__fd(skel->maps.irqs);
	for (i = 0; i < (__u32)ncpus * 3; i++) {
		if (bpf_map_lookup_elem(fd, &i, &s))
			continue;
		atomic += s.n_atomic;
		irq += s.depth;
	}
	{
		__u64 k, *pk = NULL, nk;
		__s64 nwc = 0;

		fd = bpf_map__fd(skel->maps.wcs);
		while (!bpf_map_get_next_key(fd, pk, &nk)) {
			k = nk;
			pk = &k;
			nwc++;
		}
		if (nwc != skel->bss->wc_held) {
			note("# fast-path counter wc_held %lld, wc table has %lld\n",
			     (long long)skel->bss->wc_held, (long long)nwc);
			return -1;
		}
	}
	if (atomic != skel->bss->atomic_held || irq != skel->bss->irq_held) {
		note("# fast-path counters: atomic_held %lld (state %lld), irq_held %lld (state %lld)\n",
		     (long long)skel->bss->atomic_held, (long long)atomic,
		     (long long)skel->bss->irq_held, (long long)irq);
		return -1;
	}
	return 0;
}

/* ---- comparing ---------------------------------------------------------- */

static const char *sym(__u64 a)
{
	static char buf[4][32];
	static int k;
	const char *n = seq_sym_name(a);

	if (n)
		return n;
	k = (k + 1) & 3;
	snprintf(buf[k], sizeof(buf[k]), "%#llx", (unsigned long long)a);
	return buf[k];
}

static void note_vlist(const char *who, const struct vlist *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		note("#   %s: %s map=%s other=%s ctx=%u held=%u\n", who,
		     seq_rule_name(l->v[i].rule), sym(l->v[i].map_site),
		     sym(l->v[i].other_site), l->v[i].ctx, l->v[i].n_held);
	if (!l->n)
		note("#   %s: (nothing)\n", who);
}

static int match_expect(const struct seq_event *se, const struct vlist *l)
{
	int used[MAX_VREC] = { 0 };
	unsigned int i, k;

	if (l->n != se->n_expect)
		return -1;
	for (i = 0; i < se->n_expect; i++) {
		const struct seq_expect *x = &se->expect[i];

		for (k = 0; k < l->n; k++) {
			const struct vrec *v = &l->v[k];

			if (used[k] || v->rule != x->rule)
				continue;
			if (x->map_site_set && v->map_site != x->map_site)
				continue;
			if (x->other_site_set && v->other_site != x->other_site)
				continue;
			used[k] = 1;
			break;
		}
		if (k == l->n)
			return -1;
	}
	return 0;
}

static int same_vrec(const struct vrec *a, const struct vrec *b)
{
	__u32 i;

	if (a->rule != b->rule || a->ctx != b->ctx ||
	    a->map_site != b->map_site || a->other_site != b->other_site ||
	    a->other_tid != b->other_tid || a->other_ctx != b->other_ctx ||
	    a->other_cpu != b->other_cpu || a->n_held != b->n_held ||
	    a->held_ctx != b->held_ctx || a->held_tid != b->held_tid ||
	    a->caller != b->caller || a->type != b->type ||
	    memcmp(a->leak, b->leak, sizeof(a->leak)))
		return 0;
	for (i = 0; i < a->n_held && i < IOMC_STACK_MAX; i++)
		if (a->held_site[i] != b->held_site[i])
			return 0;
	return 1;
}

static int vrec_cmp(const void *a, const void *b)
{
	const struct vrec *x = a, *y = b;

	if (x->map_site != y->map_site)
		return x->map_site < y->map_site ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int run_case(const struct seq_case *c)
{
	struct iomc_state *st;
	unsigned int i, k;
	int bad = 0;

	int err;

	err = use_cfg(cfg_of(c->cfg.rule_mask, c->cfg.depth_limit, 0));
	if (err) {
		note("# loading with the case's settings: %s\n", strerror(-err));
		return -1;
	}
	bpf_reset();
	st = iomc_state_new(&c->cfg);
	if (!st)
		return -1;
	for (i = 0; i < c->n; i++) {
		const struct seq_event *se = &c->ev[i];
		struct job j;
		int err;

		cur_ev = se->ev;
		cur_ev.tid = (__u32)workers[se->task - 1].tid;
		cur_ev.pid = (__u32)getpid();
		if ((int)cur_ev.cpu >= ncpus) {
			note("# line %u: cpu %u: this machine has %d\n",
			     se->line, cur_ev.cpu, ncpus);
			bad = 1;
			break;
		}
		bpf_out.n = 0;
		user_out.n = 0;
		field_errors = 0;
		iomc_state_feed(st, &cur_ev, user_cb, NULL);
		if (prog_for(&cur_ev, &j)) {
			note("# line %u: no program for event type %u\n",
			     se->line, cur_ev.type);
			bad = 1;
			continue;
		}
		err = run_on(se->task, &j);
		if (err) {
			note("# line %u: BPF_PROG_TEST_RUN: %s\n", se->line,
			     strerror(-err));
			bad = 1;
			continue;
		}
		ring_buffer__consume(rb);
		if (field_errors) {
			note("# line %u: %d report field errors\n", se->line,
			     field_errors);
			bad = 1;
		}
		if (match_expect(se, &bpf_out)) {
			note("# line %u: BPF violations differ from expect (%u expected)\n",
			     se->line, se->n_expect);
			note_vlist("bpf", &bpf_out);
			bad = 1;
		}
		/* a module end walks hash tables: the order is theirs */
		if (cur_ev.type == IOMC_EV_MODULE_END) {
			qsort(bpf_out.v, bpf_out.n, sizeof(bpf_out.v[0]), vrec_cmp);
			qsort(user_out.v, user_out.n, sizeof(user_out.v[0]), vrec_cmp);
		}
		if (bpf_out.n != user_out.n) {
			note("# line %u: BPF and userspace drivers disagree\n",
			     se->line);
			note_vlist("bpf", &bpf_out);
			note_vlist("user", &user_out);
			bad = 1;
			continue;
		}
		for (k = 0; k < bpf_out.n; k++) {
			if (same_vrec(&bpf_out.v[k], &user_out.v[k]))
				continue;
			note("# line %u: violation %u differs between BPF and userspace\n",
			     se->line, k);
			note_vlist("bpf", &bpf_out);
			note_vlist("user", &user_out);
			bad = 1;
			break;
		}
	}
	if (bpf_counters_consistent())
		bad = 1;
	iomc_state_free(st);
	return bad ? -1 : 0;
}

/* ---- BPF-only tests ------------------------------------------------------ */

static int run_event(unsigned int task, struct iomc_event *ev)
{
	struct job j;

	ev->tid = (__u32)workers[task - 1].tid;
	cur_ev = *ev;
	if (prog_for(ev, &j) || run_on(task, &j))
		return -1;
	ring_buffer__consume(rb);
	return 0;
}

/* The same violation twice: one report, the dedup table counts 2. */
static int test_dedup(void)
{
	struct iomc_event ev = { .type = IOMC_EV_UNMAP,
				 .kind = IOMC_KIND_LOCAL,
				 .vaddr = 0x1234000, .caller = 0xffffffffc0de0000ULL };
	struct iomc_seen_key k = { .rule = IOMC_RULE_UNKNOWN_UNMAP,
				   .site = 0xffffffffc0de0000ULL };
	struct iomc_seen_val val;

	if (use_cfg(cfg_of(IOMC_ALL_RULES, IOMC_DEFAULT_DEPTH_LIMIT, 1)))
		return -1;
	bpf_reset();
	bpf_out.n = 0;
	if (run_event(1, &ev) || run_event(2, &ev) || run_event(1, &ev))
		return -1;
	if (bpf_out.n != 1) {
		note("# %u reports, want 1\n", bpf_out.n);
		return -1;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.seen), &k, &val)) {
		note("# no dedup entry\n");
		return -1;
	}
	if (val.count != 3 || !val.reported) {
		note("# dedup count %llu reported %llu, want 3 and 1\n",
		     (unsigned long long)val.count,
		     (unsigned long long)val.reported);
		return -1;
	}
	return 0;
}

/* A kernel text address of the host, from /proc/kallsyms (0: none). */
static __u64 host_text_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256], t;
	unsigned long long a;
	__u64 found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &t, sym) == 3 &&
		    (t == 'T' || t == 't') && a && !strcmp(sym, name)) {
			found = a;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * A memremap's site is named by the kernel (%pB) when the call returns, and
 * a leak_on_unload report names it so: at unload the code is gone (init
 * text freed, the module going), a name taken then would be an address.
 * The kept name is replaced here by one the kernel could not give at unload
 * time; the report must carry it.
 */
static int test_memremap_site_named(void)
{
	static const char gone[] = "scn_gone_init+0x10/0x40 [gone]";
	__u64 text = host_text_addr("memremap"), va = 0xffffc900fd000000ULL;
	struct iomc_event mr = { .type = IOMC_EV_MEMREMAP, .kind = IOMC_MR_MEMREMAP,
				 .offset = 0xfd000000, .size = 0x1000, .vaddr = va,
				 .arg = IOMC_MR_ARG(IOMC_MEMREMAP_WC,
						    IOMC_REGION_DISJOINT, 0) };
	struct iomc_event end = { .type = IOMC_EV_MODULE_END, .mapping = 0xbeef };
	struct iomc_mr_name n;
	char want[64];

	if (!text) {
		note("# no memremap in /proc/kallsyms (addresses hidden?)\n");
		return -1;
	}
	if (use_cfg(cfg_of(IOMC_ALL_RULES, IOMC_DEFAULT_DEPTH_LIMIT, 0)))
		return -1;
	bpf_reset();
	mr.caller = text + 0x10;
	end.offset = text;		/* the "module" is memremap's text */
	end.len = 0x1000;
	if (run_event(1, &mr))
		return -1;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.mr_names), &va, &n)) {
		note("# no name kept for the live memremap\n");
		return -1;
	}
	n.sym[sizeof(n.sym) - 1] = 0;
	snprintf(want, sizeof(want), "memremap+0x10/");
	if (strncmp(n.sym, want, strlen(want))) {
		note("# kept name '%s', want '%s...' (the kernel's %%pB)\n", n.sym, want);
		return -1;
	}
	memset(&n, 0, sizeof(n));
	memcpy(n.sym, gone, sizeof(gone));
	bpf_map_update_elem(bpf_map__fd(skel->maps.mr_names), &va, &n, BPF_EXIST);
	bpf_out.n = 0;
	last_site_sym[0] = 0;
	if (run_event(1, &end))
		return -1;
	if (bpf_out.n != 1 || bpf_out.v[0].rule != IOMC_RULE_LEAK_ON_UNLOAD ||
	    strcmp(last_site_sym, gone)) {
		note("# %u reports, site named '%s', want one leak_on_unload named '%s'\n",
		     bpf_out.n, last_site_sym, gone);
		return -1;
	}
	/* forgotten with the live entry */
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.mr_names), &va, &n)) {
		note("# the name outlived its memremap\n");
		return -1;
	}
	return 0;
}

/* Per-CPU counters: events checked, violations, reports. */
static int test_counters(void)
{
	struct iomc_counters *pc = calloc((size_t)ncpus, sizeof(*pc));
	struct iomc_counters sum = { 0 };
	struct iomc_event m = { .type = IOMC_EV_MAP, .kind = IOMC_KIND_LOCAL,
				.mapping = 0xffff888000200000ULL,
				.size = 0x10000, .offset = 0x1001, .len = 4096,
				.vaddr = 0xffffc90000001001ULL,
				.caller = 0xffffffffc0de1000ULL };
	struct iomc_event u = { .type = IOMC_EV_UNMAP, .kind = IOMC_KIND_LOCAL,
				.vaddr = 0xffffc90000001001ULL,
				.caller = 0xffffffffc0de2000ULL };
	__u32 zero = 0;
	int i, rc = 0;

	if (!pc)
		return -1;
	if (use_cfg(cfg_of(IOMC_ALL_RULES, IOMC_DEFAULT_DEPTH_LIMIT, 0))) {
		free(pc);
		return -1;
	}
	bpf_reset();
	for (i = 0; i < ncpus; i++)
		memset(&pc[i], 0, sizeof(pc[i]));
	bpf_map_update_elem(bpf_map__fd(skel->maps.counters), &zero, pc, 0);
	m.cpu = u.cpu = (__u32)(ncpus - 1);
	if (run_event(1, &m) || run_event(1, &u)) {
		free(pc);
		return -1;
	}
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &zero, pc);
	for (i = 0; i < ncpus; i++) {
		sum.events += pc[i].events;
		sum.violations += pc[i].violations;
		sum.reported += pc[i].reported;
	}
	/* the unaligned map is one violation; its unmap is fine */
	if (sum.events != 2 || sum.violations != 1 || sum.reported != 1 ||
	    pc[ncpus - 1].events != 2) {
		note("# counters: events %llu violations %llu reported %llu\n",
		     (unsigned long long)sum.events,
		     (unsigned long long)sum.violations,
		     (unsigned long long)sum.reported);
		rc = -1;
	}
	free(pc);
	return rc;
}

/* How hard the verifier worked, per program (limit 1M): the margin left. */
static void print_verifier_stats(void)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			printf("# %-24s %6u insns, %7u verified\n",
			       bpf_program__name(p), info.xlated_prog_len / 8,
			       info.verified_insns);
	}
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void result(int n, int ok, const char *name)
{
	printf("%sok %d %s\n", ok ? "" : "not ", n, name);
	if (!ok && diag_len)
		fputs(diag, stdout);
	diag_len = 0;
	diag[0] = 0;
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct seq_case *cases;
	int ncase, i, t = 0, err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.seq\n", argv[0]);
		return 2;
	}
	ncase = seq_parse_file(argv[1], &cases);
	if (ncase < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", ncase + 4);
	libbpf_set_print(libbpf_quiet);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		printf("not ok 1 load: no CPU count\n");
		return 1;
	}
	err = use_cfg(cfg_of(IOMC_ALL_RULES, IOMC_DEFAULT_DEPTH_LIMIT, 0));
	result(++t, !err, "load: the verifier accepts every program");
	if (err)
		return 1;
	print_verifier_stats();
	if (workers_start()) {
		printf("not ok %d setup\n", ++t);
		return 1;
	}
	for (i = 0; i < ncase; i++)
		result(++t, !run_case(&cases[i]), cases[i].name);
	result(++t, !test_dedup(), "dedup: repeats counted, reported once");
	result(++t, !test_counters(), "per-CPU counters");
	result(++t, !test_memremap_site_named(),
	       "memremap site named at the call, the unload report uses that name");
	workers_stop();
	unload_all();
	free(cases);
	return 0;
}
