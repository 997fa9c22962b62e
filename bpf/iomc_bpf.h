/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF files of iomap-checkd share: the maps, the settings, the
 * fast-path counters and the small helpers every program inlines. The
 * files are linked into one object (bpftool gen object, bpf/bpf.mk), so
 * a map or variable here is one map or variable at run time.
 *
 * These files are the BPF "driver" of the rule engine
 * (include/iomap-check/engine.h): they keep the engine's state in maps,
 * turn each hook into a struct iomc_event, run the engine and send
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
 *
 * The files, one job each:
 *   iomc_common.bpf.c    the maps and variables, the stack helpers, reporting
 *   iomc_tp.bpf.c        iomap_check.ko's io_mapping tracepoints
 *   iomc_task.bpf.c      task exits and interrupt returns (leak_on_exit)
 *   iomc_sleep.bpf.c     sleeping while atomic: the scheduler and might-sleep
 *   iomc_module.bpf.c    module ends (leak_on_unload) and unload requests
 *   iomc_memremap.bpf.c  memremap/memunmap and their devm_ forms
 *   iomc_pagemap.bpf.c   memremap_pages and devm_memremap_pages
 */
#ifndef IOMC_BPF_H
#define IOMC_BPF_H

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
int g_stack_find_page(const struct iomc_stack *s, __u64 vaddr);
int g_stack_remove(struct iomc_stack *s, int idx, struct iomc_held *gone);
int g_stack_top_atomic(const struct iomc_stack *s);
int g_stack_find_mapping(const struct iomc_stack *s, __u64 mapping);
#define IOMC_STACK_FIND g_stack_find
#define IOMC_STACK_FIND_PAGE g_stack_find_page
#define IOMC_STACK_FIND_MAPPING g_stack_find_mapping
#define IOMC_STACK_REMOVE g_stack_remove
#define IOMC_STACK_TOP_ATOMIC g_stack_top_atomic

#include "iomap_checkd.h"

/*
 * The maps. Each is defined once, in iomc_common.bpf.c, with the type
 * below; the other files see the extern declaration. libbpf's static
 * linker (bpftool gen object) resolves an extern map to its definition
 * only if the two types are identical: one typedef keeps them so.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);			/* tid */
	__type(value, struct iomc_stack);
} iomc_tasks_map;
extern iomc_tasks_map tasks SEC(".maps");

typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3 * 64);		/* resized to 3 * possible CPUs */
	__type(key, __u32);			/* cpu * 3 + ctx - 1 */
	__type(value, struct iomc_stack);
} iomc_irqs_map;
extern iomc_irqs_map irqs SEC(".maps");

/*
 * Preallocated, and entries whose count drops to 0 stay (count 0 means
 * absent to the engine): a map_wc/unmap pair of a known address costs two
 * lookups, no allocation. Entries go when their mapping is freed, or when
 * the table is full (wc_make_room).
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* vaddr */
	__type(value, struct iomc_wc);
} iomc_wcs_map;
extern iomc_wcs_map wcs SEC(".maps");

typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* mapping */
	__type(value, struct iomc_freed);
} iomc_freed_map;
extern iomc_freed_map freed SEC(".maps");

/* Live mappings (created, not freed), for leak_on_unload. */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* mapping */
	__type(value, struct iomc_live_ent);
} iomc_lives_map;
extern iomc_lives_map lives SEC(".maps");

/* A module's init text, seen at module_load (freed after a good init). */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);			/* struct module * */
	__type(value, struct iomc_modtext);
} iomc_modinit_map;
extern iomc_modinit_map modinit SEC(".maps");

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct iomc_seen_key);
	__type(value, struct iomc_seen_val);
} iomc_seen_map;
extern iomc_seen_map seen SEC(".maps");

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iomc_counters);
} iomc_counters_map;
extern iomc_counters_map counters SEC(".maps");

/*
 * Per-CPU working memory, one slot per level that can interrupt another:
 * task, softirq, hardirq, NMI, and kprobes (which can fire inside any
 * program's helpers but never nest among themselves).
 */
#define SLOT_KPROBE 4
struct iomc_scratch {
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

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct iomc_scratch);
} iomc_scratch_map;
extern iomc_scratch_map scratch SEC(".maps");

/*
 * Reports (2.4 KB each), unload requests and, with --record, events. 4 MiB
 * hold a burst of about 1700 reports of distinct violations that arrive
 * before the daemon reads any (1 MiB held 436: a burst of 1000 lost 564 of
 * them); at a steady rate the daemon keeps up. Resized by --ringbuf-size.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} iomc_rb_map;
extern iomc_rb_map rb SEC(".maps");

/* What a memremap call's entry saw, until its return (per task). */
struct iomc_mr_pend {
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
	__u64 owner;		/* init_owner(site): abi.h, ev.len */
};

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);			/* tid */
	__type(value, struct iomc_mr_pend);
} iomc_mr_pend_map;
extern iomc_mr_pend_map mr_pend SEC(".maps");

/* The live memremaps: address -> struct iomc_mr (filled by the daemon at
 * start with those made before it, from /proc/vmallocinfo). */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* address returned */
	__type(value, struct iomc_mr);
} iomc_mrs_map;
extern iomc_mrs_map mrs SEC(".maps");

/* The kernel's name of each live memremap's site (iomap_checkd.h). */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);		/* as mrs */
	__type(key, __u64);			/* address returned */
	__type(value, struct iomc_mr_name);
} iomc_mr_names_map;
extern iomc_mr_names_map mr_names SEC(".maps");

/*
 * devm_memunmap, or devres releasing a devm_memremap, in progress per task:
 * the stack slot of its return address, that address and the address
 * unmapped. The memunmap of that address called inside it (the slot is at
 * or above the stack pointer, a sibling call reuses it, and holds the same
 * return address) is part of it. (devres calls every release from one call
 * instruction: another release that tail-calls memunmap of another address
 * reuses the slot and its value.)
 */
struct iomc_devm_unmap {
	__u64 sp, ret, addr;
};

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);			/* tid */
	__type(value, struct iomc_devm_unmap);
} iomc_mr_devm_unmap_map;
extern iomc_mr_devm_unmap_map mr_devm_unmap SEC(".maps");

/*
 * The programs' settings, set by the loader before load (.rodata): the
 * verifier knows their values and skips what a disabled rule, dedup off
 * or record off would run. Nothing changes them while the programs run
 * (new settings are a new load).
 */
extern const volatile struct iomc_bpf_cfg cfg;

/*
 * The rule settings as the engine takes them (a plain struct): read from
 * cfg field by field (volatile reads: the compiler must not fold in the
 * defaults), kept in registers once the engine is inlined.
 */
#define IOMC_BPF_RULES (&(struct iomc_cfg){ .rule_mask = cfg.rules.rule_mask, \
					.depth_limit = cfg.rules.depth_limit })

/* Fast paths: the hot hooks do nothing while these are 0 (.bss: the
 * programs write them). */
extern __s64 atomic_held;	/* atomic maps outstanding, all contexts */
extern __s64 irq_held;		/* maps outstanding in interrupt contexts */
extern __s64 wc_held;		/* entries in the wc table (emptied ones too) */
/* Live memremaps not tracked (table full): memunmap_unknown goes quiet. */
extern __u64 mr_untracked;

/* Never written: the values new entries start from. */
extern const struct iomc_stack zero_stack;
extern const struct iomc_wc zero_wc;
extern const struct iomc_live_ent zero_live;
extern const struct iomc_mr zero_mr;
extern const struct iomc_mr_name zero_mr_name;

/* iomc_common.bpf.c: reporting (a global function: verified once). */
int g_report(struct iomc_scratch *sc, const struct iomc_stack *held,
	     __u32 held_ctx, __u32 held_tid);

static const char sym_fmt[] = "%pB";

/* iomc_module.bpf.c: who owns a call made at a site now (abi.h: ev.len). */
int g_init_owner(struct iomc_owner_walk *w);

static __always_inline __u64 init_owner(__u64 site)
{
	struct iomc_owner_walk w = { site, 0 };

	g_init_owner(&w);
	return w.owner;
}

static __always_inline struct iomc_counters *cnt(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&counters, &k);
}

static __always_inline struct iomc_scratch *scratch_get(__u32 slot)
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

/* The stack is captured here, where the program's context is at hand. */
static __always_inline void report(void *ctx, struct iomc_scratch *sc,
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

static __always_inline struct iomc_scratch *begin(__u32 slot, __u32 type, __u32 ctx)
{
	struct iomc_scratch *sc = scratch_get(slot);

	if (!sc)
		return 0;
	ev_init(&sc->ev, type, ctx);
	iomc_verdict_init(&sc->vd);
	sc->presym_addr = 0;
	return sc;
}

#endif
