// SPDX-License-Identifier: GPL-2.0
/*
 * Does not compile, on purpose: a typo in a variable name.
 * tests/vmcheck/test.sh expects iomap-vmcheck to exit 2 and show gcc's
 * "'broken_apperture' undeclared", naming this file and line.
 */
#include <linux/module.h>
#include <linux/io-mapping.h>

static struct io_mapping *broken_aperture;

static int __init broken_init(void)
{
	void __iomem *vaddr = io_mapping_map_atomic_wc(broken_apperture, 0);

	io_mapping_unmap_atomic(vaddr);
	return 0;
}
module_init(broken_init);
MODULE_LICENSE("GPL");
