// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the iomap-checkd recording reader: a valid header
 * followed by the fuzz input as the records (arbitrary event sequences:
 * this also drives the rule engine through states no trace would reach),
 * or, when the input starts with the magic, the input as the whole file
 * (header checks).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>
#include "analyze.h"
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_ksyms.h"
#include "analyze_syms.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct az_opts o = {
		.cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 4 },
		.quiet = 1,
	};
	struct iomc_rec_header h;
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	int fd;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!(size >= sizeof(IOMC_REC_MAGIC) && !memcmp(data, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC)))) {
		memset(&h, 0, sizeof(h));
		memcpy(h.magic, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC));
		h.version = IOMC_REC_VERSION;
		h.event_size = sizeof(struct iomc_event);
		h.ncpus = 2;
		strcpy(h.release, "fuzz");
		if (write(fd, &h, sizeof(h)) != sizeof(h))
			goto out;
	}
	if (size && write(fd, data, size) != (ssize_t)size)
		goto out;
	lseek(fd, 0, SEEK_SET);
	s = az_open_record("fuzz", fd, 0);
	fd = -1;
	if (!s)
		goto out;
	o.out = devnull;
	o.srcs = &s;
	o.nsrc = 1;
	o.json = size && (data[size - 1] & 1);
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1)
		az_checker_feed(c, &e);
	az_print_warnings(s, devnull);
	az_checker_free(c);
	az_close(s);
out:
	if (fd >= 0)
		close(fd);
	az_ksyms_reset();	/* its address cache holds site ids */
	az_syms_reset();
	return 0;
}
