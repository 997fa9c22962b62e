// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Userspace driver of the rule engine: the state tables and the lookup
 * sequence of engine.h's "how a driver processes an event", mirroring
 * bpf/iomc_*.bpf.c. Tables are small chained hashes keyed by u64.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "engine_state.h"
#include "hash.h"

/* ---- u64 -> pointer hash ------------------------------------------------ */

struct u64ent {
	__u64 key;
	void *val;
	struct u64ent *next;
};

struct u64map {
	struct u64ent **b;
	size_t nb, n;
	/*
	 * Entries of deleted keys, for the next puts: an analyzer run maps
	 * and unmaps millions of times, and malloc/free per event was a
	 * tenth of its rule thread (issue 21). Never more than the peak.
	 */
	struct u64ent *spare;
	/* the same for struct tids of the initial capacity (mm_add/mm_del) */
	void *spare_tids;
};

static size_t u64map_slot(const struct u64map *m, __u64 k)
{
	return (size_t)iomc_hash64(k) & (m->nb - 1);
}

static void *u64map_get(const struct u64map *m, __u64 k)
{
	struct u64ent *e;

	if (!m->nb)
		return NULL;
	for (e = m->b[u64map_slot(m, k)]; e; e = e->next)
		if (e->key == k)
			return e->val;
	return NULL;
}

static int u64map_grow(struct u64map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64, i;
	struct u64ent **b = calloc(nb, sizeof(*b));
	struct u64map nm = { b, nb, m->n, m->spare, m->spare_tids };

	if (!b)
		return -1;
	for (i = 0; i < m->nb; i++) {
		struct u64ent *e = m->b[i], *next;

		for (; e; e = next) {
			size_t s = u64map_slot(&nm, e->key);

			next = e->next;
			e->next = b[s];
			b[s] = e;
		}
	}
	free(m->b);
	*m = nm;
	return 0;
}

/* Insert k (absent) -> v; returns v or NULL on OOM. */
static void *u64map_put(struct u64map *m, __u64 k, void *v)
{
	struct u64ent *e;
	size_t s;

	if (m->n >= m->nb && u64map_grow(m))
		return NULL;
	if (m->spare) {
		e = m->spare;
		m->spare = e->next;
	} else if (!(e = malloc(sizeof(*e)))) {
		return NULL;
	}
	s = u64map_slot(m, k);
	e->key = k;
	e->val = v;
	e->next = m->b[s];
	m->b[s] = e;
	m->n++;
	return v;
}

/* Remove k; returns its value (to free) or NULL. */
static void *u64map_del(struct u64map *m, __u64 k)
{
	struct u64ent **pp, *e;
	void *v;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[u64map_slot(m, k)]; (e = *pp); pp = &e->next) {
		if (e->key != k)
			continue;
		*pp = e->next;
		v = e->val;
		e->next = m->spare;
		m->spare = e;
		m->n--;
		return v;
	}
	return NULL;
}

static void u64map_clear(struct u64map *m)
{
	size_t i;

	for (i = 0; i < m->nb; i++) {
		struct u64ent *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->val);
			free(e);
		}
	}
	while (m->spare) {
		struct u64ent *e = m->spare;

		m->spare = e->next;
		free(e);
	}
	while (m->spare_tids) {
		void *t = m->spare_tids;

		memcpy(&m->spare_tids, t, sizeof(void *));
		free(t);
	}
	free(m->b);
	memset(m, 0, sizeof(*m));
}

#define u64map_for_each(m, i, e)				\
	for ((i) = 0; (i) < (m)->nb; (i)++)			\
		for ((e) = (m)->b[i]; (e); (e) = (e)->next)

/* ---- key -> tids multiset (who holds a vaddr, maps of a mapping) -------- */

struct tids {
	__u32 n, cap;
	__u32 tid[];
};

/* The value slot of k, or NULL. */
static void **u64map_slot_of(const struct u64map *m, __u64 k)
{
	struct u64ent *e;

	if (!m->nb)
		return NULL;
	for (e = m->b[u64map_slot(m, k)]; e; e = e->next)
		if (e->key == k)
			return &e->val;
	return NULL;
}

/* a new list's size; a spare one holds the next spare's address at its start */
#define TIDS_INITIAL (sizeof(struct tids) + 2 * sizeof(__u32))
_Static_assert(TIDS_INITIAL >= sizeof(void *), "a spare tids holds a pointer");

static void mm_add(struct u64map *m, __u64 key, __u32 tid)
{
	void **slot = u64map_slot_of(m, key);
	struct tids *l = slot ? *slot : NULL;

	if (!l) {
		if (m->spare_tids) {
			l = m->spare_tids;
			memcpy(&m->spare_tids, l, sizeof(void *));
		} else if (!(l = malloc(TIDS_INITIAL))) {
			return;	/* worst case: a holder is not found (as if lost) */
		}
		l->n = 0;
		l->cap = 2;
		if (!u64map_put(m, key, l)) {
			free(l);
			return;
		}
	} else if (l->n == l->cap) {
		struct tids *nl = realloc(l, sizeof(*l) + 2 * l->cap * sizeof(l->tid[0]));

		if (!nl)
			return;
		nl->cap *= 2;
		*slot = l = nl;
	}
	l->tid[l->n++] = tid;
}

static void mm_del(struct u64map *m, __u64 key, __u32 tid)
{
	struct tids *l = u64map_get(m, key);
	__u32 i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->tid[i] != tid)
			continue;
		memmove(&l->tid[i], &l->tid[i + 1], (l->n - i - 1) * sizeof(l->tid[0]));
		if (!--l->n) {
			u64map_del(m, key);
			if (l->cap == 2) {	/* TIDS_INITIAL bytes: keep it for mm_add */
				memcpy(l, &m->spare_tids, sizeof(void *));
				m->spare_tids = l;
			} else {
				free(l);
			}
		}
		return;
	}
}

/* ---- set of tids (open addressing; 0 empty, 1 deleted, tid + 2 stored) --- */

struct tidset {
	__u32 *k;
	size_t mask, used, n;	/* used: slots not empty (deleted ones too) */
};

static size_t tidset_find(const struct tidset *t, __u32 tid)
{
	size_t i;

	if (!t->k)
		return (size_t)-1;
	for (i = iomc_hash64(tid) & t->mask; t->k[i]; i = (i + 1) & t->mask)
		if (t->k[i] == tid + 2)
			return i;
	return (size_t)-1;
}

static void tidset_add(struct tidset *t, __u32 tid)
{
	size_t i;

	if (tidset_find(t, tid) != (size_t)-1)
		return;
	if (!t->k || (t->used + 1) * 2 > t->mask + 1) {
		size_t ncap = t->n * 4 > 64 ? t->n * 4 : 64, j, c = 64;
		__u32 *nk;

		while (c < ncap)
			c *= 2;
		nk = calloc(c, sizeof(*nk));
		if (!nk)
			return;	/* worst case: an unknown_unmap the loss might explain */
		for (j = 0; t->k && j <= t->mask; j++) {
			if (t->k[j] < 2)
				continue;
			for (i = iomc_hash64(t->k[j] - 2) & (c - 1); nk[i]; i = (i + 1) & (c - 1))
				;
			nk[i] = t->k[j];
		}
		free(t->k);
		t->k = nk;
		t->mask = c - 1;
		t->used = t->n;
	}
	for (i = iomc_hash64(tid) & t->mask; t->k[i] >= 2; i = (i + 1) & t->mask)
		;
	if (!t->k[i])
		t->used++;
	t->k[i] = tid + 2;
	t->n++;
}

/* 1 if tid was there (and is removed) */
static int tidset_take(struct tidset *t, __u32 tid)
{
	size_t i = tidset_find(t, tid);

	if (i == (size_t)-1)
		return 0;
	t->k[i] = 1;
	t->n--;
	return 1;
}

/* ---- state -------------------------------------------------------------- */

/*
 * A task's state exists only while it holds something (or its history was
 * lost, see below): an empty stack is the same as no stack to every rule,
 * so a task is freed as soon as its stack empties, and the memory is that
 * of the tasks holding maps, not of every thread id ever seen. A task
 * whose events were lost (iomc_stack_forget: "unsure") and that holds
 * nothing is kept as its tid alone, in the unsure set.
 */
struct task {
	struct iomc_stack s;
	__u32 tid;
	__u32 last_cpu;
	__u64 mark;			/* visit mark of a walk (count/drop_mapping) */
	struct task *cpu_prev, *cpu_next;	/* tasks last seen on last_cpu */
	int on_list;			/* linked in st->on_cpu[last_cpu] */
};

#define CPU_LISTS 4096			/* one list per CPU below; the rest share the last */

/* Interrupt contexts of one CPU: softirq, hardirq, nmi. */
struct cpu_irq {
	struct iomc_stack s[IOMC_CTX_MAX - 1];
};

struct iomc_state {
	struct iomc_cfg cfg;
	struct u64map tasks;	/* tid -> struct task (holding something) */
	/*
	 * Indexes, so that no event walks every task: who holds a vaddr
	 * (an unmap in another context), who holds maps of a mapping (a
	 * free), who was last on a CPU (a drop). Each lists a task once per
	 * held map; a task's entries are removed and re-added around every
	 * change to its stack (task_unindex / task_index).
	 */
	struct u64map by_vaddr, by_mapping;	/* key -> struct tids */
	struct task **on_cpu;	/* [CPU_LISTS] heads, allocated at first use */
	struct tidset unsure;	/* tasks forgotten after a loss, holding nothing */
	struct task *spare;	/* freed tasks kept for reuse (a map/unmap pair
				 * of a new thread id would otherwise allocate) */
	__u32 nspare;
	__u64 mark;
	struct u64map wc;	/* vaddr -> struct iomc_wc */
	struct u64map freed;	/* mapping -> struct iomc_freed */
	struct u64map live;	/* mapping -> struct iomc_live */
	iomc_owner_fn owner;
	void *owner_arg;
	struct u64map mrs;	/* memremap address -> struct iomc_mr */
	int mr_unsure;		/* memremap events may be missing */
	struct cpu_irq *irq;	/* [nirq] */
	__u32 nirq;
	struct iomc_state_stats stats;
};

struct iomc_state *iomc_state_new(const struct iomc_cfg *cfg)
{
	struct iomc_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cfg = *cfg;
	st->on_cpu = calloc(CPU_LISTS, sizeof(*st->on_cpu));
	if (!st->on_cpu) {
		free(st);
		return NULL;
	}
	return st;
}

void iomc_state_free(struct iomc_state *st)
{
	if (!st)
		return;
	u64map_clear(&st->tasks);
	u64map_clear(&st->by_vaddr);
	u64map_clear(&st->by_mapping);
	free(st->on_cpu);
	free(st->unsure.k);
	while (st->spare) {
		struct task *t = st->spare;

		st->spare = t->cpu_next;
		free(t);
	}
	u64map_clear(&st->wc);
	u64map_clear(&st->freed);
	u64map_clear(&st->live);
	u64map_clear(&st->mrs);
	free(st->irq);
	free(st);
}

void iomc_state_set_owner(struct iomc_state *st, iomc_owner_fn fn, void *arg)
{
	st->owner = fn;
	st->owner_arg = arg;
}

static struct task **cpu_head(struct iomc_state *st, __u32 cpu)
{
	return &st->on_cpu[cpu < CPU_LISTS ? cpu : CPU_LISTS - 1];
}

static void cpu_unlink(struct iomc_state *st, struct task *t)
{
	if (!t->on_list)
		return;
	if (t->cpu_prev)
		t->cpu_prev->cpu_next = t->cpu_next;
	else
		*cpu_head(st, t->last_cpu) = t->cpu_next;
	if (t->cpu_next)
		t->cpu_next->cpu_prev = t->cpu_prev;
	t->cpu_prev = t->cpu_next = NULL;
	t->on_list = 0;
}

/* The task was last seen on cpu: it moves to that CPU's list. */
static void task_set_cpu(struct iomc_state *st, struct task *t, __u32 cpu)
{
	struct task **head;

	if (t->on_list && t->last_cpu == cpu)
		return;
	cpu_unlink(st, t);
	t->last_cpu = cpu;
	head = cpu_head(st, cpu);
	t->cpu_next = *head;
	if (*head)
		(*head)->cpu_prev = t;
	*head = t;
	t->on_list = 1;
}

static void task_index_one(struct iomc_state *st, struct task *t, const struct iomc_held *h)
{
	mm_add(&st->by_vaddr, h->vaddr, t->tid);
	mm_add(&st->by_mapping, h->mapping, t->tid);
}

static void task_unindex_one(struct iomc_state *st, struct task *t, const struct iomc_held *h)
{
	mm_del(&st->by_vaddr, h->vaddr, t->tid);
	mm_del(&st->by_mapping, h->mapping, t->tid);
}

/* Take t's held maps out of the indexes (before its stack changes). */
static void task_unindex(struct iomc_state *st, struct task *t)
{
	__u32 i;

	for (i = 0; i < t->s.depth && i < IOMC_STACK_MAX; i++) {
		mm_del(&st->by_vaddr, t->s.held[i].vaddr, t->tid);
		mm_del(&st->by_mapping, t->s.held[i].mapping, t->tid);
	}
}

/* Put them back (after). */
static void task_index(struct iomc_state *st, struct task *t)
{
	__u32 i;

	for (i = 0; i < t->s.depth && i < IOMC_STACK_MAX; i++) {
		mm_add(&st->by_vaddr, t->s.held[i].vaddr, t->tid);
		mm_add(&st->by_mapping, t->s.held[i].mapping, t->tid);
	}
}

/*
 * A task's stack, created when asked for or when its history is unsure
 * (it then starts unsure, as it was when it was put away).
 */
static struct task *task_get(struct iomc_state *st, __u32 tid, int create)
{
	struct task *t = u64map_get(&st->tasks, tid);
	int unsure;

	if (t)
		return t;
	unsure = tidset_take(&st->unsure, tid);
	if (!create && !unsure)
		return NULL;
	if (st->spare) {
		t = st->spare;
		st->spare = t->cpu_next;
		st->nspare--;
	} else if (!(t = malloc(sizeof(*t)))) {
		return NULL;
	}
	/* the header only: held[] beyond depth is never read */
	iomc_stack_reset(&t->s);
	t->mark = 0;
	t->cpu_prev = t->cpu_next = NULL;
	t->on_list = 0;
	t->tid = tid;
	t->s.unsure = unsure;
	t->last_cpu = (__u32)-1;
	if (!u64map_put(&st->tasks, tid, t)) {
		free(t);
		return NULL;
	}
	return t;
}

#define SPARE_TASKS 64

static void task_delete(struct iomc_state *st, struct task *t)
{
	task_unindex(st, t);
	cpu_unlink(st, t);
	u64map_del(&st->tasks, t->tid);
	if (st->nspare < SPARE_TASKS) {
		t->cpu_next = st->spare;
		st->spare = t;
		st->nspare++;
	} else {
		free(t);
	}
}

/* After an event: a task that holds nothing goes (its tid stays if unsure). */
static void task_put(struct iomc_state *st, struct task *t)
{
	if (!t || t->s.depth || t->s.lost || t->s.n_atomic)
		return;
	if (t->s.unsure)
		tidset_add(&st->unsure, t->tid);
	task_delete(st, t);
}

static struct iomc_stack *irq_get(struct iomc_state *st, __u32 cpu,
				  __u32 ctx, int create)
{
	if (ctx == IOMC_CTX_TASK || ctx >= IOMC_CTX_MAX)
		return NULL;
	if (cpu >= st->nirq) {
		__u32 n = st->nirq ? st->nirq : 4;
		struct cpu_irq *p;

		if (!create || cpu >= 65536)
			return NULL;
		while (n <= cpu)
			n *= 2;
		p = realloc(st->irq, n * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + st->nirq, 0, (n - st->nirq) * sizeof(*p));
		st->irq = p;
		st->nirq = n;
	}
	return &st->irq[cpu].s[ctx - 1];
}

/* The stack of the context an event ran in. */
static struct iomc_stack *own_get(struct iomc_state *st,
				  const struct iomc_event *ev, int create)
{
	struct task *t;

	if (ev->ctx != IOMC_CTX_TASK)
		return irq_get(st, ev->cpu, ev->ctx, create);
	t = task_get(st, ev->tid, create);
	if (!t)
		return NULL;
	task_set_cpu(st, t, ev->cpu);
	return &t->s;
}

static struct task *task_of(struct iomc_stack *s)
{
	return (struct task *)((char *)s - offsetof(struct task, s));
}

static struct iomc_stack *nonempty(struct iomc_stack *s)
{
	return s && (s->depth || s->lost) ? s : NULL;
}

struct emit_ctx {
	struct iomc_state *st;
	iomc_violation_fn fn;
	void *arg;
	unsigned int n;
};

static void report(struct emit_ctx *ec, const struct iomc_event *ev,
		   const struct iomc_verdict *vd, const struct iomc_stack *held,
		   __u32 held_ctx, __u32 held_tid)
{
	__u32 i;

	ec->st->stats.dropped += vd->dropped;
	for (i = 0; i < vd->n; i++) {
		ec->n++;
		ec->st->stats.violations++;
		if (ec->fn)
			ec->fn(ec->arg, ev, &vd->v[i], held, held_ctx,
			       held_tid);
	}
}

/* Find vaddr in any stack but 'own' and take it out; 1 if found. */
static int take_foreign(struct iomc_state *st, const struct iomc_stack *own,
			__u64 vaddr, struct iomc_held *out)
{
	struct tids *l = u64map_get(&st->by_vaddr, vaddr);
	__u32 c, x, i;
	int idx;

	/* the tasks that hold vaddr, from the index (the oldest holder first) */
	for (i = 0; l && i < l->n; i++) {
		struct task *t = u64map_get(&st->tasks, l->tid[i]);

		if (!t || &t->s == own)
			continue;
		idx = iomc_stack_find(&t->s, vaddr);
		if (idx >= 0) {
			task_unindex(st, t);
			iomc_stack_remove(&t->s, idx, out);
			task_index(st, t);
			task_put(st, t);
			return 1;
		}
	}
	for (c = 0; c < st->nirq; c++) {
		for (x = 0; x < IOMC_CTX_MAX - 1; x++) {
			struct iomc_stack *s = &st->irq[c].s[x];

			if (s == own)
				continue;
			idx = iomc_stack_find(s, vaddr);
			if (idx >= 0) {
				iomc_stack_remove(s, idx, out);
				return 1;
			}
		}
	}
	return 0;
}

/*
 * The tasks holding maps of mapping, each once (the index lists a task
 * once per map), copied: the caller may change their stacks. NULL if none.
 */
static struct task **mapping_holders(struct iomc_state *st, __u64 mapping,
				     __u32 *n)
{
	struct tids *l = u64map_get(&st->by_mapping, mapping);
	struct task **v;
	__u32 i;

	*n = 0;
	if (!l || !(v = malloc(l->n * sizeof(*v))))
		return NULL;
	st->mark++;
	for (i = 0; i < l->n; i++) {
		struct task *t = u64map_get(&st->tasks, l->tid[i]);

		if (t && t->mark != st->mark) {
			t->mark = st->mark;
			v[(*n)++] = t;
		}
	}
	return v;
}

static __u32 count_mapping(struct iomc_state *st, __u64 mapping, __u64 *site)
{
	__u32 n = 0, c, x, k, nt;
	struct task **ts = mapping_holders(st, mapping, &nt);
	struct u64ent *e;
	size_t i;

	for (k = 0; k < nt; k++)
		n += iomc_stack_count_mapping(&ts[k]->s, mapping, site);
	free(ts);
	for (c = 0; c < st->nirq; c++)
		for (x = 0; x < IOMC_CTX_MAX - 1; x++)
			n += iomc_stack_count_mapping(&st->irq[c].s[x],
						      mapping, site);
	u64map_for_each(&st->wc, i, e)
		n += iomc_wc_count_mapping(e->val, mapping, site);
	return n;
}

/* Forget the maps of a freed mapping: reported once, at the free. */
static void drop_mapping(struct iomc_state *st, __u64 mapping)
{
	__u32 c, x, k, nt;
	struct task **ts = mapping_holders(st, mapping, &nt);
	struct u64ent *e;
	__u64 *dead = NULL;
	size_t i, n = 0, cap = 0;

	for (k = 0; k < nt; k++) {
		task_unindex(st, ts[k]);
		iomc_stack_drop_mapping(&ts[k]->s, mapping);
		task_index(st, ts[k]);
		task_put(st, ts[k]);
	}
	free(ts);
	for (c = 0; c < st->nirq; c++)
		for (x = 0; x < IOMC_CTX_MAX - 1; x++)
			iomc_stack_drop_mapping(&st->irq[c].s[x], mapping);
	u64map_for_each(&st->wc, i, e) {
		struct iomc_wc *w = e->val;

		if (w->last.mapping != mapping)
			continue;
		if (n == cap) {
			__u64 *p = realloc(dead, (cap = cap ? cap * 2 : 16) *
					   sizeof(*p));

			if (!p)
				break;
			dead = p;
		}
		dead[n++] = e->key;
	}
	for (i = 0; i < n; i++)
		free(u64map_del(&st->wc, dead[i]));
	free(dead);
}

static void do_free(struct iomc_state *st, const struct iomc_event *ev,
		    struct emit_ctx *ec)
{
	struct iomc_verdict vd;
	struct iomc_freed *f;
	struct iomc_stack *own = own_get(st, ev, 0);
	__u64 site = 0;
	__u32 n = count_mapping(st, ev->mapping, &site);

	iomc_verdict_init(&vd);
	iomc_check_free(&st->cfg, ev, n, site, &vd);
	report(ec, ev, &vd, nonempty(own), ev->ctx, ev->tid);
	if (n)
		drop_mapping(st, ev->mapping);
	f = u64map_get(&st->freed, ev->mapping);
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (f && !u64map_put(&st->freed, ev->mapping, f)) {
			free(f);
			f = NULL;
		}
	}
	if (f) {
		f->free_site = ev->caller;
		f->ts_ns = ev->ts_ns;
	}
}

static void do_map(struct iomc_state *st, const struct iomc_event *ev,
		   struct emit_ctx *ec)
{
	struct iomc_stack *own = NULL, *task = NULL;
	struct iomc_wc *wc = NULL;
	struct iomc_verdict vd;
	__u32 below, d0;

	if (iomc_kind_stacked(ev->kind)) {
		/* a refused map needs no stack, but its depth is checked */
		own = own_get(st, ev, iomc_map_target(ev) == IOMC_TO_STACK);
	} else if (iomc_map_target(ev) == IOMC_TO_WC) {
		wc = u64map_get(&st->wc, ev->vaddr);
		if (!wc) {
			wc = calloc(1, sizeof(*wc));
			if (wc && !u64map_put(&st->wc, ev->vaddr, wc)) {
				free(wc);
				wc = NULL;
			}
		}
	}
	if (ev->ctx > IOMC_CTX_TASK) {
		struct task *t = task_get(st, ev->tid, 0);

		task = t ? &t->s : NULL;
	}
	below = iomc_below_depth(ev, task,
				 irq_get(st, ev->cpu, IOMC_CTX_SOFTIRQ, 0),
				 irq_get(st, ev->cpu, IOMC_CTX_HARDIRQ, 0));
	iomc_verdict_init(&vd);
	/* only a refused map can be of a freed mapping (engine.h) */
	iomc_check_map(&st->cfg, ev, own, below,
		       ev->vaddr ? NULL : u64map_get(&st->freed, ev->mapping), &vd);
	report(ec, ev, &vd, nonempty(own), ev->ctx, ev->tid);
	d0 = own ? own->depth : 0;
	iomc_apply_map(ev, own, wc);
	/* a map goes on top of its stack (or is only counted, beyond it) */
	if (own && ev->ctx == IOMC_CTX_TASK && own->depth == d0 + 1 && d0 < IOMC_STACK_MAX)
		task_index_one(st, task_of(own), &own->held[d0]);
}

static void do_unmap(struct iomc_state *st, const struct iomc_event *ev,
		     struct emit_ctx *ec)
{
	struct iomc_stack *own = own_get(st, ev, 0);
	struct iomc_wc *wc = u64map_get(&st->wc, ev->vaddr);
	struct iomc_held foreign, *fp = NULL;
	struct iomc_verdict vd;
	enum iomc_where where;
	__u64 wkey = ev->vaddr;	/* the wc entry's key */
	int idx;

	where = iomc_unmap_locate(ev, own, wc, &idx);
	if (where == IOMC_IN_NONE && take_foreign(st, own, ev->vaddr, &foreign))
		fp = &foreign;
	if (where == IOMC_IN_NONE && !fp) {
		/* inside a map? (the wc table by the address's page) */
		wkey = ev->vaddr & IOMC_PAGE_MASK;
		wc = wkey != ev->vaddr ? u64map_get(&st->wc, wkey) : NULL;
		where = iomc_unmap_locate_page(ev, own, wc, &idx);
	}
	iomc_verdict_init(&vd);
	iomc_check_unmap(&st->cfg, ev, own, where, idx, wc, fp, &vd);
	report(ec, ev, &vd, nonempty(own), ev->ctx, ev->tid);
	/* an unmap of the own stack takes out entry idx (nothing else changes) */
	if ((where == IOMC_IN_OWN || where == IOMC_IN_OWN_PAGE) && own &&
	    ev->ctx == IOMC_CTX_TASK && idx >= 0 &&
	    (__u32)idx < own->depth && idx < IOMC_STACK_MAX)
		task_unindex_one(st, task_of(own), &own->held[idx]);
	if (iomc_apply_unmap(ev, own, where, idx, wc) & IOMC_WC_EMPTY)
		free(u64map_del(&st->wc, wkey));
}

static void do_might_sleep(struct iomc_state *st, const struct iomc_event *ev,
			   struct emit_ctx *ec)
{
	struct task *t = task_get(st, ev->tid, 0);
	struct iomc_stack *s[IOMC_CTX_MAX];
	struct iomc_verdict vd;
	__u32 c;

	s[IOMC_CTX_TASK] = t ? &t->s : NULL;
	for (c = IOMC_CTX_SOFTIRQ; c < IOMC_CTX_MAX; c++)
		s[c] = irq_get(st, ev->cpu, c, 0);
	iomc_verdict_init(&vd);
	iomc_check_might_sleep(&st->cfg, ev, s[0], s[1], s[2], s[3], &vd);
	for (c = 0; c < vd.n; c++) {
		struct iomc_verdict one = { 1, 0, { vd.v[c] } };
		__u32 x = vd.v[c].ctx < IOMC_CTX_MAX ? vd.v[c].ctx : 0;

		report(ec, ev, &one, s[x], x, ev->tid);
	}
}

/* owner: the module whose init text made the call, if known (engine.h) */
static int mine(struct iomc_state *st, const struct iomc_event *end,
		__u64 site, __u64 owner)
{
	if (st->owner && !owner)
		return site && st->owner(st->owner_arg, end, site);
	return iomc_owned(end, site, owner);
}

static void do_create(struct iomc_state *st, const struct iomc_event *ev)
{
	struct iomc_live *l = u64map_get(&st->live, ev->mapping);

	free(u64map_del(&st->freed, ev->mapping));
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (l && !u64map_put(&st->live, ev->mapping, l)) {
			free(l);
			l = NULL;
		}
	}
	if (l)
		iomc_live_from_event(l, ev);
}

/* One leaked map of a stack or the wc table. */
static void unload_held(struct iomc_state *st, const struct iomc_event *end,
			const struct iomc_held *h, struct emit_ctx *ec)
{
	struct iomc_verdict vd;
	struct iomc_event ev;

	iomc_verdict_init(&vd);
	iomc_check_unload_held(&st->cfg, h, mine(st, end, h->site, 0), &vd);
	if (!vd.n)
		return;
	iomc_unload_event(&ev, end, 0, NULL, 0, h);
	/* the holder is in the violation; the report's task is the unloader */
	report(ec, &ev, &vd, NULL, IOMC_CTX_TASK, end->tid);
}

/* Report, then forget, the maps of s taken by the module's code. */
static void unload_stack(struct iomc_state *st, const struct iomc_event *end,
			 struct iomc_stack *s, struct emit_ctx *ec)
{
	__u32 i, k;
	int idx;

	for (i = 0; i < s->depth && i < IOMC_STACK_MAX; i++)
		unload_held(st, end, &s->held[i], ec);
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		idx = -1;
		for (k = s->depth < IOMC_STACK_MAX ? s->depth : IOMC_STACK_MAX;
		     k-- > 0;) {
			if (mine(st, end, s->held[k].site, 0)) {
				idx = (int)k;
				break;
			}
		}
		if (idx < 0)
			break;
		iomc_stack_remove(s, idx, NULL);
	}
}

/* Append key to the growing array *keys (n used, *cap allocated); 0 if full. */
static int keys_push(__u64 **keys, size_t *n, size_t *cap, __u64 key)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		__u64 *p = realloc(*keys, c * sizeof(*p));

		if (!p)
			return 0;
		*keys = p;
		*cap = c;
	}
	(*keys)[(*n)++] = key;
	return 1;
}

/* the module's leaked mappings, each with its outstanding maps counted */
static void unload_mappings(struct iomc_state *st, const struct iomc_event *end,
			    struct emit_ctx *ec)
{
	__u64 gone[IOMC_MAX_VIOL];
	struct u64ent *e;
	size_t i;
	__u32 ng = 0;

	u64map_for_each(&st->live, i, e) {
		struct iomc_live *l = e->val;
		struct iomc_verdict vd;
		struct iomc_event ev;
		__u64 site = 0;

		iomc_verdict_init(&vd);
		iomc_check_unload_mapping(&st->cfg, l, mine(st, end, l->site, l->owner),
					  &vd);
		if (!vd.n)
			continue;
		if (ng >= IOMC_MAX_VIOL) {
			st->stats.dropped++;
			continue;
		}
		gone[ng++] = e->key;
		iomc_unload_event(&ev, end, e->key, l,
				  count_mapping(st, e->key, &site), NULL);
		report(ec, &ev, &vd, NULL, IOMC_CTX_TASK, end->tid);
	}
	for (i = 0; i < ng; i++)
		free(u64map_del(&st->live, gone[i]));
}

/* every outstanding map the module's code took (rare: every holder is visited) */
static void unload_maps(struct iomc_state *st, const struct iomc_event *end,
			struct emit_ctx *ec)
{
	__u64 *dead = NULL;
	struct u64ent *e;
	size_t i, nd = 0, cap = 0;
	__u32 c, x;

	u64map_for_each(&st->tasks, i, e) {
		struct task *t = e->val;

		task_unindex(st, t);
		unload_stack(st, end, &t->s, ec);
		task_index(st, t);
		if (!t->s.depth && !t->s.lost && !t->s.n_atomic &&
		    !keys_push(&dead, &nd, &cap, t->tid))
			break;
	}
	for (i = 0; i < nd; i++)
		task_put(st, u64map_get(&st->tasks, dead[i]));
	nd = 0;
	for (c = 0; c < st->nirq; c++)
		for (x = 0; x < IOMC_CTX_MAX - 1; x++)
			unload_stack(st, end, &st->irq[c].s[x], ec);
	u64map_for_each(&st->wc, i, e) {
		struct iomc_wc *w = e->val;

		if (!w->count || !mine(st, end, w->last.site, 0))
			continue;
		unload_held(st, end, &w->last, ec);
		if (!keys_push(&dead, &nd, &cap, e->key))
			break;
	}
	for (i = 0; i < nd; i++)
		free(u64map_del(&st->wc, dead[i]));
	free(dead);
}

/* the module's memremaps and pagemaps: each is reported if the rule says so, and forgotten */
static void unload_memremaps(struct iomc_state *st, const struct iomc_event *end,
			     struct emit_ctx *ec)
{
	__u64 *dead = NULL;
	struct u64ent *e;
	size_t i, nd = 0, cap = 0;

	u64map_for_each(&st->mrs, i, e) {
		struct iomc_mr *mr = e->val;
		struct iomc_verdict vd;
		struct iomc_event ev;

		if (!mine(st, end, mr->site, mr->owner))
			continue;
		iomc_verdict_init(&vd);
		iomc_check_unload_memremap(&st->cfg, mr, 1, &vd);
		if (vd.n) {
			iomc_unload_memremap_event(&ev, end, e->key, mr);
			report(ec, &ev, &vd, NULL, IOMC_CTX_TASK, end->tid);
		}
		if (!keys_push(&dead, &nd, &cap, e->key))
			break;
	}
	for (i = 0; i < nd; i++)
		free(u64map_del(&st->mrs, dead[i]));
	free(dead);
}

/*
 * A module goes away: leak_on_unload for the live mappings it created, the
 * maps its code took that are still outstanding and the memremaps its
 * code made (engine.h).
 */
static void do_module_end(struct iomc_state *st, const struct iomc_event *end,
			  struct emit_ctx *ec)
{
	unload_mappings(st, end, ec);
	unload_maps(st, end, ec);
	unload_memremaps(st, end, ec);
}

/* Keep a memremap (or pagemap) that worked in the live table under key. */
static void mr_track(struct iomc_state *st, __u64 key,
		     const struct iomc_event *ev,
		     void (*apply)(const struct iomc_event *, struct iomc_mr *))
{
	struct iomc_mr *mr;

	if (!ev->vaddr)
		return;
	mr = u64map_get(&st->mrs, key);
	if (!mr) {
		mr = calloc(1, sizeof(*mr));
		if (mr && !u64map_put(&st->mrs, key, mr)) {
			free(mr);
			mr = NULL;
		}
	}
	if (mr)
		apply(ev, mr);
	else
		st->mr_unsure = 1;
}

/* engine.h's memremap sequence */
static void do_memremap(struct iomc_state *st, const struct iomc_event *ev,
			struct emit_ctx *ec)
{
	struct iomc_verdict vd;

	iomc_verdict_init(&vd);
	iomc_check_memremap(&st->cfg, ev, &vd);
	report(ec, ev, &vd, NULL, IOMC_CTX_TASK, ev->tid);
	mr_track(st, ev->vaddr, ev, iomc_apply_memremap);
}

static void do_memunmap(struct iomc_state *st, const struct iomc_event *ev,
			struct emit_ctx *ec)
{
	__u64 key = iomc_memunmap_key(ev), pg = iomc_memunmap_page_key(ev);
	struct iomc_mr *mr = key ? u64map_get(&st->mrs, key) : NULL, *in = NULL;
	struct iomc_verdict vd;

	if ((!mr || !mr->count) && pg)
		in = u64map_get(&st->mrs, pg);
	if (in && in->count) {
		/* inside a live memremap: that one is unmapped */
		mr = in;
		key = pg;
	}
	iomc_verdict_init(&vd);
	iomc_check_memunmap(&st->cfg, ev, mr, st->mr_unsure, mr == in && in, &vd);
	report(ec, ev, &vd, NULL, IOMC_CTX_TASK, ev->tid);
	if (mr && iomc_apply_memunmap(mr))
		free(u64map_del(&st->mrs, key));
}

/* the task leaves its CPU: what it holds must not be held across it */
static void do_switch(struct iomc_state *st, const struct iomc_event *ev,
		      struct emit_ctx *ec)
{
	struct iomc_verdict vd;
	struct task *t = task_get(st, ev->tid, 0);

	if (!t)
		return;
	iomc_verdict_init(&vd);
	task_set_cpu(st, t, ev->cpu);
	iomc_check_switch(&st->cfg, ev, &t->s, &vd);
	report(ec, ev, &vd, nonempty(&t->s), IOMC_CTX_TASK, ev->tid);
}

unsigned int iomc_state_feed(struct iomc_state *st,
			     const struct iomc_event *ev,
			     iomc_violation_fn fn, void *arg)
{
	struct emit_ctx ec = { st, fn, arg, 0 };
	struct iomc_verdict vd;
	struct iomc_stack *s;
	struct task *t;

	st->stats.events++;
	iomc_verdict_init(&vd);
	switch (ev->type) {
	case IOMC_EV_CREATE:
		do_create(st, ev);
		break;
	case IOMC_EV_FREE:
		do_free(st, ev, &ec);
		free(u64map_del(&st->live, ev->mapping));
		break;
	case IOMC_EV_MAP:
		do_map(st, ev, &ec);
		break;
	case IOMC_EV_UNMAP:
		do_unmap(st, ev, &ec);
		break;
	case IOMC_EV_SWITCH:
		do_switch(st, ev, &ec);
		break;
	case IOMC_EV_EXIT:
		t = task_get(st, ev->tid, 0);
		if (!t)
			break;
		iomc_check_exit(&st->cfg, ev, &t->s, &vd);
		report(&ec, ev, &vd, nonempty(&t->s), IOMC_CTX_TASK, ev->tid);
		task_delete(st, t);
		return ec.n;	/* nothing of the task is left, unsure or not */
	case IOMC_EV_IRQ_EXIT:
		s = irq_get(st, ev->cpu, ev->ctx, 0);
		if (!s)
			break;
		iomc_check_exit(&st->cfg, ev, s, &vd);
		report(&ec, ev, &vd, nonempty(s), ev->ctx, ev->tid);
		iomc_stack_reset(s);
		break;
	case IOMC_EV_MIGHT_SLEEP:
		do_might_sleep(st, ev, &ec);
		break;
	case IOMC_EV_DROP:
		iomc_state_forget_cpu(st, ev->cpu);
		st->mr_unsure = 1;	/* a memremap may be among the lost */
		break;
	case IOMC_EV_MEMREMAP:
		do_memremap(st, ev, &ec);
		break;
	case IOMC_EV_MEMUNMAP:
		do_memunmap(st, ev, &ec);
		break;
	case IOMC_EV_PAGEMAP:
		iomc_check_pagemap(&st->cfg, ev, &vd);
		report(&ec, ev, &vd, NULL, IOMC_CTX_TASK, ev->tid);
		mr_track(st, ev->mapping, ev, iomc_apply_pagemap);
		break;
	case IOMC_EV_MODULE_END:
		do_module_end(st, ev, &ec);
		break;
	case IOMC_EV_FAULT:
		iomc_check_fault(&st->cfg, ev, &vd);
		report(&ec, ev, &vd, NULL, ev->ctx, ev->tid);
		break;
	default:
		break;
	}
	/* the event's task, if it holds nothing now, goes */
	task_put(st, u64map_get(&st->tasks, ev->tid));
	return ec.n;
}

/* Forget t (events of its CPU were lost); it keeps only its tid, unsure. */
static void task_forget(struct iomc_state *st, struct task *t)
{
	task_unindex(st, t);
	iomc_stack_forget(&t->s);
	task_put(st, t);
}

void iomc_state_forget_cpu(struct iomc_state *st, __u32 cpu)
{
	struct task *t, *next;
	__u32 x;

	if (cpu == IOMC_CPU_ALL) {
		/*
		 * The CPU is not known (a damaged line or record): every task
		 * with state, from the tid index (a task is on one CPU's list
		 * only), then every CPU's interrupt contexts. task_forget()
		 * may delete the entry it is given, so the next one is taken
		 * first; nothing else in st->tasks moves.
		 */
		size_t i;

		for (i = 0; i < st->tasks.nb; i++) {
			struct u64ent *e, *enext;

			for (e = st->tasks.b[i]; e; e = enext) {
				enext = e->next;
				task_forget(st, e->val);
			}
		}
		for (cpu = 0; cpu < st->nirq; cpu++)
			for (x = 0; x < IOMC_CTX_MAX - 1; x++)
				iomc_stack_forget(&st->irq[cpu].s[x]);
		return;
	}
	/* the tasks last seen on cpu (CPUs from CPU_LISTS - 1 up share a list) */
	for (t = *cpu_head(st, cpu); t; t = next) {
		next = t->cpu_next;
		if (t->last_cpu == cpu)
			task_forget(st, t);
	}
	for (x = IOMC_CTX_SOFTIRQ; x < IOMC_CTX_MAX; x++) {
		struct iomc_stack *s = irq_get(st, cpu, x, 1);

		if (s)
			iomc_stack_forget(s);
	}
}

void iomc_state_stats(const struct iomc_state *st,
		      struct iomc_state_stats *out)
{
	const struct u64ent *e;
	__u32 c, x;
	size_t i;

	*out = st->stats;
	out->tasks = (__u32)st->tasks.n;
	out->wc = (__u32)st->wc.n;
	out->freed = (__u32)st->freed.n;
	out->live = (__u32)st->live.n;
	out->held = 0;
	u64map_for_each(&st->tasks, i, e)
		out->held += ((const struct task *)e->val)->s.depth;
	for (c = 0; c < st->nirq; c++)
		for (x = 0; x < IOMC_CTX_MAX - 1; x++)
			out->held += st->irq[c].s[x].depth;
}
