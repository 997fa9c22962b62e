/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Synthetic trace lines for the analyzer's tests, fuzz seeds and benchmark,
 * printed with the producers' own formats:
 *  - ftrace (kernel/trace/trace_output.c): "%16s-%-7d ", tgid "(%7d) " or
 *    "(-------) ", "[%03d] ", flag columns, " %5lu.%06lu" (or " %12llu" for
 *    counter clocks), ": ", "<event>: ", then the event's TP_printk;
 *  - trace-cmd report: "%16s-%-5d [%03d] ", timestamp, "<event>:" padded;
 *  - perf script: "%16s %6d [%03d] %5lu.%06lu: <system>:<event>: ".
 * The TP_printk strings are kmod/iomap_check_trace.h's and the kernel's
 * sched_switch / sched_process_exit / irq ones, verbatim.
 */
#ifndef IOMC_ANALYZE_GEN_H
#define IOMC_ANALYZE_GEN_H

#include <stdio.h>
#include <string.h>

enum gen_style { GEN_FTRACE, GEN_TCREPORT, GEN_PERF };
enum gen_clock { GEN_US, GEN_NS, GEN_COUNTER };

struct gen_hdr {
	enum gen_style style;
	enum gen_clock clock;
	const char *comm;
	int pid;
	int tgid;		/* ftrace record-tgid column: -1 off, 0 "(-------)" */
	int cpu;
	const char *flags;	/* irq-info columns ("d..2."), NULL = option off */
	unsigned long long ts;	/* ns, or the raw counter */
};

#define GEN_MAP_FMT "kind=%s ctx=%s mapping=0x%lx size=%lu offset=0x%lx len=%lu vaddr=0x%lx caller=%s"
#define GEN_UNMAP_FMT "kind=%s ctx=%s vaddr=0x%lx caller=%s"
#define GEN_CREATE_FMT "mapping=0x%lx base=0x%llx size=%lu caller=%s"
#define GEN_FREE_FMT "mapping=0x%lx size=%lu caller=%s"
#define GEN_SWITCH_FMT "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> next_comm=%s next_pid=%d next_prio=%d"
#define GEN_SWITCH_PLUGIN_FMT "%s:%d [%d] %s ==> %s:%d [%d]"
#define GEN_EXIT_FMT "comm=%s pid=%d prio=%d group_dead=%s"

/* The line prefix up to and including "<event>: "; returns its length. */
static inline int gen_header(char *buf, size_t n, const struct gen_hdr *h, const char *system,
			     const char *event)
{
	unsigned long long s = h->ts / 1000000000ULL, ns = h->ts % 1000000000ULL;
	int k = 0;

#define GEN_PUT(...) do { int _r = snprintf(buf + k, n > (size_t)k ? n - k : 0, __VA_ARGS__); \
			  if (_r > 0) k += _r; } while (0)
	if (h->style == GEN_PERF) {
		GEN_PUT("%16s %6d [%03d] ", h->comm, h->pid, h->cpu);
		if (h->clock == GEN_NS)
			GEN_PUT("%5llu.%09llu: ", s, ns);
		else
			GEN_PUT("%5llu.%06llu: ", s, ns / 1000);
		GEN_PUT("%s:%s: ", system, event);
		return k;
	}
	if (h->style == GEN_TCREPORT) {
		char ev[64];

		GEN_PUT("%16s-%-5d [%03d] ", h->comm, h->pid, h->cpu);
		if (h->flags)
			GEN_PUT("%s ", h->flags);
		if (h->clock == GEN_NS)
			GEN_PUT("%5llu.%09llu: ", s, ns);
		else
			GEN_PUT("%5llu.%06llu: ", s, ns / 1000);
		snprintf(ev, sizeof(ev), "%s:", event);
		GEN_PUT("%-21s ", ev);
		return k;
	}
	GEN_PUT("%16s-%-7d ", h->comm, h->pid);
	if (h->tgid > 0)
		GEN_PUT("(%7d) ", h->tgid);
	else if (h->tgid == 0)
		GEN_PUT("(-------) ");
	GEN_PUT("[%03d] ", h->cpu);
	if (h->flags)
		GEN_PUT("%s", h->flags);
	if (h->clock == GEN_COUNTER)
		GEN_PUT(" %12llu: ", h->ts);
	else if (h->clock == GEN_NS)
		GEN_PUT(" %5llu.%09llu: ", s, ns);
	else
		GEN_PUT(" %5llu.%06llu: ", s, ns / 1000);
	GEN_PUT("%s: ", event);
#undef GEN_PUT
	return k;
}

static inline const char *gen_kind(int k)
{
	return k == 0 ? "atomic" : k == 1 ? "local" : "wc";
}

static inline const char *gen_ctx(int c)
{
	return c == 0 ? "task" : c == 1 ? "softirq" : c == 2 ? "hardirq" : "nmi";
}

static inline int gen_map(char *buf, size_t n, const struct gen_hdr *h, int kind, int ctx,
			  unsigned long mapping, unsigned long size, unsigned long offset,
			  unsigned long len, unsigned long vaddr, const char *caller)
{
	int k = gen_header(buf, n, h, "io_mapping", "io_mapping_map");

	return k + snprintf(buf + k, n - k, GEN_MAP_FMT "\n", gen_kind(kind), gen_ctx(ctx),
			    mapping, size, offset, len, vaddr, caller);
}

static inline int gen_unmap(char *buf, size_t n, const struct gen_hdr *h, int kind, int ctx,
			    unsigned long vaddr, const char *caller)
{
	int k = gen_header(buf, n, h, "io_mapping", "io_mapping_unmap");

	return k + snprintf(buf + k, n - k, GEN_UNMAP_FMT "\n", gen_kind(kind), gen_ctx(ctx),
			    vaddr, caller);
}

static inline int gen_create(char *buf, size_t n, const struct gen_hdr *h, unsigned long mapping,
			     unsigned long long base, unsigned long size, const char *caller)
{
	int k = gen_header(buf, n, h, "io_mapping", "io_mapping_create");

	return k + snprintf(buf + k, n - k, GEN_CREATE_FMT "\n", mapping, base, size, caller);
}

static inline int gen_free(char *buf, size_t n, const struct gen_hdr *h, unsigned long mapping,
			   unsigned long size, const char *caller)
{
	int k = gen_header(buf, n, h, "io_mapping", "io_mapping_free");

	return k + snprintf(buf + k, n - k, GEN_FREE_FMT "\n", mapping, size, caller);
}

/* state: "S", "D", "R", "R+", ... (the kernel's prev_state text) */
static inline int gen_switch(char *buf, size_t n, const struct gen_hdr *h, const char *state,
			     const char *next_comm, int next_pid)
{
	int k = gen_header(buf, n, h, "sched", "sched_switch");

	if (h->style == GEN_TCREPORT)	/* trace-cmd's sched_switch plugin */
		return k + snprintf(buf + k, n - k, GEN_SWITCH_PLUGIN_FMT "\n", h->comm, h->pid,
				    120, state, next_comm, next_pid, 120);
	return k + snprintf(buf + k, n - k, GEN_SWITCH_FMT "\n", h->comm, h->pid, 120, state,
			    next_comm, next_pid, 120);
}

static inline int gen_exit(char *buf, size_t n, const struct gen_hdr *h)
{
	int k = gen_header(buf, n, h, "sched", "sched_process_exit");

	return k + snprintf(buf + k, n - k, GEN_EXIT_FMT "\n", h->comm, h->pid, 120, "true");
}

/* module:module_free, a module's end: "module_free: NAME" */
static inline int gen_module_free(char *buf, size_t n, const struct gen_hdr *h, const char *name)
{
	int k = gen_header(buf, n, h, "module", "module_free");

	return k + snprintf(buf + k, n - k, "%s\n", name);
}

static inline int gen_irq_exit(char *buf, size_t n, const struct gen_hdr *h, int softirq)
{
	int k = gen_header(buf, n, h, "irq", softirq ? "softirq_exit" : "irq_handler_exit");

	if (softirq)
		return k + snprintf(buf + k, n - k, "vec=%u [action=%s]\n", 6u, "TASKLET");
	return k + snprintf(buf + k, n - k, "irq=%d ret=%s\n", 11, "handled");
}

/* ftrace's own header, as `cat trace` prints it with irq-info on. */
static inline int gen_ftrace_header(char *buf, size_t n, unsigned long in_buffer,
				    unsigned long written, int cpus)
{
	return snprintf(buf, n,
			"# tracer: nop\n#\n# entries-in-buffer/entries-written: %lu/%lu   #P:%d\n#\n"
			"#                                _-----=> irqs-off/BH-disabled\n"
			"#                               / _----=> need-resched\n"
			"#                              | / _---=> hardirq/softirq\n"
			"#                              || / _--=> preempt-depth\n"
			"#                              ||| / _-=> migrate-disable\n"
			"#                              |||| /     delay\n"
			"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
			"#              | |         |   |||||     |         |\n",
			in_buffer, written, cpus);
}

#endif
