// SPDX-License-Identifier: GPL-2.0
/*
 * vmwgfx_devres: a module that does nothing. iomap-vmcheck wants a driver
 * to build; the driver checked here is the kernel's own vmwgfx, which
 * test.sh loads (with its DRM dependencies, copied in with --extra) once
 * the checker is attached. Under QEMU's `-vga vmware` vmwgfx's probe
 * devm_memremaps the FIFO BAR, then fails ("Hardware has no pitchlock",
 * -ENOSYS): devres unmaps the FIFO, and the unload of vmwgfx must leave
 * nothing to report.
 */
#include <linux/module.h>

static int __init vmwgfx_devres_init(void)
{
	return 0;
}

static void __exit vmwgfx_devres_exit(void)
{
}

module_init(vmwgfx_devres_init);
module_exit(vmwgfx_devres_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nothing: vmwgfx, loaded by its test, is the driver checked");
