// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Violation reports: see analyze_report.h. */
#include <string.h>
#include "analyze_report.h"
#include "analyze_syms.h"

static const char *const rule_names[] = {
#define X(id, name, desc) name,
	IOMC_RULES(X)
#undef X
};
static const char *const rule_descs[] = {
#define X(id, name, desc) desc,
	IOMC_RULES(X)
#undef X
};
static const char *const kind_names[] = IOMC_KIND_NAMES;
static const char *const ctx_names[] = IOMC_CTX_NAMES;

static const char *site(__u64 id)
{
	const char *s = az_sym_name(id);

	return s ? s : "?";
}

static const char *ctxname(__u32 c)
{
	return c < IOMC_CTX_MAX ? ctx_names[c] : "?";
}

static const char *kindname(__u32 k)
{
	return k < IOMC_KIND_MAX ? kind_names[k] : "?";
}

/* The API call an event stands for. */
static const char *op_name(const struct iomc_event *ev)
{
	static const char *const map[] = { "io_mapping_map_atomic_wc", "io_mapping_map_local_wc",
					   "io_mapping_map_wc" };
	static const char *const unmap[] = { "io_mapping_unmap_atomic", "io_mapping_unmap_local",
					     "io_mapping_unmap" };

	switch (ev->type) {
	case IOMC_EV_CREATE:	return "io_mapping_create_wc";
	case IOMC_EV_FREE:	return "io_mapping_free";
	case IOMC_EV_MAP:	return ev->kind < IOMC_KIND_MAX ? map[ev->kind] : "map";
	case IOMC_EV_UNMAP:	return ev->kind < IOMC_KIND_MAX ? unmap[ev->kind] : "unmap";
	case IOMC_EV_SWITCH:	return "schedule";
	case IOMC_EV_EXIT:	return ev->ctx == IOMC_CTX_TASK ? "exit" : "irq_exit";
	case IOMC_EV_IRQ_EXIT:	return "irq_exit";
	case IOMC_EV_MIGHT_SLEEP: return "might_sleep";
	default:		return "?";
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void comm_of(const struct iomc_event *ev, char *buf)
{
	memcpy(buf, ev->comm, IOMC_COMM_LEN);
	buf[IOMC_COMM_LEN - 1] = 0;
	if (!buf[0])
		strcpy(buf, "?");
}

static void print_json(FILE *f, const struct iomc_report *r, const char *input, __u64 line)
{
	const struct iomc_event *ev = &r->ev;
	char comm[IOMC_COMM_LEN];
	int i, n;

	comm_of(ev, comm);
	fprintf(f, "{\"rule\":\"%s\",\"time\":%llu.%09llu,\"task\":{\"comm\":",
		r->v.rule < IOMC_RULE_MAX ? rule_names[r->v.rule] : "?",
		(unsigned long long)(ev->ts_ns / 1000000000ULL),
		(unsigned long long)(ev->ts_ns % 1000000000ULL));
	json_str(f, comm);
	fprintf(f, ",\"pid\":%u,\"tid\":%u},\"cpu\":%u,\"context\":\"%s\",\"op\":\"%s\"",
		ev->pid, ev->tid, ev->cpu, ctxname(r->v.ctx), op_name(ev));
	fprintf(f, ",\"mapping\":\"0x%llx\",\"offset\":\"0x%llx\",\"vaddr\":\"0x%llx\",\"site\":",
		(unsigned long long)ev->mapping, (unsigned long long)ev->offset,
		(unsigned long long)ev->vaddr);
	json_str(f, site(ev->caller));
	fputs(",\"map_site\":", f);
	if (r->v.map_site)
		json_str(f, site(r->v.map_site));
	else
		fputs("null", f);
	fputs(",\"held\":[", f);
	for (i = 0; i < (int)r->n_held && i < IOMC_STACK_MAX; i++) {
		const struct iomc_held *h = &r->held[i];

		fprintf(f, "%s{\"kind\":\"%s\",\"mapping\":\"0x%llx\",\"offset\":\"0x%llx\","
			"\"vaddr\":\"0x%llx\",\"site\":", i ? "," : "", kindname(h->kind),
			(unsigned long long)h->mapping, (unsigned long long)h->offset,
			(unsigned long long)h->vaddr);
		json_str(f, site(h->site));
		fputc('}', f);
	}
	fputs("],\"stack\":[", f);
	n = r->stack_bytes > 0 ? r->stack_bytes / 8 : 0;
	for (i = 0; i < n && i < IOMC_STACK_FRAMES; i++) {
		if (i)
			fputc(',', f);
		json_str(f, site(r->stack[i]));
	}
	fputs("],\"count\":1,\"input\":", f);
	json_str(f, input);
	fprintf(f, ",\"line\":%llu}\n", (unsigned long long)line);
}

static void print_held(FILE *f, const struct iomc_report *r, const char *comm)
{
	int i;

	if (!r->n_held) {
		fprintf(f, "no maps held by %s/%u in %s context\n", comm, r->held_tid,
			ctxname(r->held_ctx));
		return;
	}
	fprintf(f, "%u map%s held by %s/%u in %s context:\n", r->n_held,
		r->n_held == 1 ? "" : "s", comm, r->held_tid, ctxname(r->held_ctx));
	for (i = 0; i < (int)r->n_held && i < IOMC_STACK_MAX; i++) {
		const struct iomc_held *h = &r->held[i];

		fprintf(f, " #%d: %s map of 0x%llx+0x%llx at 0x%llx, at: %s\n", i,
			kindname(h->kind), (unsigned long long)h->mapping,
			(unsigned long long)h->offset, (unsigned long long)h->vaddr, site(h->site));
	}
}

static void print_text(FILE *f, const struct iomc_report *r, const char *input, __u64 line)
{
	const struct iomc_event *ev = &r->ev;
	const struct iomc_viol *v = &r->v;
	char comm[IOMC_COMM_LEN];
	int i, n;

	comm_of(ev, comm);
	fputs("\n======================================================\n", f);
	fprintf(f, "WARNING: io_mapping rule violated: %s\n",
		v->rule < IOMC_RULE_MAX ? rule_names[v->rule] : "?");
	fprintf(f, "(%s)\n", v->rule < IOMC_RULE_MAX ? rule_descs[v->rule] : "?");
	fputs("------------------------------------------------------\n", f);
	fprintf(f, "%s/%u on CPU %u in %s context, at %llu.%06llu:\n", comm, ev->tid, ev->cpu,
		ctxname(ev->ctx), (unsigned long long)(ev->ts_ns / 1000000000ULL),
		(unsigned long long)(ev->ts_ns % 1000000000ULL / 1000));
	switch (ev->type) {
	case IOMC_EV_MAP:
		fprintf(f, "  %s(mapping 0x%llx, offset 0x%llx, len %llu) = 0x%llx, at: %s\n",
			op_name(ev), (unsigned long long)ev->mapping,
			(unsigned long long)ev->offset, (unsigned long long)ev->len,
			(unsigned long long)ev->vaddr, site(ev->caller));
		fprintf(f, "  mapping size %llu\n", (unsigned long long)ev->size);
		break;
	case IOMC_EV_UNMAP:
		fprintf(f, "  %s(0x%llx), at: %s\n", op_name(ev), (unsigned long long)ev->vaddr,
			site(ev->caller));
		break;
	case IOMC_EV_FREE:
		fprintf(f, "  %s(mapping 0x%llx), at: %s\n", op_name(ev),
			(unsigned long long)ev->mapping, site(ev->caller));
		break;
	case IOMC_EV_SWITCH:
		fputs("  switched out voluntarily (slept)\n", f);
		break;
	case IOMC_EV_EXIT:
		fputs("  exits\n", f);
		break;
	case IOMC_EV_IRQ_EXIT:
		fprintf(f, "  %s handler returns\n", ctxname(ev->ctx));
		break;
	default:
		fprintf(f, "  %s, at: %s\n", op_name(ev), site(ev->caller));
	}
	if (v->map_site) {
		switch (v->rule) {
		case IOMC_RULE_SLEEP_IN_ATOMIC:
		case IOMC_RULE_MIGHT_SLEEP_IN_ATOMIC:
			fprintf(f, "while holding the atomic map taken at: %s\n", site(v->map_site));
			break;
		default:
			fprintf(f, "the map concerned was taken at: %s\n", site(v->map_site));
		}
	}
	if (v->other_site) {
		if (v->rule == IOMC_RULE_LIFO)
			fprintf(f, "but the most recent map of that context was taken at: %s\n",
				site(v->other_site));
		else if (v->rule == IOMC_RULE_USE_AFTER_FREE)
			fprintf(f, "the mapping was freed at: %s\n", site(v->other_site));
	}
	if (v->rule == IOMC_RULE_CROSS_CONTEXT_UNMAP)
		fprintf(f, "it was mapped by task %u in %s context on CPU %u\n", v->other_tid,
			ctxname(v->other_ctx), v->other_cpu);
	fputs("\nother info that might help us debug this:\n", f);
	print_held(f, r, comm);
	n = r->stack_bytes > 0 ? r->stack_bytes / 8 : 0;
	if (n) {
		fputs("\nstack backtrace:\n", f);
		for (i = 0; i < n && i < IOMC_STACK_FRAMES; i++)
			fprintf(f, " %s\n", site(r->stack[i]));
	}
	if (line)
		fprintf(f, "\nevent: %s:%llu\n", input, (unsigned long long)line);
	else
		fprintf(f, "\nevent: %s\n", input);
}

void az_report_print(FILE *f, const struct iomc_report *r, int json, const char *input,
		     __u64 line)
{
	if (json)
		print_json(f, r, input, line);
	else
		print_text(f, r, input, line);
}

void az_report_lost(FILE *f, const struct iomc_event *ev, const char *input)
{
	fprintf(f, "{\"type\":\"lost_events\",\"cpu\":%u,\"events\":%llu,\"time\":%llu.%09llu,"
		"\"input\":", ev->cpu, (unsigned long long)ev->arg,
		(unsigned long long)(ev->ts_ns / 1000000000ULL),
		(unsigned long long)(ev->ts_ns % 1000000000ULL));
	json_str(f, input);
	fputs("}\n", f);
}
