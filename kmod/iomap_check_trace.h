/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_mapping tracepoints. Every value a checker needs is a scalar argument
 * so that a raw_tp BPF program reads it without module BTF or knowledge of
 * struct io_mapping. Argument order is fixed by
 * include/iomap-check/events.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM io_mapping

#if !defined(_IOMAP_CHECK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IOMAP_CHECK_TRACE_H

#include <linux/tracepoint.h>
#include <iomap-check/events.h>	/* -I of the include/ dir, see kmod/Kbuild */

/*
 * kind= and ctx= print by name ("kind=local ctx=task"), from events.h's
 * lists. TRACE_DEFINE_ENUM has the kernel put the enum values into the
 * events' format files, so that trace-cmd and perf (libtraceevent) can
 * resolve the names too instead of printing the numbers.
 */
#define IOMC_X_KIND_DEFINE_ENUM(v, N, s)	TRACE_DEFINE_ENUM(IOMC_KIND_##N);
#define IOMC_X_CTX_DEFINE_ENUM(v, N, s)		TRACE_DEFINE_ENUM(IOMC_CTX_##N);
IOMC_KINDS(IOMC_X_KIND_DEFINE_ENUM)
IOMC_CTXS(IOMC_X_CTX_DEFINE_ENUM)

/* the lists' leading comma must be expanded before __print_symbolic's
 * arguments are counted: hence one more level */
#define iomc_print_symbolic(...)	__print_symbolic(__VA_ARGS__)
#define iomc_show_kind(k)		iomc_print_symbolic(k IOMC_KIND_SYMBOLS)
#define iomc_show_ctx(c)		iomc_print_symbolic(c IOMC_CTX_SYMBOLS)

/*
 * The map and unmap events' first probe and last probe (any tracer: tracefs,
 * perf, BPF raw_tp) switch the drop-in's inline fast paths between the
 * kernel's own code and the checked path (iomap_check.c, __iomc_checks_key).
 */
int iomc_tp_reg(void);
void iomc_tp_unreg(void);

TRACE_EVENT(io_mapping_create,
	TP_PROTO(unsigned long mapping, u64 base, unsigned long size,
		 unsigned long caller),
	TP_ARGS(mapping, base, size, caller),
	TP_STRUCT__entry(
		__field(unsigned long, mapping)
		__field(u64, base)
		__field(unsigned long, size)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		__entry->mapping = mapping;
		__entry->base = base;
		__entry->size = size;
		__entry->caller = caller;
	),
	TP_printk("mapping=0x%lx base=0x%llx size=%lu caller=%pS",
		  __entry->mapping, __entry->base, __entry->size,
		  (void *)__entry->caller)
);

TRACE_EVENT(io_mapping_free,
	TP_PROTO(unsigned long mapping, unsigned long size,
		 unsigned long caller),
	TP_ARGS(mapping, size, caller),
	TP_STRUCT__entry(
		__field(unsigned long, mapping)
		__field(unsigned long, size)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		__entry->mapping = mapping;
		__entry->size = size;
		__entry->caller = caller;
	),
	TP_printk("mapping=0x%lx size=%lu caller=%pS",
		  __entry->mapping, __entry->size, (void *)__entry->caller)
);

TRACE_EVENT_FN(io_mapping_map,
	TP_PROTO(unsigned int kind, unsigned int ctx, unsigned long mapping,
		 unsigned long size, unsigned long offset, unsigned long len,
		 unsigned long vaddr, unsigned long caller),
	TP_ARGS(kind, ctx, mapping, size, offset, len, vaddr, caller),
	TP_STRUCT__entry(
		__field(unsigned int, kind)
		__field(unsigned int, ctx)
		__field(unsigned long, mapping)
		__field(unsigned long, size)
		__field(unsigned long, offset)
		__field(unsigned long, len)
		__field(unsigned long, vaddr)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		__entry->kind = kind;
		__entry->ctx = ctx;
		__entry->mapping = mapping;
		__entry->size = size;
		__entry->offset = offset;
		__entry->len = len;
		__entry->vaddr = vaddr;
		__entry->caller = caller;
	),
	TP_printk("kind=%s ctx=%s mapping=0x%lx size=%lu offset=0x%lx len=%lu vaddr=0x%lx caller=%pS",
		  iomc_show_kind(__entry->kind), iomc_show_ctx(__entry->ctx),
		  __entry->mapping, __entry->size, __entry->offset,
		  __entry->len, __entry->vaddr, (void *)__entry->caller),
	iomc_tp_reg, iomc_tp_unreg
);

TRACE_EVENT_FN(io_mapping_unmap,
	TP_PROTO(unsigned int kind, unsigned int ctx, unsigned long vaddr,
		 unsigned long caller),
	TP_ARGS(kind, ctx, vaddr, caller),
	TP_STRUCT__entry(
		__field(unsigned int, kind)
		__field(unsigned int, ctx)
		__field(unsigned long, vaddr)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		__entry->kind = kind;
		__entry->ctx = ctx;
		__entry->vaddr = vaddr;
		__entry->caller = caller;
	),
	TP_printk("kind=%s ctx=%s vaddr=0x%lx caller=%pS",
		  iomc_show_kind(__entry->kind), iomc_show_ctx(__entry->ctx),
		  __entry->vaddr, (void *)__entry->caller),
	iomc_tp_reg, iomc_tp_unreg
);

TRACE_EVENT(io_mapping_fault,
	TP_PROTO(unsigned long vaddr, unsigned long ip, unsigned long mapping,
		 unsigned long offset, unsigned int kind, unsigned int ctx,
		 unsigned long map_caller, unsigned long unmap_caller,
		 unsigned int holder, unsigned int fixed),
	TP_ARGS(vaddr, ip, mapping, offset, kind, ctx, map_caller,
		unmap_caller, holder, fixed),
	TP_STRUCT__entry(
		__field(unsigned long, vaddr)
		__field(unsigned long, ip)
		__field(unsigned long, mapping)
		__field(unsigned long, offset)
		__field(unsigned int, kind)
		__field(unsigned int, ctx)
		__field(unsigned long, map_caller)
		__field(unsigned long, unmap_caller)
		__field(unsigned int, holder)
		__field(unsigned int, fixed)
	),
	TP_fast_assign(
		__entry->vaddr = vaddr;
		__entry->ip = ip;
		__entry->mapping = mapping;
		__entry->offset = offset;
		__entry->kind = kind;
		__entry->ctx = ctx;
		__entry->map_caller = map_caller;
		__entry->unmap_caller = unmap_caller;
		__entry->holder = holder;
		__entry->fixed = fixed;
	),
	TP_printk("vaddr=0x%lx ip=%pS mapping=0x%lx offset=0x%lx kind=%s ctx=%s map_caller=%pS unmap_caller=%pS holder=%u fixed=%u",
		  __entry->vaddr, (void *)__entry->ip, __entry->mapping,
		  __entry->offset, iomc_show_kind(__entry->kind),
		  iomc_show_ctx(__entry->ctx),
		  (void *)__entry->map_caller, (void *)__entry->unmap_caller,
		  __entry->holder, __entry->fixed)
);

#endif /* _IOMAP_CHECK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE iomap_check_trace
#include <trace/define_trace.h>
