/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* iomap-checkd: the daemon's options and run state, shared by its files. */
#ifndef IOMC_CHECKD_H
#define IOMC_CHECKD_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "checkd_attach.h"
#include "dedup.h"
#include "report.h"

#define CK_MODULE "iomap_check"
#define CK_REC_BUF 512	/* --record events buffered (52 KiB) */

struct ck_opts {
	int json;
	const char *output;
	const char *json_output;	/* --json-output */
	int use_syslog;
	/* rules, dedup (0: --all), record, ring buffer size, might-sleep hooks */
	struct ck_bpf_opts bpf;
	int ci;
	int ktap;
	const char *record;
	double duration;	/* seconds, 0 = until a signal */
	int quiet;		/* no status lines */
	int keep_caps;		/* --no-drop-caps (debugging) */
	char **cmd;		/* -- COMMAND ARGS... */
};

struct ck_run {
	struct ck_opts o;
	struct iomc_fmt fmt;
	struct ck_bpf b;
	struct ring_buffer *rb;
	int rec_fd;		/* --record file, -1 if none */
	int rec_created;	/* it did not exist before */
	struct iomc_event *rec_buf;	/* CK_REC_BUF events not written yet */
	size_t rec_n;
	__u64 rec_events;	/* written */
	__u64 rec_lost;		/* events the file could not take */
	int rec_err;		/* the first write error (errno), 0 if none */
	__u64 *rec_fail_cpu;	/* per-CPU rec_fail seen so far */
	struct iomc_dedup seen;	/* reports that reached userspace */
	__u64 violations_seen;	/* reports that reached userspace */
	struct iomc_counters last;	/* counters at the last loss check */
	__u64 last_misses;
	/* module state */
	enum { MOD_WAITING, MOD_ATTACHED, MOD_UNLOADING } mod;
	double unload_deadline;
	int attach_errors;
	int attached_once;	/* ever attached: something was checked */
	pid_t child;		/* -- COMMAND, held back until attached */
	int child_go;		/* write end of its go-ahead pipe, -1 once sent */
	int child_started;	/* it was let go (exec'd) */
	int child_status;
	int ktap_err;		/* --ktap could not be written */
	int stop;
};

/* checkd_loop.c */
int ck_command_fork(struct ck_run *r);
void ck_command_go(struct ck_run *r);
int ck_rb_msg(void *ctx, void *data, size_t size);
int ck_run_loop(struct ck_run *r);
void ck_module_tick(struct ck_run *r, double now);
void ck_check_losses(struct ck_run *r);
void iomc_summary(struct ck_run *r, int final);
__u64 ck_total_violations(struct ck_run *r);
void ck_print_ktap(struct ck_run *r);
/* CLOCK_MONOTONIC_COARSE seconds */
double ck_now(void);
/* Block the signals the loop takes through its signalfd. 0 or -1. */
int ck_block_signals(sigset_t *set);

/* checkd_record.c */
/* open (never truncating: see ck_record_start), r->rec_fd; 0 or -errno */
int ck_record_open(struct ck_run *r, const char *path);
/* truncate, write the header (the BPF object loaded); 0 or -errno */
int ck_record_start(struct ck_run *r);
void ck_record_event(struct ck_run *r, const struct iomc_event *ev);
void ck_record_drops(struct ck_run *r);
void ck_record_close(struct ck_run *r);
/* close and free without writing what is pending (set-up failed); idempotent */
void ck_record_free(struct ck_run *r);

#endif
