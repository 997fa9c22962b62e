// SPDX-License-Identifier: GPL-2.0
/*
 * iomap_check.ko's io_mapping tracepoints (create, free, map, unmap): the
 * engine's map and unmap rules, the wc table and the live mappings.
 */
#include "iomc_bpf.h"

/*
 * The engine's decisions, each in a global function (verified once; the
 * programs are glue around them). Pointer arguments may be NULL.
 */
__noinline int g_check_map(struct iomc_scratch *sc, const struct iomc_stack *own,
			   __u32 below, const struct iomc_freed *freed)
{
	if (sc)
		iomc_check_map(IOMC_BPF_RULES, &sc->ev, own, below, freed, &sc->vd);
	return 0;
}

__noinline int g_apply_map(struct iomc_scratch *sc, struct iomc_stack *own,
			   struct iomc_wc *wc)
{
	if (sc)
		iomc_apply_map(&sc->ev, own, wc);
	return 0;
}

__noinline int g_check_unmap(struct iomc_scratch *sc, const struct iomc_stack *own,
			     const struct iomc_wc *wc,
			     const struct iomc_held *foreign)
{
	if (sc)
		iomc_check_unmap(IOMC_BPF_RULES, &sc->ev, own, sc->where, sc->idx,
				 wc, foreign, &sc->vd);
	return 0;
}

__noinline int g_apply_unmap(struct iomc_scratch *sc, struct iomc_stack *own,
			     struct iomc_wc *wc)
{
	if (!sc)
		return 0;
	return iomc_apply_unmap(&sc->ev, own, sc->where, sc->idx, wc);
}


/* scratch's presym is free here: it only matters while reporting */
static __always_inline void add_live(struct iomc_scratch *sc, __u64 m)
{
	struct iomc_live_ent *e;
	__u64 a = sc->ev.caller;

	bpf_map_update_elem(&lives, &m, &zero_live, BPF_ANY);
	e = bpf_map_lookup_elem(&lives, &m);
	if (!e) {
		struct iomc_counters *c = cnt();

		if (c)
			c->untracked++;
		return;
	}
	iomc_live_from_event(&e->l, &sc->ev);
	e->sym[0] = 0;
	if (a)
		bpf_snprintf(e->sym, sizeof(e->sym), sym_fmt, &a, sizeof(a));
}

static __always_inline int create(__u64 mapping, __u64 base, __u64 size,
				  __u64 caller, __u64 owner)
{
	struct iomc_scratch *sc = begin(IOMC_CTX_TASK, IOMC_EV_CREATE, IOMC_CTX_TASK);
	struct iomc_counters *c = cnt();
	__u64 m = mapping;

	if (!sc)
		return 0;
	if (c)
		c->events++;
	sc->ev.mapping = mapping;
	sc->ev.size = size;
	sc->ev.offset = base;	/* not a rule input; kept for the record */
	sc->ev.caller = caller;
	sc->ev.len = owner;
	record(&sc->ev);
	bpf_map_delete_elem(&freed, &m);
	add_live(sc, m);
	return 0;
}

/* The owner is decided now: the caller's init text may be reused later. */
SEC("raw_tp/io_mapping_create")
int BPF_PROG(iomc_create, unsigned long mapping, __u64 base,
	     unsigned long size, unsigned long caller)
{
	return create(mapping, base, size, caller, init_owner(caller));
}

/*
 * Never attached: a create whose owner the test gives (BPF_PROG_TEST_RUN
 * has no module whose init text could hold the site).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_create, __u64 mapping, __u64 base, __u64 size,
	     __u64 caller, __u64 owner)
{
	return create(mapping, base, size, caller, owner);
}

struct count_ctx {
	__u64 mapping;
	__u64 site;
	__u32 n;
	__u32 irq;		/* iterating the interrupt stacks */
};

/*
 * The loops over a stack inside map-iteration callbacks are global
 * functions: the verifier checks them once, not once per callback
 * simulation (which newer verifiers repeat until the state converges).
 */
__noinline int g_count_mapping(const struct iomc_stack *s,
			       struct count_ctx *cc)
{
	if (!s || !cc)
		return 0;
	cc->n += iomc_stack_count_mapping(s, cc->mapping, &cc->site);
	return 0;
}

static long count_stack_cb(struct bpf_map *map, const void *key, void *value,
			   void *data)
{
	g_count_mapping(value, data);
	return 0;
}

static long count_wc_cb(struct bpf_map *map, const void *key, void *value,
			void *data)
{
	struct count_ctx *cc = data;

	cc->n += iomc_wc_count_mapping(value, cc->mapping, &cc->site);
	return 0;
}

/* Forget the maps of a freed mapping in s; keeps the fast paths' counts. */
__noinline int g_drop_mapping(struct iomc_stack *s, struct count_ctx *cc)
{
	__u32 a0, d0;

	if (!s || !cc)
		return 0;
	a0 = s->n_atomic;
	d0 = s->depth;
	iomc_stack_drop_mapping(s, cc->mapping);
	if (a0 != s->n_atomic)
		__sync_fetch_and_add(&atomic_held, (__s64)s->n_atomic - a0);
	if (cc->irq && d0 != s->depth)
		__sync_fetch_and_add(&irq_held, (__s64)s->depth - d0);
	return 0;
}

static long drop_stack_cb(struct bpf_map *map, const void *key, void *value,
			  void *data)
{
	g_drop_mapping(value, data);
	return 0;
}

static long drop_wc_cb(struct bpf_map *map, const void *key, void *value,
		       void *data)
{
	struct count_ctx *cc = data;
	struct iomc_wc *w = value;

	if (w->last.mapping == cc->mapping && !bpf_map_delete_elem(map, key))
		__sync_fetch_and_add(&wc_held, -1);
	return 0;
}

SEC("raw_tp/io_mapping_free")
int BPF_PROG(iomc_free, unsigned long mapping, unsigned long size,
	     unsigned long caller)
{
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	struct iomc_counters *c = cnt();
	struct count_ctx cc = {};
	struct iomc_freed f = {};
	struct iomc_stack *own;
	__u64 m = mapping;

	if (!sc)
		return 0;
	ev_init(&sc->ev, IOMC_EV_FREE, IOMC_CTX_TASK);
	iomc_verdict_init(&sc->vd);
	if (c)
		c->events++;
	sc->ev.mapping = mapping;
	sc->ev.size = size;
	sc->ev.caller = caller;
	record(&sc->ev);
	cc.mapping = mapping;
	bpf_for_each_map_elem(&tasks, count_stack_cb, &cc, 0);
	bpf_for_each_map_elem(&irqs, count_stack_cb, &cc, 0);
	bpf_for_each_map_elem(&wcs, count_wc_cb, &cc, 0);
	iomc_check_free(IOMC_BPF_RULES, &sc->ev, cc.n, cc.site, &sc->vd);
	if (sc->vd.n) {
		own = own_stack(&sc->ev, 0);
		report(ctx, sc, own && own->depth ? own : 0, sc->ev.ctx,
		       sc->ev.tid);
	}
	if (cc.n) {
		bpf_for_each_map_elem(&tasks, drop_stack_cb, &cc, 0);
		cc.irq = 1;
		bpf_for_each_map_elem(&irqs, drop_stack_cb, &cc, 0);
		bpf_for_each_map_elem(&wcs, drop_wc_cb, &cc, 0);
	}
	f.free_site = caller;
	f.ts_ns = sc->ev.ts_ns;
	bpf_map_update_elem(&freed, &m, &f, BPF_ANY);
	bpf_map_delete_elem(&lives, &m);
	return 0;
}

/* The wc table is full: drop the entries no map holds any more. */
static long wc_make_room_cb(struct bpf_map *map, const void *key, void *value,
			    void *data)
{
	struct iomc_wc *w = value;

	if (!w->count && !bpf_map_delete_elem(map, key))
		__sync_fetch_and_add(&wc_held, -1);
	return 0;
}

SEC("raw_tp/io_mapping_map")
int BPF_PROG(iomc_map, unsigned int kind, unsigned int ctx_, unsigned long mapping,
	     unsigned long size, unsigned long offset, unsigned long len,
	     unsigned long vaddr, unsigned long caller)
{
	__u32 slot = ctx_ < IOMC_CTX_MAX ? ctx_ : IOMC_CTX_TASK;
	struct iomc_scratch *sc = begin(slot, IOMC_EV_MAP, ctx_);
	struct iomc_stack *own = 0, *task = 0;
	struct iomc_counters *c = cnt();
	struct iomc_wc *wc = 0;
	struct iomc_event *ev;
	__u32 below, d0 = 0, a0 = 0;
	__u64 va = vaddr, m = mapping;

	if (!sc)
		return 0;
	if (c)
		c->events++;
	ev = &sc->ev;
	ev->kind = kind;
	ev->mapping = mapping;
	ev->size = size;
	ev->offset = offset;
	ev->len = len;
	ev->vaddr = vaddr;
	ev->caller = caller;
	record(ev);
	if (iomc_kind_stacked(kind)) {
		/* a refused map needs no stack, but its depth is checked */
		own = own_stack(ev, iomc_map_target(ev) == IOMC_TO_STACK);
		if (own) {
			d0 = own->depth;
			a0 = own->n_atomic;
		}
	} else if (iomc_map_target(ev) == IOMC_TO_WC) {
		wc = bpf_map_lookup_elem(&wcs, &va);
		if (!wc) {
			if (bpf_map_update_elem(&wcs, &va, &zero_wc, BPF_NOEXIST)) {
				/* full (or raced): make room, try again */
				bpf_for_each_map_elem(&wcs, wc_make_room_cb, 0, 0);
				bpf_map_update_elem(&wcs, &va, &zero_wc, BPF_NOEXIST);
			}
			wc = bpf_map_lookup_elem(&wcs, &va);
			if (wc)
				__sync_fetch_and_add(&wc_held, 1);
			else if (c)
				c->untracked++;
		}
	}
	below = 0;
	if (ev->ctx > IOMC_CTX_TASK) {
		task = task_stack(ev->tid, 0);
		below = iomc_below_depth(ev, task,
					 irq_stack(ev->cpu, IOMC_CTX_SOFTIRQ),
					 irq_stack(ev->cpu, IOMC_CTX_HARDIRQ));
	}
	/* only a refused map can be of a freed mapping (engine.h) */
	g_check_map(sc, own, below,
		    vaddr ? 0 : bpf_map_lookup_elem(&freed, &m));
	if (sc->vd.n)
		report(ctx, sc, own && own->depth ? own : 0, ev->ctx, ev->tid);
	g_apply_map(sc, own, wc);
	account(ev->ctx, d0, a0, own);
	return 0;
}

struct search_ctx {
	__u64 vaddr;
	__u32 found;
	__u32 pad;
	struct iomc_held held;
};

/* Take sx->vaddr out of s if it is there (global: see g_count_mapping). */
__noinline int g_take(struct iomc_stack *s, struct search_ctx *sx)
{
	int idx;

	if (!s || !sx)
		return 0;
	idx = g_stack_find(s, sx->vaddr);
	if (idx < 0)
		return 0;
	g_stack_remove(s, idx, &sx->held);
	sx->found = 1;
	return 1;
}

static long search_cb(struct bpf_map *map, const void *key, void *value,
		      void *data)
{
	return g_take(value, data) ? 1 : 0;
}

SEC("raw_tp/io_mapping_unmap")
int BPF_PROG(iomc_unmap, unsigned int kind, unsigned int ctx_,
	     unsigned long vaddr, unsigned long caller)
{
	__u32 slot = ctx_ < IOMC_CTX_MAX ? ctx_ : IOMC_CTX_TASK;
	struct iomc_scratch *sc = begin(slot, IOMC_EV_UNMAP, ctx_);
	struct iomc_counters *c = cnt();
	struct search_ctx sx = {};
	struct iomc_held *fp = 0;
	struct iomc_stack *own;
	struct iomc_event *ev;
	struct iomc_wc *wc;
	enum iomc_where where;
	__u32 d0 = 0, a0 = 0;
	__u64 va = vaddr;
	int idx;

	if (!sc)
		return 0;
	if (c)
		c->events++;
	ev = &sc->ev;
	ev->kind = kind;
	ev->vaddr = vaddr;
	ev->caller = caller;
	record(ev);
	own = own_stack(ev, 0);
	if (own) {
		d0 = own->depth;
		a0 = own->n_atomic;
	}
	/* the wc table only matters if it has entries, and for an
	 * unmap_local/atomic only if the own stack does not hold the address */
	wc = 0;
	if (wc_held && (kind == IOMC_KIND_WC || g_stack_find(own, va) < 0))
		wc = bpf_map_lookup_elem(&wcs, &va);
	where = iomc_unmap_locate(ev, own, wc, &idx);
	if (where == IOMC_IN_NONE) {
		sx.vaddr = vaddr;
		bpf_for_each_map_elem(&tasks, search_cb, &sx, 0);
		if (!sx.found)
			bpf_for_each_map_elem(&irqs, search_cb, &sx, 0);
		if (sx.found) {
			fp = &sx.held;
			if (sx.held.kind == IOMC_KIND_ATOMIC)
				__sync_fetch_and_add(&atomic_held, -1);
			if (sx.held.ctx != IOMC_CTX_TASK)
				__sync_fetch_and_add(&irq_held, -1);
		} else {
			/* inside a map? (the wc table by the address's
			 * page); an emptied wc entry stays, so wc is only
			 * ever the entry this unmap changes */
			__u64 pg = va & IOMC_PAGE_MASK;

			wc = wc_held && pg != va ?
				bpf_map_lookup_elem(&wcs, &pg) : 0;
			where = iomc_unmap_locate_page(ev, own, wc, &idx);
		}
	}
	sc->where = where;
	sc->idx = idx;
	g_check_unmap(sc, own, wc, fp);
	if (sc->vd.n)
		report(ctx, sc, own && own->depth ? own : 0, ev->ctx, ev->tid);
	/* an emptied wc entry stays (see wcs) */
	g_apply_unmap(sc, own, wc);
	account(ev->ctx, d0, a0, own);
	return 0;
}


/*
 * A kernel page fault on a window page (iomap_check.ko strategy=window):
 * the page's last occupant was unmapped, so this is a use after unmap at
 * ip. The module names the occupant; the rule needs no state. Faults run
 * in exception context, never inside another of these programs' helpers
 * on the same CPU: the kprobe slot is free.
 */
__noinline int g_check_fault(struct iomc_scratch *sc)
{
	if (sc)
		iomc_check_fault(IOMC_BPF_RULES, &sc->ev, &sc->vd);
	return 0;
}

SEC("raw_tp/io_mapping_fault")
int BPF_PROG(iomc_fault, unsigned long vaddr, unsigned long ip,
	     unsigned long mapping, unsigned long offset, unsigned int kind,
	     unsigned int ctx_, unsigned long map_caller,
	     unsigned long unmap_caller, unsigned int holder, unsigned int fixed)
{
	struct iomc_scratch *sc = begin(SLOT_KPROBE, IOMC_EV_FAULT, ctx_);
	struct iomc_counters *c = cnt();

	if (!sc)
		return 0;
	if (c)
		c->events++;
	sc->ev.vaddr = vaddr;
	sc->ev.caller = ip;
	sc->ev.mapping = mapping;
	sc->ev.offset = offset;
	sc->ev.kind = kind < IOMC_KIND_MAX ? kind : IOMC_KIND_LOCAL;
	sc->ev.len = map_caller;
	sc->ev.arg = unmap_caller;
	sc->ev.size = IOMC_FAULT_SIZE(holder, fixed);
	record(&sc->ev);
	g_check_fault(sc);
	if (sc->vd.n)
		report(ctx, sc, 0, sc->ev.ctx, sc->ev.tid);
	return 0;
}
