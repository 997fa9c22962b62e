// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What iomap-checkd hooks in the kernel besides io_mapping's tracepoints.
 *
 * might_sleep_in_atomic: kprobes on the entry of functions that may sleep.
 * Not __might_sleep() itself: it exists only with CONFIG_DEBUG_ATOMIC_SLEEP,
 * which distribution kernels leave off. A function missing from the running
 * kernel (renamed, inlined) is skipped and named in the start-up log. A
 * might-sleep function called by another one (msleep -> schedule_timeout)
 * counts once, at the outer call (see bpf/iomc_sleep.bpf.c). Allocators
 * count only when their gfp_t argument allows direct reclaim
 * (__GFP_DIRECT_RECLAIM: GFP_KERNEL yes, GFP_ATOMIC/GFP_NOWAIT no); which
 * argument is the gfp_t is read from the kernel's BTF.
 *
 * ck_ms_every: what every might_sleep() calls on a kernel without
 * CONFIG_DEBUG_ATOMIC_SLEEP in the voluntary preemption mode (Debian's
 * default, PREEMPT_DYNAMIC's might_resched static call target, and
 * PREEMPT_VOLUNTARY's direct call): a kprobe there sees the calls that may
 * sleep through functions on no list (ioremap's alloc_vmap_area, vfree...).
 * The named hooks stay: they name the driver's call site, not a frame deep
 * in the allocator, and they are the only coverage in the none and full
 * modes, where might_sleep() calls nothing.
 */
#include "checkd_hooks.h"

const struct ck_ms_hook ck_ms_hooks[] = {
	{ "mutex_lock", CK_MS_SLEEP, "mutex" },
	{ "mutex_lock_interruptible", CK_MS_SLEEP, "mutex" },
	{ "mutex_lock_killable", CK_MS_SLEEP, "mutex" },
	{ "mutex_lock_io", CK_MS_SLEEP, "mutex" },
	{ "down", CK_MS_SLEEP, "semaphore" },
	{ "down_interruptible", CK_MS_SLEEP, "semaphore" },
	{ "down_killable", CK_MS_SLEEP, "semaphore" },
	{ "down_timeout", CK_MS_SLEEP, "semaphore" },
	{ "down_read", CK_MS_SLEEP, "rw semaphore" },
	{ "down_read_interruptible", CK_MS_SLEEP, "rw semaphore" },
	{ "down_read_killable", CK_MS_SLEEP, "rw semaphore" },
	{ "down_write", CK_MS_SLEEP, "rw semaphore" },
	{ "down_write_killable", CK_MS_SLEEP, "rw semaphore" },
	{ "msleep", CK_MS_SLEEP, "sleep" },
	{ "msleep_interruptible", CK_MS_SLEEP, "sleep" },
	{ "usleep_range_state", CK_MS_SLEEP, "sleep (usleep_range)" },
	{ "schedule_timeout", CK_MS_SLEEP, "sleep" },
	{ "schedule_hrtimeout_range", CK_MS_SLEEP, "sleep" },
	{ "wait_for_completion", CK_MS_SLEEP, "wait" },
	{ "wait_for_completion_timeout", CK_MS_SLEEP, "wait" },
	{ "wait_for_completion_interruptible", CK_MS_SLEEP, "wait" },
	{ "wait_for_completion_killable", CK_MS_SLEEP, "wait" },
	{ "synchronize_rcu", CK_MS_SLEEP, "RCU grace period" },
	{ "flush_work", CK_MS_SLEEP, "workqueue" },
	{ "__flush_workqueue", CK_MS_SLEEP, "workqueue" },
	{ "cancel_work_sync", CK_MS_SLEEP, "workqueue" },
	{ "cancel_delayed_work_sync", CK_MS_SLEEP, "workqueue" },
	/* user memory: may fault pages in. The copy routines themselves
	 * (_copy_to_user, _copy_from_user, the iov_iter copies) cannot be
	 * kprobed on the Debian 6.1/6.12 kernels (not ftrace-able, refused by
	 * kprobes): kept for kernels where they can; the page-faulting paths
	 * below can. */
	{ "_copy_to_user", CK_MS_SLEEP, "user copy (may fault)" },
	{ "_copy_from_user", CK_MS_SLEEP, "user copy (may fault)" },
	{ "fault_in_readable", CK_MS_SLEEP, "user page fault-in" },
	{ "fault_in_writeable", CK_MS_SLEEP, "user page fault-in" },
	{ "fault_in_safe_writeable", CK_MS_SLEEP, "user page fault-in" },
	{ "get_user_pages_fast", CK_MS_SLEEP, "user page pinning" },
	{ "pin_user_pages_fast", CK_MS_SLEEP, "user page pinning" },
	{ "get_user_pages", CK_MS_SLEEP, "user page pinning" },
	{ "pin_user_pages", CK_MS_SLEEP, "user page pinning" },
	{ "get_user_pages_unlocked", CK_MS_SLEEP, "user page pinning" },
	{ "vmalloc", CK_MS_SLEEP, "vmalloc" },
	/* a new vmalloc-area mapping: memtype_reserve's GFP_KERNEL allocation,
	 * alloc_vmap_area's might_sleep() (x86, 6.1 and 6.12). Hooked by name
	 * so that the report names the driver's ioremap call, and the hits
	 * inside it (__cond_resched, kmalloc) count once, as this one. */
	{ "ioremap", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_wc", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_wt", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_uc", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_cache", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_prot", CK_MS_SLEEP, "ioremap" },
	{ "ioremap_encrypted", CK_MS_SLEEP, "ioremap" },
	/* mmiotrace_iounmap's and remove_vm_area's might_sleep(), then
	 * vunmap's cond_resched(): one report instead of three; iounmap(NULL)
	 * returns at once and is not counted */
	{ "iounmap", CK_MS_PTR1, "iounmap" },
	{ "__kmalloc", CK_MS_ALLOC, "allocation" },
	{ "__kmalloc_node", CK_MS_ALLOC, "allocation" },
	{ "kmalloc_trace", CK_MS_ALLOC, "allocation" },
	{ "kmalloc_node_trace", CK_MS_ALLOC, "allocation" },
	{ "kmalloc_large", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc_node", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc_lru", CK_MS_ALLOC, "allocation" },
	{ "__alloc_pages", CK_MS_ALLOC, "page allocation" },
	/* 6.10+ names (memory allocation profiling) */
	{ "__kmalloc_noprof", CK_MS_ALLOC, "allocation" },
	{ "__kmalloc_node_noprof", CK_MS_ALLOC, "allocation" },
	{ "__kmalloc_cache_noprof", CK_MS_ALLOC, "allocation" },
	{ "__kmalloc_cache_node_noprof", CK_MS_ALLOC, "allocation" },
	{ "__kmalloc_large_noprof", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc_noprof", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc_node_noprof", CK_MS_ALLOC, "allocation" },
	{ "kmem_cache_alloc_lru_noprof", CK_MS_ALLOC, "allocation" },
	{ "__alloc_pages_noprof", CK_MS_ALLOC, "page allocation" },
	{ "vmalloc_noprof", CK_MS_SLEEP, "vmalloc" },
};
const unsigned int ck_n_ms_hooks = sizeof(ck_ms_hooks) / sizeof(ck_ms_hooks[0]);
const char ck_ms_every[] = "__cond_resched";

/*
 * Where an interrupt returns. Each is checked against that level's stack
 * on the CPU: a handler's maps must be balanced when it returns. The finer
 * ones (hrtimer, timer, tasklet callbacks) name the leak closer to its
 * cause; the generic ones catch the rest. Missing ones are skipped.
 */
const char *const ck_hardirq_exits[] = {
	"irq_handler_exit", "hrtimer_expire_exit",
	/* x86 vectors (arch/x86 irq_vectors.h) */
	"local_timer_exit", "irq_work_exit", "call_function_exit",
	"call_function_single_exit", "reschedule_exit",
	"x86_platform_ipi_exit", "error_apic_exit", "spurious_apic_exit",
	"thermal_apic_exit", "threshold_apic_exit", "deferred_error_apic_exit",
	NULL
};
const char *const ck_softirq_exits[] = {
	"softirq_exit", "tasklet_exit", "timer_expire_exit", NULL
};
const char *const ck_nmi_exits[] = { "nmi_handler", NULL };

void ck_hooks_print(FILE *f)
{
	unsigned int i;
	const char *const *t;

	fputs("might_sleep_in_atomic hooks (kprobes at function entry):\n ", f);
	for (i = 0; i < ck_n_ms_hooks; i++)
		if (ck_ms_hooks[i].cls == CK_MS_SLEEP)
			fprintf(f, " %s", ck_ms_hooks[i].func);
	fputs("\n  and, when their first argument is not NULL:\n ", f);
	for (i = 0; i < ck_n_ms_hooks; i++)
		if (ck_ms_hooks[i].cls == CK_MS_PTR1)
			fprintf(f, " %s", ck_ms_hooks[i].func);
	fputs("\n  and, when their gfp_t allows direct reclaim:\n ", f);
	for (i = 0; i < ck_n_ms_hooks; i++)
		if (ck_ms_hooks[i].cls == CK_MS_ALLOC)
			fprintf(f, " %s", ck_ms_hooks[i].func);
	fprintf(f, "\n  and every might_sleep() and cond_resched(): %s (in the voluntary\n"
		"  preemption mode; in the none and full modes might_sleep() calls nothing)\n",
		ck_ms_every);
	fputs("sleep_in_atomic: kprobe on __schedule_bug() (the scheduler's own \"scheduling\n"
	      "  while atomic\" check), or without kprobes the sched_switch tracepoint\n"
	      "  (switches that are not preemptions)\n", f);
	fputs("leak_on_exit: kprobe on do_exit and the sched_process_exit tracepoint;\n"
	      "  interrupt returns:\n  hardirq:", f);
	for (t = ck_hardirq_exits; *t; t++)
		fprintf(f, " %s", *t);
	fputs("\n  softirq:", f);
	for (t = ck_softirq_exits; *t; t++)
		fprintf(f, " %s", *t);
	fputs("\n  nmi:", f);
	for (t = ck_nmi_exits; *t; t++)
		fprintf(f, " %s", *t);
	fputs("\nall other rules: iomap_check.ko's tracepoints io_mapping_{create,free,map,unmap}\n"
	      "unload requests: delete_module syscall (kprobe)\n", f);
}
