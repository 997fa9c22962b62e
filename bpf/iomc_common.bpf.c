// SPDX-License-Identifier: GPL-2.0
/*
 * iomap-checkd's BPF programs, the shared part: the maps and variables
 * (each defined here once, declared in iomc_bpf.h), the engine's stack
 * loops and the reporting every program uses. The programs are in the
 * other iomc_*.bpf.c files (iomc_bpf.h lists them).
 */
#include "iomc_bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct iomc_bpf_cfg cfg = {
	.rules = { .rule_mask = IOMC_ALL_RULES,
		   .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
	.dedup = 1,
	.record = 0,
};

__s64 atomic_held;
__s64 irq_held;
__s64 wc_held;
__u64 mr_untracked;

const struct iomc_stack zero_stack = {};
const struct iomc_wc zero_wc = {};
const struct iomc_live_ent zero_live = {};
const struct iomc_mr zero_mr = {};
const struct iomc_mr_name zero_mr_name = {};

iomc_tasks_map tasks SEC(".maps");
iomc_irqs_map irqs SEC(".maps");
iomc_wcs_map wcs SEC(".maps");
iomc_freed_map freed SEC(".maps");
iomc_lives_map lives SEC(".maps");
iomc_modinit_map modinit SEC(".maps");
iomc_seen_map seen SEC(".maps");
iomc_counters_map counters SEC(".maps");
iomc_scratch_map scratch SEC(".maps");
iomc_rb_map rb SEC(".maps");
iomc_mr_pend_map mr_pend SEC(".maps");
iomc_mrs_map mrs SEC(".maps");
iomc_mr_names_map mr_names SEC(".maps");
iomc_mr_devm_unmap_map mr_devm_unmap SEC(".maps");

/* ---- helpers ------------------------------------------------------------ */

__noinline int g_stack_find(const struct iomc_stack *s, __u64 vaddr)
{
	return s ? iomc_stack_find(s, vaddr) : -1;
}

__noinline int g_stack_find_page(const struct iomc_stack *s, __u64 vaddr)
{
	return s ? iomc_stack_find_page(s, vaddr) : -1;
}

__noinline int g_stack_remove(struct iomc_stack *s, int idx,
			      struct iomc_held *gone)
{
	if (s)
		iomc_stack_remove(s, idx, gone);
	return 0;
}

__noinline int g_stack_top_atomic(const struct iomc_stack *s)
{
	return s ? iomc_stack_top_atomic(s) : -1;
}

__noinline int g_stack_find_mapping(const struct iomc_stack *s, __u64 mapping)
{
	return s ? iomc_stack_find_mapping(s, mapping) : -1;
}

/* Dedup: 1 if this violation must be reported in full. */
static __always_inline int first_time(const struct iomc_event *ev,
				      const struct iomc_viol *v,
				      struct iomc_seen_val **valp)
{
	struct iomc_seen_key k = {};
	struct iomc_seen_val nv = {}, *val;
	struct iomc_counters *c;

	*valp = 0;
	/* a module ends once: its leaks are reported in full every time
	 * (a reload may put the same code at the same address) */
	if (!cfg.dedup || !iomc_rule_dedups(v->rule))
		return 1;
	k.rule = v->rule;
	k.site = ev->caller;
	k.map_site = v->map_site;
	val = bpf_map_lookup_elem(&seen, &k);
	if (!val) {
		nv.count = 1;
		nv.first_ns = ev->ts_ns;
		nv.last_ns = ev->ts_ns;
		if (bpf_map_update_elem(&seen, &k, &nv, BPF_NOEXIST) == 0) {
			*valp = bpf_map_lookup_elem(&seen, &k);
			return 1;
		}
		val = bpf_map_lookup_elem(&seen, &k);
		if (!val) {
			/* table full: report every time, userspace dedups */
			c = cnt();
			if (c)
				c->seen_full++;
			return 1;
		}
	}
	__sync_fetch_and_add(&val->count, 1);
	val->last_ns = ev->ts_ns;
	*valp = val;
	/* a first report that did not get out is retried */
	return !val->reported;
}

/*
 * The kernel's name of a report's site, now, while the code is there (init
 * text is freed after init, a module's at unload; userspace symbolizes
 * later). Only reports pay for it.
 */
static __always_inline void symbolize(const struct iomc_scratch *sc,
				      struct iomc_report *r, __u32 i)
{
	__u64 a;

	if (i >= IOMC_RSYM_MAX)
		return;
	a = r->sym_addr[i];
	r->sym[i][0] = 0;
	if (!a)
		return;
	if (a == sc->presym_addr && sc->presym[0]) {
		bpf_probe_read_kernel(r->sym[i], IOMC_SYM_LEN, sc->presym);
		return;
	}
	bpf_snprintf(r->sym[i], IOMC_SYM_LEN, sym_fmt, &a, sizeof(a));
}

/*
 * Report violation i of sc's verdict. A global function of its own: inlined
 * in g_report's loop, the 6.1 verifier walked its body once per iteration
 * and per path (30K instructions a program; a daemon start took 48 s in a
 * TCG guest, 8 s since).
 */
__noinline int g_report_one(struct iomc_scratch *sc, __u32 i,
			    const struct iomc_stack *held,
			    __u32 held_ctx, __u32 held_tid)
{
	const struct iomc_viol *v;
	struct iomc_event *ev;
	struct iomc_seen_val *val;
	struct iomc_counters *c = cnt();
	struct iomc_report *r;

	if (!sc || i >= IOMC_MAX_VIOL)
		return 0;
	ev = &sc->ev;
	v = &sc->vd.v[i];
	if (c)
		c->violations++;
	if (!first_time(ev, v, &val))
		return 0;
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		if (c)
			c->rb_fail++;
		return 0;
	}
	r->msg = IOMC_MSG_REPORT;
	r->ev = *ev;
	r->v = *v;
	r->held_ctx = held_ctx;
	r->held_tid = held_tid;
	r->pad = 0;
	r->n_held = 0;
	if (held) {
		const struct iomc_stack *h = held;
		__u32 d;

		/* keep the compiler from computing h->held before the
		 * NULL check (the verifier rejects that) */
		asm volatile("" : "+r"(h));
		d = h->depth;
		r->n_held = d < IOMC_STACK_MAX ? d : IOMC_STACK_MAX;
		bpf_probe_read_kernel(r->held, sizeof(r->held), h->held);
	}	/* else held[] is left as is: n_held says what is valid */
	r->stack_bytes = sc->stack_bytes;
	bpf_probe_read_kernel(r->stack, sizeof(r->stack), sc->stack);
	r->sym_addr[IOMC_RSYM_SITE] = ev->caller ? ev->caller : v->map_site;
	r->sym_addr[IOMC_RSYM_MAP] = v->map_site;
	r->sym_addr[IOMC_RSYM_OTHER] = v->other_site;
	symbolize(sc, r, IOMC_RSYM_SITE);
	symbolize(sc, r, IOMC_RSYM_MAP);
	symbolize(sc, r, IOMC_RSYM_OTHER);
	bpf_ringbuf_submit(r, 0);
	if (val)
		val->reported = 1;
	if (c)
		c->reported++;
	return 0;
}

/*
 * Report the verdict in sc. A global function: the verifier checks it once
 * instead of once per path of every program that reports.
 */
__noinline int g_report(struct iomc_scratch *sc, const struct iomc_stack *held,
			__u32 held_ctx, __u32 held_tid)
{
	__u32 i, n;

	if (!sc)
		return 0;
	n = sc->vd.n;
	bpf_get_current_comm(sc->ev.comm, sizeof(sc->ev.comm));
	for (i = 0; i < IOMC_MAX_VIOL; i++) {
		if (i >= n)
			break;
		g_report_one(sc, i, held, held_ctx, held_tid);
	}
	return 0;
}

