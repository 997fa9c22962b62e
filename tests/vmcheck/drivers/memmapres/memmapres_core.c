// SPDX-License-Identifier: GPL-2.0
/*
 * memmapres_core: a correct memremap user of a physical range the kernel
 * command line reserved (memmap=4K$PHYS), the range given as module
 * parameters: the way real drivers of firmware- or board-reserved memory
 * work (slram, ramoops). It needs both iomap-vmcheck --append and
 * --module-param, and must be checked clean: one memremap at load, its
 * memunmap at unload.
 */
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "memmapres.h"

static unsigned long phys;
module_param(phys, ulong, 0444);
MODULE_PARM_DESC(phys, "physical address of the reserved range (memmap=SIZE$PHYS)");
static unsigned long size = 4096;
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size, "its size in bytes");

static u32 *base;

u32 memmapres_read32(unsigned int i)
{
	return READ_ONCE(base[i % (size / sizeof(*base))]);
}
EXPORT_SYMBOL_GPL(memmapres_read32);

static int __init memmapres_core_init(void)
{
	unsigned int i;

	if (!phys || !size) {
		pr_err("memmapres: phys= and size= are required\n");
		return -EINVAL;
	}
	/* Without memmap= on the command line the range is ordinary RAM. */
	if (region_intersects(phys, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("memmapres: %#lx+%#lx is not reserved (boot with memmap=%lu$%#lx)\n",
		       phys, size, size, phys);
		return -EINVAL;
	}
	base = memremap(phys, size, MEMREMAP_WB);
	if (!base)
		return -ENOMEM;
	for (i = 0; i < size / sizeof(*base); i++)
		base[i] = i ^ 0x5a5a5a5a;
	for (i = 0; i < size / sizeof(*base); i++) {
		if (base[i] != (i ^ 0x5a5a5a5a)) {
			memunmap(base);
			return -EIO;
		}
	}
	pr_info("memmapres: mapped %#lx+%#lx, pattern ok\n", phys, size);
	return 0;
}

static void __exit memmapres_core_exit(void)
{
	memunmap(base);
}

module_init(memmapres_core_init);
module_exit(memmapres_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("iomap-check test: memremap of a memmap= reserved range");
