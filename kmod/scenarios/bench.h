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

/* ns[] is indexed by enum iomc_kind: atomic, local, wc. */
int iomc_bench_inline(resource_size_t base, unsigned long size,
		      unsigned long pairs, unsigned int reps, u64 ns[3]);
int iomc_bench_module(resource_size_t base, unsigned long size,
		      unsigned long pairs, unsigned int reps, u64 ns[3]);

/* Where the loops store what they read, so nothing is optimized away. */
extern u32 iomc_bench_sink;

#endif /* IOMC_BENCH_H */
