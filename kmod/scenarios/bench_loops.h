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
#include <linux/errno.h>
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

/* Best (minimum) of @reps runs of each kind, in ns, into ns[kind]. */
static int bench_run(resource_size_t base, unsigned long size,
		     unsigned long pairs, unsigned int reps, u64 ns[3])
{
	static u64 (* const fns[3])(struct io_mapping *, unsigned long) = {
		[IOMC_KIND_ATOMIC] = bench_atomic,
		[IOMC_KIND_LOCAL] = bench_local,
		[IOMC_KIND_WC] = bench_wc,
	};
	struct io_mapping *m;
	unsigned int k, r;

	if (size < BENCH_OFFSET(15) + PAGE_SIZE)
		return -EINVAL;
	m = io_mapping_create_wc(base, size);
	if (!m)
		return -EIO;
	for (k = 0; k < 3; k++) {
		ns[k] = U64_MAX;
		for (r = 0; r < max(reps, 1U); r++) {
			ns[k] = min(ns[k], fns[k](m, pairs));
			cond_resched();
		}
	}
	io_mapping_free(m);
	return 0;
}

#endif /* IOMC_BENCH_LOOPS_H */
