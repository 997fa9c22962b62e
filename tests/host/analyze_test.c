// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host unit tests of `iomap-check analyze` (KTAP on stdout):
 *  - the line parser on every text shape (ftrace with/without flag columns,
 *    4 and 5 flags, lazy-preempt letters, tgid column, µs/ns/counter clocks;
 *    trace-cmd report incl. -l, --ts-diff, buffer prefixes and its
 *    sched_switch plugin; perf script incl. pid/tid, no cpu and call
 *    chains; drop markers; garbage, truncated and enormous lines);
 *  - the text source: stacks, drops, ordering, bad-line accounting;
 *  - the rules through the shared engine: every rule positive and
 *    negative, dedup, and no false lifo/unknown_unmap across a drop;
 *  - issue 16: damaged headers of io_mapping lines are losses, free-text
 *    comms, "#P:65535", the reorder window's slack, one loss per bad
 *    record, per-CPU traces one after another in one file.
 * Inputs are generated from the producers' formats (analyze_gen.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze_gen.h"
#include "analyze.h"
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_order.h"
#include "analyze_parse_same.h"
#include "analyze_syms.h"
#include "analyze_text.h"

static int test_no, failed_here;

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK(cond) do { if (!(cond)) { diag("%s:%d: %s", __FILE__, __LINE__, #cond); \
				failed_here = 1; } } while (0)
#define CHECK_EQ(a, b) do { unsigned long long _a = (a), _b = (b); if (_a != _b) { \
	diag("%s:%d: %s == %llu, expected %llu", __FILE__, __LINE__, #a, _a, _b); \
	failed_here = 1; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || strcmp(_a, _b)) { diag("%s:%d: %s == \"%s\", expected \"%s\"", __FILE__, \
				  __LINE__, #a, _a ? _a : "(null)", _b); failed_here = 1; } } while (0)

static void run(const char *name, void (*fn)(void))
{
	failed_here = 0;
	az_syms_reset();
	fn();
	printf("%sok %d %s\n", failed_here ? "not " : "", ++test_no, name);
	fflush(stdout);
}

/* ---- line parser ------------------------------------------------------- */

static const struct gen_hdr base_hdr = {
	.style = GEN_FTRACE, .clock = GEN_US, .comm = "insmod", .pid = 201, .tgid = -1,
	.cpu = 1, .flags = "d..1.", .ts = 60100010000ULL,
};

/* Both paths (fast and general) must give the same verdict and fields. */
static int same_parse(const char *line, size_t n)
{
	enum az_line ra, rb;

	if (az_parse_same(line, n, &ra, &rb))
		return 1;
	diag("fast path differs (verdict %d vs %d) on \"%.*s\"", ra, rb, (int)n, line);
	return 0;
}

static enum az_line parse(const char *line, struct az_parsed *p)
{
	CHECK(same_parse(line, strlen(line)));
	return az_parse_line(line, strlen(line), p);
}

/*
 * The fast path for ftrace's own layout (issue 21) against the general
 * parser: ftrace lines of each event it reads and of layouts it leaves to
 * the general path, cut at every length and with every byte replaced by
 * each character the grammar gives a meaning to.
 */
static void t_fast_path_same(void)
{
	static const char *const lines[] = {
		"     kworker/0:1-1000    [000] .....     1.000000: io_mapping_map: kind=local ctx=task mapping=0xffff888003a1b000 size=268435456 offset=0x1000 len=4096 vaddr=0xffffc90000001000 caller=drv_copy_local+0x5c/0x120 [gpu_drv]",
		"            Xorg-1002    [001] d..2.    12.000371: io_mapping_unmap: kind=atomic ctx=softirq vaddr=0xffffc90000001000 caller=f+0x98/0x120 [m]",
		"          insmod-201     [001] .....  60.1: io_mapping_unmap: kind=0x2 ctx=0 vaddr=0x1 caller=f",
		"     i915_worker-1001    [001] d..2.     1.000002: sched_switch: prev_comm=i915_worker prev_pid=1001 prev_prio=120 prev_state=R+ ==> next_comm=swapper/0 next_pid=0 next_prio=120",
		"          insmod-201     [001] ..s1.     1.000003: irq_handler_exit: irq=1 ret=handled",
		"          insmod-201     [001] .....     1.000004: io_mapping_create: mapping=0x12 base=0xe0000000 size=7 caller=f",
		"          insmod-201     [001] .....     1.000005: io_mapping_free: mapping=0x12 size=7 caller=f",
		"          insmod-201     [001] .....     1.000006: io_mapping_fault: vaddr=0x1 ip=f+0x1/0x2 mapping=0x2 offset=0x0 kind=wc ctx=task map_caller=g unmap_caller=h holder=1 fixed=0",
		"          insmod-201     [001] .....     1.000007: sys_enter: NR 1 (1, 2, 3)",
		"          insmod-201     (    201) [001] .....     1.000008: io_mapping_map: kind=wc ctx=task mapping=0x1 size=2 offset=0x0 len=1 vaddr=0x2 caller=f",
		"          x [1] y-201     [001] .....     1.000009: io_mapping_unmap: kind=local ctx=task vaddr=0x2 caller=f",
		"a-1 [000] 1.0: io_mapping_free: mapping=0x12 size=7 caller=f",
		"buf:   insmod-201 [001] .....  1.000010: io_mapping_unmap: kind=local ctx=task vaddr=0x2 caller=f",
	};
	static const char subst[] = " \t[]-0912x:.(/dD#=";
	char buf[512];
	size_t i, n, k, c, bad = 0;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		n = strlen(lines[i]);
		for (k = 0; k <= n; k++)	/* cut short */
			bad += !same_parse(lines[i], k);
		for (k = 0; k < n && bad < 10; k++) {
			for (c = 0; c < sizeof(subst) - 1; c++) {
				memcpy(buf, lines[i], n);
				buf[k] = subst[c];
				bad += !same_parse(buf, n);
			}
		}
	}
	CHECK_EQ(bad, 0);
}

static void expect_map(const struct gen_hdr *h, unsigned long long want_ts)
{
	char buf[1024];
	struct az_parsed p;

	gen_map(buf, sizeof(buf), h, 1, 0, 0xffff888003a1b000UL, 16777216, 0x1000, 4096,
		0xffffc90000401000UL, "scn_lifo_local+0x3c/0x90 [iomap_scenarios]");
	if (parse(buf, &p) != AZ_LINE_EVENT) {
		diag("not an event: %s", buf);
		failed_here = 1;
		return;
	}
	CHECK_EQ(p.ev.type, IOMC_EV_MAP);
	CHECK_EQ(p.ev.ts_ns, want_ts);
	CHECK_EQ(p.ev.cpu, h->cpu);
	CHECK_EQ(p.ev.tid, h->pid);
	CHECK_EQ(p.ev.pid, h->tgid > 0 ? (unsigned int)h->tgid : (unsigned int)h->pid);
	CHECK_STR(p.ev.comm, h->comm);
	CHECK_EQ(p.ev.kind, IOMC_KIND_LOCAL);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_TASK);
	CHECK_EQ(p.ev.mapping, 0xffff888003a1b000ULL);
	CHECK_EQ(p.ev.size, 16777216);
	CHECK_EQ(p.ev.offset, 0x1000);
	CHECK_EQ(p.ev.len, 4096);
	CHECK_EQ(p.ev.vaddr, 0xffffc90000401000ULL);
	CHECK_STR(az_sym_name(p.ev.caller), "scn_lifo_local+0x3c/0x90 [iomap_scenarios]");
}

static void t_ftrace_flags5(void)
{
	expect_map(&base_hdr, 60100010000ULL);
}

static void t_ftrace_flags4(void)
{
	struct gen_hdr h = base_hdr;

	h.flags = "d..2";	/* before 5.18: no migrate-disable column */
	expect_map(&h, 60100010000ULL);
}

static void t_ftrace_lazy_flags(void)
{
	static const char *const f[] = { "dLh1.", "dBs2.", "Xbz..", "DNH11", "dlZf.", "b.s.." };
	struct gen_hdr h = base_hdr;
	unsigned int i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		h.flags = f[i];
		expect_map(&h, 60100010000ULL);
	}
}

static void t_ftrace_no_irqinfo(void)
{
	struct gen_hdr h = base_hdr;

	h.flags = NULL;
	expect_map(&h, 60100010000ULL);
}

static void t_ftrace_tgid(void)
{
	struct gen_hdr h = base_hdr;

	h.tgid = 200;
	expect_map(&h, 60100010000ULL);
	h.tgid = 0;	/* "(-------)": unknown tgid */
	expect_map(&h, 60100010000ULL);
	h.flags = NULL;
	h.tgid = 7386;
	expect_map(&h, 60100010000ULL);
}

static void t_ftrace_clocks(void)
{
	struct gen_hdr h = base_hdr;

	h.clock = GEN_COUNTER;
	h.ts = 123456789;
	expect_map(&h, 123456789);
	h.clock = GEN_NS;
	h.ts = 60100010123ULL;
	expect_map(&h, 60100010123ULL);
	h.clock = GEN_US;
	h.ts = 0;
	expect_map(&h, 0);
	/* seconds of every width: up to 7 digits the two-load fast path */
	{
		static const unsigned long long secs[] = {
			1, 12, 123456, 1234567, 12345678, 12345678901ULL };
		unsigned int i;

		for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
			h.ts = secs[i] * 1000000000ULL + 987654000ULL;
			expect_map(&h, h.ts);
		}
	}
}

static void t_ftrace_comms(void)
{
	static const char *const c[] = { "memfd:sealed-91", "Web Content", "<...>", "<idle>",
					 "kworker/u4:1-ev", "a", "0123456789abcde" };
	struct gen_hdr h = base_hdr;
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		h.comm = c[i];
		expect_map(&h, 60100010000ULL);
		h.tgid = 5;
		expect_map(&h, 60100010000ULL);
		h.tgid = -1;
	}
}

static void t_tcreport(void)
{
	struct gen_hdr h = base_hdr;
	struct az_parsed p;

	h.style = GEN_TCREPORT;
	h.flags = NULL;
	expect_map(&h, 60100010000ULL);
	h.clock = GEN_NS;	/* trace-cmd report -t */
	h.ts = 60100010555ULL;
	expect_map(&h, 60100010555ULL);
	CHECK_EQ(parse("cpus=2", &p), AZ_LINE_META);
	CHECK_EQ(p.nr_cpus, 2);
	CHECK_EQ(p.fmt, AZ_FMT_TCREPORT);
}

static void t_tcreport_variants(void)
{
	struct az_parsed p;

	/* multi-buffer file: the instance name prefixes each line */
	CHECK_EQ(parse("az4tc:           insmod-201   [001]    60.100010: io_mapping_unmap:     "
		       "kind=wc ctx=softirq vaddr=0xffffc90000401000 caller=f+0x1/0x2", &p),
		 AZ_LINE_EVENT);
	CHECK_STR(p.ev.comm, "insmod");
	CHECK_EQ(p.ev.ctx, IOMC_CTX_SOFTIRQ);
	CHECK_EQ(p.ev.kind, IOMC_KIND_WC);
	/* -l: latency columns, CPU glued to the flags */
	CHECK_EQ(parse("az4tc:       insmod-201    1d..2.   60.100010: io_mapping_unmap: "
		       "kind=atomic ctx=hardirq vaddr=0x10 caller=g+0x1/0x2 [m]", &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.cpu, 1);
	CHECK_EQ(p.ev.tid, 201);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_HARDIRQ);
	CHECK_EQ(p.ev.ts_ns, 60100010000ULL);
	/* --ts-diff */
	CHECK_EQ(parse("          insmod-201   [000]    60.100017: (+7)     io_mapping_unmap: "
		       "kind=local ctx=nmi vaddr=0x10 caller=h", &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_NMI);
	CHECK_STR(az_sym_name(p.ev.caller), "h");
	/* libtraceevent prints unknown __print_symbolic values as numbers */
	CHECK_EQ(parse("          insmod-201   [000]    60.100017: io_mapping_unmap: "
		       "kind=1 ctx=0 vaddr=0x10 caller=0xffffffffc0001234", &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.kind, IOMC_KIND_LOCAL);
}

/*
 * kind= and ctx=: the tracepoints print names (TRACE_DEFINE_ENUM +
 * __print_symbolic, from events.h's lists); older trace-cmd captures of a
 * module without TRACE_DEFINE_ENUM have hex ("kind=0x2 ctx=0x0"), a tool
 * may print decimal. Every value in every spelling, in ftrace, trace-cmd
 * and perf shapes; out-of-range values and unknown names are malformed.
 */
static void t_enum_spellings(void)
{
	static const char *const kinds[] = IOMC_KIND_NAMES, *const ctxs[] = IOMC_CTX_NAMES;
	static const char *const heads[] = {
		"          insmod-201     [001] d..1.    60.100010: io_mapping_unmap: ",
		"          insmod-201   [001]    60.100010: io_mapping_unmap:     ",
		"          insmod   200/201   [001]    60.100010:   io_mapping:io_mapping_unmap: ",
	};
	static const char *const bad[] = {
		"kind=0x3 ctx=0x0", "kind=3 ctx=task", "kind=local ctx=0x4", "kind=Local ctx=task",
		"kind=local ctx=tasks", "kind= ctx=task", "kind=-1 ctx=task", "kind=0x ctx=task",
	};
	struct az_parsed p;
	char line[256];
	unsigned int h, k, c, sp, i;

	CHECK_EQ(sizeof(kinds) / sizeof(kinds[0]), IOMC_KIND_MAX);
	CHECK_EQ(sizeof(ctxs) / sizeof(ctxs[0]), IOMC_CTX_MAX);
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		for (sp = 0; sp < 3; sp++)
			for (k = 0; k < IOMC_KIND_MAX; k++)
				for (c = 0; c < IOMC_CTX_MAX; c++) {
					char ks[16], cs[16];

					if (sp == 0) {	/* names, as the tracepoints print */
						snprintf(ks, sizeof(ks), "%s", kinds[k]);
						snprintf(cs, sizeof(cs), "%s", ctxs[c]);
					} else {	/* 0x2 (old trace-cmd), 2 */
						snprintf(ks, sizeof(ks), sp == 1 ? "0x%x" : "%u", k);
						snprintf(cs, sizeof(cs), sp == 1 ? "0x%x" : "%u", c);
					}
					snprintf(line, sizeof(line),
						 "%skind=%s ctx=%s vaddr=0x10 caller=f+0x1/0x2", heads[h],
						 ks, cs);
					if (parse(line, &p) != AZ_LINE_EVENT) {
						diag("not an event: %s", line);
						failed_here = 1;
						continue;
					}
					CHECK_EQ(p.ev.type, IOMC_EV_UNMAP);
					CHECK_EQ(p.ev.kind, k);
					CHECK_EQ(p.ev.ctx, c);
				}
	}
	/* the committed captures' spellings, literally */
	CHECK_EQ(parse("          insmod-201   [000]    60.100017: io_mapping_map:       kind=0x2 "
		       "ctx=0x0 mapping=0x1 size=16 offset=0x0 len=4 vaddr=0x10 caller=f", &p),
		 AZ_LINE_EVENT);
	CHECK_EQ(p.ev.kind, IOMC_KIND_WC);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_TASK);
	CHECK_EQ(parse("          insmod-201   [000]    60.100017: io_mapping_map:       kind=local "
		       "ctx=softirq mapping=0x1 size=16 offset=0x0 len=4 vaddr=0x10 caller=f", &p),
		 AZ_LINE_EVENT);
	CHECK_EQ(p.ev.kind, IOMC_KIND_LOCAL);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_SOFTIRQ);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum az_line r;

		snprintf(line, sizeof(line), "%s%s vaddr=0x10 caller=f", heads[0], bad[i]);
		r = parse(line, &p);
		if (r != AZ_LINE_MALFORMED) {
			diag("'%s': verdict %d, expected MALFORMED", bad[i], r);
			failed_here = 1;
		}
	}
}

static void t_perf(void)
{
	struct gen_hdr h = base_hdr;
	struct az_parsed p;

	h.style = GEN_PERF;
	h.tgid = -1;
	expect_map(&h, 60100010000ULL);
	h.clock = GEN_NS;	/* perf script --ns */
	h.ts = 60100010001ULL;
	expect_map(&h, 60100010001ULL);
	/* pid/tid and the event name right-aligned to the longest one */
	CHECK_EQ(parse("          insmod   200/201   [001]    60.100010:   io_mapping:io_mapping_unmap: "
		       "kind=local ctx=task vaddr=0x10 caller=f+0x1", &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.pid, 200);
	CHECK_EQ(p.ev.tid, 201);
	CHECK_EQ(p.fmt, AZ_FMT_PERF);
	/* no cpu column (perf record without -a) */
	CHECK_EQ(parse("          insmod   201    60.100010: io_mapping:io_mapping_unmap: "
		       "kind=local ctx=task vaddr=0x10 caller=f+0x1", &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.tid, 201);
	CHECK_EQ(p.ev.ts_ns, 60100010000ULL);
	/* a numeric comm is still a comm */
	CHECK_EQ(parse("            1234  5678 [000]     1.000001: io_mapping:io_mapping_unmap: "
		       "kind=wc ctx=task vaddr=0x10 caller=f", &p), AZ_LINE_EVENT);
	CHECK_STR(p.ev.comm, "1234");
	CHECK_EQ(p.ev.tid, 5678);
	/* call chain lines */
	CHECK_EQ(parse("\t    ffffffffc0012345 scn_lifo_local+0x3c ([iomap_scenarios])", &p),
		 AZ_LINE_FRAME);
	CHECK_STR(az_sym_name(p.frame), "scn_lifo_local+0x3c");
	CHECK_EQ(parse("\t    ffffffff81000000 [unknown] ([kernel.kallsyms])", &p), AZ_LINE_FRAME);
	CHECK_STR(az_sym_name(p.frame), "[unknown]");
}

static void t_other_events(void)
{
	struct gen_hdr h = base_hdr;
	struct az_parsed p;
	char buf[1024];
	static const char *const vol[] = { "S", "D", "T", "t", "X", "Z", "P", "I", "S|D" };
	unsigned int i;

	for (i = 0; i < sizeof(vol) / sizeof(vol[0]); i++) {
		gen_switch(buf, sizeof(buf), &h, vol[i], "swapper/1", 0);
		CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
		CHECK_EQ(p.ev.type, IOMC_EV_SWITCH);
		CHECK_EQ(p.ev.arg, 1);
		CHECK_EQ(p.ev.tid, 201);
	}
	gen_switch(buf, sizeof(buf), &h, "R+", "swapper/1", 0);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.arg, 0);
	gen_switch(buf, sizeof(buf), &h, "R", "swapper/1", 0);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.arg, 0);
	/* trace-cmd's plugin form, and a prev_comm with blanks */
	h.style = GEN_TCREPORT;
	h.comm = "Web Content";
	h.flags = NULL;
	gen_switch(buf, sizeof(buf), &h, "S", "sh", 8013);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.arg, 1);
	CHECK_EQ(p.ev.tid, 201);
	CHECK_STR(p.ev.comm, "Web Content");
	gen_switch(buf, sizeof(buf), &h, "R+", "sh", 8013);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.arg, 0);
	h = base_hdr;
	gen_exit(buf, sizeof(buf), &h);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.type, IOMC_EV_EXIT);
	CHECK_EQ(p.ev.tid, 201);
	gen_irq_exit(buf, sizeof(buf), &h, 0);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.type, IOMC_EV_IRQ_EXIT);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_HARDIRQ);
	gen_irq_exit(buf, sizeof(buf), &h, 1);
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.ctx, IOMC_CTX_SOFTIRQ);
	gen_create(buf, sizeof(buf), &h, 0xffff888003a1b000UL, 0xfd000000ULL, 1 << 24, "c+0x1/0x2");
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.type, IOMC_EV_CREATE);
	CHECK_EQ(p.ev.size, 1 << 24);
	gen_free(buf, sizeof(buf), &h, 0xffff888003a1b000UL, 1 << 24, "c+0x1/0x2");
	CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.type, IOMC_EV_FREE);
	CHECK_EQ(p.ev.mapping, 0xffff888003a1b000ULL);
	/* events the rules do not use */
	CHECK_EQ(parse("          <idle>-0       [000] ..s1.   514.423181: softirq_entry: vec=7 "
		       "[action=SCHED]", &p), AZ_LINE_OTHER);
	CHECK_EQ(parse("          <idle>-0       [000] ..s1.   514.423181: io_mapping_frob: x=1",
		       &p), AZ_LINE_OTHER);
}

static void t_markers(void)
{
	struct az_parsed p;

	CHECK_EQ(parse("CPU:1 [LOST 12 EVENTS]", &p), AZ_LINE_DROP);
	CHECK_EQ(p.ev.cpu, 1);
	CHECK_EQ(p.ev.arg, 12);
	CHECK_EQ(parse("CPU:3 [LOST EVENTS]", &p), AZ_LINE_DROP);
	CHECK_EQ(p.ev.cpu, 3);
	CHECK_EQ(p.ev.arg, 0);
	CHECK_EQ(parse("CPU:0 [EVENTS DROPPED]", &p), AZ_LINE_DROP);
	CHECK_EQ(p.fmt, AZ_FMT_TCREPORT);
	CHECK_EQ(parse("CPU:2 [5 EVENTS DROPPED]", &p), AZ_LINE_DROP);
	CHECK_EQ(p.ev.cpu, 2);
	CHECK_EQ(p.ev.arg, 5);
	CHECK_EQ(parse("CPU:2 [5 EVENTS GONE]", &p), AZ_LINE_BAD);
	/* no CPU beyond x86's NR_CPUS: the engine keeps state per CPU */
	CHECK_EQ(parse("CPU:31233 [LOST 1 EVENTS]", &p), AZ_LINE_BAD);
	CHECK_EQ(parse("   a-1 [8192] 1.0: io_mapping_free: mapping=0x1 size=1 caller=f", &p),
		 AZ_LINE_MALFORMED);	/* a loss, of an unknown CPU */
	CHECK_EQ(p.ev.cpu, IOMC_CPU_ALL);
	CHECK_EQ(parse("   a-1 [8192] 1.0: some_event: x=1", &p), AZ_LINE_BAD);
	CHECK_EQ(parse("   a-1 [8191] 1.0: io_mapping_free: mapping=0x1 size=1 caller=f", &p),
		 AZ_LINE_EVENT);
	CHECK_EQ(parse("# entries-in-buffer/entries-written: 100/150   #P:4", &p), AZ_LINE_META);
	CHECK_EQ(p.lost_at_start, 50);
	CHECK_EQ(p.nr_cpus, 4);
	CHECK_EQ(parse("# entries-in-buffer/entries-written: 157/157   #P:2", &p), AZ_LINE_META);
	CHECK_EQ(p.lost_at_start, 0);
	CHECK_EQ(parse("          <idle>-0       [000] d..2.   514.422624: <stack trace>", &p),
		 AZ_LINE_STACK);
	CHECK_EQ(parse(" => scn_lifo_local+0x3c/0x90 [iomap_scenarios]", &p), AZ_LINE_FRAME);
	CHECK_STR(az_sym_name(p.frame), "scn_lifo_local+0x3c/0x90 [iomap_scenarios]");
	CHECK_EQ(parse("=> scn_lifo_local (ffffffffc0012345)", &p), AZ_LINE_FRAME);
	CHECK_STR(az_sym_name(p.frame), "scn_lifo_local");
}

static void t_garbage(void)
{
	static const char *const bad[] = {
		"hello world", "[   12.345678] iomap_check: loaded", "]]]] [[[[", "-",
		"          insmod-201     [001] .....    60.100000:",
		"          insmod-201     [001] .....    60.1x: some_event: x",
		"insmod-201 [99999999999999999999] ..... 1.0: a: b",
		"\x01\x02\x03\xff\xfe", "CPU:", "CPU:x [LOST 1 EVENTS]", "=>",
	};
	static const char *const malformed[] = {
		/* cut short, a field missing, a bad value, overflow */
		"          insmod-201     [001] .....    60.100000: io_mapping_map: kind=local ctx=task mapping=0x1 size=",
		"          insmod-201     [001] .....    60.100000: io_mapping_map: kind=local ctx=task mapping=0x1 size=1 offset=0x0 len=1 vaddr=0x1",
		"          insmod-201     [001] .....    60.100000: io_mapping_unmap: kind=huge ctx=task vaddr=0x1 caller=f",
		"          insmod-201     [001] .....    60.100000: io_mapping_unmap: kind=local ctx=task vaddr=0x1ffffffffffffffff caller=f",
		"          insmod-201     [001] .....    60.100000: io_mapping_free: mapping=0x1 size=99999999999999999999999 caller=f",
		"          insmod-201     [001] .....    60.100000: io_mapping_unmap: kind=local ctx=task vaddr=0x1 caller=",
		"          insmod-201     [001] .....    60.100000: sched_switch: prev_comm=x",
		/* issue 16: an io_mapping line whose header is damaged is a loss too */
		"          insmod-201     [001] .....    60.1x: io_mapping_map: kind=local",
		"          insmod-201     [001] ......... 60.100000: io_mapping_map: x",
		"          insmod-     [001] .....    60.100000: io_mapping_map: x",
		"          insmod-201     [001] .....    60.100000 io_mapping_map: x",
	};
	struct az_parsed p;
	unsigned int i;
	char big[300];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum az_line r = parse(bad[i], &p);

		if (r != AZ_LINE_BAD) {
			diag("line %u: verdict %d, expected BAD", i, r);
			failed_here = 1;
		}
	}
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		enum az_line r = parse(malformed[i], &p);

		if (r != AZ_LINE_MALFORMED) {
			diag("malformed %u: verdict %d", i, r);
			failed_here = 1;
		}
	}
	CHECK_EQ(parse("", &p), AZ_LINE_META);
	CHECK_EQ(parse("   \t ", &p), AZ_LINE_META);
	CHECK_EQ(parse("#", &p), AZ_LINE_META);
	/* the parser must not read past n: no NUL after the line */
	memset(big, ' ', sizeof(big));
	CHECK_EQ(az_parse_line(big, sizeof(big), &p), AZ_LINE_META);
	memset(big, '[', sizeof(big));
	CHECK_EQ(az_parse_line(big, sizeof(big), &p), AZ_LINE_BAD);
}

/* Numbers of every length and digit, both cases, with a byte after them. */
static void t_numbers(void)
{
	static const char after[] = { ' ', 'g', 'G', '/', ':', '@', '`', 'x', '\x7f', '\x80', '\xff' };
	unsigned long long seed = 12345;
	char line[512], num[64];
	struct az_parsed p;
	int i, bad = 0;

	for (i = 0; i < 20000 && bad < 5; i++) {
		unsigned long long v, got_ok;
		int bits, zeros, upper, hex, k;
		char tail;
		enum az_line r;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		bits = (int)(seed >> 58);	/* 0..63 */
		v = (seed ^ (seed >> 29)) & (bits == 63 ? ~0ULL : ((1ULL << (bits + 1)) - 1));
		zeros = (int)((seed >> 20) % 4);
		upper = (int)((seed >> 24) & 1);
		hex = (int)((seed >> 25) & 1);
		tail = after[(seed >> 26) % sizeof(after)];
		if (hex)
			k = snprintf(num, sizeof(num), upper ? "%0*llX" : "%0*llx", zeros, v);
		else
			k = snprintf(num, sizeof(num), "%0*llu", zeros, v);
		if (zeros > 0) {	/* extra leading zeros */
			memmove(num + zeros, num, k + 1);
			memset(num, '0', zeros);
			k += zeros;
		}
		snprintf(line, sizeof(line), "          insmod-201     [001] .....    60.100000: "
			 "io_mapping_unmap: kind=local ctx=task vaddr=%s%s%c caller=f",
			 hex ? "0x" : "", num, tail);
		r = parse(line, &p);
		/* valid: a blank after it, and at most 16 hex digits */
		got_ok = tail == ' ' && (!hex || k <= 16);
		if ((r == AZ_LINE_EVENT) != (int)got_ok || (got_ok && p.ev.vaddr != v)) {
			diag("vaddr=%s%s%c: verdict %d, value 0x%llx, expected %s 0x%llx", hex ? "0x" : "",
			     num, tail, r, (unsigned long long)p.ev.vaddr, got_ok ? "ok" : "reject", v);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	/* decimal overflow and the largest values */
	CHECK_EQ(parse("  a-1 [000] 1.0: io_mapping_free: mapping=0x1 size=18446744073709551615 caller=f",
		       &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.size, ~0ULL);
	CHECK_EQ(parse("  a-1 [000] 1.0: io_mapping_free: mapping=0x1 size=18446744073709551616 caller=f",
		       &p), AZ_LINE_MALFORMED);
	CHECK_EQ(parse("  a-1 [000] 1.0: io_mapping_free: mapping=0xffffffffffffffff size=1 caller=f",
		       &p), AZ_LINE_EVENT);
	CHECK_EQ(p.ev.mapping, ~0ULL);
	/* short lines: the byte loops, no eight-byte loads past the end */
	CHECK_EQ(az_parse_line("  a-1 [000] 1.0: io_mapping_free: mapping=0x12 size=7 caller=f", 62, &p),
		 AZ_LINE_EVENT);
	CHECK_EQ(p.ev.size, 7);
}

/* ---- text source --------------------------------------------------------- */

static char *tbuf;
static size_t tlen, tcap;

static void out_reset(void)
{
	tlen = 0;
	if (tbuf)
		tbuf[0] = 0;
}

static void out_add(const char *s)
{
	size_t n = strlen(s);

	if (tlen + n + 1 > tcap) {
		tcap = (tlen + n + 1) * 2;
		tbuf = realloc(tbuf, tcap);
	}
	memcpy(tbuf + tlen, s, n + 1);
	tlen += n;
}

/* Read every event of src into evs (max n); returns the count. */
static int drain(struct az_source *src, struct az_event *evs, int n)
{
	struct az_event e;
	int k = 0;

	while (src->next(src, &e) == 1)
		if (k < n)
			evs[k++] = e;
	return k;
}

static void t_src_stacks(void)
{
	struct gen_hdr h = base_hdr;
	struct az_event ev[8];
	struct az_source *s;
	unsigned int nf;
	const __u64 *f;
	char buf[1024];

	out_reset();
	h.style = GEN_PERF;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10, "f+0x1");
	out_add(buf);
	out_add("\t    ffffffffc0012345 scn_a+0x3c ([iomap_scenarios])\n"
		"\t    ffffffffc0012399 scn_b+0x10 ([iomap_scenarios])\n\n");
	h.ts += 1000;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x20, "f+0x2");
	out_add(buf);
	/* ftrace's separate <stack trace> entry */
	h = base_hdr;
	h.ts += 5000;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x30, "f+0x3");
	out_add(buf);
	out_add("          insmod-201     [001] d..1.    60.100015: <stack trace>\n"
		" => scn_c+0x1/0x2 [iomap_scenarios]\n => do_one_initcall+0x40/0x200\n");
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	CHECK_EQ(drain(s, ev, 8), 3);
	f = az_stack_get(ev[0].stack, &nf);
	CHECK_EQ(nf, 2);
	if (nf == 2) {
		CHECK_STR(az_sym_name(f[0]), "scn_a+0x3c");
		CHECK_STR(az_sym_name(f[1]), "scn_b+0x10");
	}
	CHECK_EQ(ev[1].stack, 0);
	f = az_stack_get(ev[2].stack, &nf);
	CHECK_EQ(nf, 2);
	if (nf == 2)
		CHECK_STR(az_sym_name(f[0]), "scn_c+0x1/0x2 [iomap_scenarios]");
	CHECK_EQ(s->st.frames, 4);
	CHECK_EQ(s->fmt, AZ_FMT_PERF);
	az_close(s);
}

static void t_src_drops_order(void)
{
	struct gen_hdr h = base_hdr;
	struct az_event ev[16];
	struct az_source *s;
	char buf[1024];
	int n;

	out_reset();
	gen_ftrace_header(buf, sizeof(buf), 10, 15, 2);
	out_add(buf);
	h.ts = 1000000;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10, "a");
	out_add(buf);
	out_add("CPU:0 [LOST 3 EVENTS]\n");
	/* slightly out of order: 3 us before the previous line */
	h.ts = 997000;
	h.cpu = 0;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x20, "b");
	out_add(buf);
	h.ts = 2000000;
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x30, "c");
	out_add(buf);
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	n = drain(s, ev, 16);
	/* one DROP of every CPU for the overwritten start, the marker, 3 events */
	CHECK_EQ(n, 5);
	if (n == 5) {
		CHECK_EQ(ev[0].ev.type, IOMC_EV_DROP);
		CHECK_EQ(ev[0].ev.cpu, IOMC_CPU_ALL);
		CHECK_EQ(ev[1].ev.vaddr, 0x20);	/* sorted before "a" */
		CHECK_EQ(ev[2].ev.vaddr, 0x10);
		CHECK_EQ(ev[3].ev.type, IOMC_EV_DROP);
		CHECK_EQ(ev[3].ev.cpu, 0);
		CHECK_EQ(ev[3].ev.arg, 3);
		CHECK_EQ(ev[3].ev.ts_ns, 1000000);
		CHECK_EQ(ev[4].ev.vaddr, 0x30);
	}
	CHECK_EQ(s->st.lost_at_start, 5);
	CHECK_EQ(s->st.drops, 2);
	CHECK_EQ(s->st.lost, 3);
	CHECK_EQ(s->nr_cpus, 2);
	CHECK_EQ(s->fmt, AZ_FMT_FTRACE);
	az_close(s);
}

static void t_src_bad_lines(void)
{
	struct gen_hdr h = base_hdr;
	struct az_event ev[8];
	struct az_source *s;
	char buf[1024], *huge;
	size_t hn = AZ_MAX_LINE + 10;
	int i, n;

	out_reset();
	for (i = 1; i <= 9; i++) {
		if (i == 2 || i == 4 || i == 5 || i == 6 || i == 7 || i == 8) {
			out_add("garbage\n");
			continue;
		}
		gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10 * i, "a");
		out_add(buf);
	}
	huge = malloc(hn + 2);
	memset(huge, 'x', hn);
	huge[hn] = '\n';
	huge[hn + 1] = 0;
	out_add(huge);	/* line 10 */
	free(huge);
	out_add("          insmod-201     [001] .....    60.100000: io_mapping_map: kind=local\n");
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x99, "cut+0x1/0x2 [mo");
	buf[strlen(buf) - 1] = 0;	/* last line without its newline */
	out_add(buf);
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	/* 3 events, and a drop for each malformed line (lost events) */
	CHECK_EQ(drain(s, ev, 8), 5);
	for (i = n = 0; i < 5; i++)
		if (ev[i].ev.type == IOMC_EV_DROP && ev[i].ev.cpu == 1)
			n++;
	CHECK_EQ(n, 2);
	CHECK_EQ(s->st.drops, 2);
	CHECK_EQ(s->st.bad.count, 6);
	CHECK_EQ(s->st.bad.first[0], 2);
	CHECK_EQ(s->st.bad.first[4], 7);
	CHECK_EQ(s->st.toolong.count, 1);
	CHECK_EQ(s->st.toolong.first[0], 10);
	CHECK_EQ(s->st.malformed.count, 2);
	CHECK_EQ(s->st.malformed.first[0], 11);
	CHECK_EQ(s->st.malformed.first[1], 12);
	CHECK_EQ(s->st.lines, 11);	/* the enormous one is not handed out */
	az_close(s);
}

static void t_merge(void)
{
	struct gen_hdr h = base_hdr;
	struct az_source *srcs[2];
	struct az_merge *m;
	struct az_event e;
	char buf[1024], *b0, *b1;
	int i, n = 0, ok = 1;
	__u64 last = 0;

	/* two per-CPU files with interleaved timestamps */
	out_reset();
	for (i = 0; i < 50; i++) {
		h.cpu = 0;
		h.ts = 1000000ULL * (2 * i);
		gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10, "a");
		out_add(buf);
	}
	b0 = strdup(tbuf);
	out_reset();
	for (i = 0; i < 50; i++) {
		h.cpu = 1;
		h.ts = 1000000ULL * (2 * i + 1);
		gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10, "a");
		out_add(buf);
	}
	b1 = strdup(tbuf);
	srcs[0] = az_open_text_mem("cpu0", b0, strlen(b0), 0);
	srcs[1] = az_open_text_mem("cpu1", b1, strlen(b1), 1);
	m = az_merge_new(srcs, 2);
	while (az_merge_next(m, &e) == 1) {
		if (e.ev.ts_ns < last || e.ev.cpu != (unsigned int)(n & 1))
			ok = 0;
		last = e.ev.ts_ns;
		n++;
	}
	CHECK(ok);
	CHECK_EQ(n, 100);
	az_merge_free(m);
	az_close(srcs[0]);
	az_close(srcs[1]);
	free(b0);
	free(b1);
}

/*
 * Files are parsed on worker threads in 1 MiB blocks: the result must be the
 * sequential reader's, event for event and count for count, with enormous
 * lines, stacks and markers across block boundaries and a cut-off last line.
 */
static void t_parallel_same(void)
{
	struct gen_hdr h = base_hdr;
	char buf[1024], path[] = "/tmp/iomc-analyze-test-XXXXXX";
	unsigned long long seed = 7;
	struct az_event *a, *b;
	int i, na = 0, nb = 0, fd, th, same = 1;
	const int max = 60000;
	struct az_source *s;
	FILE *f;

	out_reset();
	for (i = 0; i < 40000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		h.ts += 1000;
		h.cpu = (int)(seed >> 63);
		switch ((seed >> 40) % 128) {
		case 0: {
			/* an enormous line, sometimes right across a block boundary */
			size_t n = AZ_MAX_LINE + (seed >> 20) % 70000;
			char *big = malloc(n + 2);

			memset(big, 'y', n);
			big[n] = '\n';
			big[n + 1] = 0;
			out_add(big);
			free(big);
			break;
		}
		case 1:
			out_add("CPU:1 [LOST 3 EVENTS]\n");
			break;
		case 2:
			out_add("garbage line\n");
			break;
		case 3:
			gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x10, "f+0x1/0x2");
			out_add(buf);
			out_add("          insmod-201     [001] d..1.    60.100015: <stack trace>\n"
				" => scn_c+0x1/0x2 [iomap_scenarios]\n => do_one_initcall+0x40/0x200\n");
			break;
		default:
			gen_map(buf, sizeof(buf), &h, (int)(seed % 3), 0, 0x1000, 1 << 20,
				(seed >> 8) % 256 * 4096, 4096, 0xffffc90000000000UL + i * 4096UL,
				"drv+0x5c/0x120 [m]");
			out_add(buf);
		}
	}
	gen_unmap(buf, sizeof(buf), &h, 1, 0, 0x99, "cut+0x1/0x2");
	buf[strlen(buf) - 1] = 0;	/* no final newline */
	out_add(buf);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fwrite(tbuf, 1, tlen, f);
	fclose(f);
	a = calloc(max, sizeof(*a));
	b = calloc(max, sizeof(*b));
	s = az_open_text_mem(path, tbuf, tlen, 0);
	na = drain(s, a, max);
	for (th = 1; th <= 3; th++) {
		struct az_source *p;
		char env[8];

		snprintf(env, sizeof(env), "%d", th);
		setenv("IOMC_ANALYZE_THREADS", env, 1);
		p = az_open(path, 0);
		nb = drain(p, b, max);
		CHECK_EQ(nb, na);
		for (i = 0; i < na && i < nb && same; i++) {
			if (memcmp(&a[i].ev, &b[i].ev, sizeof(a[i].ev)) || a[i].line != b[i].line ||
			    a[i].stack != b[i].stack) {
				diag("threads=%d: event %d differs (line %llu vs %llu)", th, i,
				     (unsigned long long)a[i].line, (unsigned long long)b[i].line);
				same = 0;
			}
		}
		CHECK_EQ(p->st.lines, s->st.lines);
		CHECK_EQ(p->st.toolong.count, s->st.toolong.count);
		CHECK_EQ(p->st.toolong.first[2], s->st.toolong.first[2]);
		CHECK_EQ(p->st.bad.count, s->st.bad.count);
		CHECK_EQ(p->st.malformed.count, s->st.malformed.count);
		CHECK_EQ(p->st.drops, s->st.drops);
		CHECK_EQ(p->st.frames, s->st.frames);
		az_close(p);
	}
	CHECK(same);
	CHECK(s->st.toolong.count > 100 && s->st.lines > 30000);
	CHECK_EQ(s->st.malformed.count, 1);	/* the cut-off last line */
	unsetenv("IOMC_ANALYZE_THREADS");
	az_close(s);
	unlink(path);
	free(a);
	free(b);
}

/* A recording's header, as iomap-checkd writes it. */
static void rec_header(struct iomc_rec_header *h, __u32 ncpus)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, IOMC_REC_MAGIC, sizeof(IOMC_REC_MAGIC));
	h->version = IOMC_REC_VERSION;
	h->event_size = sizeof(struct iomc_event);
	h->ncpus = ncpus;
}

/* n events of task 5 "t" on cpu at 1000 + i, a local map's fields; the
 * caller sets each one's type and address */
static void rec_local_events(struct iomc_event *ev, int n, __u32 cpu)
{
	int i;

	memset(ev, 0, n * sizeof(*ev));
	for (i = 0; i < n; i++) {
		ev[i].ts_ns = 1000 + i;
		ev[i].cpu = cpu;
		ev[i].tid = ev[i].pid = 5;
		ev[i].kind = IOMC_KIND_LOCAL;
		ev[i].mapping = 0xffff888000001000ULL;
		ev[i].size = 1 << 20;
		ev[i].len = 4096;
		ev[i].caller = 0xffffffffc0001000ULL + i;
		strcpy(ev[i].comm, "t");
	}
}

/* iomap-checkd --record files: the events come back, other versions are refused */
static void t_record(void)
{
	char path[] = "/tmp/iomc-analyze-rec-XXXXXX";
	struct iomc_rec_header h;
	struct iomc_event ev[4];
	struct az_event got[8];
	struct az_source *s;
	int fd, i;

	rec_header(&h, 2);
	strcpy(h.release, "6.1.0-test");
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 4; i++) {
		ev[i].ts_ns = 1000 - i;	/* out of order: the window sorts them */
		ev[i].type = IOMC_EV_MAP;
		ev[i].kind = IOMC_KIND_LOCAL;
		ev[i].tid = ev[i].pid = 5;
		ev[i].vaddr = 0x1000 * (i + 1);
		ev[i].caller = 0xffffffffc0001000ULL + i;
		strcpy(ev[i].comm, "t");
	}
	ev[3].type = IOMC_EV_DROP;
	ev[3].arg = 7;
	fd = mkstemp(path);
	CHECK(write(fd, &h, sizeof(h)) == sizeof(h));
	CHECK(write(fd, ev, sizeof(ev)) == sizeof(ev));
	CHECK(write(fd, ev, 10) == 10);	/* a record cut short */
	close(fd);
	s = az_open(path, 0);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ(s->fmt, AZ_FMT_RECORD);
		CHECK_EQ(s->nr_cpus, 2);
		CHECK_EQ(drain(s, got, 8), 4);
		CHECK_EQ(got[0].ev.ts_ns, 997);
		CHECK_EQ(got[0].ev.type, IOMC_EV_DROP);
		CHECK_EQ(got[3].ev.vaddr, 0x1000);
		/* addresses become the same kind of site names as the text's */
		CHECK(az_sym_name(got[3].ev.caller) != NULL);
		CHECK_EQ(s->st.drops, 1);
		CHECK_EQ(s->st.lost, 7);
		CHECK_EQ(s->st.malformed.count, 1);
		az_close(s);
	}
	/* another version, another record size: refused, with a message */
	h.version = IOMC_REC_VERSION + 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, &h, sizeof(h)) == sizeof(h));
	close(fd);
	CHECK(az_open(path, 0) == NULL);
	h.version = IOMC_REC_VERSION;
	h.event_size = sizeof(struct iomc_event) + 8;
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, &h, sizeof(h)) == sizeof(h));
	close(fd);
	CHECK(az_open(path, 0) == NULL);
	/* a header cut short */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, &h, 20) == 20);
	close(fd);
	CHECK(az_open(path, 0) == NULL);
	unlink(path);
}

/* ---- rules through the engine ------------------------------------------- */

static char *rep;
static size_t rep_len;

/* Run the checker over tbuf; returns violations; rep = the JSON lines. */
static __u64 check_text(__u32 rule_mask)
{
	struct az_opts o = {
		.cfg = { .rule_mask = rule_mask, .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
		.json = 1, .quiet = 1,
	};
	struct az_source *s = az_open_text_mem("mem", tbuf, tlen, 0);
	struct az_checker *c;
	struct az_event e;
	__u64 v;

	free(rep);
	rep = NULL;
	o.out = open_memstream(&rep, &rep_len);
	o.srcs = &s;
	o.nsrc = 1;
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1)
		az_checker_feed(c, &e);
	v = az_checker_violations(c);
	az_checker_free(c);
	fclose(o.out);
	az_close(s);
	return v;
}

/* Number of reports of rule whose site's function is func. */
static int reported(const char *rule, const char *func)
{
	char want[256];
	const char *p = rep;
	int n = 0;

	snprintf(want, sizeof(want), "{\"rule\":\"%s\",", rule);
	while (p && (p = strstr(p, want))) {
		const char *eol = strchr(p, '\n');
		const char *site = strstr(p, "\"site\":\"");

		if (site && (!eol || site < eol) && !strncmp(site + 8, func, strlen(func)) &&
		    site[8 + strlen(func)] == '+')
			n++;
		p += strlen(want);
	}
	return n;
}

static int nreports(void)
{
	int n = 0;
	const char *p;

	for (p = rep; p && (p = strstr(p, "{\"rule\":")); p++)
		n++;
	return n;
}

static struct gen_hdr th;	/* header of the next generated line */

static void L_map(int kind, int ctx, unsigned long off, unsigned long len, unsigned long va,
		  const char *site)
{
	char buf[1024];

	th.ts += 1000;
	gen_map(buf, sizeof(buf), &th, kind, ctx, 0xffff888003a1b000UL, 1 << 20, off, len, va,
		site);
	out_add(buf);
}

static void L_unmap(int kind, int ctx, unsigned long va, const char *site)
{
	char buf[1024];

	th.ts += 1000;
	gen_unmap(buf, sizeof(buf), &th, kind, ctx, va, site);
	out_add(buf);
}

static void L_line(int (*fn)(char *, size_t, const struct gen_hdr *))
{
	char buf[1024];

	th.ts += 1000;
	fn(buf, sizeof(buf), &th);
	out_add(buf);
}

static int gen_sleep(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_switch(b, n, h, "D", "swapper/1", 0);
}

static int gen_preempt(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_switch(b, n, h, "R+", "other", 77);
}

static int gen_hardirq_exit(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_irq_exit(b, n, h, 0);
}

static int gen_free_m(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_free(b, n, h, 0xffff888003a1b000UL, 1 << 20, "scn_free+0x1/0x2 [s]");
}

static int gen_create_m(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_create(b, n, h, 0xffff888003a1b000UL, 0xfd000000ULL, 1 << 20,
			  "scn_create+0x1/0x2 [s]");
}

static void rules_begin(void)
{
	out_reset();
	th = base_hdr;
	th.ts = 1000000000ULL;
	L_line(gen_create_m);
}

#define VA(n) (0xffffc90000400000UL + (n) * 4096UL)

static void t_rule_legal(void)
{
	int i;

	rules_begin();
	L_map(1, 0, 0, 4096, VA(0), "ok_a+0x1/0x9 [s]");
	L_map(0, 0, 0x1000, 4096, VA(1), "ok_b+0x1/0x9 [s]");
	L_line(gen_preempt);	/* preempted, not asleep: fine */
	L_unmap(0, 0, VA(1), "ok_b+0x2/0x9 [s]");
	L_unmap(1, 0, VA(0), "ok_a+0x2/0x9 [s]");
	L_map(2, 0, 0x2000, 8192, VA(2), "ok_c+0x1/0x9 [s]");
	L_line(gen_sleep);	/* map_wc may be held across a sleep */
	L_unmap(2, 0, VA(2), "ok_c+0x2/0x9 [s]");
	for (i = 0; i < IOMC_DEFAULT_DEPTH_LIMIT; i++)
		L_map(1, 0, i * 4096UL, 4096, VA(i), "ok_deep+0x1/0x9 [s]");
	for (i = IOMC_DEFAULT_DEPTH_LIMIT - 1; i >= 0; i--)
		L_unmap(1, 0, VA(i), "ok_deep+0x2/0x9 [s]");
	L_line(gen_free_m);
	L_line(gen_create_m);
	L_map(1, 0, 0, 4096, VA(0), "ok_again+0x1/0x9 [s]");	/* after re-create */
	L_unmap(1, 0, VA(0), "ok_again+0x2/0x9 [s]");
	L_line(gen_exit);
	CHECK_EQ(check_text(IOMC_ALL_RULES), 0);
	CHECK_EQ(nreports(), 0);
	if (nreports())
		diag("%s", rep);
}

static void t_rule_each(void)
{
	int i;

	rules_begin();
	/* lifo */
	L_map(1, 0, 0, 4096, VA(0), "r_lifo+0x1/0x9 [s]");
	L_map(1, 0, 0x1000, 4096, VA(1), "r_lifo+0x2/0x9 [s]");
	L_unmap(1, 0, VA(0), "r_lifo+0x3/0x9 [s]");
	L_unmap(1, 0, VA(1), "r_lifo+0x4/0x9 [s]");
	/* sleep_in_atomic */
	L_map(0, 0, 0, 4096, VA(0), "r_sleep+0x1/0x9 [s]");
	L_line(gen_sleep);
	L_unmap(0, 0, VA(0), "r_sleep+0x2/0x9 [s]");
	/* unaligned_offset */
	L_map(1, 0, 0x10, 4096, VA(0), "r_unaligned+0x1/0x9 [s]");
	L_unmap(1, 0, VA(0), "r_unaligned+0x2/0x9 [s]");
	/* offset_out_of_range: atomic past the end, wc longer than the rest */
	L_map(0, 0, 1 << 20, 4096, VA(0), "r_range+0x1/0x9 [s]");
	L_unmap(0, 0, VA(0), "r_range+0x2/0x9 [s]");
	L_map(2, 0, (1 << 20) - 4096, 8192, VA(1), "r_range_wc+0x1/0x9 [s]");
	L_unmap(2, 0, VA(1), "r_range_wc+0x2/0x9 [s]");
	/* unmap_mismatch */
	L_map(1, 0, 0, 4096, VA(0), "r_mismatch+0x1/0x9 [s]");
	L_unmap(0, 0, VA(0), "r_mismatch+0x2/0x9 [s]");
	/* unknown_unmap (double unmap) */
	L_map(2, 0, 0, 4096, VA(3), "r_double+0x1/0x9 [s]");
	L_unmap(2, 0, VA(3), "r_double+0x2/0x9 [s]");
	L_unmap(2, 0, VA(3), "r_double+0x3/0x9 [s]");
	/* unknown_unmap of an address inside an atomic map (issue 20): the
	 * kernel undid the map, so the sleep after it is not in atomic */
	L_map(0, 0, 0, 4096, VA(7), "r_inner+0x1/0x9 [s]");
	L_unmap(0, 0, VA(7) + 0x10, "r_inner+0x2/0x9 [s]");
	L_line(gen_sleep);
	/* cross_context_unmap: mapped by 201, unmapped by 300 */
	L_map(1, 0, 0, 4096, VA(4), "r_cross+0x1/0x9 [s]");
	th.pid = 300;
	th.comm = "worker";
	L_unmap(1, 0, VA(4), "r_cross+0x2/0x9 [s]");
	th.pid = 201;
	th.comm = "insmod";
	/* depth_exceeded */
	for (i = 0; i <= IOMC_DEFAULT_DEPTH_LIMIT; i++)
		L_map(1, 0, i * 4096UL, 4096, VA(10 + i), "r_depth+0x1/0x9 [s]");
	for (i = IOMC_DEFAULT_DEPTH_LIMIT; i >= 0; i--)
		L_unmap(1, 0, VA(10 + i), "r_depth+0x2/0x9 [s]");
	/* leak_on_exit of a hardirq handler */
	L_map(0, 2, 0, 4096, VA(5), "r_irqleak+0x1/0x9 [s]");
	L_line(gen_hardirq_exit);
	/* leak_on_free, then use_after_free */
	L_map(2, 0, 0, 4096, VA(6), "r_leakfree+0x1/0x9 [s]");
	th.ts += 1000;
	{
		char buf[512];

		gen_free(buf, sizeof(buf), &th, 0xffff888003a1b000UL, 1 << 20,
			 "r_leakfree+0x2/0x9 [s]");
		out_add(buf);
	}
	/* the module refuses a map of a freed mapping: vaddr 0, no unmap */
	L_map(1, 0, 0, 4096, 0, "r_uaf+0x1/0x9 [s]");
	/* leak_on_exit of a task (of a re-created mapping: no use_after_free) */
	L_line(gen_create_m);
	L_map(1, 0, 0, 4096, VA(8), "r_exitleak+0x1/0x9 [s]");
	L_line(gen_exit);
	check_text(IOMC_ALL_RULES);
	CHECK_EQ(reported("lifo", "r_lifo"), 1);
	CHECK_EQ(reported("sleep_in_atomic", "?"), 0);
	CHECK(strstr(rep, "\"rule\":\"sleep_in_atomic\"") &&
	      strstr(rep, "\"map_site\":\"r_sleep+0x1/0x9 [s]\""));
	CHECK_EQ(reported("unaligned_offset", "r_unaligned"), 1);
	CHECK_EQ(reported("offset_out_of_range", "r_range"), 1);
	CHECK_EQ(reported("offset_out_of_range", "r_range_wc"), 1);
	CHECK_EQ(reported("unmap_mismatch", "r_mismatch"), 1);
	CHECK_EQ(reported("unknown_unmap", "r_double"), 1);
	CHECK_EQ(reported("unknown_unmap", "r_inner"), 1);
	CHECK(strstr(rep, "\"map_site\":\"r_inner+0x1/0x9 [s]\""));
	CHECK_EQ(reported("cross_context_unmap", "r_cross"), 1);
	CHECK_EQ(reported("depth_exceeded", "r_depth"), 1);
	CHECK(strstr(rep, "\"rule\":\"leak_on_exit\"") &&
	      strstr(rep, "\"map_site\":\"r_irqleak+0x1/0x9 [s]\""));
	CHECK_EQ(reported("leak_on_free", "r_leakfree"), 1);
	CHECK_EQ(reported("use_after_free", "r_uaf"), 1);
	CHECK(strstr(rep, "\"map_site\":\"r_exitleak+0x1/0x9 [s]\""));
	CHECK_EQ(nreports(), 14);
	if (failed_here)
		diag("%s", rep);
	/* each rule can be switched off */
	CHECK_EQ(check_text(IOMC_ALL_RULES & ~(1U << IOMC_RULE_LIFO)), 13);
	CHECK_EQ(reported("lifo", "r_lifo"), 0);
}

static void t_rule_dedup(void)
{
	int i;

	rules_begin();
	for (i = 0; i < 5; i++) {
		L_map(1, 0, 0, 4096, VA(0), "r_lifo+0x1/0x9 [s]");
		L_map(1, 0, 0x1000, 4096, VA(1), "r_lifo+0x2/0x9 [s]");
		L_unmap(1, 0, VA(0), "r_lifo+0x3/0x9 [s]");
		L_unmap(1, 0, VA(1), "r_lifo+0x4/0x9 [s]");
	}
	CHECK_EQ(check_text(IOMC_ALL_RULES), 5);
	CHECK_EQ(nreports(), 1);
}

static void t_rule_drop(void)
{
	/* a map lost in a drop: its unmap must not be unknown_unmap */
	rules_begin();
	out_add("CPU:1 [LOST 1 EVENTS]\n");
	L_unmap(1, 0, VA(0), "d_unknown+0x1/0x9 [s]");
	/* wc map lost on another CPU, unmapped by a task never seen before */
	th.pid = 555;
	th.cpu = 0;
	L_unmap(2, 0, VA(1), "d_unknown_wc+0x1/0x9 [s]");
	th.pid = 201;
	th.cpu = 1;
	/* an unmap lost in a drop: the stale entry must not cause a lifo */
	L_map(1, 0, 0, 4096, VA(2), "d_lifo+0x1/0x9 [s]");
	L_map(1, 0, 0x1000, 4096, VA(3), "d_lifo+0x2/0x9 [s]");
	out_add("CPU:1 [LOST 1 EVENTS]\n");
	L_unmap(1, 0, VA(2), "d_lifo+0x3/0x9 [s]");
	/*
	 * After the gap, a real double unmap is still caught in a context
	 * the loss did not touch (the engine keeps the forgotten contexts
	 * "unsure" for good, see iomc_stack_forget()).
	 */
	th.pid = 777;
	L_map(1, 0, 0, 4096, VA(4), "d_after+0x1/0x9 [s]");
	L_unmap(1, 0, VA(4), "d_after+0x2/0x9 [s]");
	L_unmap(1, 0, VA(4), "d_after+0x3/0x9 [s]");
	CHECK_EQ(check_text(IOMC_ALL_RULES), 1);
	CHECK_EQ(reported("unknown_unmap", "d_after"), 1);
	if (failed_here)
		diag("%s", rep);
	/* the loss is in-band, in the daemon's format */
	CHECK(strstr(rep, "{\"type\":\"lost\",") != NULL &&
	      strstr(rep, "\"what\":\"trace events on CPU 1\",\"count\":1,") != NULL);
}

static void t_rule_partial_trace(void)
{
	struct az_opts o = { .cfg = { IOMC_ALL_RULES, IOMC_DEFAULT_DEPTH_LIMIT }, .quiet = 1,
			     .partial = 1 };
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	char buf[2048];

	/* trace_pipe read late: no header says so; --partial does */
	out_reset();
	th = base_hdr;
	L_unmap(1, 0, VA(0), "p_old+0x1/0x9 [s]");
	L_map(1, 0, 0, 4096, VA(1), "p_new+0x1/0x9 [s]");
	L_unmap(1, 0, VA(1), "p_new+0x2/0x9 [s]");
	L_unmap(1, 0, VA(1), "p_new+0x3/0x9 [s]");	/* a real double unmap */
	CHECK_EQ(check_text(IOMC_ALL_RULES), 2);
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	o.out = fopen("/dev/null", "w");
	o.srcs = &s;
	o.nsrc = 1;
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1)
		az_checker_feed(c, &e);
	CHECK_EQ(az_checker_violations(c), 1);
	az_checker_free(c);
	fclose(o.out);
	az_close(s);

	/* the buffer overwrote its start: unmaps of older maps are not errors */
	out_reset();
	gen_ftrace_header(buf, sizeof(buf), 3, 9, 2);
	out_add(buf);
	th = base_hdr;
	L_unmap(1, 0, VA(0), "p_old+0x1/0x9 [s]");
	CHECK_EQ(check_text(IOMC_ALL_RULES), 0);
}

/*
 * A malformed io_mapping line (fields cut short) is a lost event: its CPU's
 * state is forgotten as after a drop marker, so a legal trace stays clean
 * (issue 9: a map line without its vaddr made the unmap an unknown_unmap).
 */
static void t_rule_malformed_is_drop(void)
{
	char buf[1024], *cut;

	rules_begin();
	L_map(1, 0, 0, 4096, VA(0), "m_ok+0x1/0x9 [s]");
	th.ts += 1000;
	gen_map(buf, sizeof(buf), &th, 1, 0, 0xffff888003a1b000UL, 1 << 20, 0x1000, 4096, VA(1),
		"m_ok+0x2/0x9 [s]");
	cut = strstr(buf, " vaddr=");
	CHECK(cut != NULL);
	if (cut)
		strcpy(cut, "\n");
	out_add(buf);
	L_unmap(1, 0, VA(1), "m_ok+0x3/0x9 [s]");
	L_unmap(1, 0, VA(0), "m_ok+0x4/0x9 [s]");
	CHECK_EQ(check_text(IOMC_ALL_RULES), 0);
	CHECK_EQ(nreports(), 0);
	if (nreports())
		diag("%s", rep);
	CHECK(rep && strstr(rep, "{\"type\":\"lost\",") != NULL);
}

/* The same for a recording: an invalid record is a lost event of its CPU
 * (or, when its CPU field is out of range, of every CPU). */
static void t_record_invalid_is_drop(void)
{
	char path[] = "/tmp/iomc-analyze-rec-XXXXXX";
	struct iomc_rec_header h;
	struct iomc_event ev[6];
	struct az_opts o = {
		.cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
		.json = 1, .quiet = 1,
	};
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	int fd, pass;

	for (pass = 0; pass < 2; pass++) {
		rec_header(&h, 2);
		rec_local_events(ev, 6, 1);
		/* create, map A, map B (invalid), unmap B, unmap A, free */
		ev[0].type = IOMC_EV_CREATE;
		ev[1].type = IOMC_EV_MAP;
		ev[1].vaddr = 0x1000;
		ev[2].type = IOMC_EV_MAP;
		ev[2].offset = 0x1000;
		ev[2].vaddr = 0x2000;
		if (pass)
			ev[2].cpu = 77;	/* out of range: every CPU forgets */
		else
			ev[2].kind = 99;
		ev[3].type = IOMC_EV_UNMAP;
		ev[3].vaddr = 0x2000;
		ev[4].type = IOMC_EV_UNMAP;
		ev[4].vaddr = 0x1000;
		ev[5].type = IOMC_EV_FREE;
		strcpy(path, "/tmp/iomc-analyze-rec-XXXXXX");
		fd = mkstemp(path);
		CHECK(write(fd, &h, sizeof(h)) == sizeof(h));
		CHECK(write(fd, ev, sizeof(ev)) == sizeof(ev));
		close(fd);
		s = az_open(path, 0);
		CHECK(s != NULL);
		if (!s)
			return;
		free(rep);
		rep = NULL;
		o.out = open_memstream(&rep, &rep_len);
		o.srcs = &s;
		o.nsrc = 1;
		c = az_checker_new(&o);
		while (s->next(s, &e) == 1)
			az_checker_feed(c, &e);
		CHECK_EQ(az_checker_violations(c), 0);
		CHECK_EQ(s->st.malformed.count, 1);
		CHECK(s->st.drops >= 1);
		az_checker_free(c);
		fclose(o.out);
		if (failed_here)
			diag("pass %d: %s", pass, rep);
		az_close(s);
		unlink(path);
	}
}

/* ---- issue 16: damaged, foreign and unusual input ------------------------ */

/* Replace the first occurrence of from (after skip bytes) by to, in place. */
static int damage(char *buf, size_t skip, const char *from, const char *to)
{
	char *p = strstr(buf + skip, from);
	size_t fl = strlen(from), tl = strlen(to);

	if (!p)
		return -1;
	/* the callers' buffers have room for the few bytes a damage adds */
	memmove(p + tl, p + fl, strlen(p + fl) + 1);
	memcpy(p, to, tl);
	return 0;
}

static const struct {
	const char *name, *from, *to;
	unsigned int cpu;	/* the loss's CPU: known, or all */
} damages[] = {
	{ "timestamp", ".00", ".x0", 1 },
	{ "timestamp colon", ": io_mapping", "; io_mapping", 1 },
	{ "flags", "d..1.", "d.?1.", 1 },
	{ "pid", "-201", "-2q1", 1 },
	{ "cpu column (hex)", "[001]", "[0x1]", IOMC_CPU_ALL },
	{ "cpu column (huge)", "[001]", "[99999]", IOMC_CPU_ALL },
	{ "cpu column (open)", "[001]", "[001 ", IOMC_CPU_ALL },
};

/*
 * Issue 16 item 1: an io_mapping line whose timestamp, CPU column, flags or
 * pid is damaged is a lost event (of its CPU when the CPU column is
 * intact, of every CPU otherwise), never "not trace text": the legal
 * sequence around it stays clean.
 */
static void t_damaged_header_is_a_drop(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		struct az_parsed p;
		struct az_source *s;
		struct az_event ev[16];
		char buf[1024];
		int n, k, drops = 0;

		rules_begin();
		L_map(1, 0, 0, 4096, VA(0), "d_ok+0x1/0x9 [s]");
		th.ts += 1000;
		gen_map(buf, sizeof(buf), &th, 1, 0, 0xffff888003a1b000UL, 1 << 20, 0x1000, 4096,
			VA(1), "d_ok+0x2/0x9 [s]");
		CHECK(damage(buf, 0, damages[i].from, damages[i].to) == 0);
		CHECK_EQ(az_parse_line(buf, strlen(buf), &p), AZ_LINE_MALFORMED);
		CHECK_EQ(p.ev.cpu, damages[i].cpu);
		out_add(buf);
		L_unmap(1, 0, VA(1), "d_ok+0x3/0x9 [s]");
		L_unmap(1, 0, VA(0), "d_ok+0x4/0x9 [s]");
		CHECK_EQ(check_text(IOMC_ALL_RULES), 0);
		CHECK(rep && strstr(rep, "{\"type\":\"lost\",") != NULL);
		s = az_open_text_mem("mem", tbuf, tlen, 0);
		n = drain(s, ev, 16);
		for (k = 0; k < n; k++)
			if (ev[k].ev.type == IOMC_EV_DROP) {
				drops++;
				CHECK_EQ(ev[k].ev.cpu, damages[i].cpu);
				CHECK_EQ(ev[k].line, 3);
			}
		CHECK_EQ(drops, 1);
		CHECK_EQ(s->st.bad.count, 0);
		CHECK_EQ(s->st.malformed.count, 1);
		CHECK_EQ(s->st.malformed.first[0], 3);
		az_close(s);
		if (failed_here) {
			diag("damaged %s: %s", damages[i].name, buf);
			return;
		}
	}
}

/*
 * The other events the rules read (a task's exit, an interrupt's end, a
 * switch, a module's end) are as much a loss when damaged: a lost exit or
 * irq exit would leave state that the rules then misjudge. Intact, each
 * parses as an event; with its CPU column damaged, each is a loss of every
 * CPU; the "[001]" inside a comm field alone does not make a line ours.
 */
static void t_damaged_other_events_are_drops(void)
{
	struct gen_hdr h = base_hdr;
	struct az_parsed p;
	char buf[1024];
	unsigned int i;

	for (i = 0; i < 5; i++) {
		switch (i) {
		case 0: gen_exit(buf, sizeof(buf), &h); break;
		case 1: gen_irq_exit(buf, sizeof(buf), &h, 0); break;
		case 2: gen_irq_exit(buf, sizeof(buf), &h, 1); break;
		case 3: gen_switch(buf, sizeof(buf), &h, "S", "kworker/1:1", 33); break;
		default: gen_module_free(buf, sizeof(buf), &h, "drv"); break;
		}
		CHECK_EQ(parse(buf, &p), AZ_LINE_EVENT);
		CHECK(damage(buf, 0, "[001]", "[0x1]") == 0);
		CHECK_EQ(parse(buf, &p), AZ_LINE_MALFORMED);
		CHECK_EQ(p.ev.cpu, IOMC_CPU_ALL);
		if (failed_here) {
			diag("event %u: %s", i, buf);
			return;
		}
	}
	/* a line of another event that merely mentions ours is not ours */
	CHECK_EQ(parse("          insmod-201     [0x1] d..1. 60100.010000: foo: sched_process_exitx: a", &p),
		 AZ_LINE_BAD);
}

/* Comms are free text: spaces, brackets, colons, dashes, parentheses. */
static const char *const odd_comms[] = {
	"x [1] y", "[1]", "a [2] b", "[001] d..1.", "x [1] y-5", "a:b", "a: b", "k:1 [3] 4:",
	"a [1] 2: b", "a [1] 2: b: c", "x-1 [0] y", "a-b-c", "-", "--1", "a (5) b", "a)", "(",
	"w [1] ]", "[1] [2] [3]",
};

static void t_odd_comms_all_styles(void)
{
	static const enum gen_style styles[] = { GEN_FTRACE, GEN_TCREPORT, GEN_PERF };
	struct gen_hdr h = base_hdr;
	unsigned int i, s;

	for (i = 0; i < sizeof(odd_comms) / sizeof(odd_comms[0]); i++) {
		for (s = 0; s < 3; s++) {
			h = base_hdr;
			h.comm = odd_comms[i];
			h.style = styles[s];
			if (s)
				h.flags = NULL;
			failed_here = 0;
			expect_map(&h, 60100010000ULL);
			if (!s) {
				h.tgid = 77;
				expect_map(&h, 60100010000ULL);
				h.tgid = 0;
				expect_map(&h, 60100010000ULL);
				h.flags = NULL;
				expect_map(&h, 60100010000ULL);
			}
			if (failed_here) {
				diag("comm \"%s\", style %u", odd_comms[i], s);
				return;
			}
		}
	}
}

/* Issue 16 item 2: a task named "x [1] y" had every line skipped: its lifo was missed. */
static void t_odd_comm_lifo(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(odd_comms) / sizeof(odd_comms[0]); i++) {
		rules_begin();
		th.comm = odd_comms[i];
		L_map(1, 0, 0, 4096, VA(0), "c_lifo+0x1/0x9 [s]");
		L_map(1, 0, 0x1000, 4096, VA(1), "c_lifo+0x2/0x9 [s]");
		L_unmap(1, 0, VA(0), "c_lifo+0x3/0x9 [s]");
		L_unmap(1, 0, VA(1), "c_lifo+0x4/0x9 [s]");
		CHECK_EQ(check_text(IOMC_ALL_RULES), 1);
		CHECK_EQ(reported("lifo", "c_lifo"), 1);
		if (failed_here) {
			diag("comm \"%s\": %s", odd_comms[i], rep ? rep : "");
			return;
		}
	}
}

/*
 * Issue 16 item 8: "#P:65535" with overwritten entries made 65535 loss
 * markers, more than the reorder window holds: events were duplicated.
 * The overwritten start is one loss on every CPU; nothing is sized from #P.
 */
static void t_huge_cpu_count_header(void)
{
	struct az_event ev[16];
	struct az_source *s;
	char buf[2048];
	int n;

	out_reset();
	gen_ftrace_header(buf, sizeof(buf), 3, 9, 65535);
	out_add(buf);
	th = base_hdr;
	th.ts = 1000000000ULL;
	L_line(gen_create_m);
	L_unmap(1, 0, VA(9), "h_old+0x1/0x9 [s]");	/* mapped before the start */
	L_map(1, 0, 0, 4096, VA(0), "h_lifo+0x1/0x9 [s]");
	L_map(1, 0, 0x1000, 4096, VA(1), "h_lifo+0x2/0x9 [s]");
	L_unmap(1, 0, VA(0), "h_lifo+0x3/0x9 [s]");
	L_unmap(1, 0, VA(1), "h_lifo+0x4/0x9 [s]");
	CHECK_EQ(check_text(IOMC_ALL_RULES), 1);
	CHECK_EQ(reported("lifo", "h_lifo"), 1);
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	n = drain(s, ev, 16);
	CHECK_EQ(n, 7);
	CHECK_EQ(ev[0].ev.type, IOMC_EV_DROP);
	CHECK_EQ(ev[0].ev.cpu, IOMC_CPU_ALL);
	CHECK_EQ(s->st.drops, 1);
	CHECK_EQ(s->nr_cpus, 65535);
	az_close(s);
}

/*
 * A line can put two events in the window (the held-back event and a loss
 * marker): when the window had one free slot, the second overwrote the
 * oldest event. Every event must come out exactly once, in order.
 */
static void t_window_never_overflows(void)
{
	struct gen_hdr h = base_hdr;
	struct az_source *s;
	struct az_event e;
	char buf[1024];
	int i, n = 0, drops = 0, ok = 1;
	__u64 last = 0, next_va = 1;

	out_reset();
	for (i = 1; i <= 2 * AZ_WINDOW + 10; i++) {
		h.ts = 1000ULL * i;
		gen_unmap(buf, sizeof(buf), &h, 1, 0, i, "w");
		out_add(buf);
		if (i % (AZ_WINDOW - 1) == 0 || i % AZ_WINDOW == 0 || i == AZ_WINDOW + 1)
			out_add("CPU:1 [LOST 1 EVENTS]\n");
	}
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	while (s->next(s, &e) == 1) {
		if (e.ev.ts_ns < last)
			ok = 0;
		last = e.ev.ts_ns;
		if (e.ev.type == IOMC_EV_DROP) {
			drops++;
			continue;
		}
		if (e.ev.vaddr != next_va)
			ok = 0;
		next_va = e.ev.vaddr + 1;
		n++;
	}
	CHECK(ok);
	CHECK_EQ(n, 2 * AZ_WINDOW + 10);
	CHECK_EQ(drops, 5);
	az_close(s);
}

/*
 * Issue 16 item 9: a record with a bad CPU number in a recording whose
 * header does not give the CPU count became 8192 loss markers. It is one
 * loss, of every CPU: the lifo that the lost map hides is not reported.
 */
static void t_record_bad_cpu_one_loss(void)
{
	char path[] = "/tmp/iomc-analyze-rec-XXXXXX";
	struct iomc_rec_header h;
	struct iomc_event ev[5];
	struct az_opts o = {
		.cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
		.json = 1, .quiet = 1,
	};
	struct az_source *s;
	struct az_checker *c;
	struct az_event e;
	int fd, lost = 0;
	const char *p;

	rec_header(&h, 0);	/* unknown */
	rec_local_events(ev, 5, 3);
	/* create, map A, map B, a record with a bad CPU (a lost unmap of B?), unmap A */
	ev[0].type = IOMC_EV_CREATE;
	ev[1].type = IOMC_EV_MAP;
	ev[1].vaddr = 0x1000;
	ev[2].type = IOMC_EV_MAP;
	ev[2].offset = 0x1000;
	ev[2].vaddr = 0x2000;
	ev[3].type = IOMC_EV_UNMAP;
	ev[3].vaddr = 0x2000;
	ev[3].cpu = 100000;
	ev[4].type = IOMC_EV_UNMAP;
	ev[4].vaddr = 0x1000;
	fd = mkstemp(path);
	CHECK(write(fd, &h, sizeof(h)) == sizeof(h));
	CHECK(write(fd, ev, sizeof(ev)) == sizeof(ev));
	close(fd);
	s = az_open(path, 0);
	CHECK(s != NULL);
	if (!s)
		return;
	free(rep);
	rep = NULL;
	o.out = open_memstream(&rep, &rep_len);
	o.srcs = &s;
	o.nsrc = 1;
	c = az_checker_new(&o);
	while (s->next(s, &e) == 1) {
		if (e.ev.type == IOMC_EV_DROP)
			CHECK_EQ(e.ev.cpu, IOMC_CPU_ALL);
		az_checker_feed(c, &e);
	}
	CHECK_EQ(az_checker_violations(c), 0);
	CHECK_EQ(s->st.malformed.count, 1);
	CHECK_EQ(s->st.drops, 1);
	az_checker_free(c);
	fclose(o.out);
	for (p = rep; p && (p = strstr(p, "{\"type\":\"lost\",")); p++)
		lost++;
	CHECK_EQ(lost, 1);
	CHECK(rep && strstr(rep, "all CPUs") != NULL);
	if (failed_here)
		diag("%.400s", rep ? rep : "");
	az_close(s);
	unlink(path);
}

/*
 * Per-CPU traces one after another (cat per_cpu/cpu0/trace per_cpu/cpu1/trace),
 * each longer than the reorder window. Task 201 maps on CPU 0 and unmaps on
 * CPU 1, task 202 the other way round; the mapping is freed after the
 * unmap. Read as one stream, CPU 0's block came first: a false leak_on_free
 * and unknown_unmap (issue 16 item 6). The blocks are merged: only the
 * real lifo of task 203 is reported, nothing is late.
 */
static void gen_per_cpu_blocks(void)
{
	struct gen_hdr h = base_hdr;
	char buf[2048];
	int cpu, i;

	out_reset();
	for (cpu = 0; cpu < 2; cpu++) {
		gen_ftrace_header(buf, sizeof(buf), 20000, 20000, 2);
		out_add(buf);
		h = base_hdr;
		h.comm = "<idle>";
		h.pid = 0;
		h.cpu = cpu;
		for (i = 0; i < AZ_WINDOW + 1000; i++) {
			h.ts = 1000000ULL + 2000ULL * i + 1000ULL * cpu;
			gen_irq_exit(buf, sizeof(buf), &h, 0);
			out_add(buf);
		}
		h.comm = "t";
#define AT(ms, c) (h.ts = (10 + (ms)) * 1000000ULL, h.cpu = (c), cpu == (c))
#define M1 0xffff888003a1b000UL
#define M2 0xffff888003a1c000UL
		if (AT(9, 1) && gen_create(buf, sizeof(buf), &h, M2, 0xfe000000ULL, 1 << 20, "c2+0x1/0x9 [s]"))
			out_add(buf);
		if (AT(10, 0) && gen_create(buf, sizeof(buf), &h, M1, 0xfd000000ULL, 1 << 20, "c1+0x1/0x9 [s]"))
			out_add(buf);
		h.pid = 201;
		if (AT(11, 0) && gen_map(buf, sizeof(buf), &h, 1, 0, M1, 1 << 20, 0, 4096, VA(0), "mig+0x1/0x9 [s]"))
			out_add(buf);
		if (AT(12, 1) && gen_unmap(buf, sizeof(buf), &h, 1, 0, VA(0), "mig+0x2/0x9 [s]"))
			out_add(buf);
		h.pid = 0;
		if (AT(14, 0) && gen_free(buf, sizeof(buf), &h, M1, 1 << 20, "f1+0x1/0x9 [s]"))
			out_add(buf);
		h.pid = 202;
		if (AT(15, 1) && gen_map(buf, sizeof(buf), &h, 1, 0, M2, 1 << 20, 0, 4096, VA(1), "mig+0x3/0x9 [s]"))
			out_add(buf);
		if (AT(16, 0) && gen_unmap(buf, sizeof(buf), &h, 1, 0, VA(1), "mig+0x4/0x9 [s]"))
			out_add(buf);
		h.pid = 203;
		if (AT(20, 1) && gen_map(buf, sizeof(buf), &h, 1, 0, M2, 1 << 20, 0x1000, 4096, VA(2), "b_lifo+0x1/0x9 [s]"))
			out_add(buf);
		if (AT(21, 1) && gen_map(buf, sizeof(buf), &h, 1, 0, M2, 1 << 20, 0x2000, 4096, VA(3), "b_lifo+0x2/0x9 [s]"))
			out_add(buf);
		if (AT(22, 1) && gen_unmap(buf, sizeof(buf), &h, 1, 0, VA(2), "b_lifo+0x3/0x9 [s]"))
			out_add(buf);
		if (AT(23, 1) && gen_unmap(buf, sizeof(buf), &h, 1, 0, VA(3), "b_lifo+0x4/0x9 [s]"))
			out_add(buf);
#undef AT
#undef M1
#undef M2
		/* the scenario in the middle: more than a window after it */
		h.comm = "<idle>";
		h.pid = 0;
		h.cpu = cpu;
		for (i = 0; i < AZ_WINDOW + 1000; i++) {
			h.ts = 40000000ULL + 2000ULL * i + 1000ULL * cpu;
			gen_irq_exit(buf, sizeof(buf), &h, 0);
			out_add(buf);
		}
	}
}

static void t_per_cpu_blocks(void)
{
	char path[] = "/tmp/iomc-analyze-pcpu-XXXXXX";
	struct az_source *s;
	struct az_event e;
	__u64 last = 0, n = 0;
	int fd, pass, ordered = 1, lines_ok = 0;

	gen_per_cpu_blocks();
	CHECK_EQ(check_text(IOMC_ALL_RULES), 1);
	CHECK_EQ(reported("lifo", "b_lifo"), 1);
	if (failed_here)
		diag("%s", rep ? rep : "");
	/* from a file too (pread per block; parser threads for the first look) */
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, tbuf, tlen) == (ssize_t)tlen);
	close(fd);
	for (pass = 0; pass < 2; pass++) {
		s = pass ? az_open(path, 0) : az_open_text_mem("mem", tbuf, tlen, 0);
		CHECK(s != NULL);
		if (!s)
			break;
		n = last = 0;
		ordered = 1;
		lines_ok = 0;
		while (s->next(s, &e) == 1) {
			if (e.ev.ts_ns < last)
				ordered = 0;
			last = e.ev.ts_ns;
			/* line numbers are the file's: CPU 1's first line */
			if (e.line == 12 + 2 * (AZ_WINDOW + 1000) + 4 + 12 + 1) {
				CHECK_EQ(e.ev.cpu, 1);
				CHECK_EQ(e.ev.ts_ns, 1001000);
				lines_ok++;
			}
			n++;
		}
		CHECK(ordered);
		CHECK_EQ(lines_ok, 1);
		CHECK_EQ(n, 4 * (AZ_WINDOW + 1000) + 11);
		CHECK_EQ(s->st.late, 0);
		CHECK_EQ(s->st.events, n);
		CHECK_EQ(s->st.lines, 4 * (AZ_WINDOW + 1000) + 11 + 2 * 12);
		CHECK_EQ(s->st.bad.count, 0);
		CHECK_EQ(s->fmt, AZ_FMT_FTRACE);
		az_close(s);
	}
	unlink(path);
}

/*
 * An event older than what the window already released cannot be checked
 * in order: checked late, against state that already went past it, it made
 * reports from incomplete state (issue 16 item 6). A run of late events is
 * one loss of every CPU, and the late events are not checked.
 */
static void t_late_events_are_a_loss(void)
{
	struct az_source *s;
	struct az_event e;
	int i, drops = 0;

	rules_begin();
	th.ts = 2000000;
	L_map(1, 0, 0, 4096, VA(0), "late_a+0x1/0x9 [s]");	/* at 2.001 ms */
	L_line(gen_exit);					/* leak_on_exit, as seen */
	for (i = 0; i < AZ_WINDOW + 100; i++)
		L_line(gen_hardirq_exit);
	th.ts = 2000500;
	L_unmap(1, 0, VA(0), "late_a+0x2/0x9 [s]");		/* late: before the exit */
	th.ts = 2000600;
	L_map(1, 0, 0x1000, 4096, VA(1), "late_b+0x1/0x9 [s]");	/* late */
	th.ts = 2000700;
	L_unmap(1, 0, VA(0), "late_b+0x2/0x9 [s]");		/* late, lifo-looking */
	th.ts = 90000000;
	L_map(1, 0, 0x2000, 4096, VA(2), "ok_c+0x1/0x9 [s]");
	L_unmap(1, 0, VA(2), "ok_c+0x2/0x9 [s]");
	CHECK_EQ(check_text(IOMC_ALL_RULES), 1);
	CHECK_EQ(reported("leak_on_exit", "late_a"), 1);
	CHECK(rep && strstr(rep, "{\"type\":\"lost\",") != NULL);
	if (failed_here)
		diag("%s", rep ? rep : "");
	s = az_open_text_mem("mem", tbuf, tlen, 0);
	while (s->next(s, &e) == 1)
		if (e.ev.type == IOMC_EV_DROP) {
			drops++;
			CHECK_EQ(e.ev.cpu, IOMC_CPU_ALL);
		}
	CHECK_EQ(drops, 1);	/* one run of late events */
	CHECK_EQ(s->st.late, 3);
	az_close(s);
}

static int gen_module_free_drv(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_module_free(b, n, h, "drv");
}

static int gen_create_drv(char *b, size_t n, const struct gen_hdr *h)
{
	return gen_create(b, n, h, 0xffff888003a1c000UL, 0xfe000000ULL, 1 << 16,
			  "drv_init+0x8f/0x1000 [drv]");
}

/*
 * leak_on_unload from text: module_free names the module; its sites are
 * those symbolized "[drv]". The mapping drv created and its map leak; the
 * scenario module's (freed) and another module's maps do not.
 */
static void t_rule_module_free(void)
{
	rules_begin();
	L_line(gen_create_drv);
	L_map(2, 0, 0, 4096, VA(0), "drv_status+0x10/0x80 [drv]");	/* of mapping "s" */
	L_map(2, 0, 0x1000, 4096, VA(1), "other_fn+0x1/0x9 [other]");
	L_line(gen_module_free_drv);
	CHECK_EQ(check_text(IOMC_ALL_RULES), 2);
	CHECK_EQ(reported("leak_on_unload", "drv_init"), 1);
	CHECK_EQ(reported("leak_on_unload", "drv_status"), 1);
	if (nreports() != 2)
		diag("%s", rep);
	/* off: nothing */
	CHECK_EQ(check_text(IOMC_ALL_RULES & ~(1u << IOMC_RULE_LEAK_ON_UNLOAD)), 0);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "parse_ftrace_5_flags", t_ftrace_flags5 },
		{ "parse_ftrace_4_flags", t_ftrace_flags4 },
		{ "parse_ftrace_lazy_preempt_flags", t_ftrace_lazy_flags },
		{ "parse_ftrace_irq_info_off", t_ftrace_no_irqinfo },
		{ "parse_ftrace_tgid_column", t_ftrace_tgid },
		{ "parse_ftrace_clocks", t_ftrace_clocks },
		{ "parse_ftrace_odd_comms", t_ftrace_comms },
		{ "parse_tcreport", t_tcreport },
		{ "parse_tcreport_variants", t_tcreport_variants },
		{ "parse_kind_ctx_names_and_numbers", t_enum_spellings },
		{ "parse_perf_script", t_perf },
		{ "parse_sched_irq_events", t_other_events },
		{ "parse_markers_and_stacks", t_markers },
		{ "parse_garbage_and_malformed", t_garbage },
		{ "parse_numbers_all_lengths", t_numbers },
		{ "parse_fast_path_same_as_general", t_fast_path_same },
		{ "source_stacks", t_src_stacks },
		{ "source_drops_and_order", t_src_drops_order },
		{ "source_bad_lines_counted", t_src_bad_lines },
		{ "merge_per_cpu_files", t_merge },
		{ "parallel_parse_same_as_sequential", t_parallel_same },
		{ "daemon_recording_read_and_versions_refused", t_record },
		{ "rules_legal_sequence_clean", t_rule_legal },
		{ "rules_each_rule_once", t_rule_each },
		{ "rules_repeats_counted_not_reprinted", t_rule_dedup },
		{ "rules_no_false_positive_across_drop", t_rule_drop },
		{ "rules_overwritten_trace_start", t_rule_partial_trace },
		{ "rules_malformed_line_is_a_drop", t_rule_malformed_is_drop },
		{ "rules_invalid_record_is_a_drop", t_record_invalid_is_drop },
		{ "rules_leak_on_unload_module_free", t_rule_module_free },
		{ "rules_damaged_header_field_is_a_drop", t_damaged_header_is_a_drop },
		{ "parse_damaged_other_events_are_drops", t_damaged_other_events_are_drops },
		{ "parse_odd_comms_all_styles", t_odd_comms_all_styles },
		{ "rules_odd_comm_lifo_found", t_odd_comm_lifo },
		{ "rules_huge_cpu_count_header", t_huge_cpu_count_header },
		{ "source_window_never_overflows", t_window_never_overflows },
		{ "rules_record_bad_cpu_one_loss", t_record_bad_cpu_one_loss },
		{ "rules_per_cpu_traces_one_after_another", t_per_cpu_blocks },
		{ "rules_late_events_are_a_loss", t_late_events_are_a_loss },
	};
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);

	printf("KTAP version 1\n1..%u\n", n);
	for (i = 0; i < n; i++)
		run(tests[i].name, tests[i].fn);
	free(tbuf);
	free(rep);
	az_syms_reset();
	return 0;
}
