// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The event printer and the names of event values: see event.h. */
#include <stdio.h>
#include <string.h>
#include "event.h"

typedef unsigned long long ull;

const char *iomc_ev_name(__u32 type)
{
	static const char *const names[IOMC_EV_MAX] = IOMC_EV_NAMES;

	return type < IOMC_EV_MAX && names[type] ? names[type] : "?";
}

const char *iomc_kind_name(__u32 kind)
{
	static const char *const names[] = IOMC_KIND_NAMES;

	return kind < IOMC_KIND_MAX ? names[kind] : "?";
}

const char *iomc_ctx_name(__u32 ctx)
{
	static const char *const names[] = IOMC_CTX_NAMES;

	return ctx < IOMC_CTX_MAX ? names[ctx] : "?";
}

const char *iomc_mr_api_name(__u32 api)
{
	static const char *const names[] = IOMC_MR_API_NAMES;

	return api < IOMC_MR_API_MAX ? names[api] : "?";
}

const char *iomc_pgmap_name(__u32 type)
{
	static const char *const names[] = IOMC_PGMAP_NAMES;

	return type < IOMC_PGMAP_MAX ? names[type] : "?";
}

const char *iomc_region_name(__u32 r)
{
	switch (r) {
	case IOMC_REGION_DISJOINT:	return "no System RAM";
	case IOMC_REGION_INTERSECTS:	return "System RAM";
	case IOMC_REGION_MIXED:		return "System RAM and other resources";
	default:			return "unknown";
	}
}

const char *iomc_mr_flags(__u32 fl, char *buf, size_t n)
{
	static const char *const names[] = { "WB", "WT", "WC", "ENC", "DEC" };
	size_t used = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < 5; i++)
		if (fl & (1u << i))
			used += (size_t)snprintf(buf + used, used < n ? n - used : 0,
						 "%s%s", used ? "|" : "", names[i]);
	if (fl & ~(__u32)IOMC_MEMREMAP_KNOWN)
		used += (size_t)snprintf(buf + used, used < n ? n - used : 0,
					 "%s0x%x", used ? "|" : "",
					 fl & ~(__u32)IOMC_MEMREMAP_KNOWN);
	if (!used)
		snprintf(buf, n, "0");
	return buf;
}

const char *iomc_op_name(const struct iomc_event *ev)
{
	static const char *const map[] = { "io_mapping_map_atomic_wc",
					   "io_mapping_map_local_wc",
					   "io_mapping_map_wc" };
	static const char *const unmap[] = { "io_mapping_unmap_atomic",
					     "io_mapping_unmap_local",
					     "io_mapping_unmap" };

	switch (ev->type) {
	case IOMC_EV_CREATE:	return "io_mapping_create_wc";
	case IOMC_EV_FREE:	return "io_mapping_free";
	case IOMC_EV_MAP:	return ev->kind < IOMC_KIND_MAX ? map[ev->kind] : "map";
	case IOMC_EV_UNMAP:	return ev->kind < IOMC_KIND_MAX ? unmap[ev->kind] : "unmap";
	case IOMC_EV_SWITCH:	return "schedule";
	case IOMC_EV_EXIT:	return "exit";
	case IOMC_EV_IRQ_EXIT:	return "irq_exit";
	case IOMC_EV_MIGHT_SLEEP: return "might_sleep";
	case IOMC_EV_MODULE_END: return "module_free";
	case IOMC_EV_FAULT:	return "page_fault";
	case IOMC_EV_MEMREMAP:
	case IOMC_EV_MEMUNMAP:
	case IOMC_EV_PAGEMAP:
		return iomc_mr_api_name(ev->kind);
	default:		return "?";
	}
}

int iomc_ev_is_memremap(const struct iomc_event *ev)
{
	return ev->type == IOMC_EV_MEMREMAP || ev->type == IOMC_EV_MEMUNMAP ||
	       ev->type == IOMC_EV_PAGEMAP;
}

/*
 * One table of each type's fields for both formats: F(key, fmt, value)
 * with fmt one of the kinds below, so text and JSON cannot disagree on
 * which fields an event has.
 */
enum fkind { HEX, NUM, STR, BOOL };

static void field(FILE *f, int json, const char *key, enum fkind k, ull v, const char *s)
{
	if (!json) {
		switch (k) {
		case HEX:  fprintf(f, " %s=0x%llx", key, v); break;
		case NUM:  fprintf(f, " %s=%llu", key, v); break;
		case BOOL: fprintf(f, " %s=%d", key, v ? 1 : 0); break;
		case STR:
			fprintf(f, strchr(s, ' ') ? " %s=\"%s\"" : " %s=%s", key, s);
			break;
		}
		return;
	}
	switch (k) {
	case HEX:  fprintf(f, ",\"%s\":\"0x%llx\"", key, v); break;
	case NUM:  fprintf(f, ",\"%s\":%llu", key, v); break;
	case BOOL: fprintf(f, ",\"%s\":%s", key, v ? "true" : "false"); break;
	case STR:  fprintf(f, ",\"%s\":\"%s\"", key, s); break;	/* our own names */
	}
}

#define H(key, v)	field(f, json, key, HEX, (ull)(v), NULL)
#define N(key, v)	field(f, json, key, NUM, (ull)(v), NULL)
#define B(key, v)	field(f, json, key, BOOL, (ull)(v), NULL)
#define S(key, s)	field(f, json, key, STR, 0, s)

static void memremap_fields(FILE *f, int json, const struct iomc_event *ev)
{
	char fb[64];

	S("api", iomc_mr_api_name(ev->kind));
	switch (ev->type) {
	case IOMC_EV_MEMREMAP:
		H("phys", ev->offset);
		N("size", ev->size);
		S("flags", iomc_mr_flags(IOMC_MR_LOW(ev->arg), fb, sizeof(fb)));
		S("region", iomc_region_name(IOMC_MR_REGION(ev->arg)));
		B("mmio", IOMC_MR_MMIO(ev->arg));
		break;
	case IOMC_EV_PAGEMAP:
		H("pgmap", ev->mapping);
		S("pgmap_type", iomc_pgmap_name(IOMC_MR_LOW(ev->arg)));
		H("phys", ev->offset);
		N("size", ev->size);
		N("nr_range", ev->len);
		S("region", iomc_region_name(IOMC_MR_REGION(ev->arg)));
		B("mmio", IOMC_MR_MMIO(ev->arg));
		break;
	case IOMC_EV_MEMUNMAP:
		if (ev->kind != IOMC_MR_MEMUNMAP_PAGES)
			break;
		H("pgmap", ev->mapping);
		B("failed_remap", ev->arg & IOMC_MEMUNMAP_FAILED_REMAP);
		return;
	}
	H("vaddr", ev->vaddr);
}

static void event_fields(FILE *f, int json, const struct iomc_event *ev)
{
	switch (ev->type) {
	case IOMC_EV_MAP:
		S("kind", iomc_kind_name(ev->kind));
		S("ctx", iomc_ctx_name(ev->ctx));
		H("mapping", ev->mapping);
		N("size", ev->size);
		H("offset", ev->offset);
		N("len", ev->len);
		H("vaddr", ev->vaddr);
		break;
	case IOMC_EV_UNMAP:
		S("kind", iomc_kind_name(ev->kind));
		S("ctx", iomc_ctx_name(ev->ctx));
		H("vaddr", ev->vaddr);
		break;
	case IOMC_EV_CREATE:
	case IOMC_EV_FREE:
		H("mapping", ev->mapping);
		N("size", ev->size);
		break;
	case IOMC_EV_IRQ_EXIT:
		S("ctx", iomc_ctx_name(ev->ctx));
		break;
	case IOMC_EV_MIGHT_SLEEP:
		H("function", ev->arg);
		break;
	case IOMC_EV_MODULE_END:
		H("module", ev->mapping);
		H("core", ev->offset);
		N("core_size", ev->len);
		H("init", ev->vaddr);
		N("init_size", ev->size);
		B("init_failed", ev->arg & IOMC_UNLOAD_FAILED);
		break;
	case IOMC_EV_FAULT:
		H("vaddr", ev->vaddr);
		H("mapping", ev->mapping);
		H("offset", ev->offset);
		H("map_site", ev->len);
		H("unmap_site", ev->arg);
		N("holder", IOMC_FAULT_HOLDER(ev->size));
		N("fixed", IOMC_FAULT_FIXED(ev->size));
		break;
	case IOMC_EV_MEMREMAP:
	case IOMC_EV_MEMUNMAP:
	case IOMC_EV_PAGEMAP:
		memremap_fields(f, json, ev);
		break;
	default:	/* switch: voluntary; drop: how many; exit: 0 */
		N("arg", ev->arg);
	}
}

void iomc_event_text(FILE *f, const struct iomc_event *ev)
{
	event_fields(f, 0, ev);
}

void iomc_event_json(FILE *f, const struct iomc_event *ev)
{
	event_fields(f, 1, ev);
}
