// SPDX-License-Identifier: GPL-2.0
/*
 * fbcopy: an example of a driver checked with iomap-vmcheck. It uses
 * io_mapping the way a graphics driver does (i915's GGTT pwrite path is
 * the model) on QEMU's standard VGA (PCI 1234:1111), whose BAR 0 is a
 * prefetchable framebuffer:
 *
 *   probe    io_mapping_create_wc() over BAR 0, and a long-lived
 *            io_mapping_map_wc() of its first page, a "status page" the
 *            driver keeps mapped for the life of the device (it counts
 *            the writes there)
 *   write    pwrite(2) on /dev/fbcopy, under the device's mutex: the
 *            user's bytes go to the aperture page by page; fast path under
 *            io_mapping_map_atomic_wc() with page faults disabled
 *            (__copy_from_user_inatomic may fail, never sleeps), slow path
 *            under io_mapping_map_wc() with copy_from_user() when a page
 *            of the user's buffer was not resident
 *   read     pread(2): page by page under io_mapping_map_local_wc()
 *   remove   on rmmod: unmap the status page, free the mapping
 *
 * The file offset 0 is the aperture's second page: the status page is the
 * driver's own.
 *
 * Nothing here knows about iomap-check: the source includes the kernel's
 * <linux/io-mapping.h>, and vmcheck builds it with iomap-check's drop-in
 * header forced in.
 *
 * Compile-time switches inject the bugs a checker must catch (KCFLAGS=-D...;
 * FBCOPY_INJECT_BUG turns on both):
 *   FBCOPY_BUG_SLEEP  the fast path takes the device's mutex (to count the
 *                     bytes) under the atomic map, instead of holding it
 *                     around the whole write: might_sleep_in_atomic in
 *                     fbcopy_write_page. Uncontended, mutex_lock does not
 *                     sleep, so the kernel itself says nothing (Debian's
 *                     kernels have no CONFIG_DEBUG_ATOMIC_SLEEP): the bug
 *                     bites only when two writers race, which is what a
 *                     lockdep-style check is for.
 *   FBCOPY_BUG_LEAK   remove frees the mapping with the status page still
 *                     mapped: leak_on_free in fbcopy_remove, seen only when
 *                     the driver is unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/io-mapping.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/mutex.h>

#ifdef FBCOPY_INJECT_BUG
#define FBCOPY_BUG_SLEEP
#define FBCOPY_BUG_LEAK
#endif

struct fbcopy {
	struct pci_dev *pdev;
	struct io_mapping *aperture;
	u32 __iomem *status;		/* long-lived map_wc of page 0 */
	struct mutex lock;		/* writers; status, bytes */
	unsigned long bytes;		/* written since probe */
	unsigned long data_size;	/* the aperture minus the status page */
	struct miscdevice misc;
};

/* One device: QEMU has one std VGA. */
static struct fbcopy *fbcopy_dev;

/*
 * Copy one user chunk (within one aperture page) in. noinline here and
 * below only so that reports name these functions whatever gcc decides.
 */
static noinline int fbcopy_write_page(struct fbcopy *fb, unsigned long page,
				      unsigned int off, const char __user *buf,
				      unsigned int len)
{
	void __iomem *vaddr;
	unsigned long unwritten;

	/* Fast path: no page faults, no preemption. */
	vaddr = io_mapping_map_atomic_wc(fb->aperture, page);
	unwritten = __copy_from_user_inatomic((void __force *)vaddr + off,
					      buf, len);
#ifdef FBCOPY_BUG_SLEEP
	mutex_lock(&fb->lock);		/* the bug: may sleep */
	fb->bytes += len - unwritten;
	mutex_unlock(&fb->lock);
#else
	fb->bytes += len - unwritten;	/* fbcopy_write holds fb->lock */
#endif
	io_mapping_unmap_atomic(vaddr);
	if (!unwritten)
		return 0;

	/* Slow path: the user's page was not resident; this map may sleep. */
	vaddr = io_mapping_map_wc(fb->aperture, page, PAGE_SIZE);
	unwritten = copy_from_user((void __force *)vaddr + off, buf, len);
	io_mapping_unmap(vaddr);
	if (unwritten)
		return -EFAULT;
#ifdef FBCOPY_BUG_SLEEP
	mutex_lock(&fb->lock);
	fb->bytes += len;
	mutex_unlock(&fb->lock);
#else
	fb->bytes += len;
#endif
	return 0;
}

static noinline int fbcopy_read_page(struct fbcopy *fb, unsigned long page,
				     unsigned int off, char __user *buf,
				     unsigned int len)
{
	void __iomem *vaddr = io_mapping_map_local_wc(fb->aperture, page);
	unsigned long unread;

	/* A local map does not disable page faults: copy_to_user may fault. */
	unread = copy_to_user(buf, (void __force *)vaddr + off, len);
	io_mapping_unmap_local(vaddr);
	return unread ? -EFAULT : 0;
}

/* Clamp [*pos, *pos + count) to the data area; 0 at the end. */
static size_t fbcopy_span(struct fbcopy *fb, loff_t pos, size_t count)
{
	if (pos < 0 || pos >= fb->data_size)
		return 0;
	return min_t(size_t, count, fb->data_size - pos);
}

static ssize_t fbcopy_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct fbcopy *fb = fbcopy_dev;
	size_t todo = fbcopy_span(fb, *ppos, count), done = 0;
	int ret = 0;

	if (count && !todo)
		return -ENOSPC;
#ifndef FBCOPY_BUG_SLEEP
	mutex_lock(&fb->lock);
#endif
	while (done < todo) {
		unsigned long at = PAGE_SIZE + *ppos + done;	/* skip status */
		unsigned int off = offset_in_page(at);
		unsigned int len = min_t(size_t, todo - done, PAGE_SIZE - off);

		ret = fbcopy_write_page(fb, at - off, off, buf + done, len);
		if (ret)
			break;
		done += len;
	}
	if (done)
		writel(readl(fb->status) + 1, fb->status);	/* write count */
#ifndef FBCOPY_BUG_SLEEP
	mutex_unlock(&fb->lock);
#endif
	if (done) {
		*ppos += done;
		return done;
	}
	return ret;
}

static ssize_t fbcopy_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct fbcopy *fb = fbcopy_dev;
	size_t todo = fbcopy_span(fb, *ppos, count), done = 0;
	int ret = 0;

	while (done < todo) {
		unsigned long at = PAGE_SIZE + *ppos + done;
		unsigned int off = offset_in_page(at);
		unsigned int len = min_t(size_t, todo - done, PAGE_SIZE - off);

		ret = fbcopy_read_page(fb, at - off, off, buf + done, len);
		if (ret)
			break;
		done += len;
	}
	if (done) {
		*ppos += done;
		return done;
	}
	return ret;
}

static loff_t fbcopy_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence, fbcopy_dev->data_size);
}

static const struct file_operations fbcopy_fops = {
	.owner = THIS_MODULE,
	.read = fbcopy_read,
	.write = fbcopy_write,
	.llseek = fbcopy_llseek,
};

static int fbcopy_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct fbcopy *fb;
	int ret;

	if (fbcopy_dev)
		return -EBUSY;
	fb = devm_kzalloc(&pdev->dev, sizeof(*fb), GFP_KERNEL);
	if (!fb)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < 2 * PAGE_SIZE)
		return -ENODEV;

	fb->pdev = pdev;
	mutex_init(&fb->lock);
	fb->aperture = io_mapping_create_wc(pci_resource_start(pdev, 0),
					    pci_resource_len(pdev, 0));
	if (!fb->aperture)
		return -ENOMEM;
	fb->status = io_mapping_map_wc(fb->aperture, 0, PAGE_SIZE);
	if (!fb->status) {
		ret = -ENOMEM;
		goto err_free;
	}
	writel(0, fb->status);
	fb->data_size = pci_resource_len(pdev, 0) - PAGE_SIZE;

	fb->misc.minor = MISC_DYNAMIC_MINOR;
	fb->misc.name = "fbcopy";
	fb->misc.fops = &fbcopy_fops;
	fb->misc.mode = 0600;
	fbcopy_dev = fb;
	ret = misc_register(&fb->misc);
	if (ret)
		goto err_unmap;
	pci_set_drvdata(pdev, fb);
	dev_info(&pdev->dev, "aperture %pR, /dev/fbcopy: %lu bytes\n",
		 &pdev->resource[0], fb->data_size);
	return 0;

err_unmap:
	fbcopy_dev = NULL;
	io_mapping_unmap(fb->status);
err_free:
	io_mapping_free(fb->aperture);
	return ret;
}

static noinline void fbcopy_remove(struct pci_dev *pdev)
{
	struct fbcopy *fb = pci_get_drvdata(pdev);

	misc_deregister(&fb->misc);	/* open files hold the module */
	dev_info(&pdev->dev, "%u writes, %lu bytes\n", readl(fb->status),
		 fb->bytes);
#ifndef FBCOPY_BUG_LEAK
	io_mapping_unmap(fb->status);
#endif
	io_mapping_free(fb->aperture);
	fbcopy_dev = NULL;
}

static const struct pci_device_id fbcopy_ids[] = {
	{ PCI_DEVICE(0x1234, 0x1111) },		/* QEMU standard VGA */
	{ }
};
MODULE_DEVICE_TABLE(pci, fbcopy_ids);

static struct pci_driver fbcopy_driver = {
	.name = "fbcopy",
	.id_table = fbcopy_ids,
	.probe = fbcopy_probe,
	.remove = fbcopy_remove,
};
module_pci_driver(fbcopy_driver);

MODULE_DESCRIPTION("iomap-vmcheck example: pwrite/pread through an io_mapping aperture");
MODULE_LICENSE("GPL");
