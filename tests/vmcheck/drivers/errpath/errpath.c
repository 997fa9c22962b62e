// SPDX-License-Identifier: GPL-2.0
/*
 * errpath: the shape of a real bug (a DRM driver's device init, fixed
 * upstream in 2018): init creates the vram io_mapping, then a second one
 * for a register window; when the second create fails, the error path
 * returns without freeing the first. Nothing is wrong while every create
 * succeeds, so only `iomap-vmcheck --inject-faults` (iomap_check.ko's
 * fail_nth: the 2nd create fails) finds it: leak_on_unload at the failed
 * load, create site errpath_init (init text). Built with -DERRPATH_FIXED
 * the error path frees what it created and every run is clean.
 *
 * The aperture is QEMU's standard VGA BAR 0 (PCI 1234:1111), as for any
 * driver checked with iomap-vmcheck.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/io-mapping.h>

#define ERRPATH_VENDOR 0x1234
#define ERRPATH_DEVICE 0x1111
#define ERRPATH_REGS_SIZE PAGE_SIZE

static struct pci_dev *errpath_pdev;
static bool errpath_enabled;
static struct io_mapping *errpath_vram, *errpath_regs;

static void errpath_put_dev(void)
{
	if (errpath_enabled)
		pci_disable_device(errpath_pdev);
	pci_dev_put(errpath_pdev);
}

static int __init errpath_init(void)
{
	resource_size_t base;
	unsigned long len;
	int ret;

	errpath_pdev = pci_get_device(ERRPATH_VENDOR, ERRPATH_DEVICE, NULL);
	if (!errpath_pdev)
		return -ENODEV;
	if (!pci_is_enabled(errpath_pdev)) {
		ret = pci_enable_device_mem(errpath_pdev);
		if (ret)
			goto put;
		errpath_enabled = true;
	}
	base = pci_resource_start(errpath_pdev, 0);
	len = pci_resource_len(errpath_pdev, 0);
	if (len < 2 * ERRPATH_REGS_SIZE) {
		ret = -ENODEV;
		goto put;
	}
	errpath_vram = io_mapping_create_wc(base, len - ERRPATH_REGS_SIZE);
	if (!errpath_vram) {
		ret = -ENOMEM;
		goto put;
	}
	errpath_regs = io_mapping_create_wc(base + len - ERRPATH_REGS_SIZE,
					    ERRPATH_REGS_SIZE);
	if (!errpath_regs) {
		ret = -ENOMEM;
#ifdef ERRPATH_FIXED
		goto free_vram;
#else
		goto put;	/* the bug: errpath_vram is never freed */
#endif
	}
	pr_info("vram %lu KiB, registers %lu bytes\n",
		(len - ERRPATH_REGS_SIZE) >> 10, (unsigned long)ERRPATH_REGS_SIZE);
	return 0;

#ifdef ERRPATH_FIXED
free_vram:
	io_mapping_free(errpath_vram);
#endif
put:
	errpath_put_dev();
	return ret;
}

static void __exit errpath_exit(void)
{
	io_mapping_free(errpath_regs);
	io_mapping_free(errpath_vram);
	errpath_put_dev();
}

module_init(errpath_init);
module_exit(errpath_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("example: an init error path that leaks an io_mapping");
