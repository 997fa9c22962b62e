// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every report lib/report.c prints, text and JSON, against a golden file
 * (tests/host/report_golden.expected): a violation of each rule in each of
 * its shapes (the event types and variants a rule reports on), the
 * summary, status and loss lines, and every event type as lib/event.c
 * prints it (iomap-check analyze --dump-events). Any change to the wording of a report
 * fails here, case by case, so a refactoring of the printers proves it
 * changed no output; a deliberate change regenerates the file:
 *
 *   report_golden --write > tests/host/report_golden.expected
 *
 * usage: report_golden EXPECTED   (KTAP: one result per case)
 * Times that come from the clock ("time": of status, summary and live loss
 * lines) are printed as T.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "report.h"

/* Made-up kernel: a driver module, vmlinux, the checker's BPF frames. */
static const struct {
	__u64 addr;
	const char *name;
} syms[] = {
	{ 0xffffffffc0001010ULL, "drv_map+0x10/0x80 [drv]" },
	{ 0xffffffffc0001120ULL, "drv_unmap+0x20/0x60 [drv]" },
	{ 0xffffffffc0001230ULL, "drv_work+0x30/0x200 [drv]" },
	{ 0xffffffffc0001340ULL, "drv_probe+0x40/0x300 [drv]" },
	{ 0xffffffffc0001450ULL, "drv_free+0x50/0x90 [drv]" },
	{ 0xffffffff81001000ULL, "__cond_resched+0x0/0x40" },
	{ 0xffffffff81002000ULL, "mutex_lock+0x0/0x30" },
	{ 0xffffffff81003000ULL, "__schedule+0x5a/0x900" },
	{ 0xffffffff81004000ULL, "do_syscall_64+0x3b/0xc0" },
	{ 0xffffffff81005000ULL, "devm_memremap+0x21/0xa0" },
	{ 0xffffffffa0000010ULL, "bpf_prog_6deef7357e7b4530_on_map+0x10/0x400" },
	{ 0xffffffff81006000ULL, "bpf_trace_run8+0x60/0x100" },
};

#define S_MAP    0xffffffffc0001010ULL
#define S_UNMAP  0xffffffffc0001120ULL
#define S_WORK   0xffffffffc0001230ULL
#define S_PROBE  0xffffffffc0001340ULL
#define S_FREE   0xffffffffc0001450ULL
#define S_CRES   0xffffffff81001000ULL
#define S_MUTEX  0xffffffff81002000ULL
#define S_SCHED  0xffffffff81003000ULL
#define S_SYSC   0xffffffff81004000ULL
#define S_DEVM   0xffffffff81005000ULL
#define S_BPF    0xffffffffa0000010ULL
#define S_BPFRUN 0xffffffff81006000ULL

static const char *symbolize(void *ctx, __u64 a, char *buf, size_t len)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (syms[i].addr == a) {
			snprintf(buf, len, "%s", syms[i].name);
			return buf;
		}
	snprintf(buf, len, "0x%llx", (unsigned long long)a);
	return buf;
}

static FILE *out;
static int clock_times;	/* the lines being printed carry the clock's time */

static void mask_time(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *t;

	while (clock_times && (t = memmem(p, (size_t)(end - p), "\"time\":", 7))) {
		fwrite(p, 1, (size_t)(t - p) + 7, out);
		p = t + 7;
		while (p < end && ((*p >= '0' && *p <= '9') || *p == '.'))
			p++;
		fputc('T', out);
	}
	fwrite(p, 1, (size_t)(end - p), out);
}

static void write_text(void *ctx, const char *text, size_t len, int prio)
{
	(void)ctx;
	fprintf(out, "[prio %d]\n", prio);
	mask_time(text, len);
}

static struct iomc_fmt fmt_text, fmt_json;
static void event_cases(void);

static struct iomc_report *new_report(__u32 rule, __u32 type)
{
	static struct iomc_report r;

	memset(&r, 0, sizeof(r));
	r.msg = IOMC_MSG_REPORT;
	r.v.rule = rule;
	r.ev.type = type;
	r.ev.ts_ns = 12345678901234ULL;
	r.ev.cpu = 1;
	r.ev.pid = 400;
	r.ev.tid = 401;
	memcpy(r.ev.comm, "drvtest", 8);
	r.ev.mapping = 0xffff888004000000ULL;
	r.ev.size = 0x1000000;
	r.ev.offset = 0x3000;
	r.ev.vaddr = 0xffffc90000203000ULL;
	r.ev.caller = S_UNMAP;
	r.ev.kind = IOMC_KIND_LOCAL;
	r.held_tid = 401;
	/* a stack with the checker's own frames on top */
	r.stack[0] = S_BPF;
	r.stack[1] = S_BPFRUN;
	r.stack[2] = S_UNMAP;
	r.stack[3] = S_WORK;
	r.stack[4] = S_SYSC;
	r.stack_bytes = 5 * 8;
	return &r;
}

static void hold(struct iomc_report *r, __u8 kind, __u64 vaddr, __u64 site)
{
	struct iomc_held *h = &r->held[r->n_held++];

	h->kind = kind;
	h->vaddr = vaddr;
	h->mapping = r->ev.mapping;
	h->offset = vaddr & 0xfffff;
	h->site = site;
	h->tid = r->held_tid;
}

static void emit_case(const char *name, const struct iomc_report *r)
{
	fprintf(out, "### case %s\n", name);
	iomc_print_violation(&fmt_text, r);
	iomc_print_violation(&fmt_json, r);
}

static void all_cases(void)
{
	struct iomc_report *r;
	struct iomc_site_count sites[3];
	struct iomc_summary s;

	r = new_report(IOMC_RULE_LIFO, IOMC_EV_UNMAP);
	r->v.map_site = S_MAP;
	r->v.other_site = S_WORK;
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000203000ULL, S_MAP);
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000204000ULL, S_WORK);
	emit_case("lifo", r);

	r = new_report(IOMC_RULE_SLEEP_IN_ATOMIC, IOMC_EV_SWITCH);
	r->ev.caller = S_MUTEX;
	r->ev.arg = 1;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("sleep_in_atomic", r);

	r = new_report(IOMC_RULE_SLEEP_IN_ATOMIC, IOMC_EV_SWITCH);
	r->ev.caller = 0;
	r->v.map_site = S_MAP;
	r->v.ctx = IOMC_CTX_SOFTIRQ;
	r->held_ctx = IOMC_CTX_SOFTIRQ;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("sleep_in_atomic_no_caller", r);

	r = new_report(IOMC_RULE_MIGHT_SLEEP_IN_ATOMIC, IOMC_EV_MIGHT_SLEEP);
	r->ev.caller = S_WORK;
	r->ev.arg = S_CRES;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("might_sleep_cond_resched", r);

	r = new_report(IOMC_RULE_MIGHT_SLEEP_IN_ATOMIC, IOMC_EV_MIGHT_SLEEP);
	r->ev.caller = S_WORK;
	r->ev.arg = S_MUTEX;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("might_sleep_mutex", r);

	r = new_report(IOMC_RULE_UNALIGNED_OFFSET, IOMC_EV_MAP);
	r->ev.offset = 0x3010;
	r->ev.caller = S_MAP;
	r->ev.vaddr = 0;
	emit_case("unaligned_offset", r);

	r = new_report(IOMC_RULE_OFFSET_OUT_OF_RANGE, IOMC_EV_MAP);
	r->ev.kind = IOMC_KIND_WC;
	r->ev.offset = 0xfff000;
	r->ev.len = 0x2000;
	r->ev.caller = S_MAP;
	r->ev.vaddr = 0;
	emit_case("offset_out_of_range_wc", r);

	r = new_report(IOMC_RULE_UNMAP_MISMATCH, IOMC_EV_UNMAP);
	r->ev.kind = IOMC_KIND_ATOMIC;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000203000ULL, S_MAP);
	emit_case("unmap_mismatch", r);

	r = new_report(IOMC_RULE_UNKNOWN_UNMAP, IOMC_EV_UNMAP);
	r->ev.kind = IOMC_KIND_WC;
	emit_case("unknown_unmap", r);

	/* an address inside a held map's page: the map is named (issue 20) */
	r = new_report(IOMC_RULE_UNKNOWN_UNMAP, IOMC_EV_UNMAP);
	r->ev.kind = IOMC_KIND_ATOMIC;
	r->ev.vaddr = 0xffffc90000203468ULL;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("unknown_unmap_inside_map", r);

	r = new_report(IOMC_RULE_CROSS_CONTEXT_UNMAP, IOMC_EV_UNMAP);
	r->ev.ctx = IOMC_CTX_HARDIRQ;
	r->v.ctx = IOMC_CTX_HARDIRQ;
	r->v.map_site = S_MAP;
	r->v.other_tid = 402;
	r->v.other_ctx = IOMC_CTX_TASK;
	r->v.other_cpu = 3;
	r->held_ctx = IOMC_CTX_HARDIRQ;
	emit_case("cross_context_unmap", r);

	r = new_report(IOMC_RULE_LEAK_ON_FREE, IOMC_EV_FREE);
	r->ev.caller = S_FREE;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_WC, 0xffffc90000203000ULL, S_MAP);
	emit_case("leak_on_free", r);

	r = new_report(IOMC_RULE_LEAK_ON_EXIT, IOMC_EV_EXIT);
	r->ev.caller = 0;
	r->v.map_site = S_MAP;
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000203000ULL, S_MAP);
	emit_case("leak_on_exit_task", r);

	r = new_report(IOMC_RULE_LEAK_ON_EXIT, IOMC_EV_IRQ_EXIT);
	r->ev.caller = 0;
	r->ev.ctx = IOMC_CTX_HARDIRQ;
	r->v.ctx = IOMC_CTX_HARDIRQ;
	r->v.map_site = S_MAP;
	r->held_ctx = IOMC_CTX_HARDIRQ;
	r->held_tid = 0;
	hold(r, IOMC_KIND_ATOMIC, 0xffffc90000203000ULL, S_MAP);
	emit_case("leak_on_exit_irq", r);

	r = new_report(IOMC_RULE_USE_AFTER_FREE, IOMC_EV_MAP);
	r->ev.caller = S_MAP;
	r->v.other_site = S_FREE;
	emit_case("use_after_free", r);

	r = new_report(IOMC_RULE_DEPTH_EXCEEDED, IOMC_EV_MAP);
	r->ev.caller = S_MAP;
	r->v.map_site = S_WORK;
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000201000ULL, S_WORK);
	hold(r, IOMC_KIND_LOCAL, 0xffffc90000202000ULL, S_MAP);
	emit_case("depth_exceeded", r);

	r = new_report(IOMC_RULE_DEPTH_EXCEEDED, IOMC_EV_MAP);
	r->ev.caller = S_MAP;
	r->stack_bytes = -14;
	emit_case("depth_exceeded_no_nest_no_stack", r);

	r = new_report(IOMC_RULE_LEAK_ON_UNLOAD, IOMC_EV_MODULE_END);
	r->ev.caller = 0;
	r->ev.offset = 0xfd000000;
	r->ev.len = 2;
	r->ev.vaddr = 0;
	r->v.map_site = S_PROBE;
	memcpy(r->ev.comm, "rmmod", 6);
	r->sym_addr[IOMC_RSYM_MAP] = S_PROBE;
	snprintf(r->sym[IOMC_RSYM_MAP], IOMC_SYM_LEN, "drv_init+0x40/0x300 [drv]");
	emit_case("leak_on_unload_mapping", r);

	r = new_report(IOMC_RULE_LEAK_ON_UNLOAD, IOMC_EV_MODULE_END);
	r->ev.caller = 0;
	r->ev.len = 1;
	r->ev.arg = IOMC_UNLOAD_FAILED;
	r->v.map_site = S_PROBE;
	r->v.other_tid = 405;
	r->v.other_ctx = IOMC_CTX_TASK;
	r->v.other_cpu = 2;
	emit_case("leak_on_unload_map_init_failed", r);

	r = new_report(IOMC_RULE_LEAK_ON_UNLOAD, IOMC_EV_MODULE_END);
	r->ev.caller = 0;
	r->ev.arg = IOMC_UNLOAD_MEMREMAP;
	r->ev.kind = IOMC_MR_DEVM_MEMREMAP;
	r->ev.offset = 0xfe000000;
	r->ev.size = 0x10000;
	r->ev.len = 1;
	r->v.map_site = S_PROBE;
	emit_case("leak_on_unload_memremap", r);

	r = new_report(IOMC_RULE_MEMREMAP_BAD_FLAGS, IOMC_EV_MEMREMAP);
	r->ev.kind = IOMC_MR_MEMREMAP;
	r->ev.caller = S_PROBE;
	r->ev.offset = 0xfe000000;
	r->ev.size = 0x10000;
	r->ev.vaddr = 0;
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_ENC, IOMC_REGION_DISJOINT, 0);
	emit_case("memremap_bad_flags_no_type", r);
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_WB | 0x100, IOMC_REGION_DISJOINT, 0);
	emit_case("memremap_bad_flags_unknown_bits", r);
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_WC | IOMC_MEMREMAP_ENC | IOMC_MEMREMAP_DEC,
				IOMC_REGION_UNKNOWN, 0);
	emit_case("memremap_bad_flags_enc_dec", r);
	r->ev.arg = IOMC_MR_ARG(0, IOMC_REGION_DISJOINT, 0);
	emit_case("memremap_bad_flags_zero", r);

	r = new_report(IOMC_RULE_MEMREMAP_REFUSED, IOMC_EV_MEMREMAP);
	r->ev.kind = IOMC_MR_DEVM_MEMREMAP;
	r->ev.caller = S_PROBE;
	r->ev.offset = 0x100000;
	r->ev.size = 0x1000;
	r->ev.vaddr = 0;
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_WT, IOMC_REGION_INTERSECTS, 0);
	emit_case("memremap_refused_wt", r);
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_WC, IOMC_REGION_INTERSECTS, 0);
	emit_case("memremap_refused_wc", r);
	r->ev.arg = IOMC_MR_ARG(IOMC_MEMREMAP_WB, IOMC_REGION_MIXED, 0);
	emit_case("memremap_refused_mixed", r);

	r = new_report(IOMC_RULE_MEMUNMAP_UNKNOWN, IOMC_EV_MEMUNMAP);
	r->ev.kind = IOMC_MR_MEMUNMAP;
	r->ev.caller = S_FREE;
	r->ev.mapping = 0;
	r->ev.offset = 0;
	r->ev.size = 0;
	emit_case("memunmap_unknown", r);

	/* an address inside a live memremap's page: it is named (issue 20) */
	r = new_report(IOMC_RULE_MEMUNMAP_UNKNOWN, IOMC_EV_MEMUNMAP);
	r->ev.kind = IOMC_MR_MEMUNMAP;
	r->ev.caller = S_FREE;
	r->ev.vaddr = 0xffffc90000203010ULL;
	r->ev.mapping = 0;
	r->ev.offset = 0;
	r->ev.size = 0;
	r->v.map_site = S_PROBE;
	emit_case("memunmap_unknown_inside_memremap", r);

	r = new_report(IOMC_RULE_PAGEMAP_MMIO, IOMC_EV_PAGEMAP);
	r->ev.kind = IOMC_MR_DEVM_MEMREMAP_PAGES;
	r->ev.caller = S_DEVM;
	r->ev.offset = 0xfd000000;
	r->ev.size = 0x1000000;
	r->ev.len = 1;
	r->ev.arg = IOMC_MR_ARG(IOMC_PGMAP_PRIVATE, IOMC_REGION_DISJOINT, 1);
	emit_case("pagemap_mmio", r);

	r = new_report(IOMC_RULE_PAGEMAP_UNINIT, IOMC_EV_PAGEMAP);
	r->ev.kind = IOMC_MR_MEMREMAP_PAGES;
	r->ev.caller = S_PROBE;
	r->ev.offset = 0;
	r->ev.size = 0;
	r->ev.len = 1;
	r->ev.vaddr = 0;
	r->ev.arg = IOMC_MR_ARG(IOMC_PGMAP_UNSET, IOMC_REGION_UNKNOWN, 0);
	emit_case("pagemap_uninit_type", r);
	r->ev.arg = IOMC_MR_ARG(IOMC_PGMAP_P2PDMA, IOMC_REGION_UNKNOWN, 0);
	r->ev.len = 0;
	emit_case("pagemap_uninit_nr_range", r);
	r->ev.len = 1;
	r->ev.arg = IOMC_MR_ARG(IOMC_PGMAP_OTHER + 3, IOMC_REGION_UNKNOWN, 0);
	emit_case("pagemap_uninit_range", r);

	/* strategy=window: a fault on an unmapped window page, redone or not */
	r = new_report(IOMC_RULE_USE_AFTER_UNMAP, IOMC_EV_FAULT);
	r->ev.caller = S_WORK;
	r->ev.vaddr = 0xffffc90000a01010ULL;
	r->ev.kind = IOMC_KIND_LOCAL;
	r->ev.len = S_MAP;
	r->ev.arg = S_UNMAP;
	r->ev.size = IOMC_FAULT_SIZE(77, 1);
	r->v.map_site = S_MAP;
	r->v.other_site = S_UNMAP;
	r->v.other_tid = 77;
	emit_case("use_after_unmap_fixed", r);
	r = new_report(IOMC_RULE_USE_AFTER_UNMAP, IOMC_EV_FAULT);
	r->ev.caller = S_WORK;
	r->ev.kind = IOMC_KIND_ATOMIC;
	r->ev.size = IOMC_FAULT_SIZE(78, 0);
	r->v.map_site = S_MAP;
	r->v.other_site = S_UNMAP;
	r->v.other_tid = 78;
	emit_case("use_after_unmap_oops", r);

	/* a hostile task name, kernel-symbolized site, odd values */
	r = new_report(IOMC_RULE_UNKNOWN_UNMAP, IOMC_EV_UNMAP);
	memcpy(r->ev.comm, "a\x1b[31m\\\"b\xff", 11);
	r->ev.kind = 7;
	r->ev.ctx = 9;
	r->ev.caller = 0xffffffffc0009999ULL;
	r->sym_addr[IOMC_RSYM_SITE] = 0xffffffffc0009999ULL;
	snprintf(r->sym[IOMC_RSYM_SITE], IOMC_SYM_LEN, "gone_fn+0x9/0x99 [gone]");
	emit_case("hostile_comm_kernel_sym", r);

	/* bytes >= 0x80 and control bytes in the comm and a module's name:
	 * \xHH in the text (as the kernel's %pE with 'h'), \u00HH in the JSON */
	r = new_report(IOMC_RULE_UNKNOWN_UNMAP, IOMC_EV_UNMAP);
	memcpy(r->ev.comm, "caf\xc3\xa9\x01x\x7f", 9);
	r->ev.caller = 0xffffffffc0009999ULL;
	r->sym_addr[IOMC_RSYM_SITE] = 0xffffffffc0009999ULL;
	snprintf(r->sym[IOMC_RSYM_SITE], IOMC_SYM_LEN, "gone_fn+0x9/0x99 [g\xc3\xa9\x07ne\\x41]");
	emit_case("high_and_control_bytes_in_names", r);

	r = new_report(IOMC_RULE_MAX + 3, IOMC_EV_MAX + 2);
	memset(r->ev.comm, 0, sizeof(r->ev.comm));
	emit_case("unknown_rule_and_type", r);

	fputs("### case status_lost\n", out);
	clock_times = 1;
	iomc_print_status(&fmt_text, "attached, %d hooks", 12);
	iomc_print_status(&fmt_json, "attached, %d hooks", 12);
	iomc_print_lost(&fmt_json, "reports", 1, 1);
	clock_times = 0;
	iomc_print_lost_at(&fmt_text, "events", 3, 10, 2000000123ULL);
	iomc_print_lost_at(&fmt_json, "events", 3, 10, 2000000123ULL);
	clock_times = 1;

	memset(&s, 0, sizeof(s));
	memset(sites, 0, sizeof(sites));
	s.rule_count[IOMC_RULE_LIFO] = 3;
	s.rule_sites[IOMC_RULE_LIFO] = 1;
	s.rule_count[IOMC_RULE_PAGEMAP_MMIO] = 1;
	s.rule_sites[IOMC_RULE_PAGEMAP_MMIO] = 1;
	sites[0] = (struct iomc_site_count){ IOMC_RULE_LIFO, S_UNMAP, S_MAP, 3 };
	sites[1] = (struct iomc_site_count){ IOMC_RULE_PAGEMAP_MMIO, S_DEVM, S_DEVM, 1 };
	sites[2] = (struct iomc_site_count){ IOMC_RULE_LEAK_ON_UNLOAD, 0x1234, 0, 1 };
	s.sites = sites;
	s.n_sites = 3;
	s.c.events = 100;
	s.c.mr_events = 7;
	s.c.violations = 5;
	s.c.rb_fail = 1;
	s.misses = 2;
	s.final = 1;
	fputs("### case summary\n", out);
	iomc_print_summary(&fmt_text, &s);
	iomc_print_summary(&fmt_json, &s);
	s.run_cnt = 10;
	s.run_ns = 10000;
	s.n_prog = 2;
	s.prog[0].name = "on_map";
	s.prog[0].runs = 10;
	s.prog[0].ns = 10000;
	s.prog[1].name = "on_unmap";
	s.final = 0;
	fputs("### case summary_bpf_stats\n", out);
	iomc_print_summary(&fmt_text, &s);
	iomc_print_summary(&fmt_json, &s);
	event_cases();
	fputs("### end\n", out);
}

/* Every event type through lib/event.c, text and JSON (--dump-events). */
static void event_case(const char *name, const struct iomc_event *ev)
{
	fprintf(out, "### case event_%s\n%s:", name, iomc_ev_name(ev->type));
	iomc_event_text(out, ev);
	fputs("\n{", out);
	iomc_event_json(out, ev);
	fputs("}\n", out);
}

static void event_cases(void)
{
	struct iomc_event ev;
	char name[64];
	__u32 t;

	for (t = 0; t <= IOMC_EV_MAX; t++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = t;
		ev.kind = t == IOMC_EV_MEMREMAP ? IOMC_MR_DEVM_MEMREMAP :
			  t == IOMC_EV_MEMUNMAP ? IOMC_MR_MEMUNMAP :
			  t == IOMC_EV_PAGEMAP ? IOMC_MR_MEMREMAP_PAGES : t % 3;
		ev.ctx = t % 4;
		ev.mapping = 0xffff888004000000ULL;
		ev.size = 0x1000000;
		ev.offset = 0x3000;
		ev.len = 0x1000;
		ev.vaddr = 0xffffc90000203000ULL;
		ev.caller = S_MAP;
		ev.arg = t == IOMC_EV_MIGHT_SLEEP ? S_CRES :
			 t == IOMC_EV_MEMREMAP ? IOMC_MR_ARG(IOMC_MEMREMAP_WC | 0x40,
							     IOMC_REGION_MIXED, 1) :
			 t == IOMC_EV_PAGEMAP ? IOMC_MR_ARG(IOMC_PGMAP_P2PDMA,
							    IOMC_REGION_DISJOINT, 1) :
			 t == IOMC_EV_MODULE_END ? IOMC_UNLOAD_FAILED : 1;
		snprintf(name, sizeof(name), "%u_%s", t, iomc_ev_name(t));
		event_case(name, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IOMC_EV_MODULE_END;
	ev.mapping = 0xffffffffc0100000ULL;
	ev.offset = 0xffffffffc0001000ULL;
	ev.len = 0x2000;
	event_case("module_end_init_done", &ev);
}

static char *slurp(FILE *f)
{
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap + 1);

	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

/* The text of case NAME in doc (from its "### case" line to the next). */
static char *section(const char *doc, const char *name)
{
	char head[128];
	const char *p, *e;

	snprintf(head, sizeof(head), "### case %s\n", name);
	p = strstr(doc, head);
	if (!p)
		return NULL;
	e = strstr(p + strlen(head), "\n### ");
	return strndup(p, e ? (size_t)(e - p) + 1 : strlen(p));
}

/* text as KTAP diagnostics: every line behind "# " */
static void diag(const char *what, const char *text)
{
	printf("# %s:\n", what);
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		printf("#   %.*s\n", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

int main(int argc, char **argv)
{
	const struct iomc_report_ops ops = { .symbolize = symbolize, .write = write_text };
	char *got = NULL, *want, *p;
	size_t got_len = 0;
	int n = 0, fails = 0, write = argc > 1 && !strcmp(argv[1], "--write");
	FILE *ef;

	if (argc != 2) {
		fprintf(stderr, "usage: %s EXPECTED | --write\n", argv[0]);
		return 2;
	}
	iomc_fmt_init_post_mortem(&fmt_text, 0, "6.1.0-golden", &ops);
	iomc_fmt_init_post_mortem(&fmt_json, 1, "6.1.0-golden", &ops);
	out = write ? stdout : open_memstream(&got, &got_len);
	all_cases();
	if (write)
		return 0;
	fclose(out);
	ef = fopen(argv[1], "r");
	want = ef ? slurp(ef) : NULL;
	if (!want) {
		printf("1..1\nnot ok 1 read %s\n", argv[1]);
		return 1;
	}
	fclose(ef);
	for (p = got; (p = strstr(p, "### case ")); p++)
		n++;
	printf("KTAP version 1\n1..%d\n", n + 1);
	n = 0;
	for (p = got; (p = strstr(p, "### case ")); p++) {
		char name[100], *g, *w;

		sscanf(p + 9, "%99s", name);
		g = section(got, name);
		w = section(want, name);
		n++;
		if (w && g && !strcmp(g, w)) {
			printf("ok %d %s\n", n, name);
		} else {
			fails++;
			printf("not ok %d %s # %s\n", n, name,
			       w ? "output differs from the golden file" : "not in the golden file");
			diag("got", g);
			diag("want", w);
		}
		free(g);
		free(w);
	}
	n++;
	/* nothing printed besides the cases, and no stale case in the file */
	if (!strcmp(got, want)) {
		printf("ok %d whole output matches\n", n);
	} else {
		fails++;
		printf("not ok %d whole output matches # regenerate with --write\n", n);
	}
	free(got);
	free(want);
	return fails ? 1 : 0;
}
