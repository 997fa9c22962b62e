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

/* What happened. io_mapping tracepoints first, then the scheduler/exit/
 * interrupt events some rules need. */
enum iomc_ev_type {
	IOMC_EV_CREATE = 1,	/* io_mapping_create */
	IOMC_EV_FREE = 2,	/* io_mapping_free */
	IOMC_EV_MAP = 3,	/* io_mapping_map */
	IOMC_EV_UNMAP = 4,	/* io_mapping_unmap */
	IOMC_EV_SWITCH = 5,	/* task 'tid' switched out; arg = 1 if voluntary */
	IOMC_EV_EXIT = 6,	/* task 'tid' exits */
	IOMC_EV_IRQ_EXIT = 7,	/* an interrupt of context 'ctx' returns on 'cpu' */
	IOMC_EV_MIGHT_SLEEP = 8, /* a might-sleep function entered; caller = its address */
	IOMC_EV_DROP = 9,	/* events were lost on 'cpu' (arg = how many, 0 = unknown) */
	IOMC_EV_MAX
};

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

#endif /* IOMAP_CHECK_ABI_H */
