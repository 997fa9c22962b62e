/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one printer of a normalized event (struct iomc_event) and the names
 * of its values: every event type's fields, text (key=value) and JSON
 * ("key":value), the memremap, pagemap and module_end fields included.
 * `iomap-check analyze --dump-events` prints with it; the reports
 * (report.c) name the API calls and decode memremap flags, regions and
 * pgmap types through it.
 */
#ifndef IOMC_LIB_EVENT_H
#define IOMC_LIB_EVENT_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "iomap-check/abi.h"

/* Names by value; "?" for a value out of range. */
const char *iomc_ev_name(__u32 type);		/* "map", "memremap_pages" */
const char *iomc_kind_name(__u32 kind);	/* "atomic" */
const char *iomc_ctx_name(__u32 ctx);		/* "task" */
const char *iomc_mr_api_name(__u32 api);	/* "devm_memremap" */
const char *iomc_pgmap_name(__u32 type);	/* "MEMORY_DEVICE_PRIVATE" */
const char *iomc_region_name(__u32 region);	/* "no System RAM" ("unknown" if 0) */
/* memremap flags: "WB|WC", "0" or "WC|0x100" (unknown bits in hex) in buf */
const char *iomc_mr_flags(__u32 flags, char *buf, size_t n);

/* The API call an event stands for: "io_mapping_map_local_wc", "schedule" */
const char *iomc_op_name(const struct iomc_event *ev);

/* Whether the event is a memremap-family call (memremap, memunmap, pages) */
int iomc_ev_is_memremap(const struct iomc_event *ev);

/*
 * The event's own fields, after its type: " kind=local ctx=task vaddr=0x..."
 * (text) or ",\"kind\":\"local\",..." (JSON, to continue an object). The
 * common fields (time, cpu, task) and the site are the caller's.
 */
void iomc_event_text(FILE *f, const struct iomc_event *ev);
void iomc_event_json(FILE *f, const struct iomc_event *ev);

#endif /* IOMC_LIB_EVENT_H */
