// SPDX-License-Identifier: GPL-2.0
/*
 * devdrv: the tiny driver of the dev-machine test (tests/devmachine). It
 * binds to QEMU's standard VGA (PCI 1234:1111), creates a WC io_mapping over
 * its BAR 0 (a prefetchable framebuffer) and, in probe, breaks one
 * io_mapping rule, chosen with the `bug` parameter:
 *   bug=1  lifo: two local maps unmapped in the order they were made
 *   bug=2  unaligned_offset: a local map at an offset that is not page aligned
 * Remove frees the mapping with nothing outstanding. The source knows
 * nothing of iomap-check: `iomap-check build-driver` forces its drop-in
 * header in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/io-mapping.h>
#include <linux/io.h>

static int bug = 1;
module_param(bug, int, 0444);
MODULE_PARM_DESC(bug, "rule to break in probe: 1 lifo, 2 unaligned_offset");

static noinline void devdrv_break_lifo(struct io_mapping *ap)
{
	void __iomem *a = io_mapping_map_local_wc(ap, 0);
	void __iomem *b = io_mapping_map_local_wc(ap, PAGE_SIZE);

	if (a && b) {
		writel(1, a);
		writel(2, b);
	}
	io_mapping_unmap_local(a);	/* b is the most recent map */
	io_mapping_unmap_local(b);
}

static noinline void devdrv_break_alignment(struct io_mapping *ap)
{
	void __iomem *a = io_mapping_map_local_wc(ap, PAGE_SIZE / 2);

	if (a)
		writel(3, a);
	io_mapping_unmap_local(a);
}

static int devdrv_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct io_mapping *ap;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < 2 * PAGE_SIZE)
		return -ENODEV;
	ap = io_mapping_create_wc(pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
	if (!ap)
		return -ENOMEM;
	if (bug == 1)
		devdrv_break_lifo(ap);
	else if (bug == 2)
		devdrv_break_alignment(ap);
	pci_set_drvdata(pdev, ap);
	pr_info("bound to %s, bug=%d\n", pci_name(pdev), bug);
	return 0;
}

static void devdrv_remove(struct pci_dev *pdev)
{
	io_mapping_free(pci_get_drvdata(pdev));
}

static const struct pci_device_id devdrv_ids[] = {
	{ PCI_DEVICE(0x1234, 0x1111) },
	{ }
};
MODULE_DEVICE_TABLE(pci, devdrv_ids);

static struct pci_driver devdrv_driver = {
	.name = "devdrv",
	.id_table = devdrv_ids,
	.probe = devdrv_probe,
	.remove = devdrv_remove,
};
module_pci_driver(devdrv_driver);

MODULE_DESCRIPTION("iomap-check dev-machine test: one io_mapping violation in probe");
MODULE_LICENSE("GPL");
