// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's report formats, without a kernel: synthetic reports through
 * lib/report.c with symbols from a made-up kallsyms file.
 *   - JSON: one object per line starting with '{', valid JSON (checked by
 *     a small validator here), the keys the issue lists, symbolized sites
 *     `func+0xoff/0xlen [module]`, the checker's own frames left out of the
 *     stack, site = map site for events without a call site (exit);
 *   - text: the lockdep-like sections (banner, "N maps held by comm/pid:",
 *     the atomic map's site for sleep_in_atomic, "stack backtrace:");
 *   - the summary and the loss note in both formats.
 * KTAP on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ksyms.h"
#include "checkd_sink.h"
#include "report.h"

#define MOD_BASE 0xffffffffc0001000ULL
#define BPF_BASE 0xffffffffc0100000ULL
#define VM_BASE 0xffffffff81000000ULL
#define QXL_BASE 0xffffffffc0200000ULL

static int n_test, n_fail;

static void result(int ok, const char *name, const char *why)
{
	n_test++;
	if (ok) {
		printf("ok %d %s\n", n_test, name);
	} else {
		/* KTAP diagnostics are one line */
		n_fail++;
		printf("not ok %d %s # %s\n", n_test, name, why);
	}
}

/* A tiny JSON validator: enough to prove each line is one valid object. */
static const char *js_value(const char *p);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF", *++p))
						return NULL;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_seq(const char *p, char close, int object)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = js_string(js_ws(p));
			if (!p || *(p = js_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = js_value(js_ws(p));
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p)
{
	p = js_ws(p);
	if (*p == '{')
		return js_seq(p, '}', 1);
	if (*p == '[')
		return js_seq(p, ']', 0);
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p++;
		while (strchr("0123456789.eE+-", *p) && *p)
			p++;
		return p;
	}
	return NULL;
}

static int json_line_ok(const char *line)
{
	const char *e;

	if (line[0] != '{')
		return 0;
	e = js_value(line);
	return e && (*e == '\n' || !*e);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = 0;
	fclose(f);
	return buf;
}

static void fake_kallsyms(const char *path)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "%llx T _stext\n", VM_BASE);
	fprintf(f, "%llx T msleep\n", VM_BASE + 0x1000);
	fprintf(f, "%llx T do_syscall_64\n", VM_BASE + 0x1040);
	fprintf(f, "%llx T vfs_write\n", VM_BASE + 0x1100);
	fprintf(f, "%llx T bpf_trace_run4\n", VM_BASE + 0x1200);
	fprintf(f, "%llx T __cond_resched\n", VM_BASE + 0x1300);
	fprintf(f, "%llx T vfree\n", VM_BASE + 0x1340);
	fprintf(f, "%llx T _etext\n", VM_BASE + 0x2000);
	fprintf(f, "%llx t scn_lifo_local\t[iomap_scenarios]\n", MOD_BASE);
	fprintf(f, "%llx t scn_leak_thread\t[iomap_scenarios]\n", MOD_BASE + 0x110);
	fprintf(f, "%llx t scn_end\t[iomap_scenarios]\n", MOD_BASE + 0x200);
	fprintf(f, "%llx t qxl_draw_dirty_fb\t[qxl]\n", QXL_BASE);
	fprintf(f, "%llx t qxl_bo_kmap_atomic_page\t[qxl]\n", QXL_BASE + 0x100);
	fprintf(f, "%llx t qxl_end\t[qxl]\n", QXL_BASE + 0x180);
	fprintf(f, "%llx t bpf_prog_0123456789abcdef_iomc_unmap\t[bpf]\n", BPF_BASE);
	fprintf(f, "%llx t bpf_prog_end\t[bpf]\n", BPF_BASE + 0x600);
	fclose(f);
}

static void fill_lifo(struct iomc_report *r)
{
	memset(r, 0, sizeof(*r));
	r->msg = IOMC_MSG_REPORT;
	r->ev.type = IOMC_EV_UNMAP;
	r->ev.ts_ns = 12345678901ULL;
	r->ev.cpu = 1;
	r->ev.pid = r->ev.tid = 269;
	memcpy(r->ev.comm, "sh\"x", 5);	/* a quote: JSON escaping */
	r->ev.kind = IOMC_KIND_LOCAL;
	r->ev.vaddr = 0xffffc90000000000ULL;
	r->ev.caller = MOD_BASE + 0xc7;
	r->v.rule = IOMC_RULE_LIFO;
	r->v.map_site = MOD_BASE + 0x28;
	r->v.other_site = MOD_BASE + 0x60;
	r->n_held = 2;
	r->held_tid = 269;
	r->held[0].kind = r->held[1].kind = IOMC_KIND_LOCAL;
	r->held[0].site = MOD_BASE + 0x28;
	r->held[0].vaddr = 0xffffc90000000000ULL;
	r->held[1].site = MOD_BASE + 0x60;
	r->held[1].vaddr = 0xffffc90000001000ULL;
	r->held[1].offset = 0x1000;
	r->stack[0] = BPF_BASE + 0x533;
	r->stack[1] = VM_BASE + 0x1254;
	r->stack[2] = MOD_BASE + 0xc7;
	r->stack[3] = VM_BASE + 0x1107;
	r->stack_bytes = 4 * 8;
}

/*
 * might_sleep_in_atomic through a function on no list: the site is the
 * might_sleep() call in vfree, the map site qxl's small map wrapper, and
 * the function that held the map across the call (qxl_draw_dirty_fb) is
 * only in the stack: the culprit.
 */
static void fill_might_sleep(struct iomc_report *r)
{
	fill_lifo(r);
	r->ev.type = IOMC_EV_MIGHT_SLEEP;
	r->ev.arg = VM_BASE + 0x1300;
	r->ev.caller = VM_BASE + 0x135e;
	r->v.rule = IOMC_RULE_MIGHT_SLEEP_IN_ATOMIC;
	r->v.map_site = QXL_BASE + 0x12a;
	r->v.other_site = 0;
	r->n_held = 1;
	r->held[0].kind = IOMC_KIND_ATOMIC;
	r->held[0].site = QXL_BASE + 0x12a;
	r->stack[0] = BPF_BASE + 0x533;
	r->stack[1] = VM_BASE + 0x1301;
	r->stack[2] = VM_BASE + 0x135e;
	r->stack[3] = QXL_BASE + 0x55;
	r->stack[4] = VM_BASE + 0x1107;
	r->stack_bytes = 5 * 8;
}

/*
 * leak_on_unload of a mapping created by init text that kallsyms no longer
 * knows: the kernel's own name of the site (%pB, in the report) is used.
 */
#define INIT_SITE 0xffffffffc0400095ULL
static void fill_unload(struct iomc_report *r)
{
	fill_lifo(r);
	r->ev.type = IOMC_EV_MODULE_END;
	r->ev.caller = 0;
	r->ev.kind = 0;
	r->ev.vaddr = 0;
	r->ev.mapping = 0xffff888003a1c000ULL;
	r->ev.offset = 0xfd000000ULL;
	r->ev.size = 65536;
	r->ev.len = 1;
	r->ev.arg = 1;
	r->v.rule = IOMC_RULE_LEAK_ON_UNLOAD;
	r->v.map_site = INIT_SITE;
	r->v.other_site = 0;
	r->n_held = 0;
	r->sym_addr[IOMC_RSYM_SITE] = r->sym_addr[IOMC_RSYM_MAP] = INIT_SITE;
	strcpy(r->sym[IOMC_RSYM_SITE], "drv_init+0x95/0x1000 [drv]");
	strcpy(r->sym[IOMC_RSYM_MAP], "drv_init+0x95/0x1000 [drv]");
}

/* leak_on_unload of a devm_memremap that devres never released */
static void fill_unload_memremap(struct iomc_report *r)
{
	fill_unload(r);
	r->ev.mapping = 0;
	r->ev.kind = IOMC_MR_DEVM_MEMREMAP;
	r->ev.vaddr = 0xffffc900fd010000ULL;
	r->ev.offset = 0xfd010000ULL;
	r->ev.size = 8192;
	r->ev.len = 1;
	r->ev.arg = IOMC_UNLOAD_MEMREMAP;
}

static struct iomc_ksyms *ksyms;

static const char *symbolize(void *ctx, __u64 addr, char *buf, size_t len)
{
	(void)ctx;
	return iomc_ksyms_name(ksyms, addr, buf, len);
}

int main(void)
{
	struct iomc_report_ops ops = { .symbolize = symbolize };
	char ks[] = "/tmp/checkd_format_ksyms.XXXXXX", out[] = "/tmp/checkd_format_out.XXXXXX";
	struct iomc_report r;
	struct iomc_fmt fmt;
	struct iomc_summary sum;
	struct iomc_site_count site = { IOMC_RULE_LIFO, MOD_BASE + 0xc7, MOD_BASE + 0x28, 3 };
	char *text, *line, *save;
	int fd, lines = 0, bad = 0;

	printf("KTAP version 1\n1..17\n");
	fd = mkstemp(ks);
	close(fd);
	fake_kallsyms(ks);
	ksyms = iomc_ksyms_new();
	result(!iomc_ksyms_load(ksyms, ks) && iomc_ksyms_count(ksyms) == 16, "kallsyms parsed",
	       "load failed");

	/* ---- JSON */
	fd = mkstemp(out);
	close(fd);
	ck_out_open(out, 1, 0);
	ck_out_report_ops(&ops);
	iomc_fmt_init(&fmt, 1, &ops);
	fill_lifo(&r);
	iomc_print_violation(&fmt, &r);
	/* leak_on_exit: no call site, the map's site stands in */
	fill_lifo(&r);
	r.ev.type = IOMC_EV_EXIT;
	r.ev.caller = 0;
	r.v.rule = IOMC_RULE_LEAK_ON_EXIT;
	r.v.map_site = MOD_BASE + 0x120;
	iomc_print_violation(&fmt, &r);
	fill_unload(&r);
	iomc_print_violation(&fmt, &r);
	fill_unload_memremap(&r);
	iomc_print_violation(&fmt, &r);
	fill_might_sleep(&r);
	iomc_print_violation(&fmt, &r);
	iomc_print_status(&fmt, "attached \"quoted\"");
	iomc_print_lost(&fmt, "violation reports", 3, 5);
	memset(&sum, 0, sizeof(sum));
	sum.rule_count[IOMC_RULE_LIFO] = 3;
	sum.rule_sites[IOMC_RULE_LIFO] = 1;
	sum.sites = &site;
	sum.n_sites = 1;
	sum.c.events = 100;
	sum.c.violations = 3;
	sum.final = 1;
	iomc_print_summary(&fmt, &sum);
	ck_out_close();
	text = slurp(out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (!json_line_ok(line)) {
			bad++;
			printf("# not one valid JSON object: %.200s\n", line);
		}
	}
	result(lines == 8 && !bad, "json: one valid object per line", "see above");
	free(text);
	text = slurp(out);
	result(strstr(text, "{\"rule\":\"lifo\",\"time\":12.345678901,\"task\":{\"comm\":\"sh\\\"x\",\"pid\":269,\"tid\":269},\"cpu\":1,\"context\":\"task\",\"op\":\"io_mapping_unmap_local\"") &&
	       strstr(text, "\"site\":\"scn_lifo_local+0xc7/0x110 [iomap_scenarios]\",\"map_site\":\"scn_lifo_local+0x28/0x110 [iomap_scenarios]\"") &&
	       strstr(text, "\"held\":[{\"kind\":\"local\"") && strstr(text, "\"count\":1}"),
	       "json: the violation's fields, symbolized", "fields differ");
	result(strstr(text, "\"stack\":[\"scn_lifo_local+0xc7/0x110 [iomap_scenarios]\",\"vfs_write+0x7/0x100\"]") != NULL,
	       "json: stack without the checker's own frames", "stack differs");
	result(strstr(text, "{\"rule\":\"leak_on_exit\"") &&
	       strstr(text, "\"op\":\"exit\",\"mapping\":\"0x0\",\"offset\":\"0x0\",\"vaddr\":\"0xffffc90000000000\",\"site\":\"scn_leak_thread+0x10/0xf0 [iomap_scenarios]\""),
	       "json: exit's site is the leaked map's", "site differs");
	result(strstr(text, "{\"rule\":\"leak_on_unload\"") &&
	       strstr(text, "\"op\":\"module_free\",\"mapping\":\"0xffff888003a1c000\",\"offset\":\"0xfd000000\",\"vaddr\":\"0x0\",\"site\":\"drv_init+0x95/0x1000 [drv]\",\"map_site\":\"drv_init+0x95/0x1000 [drv]\"") &&
	       strstr(text, "\"leaked\":\"mapping\",\"size\":65536,\"outstanding_maps\":1,\"init_failed\":true"),
	       "json: leak_on_unload names an init-text site by the kernel's name", "fields differ");
	result(strstr(text, "\"op\":\"module_free\",\"mapping\":\"0x0\",\"offset\":\"0xfd010000\",\"vaddr\":\"0xffffc900fd010000\"") &&
	       strstr(text, "\"leaked\":\"memremap\",\"api\":\"devm_memremap\",\"phys\":\"0xfd010000\",\"size\":8192,\"memremaps\":1,\"init_failed\":false"),
	       "json: leak_on_unload of a memremap", "fields differ");
	result(strstr(text, "\"op\":\"might_sleep\",\"mapping\":\"0x0\",\"offset\":\"0x0\",\"vaddr\":\"0xffffc90000000000\",\"site\":\"vfree+0x1e/0xcc0\",\"map_site\":\"qxl_bo_kmap_atomic_page+0x2a/0x80 [qxl]\",\"culprit\":\"qxl_draw_dirty_fb+0x55/0x100 [qxl]\",\"function\":\"__cond_resched+0x0/0x40\"") != NULL,
	       "json: culprit is the first frame in the map's module", "culprit differs");
	result(strstr(text, "\"map_site\":\"scn_lifo_local+0x28/0x110 [iomap_scenarios]\",\"culprit\":\"scn_lifo_local+0xc7/0x110 [iomap_scenarios]\"") &&
	       strstr(text, "\"map_site\":\"drv_init+0x95/0x1000 [drv]\",\"culprit\":null"),
	       "json: culprit of a direct call; null when no frame is in the module",
	       "culprit differs");
	result(strstr(text, "{\"type\":\"lost\"") && strstr(text, "{\"type\":\"summary\"") &&
	       strstr(text, "\"lifo\":{\"count\":3,\"sites\":1}") && strstr(text, "{\"type\":\"status\""),
	       "json: status, lost and summary objects", "missing");
	free(text);

	/* ---- text */
	unlink(out);
	ck_out_open(out, 0, 0);
	ck_out_report_ops(&ops);
	iomc_fmt_init(&fmt, 0, &ops);
	fill_lifo(&r);
	iomc_print_violation(&fmt, &r);
	fill_lifo(&r);
	r.ev.type = IOMC_EV_SWITCH;
	r.ev.caller = MOD_BASE + 0x69;
	r.v.rule = IOMC_RULE_SLEEP_IN_ATOMIC;
	r.v.map_site = MOD_BASE + 0x2d;
	r.n_held = 1;
	r.held[0].kind = IOMC_KIND_ATOMIC;
	iomc_print_violation(&fmt, &r);
	fill_unload(&r);
	iomc_print_violation(&fmt, &r);
	fill_unload_memremap(&r);
	iomc_print_violation(&fmt, &r);
	fill_might_sleep(&r);
	iomc_print_violation(&fmt, &r);
	iomc_print_summary(&fmt, &sum);
	ck_out_close();
	text = slurp(out);
	result(strstr(text, "WARNING: io_mapping rule violated: leak_on_unload\n") &&
	       strstr(text, "is freeing (its init failed) a module whose code left a live mapping behind:\n") &&
	       strstr(text, " io_mapping_create_wc(0xfd000000, size 65536) = 0xffff888003a1c000, at: drv_init+0x95/0x1000 [drv]\n") &&
	       strstr(text, "1 map of it is still outstanding"),
	       "text: leak_on_unload report", "sections differ");
	result(strstr(text, "WARNING: memremap rule violated: leak_on_unload\n") &&
	       strstr(text, "is unloading a module whose code left a live memremap behind:\n") &&
	       strstr(text, " devm_memremap(0xfd010000, 8192) = 0xffffc900fd010000, at: drv_init+0x95/0x1000 [drv]\n") &&
	       strstr(text, "it was never memunmapped (1 memremap of this address is live)"),
	       "text: leak_on_unload report of a memremap", "sections differ");
	result(strstr(text, "======================================================\nWARNING: io_mapping rule violated: lifo\n") &&
	       strstr(text, "sh\"x/269 is unmapping a map that is not the most recent one of its context:\n") &&
	       strstr(text, " io_mapping_unmap_local(0xffffc90000000000), at: scn_lifo_local+0xc7/0x110 [iomap_scenarios]\n") &&
	       strstr(text, "2 maps held by sh\"x/269 in task context:\n #0: local 0xffffc90000000000") &&
	       strstr(text, "stack backtrace:\nCPU: 1 PID: 269 Comm: sh\"x task context") &&
	       !strstr(text, "bpf_prog_"),
	       "text: lockdep-like report", "sections differ");
	result(strstr(text, "WARNING: io_mapping rule violated: sleep_in_atomic") &&
	       strstr(text, "went to sleep at: scn_lifo_local+0x69/0x110 [iomap_scenarios]") &&
	       strstr(text, "holds the atomic map taken at: scn_lifo_local+0x2d/0x110 [iomap_scenarios]"),
	       "text: sleep_in_atomic names the atomic map", "missing");
	result(strstr(text, "is calling a function that may sleep while an atomic io_mapping map is held:\n"
			    " __cond_resched+0x0/0x40 (what might_sleep() and cond_resched() call), at: vfree+0x1e/0xcc0\n"
			    " in: qxl_draw_dirty_fb+0x55/0x100 [qxl]\n"
			    "\nbut task context holds the atomic map taken at: qxl_bo_kmap_atomic_page+0x2a/0x80 [qxl]\n") != NULL,
	       "text: the culprit line names the function that held the map", "missing");
	result(strstr(text, " at: scn_lifo_local+0xc7/0x110 [iomap_scenarios]\n in: scn_lifo_local+0xc7/0x110 [iomap_scenarios]\n") &&
	       !strstr(text, "[drv]\n in:"),
	       "text: culprit of a direct call; no line when no frame is in the module",
	       "differs");
	result(strstr(text, "iomap-checkd: summary: 3 violations of 1 rule, 100 io_mapping and 0 memremap events checked") &&
	       strstr(text, "  lifo") && strstr(text, "x3"),
	       "text: summary", "missing");
	free(text);
	unlink(out);
	unlink(ks);
	iomc_ksyms_free(ksyms);
	return 0;
}
