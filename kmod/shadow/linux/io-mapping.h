/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Found instead of the kernel's <linux/io-mapping.h> by drivers built with
 * kmod/build-driver.sh, which puts this directory before the kernel's
 * include/ (through NOSTDINC_FLAGS: the only Kbuild flags that come before
 * the kernel's own -I options).
 *
 * A file that got the drop-in forced in (`-include`) gets its second part
 * here, the inline fast paths: the driver includes this after its own
 * pr_fmt/DEBUG, so the headers they need are harmless now (see
 * include/iomap-check/io-mapping.h). A file exempted from the drop-in
 * (CFLAGS_REMOVE_foo.o := $(IOMC_INCLUDE)) gets the kernel's header.
 *
 * No include guard: each part has its own.
 */
#ifdef IOMAP_CHECK_IO_MAPPING
#define IOMC_IO_MAPPING_INLINE 1
#include "../../../include/iomap-check/io-mapping.h"
#else
#include_next <linux/io-mapping.h>
#endif
