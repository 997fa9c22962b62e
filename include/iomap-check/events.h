/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Values carried in the io_mapping tracepoints' scalar arguments.
 *
 * This header is the one definition shared by the kernel module (which
 * fires the tracepoints), the BPF programs (which read them as raw_tp u64
 * arguments) and userspace (analyzer, daemon). It must stay plain C with
 * no includes so that all three can use it.
 */
#ifndef IOMAP_CHECK_EVENTS_H
#define IOMAP_CHECK_EVENTS_H

/* Which variant of the API a map/unmap used. */
enum iomc_kind {
	IOMC_KIND_ATOMIC = 0,	/* io_mapping_map_atomic_wc / unmap_atomic */
	IOMC_KIND_LOCAL = 1,	/* io_mapping_map_local_wc / unmap_local */
	IOMC_KIND_WC = 2,	/* io_mapping_map_wc / io_mapping_unmap */
	IOMC_KIND_MAX
};

/* The context the caller ran in, sampled before the map took effect. */
enum iomc_ctx {
	IOMC_CTX_TASK = 0,
	IOMC_CTX_SOFTIRQ = 1,
	IOMC_CTX_HARDIRQ = 2,
	IOMC_CTX_NMI = 3,
	IOMC_CTX_MAX
};

/*
 * Tracepoints, system "io_mapping". The argument order is the raw_tp ABI
 * (ctx[0], ctx[1], ...) that the BPF programs rely on: never reorder.
 *
 * io_mapping_create(mapping, base, size, caller)
 * io_mapping_free(mapping, size, caller)
 * io_mapping_map(kind, ctx, mapping, size, offset, len, vaddr, caller)
 *	vaddr is 0 when the map was refused (bad offset).
 * io_mapping_unmap(kind, ctx, vaddr, caller)
 */
#define IOMC_TP_SYSTEM		"io_mapping"
#define IOMC_TP_CREATE		"io_mapping_create"
#define IOMC_TP_FREE		"io_mapping_free"
#define IOMC_TP_MAP		"io_mapping_map"
#define IOMC_TP_UNMAP		"io_mapping_unmap"

#define IOMC_KIND_NAMES { "atomic", "local", "wc" }
#define IOMC_CTX_NAMES { "task", "softirq", "hardirq", "nmi" }

#endif /* IOMAP_CHECK_EVENTS_H */
