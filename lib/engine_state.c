// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Userspace driver of the rule engine: the state tables and the lookup
 * sequence of engine.h's "how a driver processes an event", mirroring
 * bpf/iomap_checkd.bpf.c. Tables are small chained hashes keyed by u64.
 */
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
	struct u64map nm = { b, nb, m->n };

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
	e = malloc(sizeof(*e));
	if (!e)
		return NULL;
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
		free(e);
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
	free(m->b);
	memset(m, 0, sizeof(*m));
}

#define u64map_for_each(m, i, e)				\
	for ((i) = 0; (i) < (m)->nb; (i)++)			\
		for ((e) = (m)->b[i]; (e); (e) = (e)->next)

/* ---- state -------------------------------------------------------------- */

struct task {
	struct iomc_stack s;
	__u32 tid;
	__u32 last_cpu;
};

/* Interrupt contexts of one CPU: softirq, hardirq, nmi. */
struct cpu_irq {
	struct iomc_stack s[IOMC_CTX_MAX - 1];
};

struct iomc_state {
	struct iomc_cfg cfg;
	struct u64map tasks;	/* tid -> struct task */
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

	if (st)
		st->cfg = *cfg;
	return st;
}

void iomc_state_free(struct iomc_state *st)
{
	if (!st)
		return;
	u64map_clear(&st->tasks);
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

static struct task *task_get(struct iomc_state *st, __u32 tid, int create)
{
	struct task *t = u64map_get(&st->tasks, tid);

	if (t || !create)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	if (!u64map_put(&st->tasks, tid, t)) {
		free(t);
		return NULL;
	}
	return t;
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
	t->last_cpu = ev->cpu;
	return &t->s;
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
	struct u64ent *e;
	size_t i;
	__u32 c, x;
	int idx;

	u64map_for_each(&st->tasks, i, e) {
		struct task *t = e->val;

		if (&t->s == own)
			continue;
		idx = iomc_stack_find(&t->s, vaddr);
		if (idx >= 0) {
			iomc_stack_remove(&t->s, idx, out);
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

static __u32 count_mapping(struct iomc_state *st, __u64 mapping, __u64 *site)
{
	struct u64ent *e;
	__u32 n = 0, c, x;
	size_t i;

	u64map_for_each(&st->tasks, i, e)
		n += iomc_stack_count_mapping(&((struct task *)e->val)->s,
					      mapping, site);
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
	struct u64ent *e;
	__u64 *dead = NULL;
	size_t i, n = 0, cap = 0;
	__u32 c, x;

	u64map_for_each(&st->tasks, i, e)
		iomc_stack_drop_mapping(&((struct task *)e->val)->s, mapping);
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
	__u32 below;

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
	iomc_apply_map(ev, own, wc);
}

static void do_unmap(struct iomc_state *st, const struct iomc_event *ev,
		     struct emit_ctx *ec)
{
	struct iomc_stack *own = own_get(st, ev, 0);
	struct iomc_wc *wc = u64map_get(&st->wc, ev->vaddr);
	struct iomc_held foreign, *fp = NULL;
	struct iomc_verdict vd;
	enum iomc_where where;
	int idx;

	where = iomc_unmap_locate(ev, own, wc, &idx);
	if (where == IOMC_IN_NONE && take_foreign(st, own, ev->vaddr, &foreign))
		fp = &foreign;
	iomc_verdict_init(&vd);
	iomc_check_unmap(&st->cfg, ev, own, where, idx, wc, fp, &vd);
	report(ec, ev, &vd, nonempty(own), ev->ctx, ev->tid);
	if (iomc_apply_unmap(ev, own, where, idx, wc) & IOMC_WC_EMPTY)
		free(u64map_del(&st->wc, ev->vaddr));
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

static int mine(struct iomc_state *st, const struct iomc_event *end,
		__u64 site)
{
	if (st->owner)
		return site && st->owner(st->owner_arg, end, site);
	return iomc_in_module(end, site);
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
	iomc_check_unload_held(&st->cfg, h, mine(st, end, h->site), &vd);
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
			if (mine(st, end, s->held[k].site)) {
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

/*
 * A module goes away: leak_on_unload for the live mappings it created, the
 * maps its code took that are still outstanding and the memremaps its
 * code made (engine.h).
 */
static void do_module_end(struct iomc_state *st, const struct iomc_event *end,
			  struct emit_ctx *ec)
{
	__u64 gone[IOMC_MAX_VIOL], *dead = NULL;
	struct u64ent *e;
	size_t i, nd = 0, cap = 0;
	__u32 ng = 0, c, x;

	/* the leaked mappings first, with their outstanding maps counted */
	u64map_for_each(&st->live, i, e) {
		struct iomc_live *l = e->val;
		struct iomc_verdict vd;
		struct iomc_event ev;
		__u64 site = 0;

		iomc_verdict_init(&vd);
		iomc_check_unload_mapping(&st->cfg, l, mine(st, end, l->site),
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
	/* then every outstanding map its code took */
	u64map_for_each(&st->tasks, i, e)
		unload_stack(st, end, &((struct task *)e->val)->s, ec);
	for (c = 0; c < st->nirq; c++)
		for (x = 0; x < IOMC_CTX_MAX - 1; x++)
			unload_stack(st, end, &st->irq[c].s[x], ec);
	u64map_for_each(&st->wc, i, e) {
		struct iomc_wc *w = e->val;

		if (!w->count || !mine(st, end, w->last.site))
			continue;
		unload_held(st, end, &w->last, ec);
		if (!keys_push(&dead, &nd, &cap, e->key))
			break;
	}
	for (i = 0; i < nd; i++)
		free(u64map_del(&st->wc, dead[i]));
	/* then the memremaps: each of the module's is forgotten */
	nd = 0;
	u64map_for_each(&st->mrs, i, e) {
		struct iomc_mr *mr = e->val;
		struct iomc_verdict vd;
		struct iomc_event ev;

		if (!mine(st, end, mr->site))
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

/* engine.h's memremap sequence */
static void do_memremap(struct iomc_state *st, const struct iomc_event *ev,
			struct emit_ctx *ec)
{
	struct iomc_verdict vd;
	struct iomc_mr *mr;

	iomc_verdict_init(&vd);
	iomc_check_memremap(&st->cfg, ev, &vd);
	report(ec, ev, &vd, NULL, IOMC_CTX_TASK, ev->tid);
	if (!ev->vaddr)
		return;
	mr = u64map_get(&st->mrs, ev->vaddr);
	if (!mr) {
		mr = calloc(1, sizeof(*mr));
		if (mr && !u64map_put(&st->mrs, ev->vaddr, mr)) {
			free(mr);
			mr = NULL;
		}
	}
	if (mr)
		iomc_apply_memremap(ev, mr);
	else
		st->mr_unsure = 1;
}

static void do_memunmap(struct iomc_state *st, const struct iomc_event *ev,
			struct emit_ctx *ec)
{
	struct iomc_mr *mr = u64map_get(&st->mrs, ev->vaddr);
	struct iomc_verdict vd;

	iomc_verdict_init(&vd);
	iomc_check_memunmap(&st->cfg, ev, mr, st->mr_unsure, &vd);
	report(ec, ev, &vd, NULL, IOMC_CTX_TASK, ev->tid);
	if (mr && iomc_apply_memunmap(mr))
		free(u64map_del(&st->mrs, ev->vaddr));
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
		t = task_get(st, ev->tid, 0);
		if (!t)
			break;
		t->last_cpu = ev->cpu;
		iomc_check_switch(&st->cfg, ev, &t->s, &vd);
		report(&ec, ev, &vd, nonempty(&t->s), IOMC_CTX_TASK, ev->tid);
		break;
	case IOMC_EV_EXIT:
		t = task_get(st, ev->tid, 0);
		if (!t)
			break;
		iomc_check_exit(&st->cfg, ev, &t->s, &vd);
		report(&ec, ev, &vd, nonempty(&t->s), IOMC_CTX_TASK, ev->tid);
		free(u64map_del(&st->tasks, ev->tid));
		break;
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
		break;
	case IOMC_EV_MODULE_END:
		do_module_end(st, ev, &ec);
		break;
	default:
		break;
	}
	return ec.n;
}

void iomc_state_forget_cpu(struct iomc_state *st, __u32 cpu)
{
	struct u64ent *e;
	size_t i;
	__u32 x;

	u64map_for_each(&st->tasks, i, e) {
		struct task *t = e->val;

		if (t->last_cpu == cpu || cpu == IOMC_CPU_ALL)
			iomc_stack_forget(&t->s);
	}
	if (cpu == IOMC_CPU_ALL) {
		/* the CPU is not known: every CPU's interrupt contexts */
		for (cpu = 0; cpu < st->nirq; cpu++)
			for (x = 0; x < IOMC_CTX_MAX - 1; x++)
				iomc_stack_forget(&st->irq[cpu].s[x]);
		return;
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
