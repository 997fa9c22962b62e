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

int iomc_bench_inline(resource_size_t base, unsigned long size,
		      unsigned long pairs, unsigned int reps, u64 ns[3])
{
	return bench_run(base, size, pairs, reps, ns);
}
