/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The parser's fast path for ftrace's own layout against its general path
 * (issue 21): both must give the same verdict and the same fields on every
 * line. Used by analyze_test.c and by the text fuzz targets.
 */
#ifndef IOMC_ANALYZE_PARSE_SAME_H
#define IOMC_ANALYZE_PARSE_SAME_H

#include <string.h>
#include "analyze_text.h"

/* 1 when both paths agree on s[0..n); the verdicts in *ra (fast), *rb. */
static inline int az_parse_same(const char *s, size_t n, enum az_line *ra, enum az_line *rb)
{
	struct az_parsed a, b;

	*ra = az_parse_line(s, n, &a);
	*rb = az_parse_line_general(s, n, &b);
	return *ra == *rb && a.ev.ts_ns == b.ev.ts_ns && a.ev.type == b.ev.type &&
	       a.ev.cpu == b.ev.cpu && a.ev.pid == b.ev.pid && a.ev.tid == b.ev.tid &&
	       a.ev.kind == b.ev.kind && a.ev.ctx == b.ev.ctx && a.ev.mapping == b.ev.mapping &&
	       a.ev.size == b.ev.size && a.ev.offset == b.ev.offset && a.ev.len == b.ev.len &&
	       a.ev.vaddr == b.ev.vaddr && a.ev.caller == b.ev.caller && a.ev.arg == b.ev.arg &&
	       !memcmp(a.ev.comm, b.ev.comm, sizeof(a.ev.comm)) && a.frame == b.frame &&
	       a.fmt == b.fmt && a.nr_cpus == b.nr_cpus && a.block_start == b.block_start &&
	       a.lost_at_start == b.lost_at_start;
}

#endif
