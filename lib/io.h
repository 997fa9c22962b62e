/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Writing output: the one write loop of every tool. */
#ifndef IOMC_LIB_IO_H
#define IOMC_LIB_IO_H

#include <stddef.h>

/*
 * write(2) all n bytes, EINTR retried: 0, or -errno of the write that
 * failed; *done (if not NULL) = bytes written either way. When a
 * non-blocking fd is full (EAGAIN), wait(fd) decides: > 0 the fd is
 * ready again, 0 give up (-ETIMEDOUT), < 0 a stop signal came (-EINTR);
 * with wait NULL, EAGAIN is an error like any other.
 */
int iomc_write_all(int fd, const void *p, size_t n, size_t *done, int (*wait)(int fd));

#endif
