/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Dropping the capabilities the daemon no longer needs once attached. */
#ifndef IOMC_CHECKD_CAPS_H
#define IOMC_CHECKD_CAPS_H

#include <stdio.h>

/* 0 or -errno with a message in err. */
int ck_drop_caps(char *err, size_t errlen);

#endif
