// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --record FILE: every event the rules need, for `iomap-check analyze`.
 * Layout (include/iomap-check/abi.h): struct iomc_rec_header, then struct
 * iomc_event records until EOF. Events the ring buffer could not take are
 * marked in-band: an IOMC_EV_DROP event per CPU that lost some (arg = how
 * many), so that the analyzer forgets that CPU's state instead of
 * reporting false violations across the gap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include "checkd.h"
#include "checkd_sink.h"
#include "iomap_checkd.skel.h"

static __u64 ts_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

int ck_record_open(struct ck_run *r, const char *path)
{
	int fd = ck_open_output(path, 0, 1, &r->rec_created);

	if (fd < 0)
		return fd;
	r->rec_fd = fd;
	return 0;
}

int ck_record_start(struct ck_run *r)
{
	struct iomc_rec_header h;
	struct utsname u;
	struct stat st;
	size_t done;
	int err;

	/* truncated only now that it is known to be no other output */
	if (!fstat(r->rec_fd, &st) && S_ISREG(st.st_mode)) {
		if (ftruncate(r->rec_fd, 0))
			return -errno;
		fchmod(r->rec_fd, 0640);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC));
	h.version = IOMC_REC_VERSION;
	h.event_size = sizeof(struct iomc_event);
	h.ncpus = (__u32)r->b.ncpus;
	h.start_ns = ts_ns(CLOCK_MONOTONIC);
	h.start_realtime_ns = ts_ns(CLOCK_REALTIME);
	uname(&u);
	memcpy(h.release, u.release, strnlen(u.release, sizeof(h.release) - 1));
	/* a file that cannot take its header is a set-up error */
	if ((err = ck_write_all(r->rec_fd, &h, sizeof(h), &done)))
		return err;
	r->rec_fail_cpu = calloc((size_t)r->b.ncpus, sizeof(__u64));
	r->rec_buf = malloc(CK_REC_BUF * sizeof(*r->rec_buf));
	if (!r->rec_fail_cpu || !r->rec_buf)
		return -ENOMEM;
	r->rec_n = 0;
	return 0;
}

/*
 * Write out the buffered events. What the file does not take is lost:
 * counted (whole records; a torn last one is the analyzer's cut-short tail)
 * and said once.
 */
static void rec_flush(struct ck_run *r)
{
	size_t done, n = r->rec_n * sizeof(*r->rec_buf);
	int err;

	if (!n)
		return;
	r->rec_n = 0;
	err = ck_write_all(r->rec_fd, r->rec_buf, n, &done);
	r->rec_events += done / sizeof(*r->rec_buf);
	if (!err)
		return;
	r->rec_lost += (n - done) / sizeof(*r->rec_buf) + ((n - done) % sizeof(*r->rec_buf) != 0);
	if (r->rec_err)
		return;
	r->rec_err = -err;
	iomc_print_status(&r->fmt, "--record %s: write error: %s: the recording is incomplete; events lost are counted in the summary",
			r->o.record, strerror(-err));
}

void ck_record_event(struct ck_run *r, const struct iomc_event *ev)
{
	if (r->rec_fd < 0 || !r->rec_buf)
		return;
	r->rec_buf[r->rec_n++] = *ev;
	if (r->rec_n == CK_REC_BUF)
		rec_flush(r);
}

/* Per-CPU rec_fail grew: write a DROP event for each such CPU. */
void ck_record_drops(struct ck_run *r)
{
	struct iomc_counters *pc;
	__u32 zero = 0;
	int i;

	if (r->rec_fd < 0 || !r->rec_fail_cpu)
		return;
	pc = calloc((size_t)r->b.ncpus, sizeof(*pc));
	if (pc && !bpf_map_lookup_elem(bpf_map__fd(r->b.skel->maps.counters), &zero, pc)) {
		for (i = 0; i < r->b.ncpus; i++) {
			struct iomc_event ev;

			if (pc[i].rec_fail == r->rec_fail_cpu[i])
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.type = IOMC_EV_DROP;
			ev.cpu = (__u32)i;
			ev.ts_ns = ts_ns(CLOCK_MONOTONIC);
			ev.arg = pc[i].rec_fail - r->rec_fail_cpu[i];
			r->rec_fail_cpu[i] = pc[i].rec_fail;
			ck_record_event(r, &ev);
		}
	}
	free(pc);
	/* called every second: the file is at most that far behind */
	rec_flush(r);
}

void ck_record_close(struct ck_run *r)
{
	if (r->rec_fd < 0)
		return;
	ck_record_drops(r);
	if (close(r->rec_fd) && !r->rec_err) {
		r->rec_err = errno;
		iomc_print_status(&r->fmt, "--record %s: closing: %s: the recording may be incomplete",
				r->o.record, strerror(errno));
	}
	r->rec_fd = -1;
	ck_record_free(r);
}

void ck_record_free(struct ck_run *r)
{
	if (r->rec_fd >= 0)
		close(r->rec_fd);
	r->rec_fd = -1;
	free(r->rec_buf);
	r->rec_buf = NULL;
	free(r->rec_fail_cpu);
	r->rec_fail_cpu = NULL;
}
