/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The hash mixer of every userspace table (MurmurHash3's 64-bit finalizer). */
#ifndef IOMC_LIB_HASH_H
#define IOMC_LIB_HASH_H

#include <linux/types.h>

static inline __u64 iomc_hash64(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

#endif
