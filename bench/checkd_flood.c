// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * checkd_flood: floods a running iomap-checkd's BPF programs.
 *
 * Finds the daemon's loaded iomc_map and iomc_unmap programs (by name, the
 * most recently loaded) and runs them through BPF_PROG_TEST_RUN from one
 * thread per CPU, pinned, as fast as it can: map_local/unmap_local pairs,
 * with a violation injected every EVERY operations (an unaligned map, at a
 * site of its own per injection with --unique, else one shared site). The
 * daemon's maps, ring buffer and counters are the real ones: what it
 * counts must equal what was injected.
 *
 * usage: checkd_flood [-s SECONDS] [-e EVERY] [-u]
 * prints: flood SECONDS OPS INJECTED CPUS
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "iomap-check/events.h"

static int map_fd = -1, unmap_fd = -1;
static double seconds = 5;
static unsigned long every = 1000;
static int unique;
static volatile int stop;

struct worker {
	pthread_t th;
	int cpu;
	unsigned long long ops, injected;
	int err;
};

static int find_prog(const char *name)
{
	__u32 id = 0, best = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, name, sizeof(info.name)) && id > best)
			best = id;
		close(fd);
	}
	return best ? bpf_prog_get_fd_by_id(best) : -1;
}

static int run(int fd, __u64 *args, unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	o.ctx_in = args;
	o.ctx_size_in = n * sizeof(__u64);
	return bpf_prog_test_run_opts(fd, &o);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	__u64 mapping = 0xffff888000100000ULL + (__u64)w->cpu * 0x1000;
	__u64 iomem = 0xffffc90000000000ULL + (__u64)w->cpu * 0x10000000ULL;
	__u64 site = 0xffffffffc0001000ULL, bad_site = 0xffffffffc0800000ULL;
	unsigned long k = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!stop) {
		__u64 off = (k & 15) << 12, m[8], u[4];
		int bad = every && ++k % (every / 2 ? every / 2 : 1) == 0;

		/* a pair is two operations: inject once per EVERY operations */
		m[0] = IOMC_KIND_LOCAL;
		m[1] = IOMC_CTX_TASK;
		m[2] = mapping;
		m[3] = 0x100000;
		m[4] = off | (bad ? 0x80 : 0);
		m[5] = 4096;
		m[6] = iomem + m[4];
		m[7] = bad ? bad_site + (unique ? (w->injected + 1) * 0x10 +
					 (__u64)w->cpu * 0x100000 : 0) : site;
		u[0] = IOMC_KIND_LOCAL;
		u[1] = IOMC_CTX_TASK;
		u[2] = m[6];
		u[3] = site + 0x40;
		if (run(map_fd, m, 8) || run(unmap_fd, u, 4)) {
			w->err = -errno;
			break;
		}
		w->ops += 2;
		w->injected += bad;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *ws;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long ops = 0, inj = 0;
	struct timespec ts;
	int c, i;

	while ((c = getopt(argc, argv, "s:e:u")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'e': every = strtoul(optarg, NULL, 0); break;
		case 'u': unique = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s SECONDS] [-e EVERY] [-u]\n", argv[0]);
			return 2;
		}
	}
	map_fd = find_prog("iomc_map");
	unmap_fd = find_prog("iomc_unmap");
	if (map_fd < 0 || unmap_fd < 0) {
		fprintf(stderr, "checkd_flood: no loaded iomc_map/iomc_unmap (is iomap-checkd running?)\n");
		return 1;
	}
	ws = calloc((size_t)ncpu, sizeof(*ws));
	for (i = 0; i < ncpu; i++) {
		ws[i].cpu = i;
		pthread_create(&ws[i].th, NULL, work, &ws[i]);
	}
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	stop = 1;
	for (i = 0; i < ncpu; i++) {
		pthread_join(ws[i].th, NULL);
		if (ws[i].err)
			fprintf(stderr, "checkd_flood: cpu %d: %s\n", i, strerror(-ws[i].err));
		ops += ws[i].ops;
		inj += ws[i].injected;
	}
	printf("flood %g %llu %llu %ld\n", seconds, ops, inj, ncpu);
	return 0;
}
