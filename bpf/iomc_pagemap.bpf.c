// SPDX-License-Identifier: GPL-2.0
/*
 * memremap_pages and devm_memremap_pages (pagemap rules): the dev_pagemap's
 * type and range at the entry, checked at the return (iomc_mr.h).
 */
#include "iomc_mr.h"

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
	struct iomc_mr_pend *q = mr_enter(regs, api);
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

__noinline int g_check_pagemap(struct iomc_scratch *sc)
{
	if (sc)
		iomc_check_pagemap(IOMC_BPF_RULES, &sc->ev, &sc->vd);
	return 0;
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

