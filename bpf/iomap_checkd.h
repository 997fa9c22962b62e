/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by iomap_checkd.bpf.c and its userspace loader (the
 * skeleton refers to them): include after <linux/types.h> or vmlinux.h.
 */
#ifndef IOMAP_CHECKD_H
#define IOMAP_CHECKD_H

#include "iomap-check/engine.h"

/* Settings of the BPF programs; changeable while they run (.data). */
struct iomc_bpf_cfg {
	struct iomc_cfg rules;
	__u32 dedup;		/* report each (rule, site, map site) once */
	__u32 record;		/* send every relevant event to userspace */
};

#endif
