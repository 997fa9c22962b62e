// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the trace.dat reader: the input as the whole file.
 * libtracecmd runs in a child process (src/analyze_tracedat.c); its crashes
 * on damaged files end that child and are reported as an unreadable input,
 * so what this finds is the analyzer's own bugs: the pipe protocol, the
 * conversion of records, the checker fed from it. A sanitizer report in the
 * child is libtracecmd's as much as ours (the sanitizers' interceptors see
 * the library's calls too), so the child dies quietly on any error as the
 * analyzer's child does on a crash, and the parent's handling of that is
 * what is checked. Seeds: a real capture cut short, in trace.dat versions 6
 * and 7 (tests/fuzz/corpus/tracedat/, made by tracedat_shrink.py), and the
 * same damaged as tests/host/analyze_tracedat.sh damages it: a zstd chunk
 * with a flipped byte, a page libtracecmd cannot read, an io_mapping format
 * of another module version, an unknown event id, an out-of-range kind. The
 * mutations around them exercise the page checks and the format checks.
 */
#include <stdio.h>
#include <string.h>
#include <sanitizer/common_interface_defs.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>
#include "analyze.h"
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_syms.h"

static FILE *devnull;

/* the child may restore SIG_DFL for SIGSEGV: its crash is not the fuzzer's */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allow_user_segv_handler=1";
}

static void child_death(void)
{
	_exit(125);
}

static void in_child(void)
{
	__sanitizer_set_death_callback(child_death);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct az_opts o = {
		.cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 4 },
		.quiet = 1,
	};
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	int fd;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		az_tracedat_quiet(1);
		az_tracedat_stall(3);	/* under libFuzzer's -timeout=10 */
		az_tracedat_child_hook = in_child;
	}
	if (!az_is_tracedat(data, size))
		return 0;	/* az_open() reads anything else as text */
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	/* stderr: the parent's messages about a crashed child are expected */
	s = az_open_tracedat("fuzz", fd, 0);
	if (!s)
		goto out;
	o.out = devnull;
	o.srcs = &s;
	o.nsrc = 1;
	o.json = data[size - 1] & 1;
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1)
		az_checker_feed(c, &e);
	az_print_warnings(s, devnull);
	az_checker_free(c);
	az_close(s);
out:
	az_syms_reset();
	return 0;
}
