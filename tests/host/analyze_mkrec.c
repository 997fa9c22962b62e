// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Small iomap-checkd recordings for tests/host/analyze_inputs.sh, written
 * with the ABI's own structs (include/iomap-check/abi.h):
 *   memremap  three memremaps without a type flag (memremap_bad_flags), from
 *             three call sites, and nothing else: no io_mapping event at all
 *   lifo      a mapping, two local maps unmapped in the wrong order (lifo)
 *   drops     a map and unmap at 1 s, a drop record without a count at 5 s
 *             and one of 7 events at 7 s (trace time), a map and unmap after
 *
 * usage: analyze_mkrec KIND FILE   (FILE "-": stdout)
 */
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "iomap-check/abi.h"

static FILE *out;

static void ev(__u32 type, __u64 ts_s, __u32 kind, __u64 mapping, __u64 vaddr, __u64 caller,
	       __u64 arg)
{
	struct iomc_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts_s * 1000000000ULL + 1000;
	e.type = type;
	e.pid = e.tid = 42;
	e.kind = kind;
	e.ctx = IOMC_CTX_TASK;
	e.mapping = mapping;
	e.size = 1 << 20;
	e.len = 4096;
	e.offset = type == IOMC_EV_MEMREMAP ? 0xfd000000ULL : 0;
	e.vaddr = vaddr;
	e.caller = caller;
	e.arg = arg;
	snprintf(e.comm, sizeof(e.comm), "insmod");
	fwrite(&e, sizeof(e), 1, out);
}

int main(int argc, char **argv)
{
	struct iomc_rec_header h;
	const __u64 m = 0xffff888003a1b000ULL, va = 0xffffc90000400000ULL;

	if (argc != 3) {
		fprintf(stderr, "usage: analyze_mkrec memremap|lifo|drops FILE\n");
		return 2;
	}
	out = strcmp(argv[2], "-") ? fopen(argv[2], "w") : stdout;
	if (!out) {
		perror(argv[2]);
		return 2;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC));
	h.version = IOMC_REC_VERSION;
	h.event_size = sizeof(struct iomc_event);
	h.ncpus = 2;
	snprintf(h.release, sizeof(h.release), "6.1.0-test");
	fwrite(&h, sizeof(h), 1, out);
	if (!strcmp(argv[1], "memremap")) {
		/* flags 0: no WB/WT/WC (memremap returns NULL) */
		ev(IOMC_EV_MEMREMAP, 1, IOMC_MR_MEMREMAP, 0, 0, 0xffffffffc0001010ULL, 0);
		ev(IOMC_EV_MEMREMAP, 2, IOMC_MR_MEMREMAP, 0, 0, 0xffffffffc0001020ULL, 0);
		ev(IOMC_EV_MEMREMAP, 3, IOMC_MR_MEMREMAP, 0, 0, 0xffffffffc0001030ULL, 0);
	} else if (!strcmp(argv[1], "lifo")) {
		ev(IOMC_EV_CREATE, 1, 0, m, 0, 0xffffffffc0001000ULL, 0);
		ev(IOMC_EV_MAP, 2, IOMC_KIND_LOCAL, m, va, 0xffffffffc0001010ULL, 0);
		ev(IOMC_EV_MAP, 3, IOMC_KIND_LOCAL, m, va + 4096, 0xffffffffc0001020ULL, 0);
		ev(IOMC_EV_UNMAP, 4, IOMC_KIND_LOCAL, 0, va, 0xffffffffc0001030ULL, 0);
		ev(IOMC_EV_UNMAP, 5, IOMC_KIND_LOCAL, 0, va + 4096, 0xffffffffc0001040ULL, 0);
	} else if (!strcmp(argv[1], "drops")) {
		ev(IOMC_EV_MAP, 1, IOMC_KIND_LOCAL, m, va, 0xffffffffc0001010ULL, 0);
		ev(IOMC_EV_UNMAP, 1, IOMC_KIND_LOCAL, 0, va, 0xffffffffc0001020ULL, 0);
		ev(IOMC_EV_DROP, 5, 0, 0, 0, 0, 0);
		ev(IOMC_EV_DROP, 7, 0, 0, 0, 0, 7);
		ev(IOMC_EV_MAP, 8, IOMC_KIND_LOCAL, m, va, 0xffffffffc0001010ULL, 0);
		ev(IOMC_EV_UNMAP, 8, IOMC_KIND_LOCAL, 0, va, 0xffffffffc0001020ULL, 0);
	} else {
		fprintf(stderr, "analyze_mkrec: unknown kind '%s'\n", argv[1]);
		return 2;
	}
	if (fflush(out) || ferror(out)) {
		perror(argv[2]);
		return 2;
	}
	return 0;
}
