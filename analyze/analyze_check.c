// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The analyzer's side of the rule engine: state and rules live in
 * lib/engine_state.c + include/iomap-check/engine.h (shared with the BPF
 * checker); here are dedup, loss handling, reports and the summary.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_syms.h"
#include "dedup.h"
#include "engine_state.h"
#include "hash.h"
#include "ksyms.h"
#include "report.h"
#include "io.h"

/* open-addressing set of u64 (vaddrs seen since the last drop) */
struct u64set {
	__u64 *k;
	size_t mask, n;
	int has_zero;
};

struct az_checker {
	struct az_opts o;
	struct iomc_fmt fmt;		/* the daemon's report printer */
	struct iomc_state *st;
	const struct az_event *cur;	/* event being fed, for the callback */
	struct iomc_dedup seen;
	__u64 total[IOMC_RULE_MAX], distinct[IOMC_RULE_MAX];
	__u64 violations, suppressed, drops, drop_events;
	__u64 lost_noted;		/* sum of the JSON lost objects' counts */
	__u64 reports, notes;		/* reports and lost notes written or tried */
	__u64 report_errors, note_errors;	/* of which the output did not take */
	int write_errno;		/* the first failed write's errno */
	int in_report;			/* write_out: the text is a report */
	char trailer[4352];		/* text reports: "(event at FILE:LINE)" */
	int dropped;			/* a drop happened somewhere */
	struct u64set since_drop;
};

static int set_has(const struct u64set *s, __u64 k)
{
	size_t i;

	if (!k)
		return s->has_zero;
	if (!s->k)
		return 0;
	for (i = iomc_hash64(k) & s->mask; s->k[i]; i = (i + 1) & s->mask)
		if (s->k[i] == k)
			return 1;
	return 0;
}

static void set_add(struct u64set *s, __u64 k)
{
	size_t i;

	if (!k) {
		s->has_zero = 1;
		return;
	}
	if (set_has(s, k))
		return;
	if (!s->k || (s->n + 1) * 2 > s->mask + 1) {
		size_t ncap = s->k ? (s->mask + 1) * 2 : 1024, j;
		__u64 *nk = calloc(ncap, sizeof(*nk));

		if (!nk)
			return;	/* worst case: an unknown_unmap is suppressed */
		for (j = 0; s->k && j <= s->mask; j++) {
			if (!s->k[j])
				continue;
			for (i = iomc_hash64(s->k[j]) & (ncap - 1); nk[i]; i = (i + 1) & (ncap - 1))
				;
			nk[i] = s->k[j];
		}
		free(s->k);
		s->k = nk;
		s->mask = ncap - 1;
	}
	for (i = iomc_hash64(k) & s->mask; s->k[i]; i = (i + 1) & s->mask)
		;
	s->k[i] = k;
	s->n++;
}

static void set_clear(struct u64set *s)
{
	free(s->k);
	memset(s, 0, sizeof(*s));
}

/* Sites are interned ids whose text came from the input (analyze_syms.h). */
static const char *site_name(void *ctx, __u64 addr, char *buf, size_t len)
{
	const char *s = az_sym_name(addr);

	(void)ctx;
	if (s)
		snprintf(buf, len, "%s", s);
	else
		iomc_sym_format(buf, len, addr, NULL);
	return buf;
}

/*
 * One message straight to the output's descriptor, so that what did not
 * reach it is counted exactly (through stdio's buffer a failure shows only
 * when the buffer is flushed, for all the reports in it at once). A text
 * report carries its "(event at ...)" line in the same write.
 */
static void write_out(void *ctx, const char *text, size_t len, int syslog_prio)
{
	struct az_checker *c = ctx;
	int err = 0;

	(void)syslog_prio;
	if (c->in_report)
		c->reports++;
	else
		c->notes++;
	if (fileno(c->o.out) < 0) {
		/* a memory stream (tests): nothing below stdio to fail */
		if (fwrite(text, 1, len, c->o.out) != len ||
		    fputs(c->in_report ? c->trailer : "", c->o.out) == EOF || fflush(c->o.out))
			err = -EIO;
	} else if (fflush(c->o.out)) {
		err = errno ? -errno : -EIO;
	}
	if (!err && fileno(c->o.out) >= 0)
		err = iomc_write_all(fileno(c->o.out), text, len, NULL, NULL);
	if (!err && fileno(c->o.out) >= 0 && c->in_report && c->trailer[0])
		err = iomc_write_all(fileno(c->o.out), c->trailer, strlen(c->trailer), NULL, NULL);
	c->trailer[0] = 0;
	if (!err)
		return;
	if (c->in_report)
		c->report_errors++;
	else
		c->note_errors++;
	if (!c->write_errno)
		c->write_errno = -err;
}

/*
 * leak_on_unload: is 'site' in the code of the module that ends? Text
 * inputs carry the module's name (interned, in end->mapping) and sites
 * like "func+0x1/0x2 [name]"; recordings carry addresses and the module's
 * text ranges (the engine's own test).
 */
static int module_owns(void *arg, const struct iomc_event *end, __u64 site)
{
	const char *mod = az_sym_name(end->mapping), *s, *b;
	size_t n;

	(void)arg;
	if (!mod)
		return iomc_in_module(end, site);
	s = az_sym_name(site);
	if (!s)
		return 0;
	n = strlen(mod);
	b = strrchr(s, '[');
	return b && !strncmp(b + 1, mod, n) && b[1 + n] == ']';
}

static void on_violation(void *arg, const struct iomc_event *ev, const struct iomc_viol *v,
			 const struct iomc_stack *held, __u32 held_ctx, __u32 held_tid)
{
	struct az_checker *c = arg;
	struct iomc_report r;
	unsigned int nf = 0, i;
	const __u64 *frames;
	__u64 n;

	/*
	 * After lost events an unmap of an address not seen since the loss
	 * may be the unmap of a map that was lost, even in a context the
	 * engine did not forget (a task first seen after the loss, a map_wc
	 * of another CPU): never report it as unknown.
	 */
	if (v->rule == IOMC_RULE_UNKNOWN_UNMAP && c->dropped && !set_has(&c->since_drop, ev->vaddr)) {
		c->suppressed++;
		return;
	}
	if (v->rule >= IOMC_RULE_MAX)
		return;
	c->violations++;
	c->total[v->rule]++;
	n = iomc_dedup_add(&c->seen, v->rule, ev->caller, v->map_site, 1);
	if (n > 1 && !c->o.all && iomc_rule_dedups(v->rule))
		return;
	if (n <= 1)	/* 0: not stored (table full), still a new report */
		c->distinct[v->rule]++;
	memset(&r, 0, sizeof(r));
	r.msg = IOMC_MSG_REPORT;
	r.ev = *ev;
	r.v = *v;
	r.held_ctx = held_ctx;
	r.held_tid = held_tid;
	if (held) {
		r.n_held = held->depth < IOMC_STACK_MAX ? held->depth : IOMC_STACK_MAX;
		memcpy(r.held, held->held, r.n_held * sizeof(r.held[0]));
	}
	frames = az_stack_get(c->cur->stack, &nf);
	for (i = 0; i < nf && i < IOMC_STACK_FRAMES; i++)
		r.stack[i] = frames[i];
	r.stack_bytes = (__s32)(i * sizeof(__u64));
	c->trailer[0] = 0;
	if (!c->o.json) {
		if (c->cur->line)
			snprintf(c->trailer, sizeof(c->trailer), "(event at %s:%llu)\n",
				 c->o.srcs[c->cur->src]->name, (unsigned long long)c->cur->line);
		else
			snprintf(c->trailer, sizeof(c->trailer), "(event in %s)\n",
				 c->o.srcs[c->cur->src]->name);
	}
	c->in_report = 1;
	iomc_print_violation(&c->fmt, &r);
	c->in_report = 0;
	c->trailer[0] = 0;
}

struct az_checker *az_checker_new(const struct az_opts *o)
{
	struct az_checker *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->o = *o;
	/* --partial: as if events were lost just before the first one */
	c->dropped = o->partial;
	/* the traced kernel is not this one: never name this machine's */
	iomc_fmt_init_post_mortem(&c->fmt, o->json, o->release,
				&(struct iomc_report_ops){ .symbolize = site_name,
							 .write = write_out, .ctx = c });
	c->st = iomc_state_new(&o->cfg);
	if (c->st)
		iomc_state_set_owner(c->st, module_owns, c);
	if (!c->st) {
		free(c);
		return NULL;
	}
	return c;
}

static void note_drop(struct az_checker *c, const struct az_event *e)
{
	const char *name = c->o.srcs[e->src]->name;

	c->drops++;
	c->drop_events += e->ev.arg;
	c->dropped = 1;
	set_clear(&c->since_drop);
	if (c->o.json) {
		char what[128], where[32];

		/*
		 * A marker without a count lost at least one event: count 1,
		 * said in 'what'; total is the sum of the counts printed. The
		 * time is the trace's, where the loss was noticed. A loss of
		 * an unknown CPU (a damaged line or record, events late
		 * beyond the window, an overwritten start) is of all CPUs.
		 */
		if (e->ev.cpu == IOMC_CPU_ALL)
			snprintf(where, sizeof(where), "all CPUs");
		else
			snprintf(where, sizeof(where), "CPU %u", e->ev.cpu);
		snprintf(what, sizeof(what), "trace events on %s%s", where,
			 e->ev.arg ? "" : " (at least 1: the marker has no count)");
		c->lost_noted += e->ev.arg ? e->ev.arg : 1;
		iomc_print_lost_at(&c->fmt, what, e->ev.arg ? e->ev.arg : 1, c->lost_noted,
				 e->ev.ts_ns);
	}
	if (c->o.quiet)
		return;
	/* binary inputs have no line: trace.dat's reader said where */
	fprintf(stderr, "iomap-check: %s", name);
	if (e->line)
		fprintf(stderr, ":%llu", (unsigned long long)e->line);
	if (e->ev.cpu == IOMC_CPU_ALL)
		fprintf(stderr, ": %s lost on an unknown CPU: forgetting what every CPU's "
			"contexts held", e->ev.arg == 1 ? "an event was" : "events were");
	else if (e->ev.arg)
		fprintf(stderr, ": CPU %u lost %llu events: forgetting what its contexts held",
			e->ev.cpu, (unsigned long long)e->ev.arg);
	else
		fprintf(stderr, ": CPU %u lost events: forgetting what its contexts held",
			e->ev.cpu);
	fprintf(stderr, " (no lifo or unknown_unmap is reported across the gap)\n");
}

void az_checker_feed(struct az_checker *c, const struct az_event *e)
{
	c->cur = e;
	if (e->ev.type == IOMC_EV_DROP)
		note_drop(c, e);
	iomc_state_feed(c->st, &e->ev, on_violation, c);
	if (c->dropped && (e->ev.type == IOMC_EV_MAP || e->ev.type == IOMC_EV_UNMAP))
		set_add(&c->since_drop, e->ev.vaddr);
}

__u64 az_checker_violations(const struct az_checker *c)
{
	return c->violations;
}

void az_checker_summary(const struct az_checker *c, FILE *f)
{
	struct iomc_state_stats s;
	int i;

	iomc_state_stats(c->st, &s);
	/* loss markers are fed to the engine (to forget) but are not events */
	fprintf(f, "iomap-check: %llu events checked, %llu violation%s",
		(unsigned long long)(s.events - c->drops), (unsigned long long)c->violations,
		c->violations == 1 ? "" : "s");
	if (c->violations) {
		const char *sep = ": ";

		for (i = 0; i < IOMC_RULE_MAX; i++) {
			if (!c->total[i])
				continue;
			fprintf(f, "%s%s %llu", sep, iomc_rule_name(i), (unsigned long long)c->total[i]);
			if (c->distinct[i] != c->total[i])
				fprintf(f, " (%llu distinct)", (unsigned long long)c->distinct[i]);
			sep = ", ";
		}
	}
	fputc('\n', f);
	if (c->drops)
		fprintf(f, "iomap-check: %llu drop marker%s (%llu events lost where counted); "
			"%llu unknown_unmap%s not reported across the gaps\n",
			(unsigned long long)c->drops, c->drops == 1 ? "" : "s",
			(unsigned long long)c->drop_events, (unsigned long long)c->suppressed,
			c->suppressed == 1 ? "" : "s");
	if (c->seen.overflow)
		fprintf(f, "iomap-check: %llu reports were not deduplicated (more than %u distinct "
			"rule/site pairs)\n", (unsigned long long)c->seen.overflow, IOMC_DEDUP_MAX);
	if (c->report_errors)
		fprintf(f, "iomap-check: %llu of %llu reports could not be written to the output\n",
			(unsigned long long)c->report_errors, (unsigned long long)c->reports);
	if (c->note_errors)
		fprintf(f, "iomap-check: %llu of %llu lost-event notes could not be written to "
			"the output\n", (unsigned long long)c->note_errors,
			(unsigned long long)c->notes);
	if (s.dropped)
		fprintf(f, "iomap-check: %llu violations beyond %d per event not reported\n",
			(unsigned long long)s.dropped, IOMC_MAX_VIOL);
}

int az_checker_write_errno(const struct az_checker *c)
{
	return c->write_errno;
}

void az_checker_free(struct az_checker *c)
{
	iomc_state_free(c->st);
	set_clear(&c->since_drop);
	iomc_dedup_free(&c->seen);
	free(c);
}
