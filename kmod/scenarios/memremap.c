// SPDX-License-Identifier: GPL-2.0
/*
 * The memremap scenarios: memremap, devm_memremap, memunmap,
 * devm_memunmap and memremap_pages used rightly and wrongly, on the VGA's
 * BAR 0 (device memory) and on pages of System RAM. No tracepoint fires
 * here: iomap-checkd sees these calls through kprobes on the unmodified
 * kernel's functions. Expectations are in scenarios.c's scn_table.
 *
 * Each function is noinline and calls the API itself (no tail call: a
 * statement follows every call), so the call site symbolizes to it. The
 * scenario runner created an io_mapping (WC) over BAR 0; the WC memremaps
 * of the BAR agree with that memtype, and the pagemap scenarios free it
 * first (their WB/UC struct-page mapping would conflict).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/numa.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/minmax.h>
#include <linux/sched/signal.h>
#include <linux/platform_device.h>
#include <linux/device.h>
#include "scn.h"

#define P PAGE_SIZE

/* Keep the compiler from turning a final API call into a tail call. */
#define scn_barrier() barrier()

/* WB over System RAM: memremap hands out the direct map. Legal. */
noinline int scn_memremap_wb_ram(struct scn_ctx *c)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *v;

	if (!page)
		return -ENOMEM;
	v = memremap(page_to_phys(page), P, MEMREMAP_WB);
	if (v) {
		WRITE_ONCE(*(u32 *)v, 0x10ad10ad);
		memunmap(v);
	}
	__free_page(page);
	return v ? 0 : -EIO;
}

/* WC over the VGA BAR (device memory, no System RAM). Legal. */
noinline int scn_memremap_wc_bar(struct scn_ctx *c)
{
	void *v = memremap(c->base, 4 * P, MEMREMAP_WC);

	if (!v)
		return -EIO;
	scn_touch((void __iomem *)v);
	memunmap(v);
	scn_barrier();
	return 0;
}

/* devm_memremap and its explicit devm_memunmap. Legal. */
noinline int scn_devm_memremap_wc(struct scn_ctx *c)
{
	void *v = devm_memremap(c->dev, c->base, 2 * P, MEMREMAP_WC);

	if (IS_ERR(v))
		return PTR_ERR(v);
	scn_touch((void __iomem *)v);
	devm_memunmap(c->dev, v);
	scn_barrier();
	return 0;
}

/*
 * No type flag (memremap returns NULL) and an unknown flag bit next to
 * WC (the kernel ignores it and maps WC). Must report
 * memremap_bad_flags@scn_memremap_bad_flags (two call sites).
 */
noinline int scn_memremap_bad_flags(struct scn_ctx *c)
{
	void *v;

	v = memremap(c->base, P, 0);
	if (v) {
		memunmap(v);
		return -EINVAL;
	}
	v = memremap(c->base, P, MEMREMAP_WC | 0x100);
	if (v)
		memunmap(v);
	scn_barrier();
	return 0;
}

/*
 * WC over a page of System RAM: refused (it would alias the direct map
 * with another cache type); the kernel WARNs once per boot. Must report
 * memremap_refused@scn_memremap_refused_ram on every run.
 */
noinline int scn_memremap_refused_ram(struct scn_ctx *c)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *v;

	if (!page)
		return -ENOMEM;
	v = memremap(page_to_phys(page), P, MEMREMAP_WC);
	if (v)
		memunmap(v);
	__free_page(page);
	return v ? -EINVAL : 0;
}

/*
 * Two pages across the end of a top-level System RAM resource and into the
 * non-RAM resource right after it (on a PC: RAM up to 0x9fbff, then
 * "Reserved" and the legacy VGA window): a mixed range, refused even for
 * WB. Must report memremap_refused@scn_memremap_refused_mixed.
 */
noinline int scn_memremap_refused_mixed(struct scn_ctx *c)
{
	struct resource *r;
	resource_size_t phys = 0;
	void *v;

	for (r = iomem_resource.child; r; r = r->sibling) {
		if ((r->flags & IORESOURCE_SYSTEM_RAM) != IORESOURCE_SYSTEM_RAM ||
		    !r->sibling || r->sibling->start > r->end + P ||
		    (r->sibling->flags & IORESOURCE_SYSRAM))
			continue;
		phys = r->end & PAGE_MASK;
		if (region_intersects(phys, 2 * P, IORESOURCE_SYSTEM_RAM,
				      IORES_DESC_NONE) == REGION_MIXED)
			break;
		phys = 0;
	}
	if (!phys) {
		pr_err("memremap_refused_mixed: no RAM/non-RAM boundary found\n");
		return -ENODEV;
	}
	v = memremap(phys, 2 * P, MEMREMAP_WB);
	if (v)
		memunmap(v);
	scn_barrier();
	return v ? -EINVAL : 0;
}

/*
 * memunmap twice of a WC mapping: the second one finds no area (the
 * kernel prints "iounmap: bad address"). Must report
 * memunmap_unknown@scn_memunmap_double.
 */
noinline int scn_memunmap_double(struct scn_ctx *c)
{
	void *v = memremap(c->base, P, MEMREMAP_WC);

	if (!v)
		return -EIO;
	memunmap(v);
	memunmap(v);
	scn_barrier();
	return 0;
}

/*
 * memunmap twice of a WB memremap of RAM (the direct map): the kernel
 * says nothing on x86. Must report memunmap_unknown@scn_memunmap_direct_map.
 */
noinline int scn_memunmap_direct_map(struct scn_ctx *c)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *v;

	if (!page)
		return -ENOMEM;
	v = memremap(page_to_phys(page), P, MEMREMAP_WB);
	if (v) {
		memunmap(v);
		memunmap(v);
	}
	__free_page(page);
	return v ? 0 : -EIO;
}

/*
 * devm_memunmap of an address devm_memremap never returned (a plain
 * memremap's): devres finds nothing to release and WARNs. Must report
 * memunmap_unknown@scn_devm_memunmap_unknown.
 */
noinline int scn_devm_memunmap_unknown(struct scn_ctx *c)
{
	void *v = memremap(c->base, P, MEMREMAP_WC);

	if (!v)
		return -EIO;
	devm_memunmap(c->dev, (char *)v + 8);	/* not what was returned */
	memunmap(v);
	scn_barrier();
	return 0;
}

/*
 * A WC memremap of the BAR that the module never memunmaps, not even at
 * unload (once per load; last in the table, so that no pagemap scenario
 * of the same load meets its memtype). Nothing to report while it runs;
 * when the module is unloaded:
 * leak_on_unload@scn_memremap_leak_on_unload. The kernel keeps the area
 * for good: a real leak, which a test guest can afford.
 */
static void *scn_mr_parked;

noinline int scn_memremap_leak_on_unload(struct scn_ctx *c)
{
	if (scn_mr_parked)
		return 0;
	scn_mr_parked = memremap(c->base, P, MEMREMAP_WC);
	scn_barrier();
	return scn_mr_parked ? 0 : -EIO;
}

/*
 * ---- devres: a devm_memremap that devres unmaps ----------------------------
 *
 * A platform driver whose probe devm_memremaps the VGA BAR, like a real
 * driver maps its registers, and then either fails (the device lacks a
 * feature: devres unmaps the BAR as the probe returns) or succeeds (devres
 * unmaps it when the device is unbound). Either way the mapping is gone:
 * nothing to report, not at the time, not when the module is unloaded.
 * The driver and its device live only for the scenario.
 */
#define SCN_DEVRES_NAME "iomc_scn_devres"

static resource_size_t scn_devres_phys;
static int scn_devres_err;	/* what the probe returns after mapping */
static void *scn_devres_va;	/* what the probe mapped (NULL: nothing) */

static noinline int scn_devres_probe(struct platform_device *pdev)
{
	void *v = devm_memremap(&pdev->dev, scn_devres_phys, 2 * P, MEMREMAP_WC);

	if (IS_ERR(v))
		return PTR_ERR(v);
	scn_touch((void __iomem *)v);
	scn_devres_va = v;
	return scn_devres_err;
}

static struct platform_driver scn_devres_drv = {
	.probe = scn_devres_probe,
	.driver = { .name = SCN_DEVRES_NAME },
};

/*
 * Bind a fresh device to the driver with a probe returning 'err', then
 * unbind (err 0) and take both away. -EIO if the probe did not map, or
 * the binding is not what the probe said.
 */
static int scn_devres_run(struct scn_ctx *c, int err)
{
	struct platform_device *pdev;
	int ret;

	scn_devres_phys = c->base;
	scn_devres_err = err;
	scn_devres_va = NULL;
	ret = platform_driver_register(&scn_devres_drv);
	if (ret)
		return ret;
	/* the probe runs now, synchronously (platform drivers are not
	 * probed asynchronously unless they ask) */
	pdev = platform_device_register_simple(SCN_DEVRES_NAME, PLATFORM_DEVID_NONE,
					       NULL, 0);
	if (IS_ERR(pdev)) {
		ret = PTR_ERR(pdev);
	} else {
		if (!scn_devres_va || !!pdev->dev.driver != !err) {
			pr_err("devres: probe mapped %p, device %sbound, want %s\n",
			       scn_devres_va, pdev->dev.driver ? "" : "not ",
			       err ? "unbound" : "bound");
			ret = -EIO;
		}
		if (pdev->dev.driver)
			device_release_driver(&pdev->dev);	/* unbind */
		platform_device_unregister(pdev);
	}
	platform_driver_unregister(&scn_devres_drv);
	return ret;
}

/* The probe devm_memremaps, then fails: devres unmaps. Legal. */
noinline int scn_devm_probe_failed(struct scn_ctx *c)
{
	return scn_devres_run(c, -ENODEV);
}

/* The probe devm_memremaps and succeeds; an unbind unmaps. Legal. */
noinline int scn_devm_unbind(struct scn_ctx *c)
{
	return scn_devres_run(c, 0);
}

/*
 * A plain memremap in the module's __init code, never memunmapped (at every
 * load): when the module is unloaded, leak_on_unload@scn_init_memremap,
 * named although init text was freed right after init. WB of a page of
 * System RAM: memremap hands out the direct map, so nothing real leaks and
 * no memtype of the BAR is taken.
 */
static struct page *scn_init_mr_page;

noinline int __init scn_init_memremap(void)
{
	void *v;

	scn_init_mr_page = alloc_page(GFP_KERNEL);
	if (!scn_init_mr_page)
		return -ENOMEM;
	v = memremap(page_to_phys(scn_init_mr_page), P, MEMREMAP_WB);
	scn_barrier();
	return v ? 0 : -EIO;
}

void scn_init_memremap_exit(void)
{
	if (scn_init_mr_page)
		__free_page(scn_init_mr_page);
}

static struct dev_pagemap *scn_pgmap(void)
{
	return kzalloc(sizeof(struct dev_pagemap), GFP_KERNEL);
}

/*
 * struct pages over the VGA BAR for MEMORY_DEVICE_GENERIC, a type that
 * expects host memory: the kernel does it without a word. Must report
 * pagemap_mmio@scn_pagemap_mmio.
 */
noinline int scn_pagemap_mmio(struct scn_ctx *c)
{
	struct dev_pagemap *pgmap = scn_pgmap();
	void *v;

	if (!pgmap)
		return -ENOMEM;
	op_free(c->m);		/* its WC memtype would conflict */
	c->m = NULL;
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->range.start = c->base;
	pgmap->range.end = c->base + c->size - 1;
	pgmap->nr_range = 1;
	v = memremap_pages(pgmap, NUMA_NO_NODE);
	if (!IS_ERR(v))
		memunmap_pages(pgmap);
	else
		pr_info("pagemap_mmio: memremap_pages: %ld\n", PTR_ERR(v));
	kfree(pgmap);
	return 0;
}

/*
 * A dev_pagemap handed over zeroed: no type, no range (the kernel WARNs
 * about nr_range and refuses). Must report pagemap_uninit@scn_pagemap_uninit.
 */
noinline int scn_pagemap_uninit(struct scn_ctx *c)
{
	struct dev_pagemap *pgmap = scn_pgmap();
	void *v;

	if (!pgmap)
		return -ENOMEM;
	v = memremap_pages(pgmap, NUMA_NO_NODE);
	if (!IS_ERR(v))
		memunmap_pages(pgmap);
	kfree(pgmap);
	return IS_ERR(v) ? 0 : -EINVAL;
}

/* ---- benchmark: what a memremap/memunmap pair costs ------------------------ */

/* ns for 'pairs' memremap/memunmap pairs of one page at phys, flags. */
static u64 scn_mr_bench_run(resource_size_t phys, unsigned long flags,
			    unsigned long pairs)
{
	unsigned long i;
	u64 t0 = ktime_get_ns();
	void *v;

	for (i = 0; i < pairs; i++) {
		v = memremap(phys, P, flags);
		if (!v)
			return U64_MAX;
		memunmap(v);
		if (!(i % 1024)) {
			cond_resched();
			if (signal_pending(current))
				return U64_MAX - 1;	/* interrupted */
		}
	}
	return ktime_get_ns() - t0;
}

/*
 * `memremap KIND PAIRS NS_PER_PAIR` lines: KIND wbram (a page of RAM, the
 * direct map: the cheapest call, so the probes' share is largest) and
 * wcbar (a page of the VGA BAR: a new ioremap each time). Fastest of reps.
 */
int scn_mr_bench(struct seq_file *s, resource_size_t base, unsigned long pairs,
		 unsigned int reps)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u64 wb = U64_MAX, wc = U64_MAX, tenths;
	unsigned int r;

	if (!page)
		return -ENOMEM;
	for (r = 0; r < max(reps, 1U); r++) {
		wb = min(wb, scn_mr_bench_run(page_to_phys(page), MEMREMAP_WB, pairs));
		wc = min(wc, scn_mr_bench_run(base, MEMREMAP_WC, pairs));
		if (signal_pending(current))
			break;
	}
	__free_page(page);
	if (wb == U64_MAX - 1 || wc == U64_MAX - 1)
		return -EINTR;
	if (wb == U64_MAX || wc == U64_MAX)
		return -EIO;
	tenths = div64_u64(wb * 10, pairs);
	seq_printf(s, "memremap wbram %lu %llu.%llu\n", pairs, tenths / 10, tenths % 10);
	tenths = div64_u64(wc * 10, pairs);
	seq_printf(s, "memremap wcbar %lu %llu.%llu\n", pairs, tenths / 10, tenths % 10);
	return 0;
}
