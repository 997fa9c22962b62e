/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records that cross between the BPF programs and userspace, and the
 * normalized event that every input of the rule engine is turned into
 * (live BPF stream, --record files, ftrace/trace-cmd/perf text, trace.dat).
 *
 * Include after vmlinux.h (BPF) or <linux/types.h> (userspace): only the
 * __u32/__u64 types are needed.
 */
#ifndef IOMAP_CHECK_ABI_H
#define IOMAP_CHECK_ABI_H

#include "events.h"
#include "rules.h"

#define IOMC_COMM_LEN 16

/*
 * What happened, X(value, NAME, name): NAME makes IOMC_EV_NAME, name is how
 * --dump-events spells it. The values are ABI (recordings): never renumber.
 * io_mapping tracepoints first, then the scheduler/exit/interrupt events
 * some rules need, then the memremap API.
 *
 * switch: task 'tid' switched out; arg = 1 if voluntary.
 * irq_exit: an interrupt of context 'ctx' returns on 'cpu'.
 * might_sleep: a might-sleep function entered; arg = its address.
 * drop: events were lost on 'cpu' (arg = how many, 0 = unknown); cpu
 *   IOMC_CPU_ALL: on a CPU not known, i.e. any.
 * create: len = the module (struct module *) whose init text made the
 *   call, while that text was live; 0 if the site is not in a live init
 *   text (the owner is then decided by address: core text stays put).
 * module_end: a module goes away (module:module_free): mapping = the module
 *   (struct module *, an id), offset/len = its core text, vaddr/size = its
 *   init text (0/0 once freed after a successful init: then the range seen
 *   at module_load), arg = IOMC_UNLOAD_FAILED if its init failed.
 * The memremap API is seen by the daemon's kprobes in the unmodified kernel
 * (no tracepoint: these come from live hooks or a --record file only).
 * kind = enum iomc_mr_api. caller = the call site of the outermost API
 * function (devm_memremap, not the memremap it calls).
 * memremap: offset = phys, size, vaddr = result (0 if refused or an
 *   error), arg = IOMC_MR_ARG(flags, region class of [offset, offset +
 *   size), mmio), len = the module whose init text made the call (as for
 *   create).
 * memunmap: vaddr = the address unmapped; kind memunmap_pages: mapping =
 *   the pgmap, vaddr 0 (never reported: it only ends a live pagemap),
 *   arg = IOMC_MEMUNMAP_FAILED_REMAP when it is called from inside a
 *   memremap_pages of the same pgmap (that call's error path).
 * memremap_pages: mapping = the pgmap, offset/size = its first range
 *   (start, bytes), len = nr_range, vaddr = result, arg = IOMC_MR_ARG(enum
 *   iomc_pgmap_type, region class, mmio).
 * fault: io_mapping_fault (strategy=window): a kernel page fault on a
 *   window slot. vaddr = the address, caller = the faulting instruction;
 *   the slot's last occupant: mapping, offset, kind, len = its map site,
 *   arg = its unmap site (0: none, the slot was never unmapped); size =
 *   IOMC_FAULT_SIZE(holder pid, fixed).
 */
#define IOMC_EV_TYPES(X)						\
	X(1, CREATE, create)		/* io_mapping_create */		\
	X(2, FREE, free)		/* io_mapping_free */		\
	X(3, MAP, map)			/* io_mapping_map */		\
	X(4, UNMAP, unmap)		/* io_mapping_unmap */		\
	X(5, SWITCH, switch)						\
	X(6, EXIT, exit)		/* task 'tid' exits */		\
	X(7, IRQ_EXIT, irq_exit)					\
	X(8, MIGHT_SLEEP, might_sleep)					\
	X(9, DROP, drop)						\
	X(10, MODULE_END, module_end)					\
	X(11, MEMREMAP, memremap)					\
	X(12, MEMUNMAP, memunmap)					\
	X(13, PAGEMAP, memremap_pages)					\
	X(14, FAULT, fault)

#define IOMC_X_EV_ENUM(v, N, s)	IOMC_EV_##N = v,
enum iomc_ev_type {
	IOMC_EV_TYPES(IOMC_X_EV_ENUM)
	IOMC_EV_MAX
};

/* Names of enum iomc_ev_type, indexed by value (0 is no type). */
#define IOMC_EV_NAMES { [0] = "?", IOMC_EV_TYPES(IOMC_X_NAME) }

/* ev.size of IOMC_EV_FAULT: the occupant's task, and whether redone. */
#define IOMC_FAULT_SIZE(holder, fixed) \
	((__u64)(__u32)(holder) | ((__u64)((fixed) ? 1 : 0) << 32))
#define IOMC_FAULT_HOLDER(size) ((__u32)(size))
#define IOMC_FAULT_FIXED(size) ((__u32)((size) >> 32) & 1)

/* A DROP whose CPU is not known (a damaged line or record): every CPU's
 * state is forgotten. Only post-mortem inputs make it, never the BPF side. */
#define IOMC_CPU_ALL 0xffffffffu

/*
 * ev.arg of IOMC_EV_MODULE_END. A leak_on_unload report's event is the
 * module end carrying what leaked: a mapping (mapping, offset = base, size,
 * len = its outstanding maps), a map (vaddr, kind, mapping, offset), or
 * with IOMC_UNLOAD_MEMREMAP a memremap (vaddr, kind = enum iomc_mr_api,
 * offset = phys, size, len = memremaps that returned vaddr).
 */
#define IOMC_UNLOAD_FAILED	0x1ULL	/* its init failed */
#define IOMC_UNLOAD_MEMREMAP	0x2ULL	/* report: the leak is a memremap */

/*
 * ev.arg of a memunmap_pages event: the kernel's memremap_pages failing
 * part-way cleans up with memunmap_pages(pgmap) of the pgmap it was given
 * (kernel/memremap.c). That undoes what this failing call set up, never a
 * pagemap made before, though the pgmap may sit at the same address: a
 * devm_kzalloc'd pgmap freed at unbind while its pagemap leaked is handed
 * out again to the next probe, whose memremap_pages then fails over the
 * same range ("Conflicting mapping in same section"). Decided by the
 * driver that saw the call (the BPF programs know the call in progress).
 */
#define IOMC_MEMUNMAP_FAILED_REMAP 0x1ULL

/* Which memremap API function an event stands for (ev.kind). */
enum iomc_mr_api {
	IOMC_MR_MEMREMAP = 0,
	IOMC_MR_DEVM_MEMREMAP = 1,
	IOMC_MR_MEMUNMAP = 2,
	IOMC_MR_DEVM_MEMUNMAP = 3,
	IOMC_MR_MEMREMAP_PAGES = 4,
	IOMC_MR_DEVM_MEMREMAP_PAGES = 5,
	IOMC_MR_MEMUNMAP_PAGES = 6,	/* memunmap_pages, or devres releasing
					 * a devm_memremap_pages */
	IOMC_MR_API_MAX
};

#define IOMC_MR_API_NAMES { "memremap", "devm_memremap", "memunmap", \
			    "devm_memunmap", "memremap_pages", "devm_memremap_pages", \
			    "memunmap_pages" }

/* memremap flags (include/linux/io.h; the same values in 6.1 and 6.12). */
#define IOMC_MEMREMAP_WB 0x1
#define IOMC_MEMREMAP_WT 0x2
#define IOMC_MEMREMAP_WC 0x4
#define IOMC_MEMREMAP_ENC 0x8
#define IOMC_MEMREMAP_DEC 0x10
#define IOMC_MEMREMAP_TYPES (IOMC_MEMREMAP_WB | IOMC_MEMREMAP_WT | IOMC_MEMREMAP_WC)
#define IOMC_MEMREMAP_KNOWN (IOMC_MEMREMAP_TYPES | IOMC_MEMREMAP_ENC | IOMC_MEMREMAP_DEC)

/*
 * How a physical range relates to System RAM, decided like the kernel's
 * region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE)
 * over the top-level iomem resources. Our own values (0 = not looked up).
 */
enum iomc_region {
	IOMC_REGION_UNKNOWN = 0,
	IOMC_REGION_DISJOINT = 1,	/* overlaps no System RAM */
	IOMC_REGION_INTERSECTS = 2,	/* overlaps System RAM only */
	IOMC_REGION_MIXED = 3,		/* System RAM and other resources */
};

/* The pgmap's type, normalized (the kernel's enum memory_type may move). */
enum iomc_pgmap_type {
	IOMC_PGMAP_UNSET = 0,		/* 0: no MEMORY_DEVICE_* set */
	IOMC_PGMAP_PRIVATE = 1,
	IOMC_PGMAP_COHERENT = 2,
	IOMC_PGMAP_FS_DAX = 3,
	IOMC_PGMAP_GENERIC = 4,
	IOMC_PGMAP_P2PDMA = 5,
	IOMC_PGMAP_OTHER = 6,		/* a value this build does not know */
	IOMC_PGMAP_MAX
};

#define IOMC_PGMAP_NAMES { "unset", "MEMORY_DEVICE_PRIVATE", \
	"MEMORY_DEVICE_COHERENT", "MEMORY_DEVICE_FS_DAX", \
	"MEMORY_DEVICE_GENERIC", "MEMORY_DEVICE_PCI_P2PDMA", "unknown" }

/*
 * ev.arg of a memremap or pagemap event: the flags (or pgmap type) in the
 * low 32 bits, the region class in bits 32-35, bit 36 set if the range
 * overlaps device MMIO (a top-level "PCI Bus" window of /proc/iomem).
 */
#define IOMC_MR_ARG(low, region, mmio) \
	((__u64)(__u32)(low) | ((__u64)((region) & 0xf) << 32) | \
	 ((__u64)((mmio) ? 1 : 0) << 36))
#define IOMC_MR_LOW(arg) ((__u32)(arg))
#define IOMC_MR_REGION(arg) ((__u32)((arg) >> 32) & 0xf)
#define IOMC_MR_MMIO(arg) ((__u32)((arg) >> 36) & 1)

/*
 * One normalized event. Fields a type does not use are 0. 'caller' is the
 * kernel address of the call site when known; text inputs that only carry a
 * symbolized site put an interned id there and keep the name themselves.
 */
struct iomc_event {
	__u64 ts_ns;		/* monotonic (trace clock) nanoseconds */
	__u32 type;		/* enum iomc_ev_type */
	__u32 cpu;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 kind;		/* enum iomc_kind (map/unmap) */
	__u32 ctx;		/* enum iomc_ctx */
	__u64 mapping;
	__u64 size;		/* mapping size */
	__u64 offset;
	__u64 len;
	__u64 vaddr;
	__u64 caller;
	__u64 arg;		/* type-specific, see enum iomc_ev_type */
	char comm[IOMC_COMM_LEN];
};

/* ---- What the checker keeps per held map, and what it reports ---------- */

/* Capacity of one context's stack of held maps; larger than any sane depth
 * limit so that depth_exceeded still tracks what is held beyond the limit. */
#define IOMC_STACK_MAX 32
/* Kernel stack frames carried in a report. */
#define IOMC_STACK_FRAMES 48

/* One outstanding map (atomic/local on a context's stack, or wc). */
struct iomc_held {
	__u64 vaddr;		/* 0 for a refused map (the caller got NULL) */
	__u64 mapping;
	__u64 offset;
	__u64 site;		/* caller of the map */
	__u64 ts_ns;
	__u32 tid;		/* the task that mapped (interrupted task in irq) */
	__u8 kind;		/* enum iomc_kind */
	__u8 ctx;		/* enum iomc_ctx */
	__u16 cpu;
};

/*
 * One rule violation as the engine decides it. The operation itself (site =
 * ev.caller, mapping, offset, vaddr, task, cpu, context) is the event that
 * caused it; these are the other sites a report names.
 */
struct iomc_viol {
	__u32 rule;		/* enum iomc_rule */
	__u32 ctx;		/* context concerned (the holder's for the sleep rules) */
	__u64 map_site;		/* the map this violation is about (0 = none) */
	__u64 other_site;	/* lifo: top of stack; use_after_free: the free */
	__u32 other_tid;	/* cross_context_unmap: who mapped it */
	__u16 other_ctx;
	__u16 other_cpu;
};

/* Ring buffer messages from the BPF programs start with one of these. */
enum iomc_msg {
	IOMC_MSG_REPORT = 1,	/* struct iomc_report */
	IOMC_MSG_EVENT = 2,	/* struct iomc_rec (only in record mode) */
	IOMC_MSG_UNLOAD = 3,	/* struct iomc_unload_msg */
};

/* Someone asked to unload a module (delete_module): the daemon lets go of
 * iomap_check.ko, whose tracepoints its links pin, so the unload can work. */
struct iomc_unload_msg {
	__u32 msg;		/* IOMC_MSG_UNLOAD */
	__u32 pid;
	char name[56];		/* module name asked for */
};

/* Symbolized sites carried in a report: "func+0xoff/0xlen [module]". */
#define IOMC_SYM_LEN 96
enum iomc_rsym {
	IOMC_RSYM_SITE = 0,	/* the report's site (ev.caller, else map_site) */
	IOMC_RSYM_MAP = 1,	/* v.map_site */
	IOMC_RSYM_OTHER = 2,	/* v.other_site */
	IOMC_RSYM_MAX
};

/* A violation as the BPF programs report it (first occurrence of a key). */
struct iomc_report {
	__u32 msg;		/* IOMC_MSG_REPORT */
	__u32 n_held;		/* entries of held[] used */
	struct iomc_event ev;	/* the operation */
	struct iomc_viol v;
	__u32 held_ctx;		/* context whose stack held[] shows */
	__s32 stack_bytes;	/* bpf_get_stack result: bytes of stack[], < 0 = error */
	__u32 held_tid;		/* task whose stack held[] shows (task context) */
	__u32 pad;
	struct iomc_held held[IOMC_STACK_MAX];	/* bottom first, as mapped */
	__u64 stack[IOMC_STACK_FRAMES];
	/*
	 * The sites symbolized by the kernel (%pB) when the violation was
	 * found, or when the mapping was created (a leak_on_unload's create
	 * site): init text and modules unloaded since still have names here.
	 * sym_addr[i] = the address sym[i] names; "" = not symbolized.
	 */
	__u64 sym_addr[IOMC_RSYM_MAX];
	char sym[IOMC_RSYM_MAX][IOMC_SYM_LEN];
};

/* A recorded event (record mode). */
struct iomc_rec {
	__u32 msg;		/* IOMC_MSG_EVENT */
	__u32 pad;
	struct iomc_event ev;
};

/* Per-CPU counters kept by the BPF programs. */
struct iomc_counters {
	__u64 events;		/* io_mapping events checked */
	__u64 violations;	/* violations found (repeats included) */
	__u64 reported;		/* reports sent to userspace */
	__u64 rb_fail;		/* ring buffer reservations that failed (reports) */
	__u64 rec_fail;		/* ring buffer reservations that failed (records) */
	__u64 untracked;	/* maps not tracked: task table full */
	__u64 seen_full;	/* dedup table full: reported without dedup */
	__u64 might_sleep;	/* might-sleep hooks run with an atomic map held */
	__u64 mr_events;	/* memremap API calls checked */
};

/* Dedup key: a violation is reported in full once per key, then counted. */
struct iomc_seen_key {
	__u32 rule;
	__u32 pad;
	__u64 site;
	__u64 map_site;
};

/* Dedup value: how often the key was seen; whether its report got out. */
struct iomc_seen_val {
	__u64 count;
	__u64 reported;		/* 0 until a report reached the ring buffer */
	__u64 first_ns;
	__u64 last_ns;
};

/* ---- --record files ------------------------------------------------------
 * A header, then struct iomc_event records back to back until EOF (little
 * endian, the layout above). A reader must refuse another version.
 */
#define IOMC_REC_MAGIC "IOMCREC"	/* 7 chars + NUL = 8 bytes */
#define IOMC_REC_VERSION 1

struct iomc_rec_header {
	char magic[8];		/* IOMC_REC_MAGIC */
	__u32 version;		/* IOMC_REC_VERSION */
	__u32 event_size;	/* sizeof(struct iomc_event) */
	__u32 ncpus;
	__u32 flags;		/* 0 */
	__u64 start_ns;		/* CLOCK_MONOTONIC when recording started */
	__u64 start_realtime_ns; /* CLOCK_REALTIME at the same moment */
	char release[64];	/* uname -r of the recorded kernel */
};

#endif /* IOMAP_CHECK_ABI_H */
