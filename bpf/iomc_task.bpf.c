// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a context that may hold maps (leak_on_exit): a task's exit
 * and the return of a hardirq, softirq or NMI.
 */
#include "iomc_bpf.h"

__noinline int g_check_exit(struct iomc_scratch *sc, const struct iomc_stack *s)
{
	if (sc)
		iomc_check_exit(IOMC_BPF_RULES, &sc->ev, s, &sc->vd);
	return 0;
}

/*
 * A task exits: its maps leak. Runs as the exiting task, from two hooks:
 * a kprobe on do_exit (early: before exit_mm wakes a kthread_stop()er,
 * which may then free the mapping while the task is still exiting) and
 * the sched_process_exit tracepoint (kernels without kprobes). The first
 * to run reports and drops the task's stack; the second finds nothing.
 */
static __always_inline int task_exit(void *ctx)
{
	struct iomc_stack *task;
	struct iomc_scratch *sc;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&mr_pend, &tid);
	bpf_map_delete_elem(&mr_devm_unmap, &tid);
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task)
		return 0;
	if (task->depth || task->lost) {
		sc = begin(IOMC_CTX_TASK, IOMC_EV_EXIT, IOMC_CTX_TASK);
		if (sc) {
			record(&sc->ev);
			g_check_exit(sc, task);
			if (sc->vd.n)
				report(ctx, sc, task, IOMC_CTX_TASK, tid);
		}
		if (task->n_atomic)
			__sync_fetch_and_add(&atomic_held, -(__s64)task->n_atomic);
	}
	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}

/* sched_process_exit(task) */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(iomc_exit)
{
	return task_exit(ctx);
}

SEC("kprobe/do_exit")
int iomc_do_exit(struct pt_regs *regs)
{
	return task_exit(regs);
}

static __always_inline int irq_exit(void *ctx, __u32 ictx)
{
	struct iomc_stack *s;
	struct iomc_scratch *sc;

	if (!irq_held)
		return 0;
	s = irq_stack(bpf_get_smp_processor_id(), ictx);
	if (!s || (!s->depth && !s->lost))
		return 0;
	sc = begin(ictx, IOMC_EV_IRQ_EXIT, ictx);
	if (sc) {
		record(&sc->ev);
		g_check_exit(sc, s);
		if (sc->vd.n)
			report(ctx, sc, s, ictx, sc->ev.tid);
	}
	if (s->n_atomic)
		__sync_fetch_and_add(&atomic_held, -(__s64)s->n_atomic);
	if (s->depth)
		__sync_fetch_and_add(&irq_held, -(__s64)s->depth);
	iomc_stack_reset(s);
	return 0;
}

/* irq_handler_exit, hrtimer_expire_exit, local_timer_exit, irq_work_exit... */
SEC("raw_tp")
int BPF_PROG(iomc_hardirq_exit)
{
	return irq_exit(ctx, IOMC_CTX_HARDIRQ);
}

/* softirq_exit, tasklet_exit, timer_expire_exit */
SEC("raw_tp")
int BPF_PROG(iomc_softirq_exit)
{
	return irq_exit(ctx, IOMC_CTX_SOFTIRQ);
}

/* nmi_handler (x86: after each NMI handler) */
SEC("raw_tp")
int BPF_PROG(iomc_nmi_exit)
{
	return irq_exit(ctx, IOMC_CTX_NMI);
}

