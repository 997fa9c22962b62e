/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The io_mapping rule engine: every rule decided in one place.
 *
 * Compiled twice: by clang -target bpf inside bpf/iomc_*.bpf.c (the
 * live checker) and by gcc in userspace (the post-mortem analyzer and the
 * tests). So it is pure C over explicit state: no maps, no helpers, no
 * allocation, no unbounded loop, nothing but the arguments. The caller (a
 * "driver") owns the state tables and does the lookups:
 *
 *   - one struct iomc_stack per context: per task (by tid) for process
 *     context, per CPU for softirq, hardirq and NMI (maps taken in an
 *     interrupt nest on top of the interrupted context and must be balanced
 *     before it returns);
 *   - outstanding map_wc addresses: vaddr -> struct iomc_wc;
 *   - freed mappings: mapping -> struct iomc_freed.
 *
 * Each operation is split in a check and an apply. iomc_check_*() only
 * reads the state and appends violations to a struct iomc_verdict; the
 * driver reports them (with the stack as it was, like lockdep shows the
 * locks held before the acquisition) and then calls iomc_apply_*() to
 * update the state. A driver processes an event like this:
 *
 *   CREATE  forget freed[mapping]
 *   FREE    n = maps of ev->mapping outstanding in every stack and in the
 *           wc table (iomc_stack_count_mapping / iomc_wc_count_mapping);
 *           iomc_check_free(); then forget those maps (reported once:
 *           iomc_stack_drop_mapping, delete the wc entries of the mapping)
 *           and set freed[mapping] = { ev->caller }
 *   MAP     iomc_map_target(ev) says which state it goes to: the context's
 *           stack (created if absent), wc[vaddr] (created zeroed if
 *           absent) or none (refused map); below = iomc_below_depth of the contexts the map nests
 *           on; iomc_check_map(); iomc_apply_map()
 *   UNMAP   where = iomc_unmap_locate(own stack, wc[vaddr]); if
 *           IOMC_IN_NONE, search every other stack for the vaddr and, if
 *           found, take the entry out of it (iomc_stack_remove) and pass it
 *           as 'foreign'; if not found either, where =
 *           iomc_unmap_locate_page(own stack, wc[vaddr & IOMC_PAGE_MASK]
 *           if vaddr is not page aligned, else NULL) and wc is that entry
 *           from then on; iomc_check_unmap();
 *           iomc_apply_unmap() (delete that wc entry when it returns
 *           IOMC_WC_EMPTY)
 *   SWITCH  iomc_check_switch(task stack of ev->tid); ev->caller is the
 *           call site of the might-sleep function the task went to sleep
 *           in when known (stack->ms_ret), else 0
 *   EXIT    iomc_check_exit(task stack), then drop the stack
 *   IRQ_EXIT iomc_check_exit(stack of (ev->cpu, ev->ctx)), iomc_stack_reset
 *   MIGHT_SLEEP iomc_check_might_sleep(the stacks active on ev->cpu)
 *   DROP    iomc_stack_forget() the stacks of that CPU's contexts (of
 *           every CPU's when cpu is IOMC_CPU_ALL)
 *   MODULE_END for each live mapping (CREATE adds mapping -> struct
 *           iomc_live, FREE deletes it): iomc_check_unload_mapping(),
 *           whose 'n' is the number of maps of that mapping outstanding;
 *           for each outstanding map (every stack, every wc entry):
 *           iomc_check_unload_held(). Each violation is reported with the
 *           event iomc_unload_event() makes (no held stack); then the
 *           reported mappings and maps are forgotten (reported once).
 *           A driver names at most IOMC_MAX_VIOL leaked mappings per
 *           module end (more are counted as dropped), maps without limit.
 *
 * bpf/iomc_*.bpf.c and lib/engine_state.c are the two drivers. The
 * decisions (the iomc_check_* and iomc_apply_* functions below) are written
 * once, here; the per-event sequence above is written twice because its
 * state lives in BPF maps on one side (lookups that may fail, per-CPU
 * arrays, no pointers across calls the verifier must bound) and in plain
 * tables on the other. tests/host/bpf_rules.c proves the two drivers agree:
 * it runs every sequence of tests/host/rules.seq through the real BPF
 * programs (BPF_PROG_TEST_RUN) and through lib/engine_state.c and compares
 * the violations field by field.
 */
#ifndef IOMAP_CHECK_ENGINE_H
#define IOMAP_CHECK_ENGINE_H

#include "abi.h"

#ifndef IOMC_INLINE
#define IOMC_INLINE static inline __attribute__((always_inline))
#endif

/*
 * A driver may route the engine's loops over a stack through functions of
 * its own: the BPF driver uses global functions, which the verifier checks
 * once instead of on every path of every program. Define these before
 * including this header; by default they are the inline versions below.
 */
#ifndef IOMC_STACK_FIND
#define IOMC_STACK_FIND iomc_stack_find
#endif
#ifndef IOMC_STACK_REMOVE
#define IOMC_STACK_REMOVE iomc_stack_remove
#endif
#ifndef IOMC_STACK_TOP_ATOMIC
#define IOMC_STACK_TOP_ATOMIC iomc_stack_top_atomic
#endif
#ifndef IOMC_STACK_FIND_MAPPING
#define IOMC_STACK_FIND_MAPPING iomc_stack_find_mapping
#endif
#ifndef IOMC_STACK_FIND_PAGE
#define IOMC_STACK_FIND_PAGE iomc_stack_find_page
#endif

/* io_mapping's unit: atomic/local maps cover one page. x86-64 and arm64 4K. */
#define IOMC_PAGE_SIZE 4096ULL
#define IOMC_PAGE_MASK (~(IOMC_PAGE_SIZE - 1))
/* The largest verdict one event produces (leak_on_exit: one per held map). */
#define IOMC_MAX_VIOL 8

/* Which rules are on and the nesting limit. */
struct iomc_cfg {
	__u32 rule_mask;	/* bit IOMC_RULE_x set = rule x enabled */
	__u32 depth_limit;	/* depth_exceeded above this (IOMC_DEFAULT_DEPTH_LIMIT) */
};

#define IOMC_ALL_RULES ((__u32)((1ULL << IOMC_RULE_MAX) - 1))

/* One context's maps, bottom first. */
struct iomc_stack {
	__u32 depth;		/* entries used in held[] */
	__u32 lost;		/* maps beyond IOMC_STACK_MAX, not recorded */
	__u32 n_atomic;		/* atomic maps among held[] */
	__u32 unsure;		/* events of this context were lost (DROP):
				 * unknown unmaps are not reported */
	__u64 ms_sp;		/* BPF driver: last might-sleep report's stack */
	__u64 ms_ret;		/* pointer and return address (nesting filter) */
	struct iomc_held held[IOMC_STACK_MAX];
};

/* Outstanding map_wc's of one address (map_wc may map a page twice). */
struct iomc_wc {
	__u32 count;
	__u32 pad;
	struct iomc_held last;	/* the most recent of them */
};

/* A live mapping (created, not yet freed): what leak_on_unload names. */
struct iomc_live {
	__u64 site;		/* io_mapping_create_wc/init_wc call site */
	__u64 size;
	__u64 base;		/* physical base of the aperture */
	__u64 ts_ns;
	__u32 tid;		/* who created it */
	__u32 pad;
	__u64 owner;		/* the module whose init made it, or 0 */
};

/* A freed mapping, kept to catch use after free. */
struct iomc_freed {
	__u64 free_site;
	__u64 ts_ns;
};

/* What one event violated. 'dropped' counts violations beyond the array. */
struct iomc_verdict {
	__u32 n;
	__u32 dropped;
	struct iomc_viol v[IOMC_MAX_VIOL];
};

/* Where an unmapped address was found. */
enum iomc_where {
	IOMC_IN_NONE = 0,	/* not in the own stack nor the wc table */
	IOMC_IN_OWN = 1,	/* in the unmapping context's stack */
	IOMC_IN_WC = 2,		/* an outstanding map_wc */
	/* no exact match anywhere, but the address is inside the page of a
	 * map (iomc_unmap_locate_page): the kernel unmaps that map */
	IOMC_IN_OWN_PAGE = 3,	/* inside a map of the own stack */
	IOMC_IN_WC_PAGE = 4,	/* inside the first page of a map_wc */
};

/* What iomc_map_target() says a map goes to. */
enum iomc_target {
	IOMC_TO_STACK = 0,	/* atomic/local: the context's stack */
	IOMC_TO_WC = 1,		/* map_wc: wc[vaddr] */
	IOMC_TO_NONE = 2,	/* refused (vaddr 0): checked, not recorded */
};

/* iomc_apply_unmap() result bits. */
#define IOMC_WC_EMPTY 0x1	/* wc[vaddr] has no map left: delete it */

/* ---- small helpers ----------------------------------------------------- */

/*
 * An index into held[] (or v[]) the BPF verifier can see is in bounds:
 * the empty asm hides the value from the compiler, which would otherwise
 * drop the mask after an earlier range check the verifier does not relate.
 */
IOMC_INLINE __u32 iomc_idx(__u32 i, __u32 n_pow2)
{
#ifdef __bpf__
	asm volatile("" : "+r"(i));
#endif
	return i & (n_pow2 - 1);
}

IOMC_INLINE void iomc_verdict_init(struct iomc_verdict *out)
{
	out->n = 0;
	out->dropped = 0;
}

IOMC_INLINE int iomc_rule_on(const struct iomc_cfg *cfg, __u32 rule)
{
	return (cfg->rule_mask >> rule) & 1;
}

IOMC_INLINE int iomc_kind_stacked(__u32 kind)
{
	return kind == IOMC_KIND_ATOMIC || kind == IOMC_KIND_LOCAL;
}

/* Append a violation if its rule is on; returns the slot or NULL. */
IOMC_INLINE struct iomc_viol *iomc_emit(const struct iomc_cfg *cfg,
					struct iomc_verdict *out, __u32 rule,
					__u32 ctx, __u64 map_site)
{
	struct iomc_viol *v;
	__u32 n = out->n;

	if (!iomc_rule_on(cfg, rule))
		return 0;
	if (n >= IOMC_MAX_VIOL) {
		out->dropped++;
		return 0;
	}
	v = &out->v[iomc_idx(n, IOMC_MAX_VIOL)];
	v->rule = rule;
	v->ctx = ctx;
	v->map_site = map_site;
	v->other_site = 0;
	v->other_tid = 0;
	v->other_ctx = 0;
	v->other_cpu = 0;
	out->n = n + 1;
	return v;
}

/* Maps a context holds, those it could not record included. */
IOMC_INLINE __u32 iomc_stack_depth(const struct iomc_stack *s)
{
	return s ? s->depth + s->lost : 0;
}

IOMC_INLINE void iomc_stack_reset(struct iomc_stack *s)
{
	s->depth = 0;
	s->lost = 0;
	s->n_atomic = 0;
	s->unsure = 0;
	s->ms_sp = 0;
	s->ms_ret = 0;
}

/*
 * Events of this context were lost: what it holds is unknown. Forget it,
 * and stay quiet about unmaps of addresses it no longer knows, so that a
 * drop never turns into a false lifo or unknown_unmap.
 */
IOMC_INLINE void iomc_stack_forget(struct iomc_stack *s)
{
	iomc_stack_reset(s);
	s->unsure = 1;
}

/*
 * The searches below go forward and keep the last match (the most recent
 * map): the BPF verifier walks such a loop in far fewer states than a
 * backward one that skips the slots above the depth (19K instructions
 * verified against 1.7K for iomc_stack_find_module).
 */

/* Index of the most recent map of vaddr in s, or -1. */
IOMC_INLINE int iomc_stack_find(const struct iomc_stack *s, __u64 vaddr)
{
	__u32 d = s->depth, i;
	int found = -1;

	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (s->held[i].vaddr == vaddr)
			found = (int)i;
	}
	return found;
}

/*
 * Index of the most recent map in s whose page holds vaddr, or -1. The
 * page, not [vaddr, vaddr + size): a local/atomic map is one page, and the
 * kernel finds what to undo by the page too (kunmap_local_indexed() masks
 * the address with PAGE_MASK before comparing it with its kmap slots; the
 * 64-bit io_mapping_unmap_atomic() ignores the address altogether), so any
 * address in the page unmaps that map.
 */
IOMC_INLINE int iomc_stack_find_page(const struct iomc_stack *s, __u64 vaddr)
{
	__u32 d = s->depth, i;
	int found = -1;

	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (((s->held[i].vaddr ^ vaddr) & IOMC_PAGE_MASK) == 0)
			found = (int)i;
	}
	return found;
}

/* Index of the most recent atomic map in s, or -1. */
IOMC_INLINE int iomc_stack_top_atomic(const struct iomc_stack *s)
{
	__u32 d = s->depth, i;
	int found = -1;

	if (!s->n_atomic)
		return -1;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (s->held[i].kind == IOMC_KIND_ATOMIC)
			found = (int)i;
	}
	return found;
}

/* Take entry idx out of s (copied to *gone if not NULL), keeping order. */
IOMC_INLINE void iomc_stack_remove(struct iomc_stack *s, int idx,
				   struct iomc_held *gone)
{
	__u32 d = s->depth;
	__u32 i;

	if (idx < 0 || (__u32)idx >= d || d > IOMC_STACK_MAX)
		return;
	idx = (int)iomc_idx((__u32)idx, IOMC_STACK_MAX);
	if (gone)
		*gone = s->held[idx];
	if (s->held[idx].kind == IOMC_KIND_ATOMIC && s->n_atomic) {
		s->n_atomic--;
		if (!s->n_atomic) {
			/* the atomic section is over: a later might-sleep
			 * call is a new one */
			s->ms_sp = 0;
			s->ms_ret = 0;
		}
	}
	/* (masked: the verifier loses the bound of a loop from idx) */
	for (i = (__u32)idx; i + 1 < d && i < IOMC_STACK_MAX - 1; i++)
		s->held[iomc_idx(i, IOMC_STACK_MAX)] =
			s->held[iomc_idx(i + 1, IOMC_STACK_MAX)];
	s->depth = d - 1;
}

/* Maps of 'mapping' held in s; *site = the most recent one's site. */
IOMC_INLINE __u32 iomc_stack_count_mapping(const struct iomc_stack *s,
					   __u64 mapping, __u64 *site)
{
	__u32 d = s->depth, n = 0;
	__u32 i;

	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (s->held[i].mapping == mapping) {
			n++;
			*site = s->held[i].site;
		}
	}
	return n;
}

/* Index of the most recent map of 'mapping' in s, or -1. */
IOMC_INLINE int iomc_stack_find_mapping(const struct iomc_stack *s,
					__u64 mapping)
{
	__u32 d = s->depth, i;
	int found = -1;

	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (s->held[i].mapping == mapping)
			found = (int)i;
	}
	return found;
}

/*
 * Forget every map of 'mapping' in s (after leak_on_free reported them, so
 * that they are not reported again at exit). Returns how many.
 */
IOMC_INLINE __u32 iomc_stack_drop_mapping(struct iomc_stack *s,
					  __u64 mapping)
{
	__u32 d0 = s->depth, n;
	int i;

	for (n = 0; n < IOMC_STACK_MAX; n++) {
		i = IOMC_STACK_FIND_MAPPING(s, mapping);
		if (i < 0)
			break;
		IOMC_STACK_REMOVE(s, i, 0);
	}
	return d0 - s->depth;
}

IOMC_INLINE __u32 iomc_wc_count_mapping(const struct iomc_wc *w,
					__u64 mapping, __u64 *site)
{
	if (!w->count || w->last.mapping != mapping)
		return 0;
	*site = w->last.site;
	return w->count;
}

IOMC_INLINE void iomc_held_from_event(struct iomc_held *h,
				      const struct iomc_event *ev)
{
	h->vaddr = ev->vaddr;
	h->mapping = ev->mapping;
	h->offset = ev->offset;
	h->site = ev->caller;
	h->ts_ns = ev->ts_ns;
	h->tid = ev->tid;
	h->kind = (__u8)ev->kind;
	h->ctx = (__u8)ev->ctx;
	h->cpu = (__u16)ev->cpu;
}

/* ---- map --------------------------------------------------------------- */

/* Where a map goes; IOMC_TO_NONE for a refused one (vaddr 0). */
IOMC_INLINE enum iomc_target iomc_map_target(const struct iomc_event *ev)
{
	if (!ev->vaddr)
		return IOMC_TO_NONE;
	return iomc_kind_stacked(ev->kind) ? IOMC_TO_STACK : IOMC_TO_WC;
}

/*
 * Sum of iomc_stack_depth() over the contexts a map of ev->ctx nests on:
 * the task stack of ev->tid and, for an interrupt, the lower interrupt
 * levels of ev->cpu. Pass the stacks that exist, NULL for the others.
 */
IOMC_INLINE __u32 iomc_below_depth(const struct iomc_event *ev,
				   const struct iomc_stack *task,
				   const struct iomc_stack *softirq,
				   const struct iomc_stack *hardirq)
{
	__u32 d = 0;

	if (ev->ctx > IOMC_CTX_TASK)
		d += iomc_stack_depth(task);
	if (ev->ctx > IOMC_CTX_SOFTIRQ)
		d += iomc_stack_depth(softirq);
	if (ev->ctx > IOMC_CTX_HARDIRQ)
		d += iomc_stack_depth(hardirq);
	return d;
}

/*
 * own: the context's stack (atomic/local; NULL if the driver could not get
 * one: the map is then checked but not tracked). freed: the mapping's
 * entry in the freed set, or NULL; drivers look it up for refused maps
 * (vaddr 0) only: iomap_check.ko refuses every map of a mapping that is
 * not live, so a map that went through cannot be of a freed one, and the
 * hot path saves a lookup. below: iomc_below_depth().
 */
IOMC_INLINE void iomc_check_map(const struct iomc_cfg *cfg,
				const struct iomc_event *ev,
				const struct iomc_stack *own, __u32 below,
				const struct iomc_freed *freed,
				struct iomc_verdict *out)
{
	__u64 len = iomc_kind_stacked(ev->kind) ? IOMC_PAGE_SIZE : ev->len;
	struct iomc_viol *v;

	if (freed) {
		v = iomc_emit(cfg, out, IOMC_RULE_USE_AFTER_FREE, ev->ctx, 0);
		if (v)
			v->other_site = freed->free_site;
	}
	if (ev->offset & (IOMC_PAGE_SIZE - 1))
		iomc_emit(cfg, out, IOMC_RULE_UNALIGNED_OFFSET, ev->ctx, 0);
	/* offset + len wrapping around is out of range too */
	if (ev->offset >= ev->size || ev->offset + len < ev->offset ||
	    ev->offset + len > ev->size)
		iomc_emit(cfg, out, IOMC_RULE_OFFSET_OUT_OF_RANGE, ev->ctx, 0);
	if (iomc_kind_stacked(ev->kind) &&
	    below + iomc_stack_depth(own) + 1 > cfg->depth_limit) {
		/* name where the nest began: the bottom map of this context */
		__u64 first = own && own->depth ? own->held[0].site : 0;

		iomc_emit(cfg, out, IOMC_RULE_DEPTH_EXCEEDED, ev->ctx, first);
	}
}

/*
 * Record the map. A refused map (vaddr 0: iomap_check.ko returned NULL
 * and disabled nothing) holds nothing: it is checked, not recorded.
 */
IOMC_INLINE void iomc_apply_map(const struct iomc_event *ev,
				struct iomc_stack *own, struct iomc_wc *wc)
{
	if (!ev->vaddr)
		return;
	if (iomc_kind_stacked(ev->kind)) {
		__u32 d;

		if (!own)
			return;
		d = own->depth;
		if (d >= IOMC_STACK_MAX) {
			own->lost++;
			return;
		}
		iomc_held_from_event(&own->held[iomc_idx(d, IOMC_STACK_MAX)], ev);
		own->depth = d + 1;
		if (ev->kind == IOMC_KIND_ATOMIC)
			own->n_atomic++;
		return;
	}
	if (!wc)
		return;
	wc->count++;
	iomc_held_from_event(&wc->last, ev);
}

/* ---- unmap ------------------------------------------------------------- */

/*
 * Where the unmapped address is, looking first where the variant used
 * says it should be. *idx = index in own when IOMC_IN_OWN.
 */
IOMC_INLINE enum iomc_where iomc_unmap_locate(const struct iomc_event *ev,
					      const struct iomc_stack *own,
					      const struct iomc_wc *wc,
					      int *idx)
{
	int i = own ? IOMC_STACK_FIND(own, ev->vaddr) : -1;
	int w = wc && wc->count;

	*idx = i;
	if (iomc_kind_stacked(ev->kind)) {
		if (i >= 0)
			return IOMC_IN_OWN;
		return w ? IOMC_IN_WC : IOMC_IN_NONE;
	}
	if (w)
		return IOMC_IN_WC;
	return i >= 0 ? IOMC_IN_OWN : IOMC_IN_NONE;
}

/*
 * No map of the exact address anywhere (iomc_unmap_locate said
 * IOMC_IN_NONE and no other context holds it): is it inside a map? The
 * kernel undoes the map whose page holds the address (see
 * iomc_stack_find_page; iounmap() of a map_wc masks with PAGE_MASK too),
 * so the checker must forget that map as well, or it reports every later
 * event against a map that no longer exists (a sleep "in atomic", a lifo,
 * a leak) where the kernel saw one bad unmap. The own stack is searched by
 * page; wcp is the driver's wc entry of vaddr & IOMC_PAGE_MASK (NULL when
 * vaddr is page aligned: that lookup was the exact one), so of a map_wc
 * only an address in its first page is recognised (the wc table is keyed
 * by address: a map's length is not kept). Looks first where the variant
 * used says the map should be, like iomc_unmap_locate().
 */
IOMC_INLINE enum iomc_where iomc_unmap_locate_page(const struct iomc_event *ev,
						   const struct iomc_stack *own,
						   const struct iomc_wc *wcp,
						   int *idx)
{
	int i = own ? IOMC_STACK_FIND_PAGE(own, ev->vaddr) : -1;
	int w = wcp && wcp->count;

	*idx = i;
	if (iomc_kind_stacked(ev->kind)) {
		if (i >= 0)
			return IOMC_IN_OWN_PAGE;
		return w ? IOMC_IN_WC_PAGE : IOMC_IN_NONE;
	}
	if (w)
		return IOMC_IN_WC_PAGE;
	return i >= 0 ? IOMC_IN_OWN_PAGE : IOMC_IN_NONE;
}

/*
 * where/idx: from iomc_unmap_locate() or iomc_unmap_locate_page() (wc is
 * then the entry of the page). foreign: when IOMC_IN_NONE, the entry the
 * driver found (and took out of) another context's stack, else NULL.
 *
 * An unmap inside a map (IOMC_IN_*_PAGE) is the bug, reported once as
 * unknown_unmap naming that map (map_site): no map has this address. The
 * rest is checked as for an unmap of the map's own address, since the
 * kernel undid that map (a lifo when it is not the top).
 */
IOMC_INLINE void iomc_check_unmap(const struct iomc_cfg *cfg,
				  const struct iomc_event *ev,
				  const struct iomc_stack *own,
				  enum iomc_where where, int idx,
				  const struct iomc_wc *wc,
				  const struct iomc_held *foreign,
				  struct iomc_verdict *out)
{
	const struct iomc_held *h;
	struct iomc_viol *v;

	if (where == IOMC_IN_OWN_PAGE && own && idx >= 0 &&
	    idx < IOMC_STACK_MAX) {
		iomc_emit(cfg, out, IOMC_RULE_UNKNOWN_UNMAP, ev->ctx,
			  own->held[iomc_idx((__u32)idx, IOMC_STACK_MAX)].site);
		where = IOMC_IN_OWN;
	}
	if (where == IOMC_IN_WC_PAGE && wc) {
		iomc_emit(cfg, out, IOMC_RULE_UNKNOWN_UNMAP, ev->ctx,
			  wc->last.site);
		where = IOMC_IN_WC;
	}
	if (where == IOMC_IN_OWN && own && idx >= 0 &&
	    idx < IOMC_STACK_MAX) {
		__u32 top = own->depth - 1;

		h = &own->held[iomc_idx((__u32)idx, IOMC_STACK_MAX)];
		if (iomc_kind_stacked(ev->kind) && (__u32)idx != top &&
		    top < IOMC_STACK_MAX) {
			v = iomc_emit(cfg, out, IOMC_RULE_LIFO, ev->ctx,
				      h->site);
			if (v)
				v->other_site =
					own->held[iomc_idx(top, IOMC_STACK_MAX)].site;
		}
		if (h->kind != ev->kind)
			iomc_emit(cfg, out, IOMC_RULE_UNMAP_MISMATCH, ev->ctx,
				  h->site);
		return;
	}
	if (where == IOMC_IN_WC && wc) {
		if (ev->kind != IOMC_KIND_WC)
			iomc_emit(cfg, out, IOMC_RULE_UNMAP_MISMATCH, ev->ctx,
				  wc->last.site);
		return;
	}
	if (foreign) {
		v = iomc_emit(cfg, out, IOMC_RULE_CROSS_CONTEXT_UNMAP, ev->ctx,
			      foreign->site);
		if (v) {
			v->other_tid = foreign->tid;
			v->other_ctx = foreign->ctx;
			v->other_cpu = foreign->cpu;
		}
		if (foreign->kind != ev->kind)
			iomc_emit(cfg, out, IOMC_RULE_UNMAP_MISMATCH, ev->ctx,
				  foreign->site);
		return;
	}
	/* a map beyond the stack's capacity (or lost with dropped events)
	 * may be the one: can't tell */
	if (own && ((iomc_kind_stacked(ev->kind) && own->lost) || own->unsure))
		return;
	iomc_emit(cfg, out, IOMC_RULE_UNKNOWN_UNMAP, ev->ctx, 0);
}

/*
 * Returns IOMC_WC_EMPTY when the driver must delete the wc entry it passed
 * (wc[vaddr], or wc[vaddr & IOMC_PAGE_MASK] for IOMC_IN_WC_PAGE).
 */
IOMC_INLINE int iomc_apply_unmap(const struct iomc_event *ev,
				 struct iomc_stack *own, enum iomc_where where,
				 int idx, struct iomc_wc *wc)
{
	if ((where == IOMC_IN_OWN || where == IOMC_IN_OWN_PAGE) && own) {
		IOMC_STACK_REMOVE(own, idx, 0);
		return 0;
	}
	if ((where == IOMC_IN_WC || where == IOMC_IN_WC_PAGE) && wc) {
		if (wc->count)
			wc->count--;
		return wc->count ? 0 : IOMC_WC_EMPTY;
	}
	if (iomc_kind_stacked(ev->kind) && own && own->lost)
		own->lost--;
	return 0;
}

/* ---- free -------------------------------------------------------------- */

/* n: maps of ev->mapping still outstanding; site: one of them. */
IOMC_INLINE void iomc_check_free(const struct iomc_cfg *cfg,
				 const struct iomc_event *ev, __u32 n,
				 __u64 site, struct iomc_verdict *out)
{
	if (n)
		iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_FREE, ev->ctx, site);
}

/* ---- scheduler, exits, might-sleep -------------------------------------- */

/* ev->arg = 1: the task switched out voluntarily (it slept). */
IOMC_INLINE void iomc_check_switch(const struct iomc_cfg *cfg,
				   const struct iomc_event *ev,
				   const struct iomc_stack *task,
				   struct iomc_verdict *out)
{
	int i;

	if (!ev->arg || !task)
		return;
	i = IOMC_STACK_TOP_ATOMIC(task);
	if (i >= 0)
		iomc_emit(cfg, out, IOMC_RULE_SLEEP_IN_ATOMIC, IOMC_CTX_TASK,
			  task->held[iomc_idx((__u32)i, IOMC_STACK_MAX)].site);
}

/*
 * A task exits (ctx TASK) or an interrupt returns (ctx of the interrupt)
 * with maps held: one leak_on_exit per held map, most recent first. The
 * driver then drops or resets the stack.
 */
IOMC_INLINE void iomc_check_exit(const struct iomc_cfg *cfg,
				 const struct iomc_event *ev,
				 const struct iomc_stack *s,
				 struct iomc_verdict *out)
{
	__u32 d, k, i;

	if (!s)
		return;
	d = s->depth;
	if (d > IOMC_STACK_MAX)
		d = IOMC_STACK_MAX;
	/* the most recent IOMC_MAX_VIOL by name, the others counted */
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= d)
			break;
		i = d - 1 - k;
		iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_EXIT, ev->ctx,
			  s->held[iomc_idx(i, IOMC_STACK_MAX)].site);
	}
	if (d > IOMC_MAX_VIOL && iomc_rule_on(cfg, IOMC_RULE_LEAK_ON_EXIT))
		out->dropped += d - IOMC_MAX_VIOL;
	if (!d && s->lost)
		iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_EXIT, ev->ctx, 0);
}

/*
 * A might-sleep function was entered (ev->arg = the function, ev->caller =
 * its call site). stacks[c] = the stack of context c active on ev->cpu
 * (the task's for IOMC_CTX_TASK), NULL if none. The innermost context
 * holding an atomic map is named.
 */
IOMC_INLINE void iomc_check_might_sleep(const struct iomc_cfg *cfg,
					const struct iomc_event *ev,
					const struct iomc_stack *task,
					const struct iomc_stack *softirq,
					const struct iomc_stack *hardirq,
					const struct iomc_stack *nmi,
					struct iomc_verdict *out)
{
	const struct iomc_stack *s = 0;
	__u32 ctx = 0;
	int i;

	(void)ev;
	if (task && task->n_atomic) {
		s = task;
		ctx = IOMC_CTX_TASK;
	}
	if (softirq && softirq->n_atomic) {
		s = softirq;
		ctx = IOMC_CTX_SOFTIRQ;
	}
	if (hardirq && hardirq->n_atomic) {
		s = hardirq;
		ctx = IOMC_CTX_HARDIRQ;
	}
	if (nmi && nmi->n_atomic) {
		s = nmi;
		ctx = IOMC_CTX_NMI;
	}
	if (!s)
		return;
	i = IOMC_STACK_TOP_ATOMIC(s);
	if (i >= 0)
		iomc_emit(cfg, out, IOMC_RULE_MIGHT_SLEEP_IN_ATOMIC, ctx,
			  s->held[iomc_idx((__u32)i, IOMC_STACK_MAX)].site);
}

/* ---- module end (leak_on_unload) ---------------------------------------- */

/*
 * Is site in the code of the module that goes away? end is the
 * IOMC_EV_MODULE_END event: core text [offset, offset + len), init text
 * [vaddr, vaddr + size). The init text counts only when the init failed:
 * then it is still there. After a good init it was freed, and the next
 * module loaded may sit at those addresses (memmapres_user was loaded
 * where memmapres_core's init had been): an address in it says nothing
 * about who made a call there. What init code made is owned by identity
 * instead (iomc_owned). Text inputs, whose sites are interned ids, decide
 * ownership by module name (the analyzer's own test).
 */
IOMC_INLINE int iomc_in_module(const struct iomc_event *end, __u64 site)
{
	return site && (site - end->offset < end->len ||
			((end->arg & IOMC_UNLOAD_FAILED) &&
			 site - end->vaddr < end->size));
}

/*
 * Is what a call at 'site' left (a mapping, a memremap) the ending
 * module's? owner: the module whose init text made the call, decided when
 * the call was made, while that text was live (abi.h: ev.len of create and
 * memremap); 0 when the call was not made from a live init text. Decided
 * by identity then, by the core text's address otherwise.
 */
IOMC_INLINE int iomc_owned(const struct iomc_event *end, __u64 site,
			   __u64 owner)
{
	if (owner)
		return owner == end->mapping;
	return iomc_in_module(end, site);
}

IOMC_INLINE void iomc_live_from_event(struct iomc_live *l,
				      const struct iomc_event *ev)
{
	l->site = ev->caller;
	l->size = ev->size;
	l->base = ev->offset;
	l->ts_ns = ev->ts_ns;
	l->tid = ev->tid;
	l->pad = 0;
	l->owner = ev->len;
}

/*
 * A live mapping whose creator is the module that goes away (the driver
 * decided 'mine', with iomc_owned or its own test) leaks.
 */
IOMC_INLINE void iomc_check_unload_mapping(const struct iomc_cfg *cfg,
					   const struct iomc_live *l, int mine,
					   struct iomc_verdict *out)
{
	if (mine)
		iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_UNLOAD, IOMC_CTX_TASK,
			  l->site);
}

/* An outstanding map taken by the module's code leaks. */
IOMC_INLINE void iomc_check_unload_held(const struct iomc_cfg *cfg,
					const struct iomc_held *h, int mine,
					struct iomc_verdict *out)
{
	struct iomc_viol *v;

	if (!mine)
		return;
	v = iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_UNLOAD, h->ctx, h->site);
	if (v) {
		v->other_tid = h->tid;
		v->other_ctx = h->ctx;
		v->other_cpu = h->cpu;
	}
}

/*
 * The event a leak_on_unload violation is reported with: the module end
 * (task, time, CPU; caller 0, so the report's site is the create or map
 * site) carrying the leaked mapping (l, mapping; len = n, its outstanding
 * maps) or the leaked map (h).
 */
IOMC_INLINE void iomc_unload_event(struct iomc_event *ev,
				   const struct iomc_event *end,
				   __u64 mapping, const struct iomc_live *l,
				   __u32 n, const struct iomc_held *h)
{
	*ev = *end;
	ev->caller = 0;
	ev->kind = 0;
	ev->offset = 0;
	ev->vaddr = 0;
	ev->size = 0;
	ev->len = 0;
	if (l) {
		ev->mapping = mapping;
		ev->size = l->size;
		ev->offset = l->base;
		ev->len = n;
	} else if (h) {
		ev->mapping = h->mapping;
		ev->kind = h->kind;
		ev->offset = h->offset;
		ev->vaddr = h->vaddr;
	}
}

/* Index of the most recent map of s taken by the module's code, or -1. */
IOMC_INLINE int iomc_stack_find_module(const struct iomc_stack *s,
				       const struct iomc_event *end)
{
	__u32 d = s->depth, i;
	int found = -1;

	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		if (iomc_in_module(end, s->held[i].site))
			found = (int)i;
	}
	return found;
}

/* ---- memremap ------------------------------------------------------------
 *
 * The memremap API is seen through kprobes on the unmodified kernel. State:
 * the live memremaps, address -> struct iomc_mr. A driver processes:
 *
 *   MEMREMAP iomc_check_memremap(); if ev->vaddr, iomc_apply_memremap()
 *           on live[vaddr] (created zeroed if absent)
 *   MEMUNMAP mr = live[vaddr] or NULL; if none (or count 0) and
 *           k = iomc_memunmap_page_key() is not 0: mr = live[k], 'inner'
 *           if it has a count; iomc_check_memunmap(); then
 *           iomc_apply_memunmap(), and delete that entry when it returns 1
 *   PAGEMAP  iomc_check_pagemap(); if ev->vaddr, iomc_apply_pagemap() on
 *           live[ev->mapping]
 *   MEMUNMAP of kind memunmap_pages: live[iomc_memunmap_key()] as above
 *           (the check says nothing: vaddr is 0; no entry for the
 *           cleanup of a failing memremap_pages)
 *   FAULT    iomc_check_fault()
 * The region class and MMIO bit in ev->arg are decided by the driver that
 * saw the call (the BPF programs read the kernel's iomem resources at the
 * time of the call) and recorded with the event, so a recording is checked
 * the same way later.
 */

/* One live memremap address. */
struct iomc_mr {
	__u32 count;		/* live memremaps that returned this address
				 * (a WB memremap of RAM returns the direct map:
				 * the same pointer each time) */
	__u32 api;		/* enum iomc_mr_api of the most recent */
	__u64 site;		/* the most recent one's call site */
	__u64 phys;
	__u64 size;
	__u64 ts_ns;
	__u32 tid;
	__u32 flags;		/* MEMREMAP_* asked for */
	__u64 owner;		/* the module whose init made it, or 0 */
};

IOMC_INLINE int iomc_memremap_flags_bad(__u32 flags)
{
	return !(flags & IOMC_MEMREMAP_TYPES) || (flags & ~IOMC_MEMREMAP_KNOWN) ||
	       ((flags & IOMC_MEMREMAP_ENC) && (flags & IOMC_MEMREMAP_DEC));
}

/*
 * Would memremap() refuse these flags over this range? The kernel
 * (kernel/iomem.c) refuses a mixed range outright, and a range that
 * intersects System RAM unless WB is asked for (which it satisfies from
 * the direct map): WT and WC would alias RAM with another cache type.
 */
IOMC_INLINE int iomc_memremap_refused(__u32 flags, __u32 region)
{
	if (region == IOMC_REGION_MIXED)
		return 1;
	return region == IOMC_REGION_INTERSECTS && !(flags & IOMC_MEMREMAP_WB);
}

IOMC_INLINE void iomc_check_memremap(const struct iomc_cfg *cfg,
				     const struct iomc_event *ev,
				     struct iomc_verdict *out)
{
	__u32 flags = IOMC_MR_LOW(ev->arg);

	if (iomc_memremap_flags_bad(flags))
		iomc_emit(cfg, out, IOMC_RULE_MEMREMAP_BAD_FLAGS, ev->ctx, 0);
	else if (iomc_memremap_refused(flags, IOMC_MR_REGION(ev->arg)))
		iomc_emit(cfg, out, IOMC_RULE_MEMREMAP_REFUSED, ev->ctx, 0);
}

IOMC_INLINE void iomc_apply_memremap(const struct iomc_event *ev,
				     struct iomc_mr *mr)
{
	if (!mr || !ev->vaddr)
		return;
	mr->count++;
	mr->api = ev->kind;
	mr->site = ev->caller;
	mr->phys = ev->offset;
	mr->size = ev->size;
	mr->ts_ns = ev->ts_ns;
	mr->tid = ev->tid;
	mr->flags = IOMC_MR_LOW(ev->arg);
	mr->owner = ev->len;
}

/*
 * A memremap_pages/devm_memremap_pages that worked (ev->vaddr): the driver
 * keeps it in the same live table, keyed by the pgmap (ev->mapping), until
 * memunmap_pages or devres releases it (a memunmap event of kind
 * IOMC_MR_MEMUNMAP_PAGES: iomc_apply_memunmap, never checked), so that a
 * module that goes with its pagemap still there is named (leak_on_unload).
 * No owner: ev.len is nr_range here; an init-made pagemap is owned by
 * address (engine's iomc_in_module).
 */
IOMC_INLINE void iomc_apply_pagemap(const struct iomc_event *ev,
				    struct iomc_mr *mr)
{
	if (!mr || !ev->vaddr)
		return;
	iomc_apply_memremap(ev, mr);
	mr->owner = 0;
}

/*
 * The live table's key of a memunmap event: the pgmap for memunmap_pages;
 * 0 (none) for the cleanup of a failing memremap_pages, which ends no live
 * pagemap (abi.h: IOMC_MEMUNMAP_FAILED_REMAP).
 */
IOMC_INLINE __u64 iomc_memunmap_key(const struct iomc_event *ev)
{
	if (ev->kind != IOMC_MR_MEMUNMAP_PAGES)
		return ev->vaddr;
	return ev->arg & IOMC_MEMUNMAP_FAILED_REMAP ? 0 : ev->mapping;
}

/*
 * The live table's key to try when a plain memunmap's address has no
 * entry (0: none): its page. memunmap() of a non-RAM address is
 * iounmap(addr & PAGE_MASK), which undoes the whole mapping holding that
 * page, and of RAM does nothing whatever the address (as for an exact
 * one); either way the memremap is over for the kernel, and keeping it
 * live would end in a false leak_on_unload. Only the page is tried (the
 * table is keyed by address; a memremap of a page-aligned range returns a
 * page-aligned address). Not for devm_memunmap: devres matches the exact
 * address and, finding none, WARNs and unmaps nothing.
 */
IOMC_INLINE __u64 iomc_memunmap_page_key(const struct iomc_event *ev)
{
	__u64 pg = ev->vaddr & IOMC_PAGE_MASK;

	return ev->kind == IOMC_MR_MEMUNMAP && pg != ev->vaddr ? pg : 0;
}

/*
 * memunmap of vaddr; mr = its live entry or NULL. unsure: memremaps were
 * not tracked (table full): an unknown address may be one of them, so it
 * is not reported. memunmap(NULL) does nothing and is not reported.
 * inner: mr is the entry of iomc_memunmap_page_key(), the address is
 * inside it: reported once, naming that memremap (map_site); the driver
 * then applies the unmap to it.
 */
IOMC_INLINE void iomc_check_memunmap(const struct iomc_cfg *cfg,
				     const struct iomc_event *ev,
				     const struct iomc_mr *mr, int unsure,
				     int inner, struct iomc_verdict *out)
{
	if (inner && mr && mr->count) {
		iomc_emit(cfg, out, IOMC_RULE_MEMUNMAP_UNKNOWN, ev->ctx,
			  mr->site);
		return;
	}
	if (!ev->vaddr || (mr && mr->count) || unsure)
		return;
	iomc_emit(cfg, out, IOMC_RULE_MEMUNMAP_UNKNOWN, ev->ctx, 0);
}

/* Returns 1 when live[vaddr] holds no memremap any more: delete it. */
IOMC_INLINE int iomc_apply_memunmap(struct iomc_mr *mr)
{
	if (!mr)
		return 0;
	if (mr->count)
		mr->count--;
	return !mr->count;
}

/*
 * A module goes away (leak_on_unload): a live memremap its code made (the
 * driver decided 'mine', as for mappings) leaks. A devm_memremap one too:
 * devres unmaps it when the device unbinds, which is before the module
 * goes. The driver forgets every one that is mine, reported or not.
 * Pagemaps are in the same table (iomc_apply_pagemap), and so reported.
 */
IOMC_INLINE void iomc_check_unload_memremap(const struct iomc_cfg *cfg,
					    const struct iomc_mr *mr, int mine,
					    struct iomc_verdict *out)
{
	if (mine && mr->count)
		iomc_emit(cfg, out, IOMC_RULE_LEAK_ON_UNLOAD, IOMC_CTX_TASK,
			  mr->site);
}

/* The event a leaked memremap is reported with (abi.h: IOMC_UNLOAD_*). */
IOMC_INLINE void iomc_unload_memremap_event(struct iomc_event *ev,
					    const struct iomc_event *end,
					    __u64 vaddr, const struct iomc_mr *mr)
{
	*ev = *end;
	ev->caller = 0;
	ev->mapping = 0;
	ev->kind = mr->api;
	ev->vaddr = vaddr;
	ev->offset = mr->phys;
	ev->size = mr->size;
	ev->len = mr->count;
	ev->arg = end->arg | IOMC_UNLOAD_MEMREMAP;
}

/*
 * memremap_pages/devm_memremap_pages. The pgmap must come with its type
 * and range set (nr_range > 0 and a range that is not the zeroed one).
 * Its range is expected to be host memory: over device MMIO only
 * MEMORY_DEVICE_PCI_P2PDMA (a BAR by design) and MEMORY_DEVICE_PRIVATE
 * (a range the CPU never touches) belong there.
 */
IOMC_INLINE void iomc_check_pagemap(const struct iomc_cfg *cfg,
				    const struct iomc_event *ev,
				    struct iomc_verdict *out)
{
	__u32 type = IOMC_MR_LOW(ev->arg);

	if (type == IOMC_PGMAP_UNSET || !ev->len || (!ev->offset && ev->size <= 1))
		iomc_emit(cfg, out, IOMC_RULE_PAGEMAP_UNINIT, ev->ctx, 0);
	else if (IOMC_MR_MMIO(ev->arg) && type != IOMC_PGMAP_P2PDMA &&
		 type != IOMC_PGMAP_PRIVATE)
		iomc_emit(cfg, out, IOMC_RULE_PAGEMAP_MMIO, ev->ctx, 0);
}

/*
 * FAULT (strategy=window): stateless. The module cleared the slot's entry
 * when its last occupant was unmapped, so a fault there with an unmap site
 * is an access through that map's pointer after its unmap
 * (use_after_unmap), at the faulting instruction. A fault on a slot never
 * unmapped (a guard page, or a slot never used) names no map: not this
 * rule's, the kernel's oops says what it is.
 */
IOMC_INLINE void iomc_check_fault(const struct iomc_cfg *cfg,
				  const struct iomc_event *ev,
				  struct iomc_verdict *out)
{
	struct iomc_viol *v;

	if (!ev->arg)
		return;
	v = iomc_emit(cfg, out, IOMC_RULE_USE_AFTER_UNMAP, ev->ctx, ev->len);
	if (!v)
		return;
	v->other_site = ev->arg;
	v->other_tid = IOMC_FAULT_HOLDER(ev->size);
}

#endif /* IOMAP_CHECK_ENGINE_H */
