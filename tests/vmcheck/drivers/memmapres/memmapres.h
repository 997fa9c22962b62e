/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMMAPRES_H
#define MEMMAPRES_H
#include <linux/types.h>
u32 memmapres_read32(unsigned int i);
#endif
