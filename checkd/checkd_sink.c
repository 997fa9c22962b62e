// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's output sinks: see checkd_sink.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"
#include "report.h"
#include "checkd_sink.h"

static int out_fd = -1;		/* file or stream */
static int own_fd;		/* out_fd is a file we opened */
static int out_std;		/* the main output is standard output (1) or error (2) */
static char *out_path;
static int use_log;
static int json_fd = -1;	/* --json-output */
static char *json_path;
/* Messages that did not reach a sink (0: the main output, 1: --json-output). */
static struct ck_out_loss loss[2];

/*
 * Interruptible blocking: a signalfd of the signals that stop the daemon
 * (ck_out_set_stop); polled, never read (the event loop reads them). Once
 * stopping, a write waits for a slow reader until stop_deadline at most.
 */
static int stop_fd = -1;
static int stopping;
static struct timespec stop_deadline;

int ck_out_set_stop(const sigset_t *stop)
{
	stop_fd = signalfd(-1, stop, SFD_CLOEXEC | SFD_NONBLOCK);
	return stop_fd < 0 ? -errno : 0;
}

void ck_out_stopping(void)
{
	if (stopping)
		return;
	stopping = 1;
	clock_gettime(CLOCK_MONOTONIC, &stop_deadline);
	stop_deadline.tv_sec += 1;
}

/*
 * Wait up to ms (-1: for ever) for fd (POLLOUT, or -1: nothing) or a stop
 * signal; 1 if fd is ready, 0 if the time ran out, -1 if a signal came.
 */
static int wait_or_stop(int fd, int ms)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLOUT },
			       { .fd = stop_fd, .events = POLLIN } };
	int n;

	if (stopping) {
		struct timespec now;
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (stop_deadline.tv_sec - now.tv_sec) * 1000 +
		       (stop_deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return 0;
		if (ms < 0 || ms > left)
			ms = (int)left;
	}
	do
		n = poll(p, 2, ms);
	while (n < 0 && errno == EINTR);
	if (n > 0 && (p[1].revents & POLLIN))
		return -1;
	return n > 0 && p[0].revents ? 1 : 0;
}

int ck_stop_pending(int ms)
{
	struct pollfd p = { .fd = stop_fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	return n > 0 && (p.revents & POLLIN);
}

int ck_open_output(const char *path, int flags, int wait, int *created)
{
	/* 0640 whatever the umask: reports name kernel addresses */
	int fd, said = 0;	/* 100 ms waits so far */
	struct stat st;

	*created = 0;
	for (;;) {
		/* O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of
		 * blocking; it stays on, writes wait in ck_write_all */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NONBLOCK | flags,
			  0640);
		if (fd >= 0)
			*created = 1;
		else if (errno == EEXIST)
			fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | flags);
		if (fd >= 0)
			break;
		if (errno != ENXIO || !wait || stat(path, &st) || !S_ISFIFO(st.st_mode))
			return -errno;
		/* said after a second: a reader starting with us is no news */
		if (++said == 10)
			fprintf(stderr, "iomap-checkd: %s: a FIFO with no reader: waiting for "
				"one (SIGINT or SIGTERM stops)\n", path);
		if (wait_or_stop(-1, 100) < 0)
			return -EINTR;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (st.st_mode & 07777) != 0640 &&
	    st.st_size == 0)
		fchmod(fd, 0640);
	return fd;
}

static int open_file(const char *path, int wait, int *created)
{
	int dummy;

	return ck_open_output(path, O_APPEND, wait, created ? created : &dummy);
}

static int out_created, json_created;

/*
 * The main output is a standard stream that is a pipe: a non-blocking
 * open file description of our own for that pipe (/proc/self/fd/N opens
 * the pipe anew), so that a reader that stops reading holds the daemon
 * only until a stop signal (ck_write_all). The stream itself stays
 * blocking: a -- COMMAND inherits it, and so does the caller's shell.
 */
static void private_pipe(void)
{
	char p[32];
	struct stat st;
	int fd;

	if (out_fd < 0 || fstat(out_fd, &st) || !S_ISFIFO(st.st_mode))
		return;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", out_fd);
	fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;		/* no reader (ENXIO): writes say EPIPE */
	out_fd = fd;
	own_fd = 1;
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
		out_std = out_fd < 0 ? 0 : out_fd;
		private_pipe();
		return 0;
	}
	out_path = strdup(path);
	out_fd = open_file(path, 1, &out_created);
	if (out_fd < 0)
		return out_fd;
	own_fd = 1;
	return 0;
}

int ck_out_open_json(const char *path)
{
	json_path = strdup(path);
	json_fd = open_file(path, 1, &json_created);
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
		fd = open_file(json_path, 0, NULL);
		if (fd < 0)
			return fd;
		if (json_fd >= 0)
			close(json_fd);
		json_fd = fd;
	}
	if (!own_fd || !out_path)
		return 0;
	fd = open_file(out_path, 0, NULL);
	if (fd < 0)
		return fd;
	close(out_fd);
	out_fd = fd;
	return 0;
}

/* a non-blocking output (ck_open_output) that is full: wait for the
 * reader, but not past a stop signal */
static int wait_writable(int fd)
{
	return wait_or_stop(fd, -1);
}

int ck_write_all(int fd, const void *p, size_t n, size_t *done)
{
	return iomc_write_all(fd, p, n, done, wait_writable);
}

void ck_out_fds(int *main_fd, int *json)
{
	*main_fd = out_fd;
	*json = json_fd;
}

void ck_out_unlink_created(void)
{
	if (out_created && out_path)
		unlink(out_path);
	if (json_created && json_path)
		unlink(json_path);
	out_created = json_created = 0;
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
	/* not to standard error when that is what failed */
	if (*fd != STDERR_FILENO && !(which == 0 && out_std == STDERR_FILENO)) {
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
			    out_std == STDOUT_FILENO ? "standard output" : "standard error", err);
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

void ck_out_report_ops(struct iomc_report_ops *ops)
{
	ops->write = ops_write;
	ops->write_json = ck_out_has_json() ? ops_write_json : NULL;
}
