// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The shared userspace library on its own (KTAP): the option parsers both
 * tools use, report dedup and its bound, and the one symbolizer's rules
 * (module names, the end of a symbol, the size limit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include "iomap-check/engine.h"
#include "cli.h"
#include "dedup.h"
#include "engine_state.h"
#include "ksyms.h"
#include "report.h"

static int n_test, n_fail;

static void result(int ok, const char *what)
{
	n_test++;
	if (!ok)
		n_fail++;
	printf("%sok %d %s\n", ok ? "" : "not ", n_test, what);
}

/* Parsers print their error on stderr: keep the KTAP on stdout clean. */
static int quiet_disable(const char *arg, __u32 *mask)
{
	return iomc_parse_disable("lib_test", arg, mask);
}

/* The unknown-rule message of both tools names --list-rules, which lists every rule. */
static void test_cli_unknown_rule(void)
{
	char path[] = "/tmp/lib_test_err.XXXXXX", msg[512] = "", *rules = NULL;
	int fd = mkstemp(path), saved = dup(2), lines = 0;
	__u32 mask = IOMC_ALL_RULES;
	size_t len = 0;
	FILE *f;
	ssize_t k;

	if (fd < 0 || saved < 0) {
		result(0, "cli: unknown rule message (no temp file)");
		return;
	}
	fflush(stderr);
	dup2(fd, 2);
	iomc_parse_disable("lib_test", "nosuchrule", &mask);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	k = pread(fd, msg, sizeof(msg) - 1, 0);
	msg[k > 0 ? k : 0] = 0;
	close(fd);
	unlink(path);
	f = open_memstream(&rules, &len);
	if (f) {
		iomc_print_rules(f);
		fclose(f);
	}
	for (k = 0; rules && rules[k]; k++)
		lines += rules[k] == '\n';
	result(strstr(msg, "'nosuchrule'") && strstr(msg, "lib_test --list-rules") &&
	       !strstr(msg, "listed by --help") && lines == IOMC_RULE_MAX &&
	       rules && !strncmp(rules, "lifo ", 5),
	       "cli: an unknown rule points to --list-rules, which lists every rule");
	free(rules);
}

static void test_cli(void)
{
	__u32 mask = IOMC_ALL_RULES, lim = 0;

	result(!quiet_disable("lifo,unknown_unmap", &mask) &&
	       mask == (IOMC_ALL_RULES & ~(1U << IOMC_RULE_LIFO) & ~(1U << IOMC_RULE_UNKNOWN_UNMAP)),
	       "cli: --disable lifo,unknown_unmap clears those two rules");
	mask = IOMC_ALL_RULES;
	result(quiet_disable("", &mask) == 2 && quiet_disable(",", &mask) == 2 &&
	       quiet_disable("lifo,", &mask) == 2 && quiet_disable("lifo,,lifo", &mask) == 2 &&
	       quiet_disable("nosuchrule", &mask) == 2,
	       "cli: --disable refuses an empty list, empty names and unknown rules (status 2)");
	result(!iomc_parse_depth_limit("lib_test", "010", &lim) && lim == 10,
	       "cli: --depth-limit is decimal (010 is 10)");
	result(iomc_parse_depth_limit("lib_test", "0x8", &lim) == 2 &&
	       iomc_parse_depth_limit("lib_test", "", &lim) == 2 &&
	       iomc_parse_depth_limit("lib_test", "0", &lim) == 2 &&
	       iomc_parse_depth_limit("lib_test", "33", &lim) == 2 &&
	       iomc_parse_depth_limit("lib_test", "-1", &lim) == 2 &&
	       iomc_parse_depth_limit("lib_test", "99999999999999999999", &lim) == 2,
	       "cli: --depth-limit refuses hex, empty, 0, >32, negative, overflow");
	result(iomc_rule_lookup("leak_on_free", 12) == IOMC_RULE_LEAK_ON_FREE &&
	       iomc_rule_lookup("leak_on_freeX", 12) == IOMC_RULE_LEAK_ON_FREE &&
	       iomc_rule_lookup("leak", 4) < 0, "cli: rule lookup by exact name");
	result(strlen(iomc_version) > 0 && strchr(iomc_version, '\n') == NULL,
	       "cli: one version string");
	test_cli_unknown_rule();
}

static void test_dedup(void)
{
	struct iomc_dedup d = { 0 };
	struct iomc_summary s;
	__u64 i;
	int ok = 1;

	for (i = 0; i < 5000; i++)
		ok &= iomc_dedup_add(&d, i % IOMC_RULE_MAX, 0xffffffffc0000000ULL + i, i, 1) == 1;
	for (i = 0; i < 5000; i++)
		ok &= iomc_dedup_add(&d, i % IOMC_RULE_MAX, 0xffffffffc0000000ULL + i, i, 2) == 3;
	result(ok && d.n == 5000 && !d.overflow, "dedup: 5000 keys counted exactly across growth");
	memset(&s, 0, sizeof(s));
	iomc_dedup_add(&d, IOMC_RULE_LEAK_ON_EXIT, 0, 0xabc, 7);	/* no call site */
	result(!iomc_dedup_summarize(&d, &s) && s.n_sites == 5001 &&
	       s.rule_count[IOMC_RULE_LEAK_ON_EXIT] >= 7 && s.sites[0].rule == 0,
	       "dedup: summary counts every key, sorted by rule");
	for (i = 0; i < s.n_sites; i++)
		if (s.sites[i].rule == IOMC_RULE_LEAK_ON_EXIT && s.sites[i].count == 7)
			break;
	result(i < s.n_sites && s.sites[i].site == 0xabc,
	       "dedup: a report without a call site is summarized at its map's site");
	free(s.sites);
	iomc_dedup_free(&d);
}

static void test_ksyms(void)
{
	char path[] = "/tmp/lib_test_ksyms.XXXXXX", b[256];
	struct iomc_ksyms *k = iomc_ksyms_new();
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81000100 t small_func\n"
	      "ffffffff81000200 D some_data\n"		/* not code: ignored */
	      "ffffffff81000300 T huge_func\n"
	      "ffffffff81300300 T after_huge\n"
	      "ffffffffc0001000 t drv_probe\t[drv]\n"
	      "ffffffffc0001080 t drv_remove\t[drv]\n"
	      "ffffffffc0001100 d drv_data\t[drv]\n"
	      "ffffffffc0002000 t ftrace_trampoline\t[__builtin__ftrace]\n"
	      "ffffffffc0040000 t other_probe\t[other]\n"
	      "ffffffffc0041000 t last_symbol\t[other]\n", f);
	fclose(f);
	result(!iomc_ksyms_want(k, "some_data") && !iomc_ksyms_want(k, "some") &&
	       !iomc_ksyms_want(k, "drv_data") && !iomc_ksyms_want(k, "small_func") &&
	       iomc_ksyms_want(k, "fifth") == -ENOSPC && !iomc_ksyms_addr(k, "some_data"),
	       "ksyms: four symbols can be asked for by name, not five");
	result(!iomc_ksyms_load(k, path) && iomc_ksyms_count(k) == 9,
	       "ksyms: code symbols loaded, data skipped");
	result(iomc_ksyms_addr(k, "some_data") == 0xffffffff81000200ULL &&
	       iomc_ksyms_addr(k, "small_func") == 0xffffffff81000100ULL &&
	       !iomc_ksyms_addr(k, "some") && !iomc_ksyms_addr(k, "drv_data") &&
	       !iomc_ksyms_addr(k, "_stext"),
	       "ksyms: asked-for vmlinux symbols' addresses, data or code (not a prefix's, a module's, or one not asked for)");
	result(!strcmp(iomc_ksyms_name(k, 0xffffffffc0001010ULL, b, sizeof(b)),
		       "drv_probe+0x10/0x80 [drv]"), "ksyms: module symbol, %pS spelling");
	result(!strcmp(iomc_ksyms_name(k, 0xffffffff81000110ULL, b, sizeof(b)),
		       "small_func+0x10/0x200"), "ksyms: a symbol ends at the next code symbol");
	result(!strcmp(iomc_ksyms_name(k, 0xffffffff81000310ULL, b, sizeof(b)),
		       "0xffffffff81000310"), "ksyms: a 3 MiB 'function' is not believed");
	result(!strcmp(iomc_ksyms_name(k, 0xffffffffc0002010ULL, b, sizeof(b)),
		       "0xffffffffc0002010") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc0030000ULL, b, sizeof(b)),
		       "0xffffffffc0030000"),
	       "ksyms: a pseudo-module's symbol is not stretched over the gap to the next module");
	result(!strcmp(iomc_ksyms_name(k, 0xffffffffc0041010ULL, b, sizeof(b)),
		       "0xffffffffc0041010") &&
	       !strcmp(iomc_ksyms_name(k, 0x1000, b, sizeof(b)), "0x1000") &&
	       !strcmp(iomc_ksyms_name(k, 0, b, sizeof(b)), "?"),
	       "ksyms: past the last symbol, below the first, and 0");
	result(iomc_ksyms_load(k, "/nonexistent/kallsyms") < 0 && iomc_ksyms_count(k) == 9,
	       "ksyms: a failed reload keeps the old table");
	/* the kernel's lengths: a module's last function ends with its text,
	 * which kallsyms does not show (here: 0xf80 to the next code symbol) */
	result(!strcmp(iomc_ksyms_name(k, 0xffffffffc0001090ULL, b, sizeof(b)),
		       "drv_remove+0x10/0xf80 [drv]") &&
	       iomc_ksyms_learn(k, 0xffffffffc0001090ULL, "drv_remove+0x10/0x200 [drv]") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc00010a0ULL, b, sizeof(b)),
		       "drv_remove+0x20/0x200 [drv]") &&
	       iomc_ksyms_learn(k, 0xffffffff81000110ULL, "small_func+0x10/0x1f0") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffff81000120ULL, b, sizeof(b)),
		       "small_func+0x20/0x1f0"),
	       "ksyms: a function's length the kernel gave is used for all its addresses");
	result(iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "other_func+0x10/0x40 [drv]") &&
	       iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "drv_probe+0x10/0x40 [other]") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc0001010ULL, b, sizeof(b)),
		       "drv_probe+0x10/0x80 [drv]") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "0xffffffffc0001010") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "drv_probe+0x10") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "drv_probe+0x10/0x8 [drv]") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "drv_probe+0x10/0x80 [drv") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "drv_probe+0x10/0x80x [drv]") &&
	       !iomc_ksyms_learn(k, 0xffffffffc0001010ULL, "+0x10/0x80"),
	       "ksyms: another function's or module's length is not taken; garbage is refused");
	result(iomc_ksyms_learn(k, 0xffffffffc0041010ULL, "last_symbol+0x10/0x100 [other]") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc0041010ULL, b, sizeof(b)),
		       "last_symbol+0x10/0x100 [other]") &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc0041100ULL, b, sizeof(b)),
		       "0xffffffffc0041100") &&
	       !iomc_ksyms_load(k, path) &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffffc00010a0ULL, b, sizeof(b)),
		       "drv_remove+0x20/0x200 [drv]"),
	       "ksyms: the last symbol named with the kernel's length; learned lengths outlive a reload");
	/* a file with no symbol line at all: loads empty (nothing to sort) */
	f = fopen(path, "w");
	if (f)
		fclose(f);
	result(!iomc_ksyms_load(k, path) && iomc_ksyms_count(k) == 0 &&
	       !strcmp(iomc_ksyms_name(k, 0xffffffff81000110ULL, b, sizeof(b)),
		       "0xffffffff81000110") && !iomc_ksyms_addr(k, "some_data"),
	       "ksyms: an empty file loads no symbol (and no data address)");
	/* an endless non-kallsyms file is refused after its first lines, not read forever */
	result(iomc_ksyms_load(k, "/dev/zero") == -EINVAL &&
	       iomc_ksyms_load(k, "/dev/urandom") == -EINVAL,
	       "ksyms: /dev/zero and /dev/urandom are not kallsyms (refused, not read forever)");
	unlink(path);
	iomc_ksyms_free(k);
}

/* ---- the engine's task state (lib/engine_state.c) --------------------- */

static void feed(struct iomc_state *st, __u32 type, __u32 tid, __u32 cpu, __u64 mapping,
		 __u64 vaddr)
{
	struct iomc_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.tid = ev.pid = tid;
	ev.cpu = cpu;
	ev.kind = IOMC_KIND_LOCAL;
	ev.ctx = IOMC_CTX_TASK;
	ev.mapping = mapping;
	ev.size = 1 << 20;
	ev.len = 4096;
	ev.vaddr = vaddr;
	ev.caller = 0x1000 + type;
	if (type == IOMC_EV_DROP)
		iomc_state_forget_cpu(st, cpu);
	else
		iomc_state_feed(st, &ev, NULL, NULL);
}

/* CPU seconds of n tasks each holding a map, then 3n events that look for holders. */
static double holders_cost(unsigned int n, unsigned int *viol)
{
	struct iomc_cfg cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 8 };
	struct iomc_state *st = iomc_state_new(&cfg);
	struct iomc_state_stats s;
	struct timespec a, b;
	unsigned int i;

	for (i = 0; i < n; i++)
		feed(st, IOMC_EV_MAP, 1000 + i, 0, 0xa000000 + i * 0x100000ULL,
		     0xc0000000ULL + i * 0x1000ULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (i = 0; i < n; i++) {
		/* an unmap nobody holds, a free of a mapping nobody maps, a loss
		 * on a CPU none of them ran on: each used to walk every task */
		feed(st, IOMC_EV_UNMAP, 5000000 + i, 1, 0, 0xe0000000ULL + i * 0x1000ULL);
		feed(st, IOMC_EV_FREE, 5000000 + i, 1, 0x7f00000000ULL + i * 0x100000ULL, 0);
		feed(st, IOMC_EV_DROP, 0, 3, 0, 0);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	iomc_state_stats(st, &s);
	*viol = (unsigned int)s.violations;
	iomc_state_free(st);
	return (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static void test_engine_tasks(void)
{
	struct iomc_cfg cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 8 };
	struct iomc_state *st = iomc_state_new(&cfg);
	struct iomc_state_stats s;
	unsigned int i, v1, v2;
	double small, big;

	/* 200k threads that map and unmap: nothing is left of them */
	for (i = 0; i < 200000; i++) {
		feed(st, IOMC_EV_MAP, 100 + i, i % 4, 0xa000000, 0xc0000000ULL + (i % 64) * 0x1000);
		feed(st, IOMC_EV_UNMAP, 100 + i, i % 4, 0, 0xc0000000ULL + (i % 64) * 0x1000);
	}
	iomc_state_stats(st, &s);
	result(s.tasks == 0 && s.held == 0 && s.violations == 0,
	       "engine: a task that holds nothing keeps no state (200k thread ids)");
	/* forgotten after a loss: holds nothing, still unsure (no unknown_unmap) */
	feed(st, IOMC_EV_MAP, 7, 2, 0xa000000, 0xd0000000ULL);
	feed(st, IOMC_EV_DROP, 0, 2, 0, 0);
	feed(st, IOMC_EV_UNMAP, 7, 2, 0, 0xd0000000ULL);
	feed(st, IOMC_EV_UNMAP, 8, 2, 0, 0xd0000000ULL);
	iomc_state_stats(st, &s);
	result(s.tasks == 0 && s.violations == 1,
	       "engine: a task forgotten at a loss stays unsure without its stack");
	/* held in one task, unmapped in another: found through the index */
	feed(st, IOMC_EV_MAP, 9, 0, 0xb000000, 0xd1000000ULL);
	feed(st, IOMC_EV_MAP, 9, 0, 0xb000000, 0xd1001000ULL);
	feed(st, IOMC_EV_UNMAP, 10, 1, 0, 0xd1000000ULL);
	iomc_state_stats(st, &s);
	result(s.tasks == 1 && s.held == 1 && s.violations == 2,
	       "engine: a map held by another task is found (cross_context_unmap)");
	feed(st, IOMC_EV_FREE, 11, 1, 0xb000000, 0);
	iomc_state_stats(st, &s);
	result(s.tasks == 0 && s.held == 0 && s.violations == 3,
	       "engine: a free finds the maps of its mapping (leak_on_free) and drops them");
	iomc_state_free(st);
	/* per event, 20k holders cost what 1k do: no walk over every task */
	small = holders_cost(1000, &v1) / 1000;
	big = holders_cost(20000, &v2) / 20000;
	printf("# engine: %.2f us per lookup event with 1k tasks holding maps, %.2f us with 20k "
	       "(%u, %u violations)\n", small * 1e6 / 3, big * 1e6 / 3, v1, v2);
	result(v1 == 1000 && v2 == 20000 && big < 8 * small + 2e-6,
	       "engine: unknown unmaps, frees and losses do not walk every task");
}

/*
 * A loss of an unknown CPU (IOMC_CPU_ALL: a damaged line or record) forgets
 * every task with state, whichever CPU list it is on (CPUs from 4095 up
 * share one), and every CPU's interrupt contexts: the unmaps out of order
 * that follow are not lifo, the irq exit holding a map is not a leak.
 */
static void test_engine_forget_all(void)
{
	struct iomc_cfg cfg = { .rule_mask = IOMC_ALL_RULES, .depth_limit = 8 };
	struct iomc_state *st = iomc_state_new(&cfg);
	static const __u32 cpus[] = { 0, 3, 5000, 70000 };
	struct iomc_state_stats s0, s1, s2;
	struct iomc_event ev;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		feed(st, IOMC_EV_MAP, 20 + i, cpus[i], 0xa000000, 0xc0000000ULL + i * 0x10000);
		feed(st, IOMC_EV_MAP, 20 + i, cpus[i], 0xa000000, 0xc0001000ULL + i * 0x10000);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IOMC_EV_MAP;
	ev.cpu = 1;
	ev.ctx = IOMC_CTX_HARDIRQ;
	ev.kind = IOMC_KIND_ATOMIC;
	ev.mapping = 0xa000000;
	ev.size = 1 << 20;
	ev.len = 4096;
	ev.vaddr = 0xc0100000ULL;
	ev.caller = 0x2000;
	iomc_state_feed(st, &ev, NULL, NULL);
	iomc_state_stats(st, &s0);
	feed(st, IOMC_EV_DROP, 0, IOMC_CPU_ALL, 0, 0);
	iomc_state_stats(st, &s1);
	for (i = 0; i < 4; i++) {
		feed(st, IOMC_EV_UNMAP, 20 + i, cpus[i], 0, 0xc0000000ULL + i * 0x10000);
		feed(st, IOMC_EV_UNMAP, 20 + i, cpus[i], 0, 0xc0001000ULL + i * 0x10000);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IOMC_EV_IRQ_EXIT;
	ev.cpu = 1;
	ev.ctx = IOMC_CTX_HARDIRQ;
	iomc_state_feed(st, &ev, NULL, NULL);
	iomc_state_stats(st, &s2);
	if (s0.tasks != 4 || s0.held != 9 || s1.tasks || s1.held || s2.violations)
		printf("# tasks %u held %u before, tasks %u held %u after, %llu violations\n",
		       s0.tasks, s0.held, s1.tasks, s1.held, (unsigned long long)s2.violations);
	result(s0.tasks == 4 && s0.held == 9 && s1.tasks == 0 && s1.held == 0 &&
	       s2.violations == 0,
	       "engine: a loss of an unknown CPU forgets every task and interrupt context");
	iomc_state_free(st);
}

int main(void)
{
	printf("KTAP version 1\n1..30\n");
	test_cli();
	test_dedup();
	test_ksyms();
	test_engine_tasks();
	test_engine_forget_all();
	return n_fail ? 1 : 0;
}
