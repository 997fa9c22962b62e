// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Output sinks: see sink.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report.h"
#include "sink.h"

static int out_fd = -1;		/* file or stream */
static int own_fd;		/* out_fd is a file we opened */
static char *out_path;
static int use_log;
static int json_fd = -1;	/* --json-output */
static char *json_path;
/* Messages that did not reach a sink (0: the main output, 1: --json-output). */
static struct ck_out_loss loss[2];

static int open_file(const char *path)
{
	/* 0640 whatever the umask: reports name kernel addresses */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && (st.st_mode & 07777) != 0640 && st.st_size == 0)
		fchmod(fd, 0640);
	return fd;
}

int ck_out_open(const char *path, int json, int use_syslog)
{
	use_log = use_syslog;
	if (use_log)
		openlog("iomap-checkd", LOG_PID, LOG_DAEMON);
	if (!path) {
		/* --syslog alone: syslog only (under systemd stderr would
		 * land in the journal a second time) */
		out_fd = use_syslog ? -1 : json ? STDOUT_FILENO : STDERR_FILENO;
		own_fd = 0;
		return 0;
	}
	out_path = strdup(path);
	out_fd = open_file(path);
	if (out_fd < 0)
		return out_fd;
	own_fd = 1;
	return 0;
}

int ck_out_open_json(const char *path)
{
	json_path = strdup(path);
	json_fd = open_file(path);
	return json_fd < 0 ? json_fd : 0;
}

int ck_out_has_json(void)
{
	return json_fd >= 0 || loss[1].err;
}

int ck_out_reopen(void)
{
	int fd;

	if (json_path) {
		fd = open_file(json_path);
		if (fd < 0)
			return fd;
		if (json_fd >= 0)
			close(json_fd);
		json_fd = fd;
	}
	if (!own_fd || !out_path)
		return 0;
	fd = open_file(out_path);
	if (fd < 0)
		return fd;
	close(out_fd);
	out_fd = fd;
	return 0;
}

int ck_write_all(int fd, const void *p, size_t n, size_t *done)
{
	size_t d = 0;
	int err = 0;

	while (d < n) {
		ssize_t w = write(fd, (const char *)p + d, n - d);

		if (w < 0 && errno == EINTR)
			continue;
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


/*
 * A sink that failed: counted, and said once, where it can still be read:
 * stderr (when that is not the failed sink) and syslog. A closed pipe
 * (EPIPE: the reader is gone for good) is not written to again; other
 * errors (a full disk) are retried with each message.
 */
static void sink_failed(int which, int *fd, const char *name, int err)
{
	struct ck_out_loss *l = &loss[which];

	l->lost++;
	if (l->err)
		return;
	l->err = -err;
	if (*fd != STDERR_FILENO) {
		char msg[512];
		int n = snprintf(msg, sizeof(msg), "iomap-checkd: writing to %s: %s: what "
				 "goes there is lost from now on (counted in the summary)\n",
				 name, strerror(-err));

		if (n > 0)
			(void)!write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n :
				     sizeof(msg) - 1);
	}
	if (use_log)
		syslog(LOG_ERR, "writing to %s: %s: what goes there is lost from now on",
		       name, strerror(-err));
	if (err == -EPIPE)
		*fd = -1;
}

const struct ck_out_loss *ck_out_loss(int which)
{
	return &loss[which ? 1 : 0];
}

void ck_out_write(const char *text, size_t len, int syslog_prio)
{
	const char *p = text, *end = text + len;
	int err;

	if (out_fd >= 0 && (err = ck_write_all(out_fd, text, len, NULL)))
		sink_failed(0, &out_fd, out_path ? out_path :
			    out_fd == STDOUT_FILENO ? "standard output" : "standard error", err);
	else if (out_fd < 0 && loss[0].err)
		loss[0].lost++;		/* a closed pipe */
	if (!use_log)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n)
			syslog(syslog_prio, "%.*s", (int)n, p);
		p += n + 1;
	}
}

void ck_out_write_json(const char *text, size_t len)
{
	int err;

	if (json_fd >= 0 && (err = ck_write_all(json_fd, text, len, NULL)))
		sink_failed(1, &json_fd, json_path, err);
	else if (json_fd < 0 && loss[1].err)
		loss[1].lost++;
}

void ck_out_close(void)
{
	if (json_fd >= 0)
		close(json_fd);
	json_fd = -1;
	free(json_path);
	json_path = NULL;
	if (own_fd && out_fd >= 0)
		close(out_fd);
	out_fd = -1;
	free(out_path);
	out_path = NULL;
	if (use_log)
		closelog();
}

static void ops_write(void *ctx, const char *text, size_t len, int syslog_prio)
{
	(void)ctx;
	ck_out_write(text, len, syslog_prio);
}

static void ops_write_json(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	ck_out_write_json(text, len);
}

void ck_out_report_ops(struct ck_report_ops *ops)
{
	ops->write = ops_write;
	ops->write_json = ck_out_has_json() ? ops_write_json : NULL;
}
