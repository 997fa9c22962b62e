// SPDX-License-Identifier: GPL-2.0
/* Needs iomc_absent_module, which no kernel has: see Kbuild. */
#include <linux/module.h>

void iomc_absent_hello(void);

static int __init needsmissing_init(void)
{
	iomc_absent_hello();
	return 0;
}
module_init(needsmissing_init);

static void __exit needsmissing_exit(void)
{
}
module_exit(needsmissing_exit);

MODULE_DESCRIPTION("iomap-vmcheck test: a dependency the kernel does not have");
MODULE_LICENSE("GPL");
