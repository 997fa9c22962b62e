// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Run a command, discard its stdout, and print what it cost from wait4()'s
 * rusage: "<exit> <wall_s> <cpu_s> <maxrss_kib>" on stderr. The analyzer
 * benchmark times `wc -l` and `iomap-check analyze` with it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: analyze_rusage CMD [ARG]...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "%d %.3f %.3f %ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128,
		(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
	return 0;
}
