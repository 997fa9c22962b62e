// SPDX-License-Identifier: GPL-2.0
/*
 * vramcopy's own test, run in the guest by iomap-vmcheck as RUN. Built
 * static on the host (the guest has no libc):
 *   cc -static -O2 -o vramcopy-test tests/vmcheck/drivers/vramcopy/test.c
 *   iomap-vmcheck --kernel 6.1-generic --vga qxl \
 *       --driver tests/vmcheck/drivers/vramcopy \
 *       --extra vramcopy-test:/opt/vramcopy-test --run /opt/vramcopy-test
 *
 * Through the DRM device's ioctls: pwrite a random pattern at an unaligned
 * offset in chunks of 1000 bytes (copies start and end inside pages and
 * span page boundaries), pread it back and compare; then pwrite from a
 * fresh anonymous mapping, never touched, whose pages are not resident
 * (the driver's slow path), and read zeros back. Exit 0 only if every
 * byte came back and the driver counted every pwrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vramcopy_drm.h"

#define N	37888	/* 37 KiB: not a multiple of the chunk */
#define CHUNK	1000
#define AT	3000

static int fail(const char *what)
{
	fprintf(stderr, "vramcopy-test: %s: %s\n", what, strerror(errno));
	return 1;
}

static int rw(int fd, unsigned long req, uint64_t off, void *p, uint64_t n)
{
	struct drm_vramcopy_rw a = {
		.offset = off, .size = n, .data_ptr = (uintptr_t)p,
	};

	return ioctl(fd, req, &a);
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/dri/card0";
	static unsigned char pat[N], back[N];
	struct drm_vramcopy_info info;
	unsigned char *fresh;
	int fd, i, pwrites = 0;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		return fail(dev);
	if (ioctl(fd, DRM_IOCTL_VRAMCOPY_INFO, &info))
		return fail("INFO");
	if (info.size < AT + 2 * N) {
		fprintf(stderr, "vramcopy-test: VRAM of %llu bytes is too small\n",
			(unsigned long long)info.size);
		return 1;
	}
	srand(getpid());
	for (i = 0; i < N; i++)
		pat[i] = rand();
	for (i = 0; i < N; i += CHUNK, pwrites++)
		if (rw(fd, DRM_IOCTL_VRAMCOPY_PWRITE, AT + i, pat + i,
		       N - i < CHUNK ? N - i : CHUNK))
			return fail("PWRITE");
	for (i = 0; i < N; i += CHUNK)
		if (rw(fd, DRM_IOCTL_VRAMCOPY_PREAD, AT + i, back + i,
		       N - i < CHUNK ? N - i : CHUNK))
			return fail("PREAD");
	if (memcmp(pat, back, N)) {
		fprintf(stderr, "vramcopy-test: the pattern did not come back\n");
		return 1;
	}

	/* Not resident: the fast path faults, the slow path copies zeros. */
	fresh = mmap(NULL, N, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return fail("mmap");
	if (rw(fd, DRM_IOCTL_VRAMCOPY_PWRITE, AT + N, fresh, N))
		return fail("PWRITE from a fresh mapping");
	pwrites++;
	if (rw(fd, DRM_IOCTL_VRAMCOPY_PREAD, AT + N, back, N))
		return fail("PREAD");
	for (i = 0; i < N; i++)
		if (back[i]) {
			fprintf(stderr, "vramcopy-test: byte %d is %#x, not 0\n",
				i, back[i]);
			return 1;
		}

	/* An out-of-range request is refused, not clamped. */
	if (!rw(fd, DRM_IOCTL_VRAMCOPY_PREAD, info.size - 1, back, 2) ||
	    errno != EINVAL) {
		fprintf(stderr, "vramcopy-test: a PREAD past the end did not fail with EINVAL\n");
		return 1;
	}
	if (ioctl(fd, DRM_IOCTL_VRAMCOPY_INFO, &info))
		return fail("INFO");
	if (info.writes != (uint64_t)pwrites) {
		fprintf(stderr, "vramcopy-test: the driver counted %llu pwrites, not %d\n",
			(unsigned long long)info.writes, pwrites);
		return 1;
	}
	printf("vramcopy-test: %d bytes at offset %d through %d pwrites read back intact; %d bytes from non-resident pages; %llu bytes of VRAM\n",
	       N, AT, pwrites - 1, N, (unsigned long long)info.size);
	return 0;
}
