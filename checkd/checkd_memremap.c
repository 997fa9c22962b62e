// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The memremap hooks: kprobes (entry) and kretprobes (return) on the
 * exported memremap API of the running kernel, and the live table's seed.
 *
 * Seed: memremaps made before the daemon attached (a pmem namespace mapped
 * at boot, say) are unmapped later; without them the table would call that
 * memunmap unknown. /proc/vmallocinfo names the caller of every ioremap'd
 * area, and a memremap that is not the direct map is an ioremap made by
 * memremap() itself ("memremap+0x.."), so those areas are put in the table
 * (site unknown) before the probes are attached. A WB memremap of System
 * RAM (the direct map) leaves no such trace: one made before the daemon
 * started and unmapped after it is reported (docs/iomap-checkd.md,
 * memremap: Limits).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "checkd_attach.h"
#include "iomap_checkd.skel.h"

struct mr_hook {
	const char *func;
	size_t entry, ret;	/* offsetof the programs in the skeleton's progs */
};

#define PROG(name) offsetof(struct iomap_checkd, progs.name)
static const struct mr_hook mr_hooks[] = {
	{ "memremap", PROG(iomc_memremap), PROG(iomc_memremap_ret) },
	{ "devm_memremap", PROG(iomc_devm_memremap), PROG(iomc_devm_memremap_ret) },
	{ "memremap_pages", PROG(iomc_memremap_pages), PROG(iomc_memremap_pages_ret) },
	{ "devm_memremap_pages", PROG(iomc_devm_memremap_pages),
	  PROG(iomc_devm_memremap_pages_ret) },
	{ "memunmap", PROG(iomc_memunmap), 0 },
	{ "devm_memunmap", PROG(iomc_devm_memunmap), 0 },
	/* devres' release of a devm_memremap (kernel/iomem.c, static): the
	 * memunmap it makes is inlined, no other hook sees it */
	{ "devm_memremap_release", PROG(iomc_devm_memremap_release), 0 },
	/* the end of a pagemap (leak_on_unload): memunmap_pages, and devres'
	 * release of a devm one (mm/memremap.c, static), which may inline it */
	{ "memunmap_pages", PROG(iomc_memunmap_pages), 0 },
	{ "devm_memremap_pages_release", PROG(iomc_devm_memremap_pages_release), 0 },
};
#undef PROG

static struct bpf_program *prog_at(struct ck_bpf *b, size_t off)
{
	return *(struct bpf_program **)((char *)b->skel + off);
}

int ck_mr_seed(struct ck_bpf *b)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	int fd = bpf_map__fd(b->skel->maps.mrs), n = 0;
	unsigned long long lo, hi, size;
	char line[512];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct iomc_mr mr = { .count = 1, .api = IOMC_MR_MEMREMAP };
		__u64 key;

		if (!strstr(line, " memremap+") || !strstr(line, "ioremap"))
			continue;
		if (sscanf(line, "0x%llx-0x%llx %llu", &lo, &hi, &size) != 3 || !lo)
			continue;
		/* the area has a guard page; memremap returned its start
		 * plus the offset within the first page, which a line
		 * does not tell: the page-aligned start is the common case */
		key = lo;
		mr.size = size;
		if (!bpf_map_update_elem(fd, &key, &mr, BPF_NOEXIST))
			n++;
	}
	fclose(f);
	return n;
}

int ck_mr_attach(struct ck_bpf *b, int (*add)(struct ck_bpf *, struct bpf_link *),
		 void (*skip)(struct ck_bpf *, const char *))
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(mr_hooks) / sizeof(mr_hooks[0]); i++) {
		const struct mr_hook *h = &mr_hooks[i];
		int err;

		/* the return first: an entry without it would leave a pending
		 * call that mutes the task's later calls */
		err = h->ret ? add(b, bpf_program__attach_kprobe(prog_at(b, h->ret),
								 true, h->func)) : 0;
		if (!err)
			err = add(b, bpf_program__attach_kprobe(prog_at(b, h->entry),
								false, h->func));
		if (err)
			skip(b, h->func);
		else
			n++;
	}
	return n;
}
