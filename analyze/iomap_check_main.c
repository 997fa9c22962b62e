// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* iomap-check: the front command; subcommands do the work. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze.h"
#include "cli.h"

/* Where `make install` put kmod/ and include/ (IOMC_DATADIR overrides). */
#ifndef IOMC_DATADIR
#define IOMC_DATADIR "/usr/local/share/iomap-check"
#endif
#define BUILD_DRIVER "/kmod/iomap-check-build-driver.sh"

/*
 * The data directory beside this binary: BIN/../share/iomap-check. That is
 * where an installed copy finds its own (moved or not), and where the
 * build tree has a link to the source tree (analyze/analyze.mk), so that
 * build/bin/iomap-check works before `make install` and never runs an
 * older installed script. 0 if there is no such directory.
 */
static int datadir_beside_exe(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = 0;
	if (!(slash = strrchr(exe, '/')))
		return 0;
	*slash = 0;			/* BIN */
	if (snprintf(buf, len, "%s/../share/iomap-check", exe) >= (int)len)
		return 0;
	return 1;
}

/* build-driver: kmod/iomap-check-build-driver.sh does the work. */
static int build_driver(char **argv)
{
	const char *dir = getenv("IOMC_DATADIR");
	static char prog[4096], beside[4096];

	if (!dir || !*dir) {
		dir = IOMC_DATADIR;
		if (datadir_beside_exe(beside, sizeof(beside)) &&
		    snprintf(prog, sizeof(prog), "%s%s", beside, BUILD_DRIVER) < (int)sizeof(prog) &&
		    !access(prog, X_OK))
			dir = beside;
	}
	if (snprintf(prog, sizeof(prog), "%s%s", dir, BUILD_DRIVER) >= (int)sizeof(prog)) {
		fputs("iomap-check: IOMC_DATADIR too long\n", stderr);
		return IOMC_EXIT_USAGE;
	}
	argv[0] = prog;
	execv(prog, argv);
	fprintf(stderr, "iomap-check build-driver: cannot run %s: %s\n", prog, strerror(errno));
	return IOMC_EXIT_SETUP;
}

static void usage(FILE *f)
{
	fputs("usage: iomap-check COMMAND [ARG]...\n"
	      "\n"
	      "Commands:\n"
	      "  analyze FILE...   check recorded io_mapping traces (see iomap-check analyze --help)\n"
	      "  build-driver DIR  build a driver against iomap_check.ko for the running kernel\n"
	      "                    (see iomap-check build-driver --help)\n"
	      "\n"
	      "  -h, --help        this text\n"
	      "  -V, --version     version\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return IOMC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "analyze")) {
		static char name[] = "iomap-check analyze";	/* for getopt's messages */

		argv[1] = name;
		return az_main(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "build-driver"))
		return build_driver(argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return IOMC_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		iomc_print_version("iomap-check");
		return IOMC_EXIT_OK;
	}
	fprintf(stderr, "iomap-check: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return IOMC_EXIT_USAGE;
}
