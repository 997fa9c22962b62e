/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by the BPF programs (bpf/iomc_*.bpf.c) and their userspace
 * loader (the skeleton refers to them): include after <linux/types.h> or
 * vmlinux.h.
 */
#ifndef IOMAP_CHECKD_H
#define IOMAP_CHECKD_H

#include "iomap-check/engine.h"

/*
 * Settings of the BPF programs, set before load (.rodata: see iomc_bpf.h);
 * the daemon's command line fills them (struct ck_bpf_opts).
 */
struct iomc_bpf_cfg {
	struct iomc_cfg rules;
	__u32 dedup;		/* report each (rule, site, map site) once */
	__u32 record;		/* send every relevant event to userspace */
};

/*
 * A live mapping (created, not freed), for leak_on_unload; sym: the create
 * site as the kernel symbolized it at create time (init text is gone by
 * the time the module unloads). Creates are rare: the cost is there.
 */
struct iomc_live_ent {
	struct iomc_live l;
	char sym[IOMC_SYM_LEN];
};

/*
 * The kernel's name (%pB) of a live memremap's call site, taken when the
 * call returned (its caller's code is surely there then): at unload, init
 * text is long freed; the leak report names the site with this.
 */
struct iomc_mr_name {
	char sym[IOMC_SYM_LEN];
};

/* A range of a module's text. */
struct iomc_modtext {
	__u64 lo, len;
};

/* g_init_owner: the module whose live init text holds site, or 0. */
struct iomc_owner_walk {
	__u64 site, owner;
};

#endif
