/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's two halves: bench_module.c (this module's API through
 * the drop-in header) and bench_inline.c (the kernel's own static inline
 * io_mapping). Both include bench_loops.h, so they run the same loops;
 * only struct io_mapping and the functions behind the names differ. No
 * io_mapping type crosses this interface: the two TUs disagree on it.
 */
#ifndef IOMC_BENCH_H
#define IOMC_BENCH_H

#include <linux/types.h>

/*
 * Each half: setup creates an io_mapping of [base, base + size) with its
 * own implementation and returns it as an opaque handle (NULL on
 * failure); run times @pairs map/readl/unmap pairs of @kind (enum
 * iomc_kind) and returns ns; teardown frees the mapping. main.c
 * interleaves the two halves so that both see the same conditions.
 */
void *iomc_bench_inline_setup(resource_size_t base, unsigned long size);
u64 iomc_bench_inline_run(void *h, unsigned int kind, unsigned long pairs);
void iomc_bench_inline_teardown(void *h);

void *iomc_bench_module_setup(resource_size_t base, unsigned long size);
u64 iomc_bench_module_run(void *h, unsigned int kind, unsigned long pairs);
void iomc_bench_module_teardown(void *h);

/* Where the loops store what they read, so nothing is optimized away. */
extern u32 iomc_bench_sink;

#endif /* IOMC_BENCH_H */
