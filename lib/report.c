// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Report formatting, modelled on the kernel's lockdep reports: a banner
 * naming the rule, the task, CPU and context, the offending operation with
 * its symbolized site, the other map concerned, "N maps held by comm/pid:"
 * and the stack backtrace. Each report is built in memory and written in
 * one piece, so concurrent writers to a log never interleave it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <syslog.h>
#include <sys/utsname.h>
#include "event.h"
#include "report.h"

/* What a leak_on_unload report is about (abi.h: IOMC_UNLOAD_*). */
enum unload_what { UNLOAD_MAPPING, UNLOAD_MAP, UNLOAD_MEMREMAP };

static enum unload_what unload_what(const struct iomc_event *ev)
{
	if (ev->arg & IOMC_UNLOAD_MEMREMAP)
		return UNLOAD_MEMREMAP;
	return ev->vaddr ? UNLOAD_MAP : UNLOAD_MAPPING;
}

static int init_failed(const struct iomc_event *ev)
{
	return (ev->arg & IOMC_UNLOAD_FAILED) != 0;
}

void iomc_fmt_init(struct iomc_fmt *f, int json, const struct iomc_report_ops *ops)
{
	static struct utsname u;

	uname(&u);
	memset(f, 0, sizeof(*f));
	f->json = json;
	f->live = 1;
	f->release = u.release;
	f->version = u.version;
	f->ops = *ops;
}

void iomc_fmt_init_post_mortem(struct iomc_fmt *f, int json, const char *release,
			     const struct iomc_report_ops *ops)
{
	memset(f, 0, sizeof(*f));
	f->json = json;
	f->release = release && release[0] ? release : "(kernel unknown)";
	f->version = "(post-mortem: iomap-check analyze)";
	f->ops = *ops;
}

/*
 * The site a report is about: the call site of the operation, or for
 * events without one (exit, an interrupt returning, a sleep outside the
 * hooked functions) the map concerned.
 */
static __u64 report_site(const struct iomc_report *r)
{
	return r->ev.caller ? r->ev.caller : r->v.map_site;
}

static void comm_of(const struct iomc_event *ev, char *buf)
{
	memcpy(buf, ev->comm, IOMC_COMM_LEN);
	buf[IOMC_COMM_LEN - 1] = 0;
	if (!buf[0])
		strcpy(buf, "?");
}

/*
 * Bytes a text report must not print raw: anything a task or a module can
 * put in its name (control bytes are terminal escapes; bytes >= 0x80 are
 * not ASCII). They are shown as \xHH, as the kernel's %pE with the 'h' flag
 * prints them and vsprintf's escape_hex does; a backslash too, so that an
 * escape cannot be forged. The JSON escapes the same bytes as \u00HH.
 */
static int text_escaped(unsigned char ch)
{
	return ch < 0x20 || ch >= 0x7f || ch == '\\';
}

/* src into dst (n bytes, n >= 1), escaped; a cut never splits an escape */
static void text_escape(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (; *src; src++) {
		unsigned char ch = (unsigned char)*src;
		size_t need = text_escaped(ch) ? 4 : 1;

		if (o + need >= n)
			break;
		if (need == 4)
			o += (size_t)snprintf(dst + o, n - o, "\\x%02x", ch);
		else
			dst[o++] = (char)ch;
	}
	dst[o] = 0;
}

/* The task name for a text report, escaped. Needs COMM_TEXT_LEN. */
#define COMM_TEXT_LEN (4 * IOMC_COMM_LEN)
static void comm_text(const struct iomc_event *ev, char *buf)
{
	char raw[IOMC_COMM_LEN];

	comm_of(ev, raw);
	text_escape(buf, COMM_TEXT_LEN, raw);
}

/* The report being printed: its kernel-symbolized sites come first. */
static const struct iomc_report *cur_report;

/*
 * A site's name: as the kernel named it when the violation was found (init
 * text and unloaded modules included), else from the symbolizer now; raw,
 * as the module (or a trace) spelled it: for the JSON, which escapes it.
 */
static const char *sym_raw(const struct iomc_fmt *fmt, __u64 a, char *buf, size_t n)
{
	const struct iomc_report *r = cur_report;
	unsigned int i;

	for (i = 0; r && a && i < IOMC_RSYM_MAX; i++) {
		const char *s = r->sym[i];

		if (r->sym_addr[i] != a || !s[0] || !strncmp(s, "0x", 2) ||
		    !memchr(s, 0, IOMC_SYM_LEN))
			continue;
		snprintf(buf, n, "%s", s);
		return buf;
	}
	fmt->ops.symbolize(fmt->ops.ctx, a, buf, n);
	return buf;
}

/* A site's name for a text report: its module's name escaped as a comm. */
static const char *sym(const struct iomc_fmt *fmt, __u64 a, char *buf, size_t n)
{
	char raw[256];

	if (!n)
		return buf;
	raw[0] = 0;
	text_escape(buf, n, sym_raw(fmt, a, raw, sizeof(raw)));
	return buf;
}



void iomc_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_sym(const struct iomc_fmt *fmt, FILE *f, __u64 a)
{
	char b[256];

	if (!a)
		fputs("null", f);
	else
		iomc_json_str(f, sym_raw(fmt, a, b, sizeof(b)));
}

/* buf/len are open_memstream's: only valid after fclose */
static void emit(const struct iomc_fmt *fmt, FILE *mem, char **buf, size_t *len, int prio,
		 int json_sink)
{
	fclose(mem);
	if (json_sink)
		fmt->ops.write_json(fmt->ops.ctx, *buf, *len);
	else
		fmt->ops.write(fmt->ops.ctx, *buf, *len, prio);
	free(*buf);
}

static int stack_frames(const struct iomc_report *r)
{
	int n = r->stack_bytes > 0 ? r->stack_bytes / 8 : 0;

	return n > IOMC_STACK_FRAMES ? IOMC_STACK_FRAMES : n;
}

/*
 * The checker's own frames on top of the stack (the BPF program, the
 * tracepoint's BPF glue) are not the user's business: skip them, like
 * lockdep's backtrace starts at the caller.
 */
static int stack_first(const struct iomc_fmt *fmt, const struct iomc_report *r, int n)
{
	char b[256];
	int i;

	for (i = 0; i < n; i++) {
		const char *s = sym(fmt, r->stack[i], b, sizeof(b));

		if (strncmp(s, "bpf_prog_", 9) && strncmp(s, "bpf_trace_run", 13) &&
		    strncmp(s, "__bpf_trace_", 12) && strncmp(s, "0x", 2))
			return i;
	}
	return 0;
}

/* The module a symbolized address lies in: "[mod]", "" for vmlinux. */
static const char *sym_module(const char *s)
{
	const char *p = strrchr(s, ' ');

	return p && p[1] == '[' ? p + 1 : "";
}

static int sym_known(const char *s)
{
	return s[0] && strcmp(s, "?") && strncmp(s, "0x", 2);
}

/*
 * The culprit frame, syzbot's "in FUNCTION": the first frame of the stack
 * (the checker's own left out) in the module that holds the map concerned
 * (the module of v.map_site), or for reports about no map, in the module
 * that made the call. The site says where the rule broke (a might_sleep()
 * deep in the allocator, a driver's small map wrapper), the culprit which
 * of the module's functions was running. 0: no frame lies there (a report
 * from the unload path, a sibling call), or nothing is symbolized.
 */
static __u64 culprit(const struct iomc_fmt *fmt, const struct iomc_report *r)
{
	__u64 owner = r->v.map_site ? r->v.map_site : r->ev.caller;
	char b[256], mod[256];
	int i, n = stack_frames(r);

	if (!owner || !sym_known(sym(fmt, owner, b, sizeof(b))))
		return 0;
	snprintf(mod, sizeof(mod), "%s", sym_module(b));
	for (i = stack_first(fmt, r, n); i < n; i++) {
		sym(fmt, r->stack[i], b, sizeof(b));
		if (sym_known(b) && !strcmp(sym_module(b), mod))
			return r->stack[i];
	}
	return 0;
}

static void tainted(FILE *f)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	unsigned long t = 0;
	FILE *tf = fopen("/proc/sys/kernel/tainted", "r");
	unsigned int i;

	if (tf) {
		if (fscanf(tf, "%lu", &t) != 1)
			t = 0;
		fclose(tf);
	}
	if (!t) {
		fputs("Not tainted", f);
		return;
	}
	fputs("Tainted: ", f);
	fputc(t & 1 ? 'P' : 'G', f);
	for (i = 1; i < sizeof(letters) - 1; i++)
		if (t & (1UL << i))
			fputc(letters[i], f);
}

/* what a module left behind, with where it was made (leak_on_unload) */
static void print_op_unload(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r)
{
	const struct iomc_event *ev = &r->ev;
	char b[256];

	switch (unload_what(ev)) {
	case UNLOAD_MAPPING:
		fprintf(f, " io_mapping_create_wc(0x%llx, size %llu) = 0x%llx, at: %s\n",
			(unsigned long long)ev->offset,
			(unsigned long long)ev->size,
			(unsigned long long)ev->mapping,
			sym(fmt, r->v.map_site, b, sizeof(b)));
		break;
	case UNLOAD_MAP:
		fprintf(f, " %s 0x%llx (mapping 0x%llx+0x%llx), at: %s\n",
			iomc_kind_name(ev->kind), (unsigned long long)ev->vaddr,
			(unsigned long long)ev->mapping,
			(unsigned long long)ev->offset,
			sym(fmt, r->v.map_site, b, sizeof(b)));
		break;
	case UNLOAD_MEMREMAP:
		fprintf(f, " %s(0x%llx, %llu) = 0x%llx, at: %s\n",
			iomc_mr_api_name(ev->kind),
			(unsigned long long)ev->offset,
			(unsigned long long)ev->size,
			(unsigned long long)ev->vaddr,
			sym(fmt, r->v.map_site, b, sizeof(b)));
		break;
	}
}

/* the memremap family's operations */
static void print_op_memremap(const struct iomc_fmt *fmt, FILE *f, const struct iomc_event *ev)
{
	char b[256], b2[256];

	switch (ev->type) {
	case IOMC_EV_MEMREMAP:
		fprintf(f, " %s(0x%llx, %llu, %s) = 0x%llx, at: %s\n", iomc_op_name(ev),
			(unsigned long long)ev->offset, (unsigned long long)ev->size,
			iomc_mr_flags(IOMC_MR_LOW(ev->arg), b2, sizeof(b2)),
			(unsigned long long)ev->vaddr, sym(fmt, ev->caller, b, sizeof(b)));
		fprintf(f, " (the range holds %s)\n", iomc_region_name(IOMC_MR_REGION(ev->arg)));
		break;
	case IOMC_EV_MEMUNMAP:
		fprintf(f, " %s(0x%llx), at: %s\n", iomc_op_name(ev),
			(unsigned long long)ev->vaddr, sym(fmt, ev->caller, b, sizeof(b)));
		break;
	case IOMC_EV_PAGEMAP:
		fprintf(f, " %s(pgmap 0x%llx: %s, range 0x%llx+0x%llx, nr_range %llu) = 0x%llx, at: %s\n",
			iomc_op_name(ev), (unsigned long long)ev->mapping,
			iomc_pgmap_name(IOMC_MR_LOW(ev->arg)), (unsigned long long)ev->offset,
			(unsigned long long)ev->size, (unsigned long long)ev->len,
			(unsigned long long)ev->vaddr, sym(fmt, ev->caller, b, sizeof(b)));
		fprintf(f, " (the range holds %s%s)\n", iomc_region_name(IOMC_MR_REGION(ev->arg)),
			IOMC_MR_MMIO(ev->arg) ? ", in a PCI bus window" : "");
		break;
	default:
		break;
	}
}

static void print_op(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r)
{
	const struct iomc_event *ev = &r->ev;
	char b[256], b2[256];

	switch (ev->type) {
	case IOMC_EV_MAP:
		fprintf(f, " %s(0x%llx, offset 0x%llx%s", iomc_op_name(ev),
			(unsigned long long)ev->mapping,
			(unsigned long long)ev->offset,
			ev->kind == IOMC_KIND_WC ? ", size " : "");
		if (ev->kind == IOMC_KIND_WC)
			fprintf(f, "%llu", (unsigned long long)ev->len);
		fprintf(f, ") = 0x%llx, at: %s\n", (unsigned long long)ev->vaddr,
			sym(fmt, ev->caller, b, sizeof(b)));
		break;
	case IOMC_EV_UNMAP:
		fprintf(f, " %s(0x%llx), at: %s\n", iomc_op_name(ev),
			(unsigned long long)ev->vaddr, sym(fmt, ev->caller, b, sizeof(b)));
		break;
	case IOMC_EV_FREE:
		fprintf(f, " %s(0x%llx), at: %s\n", iomc_op_name(ev),
			(unsigned long long)ev->mapping,
			sym(fmt, ev->caller, b, sizeof(b)));
		break;
	case IOMC_EV_SWITCH:
		if (ev->caller)
			fprintf(f, " schedule() (voluntary), went to sleep at: %s\n",
				sym(fmt, ev->caller, b, sizeof(b)));
		else
			fputs(" schedule() (voluntary): see the stack backtrace\n", f);
		break;
	case IOMC_EV_MIGHT_SLEEP:
		sym(fmt, ev->arg, b2, sizeof(b2));
		fprintf(f, " %s%s, at: %s\n", b2,
			!strncmp(b2, "__cond_resched+", 15) ?
			" (what might_sleep() and cond_resched() call)" : "",
			sym(fmt, ev->caller, b, sizeof(b)));
		break;
	case IOMC_EV_EXIT:
		fputs(" do_exit()\n", f);
		break;
	case IOMC_EV_FAULT:
		fprintf(f, " page fault of 0x%llx (mapping 0x%llx+0x%llx), at: %s\n",
			(unsigned long long)ev->vaddr,
			(unsigned long long)ev->mapping,
			(unsigned long long)ev->offset,
			sym(fmt, ev->caller, b, sizeof(b)));
		fprintf(f, " (%s)\n", IOMC_FAULT_FIXED(ev->size) ?
			"iomap_check.ko redid the access through the page the pointer meant" :
			"left to the kernel: oops");
		break;
	case IOMC_EV_IRQ_EXIT:
		fprintf(f, " %s handler return\n", iomc_ctx_name(ev->ctx));
		break;
	case IOMC_EV_MODULE_END:
		print_op_unload(fmt, f, r);
		break;
	case IOMC_EV_MEMREMAP:
	case IOMC_EV_MEMUNMAP:
	case IOMC_EV_PAGEMAP:
		print_op_memremap(fmt, f, ev);
		break;
	default:
		break;
	}
}

/* ---- One printer per report class (rules.h: IOMC_REPORT_CLASSES) -------
 * Each prints what its class's report says between the banner and the
 * rule's meaning: the headline, the operation (print_op), and the sites or
 * reasons the class names; the JSON printer adds the class's own fields.
 */

/* "comm/tid is <the table's headline>" */
static void headline(FILE *f, const struct iomc_report *r, const char *comm)
{
	const struct iomc_rule_info *ri = iomc_rule_info(r->v.rule);

	if (ri)
		fprintf(f, "%s/%u is %s:\n", comm, r->ev.tid, ri->headline);
	else
		fprintf(f, "%s/%u:\n", comm, r->ev.tid);
}

/* The operation, then the culprit frame (" in: ") */
static void op_and_culprit(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r)
{
	char b[256];
	__u64 a;

	print_op(fmt, f, r);
	if ((a = culprit(fmt, r)))
		fprintf(f, " in: %s\n", sym(fmt, a, b, sizeof(b)));
}

/* headline, operation, culprit and one "\n<label>: <site>" line */
static void with_site(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
		      const char *comm, const char *label, __u64 site)
{
	char b[256];

	headline(f, r, comm);
	op_and_culprit(fmt, f, r);
	fprintf(f, "\n%s: %s\n", label, sym(fmt, site, b, sizeof(b)));
}

static void rc_stack_order(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			   const char *comm)
{
	char b[256];

	with_site(fmt, f, r, comm, "which was mapped at", r->v.map_site);
	fprintf(f, "but the most recent map of this context was made at: %s\n",
		sym(fmt, r->v.other_site, b, sizeof(b)));
}

static void rc_sleep_atomic(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			    const char *comm)
{
	char b[256];

	headline(f, r, comm);
	op_and_culprit(fmt, f, r);
	fprintf(f, "\nbut %s context holds the atomic map taken at: %s\n",
		iomc_ctx_name(r->v.ctx), sym(fmt, r->v.map_site, b, sizeof(b)));
	fputs("(io_mapping_map_atomic_wc disabled preemption and page faults there)\n", f);
}

static void rc_bad_call(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			const char *comm)
{
	/* an unmap inside a map (engine.h iomc_unmap_locate_page): which one */
	if (r->v.rule == IOMC_RULE_UNKNOWN_UNMAP && r->v.map_site) {
		with_site(fmt, f, r, comm, "the address is inside the map made at",
			  r->v.map_site);
		fputs("(the kernel undid that map: it unmaps the page holding the address)\n", f);
		return;
	}
	headline(f, r, comm);
	op_and_culprit(fmt, f, r);
}

static void rc_out_of_range(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			    const char *comm)
{
	fprintf(f, "%s/%u is %s (size %llu):\n", comm, r->ev.tid,
		iomc_rule_info(r->v.rule)->headline, (unsigned long long)r->ev.size);
	op_and_culprit(fmt, f, r);
}

static void rc_wrong_unmap(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			   const char *comm)
{
	with_site(fmt, f, r, comm, "but it was mapped at", r->v.map_site);
}

static void rc_cross_context(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			     const char *comm)
{
	char b[256];

	fprintf(f, "%s/%u is unmapping in %s context a map of another context:\n",
		comm, r->ev.tid, iomc_ctx_name(r->ev.ctx));
	op_and_culprit(fmt, f, r);
	fprintf(f, "\nbut it was mapped at: %s\n", sym(fmt, r->v.map_site, b, sizeof(b)));
	fprintf(f, "by tid %u in %s context on CPU %u\n", r->v.other_tid,
		iomc_ctx_name(r->v.other_ctx), r->v.other_cpu);
}

static void rc_leak_on_free(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			    const char *comm)
{
	with_site(fmt, f, r, comm, "an outstanding map was taken at", r->v.map_site);
}

static void rc_leak_on_exit(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			    const char *comm)
{
	const struct iomc_event *ev = &r->ev;
	char b[256];

	if (ev->type == IOMC_EV_IRQ_EXIT)
		fprintf(f, "a %s handler is returning on CPU %u while holding a map (interrupted %s/%u):\n",
			iomc_ctx_name(ev->ctx), ev->cpu, comm, ev->tid);
	else
		headline(f, r, comm);
	op_and_culprit(fmt, f, r);
	fprintf(f, "\nthe map was taken at: %s\n", sym(fmt, r->v.map_site, b, sizeof(b)));
}

static void rc_use_after_free(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			      const char *comm)
{
	with_site(fmt, f, r, comm, "the mapping was freed at", r->v.other_site);
}

static void rc_depth(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
		     const char *comm)
{
	if (r->v.map_site)
		with_site(fmt, f, r, comm, "the nest began at", r->v.map_site);
	else
		rc_bad_call(fmt, f, r, comm);
}

static void rc_use_after_unmap(const struct iomc_fmt *fmt, FILE *f,
			       const struct iomc_report *r, const char *comm)
{
	char b[256];

	headline(f, r, comm);
	op_and_culprit(fmt, f, r);
	fprintf(f, "\nthe page was mapped by %s at: %s\n", iomc_kind_name(r->ev.kind),
		sym(fmt, r->v.map_site, b, sizeof(b)));
	fprintf(f, "and unmapped at: %s\n", sym(fmt, r->v.other_site, b, sizeof(b)));
	fprintf(f, "holder: pid %u\n", r->v.other_tid);
}

static const char *plural(__u64 n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void rc_leak_on_unload(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			      const char *comm)
{
	const struct iomc_event *ev = &r->ev;
	const struct iomc_viol *v = &r->v;

	fprintf(f, "%s/%u is %s a module whose code left %s behind:\n",
		comm, ev->tid,
		init_failed(ev) ? "freeing (its init failed)" : "unloading",
		unload_what(ev) == UNLOAD_MAPPING ? "a live mapping" :
		unload_what(ev) == UNLOAD_MAP ? "an outstanding map" :
		"a live memremap");
	op_and_culprit(fmt, f, r);
	switch (unload_what(ev)) {
	case UNLOAD_MAPPING:
		fprintf(f, "\nit was never freed (io_mapping_free/fini); %llu map%s of it %s still outstanding\n",
			(unsigned long long)ev->len, plural(ev->len, "", "s"),
			plural(ev->len, "is", "are"));
		break;
	case UNLOAD_MAP:
		fprintf(f, "\nit was never unmapped; held by tid %u in %s context (CPU %u)\n",
			v->other_tid, iomc_ctx_name(v->other_ctx), v->other_cpu);
		break;
	case UNLOAD_MEMREMAP:
		fprintf(f, "\nit was never memunmapped (%llu memremap%s of this address %s live)\n",
			(unsigned long long)ev->len, plural(ev->len, "", "s"),
			plural(ev->len, "is", "are"));
		break;
	}
}

static void json_leak_on_unload(FILE *f, const struct iomc_report *r)
{
	const struct iomc_event *ev = &r->ev;

	switch (unload_what(ev)) {
	case UNLOAD_MAPPING:
		fprintf(f, ",\"leaked\":\"mapping\",\"size\":%llu,\"outstanding_maps\":%llu",
			(unsigned long long)ev->size, (unsigned long long)ev->len);
		break;
	case UNLOAD_MAP:
		fprintf(f, ",\"leaked\":\"map\",\"kind\":\"%s\",\"owner\":{\"tid\":%u,\"context\":\"%s\",\"cpu\":%u}",
			iomc_kind_name(ev->kind), r->v.other_tid,
			iomc_ctx_name(r->v.other_ctx), r->v.other_cpu);
		break;
	case UNLOAD_MEMREMAP:
		fprintf(f, ",\"leaked\":\"memremap\",\"api\":\"%s\",\"phys\":\"0x%llx\",\"size\":%llu,\"memremaps\":%llu",
			iomc_mr_api_name(ev->kind),
			(unsigned long long)ev->offset,
			(unsigned long long)ev->size, (unsigned long long)ev->len);
		break;
	}
	fprintf(f, ",\"init_failed\":%s", init_failed(ev) ? "true" : "false");
}

static void json_use_after_unmap(FILE *f, const struct iomc_report *r)
{
	fprintf(f, ",\"kind\":\"%s\",\"holder\":{\"pid\":%u},\"fixed\":%s",
		iomc_kind_name(r->ev.kind), r->v.other_tid,
		IOMC_FAULT_FIXED(r->ev.size) ? "true" : "false");
}

static void json_cross_context(FILE *f, const struct iomc_report *r)
{
	fprintf(f, ",\"owner\":{\"tid\":%u,\"context\":\"%s\",\"cpu\":%u}",
		r->v.other_tid, iomc_ctx_name(r->v.other_ctx), r->v.other_cpu);
}

/* The memremap classes: why the call is wrong, in one line. */
static void why_mr_flags(const struct iomc_report *r, char *buf, size_t n)
{
	__u32 low = IOMC_MR_LOW(r->ev.arg);

	if (!(low & IOMC_MEMREMAP_TYPES))
		snprintf(buf, n, "no type flag (MEMREMAP_WB, _WT or _WC): memremap returns NULL");
	else if (low & ~(__u32)IOMC_MEMREMAP_KNOWN)
		snprintf(buf, n, "unknown flag bits 0x%x", low & ~(__u32)IOMC_MEMREMAP_KNOWN);
	else
		snprintf(buf, n, "MEMREMAP_ENC and MEMREMAP_DEC together");
}

static void why_mr_refused(const struct iomc_report *r, char *buf, size_t n)
{
	__u32 low = IOMC_MR_LOW(r->ev.arg);

	if (IOMC_MR_REGION(r->ev.arg) == IOMC_REGION_MIXED)
		snprintf(buf, n, "the range mixes System RAM and other resources: refused whatever the type");
	else
		snprintf(buf, n, "%s tried over System RAM: only WB is served there (from the direct map), another type would alias RAM",
			 low & IOMC_MEMREMAP_WT ? "MEMREMAP_WT" : "MEMREMAP_WC");
}

static void why_mr_unknown_unmap(const struct iomc_report *r, char *buf, size_t n)
{
	if (r->v.map_site)	/* engine.h iomc_memunmap_page_key */
		snprintf(buf, n, "not the address memremap returned but inside its page: memunmap undid that memremap");
	else
		snprintf(buf, n, "no live memremap returned this address (never mapped, or already unmapped)");
}

static void why_pagemap_mmio(const struct iomc_report *r, char *buf, size_t n)
{
	snprintf(buf, n, "the range overlaps a PCI bus window (device MMIO), but %s expects host memory",
		 iomc_pgmap_name(IOMC_MR_LOW(r->ev.arg)));
}

static void why_pagemap_uninit(const struct iomc_report *r, char *buf, size_t n)
{
	__u32 low = IOMC_MR_LOW(r->ev.arg);

	if (low == IOMC_PGMAP_UNSET)
		snprintf(buf, n, "pgmap->type is not set");
	else if (!r->ev.len)
		snprintf(buf, n, "pgmap->nr_range is 0");
	else
		snprintf(buf, n, "pgmap->range is not set");
}

static void class_why(const struct iomc_report *r, char *buf, size_t n);

/* The memremap classes: the call, why it is wrong, the culprit. */
static void rc_memremap(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			const char *comm)
{
	char b[256];
	__u64 a;

	headline(f, r, comm);
	print_op(fmt, f, r);
	class_why(r, b, sizeof(b));
	fprintf(f, "\nwhy: %s\n", b);
	if (r->v.rule == IOMC_RULE_MEMUNMAP_UNKNOWN && r->v.map_site)
		fprintf(f, " memremap made at: %s\n", sym(fmt, r->v.map_site, b, sizeof(b)));
	if ((a = culprit(fmt, r)))
		fprintf(f, " in: %s\n", sym(fmt, a, b, sizeof(b)));
}

typedef void rc_text_fn(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r,
			const char *comm);

static const struct report_class {
	rc_text_fn *text;
	/* the memremap classes: the "why" line (text) and key (JSON) */
	void (*why)(const struct iomc_report *r, char *buf, size_t n);
	/* fields of the class's own in the JSON line */
	void (*json)(FILE *f, const struct iomc_report *r);
} classes[IOMC_RC_MAX] = {
	[IOMC_RC_STACK_ORDER]	= { .text = rc_stack_order },
	[IOMC_RC_SLEEP_ATOMIC]	= { .text = rc_sleep_atomic },
	[IOMC_RC_BAD_CALL]	= { .text = rc_bad_call },
	[IOMC_RC_OUT_OF_RANGE]	= { .text = rc_out_of_range },
	[IOMC_RC_WRONG_UNMAP]	= { .text = rc_wrong_unmap },
	[IOMC_RC_CROSS_CONTEXT]	= { .text = rc_cross_context, .json = json_cross_context },
	[IOMC_RC_LEAK_ON_FREE]	= { .text = rc_leak_on_free },
	[IOMC_RC_LEAK_ON_EXIT]	= { .text = rc_leak_on_exit },
	[IOMC_RC_USE_AFTER_FREE] = { .text = rc_use_after_free },
	[IOMC_RC_DEPTH]		= { .text = rc_depth },
	[IOMC_RC_LEAK_ON_UNLOAD] = { .text = rc_leak_on_unload, .json = json_leak_on_unload },
	[IOMC_RC_MR_FLAGS]	= { .text = rc_memremap, .why = why_mr_flags },
	[IOMC_RC_MR_REFUSED]	= { .text = rc_memremap, .why = why_mr_refused },
	[IOMC_RC_MR_UNKNOWN_UNMAP] = { .text = rc_memremap, .why = why_mr_unknown_unmap },
	[IOMC_RC_PAGEMAP_MMIO]	= { .text = rc_memremap, .why = why_pagemap_mmio },
	[IOMC_RC_PAGEMAP_UNINIT] = { .text = rc_memremap, .why = why_pagemap_uninit },
	[IOMC_RC_USE_AFTER_UNMAP] = { .text = rc_use_after_unmap,
				      .json = json_use_after_unmap },
};

/* A rule no table entry has (a newer BPF object, a damaged record) */
static const struct report_class unknown_class = { .text = rc_bad_call };

static const struct report_class *class_of(const struct iomc_report *r)
{
	const struct iomc_rule_info *ri = iomc_rule_info(r->v.rule);

	return ri ? &classes[ri->rc] : &unknown_class;
}

static void class_why(const struct iomc_report *r, char *buf, size_t n)
{
	class_of(r)->why(r, buf, n);
}

/* The API family the banner names: the rule's, or for a leak what leaked. */
static const char *family_of(const struct iomc_report *r)
{
	const struct iomc_rule_info *ri = iomc_rule_info(r->v.rule);
	enum iomc_family fam = ri ? ri->family : IOMC_FAM_IO_MAPPING;

	if (fam == IOMC_FAM_ANY)
		fam = r->ev.type == IOMC_EV_MODULE_END && unload_what(&r->ev) == UNLOAD_MEMREMAP ?
		      IOMC_FAM_MEMREMAP : IOMC_FAM_IO_MAPPING;
	return iomc_family_name(fam);
}

static void print_json(const struct iomc_fmt *fmt, FILE *f, const struct iomc_report *r)
{
	const struct iomc_event *ev = &r->ev;
	const struct report_class *cls = class_of(r);
	char comm[IOMC_COMM_LEN];
	unsigned int i;
	int n;

	comm_of(ev, comm);
	fprintf(f, "{\"rule\":\"%s\",\"time\":%llu.%09llu,\"task\":{\"comm\":",
		iomc_rule_name(r->v.rule),
		(unsigned long long)(ev->ts_ns / 1000000000ULL),
		(unsigned long long)(ev->ts_ns % 1000000000ULL));
	iomc_json_str(f, comm);
	fprintf(f, ",\"pid\":%u,\"tid\":%u},\"cpu\":%u,\"context\":\"%s\",\"op\":\"%s\"",
		ev->pid, ev->tid, ev->cpu, iomc_ctx_name(r->v.ctx), iomc_op_name(ev));
	fprintf(f, ",\"mapping\":\"0x%llx\",\"offset\":\"0x%llx\",\"vaddr\":\"0x%llx\",\"site\":",
		(unsigned long long)ev->mapping, (unsigned long long)ev->offset,
		(unsigned long long)ev->vaddr);
	json_sym(fmt, f, report_site(r));
	fputs(",\"map_site\":", f);
	json_sym(fmt, f, r->v.map_site);
	fputs(",\"culprit\":", f);
	json_sym(fmt, f, culprit(fmt, r));
	if (r->v.other_site) {
		fputs(",\"other_site\":", f);
		json_sym(fmt, f, r->v.other_site);
	}
	if (ev->type == IOMC_EV_MIGHT_SLEEP) {
		fputs(",\"function\":", f);
		json_sym(fmt, f, ev->arg);
	}
	if (cls->json)
		cls->json(f, r);
	if (iomc_ev_is_memremap(ev)) {
		char fb[64];

		if (ev->type == IOMC_EV_MEMREMAP)
			fprintf(f, ",\"phys\":\"0x%llx\",\"size\":%llu,\"flags\":\"%s\",\"region\":\"%s\"",
				(unsigned long long)ev->offset, (unsigned long long)ev->size,
				iomc_mr_flags(IOMC_MR_LOW(ev->arg), fb, sizeof(fb)),
				iomc_region_name(IOMC_MR_REGION(ev->arg)));
		else if (ev->type == IOMC_EV_PAGEMAP)
			fprintf(f, ",\"phys\":\"0x%llx\",\"size\":%llu,\"pgmap_type\":\"%s\",\"nr_range\":%llu,\"region\":\"%s\",\"mmio\":%s",
				(unsigned long long)ev->offset, (unsigned long long)ev->size,
				iomc_pgmap_name(IOMC_MR_LOW(ev->arg)), (unsigned long long)ev->len,
				iomc_region_name(IOMC_MR_REGION(ev->arg)),
				IOMC_MR_MMIO(ev->arg) ? "true" : "false");
	}
	if (cls->why) {
		char wb[256];

		cls->why(r, wb, sizeof(wb));
		fputs(",\"why\":", f);
		iomc_json_str(f, wb);
	}
	fputs(",\"held\":[", f);
	for (i = 0; i < r->n_held && i < IOMC_STACK_MAX; i++) {
		const struct iomc_held *h = &r->held[i];

		fprintf(f, "%s{\"kind\":\"%s\",\"mapping\":\"0x%llx\",\"offset\":\"0x%llx\","
			"\"vaddr\":\"0x%llx\",\"site\":", i ? "," : "",
			iomc_kind_name(h->kind), (unsigned long long)h->mapping,
			(unsigned long long)h->offset,
			(unsigned long long)h->vaddr);
		json_sym(fmt, f, h->site);
		fprintf(f, ",\"context\":\"%s\",\"tid\":%u}", iomc_ctx_name(h->ctx),
			h->tid);
	}
	fputs("],\"stack\":[", f);
	n = stack_frames(r);
	for (i = (unsigned int)stack_first(fmt, r, n); (int)i < n; i++) {
		if (i > (unsigned int)stack_first(fmt, r, n))
			fputc(',', f);
		json_sym(fmt, f, r->stack[i]);
	}
	fputs("],\"count\":1}\n", f);
}

static void print_text(const struct iomc_fmt *fmt, FILE *f,
		       const struct iomc_report *r)
{
	const struct iomc_event *ev = &r->ev;
	const struct report_class *cls = class_of(r);
	char comm[COMM_TEXT_LEN], b[256];
	unsigned int i;
	int n;

	comm_text(ev, comm);
	fputs("\n======================================================\n", f);
	fprintf(f, "WARNING: %s rule violated: %s\n", family_of(r), iomc_rule_name(r->v.rule));
	fprintf(f, "%s %s", fmt->release, fmt->version);
	if (fmt->live) {
		fputc(' ', f);
		tainted(f);
	}
	fputs("\n------------------------------------------------------\n", f);
	cls->text(fmt, f, r, comm);
	fprintf(f, "(%s)\n", iomc_rule_desc(r->v.rule));
	fputs("\nother info that might help us debug this:\n", f);
	if (!r->n_held) {
		fprintf(f, "no maps held by %s/%u in %s context.\n", comm,
			r->held_tid ? r->held_tid : ev->tid, iomc_ctx_name(r->held_ctx));
	} else {
		fprintf(f, "%u map%s held by %s/%u in %s context:\n", r->n_held,
			r->n_held == 1 ? "" : "s", comm, r->held_tid,
			iomc_ctx_name(r->held_ctx));
		for (i = 0; i < r->n_held && i < IOMC_STACK_MAX; i++) {
			const struct iomc_held *h = &r->held[i];

			fprintf(f, " #%u: %s 0x%llx (mapping 0x%llx+0x%llx), at: %s\n",
				i, iomc_kind_name(h->kind), (unsigned long long)h->vaddr,
				(unsigned long long)h->mapping,
				(unsigned long long)h->offset,
				sym(fmt, h->site, b, sizeof(b)));
		}
	}
	fprintf(f, "\nstack backtrace:\nCPU: %u PID: %u Comm: %s %s context, at %llu.%06llu\n",
		ev->cpu, ev->tid, comm, iomc_ctx_name(ev->ctx),
		(unsigned long long)(ev->ts_ns / 1000000000ULL),
		(unsigned long long)(ev->ts_ns % 1000000000ULL / 1000));
	n = stack_frames(r);
	if (!n)
		fprintf(f, " (no stack: %d)\n", r->stack_bytes);
	for (i = (unsigned int)stack_first(fmt, r, n); (int)i < n; i++)
		fprintf(f, " %s\n", sym(fmt, r->stack[i], b, sizeof(b)));
}

static void violation_as(const struct iomc_fmt *fmt, int json,
			 const struct iomc_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	cur_report = r;
	if (json)
		print_json(fmt, f, r);
	else
		print_text(fmt, f, r);
	cur_report = NULL;
	emit(fmt, f, &buf, &len, LOG_WARNING, json && !fmt->json);
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void status_as(const struct iomc_fmt *fmt, int json, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return;
	if (json) {
		fprintf(f, "{\"type\":\"status\",\"time\":%.9f,\"message\":", now_mono());
		iomc_json_str(f, msg);
		fputs("}\n", f);
	} else {
		fprintf(f, "iomap-checkd: %s\n", msg);
	}
	emit(fmt, f, &buf, &len, LOG_NOTICE, json && !fmt->json);
}

static void lost_as(const struct iomc_fmt *fmt, int json, const char *what,
		    __u64 n, __u64 total, double time_s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (json)
		fprintf(f, "{\"type\":\"lost\",\"time\":%.9f,\"what\":\"%s\",\"count\":%llu,\"total\":%llu}\n",
			time_s, what, (unsigned long long)n,
			(unsigned long long)total);
	else
		fprintf(f, "iomap-checkd: LOST %llu %s (%llu in all)\n",
			(unsigned long long)n, what, (unsigned long long)total);
	emit(fmt, f, &buf, &len, LOG_ERR, json && !fmt->json);
}

/* the summary's JSON object: total is the violations counted */
static void summary_json(const struct iomc_fmt *fmt, FILE *f, const struct iomc_summary *s,
			 __u64 total)
{
	unsigned int i;

	fprintf(f, "{\"type\":\"summary\",\"time\":%.9f,\"final\":%s,\"events\":%llu,\"memremap_events\":%llu,\"might_sleep_calls\":%llu,\"violations\":%llu,\"rules\":{",
		now_mono(), s->final ? "true" : "false",
		(unsigned long long)s->c.events, (unsigned long long)s->c.mr_events,
		(unsigned long long)s->c.might_sleep,
		(unsigned long long)total);
	for (i = 0; i < IOMC_RULE_MAX; i++)
		fprintf(f, "%s\"%s\":{\"count\":%llu,\"sites\":%u}", i ? "," : "",
			iomc_rule_name(i), (unsigned long long)s->rule_count[i],
			s->rule_sites[i]);
	fputs("},\"sites\":[", f);
	for (i = 0; i < s->n_sites; i++) {
		fprintf(f, "%s{\"rule\":\"%s\",\"site\":", i ? "," : "",
			iomc_rule_name(s->sites[i].rule));
		json_sym(fmt, f, s->sites[i].site);
		fputs(",\"map_site\":", f);
		json_sym(fmt, f, s->sites[i].map_site);
		fprintf(f, ",\"count\":%llu}", (unsigned long long)s->sites[i].count);
	}
	fprintf(f, "],\"lost\":{\"reports\":%llu,\"records\":%llu,\"untracked\":%llu,\"dedup_full\":%llu,\"recursion\":%llu,\"output\":%llu,\"recording\":%llu}",
		(unsigned long long)s->c.rb_fail, (unsigned long long)s->c.rec_fail,
		(unsigned long long)s->c.untracked,
		(unsigned long long)s->c.seen_full, (unsigned long long)s->misses,
		(unsigned long long)s->out_lost, (unsigned long long)s->rec_lost);
	if (s->run_cnt) {
		fprintf(f, ",\"bpf\":{\"runs\":%llu,\"ns\":%llu,\"programs\":{",
			(unsigned long long)s->run_cnt, (unsigned long long)s->run_ns);
		for (i = 0; i < s->n_prog; i++)
			fprintf(f, "%s\"%s\":{\"runs\":%llu,\"ns\":%llu}", i ? "," : "",
				s->prog[i].name, (unsigned long long)s->prog[i].runs,
				(unsigned long long)s->prog[i].ns);
		fputs("}}", f);
	}
	fputs("}\n", f);
}

/* the summary's text: total violations of kinds rules */
static void summary_text(const struct iomc_fmt *fmt, FILE *f, const struct iomc_summary *s,
			 __u64 total, unsigned int kinds)
{
	char b[256], b2[256];
	unsigned int i;

	fprintf(f, "iomap-checkd: %s: %llu violation%s of %u rule%s, %llu io_mapping and %llu memremap events checked\n",
		s->final ? "summary" : "summary so far", (unsigned long long)total,
		total == 1 ? "" : "s", kinds, kinds == 1 ? "" : "s",
		(unsigned long long)s->c.events, (unsigned long long)s->c.mr_events);
	for (i = 0; i < IOMC_RULE_MAX; i++)
		if (s->rule_count[i])
			fprintf(f, "  %-22s %8llu  (%u site%s)\n", iomc_rule_name(i),
				(unsigned long long)s->rule_count[i], s->rule_sites[i],
				s->rule_sites[i] == 1 ? "" : "s");
	for (i = 0; i < s->n_sites; i++) {
		fprintf(f, "    %-20s x%-6llu at: %s", iomc_rule_name(s->sites[i].rule),
			(unsigned long long)s->sites[i].count,
			sym(fmt, s->sites[i].site, b, sizeof(b)));
		if (s->sites[i].map_site && s->sites[i].map_site != s->sites[i].site)
			fprintf(f, "  map: %s", sym(fmt, s->sites[i].map_site, b2, sizeof(b2)));
		fputc('\n', f);
	}
	fprintf(f, "  lost: %llu reports (ring buffer full), %llu recorded events, %llu untracked maps, %llu runs skipped by the kernel (recursion), %llu messages not written (output errors), %llu events not written to the recording\n",
		(unsigned long long)s->c.rb_fail, (unsigned long long)s->c.rec_fail,
		(unsigned long long)s->c.untracked, (unsigned long long)s->misses,
		(unsigned long long)s->out_lost, (unsigned long long)s->rec_lost);
	if (s->run_cnt) {
		fprintf(f, "  bpf: %llu program runs, %llu ns each on average (kernel BPF stats)\n",
			(unsigned long long)s->run_cnt,
			(unsigned long long)(s->run_ns / s->run_cnt));
		for (i = 0; i < s->n_prog; i++)
			if (s->prog[i].runs)
				fprintf(f, "    %-22s %10llu runs %8llu ns/run\n", s->prog[i].name,
					(unsigned long long)s->prog[i].runs,
					(unsigned long long)(s->prog[i].ns / s->prog[i].runs));
	}
}

static void summary_as(const struct iomc_fmt *fmt, int json,
		       const struct iomc_summary *s)
{
	char *buf = NULL;
	size_t len = 0;
	__u64 total = 0;
	unsigned int i, kinds = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	for (i = 0; i < IOMC_RULE_MAX; i++) {
		total += s->rule_count[i];
		kinds += s->rule_count[i] != 0;
	}
	/* the kernel's per-CPU count is exact; per-rule counts can only fall
	 * short of it when reports were lost (then said so, in-band) */
	if (s->c.violations > total)
		total = s->c.violations;
	if (json)
		summary_json(fmt, f, s, total);
	else
		summary_text(fmt, f, s, total, kinds);
	emit(fmt, f, &buf, &len, LOG_NOTICE, json && !fmt->json);
}

/*
 * Each report in the main output's format and, with --json-output, once more
 * as a JSON line in that file.
 */
#define ALSO_JSON(fmt) (!(fmt)->json && (fmt)->ops.write_json)

void iomc_print_violation(const struct iomc_fmt *fmt, const struct iomc_report *r)
{
	violation_as(fmt, fmt->json, r);
	if (ALSO_JSON(fmt))
		violation_as(fmt, 1, r);
}

void iomc_print_status(const struct iomc_fmt *fmt, const char *msgfmt, ...)
{
	char msg[4096];	/* the lists of hooks not attached are long */
	va_list ap;

	va_start(ap, msgfmt);
	vsnprintf(msg, sizeof(msg), msgfmt, ap);
	va_end(ap);
	status_as(fmt, fmt->json, msg);
	if (ALSO_JSON(fmt))
		status_as(fmt, 1, msg);
}

void iomc_print_lost_at(const struct iomc_fmt *fmt, const char *what, __u64 n,
		      __u64 total, __u64 ts_ns)
{
	double t = (double)(ts_ns / 1000000000ULL) + (double)(ts_ns % 1000000000ULL) / 1e9;

	lost_as(fmt, fmt->json, what, n, total, t);
	if (ALSO_JSON(fmt))
		lost_as(fmt, 1, what, n, total, t);
}

void iomc_print_lost(const struct iomc_fmt *fmt, const char *what, __u64 n,
		   __u64 total)
{
	double t = now_mono();

	lost_as(fmt, fmt->json, what, n, total, t);
	if (ALSO_JSON(fmt))
		lost_as(fmt, 1, what, n, total, t);
}

void iomc_print_summary(const struct iomc_fmt *fmt, const struct iomc_summary *s)
{
	summary_as(fmt, fmt->json, s);
	if (ALSO_JSON(fmt))
		summary_as(fmt, 1, s);
}
