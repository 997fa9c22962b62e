// SPDX-License-Identifier: GPL-2.0
/*
 * iomap-checkd's BPF programs: the io_mapping rules enforced in the kernel.
 *
 * This file is the BPF "driver" of the rule engine
 * (include/iomap-check/engine.h): it keeps the engine's state in maps,
 * turns each hook into a struct iomc_event, runs the engine and sends
 * only violations to userspace (plus every event in record mode). A
 * correct map or unmap costs one program run and no userspace work.
 *
 * Hooks (attached by the daemon, checkd/checkd_attach.c):
 *   raw_tp io_mapping_{create,free,map,unmap}  iomap_check.ko's tracepoints;
 *           raw_tp needs no module BTF, and our names do not clash with
 *           iommu's map/unmap
 *   kprobe __schedule_bug (raw_tp sched_switch without kprobes) sleep_in_atomic
 *   raw_tp sched_process_exit    leak_on_exit of a task
 *   raw_tp hardirq returns       irq_handler_exit, hrtimer_expire_exit and the
 *           x86 vector exits (local_timer_exit, irq_work_exit, ...)
 *   raw_tp softirq returns       softirq_exit, tasklet_exit, timer_expire_exit
 *   raw_tp nmi_handler           NMI return
 *   raw_tp module_load, module_free  leak_on_unload: a module's init text
 *           range at load (freed after init), its end (rmmod or a failed
 *           init: free_module() runs while its text is still there)
 *   kprobe might-sleep functions might_sleep_in_atomic: the set is the
 *           daemon's table (checkd/checkd_hooks.c, documented in --help)
 *   kprobe __cond_resched        might_sleep_in_atomic: every might_sleep()
 *           in the voluntary preemption mode (iomc_ms_resched)
 * The raw_tp programs ignore the arguments they do not need, so one
 * program serves several tracepoints, and BPF_PROG_TEST_RUN drives all of
 * them on any kernel (tests/host/bpf_rules.c).
 *
 * Context stacks: per task (hash by tid) for process context; per CPU for
 * softirq, hardirq and NMI (array indexed cpu * 3 + ctx - 1).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/*
 * The engine's loops over a stack run in global functions: the verifier
 * checks each once, not on every path of every program that uses it.
 */
struct iomc_stack;
struct iomc_held;
int g_stack_find(const struct iomc_stack *s, __u64 vaddr);
int g_stack_remove(struct iomc_stack *s, int idx, struct iomc_held *gone);
int g_stack_top_atomic(const struct iomc_stack *s);
int g_stack_find_mapping(const struct iomc_stack *s, __u64 mapping);
#define IOMC_STACK_FIND g_stack_find
#define IOMC_STACK_FIND_MAPPING g_stack_find_mapping
#define IOMC_STACK_REMOVE g_stack_remove
#define IOMC_STACK_TOP_ATOMIC g_stack_top_atomic

#include "iomap_checkd.h"

char LICENSE[] SEC("license") = "GPL";

/* The gfp flag that lets an allocation sleep (reclaim); bit 10 on 6.x. */
#define IOMC_GFP_DIRECT_RECLAIM 0x400u

struct iomc_bpf_cfg cfg = {
	.rules = { .rule_mask = IOMC_ALL_RULES,
		   .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
	.dedup = 1,
	.record = 0,
};

/* Fast paths: the hot hooks do nothing while these are 0. */
__s64 atomic_held;	/* atomic maps outstanding, all contexts */
__s64 irq_held;		/* maps outstanding in interrupt contexts */
__s64 wc_held;		/* entries in the wc table (emptied ones too) */

/* Never written: the value new stacks and wc entries start from. */
const struct iomc_stack zero_stack = {};
const struct iomc_wc zero_wc = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);			/* tid */
	__type(value, struct iomc_stack);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3 * 64);		/* resized to 3 * possible CPUs */
	__type(key, __u32);			/* cpu * 3 + ctx - 1 */
	__type(value, struct iomc_stack);
} irqs SEC(".maps");

/*
 * Preallocated, and entries whose count drops to 0 stay (count 0 means
 * absent to the engine): a map_wc/unmap pair of a known address costs two
 * lookups, no allocation. Entries go when their mapping is freed, or when
 * the table is full (wc_make_room).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* vaddr */
	__type(value, struct iomc_wc);
} wcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* mapping */
	__type(value, struct iomc_freed);
} freed SEC(".maps");

/* Live mappings (created, not freed), for leak_on_unload. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* mapping */
	__type(value, struct live_ent);
} lives SEC(".maps");

const struct live_ent zero_live = {};

/* A module's init text, seen at module_load (freed after a good init). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);			/* struct module * */
	__type(value, struct modtext);
} modinit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct iomc_seen_key);
	__type(value, struct iomc_seen_val);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iomc_counters);
} counters SEC(".maps");

/*
 * Per-CPU working memory, one slot per level that can interrupt another:
 * task, softirq, hardirq, NMI, and kprobes (which can fire inside any
 * program's helpers but never nest among themselves).
 */
#define SLOT_KPROBE 4
struct scratch {
	struct iomc_event ev;
	struct iomc_verdict vd;
	__u32 where;		/* unmap: enum iomc_where */
	__s32 idx;		/* unmap: index in the own stack */
	__s32 stack_bytes;
	__u32 pad;
	__u64 stack[IOMC_STACK_FRAMES];
	struct iomc_event end;	/* module end: the event being processed */
	__u64 presym_addr;	/* a site symbolized already (create time) */
	char presym[IOMC_SYM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * Reports (2.4 KB each), unload requests and, with --record, events. 4 MiB
 * hold a burst of about 1700 reports of distinct violations that arrive
 * before the daemon reads any (1 MiB held 436: a burst of 1000 lost 564 of
 * them); at a steady rate the daemon keeps up. Resized by --ringbuf-size.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

/* memremap: per-task state of calls in progress (see "memremap" below) */
/* What a memremap call's entry saw, until its return (per task). */
struct mr_pend {
	__u64 site;
	__u64 phys;		/* memremap: offset; pages: range start */
	__u64 size;		/* bytes */
	__u64 pgmap;
	__u32 api;		/* enum iomc_mr_api of the outermost call */
	__u32 low;		/* flags, or the normalized pgmap type */
	__u32 region;		/* enum iomc_region */
	__u32 mmio;
	__u32 nr_range;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);			/* tid */
	__type(value, struct mr_pend);
} mr_pend SEC(".maps");

/* The live memremaps: address -> struct iomc_mr (filled by the daemon at
 * start with those made before it, from /proc/vmallocinfo). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* address returned */
	__type(value, struct iomc_mr);
} mrs SEC(".maps");

/* The kernel's name of each live memremap's site (iomap_checkd.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);		/* as mrs */
	__type(key, __u64);			/* address returned */
	__type(value, struct mr_name);
} mr_names SEC(".maps");

/*
 * devm_memunmap, or devres releasing a devm_memremap, in progress per task:
 * the stack slot of its return address, that address and the address
 * unmapped. The memunmap of that address called inside it (the slot is at
 * or above the stack pointer, a sibling call reuses it, and holds the same
 * return address) is part of it. (devres calls every release from one call
 * instruction: another release that tail-calls memunmap of another address
 * reuses the slot and its value.)
 */
struct devm_unmap {
	__u64 sp, ret, addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);			/* tid */
	__type(value, struct devm_unmap);
} mr_devm_unmap SEC(".maps");

/* ---- helpers ------------------------------------------------------------ */

__noinline int g_stack_find(const struct iomc_stack *s, __u64 vaddr)
{
	return s ? iomc_stack_find(s, vaddr) : -1;
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

static __always_inline struct iomc_counters *cnt(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&counters, &k);
}

static __always_inline struct scratch *scratch_get(__u32 slot)
{
	__u32 k = slot;

	return bpf_map_lookup_elem(&scratch, &k);
}

static __always_inline struct iomc_stack *irq_stack(__u32 cpu, __u32 ctx)
{
	__u32 k;

	if (ctx == IOMC_CTX_TASK || ctx >= IOMC_CTX_MAX)
		return 0;
	k = cpu * 3 + ctx - 1;
	return bpf_map_lookup_elem(&irqs, &k);
}

static __always_inline struct iomc_stack *task_stack(__u32 tid, int create)
{
	struct iomc_stack *s = bpf_map_lookup_elem(&tasks, &tid);
	struct iomc_counters *c;

	if (s || !create)
		return s;
	bpf_map_update_elem(&tasks, &tid, &zero_stack, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (!s) {
		c = cnt();
		if (c)
			c->untracked++;
	}
	return s;
}

static __always_inline struct iomc_stack *own_stack(const struct iomc_event *ev,
						    int create)
{
	if (ev->ctx == IOMC_CTX_TASK)
		return task_stack(ev->tid, create);
	return irq_stack(ev->cpu, ev->ctx);
}

/* Fill the fields every event has. */
static __always_inline void ev_init(struct iomc_event *ev, __u32 type,
				    __u32 ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();

	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->type = type;
	ev->cpu = bpf_get_smp_processor_id();
	ev->pid = pt >> 32;
	ev->tid = (__u32)pt;
	ev->ctx = ctx < IOMC_CTX_MAX ? ctx : IOMC_CTX_TASK;
}

/* Record mode: the event goes to userspace as it is. */
static __always_inline void record(struct iomc_event *ev)
{
	struct iomc_counters *c;
	struct iomc_rec *r;

	if (!cfg.record)
		return;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		c = cnt();
		if (c)
			c->rec_fail++;
		return;
	}
	r->msg = IOMC_MSG_EVENT;
	r->pad = 0;
	r->ev = *ev;
	bpf_ringbuf_submit(r, 0);
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

static const char sym_fmt[] = "%pB";

/*
 * The kernel's name of a report's site, now, while the code is there (init
 * text is freed after init, a module's at unload; userspace symbolizes
 * later). Only reports pay for it.
 */
static __always_inline void symbolize(const struct scratch *sc,
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
__noinline int g_report_one(struct scratch *sc, __u32 i,
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
__noinline int g_report(struct scratch *sc, const struct iomc_stack *held,
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

/* The stack is captured here, where the program's context is at hand. */
static __always_inline void report(void *ctx, struct scratch *sc,
				   const struct iomc_stack *held,
				   __u32 held_ctx, __u32 held_tid)
{
	sc->stack_bytes = bpf_get_stack(ctx, sc->stack, sizeof(sc->stack), 0);
	g_report(sc, held, held_ctx, held_tid);
}

/* Keep the fast-path counters in step with a stack's change. */
static __always_inline void account(__u32 ctx, __u32 depth0, __u32 atomic0,
				    const struct iomc_stack *s)
{
	__s64 da, dd;

	if (!s)
		return;
	da = (__s64)s->n_atomic - atomic0;
	dd = (__s64)s->depth - depth0;
	if (da)
		__sync_fetch_and_add(&atomic_held, da);
	if (dd && ctx != IOMC_CTX_TASK)
		__sync_fetch_and_add(&irq_held, dd);
}

static __always_inline struct scratch *begin(__u32 slot, __u32 type, __u32 ctx)
{
	struct scratch *sc = scratch_get(slot);

	if (!sc)
		return 0;
	ev_init(&sc->ev, type, ctx);
	iomc_verdict_init(&sc->vd);
	sc->presym_addr = 0;
	return sc;
}

/*
 * The engine's decisions, each in a global function (verified once; the
 * programs are glue around them). Pointer arguments may be NULL.
 */
__noinline int g_check_map(struct scratch *sc, const struct iomc_stack *own,
			   __u32 below, const struct iomc_freed *freed)
{
	if (sc)
		iomc_check_map(&cfg.rules, &sc->ev, own, below, freed, &sc->vd);
	return 0;
}

__noinline int g_apply_map(struct scratch *sc, struct iomc_stack *own,
			   struct iomc_wc *wc)
{
	if (sc)
		iomc_apply_map(&sc->ev, own, wc);
	return 0;
}

__noinline int g_check_unmap(struct scratch *sc, const struct iomc_stack *own,
			     const struct iomc_wc *wc,
			     const struct iomc_held *foreign)
{
	if (sc)
		iomc_check_unmap(&cfg.rules, &sc->ev, own, sc->where, sc->idx,
				 wc, foreign, &sc->vd);
	return 0;
}

__noinline int g_apply_unmap(struct scratch *sc, struct iomc_stack *own,
			     struct iomc_wc *wc)
{
	if (!sc)
		return 0;
	return iomc_apply_unmap(&sc->ev, own, sc->where, sc->idx, wc);
}

__noinline int g_check_exit(struct scratch *sc, const struct iomc_stack *s)
{
	if (sc)
		iomc_check_exit(&cfg.rules, &sc->ev, s, &sc->vd);
	return 0;
}

__noinline int g_check_switch(struct scratch *sc, const struct iomc_stack *s)
{
	if (sc)
		iomc_check_switch(&cfg.rules, &sc->ev, s, &sc->vd);
	return 0;
}

__noinline int g_check_might_sleep(struct scratch *sc,
				   const struct iomc_stack *task,
				   const struct iomc_stack *softirq,
				   const struct iomc_stack *hardirq,
				   const struct iomc_stack *nmi)
{
	if (sc)
		iomc_check_might_sleep(&cfg.rules, &sc->ev, task, softirq,
				       hardirq, nmi, &sc->vd);
	return 0;
}

/* ---- io_mapping tracepoints -------------------------------------------- */

/* scratch's presym is free here: it only matters while reporting */
static __always_inline void add_live(struct scratch *sc, __u64 m)
{
	struct live_ent *e;
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

SEC("raw_tp/io_mapping_create")
int BPF_PROG(iomc_create, unsigned long mapping, __u64 base,
	     unsigned long size, unsigned long caller)
{
	struct scratch *sc = begin(IOMC_CTX_TASK, IOMC_EV_CREATE, IOMC_CTX_TASK);
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
	record(&sc->ev);
	bpf_map_delete_elem(&freed, &m);
	add_live(sc, m);
	return 0;
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
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
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
	iomc_check_free(&cfg.rules, &sc->ev, cc.n, cc.site, &sc->vd);
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
	struct scratch *sc = begin(slot, IOMC_EV_MAP, ctx_);
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
	struct scratch *sc = begin(slot, IOMC_EV_UNMAP, ctx_);
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

/* ---- scheduler and exits ------------------------------------------------ */

/*
 * A task sleeps while holding an atomic map. Two hooks:
 *  - a kprobe on __schedule_bug(), which the scheduler calls when a task
 *    schedules with preemption disabled ("BUG: scheduling while atomic";
 *    not a debug option): it catches the attempt, even when a wakeup
 *    that raced with it means no switch happens in the end. It is cold:
 *    arming it patches no hot code (a kprobe on schedule() itself, tried
 *    first, crashed a TCG guest while being armed);
 *  - the sched_switch tracepoint (preempt == false), on kernels without
 *    kprobes. The daemon attaches one of the two.
 * ev.caller: where the task went to sleep: the call site of the outermost
 * hooked might-sleep function (msleep...) if any, else 0 (the report then
 * names the atomic map's site; the stack shows the rest).
 */
/*
 * A kernel page fault on a window page (iomap_check.ko strategy=window):
 * the page's last occupant was unmapped, so this is a use after unmap at
 * ip. The module names the occupant; the rule needs no state. Faults run
 * in exception context, never inside another of these programs' helpers
 * on the same CPU: the kprobe slot is free.
 */
__noinline int g_check_fault(struct scratch *sc)
{
	if (sc)
		iomc_check_fault(&cfg.rules, &sc->ev, &sc->vd);
	return 0;
}

SEC("raw_tp/io_mapping_fault")
int BPF_PROG(iomc_fault, unsigned long vaddr, unsigned long ip,
	     unsigned long mapping, unsigned long offset, unsigned int kind,
	     unsigned int ctx_, unsigned long map_caller,
	     unsigned long unmap_caller, unsigned int holder, unsigned int fixed)
{
	struct scratch *sc = begin(SLOT_KPROBE, IOMC_EV_FAULT, ctx_);
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

static __always_inline int task_sleeps(void *ctx, int voluntary, __u64 ret)
{
	struct iomc_stack *task;
	struct scratch *sc;
	__u32 tid;

	if (!atomic_held)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task || !task->n_atomic)
		return 0;
	sc = begin(IOMC_CTX_TASK, IOMC_EV_SWITCH, IOMC_CTX_TASK);
	if (!sc)
		return 0;
	sc->ev.arg = voluntary;
	sc->ev.caller = task->ms_ret ? task->ms_ret : ret;
	record(&sc->ev);
	g_check_switch(sc, task);
	if (sc->vd.n)
		report(ctx, sc, task, IOMC_CTX_TASK, sc->ev.tid);
	return 0;
}

/* sched_switch(preempt, prev, next, prev_state): runs as prev. */
SEC("raw_tp/sched_switch")
int BPF_PROG(iomc_switch, bool preempt)
{
	return task_sleeps(ctx, !preempt, 0);
}

SEC("kprobe/__schedule_bug")
int iomc_schedule_bug(struct pt_regs *regs)
{
	return task_sleeps(regs, 1, 0);
}

/*
 * A task exits: its maps leak. Runs as the exiting task, from two hooks:
 * a kprobe on do_exit (early: before exit_mm wakes a kthread_stop()er,
 * which may then free the mapping while the task is still exiting) and
 * the sched_process_exit tracepoint (kernels without kprobes). The first
 * to run reports and drops the task's stack; the second finds nothing.
 */
static __always_inline int task_exit(void *ctx)
{
	struct iomc_stack *task;
	struct scratch *sc;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&mr_pend, &tid);
	bpf_map_delete_elem(&mr_devm_unmap, &tid);
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task)
		return 0;
	if (task->depth || task->lost) {
		sc = begin(IOMC_CTX_TASK, IOMC_EV_EXIT, IOMC_CTX_TASK);
		if (sc) {
			record(&sc->ev);
			g_check_exit(sc, task);
			if (sc->vd.n)
				report(ctx, sc, task, IOMC_CTX_TASK, tid);
		}
		if (task->n_atomic)
			__sync_fetch_and_add(&atomic_held, -(__s64)task->n_atomic);
	}
	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}

/* sched_process_exit(task) */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(iomc_exit)
{
	return task_exit(ctx);
}

SEC("kprobe/do_exit")
int iomc_do_exit(struct pt_regs *regs)
{
	return task_exit(regs);
}

static __always_inline int irq_exit(void *ctx, __u32 ictx)
{
	struct iomc_stack *s;
	struct scratch *sc;

	if (!irq_held)
		return 0;
	s = irq_stack(bpf_get_smp_processor_id(), ictx);
	if (!s || (!s->depth && !s->lost))
		return 0;
	sc = begin(ictx, IOMC_EV_IRQ_EXIT, ictx);
	if (sc) {
		record(&sc->ev);
		g_check_exit(sc, s);
		if (sc->vd.n)
			report(ctx, sc, s, ictx, sc->ev.tid);
	}
	if (s->n_atomic)
		__sync_fetch_and_add(&atomic_held, -(__s64)s->n_atomic);
	if (s->depth)
		__sync_fetch_and_add(&irq_held, -(__s64)s->depth);
	iomc_stack_reset(s);
	return 0;
}

/* irq_handler_exit, hrtimer_expire_exit, local_timer_exit, irq_work_exit... */
SEC("raw_tp")
int BPF_PROG(iomc_hardirq_exit)
{
	return irq_exit(ctx, IOMC_CTX_HARDIRQ);
}

/* softirq_exit, tasklet_exit, timer_expire_exit */
SEC("raw_tp")
int BPF_PROG(iomc_softirq_exit)
{
	return irq_exit(ctx, IOMC_CTX_SOFTIRQ);
}

/* nmi_handler (x86: after each NMI handler) */
SEC("raw_tp")
int BPF_PROG(iomc_nmi_exit)
{
	return irq_exit(ctx, IOMC_CTX_NMI);
}

/* ---- might-sleep -------------------------------------------------------- */

/*
 * A might-sleep function was entered from call site 'caller'. sp/ret: the
 * stack pointer at entry and the return address it holds (0 in tests):
 * a might-sleep function called by another (msleep -> schedule_timeout)
 * is one event, not two, so a hit whose stack lies below the last
 * reported one, while that one's return address is still in place, is
 * inside it and skipped.
 */
static __always_inline int might_sleep(void *ctx, __u64 func, __u64 caller,
				       __u64 sp, __u64 ret)
{
	struct iomc_stack *s[IOMC_CTX_MAX], *h = 0;
	struct iomc_counters *c;
	struct scratch *sc;
	__u32 cpu, tid, hc = 0, i;
	__u64 cur;

	if (!atomic_held)
		return 0;
	c = cnt();
	if (c)
		c->might_sleep++;
	tid = (__u32)bpf_get_current_pid_tgid();
	cpu = bpf_get_smp_processor_id();
	s[IOMC_CTX_TASK] = bpf_map_lookup_elem(&tasks, &tid);
	s[IOMC_CTX_SOFTIRQ] = irq_stack(cpu, IOMC_CTX_SOFTIRQ);
	s[IOMC_CTX_HARDIRQ] = irq_stack(cpu, IOMC_CTX_HARDIRQ);
	s[IOMC_CTX_NMI] = irq_stack(cpu, IOMC_CTX_NMI);
	/* the innermost context holding an atomic map, as the engine picks */
	for (i = 0; i < IOMC_CTX_MAX; i++) {
		if (s[i] && s[i]->n_atomic) {
			h = s[i];
			hc = i;
		}
	}
	if (!h)
		return 0;
	if (sp) {
		if (h->ms_sp && sp < h->ms_sp &&
		    !bpf_probe_read_kernel(&cur, sizeof(cur), (void *)h->ms_sp) &&
		    cur == h->ms_ret)
			return 0;	/* nested in the call already seen */
		/* also where a task that goes to sleep now went to sleep */
		h->ms_sp = sp;
		h->ms_ret = ret;
	}
	sc = begin(SLOT_KPROBE, IOMC_EV_MIGHT_SLEEP, hc);
	if (!sc)
		return 0;
	sc->ev.arg = func;
	sc->ev.caller = caller;
	record(&sc->ev);
	g_check_might_sleep(sc, s[0], s[1], s[2], s[3]);
	if (sc->vd.n)
		report(ctx, sc, h, hc, tid);
	return 0;
}

/* gfp_arg: 1..3 the gfp_t argument, 0 none, MS_PTR1: the first argument
 * must not be NULL (iounmap(NULL) returns at once) */
#define MS_PTR1 (-1)

static __always_inline int ms_kprobe(struct pt_regs *regs, int gfp_arg)
{
	__u64 sp, ret = 0, gfp = 0;

	if (!atomic_held)
		return 0;
	if (gfp_arg == MS_PTR1 && !PT_REGS_PARM1(regs))
		return 0;
	if (gfp_arg == 1)
		gfp = PT_REGS_PARM1(regs);
	else if (gfp_arg == 2)
		gfp = PT_REGS_PARM2(regs);
	else if (gfp_arg == 3)
		gfp = PT_REGS_PARM3(regs);
	if (gfp_arg > 0 && !(gfp & IOMC_GFP_DIRECT_RECLAIM))
		return 0;
	sp = PT_REGS_SP(regs);
	bpf_probe_read_kernel(&ret, sizeof(ret), (void *)sp);
	return might_sleep(regs, bpf_get_func_ip(regs), ret, sp, ret);
}

/* Functions that may always sleep: mutex_lock, msleep, ... */
SEC("kprobe")
int iomc_ms(struct pt_regs *regs)
{
	return ms_kprobe(regs, 0);
}

/* Functions that may sleep unless their first argument is NULL: iounmap */
SEC("kprobe")
int iomc_ms_ptr1(struct pt_regs *regs)
{
	return ms_kprobe(regs, MS_PTR1);
}

/*
 * Every might_sleep() (and cond_resched()): without
 * CONFIG_DEBUG_ATOMIC_SLEEP, might_sleep() is might_resched(), a call of
 * __cond_resched() in the voluntary preemption mode (PREEMPT_DYNAMIC: the
 * might_resched static call's target). Runs on every such call in the
 * kernel, so the first test is the global atomic_held (no map lookup
 * while no atomic map is held anywhere). When a listed function (mutex_lock,
 * kmalloc...) calls might_sleep() itself, this hit lies inside the listed
 * one's and the nesting test in might_sleep() drops it: one call, one
 * report, the listed function's (it names the driver's call site).
 */
SEC("kprobe")
int iomc_ms_resched(struct pt_regs *regs)
{
	return ms_kprobe(regs, 0);
}

/* Allocators: may sleep if the gfp argument (1st, 2nd, 3rd) allows reclaim. */
SEC("kprobe")
int iomc_ms_gfp1(struct pt_regs *regs)
{
	return ms_kprobe(regs, 1);
}

SEC("kprobe")
int iomc_ms_gfp2(struct pt_regs *regs)
{
	return ms_kprobe(regs, 2);
}

SEC("kprobe")
int iomc_ms_gfp3(struct pt_regs *regs)
{
	return ms_kprobe(regs, 3);
}

/* ---- module end: leak_on_unload ----------------------------------------- */

/*
 * free_module() fires module_free for an rmmod (after the module's exit
 * function) and for a load whose init failed, while the module's text is
 * still there. The ranges come from struct module: core_layout/init_layout
 * up to 6.3, mem[MOD_TEXT]/mem[MOD_INIT_TEXT] since (CO-RE picks).
 */
struct module_memory___new {
	void *base;
	unsigned int size;
} __attribute__((preserve_access_index));

struct module___new {
	struct module_memory___new mem[7];
} __attribute__((preserve_access_index));

#define MOD_TEXT___new 0
#define MOD_INIT_TEXT___new 4

static __always_inline void mod_text(void *mod, struct modtext *core,
				     struct modtext *init)
{
	if (bpf_core_field_exists(((struct module___new *)0)->mem)) {
		struct module___new *m = mod;

		core->lo = (__u64)BPF_CORE_READ(m, mem[MOD_TEXT___new].base);
		core->len = BPF_CORE_READ(m, mem[MOD_TEXT___new].size);
		init->lo = (__u64)BPF_CORE_READ(m, mem[MOD_INIT_TEXT___new].base);
		init->len = BPF_CORE_READ(m, mem[MOD_INIT_TEXT___new].size);
	} else {
		struct module *m = mod;

		core->lo = (__u64)BPF_CORE_READ(m, core_layout.base);
		core->len = BPF_CORE_READ(m, core_layout.text_size);
		init->lo = (__u64)BPF_CORE_READ(m, init_layout.base);
		init->len = BPF_CORE_READ(m, init_layout.text_size);
	}
	if (!core->lo)
		core->len = 0;
	if (!init->lo)
		init->len = 0;
}

/* What a module end collects before reporting (bounded: IOMC_MAX_VIOL). */
struct unload_ctx {
	__u64 mapping[IOMC_MAX_VIOL];
	__u32 n[IOMC_MAX_VIOL];		/* their outstanding maps */
	__u32 ng;
	__u32 dropped;
};

static long unload_live_cb(struct bpf_map *map, const void *key, void *value,
			   void *data)
{
	struct unload_ctx *u = data;
	struct live_ent *e = value;
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
	__u32 i = u->ng;

	if (!sc || !iomc_in_module(&sc->end, e->l.site))
		return 0;
	if (i >= IOMC_MAX_VIOL) {
		u->dropped++;
		return 0;
	}
	u->mapping[iomc_idx(i, IOMC_MAX_VIOL)] = *(const __u64 *)key;
	u->ng = i + 1;
	return 0;
}

/* Count h if it is a map of a leaked mapping of u. */
__noinline int g_count_leaked_held(const struct iomc_held *h,
				   struct unload_ctx *u)
{
	__u32 k;

	if (!h || !u)
		return 0;
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u->ng)
			break;
		if (h->mapping == u->mapping[iomc_idx(k, IOMC_MAX_VIOL)])
			u->n[iomc_idx(k, IOMC_MAX_VIOL)]++;
	}
	return 0;
}

/*
 * Count the maps of the leaked mappings in s (global: see g_count_mapping;
 * the inner loop is a global of its own, or the verifier walks 32 x 8).
 */
__noinline int g_count_leaked(const struct iomc_stack *s, struct unload_ctx *u)
{
	__u32 i, d;

	if (!s || !u)
		return 0;
	d = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		g_count_leaked_held(&s->held[i], u);
	}
	return 0;
}

static long count_leaked_cb(struct bpf_map *map, const void *key, void *value,
			    void *data)
{
	g_count_leaked(value, data);
	return 0;
}

static long count_leaked_wc_cb(struct bpf_map *map, const void *key,
			       void *value, void *data)
{
	struct unload_ctx *u = data;
	struct iomc_wc *w = value;
	__u32 k;

	if (!w->count)
		return 0;
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u->ng)
			break;
		if (w->last.mapping == u->mapping[iomc_idx(k, IOMC_MAX_VIOL)])
			u->n[iomc_idx(k, IOMC_MAX_VIOL)] += w->count;
	}
	return 0;
}

/* Report leaked mapping k of u and forget it. */
__noinline int g_unload_mapping(struct unload_ctx *u, __u32 k)
{
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
	struct live_ent *e;
	__u64 m;

	if (!sc || !u || k >= IOMC_MAX_VIOL)
		return 0;
	k = iomc_idx(k, IOMC_MAX_VIOL);
	m = u->mapping[k];
	e = bpf_map_lookup_elem(&lives, &m);
	if (!e)
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_mapping(&cfg.rules, &e->l, 1, &sc->vd);
	iomc_unload_event(&sc->ev, &sc->end, m, &e->l,
			  u->n[iomc_idx(k, IOMC_MAX_VIOL)], 0);
	sc->presym_addr = e->l.site;
	bpf_probe_read_kernel(sc->presym, sizeof(sc->presym), e->sym);
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	sc->presym_addr = 0;
	bpf_map_delete_elem(&lives, &m);
	return 0;
}

/* Report one outstanding map if the module's code took it; 1 if it did. */
__noinline int g_unload_held(const struct iomc_held *h)
{
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
	int mine;

	if (!sc || !h)
		return 0;
	mine = iomc_in_module(&sc->end, h->site);
	if (!mine)
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_held(&cfg.rules, h, mine, &sc->vd);
	iomc_unload_event(&sc->ev, &sc->end, 0, 0, 0, h);
	/* the holder is in the violation (other_tid); the report's task is
	 * the unloading one */
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	return 1;
}

__noinline int g_stack_find_module(const struct iomc_stack *s,
				   const struct iomc_event *end)
{
	return s && end ? iomc_stack_find_module(s, end) : -1;
}

/* Report, then forget, the maps of s the module's code took. */
__noinline int g_unload_stack(struct iomc_stack *s, __u32 irq)
{
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
	__u32 i, d, a0, d0;
	int idx;

	if (!s || !sc)
		return 0;
	d = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		g_unload_held(&s->held[i]);
	}
	a0 = s->n_atomic;
	d0 = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		idx = g_stack_find_module(s, &sc->end);
		if (idx < 0)
			break;
		g_stack_remove(s, idx, 0);
	}
	/* (any interrupt context: account() only tells task from the rest) */
	account(irq ? IOMC_CTX_HARDIRQ : IOMC_CTX_TASK, d0, a0, s);
	return 0;
}

static long unload_task_cb(struct bpf_map *map, const void *key, void *value,
			   void *data)
{
	g_unload_stack(value, 0);
	return 0;
}

static long unload_irq_cb(struct bpf_map *map, const void *key, void *value,
			  void *data)
{
	g_unload_stack(value, 1);
	return 0;
}

static long unload_wc_cb(struct bpf_map *map, const void *key, void *value,
			 void *data)
{
	struct iomc_wc *w = value;

	if (!w->count)
		return 0;
	if (g_unload_held(&w->last) && !bpf_map_delete_elem(map, key))
		__sync_fetch_and_add(&wc_held, -1);
	return 0;
}

/*
 * Report a live memremap the module's code made; 1 if it was the module's.
 * Its site is named as the kernel named it at the call (mr_names): init
 * text is freed by now.
 */
__noinline int g_unload_memremap(__u64 vaddr, const struct iomc_mr *mr)
{
	struct scratch *sc = scratch_get(IOMC_CTX_TASK);
	struct mr_name *n;
	__u64 va = vaddr;

	if (!sc || !mr || !iomc_in_module(&sc->end, mr->site))
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_memremap(&cfg.rules, mr, 1, &sc->vd);
	iomc_unload_memremap_event(&sc->ev, &sc->end, vaddr, mr);
	n = bpf_map_lookup_elem(&mr_names, &va);
	if (n) {
		sc->presym_addr = mr->site;
		bpf_probe_read_kernel(sc->presym, sizeof(sc->presym), n->sym);
	}
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	sc->presym_addr = 0;
	return 1;
}

/* (deleting the element being visited is allowed in a hash walk) */
static long unload_memremap_cb(struct bpf_map *map, const void *key,
			       void *value, void *data)
{
	if (g_unload_memremap(*(const __u64 *)key, value)) {
		bpf_map_delete_elem(&mr_names, key);
		bpf_map_delete_elem(map, key);
	}
	return 0;
}

static __always_inline int module_end(void *ctx, __u64 id,
				      const struct modtext *core,
				      const struct modtext *init, __u64 failed)
{
	struct scratch *sc = begin(IOMC_CTX_TASK, IOMC_EV_MODULE_END,
				   IOMC_CTX_TASK);
	struct unload_ctx u = {};
	__u32 k;

	if (!sc)
		return 0;
	sc->ev.mapping = id;
	sc->ev.offset = core->lo;
	sc->ev.len = core->len;
	sc->ev.vaddr = init->lo;
	sc->ev.size = init->len;
	sc->ev.arg = failed;
	record(&sc->ev);
	sc->end = sc->ev;
	/* one stack for all: the unload's */
	sc->stack_bytes = bpf_get_stack(ctx, sc->stack, sizeof(sc->stack), 0);
	bpf_for_each_map_elem(&lives, unload_live_cb, &u, 0);
	if (u.ng) {
		bpf_for_each_map_elem(&tasks, count_leaked_cb, &u, 0);
		bpf_for_each_map_elem(&irqs, count_leaked_cb, &u, 0);
		if (wc_held)
			bpf_for_each_map_elem(&wcs, count_leaked_wc_cb, &u, 0);
	}
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u.ng)
			break;
		g_unload_mapping(&u, k);
	}
	if (u.dropped) {
		struct iomc_counters *c = cnt();

		if (c)
			c->violations += u.dropped;
	}
	bpf_for_each_map_elem(&tasks, unload_task_cb, 0, 0);
	if (irq_held)
		bpf_for_each_map_elem(&irqs, unload_irq_cb, 0, 0);
	if (wc_held)
		bpf_for_each_map_elem(&wcs, unload_wc_cb, 0, 0);
	bpf_for_each_map_elem(&mrs, unload_memremap_cb, 0, 0);
	return 0;
}

/* module_load(mod): remember its init text, freed after a good init. */
SEC("raw_tp/module_load")
int BPF_PROG(iomc_module_load, void *mod)
{
	struct modtext core, init;
	__u64 id = (__u64)mod;

	mod_text(mod, &core, &init);
	if (init.len)
		bpf_map_update_elem(&modinit, &id, &init, BPF_ANY);
	return 0;
}

/* module_free(mod) */
SEC("raw_tp/module_free")
int BPF_PROG(iomc_module_free, void *mod)
{
	struct modtext core, init, *seen;
	__u64 id = (__u64)mod, failed;

	mod_text(mod, &core, &init);
	/* init text still there: the init failed (a good one frees it) */
	failed = init.len != 0;
	seen = bpf_map_lookup_elem(&modinit, &id);
	if (!init.len && seen) {
		init.lo = seen->lo;
		init.len = seen->len;
	}
	bpf_map_delete_elem(&modinit, &id);
	return module_end(ctx, id, &core, &init, failed);
}

/*
 * Never attached: drives module_end from tests (BPF_PROG_TEST_RUN has no
 * struct module to give). Arguments: (id, core lo, core len, init lo,
 * init len, failed).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_module_end, __u64 id, __u64 core_lo, __u64 core_len,
	     __u64 init_lo, __u64 init_len, __u64 failed)
{
	struct modtext core = { core_lo, core_len }, init = { init_lo, init_len };

	return module_end(ctx, id, &core, &init, failed);
}

/* ---- memremap ------------------------------------------------------------ */

/*
 * The memremap API in the unmodified kernel: kprobes at the entry of
 * memremap, devm_memremap, memremap_pages and devm_memremap_pages keep the
 * arguments, the call site and what the range overlaps (read from the
 * kernel's iomem resources at that moment) per task; their kretprobes make
 * the event with the result, check it and track the live address. memunmap
 * and devm_memunmap are checked at entry. A devm_ function's inner call
 * (devm_memremap -> memremap) is part of the outer event, not one of its
 * own: the outer function's pending entry says so.
 */

/* Live memremaps not tracked (table full): memunmap_unknown goes quiet. */
__u64 mr_untracked;

const struct iomc_mr zero_mr = {};

/* The kernel's resource tree root; weak: absent, ranges stay unknown. */
extern const void iomem_resource __ksym __weak;

#define IORESOURCE_SYSTEM_RAM_FLAGS 0x01000200UL /* IORESOURCE_MEM | _SYSRAM */
#define IOMEM_TOP_MAX 128

/*
 * Classify [q->phys, q->phys + q->size) like region_intersects(...,
 * IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) does: over the top-level iomem
 * resources that overlap it, System RAM only = intersects, none =
 * disjoint, both = mixed. mmio: it overlaps a top-level "PCI Bus" window.
 * Read without the resource lock: a resource inserted or removed at the
 * same moment may be missed (the read itself is safe).
 */
struct region_walk {
	__u64 lo, hi;
	struct resource *p;
	__u32 ram, other, mmio, pad;
};

/* "PCI Bus" and its NUL as one little-endian word */
#define PCI_BUS_WORD 0x0073754220494350ULL

/* One top-level resource per call (bpf_loop: verified once). */
static long region_step(__u64 i, void *data)
{
	struct region_walk *w = data;
	struct resource *p = w->p;
	__u64 start, end, name = 0;

	if (!p)
		return 1;
	start = BPF_CORE_READ(p, start);
	end = BPF_CORE_READ(p, end);
	if (start <= w->hi && end >= w->lo) {
		if ((BPF_CORE_READ(p, flags) & IORESOURCE_SYSTEM_RAM_FLAGS) ==
		    IORESOURCE_SYSTEM_RAM_FLAGS) {
			w->ram++;
		} else {
			w->other++;
			bpf_probe_read_kernel_str(&name, sizeof(name),
						  BPF_CORE_READ(p, name));
			if (name == PCI_BUS_WORD)
				w->mmio = 1;
		}
	}
	w->p = BPF_CORE_READ(p, sibling);
	return 0;
}

__noinline int g_region(struct mr_pend *q)
{
	struct region_walk w = {};

	if (!q)
		return 0;
	q->region = IOMC_REGION_UNKNOWN;
	q->mmio = 0;
	if (!&iomem_resource || !q->size)
		return 0;
	w.lo = q->phys;
	w.hi = q->phys + q->size - 1;
	w.p = BPF_CORE_READ((struct resource *)&iomem_resource, child);
	bpf_loop(IOMEM_TOP_MAX, region_step, &w, 0);
	if (w.p)
		return 0;	/* more resources than we walk: unknown */
	q->mmio = w.mmio;
	if (!w.ram)
		q->region = IOMC_REGION_DISJOINT;
	else
		q->region = w.other ? IOMC_REGION_MIXED : IOMC_REGION_INTERSECTS;
	return 0;
}

/* The caller of a function whose entry the kprobe is at. */
static __always_inline __u64 entry_site(struct pt_regs *regs)
{
	__u64 ret = 0;

	bpf_probe_read_kernel(&ret, sizeof(ret), (void *)PT_REGS_SP(regs));
	return ret;
}

/* Entry of an outermost memremap-family call: 0 if nested in one. */
static __always_inline struct mr_pend *mr_enter(struct pt_regs *regs, __u32 api)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mr_pend z = {}, *q;

	q = bpf_map_lookup_elem(&mr_pend, &tid);
	if (q)
		return 0;	/* devm_x -> x: the outer call is the event */
	z.api = api;	/* the site is taken at the return: see mr_exit */
	if (bpf_map_update_elem(&mr_pend, &tid, &z, BPF_ANY))
		return 0;
	return bpf_map_lookup_elem(&mr_pend, &tid);
}

static __always_inline int mr_remap_enter(struct pt_regs *regs, __u32 api,
					  __u64 phys, __u64 size, __u64 flags)
{
	struct mr_pend *q = mr_enter(regs, api);

	if (!q)
		return 0;
	q->phys = phys;
	q->size = size;
	q->low = (__u32)flags;
	g_region(q);
	return 0;
}

static __always_inline __u32 pgmap_type(struct dev_pagemap *pgmap)
{
	__u32 t = BPF_CORE_READ(pgmap, type);

	if (!t)
		return IOMC_PGMAP_UNSET;
	if (bpf_core_enum_value_exists(enum memory_type, MEMORY_DEVICE_PRIVATE) &&
	    t == bpf_core_enum_value(enum memory_type, MEMORY_DEVICE_PRIVATE))
		return IOMC_PGMAP_PRIVATE;
	if (bpf_core_enum_value_exists(enum memory_type, MEMORY_DEVICE_COHERENT) &&
	    t == bpf_core_enum_value(enum memory_type, MEMORY_DEVICE_COHERENT))
		return IOMC_PGMAP_COHERENT;
	if (bpf_core_enum_value_exists(enum memory_type, MEMORY_DEVICE_FS_DAX) &&
	    t == bpf_core_enum_value(enum memory_type, MEMORY_DEVICE_FS_DAX))
		return IOMC_PGMAP_FS_DAX;
	if (bpf_core_enum_value_exists(enum memory_type, MEMORY_DEVICE_GENERIC) &&
	    t == bpf_core_enum_value(enum memory_type, MEMORY_DEVICE_GENERIC))
		return IOMC_PGMAP_GENERIC;
	if (bpf_core_enum_value_exists(enum memory_type, MEMORY_DEVICE_PCI_P2PDMA) &&
	    t == bpf_core_enum_value(enum memory_type, MEMORY_DEVICE_PCI_P2PDMA))
		return IOMC_PGMAP_P2PDMA;
	return IOMC_PGMAP_OTHER;
}

static __always_inline int mr_pages_enter(struct pt_regs *regs, __u32 api,
					  struct dev_pagemap *pgmap)
{
	struct mr_pend *q = mr_enter(regs, api);
	__u64 start, end;

	if (!q)
		return 0;
	q->pgmap = (__u64)pgmap;
	if (!pgmap)
		return 0;
	q->low = pgmap_type(pgmap);
	q->nr_range = BPF_CORE_READ(pgmap, nr_range);
	start = BPF_CORE_READ(pgmap, range.start);
	end = BPF_CORE_READ(pgmap, range.end);
	q->phys = start;
	q->size = end >= start ? end - start + 1 : 0;
	if (q->nr_range)
		g_region(q);
	return 0;
}

__noinline int g_check_memremap(struct scratch *sc)
{
	if (sc)
		iomc_check_memremap(&cfg.rules, &sc->ev, &sc->vd);
	return 0;
}

__noinline int g_check_pagemap(struct scratch *sc)
{
	if (sc)
		iomc_check_pagemap(&cfg.rules, &sc->ev, &sc->vd);
	return 0;
}

__noinline int g_check_memunmap(struct scratch *sc, const struct iomc_mr *mr)
{
	if (sc)
		iomc_check_memunmap(&cfg.rules, &sc->ev, mr, mr_untracked != 0,
				    &sc->vd);
	return 0;
}

static __always_inline void mr_count(void)
{
	struct iomc_counters *c = cnt();

	if (c)
		c->mr_events++;
}

const struct mr_name zero_mr_name = {};

/* Name the site of live memremap va now, while its code is there. */
__noinline int g_mr_name(__u64 va, __u64 site)
{
	struct mr_name *n;
	__u64 k = va;

	bpf_map_update_elem(&mr_names, &k, &zero_mr_name, BPF_ANY);
	n = bpf_map_lookup_elem(&mr_names, &k);
	if (n && site)
		bpf_snprintf(n->sym, sizeof(n->sym), sym_fmt, &site, sizeof(site));
	return 0;
}

/* A memremap-family call returned 'ret'; q: what its entry saw. */
static __always_inline void mr_finish(void *ctx, const struct mr_pend *q,
				      __u64 ret)
{
	__u32 api = q->api;
	struct iomc_counters *c;
	struct iomc_event *ev;
	struct scratch *sc;
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
	}
	record(ev);
	if (pages)
		g_check_pagemap(sc);
	else
		g_check_memremap(sc);
	if (sc->vd.n)
		report(ctx, sc, 0, IOMC_CTX_TASK, ev->tid);
	if (!pages && ev->vaddr) {
		va = ev->vaddr;
		mr = bpf_map_lookup_elem(&mrs, &va);
		if (!mr) {
			bpf_map_update_elem(&mrs, &va, &zero_mr, BPF_NOEXIST);
			mr = bpf_map_lookup_elem(&mrs, &va);
		}
		if (mr) {
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
	struct mr_pend *q;

	q = bpf_map_lookup_elem(&mr_pend, &tid);
	if (!q || q->api != api)
		return 0;	/* not the outermost call (or its entry missed) */
	/*
	 * The call site: the return address, which the kretprobe has put
	 * back into the ip by now (at the entry, the stack already held the
	 * kretprobe's trampoline instead: the kprobe runs after it armed).
	 */
	q->site = PT_REGS_IP(regs);
	mr_finish(regs, q, PT_REGS_RC(regs));
	bpf_map_delete_elem(&mr_pend, &tid);
	return 0;
}

static __always_inline int mr_unmap(void *ctx, __u32 api, __u64 addr,
				    __u64 site)
{
	struct scratch *sc;
	struct iomc_mr *mr;
	__u64 va = addr;

	sc = begin(SLOT_KPROBE, IOMC_EV_MEMUNMAP, IOMC_CTX_TASK);
	if (!sc)
		return 0;
	mr_count();
	sc->ev.kind = api;
	sc->ev.vaddr = addr;
	sc->ev.caller = site;
	record(&sc->ev);
	mr = bpf_map_lookup_elem(&mrs, &va);
	g_check_memunmap(sc, mr);
	if (sc->vd.n)
		report(ctx, sc, 0, IOMC_CTX_TASK, sc->ev.tid);
	if (mr && iomc_apply_memunmap(mr)) {
		bpf_map_delete_elem(&mrs, &va);
		bpf_map_delete_elem(&mr_names, &va);
	}
	return 0;
}

SEC("kprobe/memremap")
int BPF_KPROBE(iomc_memremap, __u64 offset, __u64 size, __u64 flags)
{
	return mr_remap_enter(ctx, IOMC_MR_MEMREMAP, offset, size, flags);
}

SEC("kretprobe/memremap")
int BPF_KRETPROBE(iomc_memremap_ret)
{
	return mr_exit(ctx, IOMC_MR_MEMREMAP);
}

SEC("kprobe/devm_memremap")
int BPF_KPROBE(iomc_devm_memremap, void *dev, __u64 offset, __u64 size,
	       __u64 flags)
{
	return mr_remap_enter(ctx, IOMC_MR_DEVM_MEMREMAP, offset, size, flags);
}

SEC("kretprobe/devm_memremap")
int BPF_KRETPROBE(iomc_devm_memremap_ret)
{
	return mr_exit(ctx, IOMC_MR_DEVM_MEMREMAP);
}

SEC("kprobe/memremap_pages")
int BPF_KPROBE(iomc_memremap_pages, struct dev_pagemap *pgmap)
{
	return mr_pages_enter(ctx, IOMC_MR_MEMREMAP_PAGES, pgmap);
}

SEC("kretprobe/memremap_pages")
int BPF_KRETPROBE(iomc_memremap_pages_ret)
{
	return mr_exit(ctx, IOMC_MR_MEMREMAP_PAGES);
}

SEC("kprobe/devm_memremap_pages")
int BPF_KPROBE(iomc_devm_memremap_pages, void *dev, struct dev_pagemap *pgmap)
{
	return mr_pages_enter(ctx, IOMC_MR_DEVM_MEMREMAP_PAGES, pgmap);
}

SEC("kretprobe/devm_memremap_pages")
int BPF_KRETPROBE(iomc_devm_memremap_pages_ret)
{
	return mr_exit(ctx, IOMC_MR_DEVM_MEMREMAP_PAGES);
}

/* An unmap of addr inside the devm unmap this task has in progress? */
static __always_inline int in_devm_unmap(struct pt_regs *regs, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct devm_unmap *d = bpf_map_lookup_elem(&mr_devm_unmap, &tid);
	__u64 cur = 0;

	return d && d->addr == addr && PT_REGS_SP(regs) <= d->sp &&
	       !bpf_probe_read_kernel(&cur, sizeof(cur), (void *)d->sp) &&
	       cur == d->ret;
}

/* Mark the devm unmap of addr entered here for in_devm_unmap. */
static __always_inline __u64 devm_unmap_begin(struct pt_regs *regs, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct devm_unmap d;

	d.sp = PT_REGS_SP(regs);
	d.ret = entry_site(regs);
	d.addr = addr;
	bpf_map_update_elem(&mr_devm_unmap, &tid, &d, BPF_ANY);
	return d.ret;
}

/*
 * memunmap(addr): checked unless a devm unmap (already checked) calls it.
 * No kretprobe on memunmap or devm_memunmap: their entry sees the real
 * return address.
 */
SEC("kprobe/memunmap")
int BPF_KPROBE(iomc_memunmap, __u64 addr)
{
	if (in_devm_unmap(ctx, addr))
		return 0;	/* inside devm_memunmap or a devres release */
	return mr_unmap(ctx, IOMC_MR_MEMUNMAP, addr, entry_site(ctx));
}

SEC("kprobe/devm_memunmap")
int BPF_KPROBE(iomc_devm_memunmap, void *dev, __u64 addr)
{
	return mr_unmap(ctx, IOMC_MR_DEVM_MEMUNMAP, addr,
			devm_unmap_begin(ctx, addr));
}

/*
 * devm_memremap_release(dev, res): devres unmapping a devm_memremap, *res
 * the address: when the device unbinds, its probe fails or the driver
 * calls devm_memunmap. The kernel's memunmap is small and in the same file
 * (kernel/iomem.c): Debian's 6.1 inlines it there (6.12 jumps to it), and
 * the memunmap kprobe never saw these unmaps (the live table kept them:
 * leak_on_unload at rmmod for a driver whose failed probe devres had
 * cleaned up). Checked as a devm_memunmap called by devres (the site:
 * release_nodes), unless devm_memunmap of it is in progress (checked
 * already); the memunmap this jumps to (6.12) is part of it.
 */
SEC("kprobe/devm_memremap_release")
int BPF_KPROBE(iomc_devm_memremap_release, void *dev, void *res)
{
	__u64 addr = 0;

	bpf_probe_read_kernel(&addr, sizeof(addr), res);
	if (in_devm_unmap(ctx, addr))
		return 0;	/* devm_memunmap -> devres_release -> here */
	return mr_unmap(ctx, IOMC_MR_DEVM_MEMUNMAP, addr,
			devm_unmap_begin(ctx, addr));
}

/* ---- module unload requests ---------------------------------------------- */

/*
 * delete_module(name, flags): tell the daemon, which must drop its links to
 * iomap_check.ko's tracepoints (they hold a reference on the module) for
 * the unload to succeed. The first attempt usually loses the race and fails
 * with EBUSY; a retry (modprobe -r --wait, rmmod in a loop) succeeds.
 */
SEC("ksyscall/delete_module")
int BPF_KSYSCALL(iomc_delete_module, const char *name, unsigned int flags)
{
	struct iomc_unload_msg *m;

	m = bpf_ringbuf_reserve(&rb, sizeof(*m), 0);
	if (!m)
		return 0;
	m->msg = IOMC_MSG_UNLOAD;
	m->pid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_probe_read_user_str(m->name, sizeof(m->name), name) < 0)
		m->name[0] = 0;
	bpf_ringbuf_submit(m, 0);
	return 0;
}

/*
 * Never attached: lets tests drive the might-sleep rule through
 * BPF_PROG_TEST_RUN (kprobe programs cannot be test-run).
 * Arguments: (function address, call site).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_might_sleep, __u64 func, __u64 caller)
{
	return might_sleep(ctx, func, caller, 0, 0);
}

/*
 * Never attached: lets tests drive the memremap rules through
 * BPF_PROG_TEST_RUN, past the kprobes (which cannot be test-run) and the
 * iomem lookup (the region and MMIO bit come in 'arg', IOMC_MR_ARG).
 * (type, api, phys or the unmapped address, size, result, arg, call site,
 * nr_range).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_memremap, __u64 type, __u64 api, __u64 phys, __u64 size,
	     __u64 ret, __u64 arg, __u64 caller, __u64 nr_range)
{
	struct mr_pend q = {};

	if (type == IOMC_EV_MEMUNMAP)
		return mr_unmap(ctx, (__u32)api, phys, caller);
	q.api = (__u32)api;
	q.site = caller;
	q.phys = phys;
	q.size = size;
	q.low = IOMC_MR_LOW(arg);
	q.region = IOMC_MR_REGION(arg);
	q.mmio = IOMC_MR_MMIO(arg);
	q.nr_range = (__u32)nr_range;
	mr_finish(ctx, &q, ret);
	return 0;
}
