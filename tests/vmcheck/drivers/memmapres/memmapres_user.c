// SPDX-License-Identifier: GPL-2.0
/* memmapres_user: needs memmapres_core (loaded first) and reads through it. */
#include <linux/module.h>

#include "memmapres.h"

static int __init memmapres_user_init(void)
{
	pr_info("memmapres_user: word 3 is %#x\n", memmapres_read32(3));
	return 0;
}

static void __exit memmapres_user_exit(void)
{
}

module_init(memmapres_user_init);
module_exit(memmapres_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("iomap-check test: a module of the same driver that needs the other");
