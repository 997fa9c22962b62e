/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading iomap_checkd.bpf.o (skeleton) and attaching its programs: the
 * kernel hooks once at start, iomap_check.ko's tracepoints whenever the
 * module is there.
 */
#ifndef IOMC_CHECKD_ATTACH_H
#define IOMC_CHECKD_ATTACH_H

#include <linux/types.h>
#include <bpf/libbpf.h>
#include "iomap_checkd.h"

struct iomap_checkd;

enum ck_ms_mode {
	CK_MS_ALL,	/* every might-sleep hook */
	CK_MS_NOALLOC,	/* no allocator hooks (they run on every allocation) */
	CK_MS_NONE,
};

/* iomap_check.ko's tracepoints the daemon attaches to. */
#define IOMC_IO_LINKS 5

struct btf;

struct ck_bpf {
	struct iomap_checkd *skel;
	struct btf *btf;		/* the kernel's, read once (NULL: none) */
	int ncpus;
	/* create, free, map, unmap, fault (io_mapping_fault: strategy=window) */
	struct bpf_link *io_links[IOMC_IO_LINKS];
	int io_attached;
	struct bpf_link **links;	/* kernel hooks */
	unsigned int nlinks;
	unsigned int n_ms, n_irq;	/* hooks attached, by kind */
	unsigned int n_mr;		/* memremap API functions hooked */
	int mr_seeded;			/* live memremaps found at start, or -errno */
	int unload_watch;		/* delete_module hook attached */
	const char *sleep_hook;		/* "schedule" (kprobe) or "sched_switch" */
	char skipped[4096];		/* tracepoints missing from this kernel */
	int no_kprobes;			/* the kernel cannot kprobe at all */
	char kp_unavail[4096];		/* kprobes not attached for that reason */
	char kp_refused[4096];		/* functions the kernel would not kprobe */
	int ms_every;			/* every might_sleep() hooked (ck_ms_every) */
	int ms_multi;			/* the kernel has kprobe.multi (fprobe) */
	unsigned int n_ms_multi;	/* might-sleep hooks attached that way */
	char ms_cover[256];		/* the might-sleep coverage, in words */
};

/* The BPF side of the options: the command line fills it, the loader reads it. */
struct ck_bpf_opts {
	struct iomc_bpf_cfg cfg;	/* the programs' settings */
	__u32 ringbuf_bytes;		/* 0: the object's default */
	enum ck_ms_mode ms_mode;
};

/* Open, size and load the programs; 0 or -errno (message printed). */
int ck_bpf_load(struct ck_bpf *b, const struct ck_bpf_opts *o);
/* Attach the kernel hooks (scheduler, exits, interrupts, might-sleep). */
int ck_bpf_attach_kernel(struct ck_bpf *b, enum ck_ms_mode ms);
/*
 * checkd_memremap.c: put the memremaps made before the start in the live
 * table (count, or -errno); attach the memremap probes through add/skip
 * (checkd_attach.c's), returning how many functions are hooked.
 */
int ck_mr_seed(struct ck_bpf *b);
int ck_mr_attach(struct ck_bpf *b, int (*add)(struct ck_bpf *, struct bpf_link *),
		 void (*skip)(struct ck_bpf *, const char *));
/* Is the module loaded and live? */
int ck_module_live(const char *name);
/* Attach/detach iomap_check.ko's tracepoints; 0 or -errno. */
int ck_bpf_attach_module(struct ck_bpf *b);
void ck_bpf_detach_module(struct ck_bpf *b);
void ck_bpf_destroy(struct ck_bpf *b);

/* Sum of the per-CPU counters. */
int ck_bpf_counters(struct ck_bpf *b, struct iomc_counters *sum);
/* Recursion misses of all programs (runs the kernel skipped). */
__u64 ck_bpf_misses(struct ck_bpf *b);
/* Total run time and count of all programs (kernel BPF stats, if enabled);
 * per program into names/runs/ns (up to max) if not NULL; returns how many. */
int ck_bpf_runtime(struct ck_bpf *b, __u64 *ns, __u64 *cnt, const char **names,
		   __u64 *runs, __u64 *pns, unsigned int max);

#endif
