// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeping while an atomic map is held (sleep_in_atomic,
 * might_sleep_in_atomic): the scheduler's hooks and the might-sleep
 * kprobes.
 */
#include "iomc_bpf.h"

/* The gfp flag that lets an allocation sleep (reclaim); bit 10 on 6.x. */
#define IOMC_GFP_DIRECT_RECLAIM 0x400u

__noinline int g_check_switch(struct iomc_scratch *sc, const struct iomc_stack *s)
{
	if (sc)
		iomc_check_switch(IOMC_BPF_RULES, &sc->ev, s, &sc->vd);
	return 0;
}

__noinline int g_check_might_sleep(struct iomc_scratch *sc,
				   const struct iomc_stack *task,
				   const struct iomc_stack *softirq,
				   const struct iomc_stack *hardirq,
				   const struct iomc_stack *nmi)
{
	if (sc)
		iomc_check_might_sleep(IOMC_BPF_RULES, &sc->ev, task, softirq,
				       hardirq, nmi, &sc->vd);
	return 0;
}


/*
 * A task sleeps while holding an atomic map. Two hooks:
 *  - a kprobe on __schedule_bug(), which the scheduler calls when a task
 *    schedules with preemption disabled ("BUG: scheduling while atomic";
 *    not a debug option): it catches the attempt, even when a wakeup
 *    that raced with it means no switch happens in the end. It is cold:
 *    arming it patches no hot code (a kprobe on schedule() itself, tried
 *    first, crashed a TCG guest while being armed);
 *  - the sched_switch tracepoint (preempt == false), on kernels without
 *    kprobes. The daemon attaches one of the two.
 * ev.caller: where the task went to sleep: the call site of the outermost
 * hooked might-sleep function (msleep...) if any, else 0 (the report then
 * names the atomic map's site; the stack shows the rest).
 */
static __always_inline int task_sleeps(void *ctx, int voluntary, __u64 ret)
{
	struct iomc_stack *task;
	struct iomc_scratch *sc;
	__u32 tid;

	if (!atomic_held)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task || !task->n_atomic)
		return 0;
	sc = begin(IOMC_CTX_TASK, IOMC_EV_SWITCH, IOMC_CTX_TASK);
	if (!sc)
		return 0;
	sc->ev.arg = voluntary;
	sc->ev.caller = task->ms_ret ? task->ms_ret : ret;
	record(&sc->ev);
	g_check_switch(sc, task);
	if (sc->vd.n)
		report(ctx, sc, task, IOMC_CTX_TASK, sc->ev.tid);
	return 0;
}

/* sched_switch(preempt, prev, next, prev_state): runs as prev. */
SEC("raw_tp/sched_switch")
int BPF_PROG(iomc_switch, bool preempt)
{
	return task_sleeps(ctx, !preempt, 0);
}

SEC("kprobe/__schedule_bug")
int iomc_schedule_bug(struct pt_regs *regs)
{
	return task_sleeps(regs, 1, 0);
}


/*
 * A might-sleep function was entered from call site 'caller'. sp/ret: the
 * stack pointer at entry and the return address it holds (0 in tests):
 * a might-sleep function called by another (msleep -> schedule_timeout)
 * is one event, not two, so a hit whose stack lies below the last
 * reported one, while that one's return address is still in place, is
 * inside it and skipped.
 */
static __always_inline int might_sleep(void *ctx, __u64 func, __u64 caller,
				       __u64 sp, __u64 ret)
{
	struct iomc_stack *s[IOMC_CTX_MAX], *h = 0;
	struct iomc_counters *c;
	struct iomc_scratch *sc;
	__u32 cpu, tid, hc = 0, i;
	__u64 cur;

	if (!atomic_held)
		return 0;
	c = cnt();
	if (c)
		c->might_sleep++;
	tid = (__u32)bpf_get_current_pid_tgid();
	cpu = bpf_get_smp_processor_id();
	s[IOMC_CTX_TASK] = bpf_map_lookup_elem(&tasks, &tid);
	s[IOMC_CTX_SOFTIRQ] = irq_stack(cpu, IOMC_CTX_SOFTIRQ);
	s[IOMC_CTX_HARDIRQ] = irq_stack(cpu, IOMC_CTX_HARDIRQ);
	s[IOMC_CTX_NMI] = irq_stack(cpu, IOMC_CTX_NMI);
	/* the innermost context holding an atomic map, as the engine picks */
	for (i = 0; i < IOMC_CTX_MAX; i++) {
		if (s[i] && s[i]->n_atomic) {
			h = s[i];
			hc = i;
		}
	}
	if (!h)
		return 0;
	if (sp) {
		if (h->ms_sp && sp < h->ms_sp &&
		    !bpf_probe_read_kernel(&cur, sizeof(cur), (void *)h->ms_sp) &&
		    cur == h->ms_ret)
			return 0;	/* nested in the call already seen */
		/* also where a task that goes to sleep now went to sleep */
		h->ms_sp = sp;
		h->ms_ret = ret;
	}
	sc = begin(SLOT_KPROBE, IOMC_EV_MIGHT_SLEEP, hc);
	if (!sc)
		return 0;
	sc->ev.arg = func;
	sc->ev.caller = caller;
	record(&sc->ev);
	g_check_might_sleep(sc, s[0], s[1], s[2], s[3]);
	if (sc->vd.n)
		report(ctx, sc, h, hc, tid);
	return 0;
}

/* gfp_arg: 1..3 the gfp_t argument, 0 none, MS_PTR1: the first argument
 * must not be NULL (iounmap(NULL) returns at once) */
#define MS_PTR1 (-1)

static __always_inline int ms_kprobe(struct pt_regs *regs, int gfp_arg)
{
	__u64 sp, ret = 0, gfp = 0;

	if (!atomic_held)
		return 0;
	if (gfp_arg == MS_PTR1 && !PT_REGS_PARM1(regs))
		return 0;
	if (gfp_arg == 1)
		gfp = PT_REGS_PARM1(regs);
	else if (gfp_arg == 2)
		gfp = PT_REGS_PARM2(regs);
	else if (gfp_arg == 3)
		gfp = PT_REGS_PARM3(regs);
	if (gfp_arg > 0 && !(gfp & IOMC_GFP_DIRECT_RECLAIM))
		return 0;
	sp = PT_REGS_SP(regs);
	bpf_probe_read_kernel(&ret, sizeof(ret), (void *)sp);
	return might_sleep(regs, bpf_get_func_ip(regs), ret, sp, ret);
}

/* Functions that may always sleep: mutex_lock, msleep, ... */
SEC("kprobe")
int iomc_ms(struct pt_regs *regs)
{
	return ms_kprobe(regs, 0);
}

/* Functions that may sleep unless their first argument is NULL: iounmap */
SEC("kprobe")
int iomc_ms_ptr1(struct pt_regs *regs)
{
	return ms_kprobe(regs, MS_PTR1);
}

/*
 * Every might_sleep() (and cond_resched()): without
 * CONFIG_DEBUG_ATOMIC_SLEEP, might_sleep() is might_resched(), a call of
 * __cond_resched() in the voluntary preemption mode (PREEMPT_DYNAMIC: the
 * might_resched static call's target). Runs on every such call in the
 * kernel, so the first test is the global atomic_held (no map lookup
 * while no atomic map is held anywhere). When a listed function (mutex_lock,
 * kmalloc...) calls might_sleep() itself, this hit lies inside the listed
 * one's and the nesting test in might_sleep() drops it: one call, one
 * report, the listed function's (it names the driver's call site).
 */
SEC("kprobe")
int iomc_ms_resched(struct pt_regs *regs)
{
	return ms_kprobe(regs, 0);
}

/* Allocators: may sleep if the gfp argument (1st, 2nd, 3rd) allows reclaim. */
SEC("kprobe")
int iomc_ms_gfp1(struct pt_regs *regs)
{
	return ms_kprobe(regs, 1);
}

SEC("kprobe")
int iomc_ms_gfp2(struct pt_regs *regs)
{
	return ms_kprobe(regs, 2);
}

SEC("kprobe")
int iomc_ms_gfp3(struct pt_regs *regs)
{
	return ms_kprobe(regs, 3);
}

/*
 * The same hooks, one kprobe.multi link per kind (fprobe: kernels with
 * CONFIG_FPROBE, Debian's 6.12 and 7.x): one ftrace update attaches all
 * the functions of a kind and one detaches them, where a kprobe each
 * costs a grace period at detach (seconds for 54 hooks under emulation).
 * fprobe's regs hold the same entry stack pointer as a kprobe on the
 * function's ftrace site, and bpf_get_func_ip() the same address
 * (checkd_attach.c loads these only where the kernel has fprobe, and
 * falls back to the kprobes above if a link is refused).
 */
#define MS_MULTI(name, gfp_arg)					\
SEC("kprobe.multi")							\
int name(struct pt_regs *regs)						\
{									\
	return ms_kprobe(regs, gfp_arg);				\
}

MS_MULTI(iomc_msm, 0)
MS_MULTI(iomc_msm_ptr1, MS_PTR1)
MS_MULTI(iomc_msm_gfp1, 1)
MS_MULTI(iomc_msm_gfp2, 2)
MS_MULTI(iomc_msm_gfp3, 3)

/*
 * Never attached: lets tests drive the might-sleep rule through
 * BPF_PROG_TEST_RUN (kprobe programs cannot be test-run).
 * Arguments: (function address, call site).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_might_sleep, __u64 func, __u64 caller)
{
	return might_sleep(ctx, func, caller, 0, 0);
}

