// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A syscall-heavy workload for make bench-daemon: what iomap-checkd's
 * might-sleep hooks cost a system that holds no atomic map. Each iteration
 * opens and closes /dev/null (a struct file: a GFP_KERNEL slab allocation,
 * so an allocator hook and might_sleep()) and passes one byte through a
 * pipe (pipe_write/pipe_read take the pipe's mutex: mutex_lock and its
 * might_sleep()), 5 system calls in all.
 *
 * usage: syscall_bench ITERATIONS [REPS]
 * prints "syscalls ITERATIONS NS_PER_ITERATION", the fastest of REPS
 * (default 3) runs; exit 2 on bad arguments, 1 if a call fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int run(long n, double *ns)
{
	int p[2], fd;
	char c = 'x';
	double t0;
	long i;

	if (pipe(p))
		return -1;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || close(fd) || write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
	}
	*ns = (now_ns() - t0) / (double)n;
	close(p[0]);
	close(p[1]);
	return 0;
}

int main(int argc, char **argv)
{
	long n, reps = 3, r;
	double best = 0, ns;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: syscall_bench ITERATIONS [REPS]\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "syscall_bench: ITERATIONS: a positive number, not '%s'\n", argv[1]);
		return 2;
	}
	if (argc == 3) {
		reps = strtol(argv[2], &end, 10);
		if (*end || reps <= 0 || reps > 100) {
			fprintf(stderr, "syscall_bench: REPS: 1 to 100, not '%s'\n", argv[2]);
			return 2;
		}
	}
	for (r = 0; r < reps; r++) {
		if (run(n, &ns)) {
			perror("syscall_bench");
			return 1;
		}
		if (!r || ns < best)
			best = ns;
	}
	printf("syscalls %ld %.1f\n", n, best);
	return 0;
}
