// SPDX-License-Identifier: GPL-2.0
/*
 * vramcopy: the DRM example checked with iomap-vmcheck on Debian's generic
 * kernel. A DRM driver (it needs drm.ko, which vmcheck resolves and loads
 * first) for two of QEMU's display devices, that gives user space pwrite
 * and pread of the device's VRAM through driver ioctls, the way i915's GEM
 * pwrite goes through the GGTT aperture:
 *
 *   device   QEMU's standard VGA (-vga std, PCI 1234:1111, what the bochs
 *            driver drives): BAR 0, the framebuffer; or QXL (-vga qxl, PCI
 *            1b36:0100, the qxl driver's): BAR 1, the surface VRAM
 *   probe    a drm_device (devm_drm_dev_alloc) whose aperture is an
 *            io_mapping embedded in it, io_mapping_init_wc() over the BAR
 *            (i915's ggtt->iomap); a long-lived io_mapping_map_wc() of its
 *            first page, a status page the driver keeps mapped (it counts
 *            the pwrites there); the aperture's teardown is a DRM-managed
 *            release action, run when the last reference to the drm_device
 *            goes
 *   PWRITE   DRM_IOCTL_VRAMCOPY_PWRITE, under the device's mutex: page by
 *            page; fast path under io_mapping_map_atomic_wc() with page
 *            faults disabled, slow path under io_mapping_map_wc() with
 *            copy_from_user() when the user's page was not resident
 *   PREAD    DRM_IOCTL_VRAMCOPY_PREAD: page by page under
 *            io_mapping_map_local_wc()
 *   INFO     the data area's size and the pwrite count
 *
 * Offset 0 of the ioctls is the aperture's second page: the status page
 * is the driver's own. Nothing here knows about iomap-check: vmcheck
 * builds it with the drop-in <linux/io-mapping.h> forced in.
 *
 * Compile-time switches inject the bugs a checker must catch (KCFLAGS=-D...;
 * VRAMCOPY_INJECT_BUG turns on both):
 *   VRAMCOPY_BUG_SLEEP  the fast path takes the mutex (to count the bytes)
 *                       under the atomic map: might_sleep_in_atomic in
 *                       vramcopy_pwrite_page (uncontended, mutex_lock does
 *                       not sleep: the kernel itself says nothing)
 *   VRAMCOPY_BUG_LEAK   the release action frees the aperture with the
 *                       status page still mapped: leak_on_free in
 *                       vramcopy_release, seen when the driver is unloaded
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/io-mapping.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/version.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "vramcopy_drm.h"

#ifdef VRAMCOPY_INJECT_BUG
#define VRAMCOPY_BUG_SLEEP
#define VRAMCOPY_BUG_LEAK
#endif

struct vramcopy {
	struct drm_device drm;
	struct io_mapping aperture;	/* the VRAM BAR, write-combined */
	u32 __iomem *status;		/* long-lived map_wc of page 0 */
	struct mutex lock;		/* pwrites; status, bytes */
	u64 bytes;			/* written since probe */
	u64 data_size;			/* the aperture minus the status page */
};

static struct vramcopy *to_vramcopy(struct drm_device *drm)
{
	return container_of(drm, struct vramcopy, drm);
}

/*
 * Copy one user chunk (within one aperture page) in. noinline here and
 * below only so that reports name these functions whatever gcc decides.
 */
static noinline int vramcopy_pwrite_page(struct vramcopy *vc,
					 unsigned long page, unsigned int off,
					 const char __user *buf, unsigned int len)
{
	void __iomem *vaddr;
	unsigned long unwritten;

	/* Fast path: no page faults, no preemption. */
	vaddr = io_mapping_map_atomic_wc(&vc->aperture, page);
	unwritten = __copy_from_user_inatomic((void __force *)vaddr + off,
					      buf, len);
#ifdef VRAMCOPY_BUG_SLEEP
	mutex_lock(&vc->lock);		/* the bug: may sleep */
	vc->bytes += len - unwritten;
	mutex_unlock(&vc->lock);
#else
	vc->bytes += len - unwritten;	/* the ioctl holds vc->lock */
#endif
	io_mapping_unmap_atomic(vaddr);
	if (!unwritten)
		return 0;

	/* Slow path: the user's page was not resident; this map may sleep. */
	vaddr = io_mapping_map_wc(&vc->aperture, page, PAGE_SIZE);
	unwritten = copy_from_user((void __force *)vaddr + off, buf, len);
	io_mapping_unmap(vaddr);
	if (unwritten)
		return -EFAULT;
#ifdef VRAMCOPY_BUG_SLEEP
	mutex_lock(&vc->lock);
	vc->bytes += len;
	mutex_unlock(&vc->lock);
#else
	vc->bytes += len;
#endif
	return 0;
}

static noinline int vramcopy_pread_page(struct vramcopy *vc,
					unsigned long page, unsigned int off,
					char __user *buf, unsigned int len)
{
	void __iomem *vaddr = io_mapping_map_local_wc(&vc->aperture, page);
	unsigned long unread;

	/* A local map does not disable page faults: copy_to_user may fault. */
	unread = copy_to_user(buf, (void __force *)vaddr + off, len);
	io_mapping_unmap_local(vaddr);
	return unread ? -EFAULT : 0;
}

static int vramcopy_check_rw(struct vramcopy *vc,
			     const struct drm_vramcopy_rw *rw)
{
	if (rw->offset > vc->data_size || rw->size > vc->data_size - rw->offset)
		return -EINVAL;
	return 0;
}

static int vramcopy_pwrite_ioctl(struct drm_device *drm, void *data,
				 struct drm_file *file)
{
	struct vramcopy *vc = to_vramcopy(drm);
	struct drm_vramcopy_rw *rw = data;
	const char __user *buf = u64_to_user_ptr(rw->data_ptr);
	u64 done = 0;
	int ret;

	ret = vramcopy_check_rw(vc, rw);
	if (ret)
		return ret;
#ifndef VRAMCOPY_BUG_SLEEP
	mutex_lock(&vc->lock);
#endif
	while (done < rw->size) {
		unsigned long at = PAGE_SIZE + rw->offset + done; /* skip status */
		unsigned int off = offset_in_page(at);
		unsigned int len = min_t(u64, rw->size - done, PAGE_SIZE - off);

		ret = vramcopy_pwrite_page(vc, at - off, off, buf + done, len);
		if (ret)
			break;
		done += len;
	}
	writel(readl(vc->status) + 1, vc->status);	/* pwrite count */
#ifndef VRAMCOPY_BUG_SLEEP
	mutex_unlock(&vc->lock);
#endif
	return ret;
}

static int vramcopy_pread_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct vramcopy *vc = to_vramcopy(drm);
	struct drm_vramcopy_rw *rw = data;
	char __user *buf = u64_to_user_ptr(rw->data_ptr);
	u64 done = 0;
	int ret;

	ret = vramcopy_check_rw(vc, rw);
	if (ret)
		return ret;
	while (done < rw->size) {
		unsigned long at = PAGE_SIZE + rw->offset + done;
		unsigned int off = offset_in_page(at);
		unsigned int len = min_t(u64, rw->size - done, PAGE_SIZE - off);

		ret = vramcopy_pread_page(vc, at - off, off, buf + done, len);
		if (ret)
			break;
		done += len;
	}
	return ret;
}

static int vramcopy_info_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct vramcopy *vc = to_vramcopy(drm);
	struct drm_vramcopy_info *info = data;

	info->size = vc->data_size;
	mutex_lock(&vc->lock);
	info->writes = readl(vc->status);
	mutex_unlock(&vc->lock);
	return 0;
}

static const struct drm_ioctl_desc vramcopy_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VRAMCOPY_PWRITE, vramcopy_pwrite_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRAMCOPY_PREAD, vramcopy_pread_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRAMCOPY_INFO, vramcopy_info_ioctl, DRM_RENDER_ALLOW),
};

static const struct file_operations vramcopy_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.llseek = noop_llseek,
#ifdef FOP_UNSIGNED_OFFSET
	.fop_flags = FOP_UNSIGNED_OFFSET,	/* 6.12: drm_open insists */
#endif
};

static const struct drm_driver vramcopy_driver = {
	.driver_features = DRIVER_RENDER,
	.ioctls = vramcopy_ioctls,
	.num_ioctls = ARRAY_SIZE(vramcopy_ioctls),
	.fops = &vramcopy_fops,
	.name = "vramcopy",
	.desc = "iomap-vmcheck DRM example: pwrite/pread through the VRAM aperture",
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
	.date = "20261203",	/* 6.14 dropped the member */
#endif
	.major = 1,
	.minor = 0,
};

/* DRM-managed: runs when the last reference to the drm_device goes. */
static noinline void vramcopy_release(struct drm_device *drm, void *data)
{
	struct vramcopy *vc = data;

	drm_info(drm, "%u pwrites, %llu bytes\n", readl(vc->status), vc->bytes);
#ifndef VRAMCOPY_BUG_LEAK
	io_mapping_unmap(vc->status);
#endif
	io_mapping_fini(&vc->aperture);
	vc->status = NULL;
}

static int vramcopy_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int bar = id->driver_data;
	struct vramcopy *vc;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, bar) < 2 * PAGE_SIZE)
		return -ENODEV;
	ret = pci_request_region(pdev, bar, "vramcopy");	/* managed */
	if (ret)
		return ret;

	vc = devm_drm_dev_alloc(&pdev->dev, &vramcopy_driver, struct vramcopy,
				drm);
	if (IS_ERR(vc))
		return PTR_ERR(vc);
	mutex_init(&vc->lock);
	if (!io_mapping_init_wc(&vc->aperture, pci_resource_start(pdev, bar),
				pci_resource_len(pdev, bar)))
		return -ENOMEM;
	vc->status = io_mapping_map_wc(&vc->aperture, 0, PAGE_SIZE);
	if (!vc->status) {
		io_mapping_fini(&vc->aperture);
		return -ENOMEM;
	}
	ret = drmm_add_action_or_reset(&vc->drm, vramcopy_release, vc);
	if (ret)
		return ret;
	writel(0, vc->status);
	vc->data_size = pci_resource_len(pdev, bar) - PAGE_SIZE;
	pci_set_drvdata(pdev, vc);

	ret = drm_dev_register(&vc->drm, 0);
	if (ret)
		return ret;
	drm_info(&vc->drm, "aperture %pR (BAR %d): %llu bytes\n",
		 &pdev->resource[bar], bar, vc->data_size);
	return 0;
}

static void vramcopy_remove(struct pci_dev *pdev)
{
	struct vramcopy *vc = pci_get_drvdata(pdev);

	drm_dev_unregister(&vc->drm);	/* the release comes with the put */
}

static const struct pci_device_id vramcopy_ids[] = {
	{ PCI_DEVICE(0x1234, 0x1111), .driver_data = 0 },	/* std VGA */
	{ PCI_DEVICE(0x1b36, 0x0100), .driver_data = 1 },	/* QXL */
	{ }
};
MODULE_DEVICE_TABLE(pci, vramcopy_ids);

static struct pci_driver vramcopy_pci_driver = {
	.name = "vramcopy",
	.id_table = vramcopy_ids,
	.probe = vramcopy_probe,
	.remove = vramcopy_remove,
};
module_pci_driver(vramcopy_pci_driver);

MODULE_DESCRIPTION("iomap-vmcheck DRM example: pwrite/pread through the VRAM aperture");
MODULE_LICENSE("GPL");
