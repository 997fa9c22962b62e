// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark half using the kernel's own static inline io_mapping: this
 * file alone is built WITHOUT the drop-in header (see Kbuild), so
 * <linux/io-mapping.h> is the kernel's. Its struct io_mapping differs from
 * the drop-in's, which is why only plain values cross bench.h.
 */
#include <linux/io-mapping.h>
#include "bench_loops.h"

#ifdef IOMAP_CHECK_IO_MAPPING
#error "bench_inline.c must see the kernel's own io-mapping.h"
#endif

void *iomc_bench_inline_setup(resource_size_t base, unsigned long size)
{
	return bench_setup(base, size);
}

u64 iomc_bench_inline_run(void *h, unsigned int kind, unsigned long pairs)
{
	return bench_run(h, kind, pairs);
}

void iomc_bench_inline_teardown(void *h)
{
	bench_teardown(h);
}
