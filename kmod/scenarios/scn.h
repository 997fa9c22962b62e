/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iomap_scenarios.ko internals shared by the runner (main.c) and the
 * scenarios (scenarios.c). Compiled with the drop-in io-mapping.h forced
 * in by `--include`, like any driver checked with iomap-check.
 */
#ifndef IOMC_SCN_H
#define IOMC_SCN_H

#include <linux/io-mapping.h>
#include <linux/types.h>
#include <linux/io.h>
#include <asm/page.h>
#include <iomap-check/events.h>

#ifndef IOMAP_CHECK_IO_MAPPING
#error "build with --include=include/iomap-check/io-mapping.h (kmod/build-driver.sh)"
#endif

/* What a scenario gets from the runner. */
struct scn_ctx {
	/*
	 * Created by the runner with io_mapping_create_wc on BAR 0 and
	 * freed after the scenario; a scenario that frees it itself sets
	 * it to NULL.
	 */
	struct io_mapping *m;
	resource_size_t base;	/* BAR 0 */
	unsigned long size;
	struct device *dev;	/* the VGA (devm_memremap's device) */
};

struct scn_def {
	const char *name;
	int (*fn)(struct scn_ctx *c);
	/* `-` or comma list of rule@function a checker must report. */
	const char *expect;
	/* Splat the kernel itself prints in this scenario, or NULL. */
	const char *kernel;
	/*
	 * Comma list of rule@function a checker must report when the module
	 * is unloaded after this scenario ran (leak_on_unload), or NULL.
	 */
	const char *unload;
	/*
	 * What a checker must report when iomap_check.ko runs with
	 * strategy=window (a use after unmap faults there only), or NULL:
	 * the same as expect.
	 */
	const char *window;
};

/* memremap.c: the memremap API scenarios (no io_mapping call). */
int scn_memremap_wb_ram(struct scn_ctx *c);
int scn_memremap_wc_bar(struct scn_ctx *c);
int scn_devm_memremap_wc(struct scn_ctx *c);
int scn_memremap_bad_flags(struct scn_ctx *c);
int scn_memremap_refused_ram(struct scn_ctx *c);
int scn_memremap_refused_mixed(struct scn_ctx *c);
int scn_memunmap_double(struct scn_ctx *c);
int scn_memremap_leak_on_unload(struct scn_ctx *c);
int scn_memunmap_direct_map(struct scn_ctx *c);
int scn_devm_memunmap_unknown(struct scn_ctx *c);
int scn_devm_probe_failed(struct scn_ctx *c);
int scn_devm_unbind(struct scn_ctx *c);
int scn_init_memremap(void);
void scn_init_memremap_exit(void);
int scn_pagemap_mmio(struct scn_ctx *c);
int scn_pagemap_uninit(struct scn_ctx *c);
struct seq_file;
/* `memremap KIND PAIRS NS` lines: the cost of a memremap/memunmap pair. */
int scn_mr_bench(struct seq_file *s, resource_size_t base, unsigned long pairs,
		 unsigned int reps);

extern const struct scn_def scn_table[];
extern const unsigned int scn_count;

/* The ops log (main.c): every API call a scenario made, irq safe. */
void scn_log_create(const struct io_mapping *m, unsigned long size);
void scn_log_free(const struct io_mapping *m);
void scn_log_map(unsigned int kind, unsigned long offset, unsigned long len,
		 const void __iomem *vaddr);
void scn_log_unmap(unsigned int kind, const void __iomem *vaddr);

/*
 * API call + log. Always inlined, and the log call comes after the API
 * call, so the API is called from the scenario function itself (never as
 * a tail call): the tracepoint's caller symbolizes to that function.
 * Failed creates are not logged: they fire no event.
 */
static __always_inline struct io_mapping *op_create(resource_size_t base,
						    unsigned long size)
{
	struct io_mapping *m = io_mapping_create_wc(base, size);

	if (m)
		scn_log_create(m, size);
	return m;
}

static __always_inline struct io_mapping *op_init(struct io_mapping *iomap,
						  resource_size_t base,
						  unsigned long size)
{
	struct io_mapping *m = io_mapping_init_wc(iomap, base, size);

	if (m)
		scn_log_create(m, size);
	return m;
}

static __always_inline void op_free(struct io_mapping *m)
{
	io_mapping_free(m);
	scn_log_free(m);
}

static __always_inline void op_fini(struct io_mapping *m)
{
	io_mapping_fini(m);
	scn_log_free(m);
}

static __always_inline void __iomem *op_map_atomic(struct io_mapping *m,
						   unsigned long offset)
{
	void __iomem *v = io_mapping_map_atomic_wc(m, offset);

	scn_log_map(IOMC_KIND_ATOMIC, offset, PAGE_SIZE, v);
	return v;
}

static __always_inline void __iomem *op_map_local(struct io_mapping *m,
						  unsigned long offset)
{
	void __iomem *v = io_mapping_map_local_wc(m, offset);

	scn_log_map(IOMC_KIND_LOCAL, offset, PAGE_SIZE, v);
	return v;
}

static __always_inline void __iomem *op_map_wc(struct io_mapping *m,
					       unsigned long offset,
					       unsigned long len)
{
	void __iomem *v = io_mapping_map_wc(m, offset, len);

	scn_log_map(IOMC_KIND_WC, offset, len, v);
	return v;
}

static __always_inline void op_unmap_atomic(void __iomem *v)
{
	io_mapping_unmap_atomic(v);
	scn_log_unmap(IOMC_KIND_ATOMIC, v);
}

static __always_inline void op_unmap_local(void __iomem *v)
{
	io_mapping_unmap_local(v);
	scn_log_unmap(IOMC_KIND_LOCAL, v);
}

static __always_inline void op_unmap(void __iomem *v)
{
	io_mapping_unmap(v);
	scn_log_unmap(IOMC_KIND_WC, v);
}

/* Use a map like a driver would: write a word and read it back. */
static __always_inline void scn_touch(void __iomem *v)
{
	if (v) {
		writel(0x10ad10ad, v);
		(void)readl(v);
	}
}

#endif /* IOMC_SCN_H */
