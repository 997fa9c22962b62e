// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark input for `iomap-check analyze`: ftrace text of the size asked
 * for, as `cat /sys/kernel/tracing/trace` prints it (analyze_gen.h): four
 * tasks on two CPUs doing local/atomic/wc map-unmap pairs, nested pairs,
 * softirq maps and voluntary/involuntary context switches, with a handful
 * of injected violations (lifo and unknown_unmap, LIFO_EVERY apart) so the
 * run also proves they are found in the flood.
 *
 * With TASKS, the same mix from TASKS thread ids in turn (each id is used
 * again only after TASKS others: the engine's per-task state, a free of a
 * short-lived mapping every 64 rounds and an unknown unmap (a double
 * unmap, the injected violation) must not cost per thread id ever seen).
 *
 * usage: analyze_bench_gen BYTES FILE [TASKS]  (prints "<events> <violations>")
 */
#include <stdlib.h>
#include <string.h>
#include "analyze_gen.h"

#define LIFO_EVERY 1000000	/* one violation pair per million events */

int main(int argc, char **argv)
{
	static const char *const comms[] = { "kworker/0:1", "i915_worker", "Xorg", "insmod" };
	static const char *const sites[] = {
		"drv_copy_local+0x5c/0x120 [gpu_drv]", "drv_copy_local+0x98/0x120 [gpu_drv]",
		"drv_reloc_atomic+0x3a/0x1f0 [gpu_drv]", "drv_reloc_atomic+0x11c/0x1f0 [gpu_drv]",
		"drv_ring_wc+0x20/0x80 [gpu_drv]", "drv_ring_wc+0x64/0x80 [gpu_drv]",
		"drv_bh_flush+0x31/0xa0 [gpu_drv]", "drv_bh_flush+0x77/0xa0 [gpu_drv]",
	};
	unsigned long long want, written = 0, events = 0, viol = 0, ts = 1000000000ULL;
	static char out[1 << 20];
	size_t olen = 0;
	struct gen_hdr h = { GEN_FTRACE, GEN_US, NULL, 0, -1, 0, NULL, 0 };
	unsigned long m = 0xffff888003a1b000UL, size = 1UL << 28;
	FILE *f;
	unsigned int i = 0, ntasks = 4, frees = 0;
	char comm[16];

	if ((argc != 3 && argc != 4) || !(want = strtoull(argv[1], NULL, 0))) {
		fprintf(stderr, "usage: analyze_bench_gen BYTES FILE [TASKS]\n");
		return 2;
	}
	if (argc == 4) {
		ntasks = (unsigned int)strtoul(argv[3], NULL, 0);
		frees = 1;
		if (ntasks < 1) {
			fprintf(stderr, "analyze_bench_gen: TASKS must be at least 1\n");
			return 2;
		}
	}
	f = fopen(argv[2], "w");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	olen = gen_ftrace_header(out, sizeof(out), 0, 0, 2);
#define EMIT(call) do { \
		h.ts = (ts += 370); \
		olen += (call); events++; \
		if (olen > sizeof(out) - 4096) { \
			fwrite(out, 1, olen, f); written += olen; olen = 0; } \
	} while (0)
	while (written + olen < want) {
		unsigned int t = i % ntasks;
		unsigned long off = ((i * 7919UL) % (size / 4096)) * 4096;
		unsigned long va = 0xffffc90000000000UL + off;
		char *b;
		size_t n;

		if (ntasks == 4) {
			h.comm = comms[t];
		} else {
			snprintf(comm, sizeof(comm), "w/%u", t);
			h.comm = comm;
		}
		h.pid = 1000 + t;
		h.cpu = t & 1;
		h.flags = "....." ;
#define B (b = out + olen, n = sizeof(out) - olen)
		switch (i % 6) {
		case 0:	/* nested local pair */
			B; EMIT(gen_map(b, n, &h, 1, 0, m, size, off, 4096, va, sites[0]));
			B; EMIT(gen_map(b, n, &h, 1, 0, m, size, off + 4096, 4096, va + 4096, sites[0]));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, va + 4096, sites[1]));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, va, sites[1]));
			break;
		case 1:	/* atomic pair, preempted in between */
			h.flags = "d..1.";
			B; EMIT(gen_map(b, n, &h, 0, 0, m, size, off, 4096, va, sites[2]));
			h.flags = "d..2.";
			B; EMIT(gen_switch(b, n, &h, "R+", "swapper/0", 0));
			B; EMIT(gen_unmap(b, n, &h, 0, 0, va, sites[3]));
			break;
		case 2:	/* wc held across a sleep */
			if (off + 65536 > size)
				off = size - 65536;
			B; EMIT(gen_map(b, n, &h, 2, 0, m, size, off, 65536, va, sites[4]));
			B; EMIT(gen_switch(b, n, &h, "S", "swapper/1", 0));
			B; EMIT(gen_unmap(b, n, &h, 2, 0, va, sites[5]));
			break;
		case 3:	/* softirq map on top of the task */
			h.flags = "..s1.";
			B; EMIT(gen_map(b, n, &h, 0, 1, m, size, off, 4096, va, sites[6]));
			B; EMIT(gen_unmap(b, n, &h, 0, 1, va, sites[7]));
			B; EMIT(gen_irq_exit(b, n, &h, 1));
			break;
		default: /* plain local pair */
			B; EMIT(gen_map(b, n, &h, 1, 0, m, size, off, 4096, va, sites[0]));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, va, sites[1]));
		}
		if (frees && i % 64 == 0) {
			/* a short-lived mapping: created and freed with no map */
			unsigned long sm = 0xffff888100000000UL + (i % 4096) * 4096;

			h.flags = ".....";
			B; EMIT(gen_create(b, n, &h, sm, 0xe0000000ULL, 1UL << 20,
					   "drv_bo_create+0x30/0x90 [gpu_drv]"));
			B; EMIT(gen_free(b, n, &h, sm, 1UL << 20, "drv_bo_free+0x22/0x60 [gpu_drv]"));
		}
		if (events / LIFO_EVERY > viol / 2) {
			/* a lifo, then a double unmap */
			B; EMIT(gen_map(b, n, &h, 1, 0, m, size, 0, 4096, 0xffffc9ff00000000UL, "bug_lifo+0x10/0x50 [gpu_drv]"));
			B; EMIT(gen_map(b, n, &h, 1, 0, m, size, 4096, 4096, 0xffffc9ff00001000UL, "bug_lifo+0x20/0x50 [gpu_drv]"));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, 0xffffc9ff00000000UL, "bug_lifo+0x30/0x50 [gpu_drv]"));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, 0xffffc9ff00001000UL, "bug_lifo+0x40/0x50 [gpu_drv]"));
			B; EMIT(gen_unmap(b, n, &h, 1, 0, 0xffffc9ff00001000UL, "bug_double+0x10/0x50 [gpu_drv]"));
			viol += 2;
		}
		i++;
	}
	fwrite(out, 1, olen, f);
	if (fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	printf("%llu %llu\n", events, viol);
	return 0;
}
