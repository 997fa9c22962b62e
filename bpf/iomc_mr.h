/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What iomc_memremap.bpf.c and iomc_pagemap.bpf.c share: a memremap-family
 * call's entry (kept per task in mr_pend) and its return, which makes the
 * event, checks it and tracks the live address.
 */
#ifndef IOMC_MR_H
#define IOMC_MR_H

#include "iomc_bpf.h"

/* iomc_memremap.bpf.c */
int g_region(struct iomc_mr_pend *q);
int g_check_memremap(struct iomc_scratch *sc);
int g_mr_name(__u64 va, __u64 site);
/* iomc_pagemap.bpf.c */
int g_check_pagemap(struct iomc_scratch *sc);

/* The caller of a function whose entry the kprobe is at. */
static __always_inline __u64 entry_site(struct pt_regs *regs)
{
	__u64 ret = 0;

	bpf_probe_read_kernel(&ret, sizeof(ret), (void *)PT_REGS_SP(regs));
	return ret;
}

/* Entry of an outermost memremap-family call: 0 if nested in one. */
static __always_inline struct iomc_mr_pend *mr_enter(struct pt_regs *regs, __u32 api)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct iomc_mr_pend z = {}, *q;

	q = bpf_map_lookup_elem(&mr_pend, &tid);
	if (q)
		return 0;	/* devm_x -> x: the outer call is the event */
	z.api = api;	/* the site is taken at the return: see mr_exit */
	if (bpf_map_update_elem(&mr_pend, &tid, &z, BPF_ANY))
		return 0;
	return bpf_map_lookup_elem(&mr_pend, &tid);
}

static __always_inline void mr_count(void)
{
	struct iomc_counters *c = cnt();

	if (c)
		c->mr_events++;
}

/* A memremap-family call returned 'ret'; q: what its entry saw. */
static __always_inline void mr_finish(void *ctx, const struct iomc_mr_pend *q,
				      __u64 ret)
{
	__u32 api = q->api;
	struct iomc_counters *c;
	struct iomc_event *ev;
	struct iomc_scratch *sc;
	struct iomc_mr *mr;
	int pages;
	__u64 va;

	pages = api == IOMC_MR_MEMREMAP_PAGES || api == IOMC_MR_DEVM_MEMREMAP_PAGES;
	sc = begin(SLOT_KPROBE, pages ? IOMC_EV_PAGEMAP : IOMC_EV_MEMREMAP,
		   IOMC_CTX_TASK);
	if (!sc)
		return;
	mr_count();
	ev = &sc->ev;
	ev->kind = api;
	ev->caller = q->site;
	ev->offset = q->phys;
	ev->size = q->size;
	ev->vaddr = ret >= (__u64)-4095 ? 0 : ret;	/* NULL or ERR_PTR */
	ev->arg = IOMC_MR_ARG(q->low, q->region, q->mmio);
	if (pages) {
		ev->mapping = q->pgmap;
		ev->len = q->nr_range;
	} else {
		ev->len = q->owner;
	}
	record(ev);
	if (pages)
		g_check_pagemap(sc);
	else
		g_check_memremap(sc);
	if (sc->vd.n)
		report(ctx, sc, 0, IOMC_CTX_TASK, ev->tid);
	if (ev->vaddr) {
		/* a pagemap is kept by its pgmap (engine.h: iomc_apply_pagemap) */
		va = pages ? q->pgmap : ev->vaddr;
		mr = bpf_map_lookup_elem(&mrs, &va);
		if (!mr) {
			bpf_map_update_elem(&mrs, &va, &zero_mr, BPF_NOEXIST);
			mr = bpf_map_lookup_elem(&mrs, &va);
		}
		if (mr) {
			if (pages)
				iomc_apply_pagemap(ev, mr);
			else
				iomc_apply_memremap(ev, mr);
			g_mr_name(va, ev->caller);
		} else {
			__sync_fetch_and_add(&mr_untracked, 1);
			c = cnt();
			if (c)
				c->untracked++;
		}
	}
}

/* Return of an outermost memremap-family call of this 'api'. */
static __always_inline int mr_exit(struct pt_regs *regs, __u32 api)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct iomc_mr_pend *q;

	q = bpf_map_lookup_elem(&mr_pend, &tid);
	if (!q || q->api != api)
		return 0;	/* not the outermost call (or its entry missed) */
	/*
	 * The call site: the return address, which the kretprobe has put
	 * back into the ip by now (at the entry, the stack already held the
	 * kretprobe's trampoline instead: the kprobe runs after it armed).
	 */
	q->site = PT_REGS_IP(regs);
	/* decided now: the caller's init text may be freed and reused later */
	q->owner = init_owner(q->site);
	mr_finish(regs, q, PT_REGS_RC(regs));
	bpf_map_delete_elem(&mr_pend, &tid);
	return 0;
}

#endif
