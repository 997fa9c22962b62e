/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output sinks for the daemon's reports: a stream (stderr for text, stdout
 * for JSON), a file (--output, created 0640, reopened on SIGHUP for log
 * rotation), and/or syslog (--syslog, one message per line), plus a JSON
 * file of its own (--json-output).
 */
#ifndef IOMC_LIB_SINK_H
#define IOMC_LIB_SINK_H

#include <stddef.h>

struct ck_report_ops;

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
void ck_out_report_ops(struct ck_report_ops *ops);

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

/* write(2) all n bytes (EINTR retried): 0, or -errno of the write that
 * failed; *done (if not NULL) = bytes written either way */
int ck_write_all(int fd, const void *p, size_t n, size_t *done);

#endif
