// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line helpers: see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "report.h"
#include "rule_info.h"

#ifndef IOMC_VERSION
#error "IOMC_VERSION comes from the VERSION file (lib/lib.mk)"
#endif
const char iomc_version[] = IOMC_VERSION;

void iomc_print_version(const char *prog)
{
	printf("%s %s\n", prog, iomc_version);
}

void iomc_print_exit_statuses(FILE *f, unsigned int which)
{
	static const struct {
		int num;
		const char *what;
	} table[] = {
#define IOMC_EXIT_ROW(name, num, what) { num, what },
		IOMC_EXIT_STATUSES(IOMC_EXIT_ROW)
#undef IOMC_EXIT_ROW
	};
	size_t i;

	fprintf(f, "Exit status:\n");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (which & (1U << table[i].num))
			fprintf(f, "  %d  %s\n", table[i].num, table[i].what);
}

int iomc_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return IOMC_EXIT_USAGE;
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
		fprintf(f, "%-22s %s\n", iomc_rule_name(i), iomc_rule_desc(i));
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

/* n bytes as the size parser reads it back: 4K, 1G, 12345 */
static void size_str(char *buf, size_t len, unsigned long long n)
{
	static const char sfx[] = "GMK";
	int i;

	for (i = 0; i < 3; i++) {
		unsigned int shift = 30 - 10 * (unsigned int)i;

		if (n && !(n & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%llu%c", n >> shift, sfx[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", n);
}

int iomc_parse_size(const char *prog, const char *opt, const char *arg,
		    unsigned long long min, unsigned long long max, int pow2,
		    unsigned long long *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char lo[32], hi[32], *end;

	errno = 0;
	/* strtoull takes a sign and blanks; a size is digits only */
	if (arg[0] < '0' || arg[0] > '9')
		goto bad;
	v = strtoull(arg, &end, 10);
	if (errno)
		goto bad;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (*end || v > (~0ULL >> shift))
		goto bad;
	v <<= shift;
	if (v < min || v > max || (pow2 && (v & (v - 1))))
		goto bad;
	*out = v;
	return 0;
bad:
	size_str(lo, sizeof(lo), min);
	size_str(hi, sizeof(hi), max);
	return iomc_usage_error(prog, "%s: %s from %s to %s (bytes, or with a suffix K, M "
				"or G), not '%s'", opt, pow2 ? "a power of 2" : "a size",
				lo, hi, arg);
}
