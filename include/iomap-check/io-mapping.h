/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop-in replacement for <linux/io-mapping.h> backed by iomap_check.ko.
 *
 * Compile a driver with `-include` of this file (and KBUILD_EXTRA_SYMBOLS
 * pointing at iomap_check's Module.symvers) and every io_mapping call it
 * makes goes to iomap_check.ko, which fires a tracepoint for it, instead
 * of the kernel's static inline version. The driver's source is unchanged:
 * this header owns the kernel header's include guard, so the driver's own
 * #include <linux/io-mapping.h> becomes a no-op.
 *
 * Names, signatures and the public fields of struct io_mapping are the
 * kernel's (64-bit, !CONFIG_HAVE_ATOMIC_IOMAP variant).
 */
#ifndef _LINUX_IO_MAPPING_H
#define _LINUX_IO_MAPPING_H

/* Lets code (and tests) tell that the traced API is in use. */
#define IOMAP_CHECK_IO_MAPPING 1

/*
 * Only what struct io_mapping and the prototypes need. The kernel's header
 * also pulls in slab.h, bug.h, io.h, pgtable.h, asm/page.h and uaccess.h;
 * this one must not: forced in with -include it comes before the first
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
	/* Private to iomap_check.ko: drivers must not touch these. */
	u32 iomc_state;		/* IOMC_STATE_* in iomap_check.c */
	u32 iomc_flags;		/* IOMC_F_* in iomap_check.c */
};

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
 * Provided by the kernel itself (mm/io-mapping.c); it reads only the
 * public fields, whose layout is unchanged.
 */
int io_mapping_map_user(struct io_mapping *iomap, struct vm_area_struct *vma,
			unsigned long addr, unsigned long pfn,
			unsigned long size);

#endif /* _LINUX_IO_MAPPING_H */
