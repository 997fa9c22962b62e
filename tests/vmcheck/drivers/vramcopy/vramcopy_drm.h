/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vramcopy's ioctls: the driver's uapi, shared by the driver and its test
 * (test.c). Driver-private DRM ioctls, numbered from DRM_COMMAND_BASE like
 * any DRM driver's; spelled with <linux/ioctl.h> so that the test builds
 * without libdrm's headers.
 */
#ifndef VRAMCOPY_DRM_H
#define VRAMCOPY_DRM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* pwrite/pread of [offset, offset + size) of the VRAM, like i915's GEM
 * pwrite and pread: data_ptr is the user's buffer. */
struct drm_vramcopy_rw {
	__u64 offset;
	__u64 size;
	__u64 data_ptr;
};

/* The data area's size (the aperture minus the driver's status page) and
 * how many pwrites the driver counted there. */
struct drm_vramcopy_info {
	__u64 size;
	__u64 writes;
};

#define DRM_VRAMCOPY_PWRITE	0x00
#define DRM_VRAMCOPY_PREAD	0x01
#define DRM_VRAMCOPY_INFO	0x02

/* DRM_IOCTL_BASE 'd', DRM_COMMAND_BASE 0x40 (<drm/drm.h>) */
#define DRM_IOCTL_VRAMCOPY_PWRITE \
	_IOW('d', 0x40 + DRM_VRAMCOPY_PWRITE, struct drm_vramcopy_rw)
#define DRM_IOCTL_VRAMCOPY_PREAD \
	_IOW('d', 0x40 + DRM_VRAMCOPY_PREAD, struct drm_vramcopy_rw)
#define DRM_IOCTL_VRAMCOPY_INFO \
	_IOR('d', 0x40 + DRM_VRAMCOPY_INFO, struct drm_vramcopy_info)

#endif
