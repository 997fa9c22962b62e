/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark loops, included by bench_module.c and bench_inline.c after
 * each has chosen its io_mapping implementation. One pair = map, one readl
 * through the map (the work a driver does, and a volatile access the
 * compiler cannot drop), unmap. The offset cycles over 16 pages so that
 * it is not a loop constant.
 */
#ifndef IOMC_BENCH_LOOPS_H
#define IOMC_BENCH_LOOPS_H

#include <linux/kernel.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/limits.h>
#include <iomap-check/events.h>
#include "bench.h"

#define BENCH_OFFSET(i) (((i) & 15UL) << PAGE_SHIFT)

static noinline u64 bench_atomic(struct io_mapping *m, unsigned long pairs)
{
	unsigned long i;
	u32 sum = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < pairs; i++) {
		void __iomem *v = io_mapping_map_atomic_wc(m, BENCH_OFFSET(i));

		sum += readl(v);
		io_mapping_unmap_atomic(v);
	}
	t0 = ktime_get_ns() - t0;
	WRITE_ONCE(iomc_bench_sink, sum);
	return t0;
}

static noinline u64 bench_local(struct io_mapping *m, unsigned long pairs)
{
	unsigned long i;
	u32 sum = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < pairs; i++) {
		void __iomem *v = io_mapping_map_local_wc(m, BENCH_OFFSET(i));

		sum += readl(v);
		io_mapping_unmap_local(v);
	}
	t0 = ktime_get_ns() - t0;
	WRITE_ONCE(iomc_bench_sink, sum);
	return t0;
}

static noinline u64 bench_wc(struct io_mapping *m, unsigned long pairs)
{
	unsigned long i;
	u32 sum = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < pairs; i++) {
		void __iomem *v = io_mapping_map_wc(m, BENCH_OFFSET(i),
						    PAGE_SIZE);

		sum += readl(v);
		io_mapping_unmap(v);
	}
	t0 = ktime_get_ns() - t0;
	WRITE_ONCE(iomc_bench_sink, sum);
	return t0;
}

#define BENCH_MIN_SIZE (BENCH_OFFSET(15) + PAGE_SIZE)

static void *bench_setup(resource_size_t base, unsigned long size)
{
	if (size < BENCH_MIN_SIZE)
		return NULL;
	return io_mapping_create_wc(base, size);
}

static u64 bench_run(void *h, unsigned int kind, unsigned long pairs)
{
	switch (kind) {
	case IOMC_KIND_ATOMIC:
		return bench_atomic(h, pairs);
	case IOMC_KIND_LOCAL:
		return bench_local(h, pairs);
	default:
		return bench_wc(h, pairs);
	}
}

static void bench_teardown(void *h)
{
	io_mapping_free(h);
}

#endif /* IOMC_BENCH_LOOPS_H */
