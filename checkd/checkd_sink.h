/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output sinks for the daemon's reports (the daemon's only: the analyzer
 * writes one stream and needs none of this): a stream (stderr for text, stdout
 * for JSON), a file (--output, created 0640, reopened on SIGHUP for log
 * rotation), and/or syslog (--syslog, one message per line), plus a JSON
 * file of its own (--json-output).
 */
#ifndef IOMC_CHECKD_SINK_H
#define IOMC_CHECKD_SINK_H

#include <signal.h>
#include <stddef.h>

struct iomc_report_ops;

/* path NULL: the default stream (none if use_syslog). 0 or -errno. */
int ck_out_open(const char *path, int json, int use_syslog);
/* SIGHUP: reopen the file (a rotated log starts anew). 0 or -errno. */
int ck_out_reopen(void);
/* One complete message (one or more lines, each ending in \n). */
void ck_out_write(const char *text, size_t len, int syslog_prio);
void ck_out_close(void);

/*
 * --json-output: JSON lines to a file of their own besides the main output
 * (one daemon instance for both formats: two instances would arm every
 * kprobe twice). 0 or -errno; reopened and closed with the main output.
 */
int ck_out_open_json(const char *path);
int ck_out_has_json(void);
void ck_out_write_json(const char *text, size_t len);

/* The report printer's write callbacks over these sinks (report.h). */
void ck_out_report_ops(struct iomc_report_ops *ops);

/*
 * Write errors: messages lost per sink (0: the main output, 1: the
 * --json-output file) and the first error (errno), said once on stderr and
 * syslog. A sink whose reader is gone (EPIPE) is not written again.
 */
struct ck_out_loss {
	unsigned long long lost;
	int err;
};
const struct ck_out_loss *ck_out_loss(int which);

/*
 * write(2) all n bytes (EINTR retried): 0, or -errno of the write that
 * failed; *done (if not NULL) = bytes written either way. On a
 * non-blocking fd (ck_open_output) it waits for a slow reader until a
 * stop signal is pending (-EINTR) or, once ck_out_stopping(), for a
 * second at most (-ETIMEDOUT).
 */
int ck_write_all(int fd, const void *p, size_t n, size_t *done);

/*
 * Opening an output never blocks beyond a stop signal: O_WRONLY|O_CREAT
 * (0640)|O_NONBLOCK|O_CLOEXEC|flags. With wait, a FIFO with no reader yet
 * is said on stderr and retried every 100 ms until a reader comes or a
 * stop signal is pending (-EINTR); without, it is -ENXIO. *created: the
 * file did not exist. fd or -errno.
 */
int ck_open_output(const char *path, int flags, int wait, int *created);
/*
 * The signals that stop the daemon (blocked, read by its event loop): a
 * blocking open or write gives up when one is pending. 0 or -errno.
 */
int ck_out_set_stop(const sigset_t *stop);
/* 1 if a stop signal is pending or comes within ms milliseconds. */
int ck_stop_pending(int ms);
/* The daemon is stopping: writes wait a second at most from now on. */
void ck_out_stopping(void);
/* The main output's fd (-1: syslog only) and --json-output's (-1: none). */
void ck_out_fds(int *main_fd, int *json_fd);
/* Remove the output files that ck_out_open/_json created (a refused start). */
void ck_out_unlink_created(void);

#endif
