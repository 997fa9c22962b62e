// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* iomap-check: the front command; subcommands do the work. */
#include <stdio.h>
#include <string.h>
#include "analyze.h"
#include "cli.h"

static void usage(FILE *f)
{
	fputs("usage: iomap-check COMMAND [ARG]...\n"
	      "\n"
	      "Commands:\n"
	      "  analyze FILE...   check recorded io_mapping traces (see iomap-check analyze --help)\n"
	      "\n"
	      "  -h, --help        this text\n"
	      "  -V, --version     version\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "analyze")) {
		static char name[] = "iomap-check analyze";	/* for getopt's messages */

		argv[1] = name;
		return az_main(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		iomc_print_version("iomap-check");
		return 0;
	}
	fprintf(stderr, "iomap-check: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
