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

void *iomc_bench_module_setup(resource_size_t base, unsigned long size)
{
	return bench_setup(base, size);
}

u64 iomc_bench_module_run(void *h, unsigned int kind, unsigned long pairs)
{
	return bench_run(h, kind, pairs);
}

void iomc_bench_module_teardown(void *h)
{
	bench_teardown(h);
}
