// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The write loop: see io.h. */
#include <errno.h>
#include <unistd.h>
#include "io.h"

int iomc_write_all(int fd, const void *p, size_t n, size_t *done, int (*wait)(int fd))
{
	size_t d = 0;
	int err = 0;

	while (d < n) {
		ssize_t w = write(fd, (const char *)p + d, n - d);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && wait) {
			int ready = wait(fd);

			if (ready > 0)
				continue;
			err = ready < 0 ? -EINTR : -ETIMEDOUT;
			break;
		}
		if (w < 0) {
			err = -errno;
			break;
		}
		d += (size_t)w;
	}
	if (done)
		*done = d;
	return err;
}
