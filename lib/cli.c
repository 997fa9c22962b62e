// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line helpers: see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "report.h"

#ifndef IOMC_VERSION
#error "IOMC_VERSION comes from the VERSION file (lib/lib.mk)"
#endif
const char iomc_version[] = IOMC_VERSION;

void iomc_print_version(const char *prog)
{
	printf("%s %s\n", prog, iomc_version);
}

int iomc_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return 2;
}

int iomc_rule_lookup(const char *s, size_t n)
{
	int i;

	for (i = 0; i < IOMC_RULE_MAX; i++)
		if (strlen(ck_rule_name(i)) == n && !memcmp(ck_rule_name(i), s, n))
			return i;
	return -1;
}

int iomc_parse_disable(const char *prog, const char *arg, __u32 *mask)
{
	const char *p = arg;

	do {
		size_t n = strcspn(p, ",");
		int id;

		if (!n)
			return iomc_usage_error(prog, "--disable: empty rule name in '%s'", arg);
		id = iomc_rule_lookup(p, n);
		if (id < 0)
			return iomc_usage_error(prog, "--disable: unknown rule '%.*s' (%s "
						"--list-rules lists them)", (int)n, p, prog);
		*mask &= ~(1U << id);
		p += n;
	} while (*p++ == ',');
	return 0;
}

void iomc_print_rules(FILE *f)
{
	int i;

	for (i = 0; i < IOMC_RULE_MAX; i++)
		fprintf(f, "%-22s %s\n", ck_rule_name(i), ck_rule_desc(i));
}

int iomc_parse_depth_limit(const char *prog, const char *arg, __u32 *limit)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || arg[0] == '+' ||
	    v < 1 || v > IOMC_STACK_MAX)
		return iomc_usage_error(prog, "--depth-limit: a decimal number from 1 to %d, "
					"not '%s'", IOMC_STACK_MAX, arg);
	*limit = (__u32)v;
	return 0;
}
