// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark half using iomap_check.ko's exported io_mapping (the drop-in
 * header is forced in by --include, like in every file of this module
 * except bench_inline.c).
 */
#include <linux/io-mapping.h>
#include "bench_loops.h"

#ifndef IOMAP_CHECK_IO_MAPPING
#error "bench_module.c must be built with the drop-in io-mapping.h"
#endif

int iomc_bench_module(resource_size_t base, unsigned long size,
		      unsigned long pairs, unsigned int reps, u64 ns[3])
{
	return bench_run(base, size, pairs, reps, ns);
}
