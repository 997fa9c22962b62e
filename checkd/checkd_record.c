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
#include "iomap_checkd.skel.h"

static __u64 ts_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

int ck_record_open(struct ck_run *r, const char *path)
{
	struct iomc_rec_header h;
	struct utsname u;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0640);
	r->rec = fdopen(fd, "w");
	if (!r->rec) {
		close(fd);
		return -errno;
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
	if (fwrite(&h, sizeof(h), 1, r->rec) != 1)
		return -EIO;
	r->rec_fail_cpu = calloc((size_t)r->b.ncpus, sizeof(__u64));
	return r->rec_fail_cpu ? 0 : -ENOMEM;
}

void ck_record_event(struct ck_run *r, const struct iomc_event *ev)
{
	if (!r->rec)
		return;
	fwrite(ev, sizeof(*ev), 1, r->rec);
	r->rec_events++;
}

/* Per-CPU rec_fail grew: write a DROP event for each such CPU. */
void ck_record_drops(struct ck_run *r)
{
	struct iomc_counters *pc;
	__u32 zero = 0;
	int i;

	if (!r->rec || !r->rec_fail_cpu)
		return;
	pc = calloc((size_t)r->b.ncpus, sizeof(*pc));
	if (!pc)
		return;
	if (!bpf_map_lookup_elem(bpf_map__fd(r->b.skel->maps.counters), &zero, pc)) {
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
}

void ck_record_close(struct ck_run *r)
{
	if (!r->rec)
		return;
	ck_record_drops(r);
	fclose(r->rec);
	r->rec = NULL;
	free(r->rec_fail_cpu);
	r->rec_fail_cpu = NULL;
}
