// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * checkd_flood: floods a running iomap-checkd's BPF programs.
 *
 * Finds the daemon's loaded iomc_map and iomc_unmap programs (by name: those
 * of daemon PID with -p, else the most recently loaded) and runs them
 * through BPF_PROG_TEST_RUN from one thread per CPU, pinned, as fast as it
 * can: map_local/unmap_local pairs, with a violation injected every EVERY
 * operations (an unaligned map, at a site of its own per injection with
 * -u, else one shared site). The daemon's maps, ring buffer and counters
 * are the real ones: what it counts must equal what was injected.
 * -n COUNT stops once COUNT violations were injected (all CPUs together):
 * with -e 2 -u, a burst of COUNT distinct reports as fast as the CPUs go.
 * -v prints each injected site (hex, one a line) before the summary line.
 *
 * usage: checkd_flood [-s SECONDS] [-e EVERY] [-u] [-n COUNT] [-p PID] [-v]
 * prints: flood SECONDS OPS INJECTED CPUS  (SECONDS: as measured)
 */
#include <dirent.h>
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
static int unique, verbose;
static int limited;		/* -n given */
static long budget;		/* -n: injections left (all CPUs) */
static volatile int stop;

struct worker {
	pthread_t th;
	int cpu;
	unsigned long long ops, injected;
	__u64 *sites;		/* -v: the sites injected */
	size_t n_sites, cap_sites;
	int err;
};

static int is_named(__u32 id, const char *name)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), match;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	match = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
		!strncmp(info.name, name, sizeof(info.name));
	close(fd);
	return match;
}

/* The id of the program called name that process pid holds open, or 0. */
static __u32 pid_prog(long pid, const char *name)
{
	char path[64], line[128];
	struct dirent *de;
	__u32 found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		unsigned int id;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%.20s", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) == 1 && is_named(id, name))
				found = id;
		fclose(f);
	}
	closedir(d);
	return found;
}

static int find_prog(const char *name, long pid)
{
	__u32 id = 0, best = 0;

	if (pid > 0) {
		best = pid_prog(pid, name);
	} else {
		while (!bpf_prog_get_next_id(id, &id))
			if (id > best && is_named(id, name))
				best = id;
	}
	return best ? bpf_prog_get_fd_by_id(best) : -1;
}

/* One more injection allowed (-n)? */
static int take_one(void)
{
	if (!limited)
		return 1;
	if (__atomic_sub_fetch(&budget, 1, __ATOMIC_RELAXED) >= 0)
		return 1;
	stop = 1;
	return 0;
}

static int keep_site(struct worker *w, __u64 site)
{
	if (w->n_sites == w->cap_sites) {
		size_t cap = w->cap_sites ? w->cap_sites * 2 : 1024;
		__u64 *p = realloc(w->sites, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->sites = p;
		w->cap_sites = cap;
	}
	w->sites[w->n_sites++] = site;
	return 0;
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

		if (bad && !take_one())
			break;

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
		if (bad && verbose && keep_site(w, m[7])) {
			w->err = -ENOMEM;
			break;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *ws;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long ops = 0, inj = 0;
	struct timespec ts, t0, t1;
	long pid = 0;
	int c, i, rc = 0;
	size_t j;

	while ((c = getopt(argc, argv, "s:e:un:p:v")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'e': every = strtoul(optarg, NULL, 0); break;
		case 'u': unique = 1; break;
		case 'n': budget = atol(optarg); limited = 1; break;
		case 'p': pid = atol(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s SECONDS] [-e EVERY] [-u] [-n COUNT] [-p PID] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if ((limited && budget <= 0) || pid < 0 || optind < argc) {
		fprintf(stderr, "%s: -n and -p take a positive number; no arguments\n", argv[0]);
		return 2;
	}
	map_fd = find_prog("iomc_map", pid);
	unmap_fd = find_prog("iomc_unmap", pid);
	if (map_fd < 0 || unmap_fd < 0) {
		fprintf(stderr, "checkd_flood: no loaded iomc_map/iomc_unmap (is iomap-checkd running?)\n");
		return 1;
	}
	ws = calloc((size_t)ncpu, sizeof(*ws));
	for (i = 0; i < ncpu; i++) {
		ws[i].cpu = i;
		pthread_create(&ws[i].th, NULL, work, &ws[i]);
	}
	/* until SECONDS have passed, or -n's budget is spent */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000;
		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!stop && (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	stop = 1;
	for (i = 0; i < ncpu; i++) {
		pthread_join(ws[i].th, NULL);
		if (ws[i].err) {
			fprintf(stderr, "checkd_flood: cpu %d: %s\n", i, strerror(-ws[i].err));
			rc = 1;
		}
		ops += ws[i].ops;
		inj += ws[i].injected;
		for (j = 0; j < ws[i].n_sites; j++)
			printf("site 0x%llx\n", (unsigned long long)ws[i].sites[j]);
		free(ws[i].sites);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("flood %.3g %llu %llu %ld\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ops, inj, ncpu);
	free(ws);
	return rc;
}
