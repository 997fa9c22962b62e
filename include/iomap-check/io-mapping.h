/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop-in replacement for <linux/io-mapping.h> backed by iomap_check.ko.
 *
 * Compile a driver with `-include` of this file (and KBUILD_EXTRA_SYMBOLS
 * pointing at iomap_check's Module.symvers) and every io_mapping call it
 * makes goes to iomap_check.ko, which fires a tracepoint for it, instead
 * of the kernel's static inline version. The driver's source is unchanged:
 * this header owns the kernel header's include guard, so the driver's own
 * #include <linux/io-mapping.h> becomes a no-op (or, built with
 * kmod/build-driver.sh, brings in part 2 below).
 *
 * Names, signatures and the public fields of struct io_mapping are the
 * kernel's (64-bit, !CONFIG_HAVE_ATOMIC_IOMAP variant).
 *
 * The file has two parts:
 *
 * 1. What `-include` gives: struct io_mapping and the API as calls into
 *    iomap_check.ko. It must stay light (see below), so every map and
 *    unmap is an out-of-line call, traced or not.
 *
 * 2. Inline fast paths, the way <linux/page_ref.h> makes its tracing
 *    cheap: while nothing listens to the io_mapping_map/unmap events and
 *    no mapping uses the permap or window strategy, one static key
 *    (__iomc_checks_key, a NOP) and then exactly the kernel's own inline
 *    code: no check, as with the kernel's header. While a probe is
 *    attached (tracefs enable, perf, BPF raw_tp: the events' regfunc
 *    turns the key on) or a strategy needs the module, the checked path:
 *    the events' keys and the module's cheap checks inline, and
 *    everything else (tracing on, a refused map, the permap and window
 *    strategies) calls iomap_check.ko, whose _RET_IP_ is then the
 *    driver's call site. This part needs <linux/uaccess.h> and friends, which
 *    pull in printk.h, so it is only read where that is harmless: when
 *    the driver itself includes <linux/io-mapping.h>, after its pr_fmt.
 *    kmod/build-driver.sh arranges that with kmod/shadow/linux/io-mapping.h
 *    (which defines IOMC_IO_MAPPING_INLINE and includes this file again).
 *    The API names become function-like macros for static inline
 *    functions; part 1's declarations stay, so `&io_mapping_map_wc` is
 *    still the exported function.
 */
#ifndef _LINUX_IO_MAPPING_H
#define _LINUX_IO_MAPPING_H

/* Lets code (and tests) tell that the traced API is in use. */
#define IOMAP_CHECK_IO_MAPPING 1

/*
 * Only what struct io_mapping and the prototypes need. The kernel's header
 * also pulls in slab.h, bug.h, io.h, pgtable.h, asm/page.h and uaccess.h;
 * this part must not: forced in with -include it comes before the first
 * line of the driver, and those headers include printk.h and
 * dynamic_debug.h, which would then be set up before the driver's own
 * `#define pr_fmt`/`dev_fmt` (a "redefined" warning in most drivers) and
 * `#define DEBUG` (silently losing its pr_debug/dev_dbg). A driver that got
 * those headers only through <linux/io-mapping.h> would fail to compile,
 * loudly; the kernel's header is not a documented way to get them.
 */
#include <linux/types.h>		/* resource_size_t, u32 */
#ifdef CONFIG_X86
#include <asm/pgtable_types.h>		/* pgprot_t, light on x86 */
#else
#include <asm/page.h>
#endif

struct vm_area_struct;

#ifdef CONFIG_HAVE_ATOMIC_IOMAP
#error "iomap-check implements the 64-bit io_mapping only (no CONFIG_HAVE_ATOMIC_IOMAP)"
#endif

struct io_mapping {
	/* The kernel's public fields, same order and types. */
	resource_size_t base;
	unsigned long size;
	pgprot_t prot;
	void __iomem *iomem;
	/* Private to iomap_check.ko and its fast paths: hands off. */
	u32 iomc_state;		/* IOMC_STATE_* */
	u32 iomc_flags;		/* IOMC_F_* */
	/*
	 * The inline fast paths map only offsets below these: the size while
	 * the mapping is live (for map_wc: and premap), else 0 (finished, or
	 * zeroed and never set up), which sends every map to iomap_check.ko.
	 * One compare where the module tests state, size and flags.
	 */
	unsigned long iomc_map_limit;	/* map_atomic_wc, map_local_wc */
	unsigned long iomc_wc_limit;	/* map_wc */
};

/* iomc_state: tells a live mapping from a finished or never set up one. */
#define IOMC_STATE_LIVE		0x4c6d6f69U	/* "ioml" */
#define IOMC_STATE_DEAD		0x446d6f69U	/* "iomD" */

/* iomc_flags */
#define IOMC_F_ALLOCATED	0x1U	/* kmalloc'ed by io_mapping_create_wc */
#define IOMC_F_PERMAP		0x2U	/* map_wc ioremaps each call */
#define IOMC_F_WINDOW		0x4U	/* local/atomic maps use window slots */

struct io_mapping *io_mapping_init_wc(struct io_mapping *iomap,
				      resource_size_t base,
				      unsigned long size);
void io_mapping_fini(struct io_mapping *mapping);

struct io_mapping *io_mapping_create_wc(resource_size_t base,
					unsigned long size);
void io_mapping_free(struct io_mapping *iomap);

/* Disables preemption (migration on PREEMPT_RT) and page faults. */
void __iomem *io_mapping_map_atomic_wc(struct io_mapping *mapping,
				       unsigned long offset);
void io_mapping_unmap_atomic(void __iomem *vaddr);

/* Valid only in the calling context; nothing is disabled. */
void __iomem *io_mapping_map_local_wc(struct io_mapping *mapping,
				      unsigned long offset);
void io_mapping_unmap_local(void __iomem *vaddr);

/* May sleep. */
void __iomem *io_mapping_map_wc(struct io_mapping *mapping,
				unsigned long offset,
				unsigned long size);
void io_mapping_unmap(void __iomem *vaddr);

/*
 * The out-of-line halves of the inline fast paths below: the same
 * operations as the functions above (map_wc without its might_sleep(),
 * which the inline half did), for the calls the fast paths do not take.
 * The event's caller is their return address: the driver's call site.
 */
void __iomem *__iomc_map_atomic_wc(struct io_mapping *mapping,
				   unsigned long offset);
void __iomc_unmap_atomic(void __iomem *vaddr);
void __iomem *__iomc_map_local_wc(struct io_mapping *mapping,
				  unsigned long offset);
void __iomc_unmap_local(void __iomem *vaddr);
void __iomem *__iomc_map_wc(struct io_mapping *mapping, unsigned long offset,
			    unsigned long size);
void __iomc_unmap(void __iomem *vaddr);

/*
 * Provided by the kernel itself (mm/io-mapping.c); it reads only the
 * public fields, whose layout is unchanged.
 */
int io_mapping_map_user(struct io_mapping *iomap, struct vm_area_struct *vma,
			unsigned long addr, unsigned long pfn,
			unsigned long size);

/*
 * Exact call sites. iomap_check.ko reports its return address as the
 * caller; a call that is a function's last statement compiles to a jump
 * (gcc's sibling-call optimisation at -O2), whose return address is in
 * the caller's caller: the function that made the call would appear in no
 * report. So every API name is a macro that calls the function and then
 * an empty volatile asm, which the compiler must run after the call
 * returns: the call is never a tail call, whatever the optimisation
 * flags (an attribute would need every caller annotated). It costs
 * nothing: no instruction is emitted. `&io_mapping_free` (no parenthesis)
 * is still the function.
 */
#define __iomc_keep_frame() __asm__ __volatile__("")

#ifndef IOMC_IO_MAPPING_IMPL
#define __iomc_call_ret(type, call)					\
	({ type __iomc_r = (call); __iomc_keep_frame(); __iomc_r; })
#define __iomc_call_void(call)						\
	({ (call); __iomc_keep_frame(); })

#define io_mapping_init_wc(iomap, base, size)				\
	__iomc_call_ret(struct io_mapping *,				\
			(io_mapping_init_wc)(iomap, base, size))
#define io_mapping_fini(mapping)					\
	__iomc_call_void((io_mapping_fini)(mapping))
#define io_mapping_create_wc(base, size)				\
	__iomc_call_ret(struct io_mapping *,				\
			(io_mapping_create_wc)(base, size))
#define io_mapping_free(iomap)						\
	__iomc_call_void((io_mapping_free)(iomap))
#define io_mapping_map_atomic_wc(mapping, offset)			\
	__iomc_call_ret(void __iomem *,					\
			(io_mapping_map_atomic_wc)(mapping, offset))
#define io_mapping_unmap_atomic(vaddr)					\
	__iomc_call_void((io_mapping_unmap_atomic)(vaddr))
#define io_mapping_map_local_wc(mapping, offset)			\
	__iomc_call_ret(void __iomem *,					\
			(io_mapping_map_local_wc)(mapping, offset))
#define io_mapping_unmap_local(vaddr)					\
	__iomc_call_void((io_mapping_unmap_local)(vaddr))
#define io_mapping_map_wc(mapping, offset, size)			\
	__iomc_call_ret(void __iomem *,					\
			(io_mapping_map_wc)(mapping, offset, size))
#define io_mapping_unmap(vaddr)						\
	__iomc_call_void((io_mapping_unmap)(vaddr))
#endif /* !IOMC_IO_MAPPING_IMPL */

#endif /* _LINUX_IO_MAPPING_H */

/*
 * Part 2: the inline fast paths (IOMC_IO_MAPPING_INLINE, from
 * kmod/shadow/linux/io-mapping.h), or only the declarations they share
 * with iomap_check.c (IOMC_IO_MAPPING_IMPL).
 */
#if (defined(IOMC_IO_MAPPING_INLINE) || defined(IOMC_IO_MAPPING_IMPL)) && \
	!defined(_IOMC_IO_MAPPING_FAST_H)
#define _IOMC_IO_MAPPING_FAST_H

#include <linux/kernel.h>		/* __might_sleep */
#include <linux/preempt.h>
#include <linux/uaccess.h>		/* pagefault_disable */
#include <linux/percpu.h>
#include <linux/jump_label.h>
#include <linux/tracepoint-defs.h>

/* The events' static keys (iomap_check.ko exports the tracepoints). */
DECLARE_TRACEPOINT(io_mapping_map);
DECLARE_TRACEPOINT(io_mapping_unmap);

/*
 * On while the fast paths must take the checked path: a probe on the map
 * or unmap event, or a permap or window mapping (iomap_check.c). Off, a
 * map or unmap is the kernel's own inline code behind a NOP.
 */
DECLARE_STATIC_KEY_FALSE(__iomc_checks_key);

/*
 * Whether an atomic map can be outstanding on this CPU: page faults and
 * preemption (migration on PREEMPT_RT) are disabled. unmap_atomic undoes
 * nothing otherwise: a wrong-variant or double unmap would enable
 * preemption that was never disabled. Read from the kernel's own counts,
 * which every path keeps (the unchecked one too), so that a map taken
 * with the checks off and unmapped with them on balances. Coarser than a
 * count of our own maps: inside another atomic section (a kmap_atomic, a
 * second atomic map) a double unmap is undone, as the kernel's own header
 * would; the checker still reports it.
 */
static __always_inline bool __iomc_atomic_held(void)
{
	if (!pagefault_disabled())
		return false;
	if (IS_ENABLED(CONFIG_PREEMPT_RT) || !IS_ENABLED(CONFIG_PREEMPT_COUNT))
		return true;
	return preempt_count() & PREEMPT_MASK;
}

/*
 * On while a mapping with the permap strategy is live or a vaddr it
 * ioremapped is outstanding: io_mapping_unmap must then look the address
 * up out of line.
 */
DECLARE_STATIC_KEY_FALSE(__iomc_permap_key);

/*
 * On while a mapping with the window strategy is live or one of its
 * window slots is mapped: unmap_local/unmap_atomic must then clear the
 * slot out of line. (Its maps go out of line by their iomc_map_limit.)
 */
DECLARE_STATIC_KEY_FALSE(__iomc_window_key);

#ifndef IOMC_IO_MAPPING_IMPL

/*
 * Each fast path: __iomc_checks_key (a NOP while it is off), then exactly
 * what the kernel's inline 64-bit version does. With the key on: the
 * event's static key, then the module's cheap checks, then the same;
 * anything else goes to the out-of-line half, which also refuses (NULL and
 * a pr_err) what the checks reject. tests/host/fast_paths.sh holds each
 * path's instructions to the kernel's.
 */

static __always_inline void __iomem *
__iomc_inline_map_atomic_wc(struct io_mapping *mapping, unsigned long offset)
{
	if (static_branch_unlikely(&__iomc_checks_key) &&
	    (tracepoint_enabled(io_mapping_map) || !mapping ||
	     offset >= mapping->iomc_map_limit))
		return __iomc_call_ret(void __iomem *,
				       __iomc_map_atomic_wc(mapping, offset));
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_disable();
	else
		migrate_disable();
	pagefault_disable();
	return mapping->iomem + offset;
}

static __always_inline void __iomc_inline_unmap_atomic(void __iomem *vaddr)
{
	if (static_branch_unlikely(&__iomc_checks_key) &&
	    (tracepoint_enabled(io_mapping_unmap) || !vaddr ||
	     !__iomc_atomic_held() ||
	     static_branch_unlikely(&__iomc_window_key))) {
		__iomc_unmap_atomic(vaddr);
		__iomc_keep_frame();
		return;
	}
	pagefault_enable();
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_enable();
	else
		migrate_enable();
}

static __always_inline void __iomem *
__iomc_inline_map_local_wc(struct io_mapping *mapping, unsigned long offset)
{
	if (static_branch_unlikely(&__iomc_checks_key) &&
	    (tracepoint_enabled(io_mapping_map) || !mapping ||
	     offset >= mapping->iomc_map_limit))
		return __iomc_call_ret(void __iomem *,
				       __iomc_map_local_wc(mapping, offset));
	return mapping->iomem + offset;
}

static __always_inline void __iomc_inline_unmap_local(void __iomem *vaddr)
{
	if (static_branch_unlikely(&__iomc_checks_key) &&
	    (tracepoint_enabled(io_mapping_unmap) ||
	     static_branch_unlikely(&__iomc_window_key))) {
		__iomc_unmap_local(vaddr);
		__iomc_keep_frame();
	}
}

/*
 * map_wc may sleep. With the checks on, __might_sleep() is might_sleep()'s
 * check (a splat under CONFIG_DEBUG_ATOMIC_SLEEP, nothing otherwise)
 * without its voluntary preemption point, which on PREEMPT_DYNAMIC kernels
 * (Debian's) is a call to __cond_resched() on every map: 13 ns a pair in
 * the TCG guest, four times the kernel's own inline map_wc, which has
 * neither.
 */
static __always_inline void __iomem *
__iomc_inline_map_wc(struct io_mapping *mapping, unsigned long offset,
		     unsigned long size)
{
	if (static_branch_unlikely(&__iomc_checks_key)) {
		__might_sleep(__FILE__, __LINE__);
		if (tracepoint_enabled(io_mapping_map) || !mapping ||
		    offset >= mapping->iomc_wc_limit)
			return __iomc_call_ret(void __iomem *,
					       __iomc_map_wc(mapping, offset, size));
	}
	return mapping->iomem + offset;
}

static __always_inline void __iomc_inline_unmap(void __iomem *vaddr)
{
	if (static_branch_unlikely(&__iomc_checks_key) &&
	    (tracepoint_enabled(io_mapping_unmap) ||
	     static_branch_unlikely(&__iomc_permap_key))) {
		__iomc_unmap(vaddr);
		__iomc_keep_frame();
	}
}

/* The API names, from here on (part 1's are calls of the functions). */
#undef io_mapping_map_atomic_wc
#undef io_mapping_unmap_atomic
#undef io_mapping_map_local_wc
#undef io_mapping_unmap_local
#undef io_mapping_map_wc
#undef io_mapping_unmap
#define io_mapping_map_atomic_wc(mapping, offset) \
	__iomc_inline_map_atomic_wc(mapping, offset)
#define io_mapping_unmap_atomic(vaddr) __iomc_inline_unmap_atomic(vaddr)
#define io_mapping_map_local_wc(mapping, offset) \
	__iomc_inline_map_local_wc(mapping, offset)
#define io_mapping_unmap_local(vaddr) __iomc_inline_unmap_local(vaddr)
#define io_mapping_map_wc(mapping, offset, size) \
	__iomc_inline_map_wc(mapping, offset, size)
#define io_mapping_unmap(vaddr) __iomc_inline_unmap(vaddr)

#endif /* !IOMC_IO_MAPPING_IMPL */
#endif /* part 2 */
