/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Values carried in the io_mapping tracepoints' scalar arguments.
 *
 * This header is the one definition shared by the kernel module (which
 * fires the tracepoints), the BPF programs (which read them as raw_tp u64
 * arguments) and userspace (analyzer, daemon). It must stay plain C with
 * no includes so that all three can use it.
 */
#ifndef IOMAP_CHECK_EVENTS_H
#define IOMAP_CHECK_EVENTS_H

/*
 * The kind and context values, each written once as an X-macro list of
 * X(value, NAME, name): NAME makes the enum constant, name is how traces
 * (the tracepoints' __print_symbolic), reports and the analyzer spell it.
 * The values are ABI (the raw_tp arguments, recordings): never renumber.
 */

/* Which variant of the API a map/unmap used. */
#define IOMC_KINDS(X)							\
	X(0, ATOMIC, atomic)	/* io_mapping_map_atomic_wc / unmap_atomic */ \
	X(1, LOCAL, local)	/* io_mapping_map_local_wc / unmap_local */ \
	X(2, WC, wc)		/* io_mapping_map_wc / io_mapping_unmap */

/* The context the caller ran in, sampled before the map took effect. */
#define IOMC_CTXS(X)							\
	X(0, TASK, task)						\
	X(1, SOFTIRQ, softirq)						\
	X(2, HARDIRQ, hardirq)						\
	X(3, NMI, nmi)

#define IOMC_X_KIND_ENUM(v, N, s)	IOMC_KIND_##N = v,
#define IOMC_X_CTX_ENUM(v, N, s)	IOMC_CTX_##N = v,
#define IOMC_X_NAME(v, N, s)		[v] = #s,

enum iomc_kind {
	IOMC_KINDS(IOMC_X_KIND_ENUM)
	IOMC_KIND_MAX
};

enum iomc_ctx {
	IOMC_CTXS(IOMC_X_CTX_ENUM)
	IOMC_CTX_MAX
};

/* Name tables, indexed by value: static const char *const n[] = IOMC_KIND_NAMES; */
#define IOMC_KIND_NAMES { IOMC_KINDS(IOMC_X_NAME) }
#define IOMC_CTX_NAMES { IOMC_CTXS(IOMC_X_NAME) }

/*
 * The same lists as __print_symbolic() arguments (kmod/iomap_check_trace.h),
 * each entry preceded by its comma: ", { IOMC_KIND_ATOMIC, "atomic" }, ...".
 */
#define IOMC_X_KIND_SYM(v, N, s)	, { IOMC_KIND_##N, #s }
#define IOMC_X_CTX_SYM(v, N, s)		, { IOMC_CTX_##N, #s }
#define IOMC_KIND_SYMBOLS		IOMC_KINDS(IOMC_X_KIND_SYM)
#define IOMC_CTX_SYMBOLS		IOMC_CTXS(IOMC_X_CTX_SYM)

/*
 * Tracepoints, system "io_mapping". The argument order is the raw_tp ABI
 * (ctx[0], ctx[1], ...) that the BPF programs rely on: never reorder.
 *
 * io_mapping_create(mapping, base, size, caller)
 * io_mapping_free(mapping, size, caller)
 * io_mapping_map(kind, ctx, mapping, size, offset, len, vaddr, caller)
 *	vaddr is 0 when the map was refused (bad offset).
 * io_mapping_unmap(kind, ctx, vaddr, caller)
 * io_mapping_fault(vaddr, ip, mapping, offset, kind, ctx, map_caller,
 *		    unmap_caller, holder, fixed)
 *	a kernel page fault at vaddr (instruction ip, in context ctx) in a
 *	window slot
 *	(strategy=window) whose last occupant, a map of mapping at offset
 *	by map_caller in task holder (pid), was unmapped by unmap_caller;
 *	fixed is 1 when the module redid the access through the occupant's
 *	page (the run goes on), 0 when the fault was left to oops.
 */
#define IOMC_TP_SYSTEM		"io_mapping"
#define IOMC_TP_CREATE		"io_mapping_create"
#define IOMC_TP_FREE		"io_mapping_free"
#define IOMC_TP_MAP		"io_mapping_map"
#define IOMC_TP_UNMAP		"io_mapping_unmap"
#define IOMC_TP_FAULT		"io_mapping_fault"

#endif /* IOMAP_CHECK_EVENTS_H */
