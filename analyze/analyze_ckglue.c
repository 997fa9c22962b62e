// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The analyzer prints violations with the daemon's own printer
 * (lib/report.c), so both tools' reports have one definition. That
 * printer needs two services, declared in checkd_ksyms.h and checkd_out.h;
 * the daemon implements them over /proc/kallsyms and its log outputs, the
 * analyzer here:
 *  - ck_ksym(): sites in the analyzer are interned ids (analyze_syms.h)
 *    whose text came from the trace itself; anything else is printed as an
 *    address;
 *  - ck_out_write(): the analyzer's --output stream.
 */
#include <stdio.h>
#include <string.h>
#include "analyze_syms.h"
#include "ksyms.h"
#include "sink.h"

static FILE *az_out;

void az_ckglue_set_output(FILE *f)
{
	az_out = f;
}

const char *ck_ksym(__u64 addr, char *buf, size_t len)
{
	const char *s = az_sym_name(addr);

	if (!len)
		return buf;
	if (s)
		snprintf(buf, len, "%s", s);
	else if (!addr)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

void ck_out_write(const char *text, size_t len, int syslog_prio)
{
	(void)syslog_prio;
	fwrite(text, 1, len, az_out ? az_out : stdout);
}

/* The analyzer writes one format at a time: no second JSON stream. */
int ck_out_has_json(void)
{
	return 0;
}

void ck_out_write_json(const char *text, size_t len)
{
	(void)text;
	(void)len;
}
