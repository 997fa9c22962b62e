/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* iomap-check analyze: options shared by its parts. */
#ifndef IOMC_ANALYZE_H
#define IOMC_ANALYZE_H

#include <stdio.h>
#include <linux/types.h>
#include "iomap-check/engine.h"

struct az_source;

struct az_opts {
	struct iomc_cfg cfg;
	int json, quiet;
	int all;			/* every occurrence in full, no dedup */
	int partial;			/* history before the first event unknown */
	FILE *out;			/* reports */
	const char *release;		/* the traced kernel's, if an input names it */
	struct az_source **srcs;	/* inputs, for messages */
	int nsrc;
};

/* The analyze subcommand; argv[0] is "analyze". */
int az_main(int argc, char **argv);

#endif
