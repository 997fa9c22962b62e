// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the trace text parsers, end to end: line splitting,
 * the line grammar (analyze_text.c), stack attachment, the reorder window,
 * the rule engine and the report printers.
 *
 * ftrace text, trace-cmd report and perf script share one line grammar, so
 * the three targets share this harness. Each is built with its format's
 * preamble (FUZZ_PREAMBLE: what a real file of that format starts with)
 * and fuzzed from its own seed corpus and dictionary, so each format's
 * shapes get explored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "analyze.h"
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_syms.h"
#include "../host/analyze_parse_same.h"

#ifndef FUZZ_PREAMBLE
#define FUZZ_PREAMBLE ""
#endif

static FILE *devnull;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char pre[] = FUZZ_PREAMBLE;
	struct az_opts o = {
		.cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 4 },
		.quiet = 1,
	};
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	char *buf;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* an exact-size copy: reading past the input is an ASan error */
	buf = malloc(sizeof(pre) - 1 + size + 1);
	if (!buf)
		return 0;
	memcpy(buf, pre, sizeof(pre) - 1);
	memcpy(buf + sizeof(pre) - 1, data, size);
	/* the parser's fast path reads every line as its general path does */
	for (const char *l = buf, *end = buf + sizeof(pre) - 1 + size; l < end;) {
		const char *nl = memchr(l, '\n', end - l);
		enum az_line ra, rb;

		if (!az_parse_same(l, (nl ? nl : end) - l, &ra, &rb)) {
			fprintf(stderr, "fast path: verdict %d, general path: %d\n", ra, rb);
			abort();
		}
		l = nl ? nl + 1 : end;
	}
	s = az_open_text_mem("fuzz", buf, sizeof(pre) - 1 + size, 0);
	o.out = devnull;
	o.srcs = &s;
	o.nsrc = 1;
	/* alternate the two report printers on the first input byte */
	o.json = size && (data[0] & 1);
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1)
		az_checker_feed(c, &e);
	az_print_warnings(s, devnull);
	az_checker_summary(c, devnull);
	az_checker_free(c);
	az_close(s);
	free(buf);
	az_syms_reset();
	return 0;
}
