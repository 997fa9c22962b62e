// SPDX-License-Identifier: GPL-2.0
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

#include "iomc_mr.h"

/*
 * The kernel's resource tree root, &iomem_resource, set by the loader from
 * the kallsyms it reads anyway (checkd_syms.c); 0: not known, ranges stay
 * unknown. (A __ksym made libbpf read /proc/kallsyms once more at load.)
 */
const volatile __u64 iomc_iomem_resource = 0;

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
	__u32 ram, other, mmio, pad;	/* seen: 0 or 1 (not counts, see below) */
};

/* "PCI Bus" and its NUL as one little-endian word */
#define PCI_BUS_WORD 0x0073754220494350ULL

/*
 * One top-level resource per call. The verifier of 6.7 and later checks a
 * bpf_loop callback as a loop body, again for every state it has not seen
 * at the callback's entry: the walk's state must take few values, so it
 * keeps flags set to 1, never counts (counts made 6.12 and 7.x verify the
 * body 128 times: 34,000 instructions for each of the four memremap entry
 * programs, seconds of every daemon start under emulation).
 */
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
			w->ram = 1;
		} else {
			w->other = 1;
			bpf_probe_read_kernel_str(&name, sizeof(name),
						  BPF_CORE_READ(p, name));
			if (name == PCI_BUS_WORD)
				w->mmio = 1;
		}
	}
	w->p = BPF_CORE_READ(p, sibling);
	return 0;
}

__noinline int g_region(struct iomc_mr_pend *q)
{
	struct region_walk w = {};

	if (!q)
		return 0;
	q->region = IOMC_REGION_UNKNOWN;
	q->mmio = 0;
	if (!iomc_iomem_resource || !q->size)
		return 0;
	w.lo = q->phys;
	w.hi = q->phys + q->size - 1;
	w.p = BPF_CORE_READ((struct resource *)iomc_iomem_resource, child);
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

static __always_inline int mr_remap_enter(struct pt_regs *regs, __u32 api,
					  __u64 phys, __u64 size, __u64 flags)
{
	struct iomc_mr_pend *q = mr_enter(regs, api);

	if (!q)
		return 0;
	q->phys = phys;
	q->size = size;
	q->low = (__u32)flags;
	g_region(q);
	return 0;
}

__noinline int g_check_memremap(struct iomc_scratch *sc)
{
	if (sc)
		iomc_check_memremap(IOMC_BPF_RULES, &sc->ev, &sc->vd);
	return 0;
}

__noinline int g_check_memunmap(struct iomc_scratch *sc, const struct iomc_mr *mr,
			    int inner)
{
	if (sc)
		iomc_check_memunmap(IOMC_BPF_RULES, &sc->ev, mr, mr_untracked != 0,
				    inner, &sc->vd);
	return 0;
}

/* Name the site of live memremap va now, while its code is there. */
__noinline int g_mr_name(__u64 va, __u64 site)
{
	struct iomc_mr_name *n;
	__u64 k = va;

	bpf_map_update_elem(&mr_names, &k, &zero_mr_name, BPF_ANY);
	n = bpf_map_lookup_elem(&mr_names, &k);
	if (n && site)
		bpf_snprintf(n->sym, sizeof(n->sym), sym_fmt, &site, sizeof(site));
	return 0;
}

/*
 * memunmap_pages(pgmap) from inside this task's memremap_pages of the same
 * pgmap: that call failing part-way and undoing itself (abi.h:
 * IOMC_MEMUNMAP_FAILED_REMAP), not the end of a pagemap made before.
 */
static __always_inline __u64 failed_remap(__u64 pgmap)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct iomc_mr_pend *q = bpf_map_lookup_elem(&mr_pend, &tid);

	return q && q->pgmap == pgmap &&
	       (q->api == IOMC_MR_MEMREMAP_PAGES ||
		q->api == IOMC_MR_DEVM_MEMREMAP_PAGES) ?
	       IOMC_MEMUNMAP_FAILED_REMAP : 0;
}

/* addr: the address unmapped, or the pgmap for IOMC_MR_MEMUNMAP_PAGES */
static __always_inline int mr_unmap(void *ctx, __u32 api, __u64 addr,
				    __u64 site)
{
	struct iomc_scratch *sc;
	struct iomc_mr *mr = 0, *in = 0;
	__u64 va, pg;

	sc = begin(SLOT_KPROBE, IOMC_EV_MEMUNMAP, IOMC_CTX_TASK);
	if (!sc)
		return 0;
	mr_count();
	sc->ev.kind = api;
	if (api == IOMC_MR_MEMUNMAP_PAGES) {
		sc->ev.mapping = addr;
		sc->ev.arg = failed_remap(addr);
	} else {
		sc->ev.vaddr = addr;
	}
	sc->ev.caller = site;
	record(&sc->ev);
	va = iomc_memunmap_key(&sc->ev);
	if (va)
		mr = bpf_map_lookup_elem(&mrs, &va);
	pg = iomc_memunmap_page_key(&sc->ev);
	if ((!mr || !mr->count) && pg)
		in = bpf_map_lookup_elem(&mrs, &pg);
	if (in && in->count) {
		/* inside a live memremap: that one is unmapped */
		mr = in;
		va = pg;
	}
	g_check_memunmap(sc, mr, in && mr == in);
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

/* An unmap of addr inside the devm unmap this task has in progress? */
static __always_inline int in_devm_unmap(struct pt_regs *regs, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct iomc_devm_unmap *d = bpf_map_lookup_elem(&mr_devm_unmap, &tid);
	__u64 cur = 0;

	return d && d->addr == addr && PT_REGS_SP(regs) <= d->sp &&
	       !bpf_probe_read_kernel(&cur, sizeof(cur), (void *)d->sp) &&
	       cur == d->ret;
}

/* Mark the devm unmap of addr entered here for in_devm_unmap. */
static __always_inline __u64 devm_unmap_begin(struct pt_regs *regs, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct iomc_devm_unmap d;

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

/*
 * The end of a pagemap: memunmap_pages(pgmap), or devres releasing a
 * devm_memremap_pages (devm_memremap_pages_release(pgmap), which may have
 * memunmap_pages inlined; when it calls it, the second finds nothing).
 * Never reported: it only takes the pagemap out of the live table.
 */
SEC("kprobe/memunmap_pages")
int BPF_KPROBE(iomc_memunmap_pages, void *pgmap)
{
	return mr_unmap(ctx, IOMC_MR_MEMUNMAP_PAGES, (__u64)pgmap, entry_site(ctx));
}

SEC("kprobe/devm_memremap_pages_release")
int BPF_KPROBE(iomc_devm_memremap_pages_release, void *pgmap)
{
	return mr_unmap(ctx, IOMC_MR_MEMUNMAP_PAGES, (__u64)pgmap, entry_site(ctx));
}

/*
 * Never attached: lets tests drive the memremap rules through
 * BPF_PROG_TEST_RUN, past the kprobes (which cannot be test-run) and the
 * iomem lookup (the region and MMIO bit come in 'arg', IOMC_MR_ARG).
 * (type, api, phys or the unmapped address, size, result, arg, call site,
 * nr_range, owner: what init_owner would have said, pgmap). A memunmap
 * with IOMC_MEMUNMAP_FAILED_REMAP in arg is made inside a memremap_pages
 * of that pgmap in progress, for failed_remap() to find.
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_memremap, __u64 type, __u64 api, __u64 phys, __u64 size,
	     __u64 ret, __u64 arg, __u64 caller, __u64 nr_range, __u64 owner,
	     __u64 pgmap)
{
	struct iomc_mr_pend q = {};
	__u32 tid;

	if (type == IOMC_EV_MEMUNMAP && (arg & IOMC_MEMUNMAP_FAILED_REMAP)) {
		/* from inside a failing memremap_pages of that pgmap */
		tid = (__u32)bpf_get_current_pid_tgid();
		q.api = IOMC_MR_MEMREMAP_PAGES;
		q.pgmap = phys;
		bpf_map_update_elem(&mr_pend, &tid, &q, BPF_ANY);
		mr_unmap(ctx, (__u32)api, phys, caller);
		bpf_map_delete_elem(&mr_pend, &tid);
		return 0;
	}
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
	q.owner = owner;
	q.pgmap = pgmap;
	mr_finish(ctx, &q, ret);
	return 0;
}


