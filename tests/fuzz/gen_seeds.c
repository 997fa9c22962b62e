// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Seed corpora for the fuzz targets, generated from the producers' formats
 * (tests/host/analyze_gen.h): every event type, rule violations, flag and
 * tgid variants, clocks, drop markers and stacks.
 *
 * usage: gen_seeds DIR   (writes DIR/{ftrace,tcreport,perf,record}/seed-*)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "analyze_gen.h"
#include "iomap-check/abi.h"

static char buf[1 << 16];
static size_t len;

static void add(int n)
{
	(void)n;
	len = strlen(buf);
}

static void put(const char *s)
{
	snprintf(buf + len, sizeof(buf) - len, "%s", s);
	len = strlen(buf);
}

static void flush(const char *dir, const char *target, int n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%02d", dir, target, n);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(buf, 1, len, f);
	fclose(f);
	len = 0;
	buf[0] = 0;
}

#define VA(n) (0xffffc90000400000UL + (n) * 4096UL)
#define M 0xffff888003a1b000UL

/* One small scenario: legal pairs, a lifo, a sleep in atomic, a leak. */
static void scenario(struct gen_hdr *h, int variant)
{
	char *b;
	size_t n;

#define NEXT (h->ts += 1000, b = buf + len, n = sizeof(buf) - len)
	NEXT; add(gen_create(b, n, h, M, 0xfd000000ULL, 1 << 24, "scn_setup+0x3c/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 1, 0, M, 1 << 24, 0, 4096, VA(0), "scn_lifo_local+0x20/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 1, 0, M, 1 << 24, 0x1000, 4096, VA(1), "scn_lifo_local+0x30/0x90 [iomap_scenarios]"));
	NEXT; add(gen_unmap(b, n, h, 1, 0, VA(0), "scn_lifo_local+0x40/0x90 [iomap_scenarios]"));
	NEXT; add(gen_unmap(b, n, h, 1, 0, VA(1), "scn_lifo_local+0x50/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 0, 0, M, 1 << 24, 0, 4096, VA(2), "scn_sleep+0x20/0x90 [iomap_scenarios]"));
	NEXT; add(gen_switch(b, n, h, variant & 1 ? "D" : "R+", "swapper/1", 0));
	NEXT; add(gen_unmap(b, n, h, 0, 0, VA(2), "scn_sleep+0x40/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 2, 0, M, 1 << 24, 0x2001, 8192, VA(3), "scn_wc+0x20/0x90 [iomap_scenarios]"));
	if (variant & 2) {
		put(h->style == GEN_TCREPORT ? "CPU:1 [3 EVENTS DROPPED]\n" : "CPU:1 [LOST 3 EVENTS]\n");
	}
	NEXT; add(gen_unmap(b, n, h, 0, 0, VA(3), "scn_wc+0x40/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 0, 2, M, 1 << 24, 0, 4096, VA(4), "scn_irq+0x20/0x90 [iomap_scenarios]"));
	NEXT; add(gen_irq_exit(b, n, h, 0));
	NEXT; add(gen_map(b, n, h, 1, 1, M, 1 << 24, 0, 4096, VA(5), "scn_bh+0x20/0x90 [iomap_scenarios]"));
	NEXT; add(gen_irq_exit(b, n, h, 1));
	NEXT; add(gen_free(b, n, h, M, 1 << 24, "scn_teardown+0x10/0x90 [iomap_scenarios]"));
	NEXT; add(gen_map(b, n, h, 1, 0, M, 1 << 24, 0, 4096, VA(6), "scn_uaf+0x20/0x90 [iomap_scenarios]"));
	NEXT; add(gen_exit(b, n, h));
#undef NEXT
}

/*
 * Task names are free text (issue 16): spaces, brackets that look like the
 * CPU column, colons and dashes that look like the timestamp and the pid.
 */
static const char *const comms[] = {
	"insmod", "memfd:sealed-9", "x [1] y", "a [1] 2: b: c", "w-1 [0] -2", "Web Content",
	"[001] d..1.", "k:1 [3] 4:", "(5) a)", "kworker/u4:1-ev",
};

/* One io_mapping line with one header field damaged, for each field. */
static void damaged_lines(struct gen_hdr *h)
{
	static const char *const dmg[][2] = {
		{ ".", ".x" }, { ": io_mapping", "; io_mapping" }, { "[001]", "[0x1]" },
		{ "[001]", "[99999]" }, { "[001]", "[001 " }, { "d..1.", "d.?1." }, { "-201", "-2q1" },
	};
	char line[1024], out[1100], *p;
	unsigned int i;

	for (i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		h->ts += 1000;
		gen_map(line, sizeof(line), h, 1, 0, M, 1 << 24, 0x3000, 4096, VA(7),
			"scn_dmg+0x20/0x90 [iomap_scenarios]");
		p = strstr(line, dmg[i][0]);
		if (!p)
			continue;
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - line), line, dmg[i][1],
			 p + strlen(dmg[i][0]));
		put(out);
	}
}

static void text_seeds(const char *dir, const char *target, enum gen_style style)
{
	static const char *const flags[] = { "d..1.", "d..2", "dNh1.", "dLs2.", NULL };
	struct gen_hdr h = { style, GEN_US, "insmod", 201, -1, 1, NULL, 60000000000ULL };
	int v, k = 0;

	for (v = 0; v < 10; v++) {
		h.flags = style == GEN_TCREPORT && v < 5 ? NULL : flags[v % 5];
		h.clock = v % 3 == 2 && style == GEN_FTRACE ? GEN_COUNTER : v % 3 == 1 ? GEN_NS : GEN_US;
		h.tgid = style == GEN_FTRACE ? (v % 4) - 1 : -1;
		h.comm = comms[v % (sizeof(comms) / sizeof(comms[0]))];
		if (style == GEN_FTRACE && v % 5 == 0)
			add(gen_ftrace_header(buf, sizeof(buf), 10, 10 + v, 2));
		if (style == GEN_TCREPORT)
			put("cpus=2\n");
		scenario(&h, v);
		if (style == GEN_PERF)
			put("\t    ffffffffc0012345 scn_lifo_local+0x3c ([iomap_scenarios])\n"
			    "\t    ffffffff81000000 do_one_initcall+0x40 ([kernel.kallsyms])\n\n");
		if (style == GEN_FTRACE)
			put("          insmod-201     [001] d..1.    60.100015: <stack trace>\n"
			    " => scn_c+0x1/0x2 [iomap_scenarios]\n => do_one_initcall+0x40/0x200\n");
		if (v % 3 == 0) {
			h.comm = "insmod";
			damaged_lines(&h);
		}
		flush(dir, target, k++);
	}
	if (style != GEN_FTRACE)
		return;
	/* per-CPU traces one after another (cat per_cpu/cpu*\/trace) */
	for (v = 0; v < 2; v++) {
		h.flags = "d..1.";
		h.clock = GEN_US;
		h.tgid = -1;
		h.comm = comms[v + 2];
		h.cpu = v;
		h.ts = 60000000000ULL;
		add(gen_ftrace_header(buf + len, sizeof(buf) - len, 40, 40, 2));
		scenario(&h, v);
	}
	h.cpu = 1;
	flush(dir, target, k++);
}

static void record_seeds(const char *dir)
{
	struct iomc_event ev[8];
	int i;

	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 8; i++) {
		ev[i].ts_ns = 1000 + i;
		ev[i].cpu = i & 1;
		ev[i].pid = ev[i].tid = 201;
		strcpy(ev[i].comm, "insmod");
		ev[i].mapping = M;
		ev[i].size = 1 << 24;
		ev[i].caller = 0xffffffffc0001000ULL + i * 16;
	}
	ev[0].type = IOMC_EV_CREATE;
	ev[1].type = IOMC_EV_MAP; ev[1].kind = 1; ev[1].vaddr = VA(0); ev[1].len = 4096;
	ev[2].type = IOMC_EV_MAP; ev[2].kind = 1; ev[2].vaddr = VA(1); ev[2].offset = 4096; ev[2].len = 4096;
	ev[3].type = IOMC_EV_UNMAP; ev[3].kind = 1; ev[3].vaddr = VA(0);
	ev[4].type = IOMC_EV_MAP; ev[4].kind = 0; ev[4].vaddr = VA(2); ev[4].len = 4096;
	ev[5].type = IOMC_EV_MIGHT_SLEEP; ev[5].arg = 0xffffffff81234567ULL;
	ev[6].type = IOMC_EV_SWITCH; ev[6].arg = 1;
	ev[7].type = IOMC_EV_DROP; ev[7].arg = 2;
	memcpy(buf, ev, sizeof(ev));
	len = sizeof(ev);
	flush(dir, "record", 0);
	memcpy(buf, ev, 3 * sizeof(ev[0]) + 17);	/* cut short */
	len = 3 * sizeof(ev[0]) + 17;
	flush(dir, "record", 1);
}

int main(int argc, char **argv)
{
	static const char *const t[] = { "ftrace", "tcreport", "perf", "record" };
	char path[4096];
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], t[i]);
		if (mkdir(path, 0755) && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	text_seeds(argv[1], "ftrace", GEN_FTRACE);
	text_seeds(argv[1], "tcreport", GEN_TCREPORT);
	text_seeds(argv[1], "perf", GEN_PERF);
	record_seeds(argv[1]);
	return 0;
}
