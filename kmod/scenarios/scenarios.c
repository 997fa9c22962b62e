// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios: real code paths using io_mapping rightly and wrongly.
 *
 * Each is a noinline function scn_<something> (so that the tracepoints'
 * caller symbolizes to it), called through scn_table only (address taken:
 * gcc keeps the original symbol rather than a .constprop/.isra clone).
 * Its comment says what a checker must report; scn_table at the bottom is
 * the one list of expectations (`list` in debugfs), in the form
 * rule@function where function contains the offending call.
 *
 * Bugs that would leave the kernel broken are contained (see each one)
 * so that the guest lives on to run the next scenario. Scenarios that
 * must not run unless the module refuses bad input (offset out of range,
 * use after free) rely on iomap_check.ko returning NULL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/irq_work.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "scn.h"

#define P PAGE_SIZE

/*
 * Legal nesting: local in local, atomic in local, atomic in atomic (four
 * deep), all unmapped in reverse order, with a wc map spanning the nest
 * (wc maps are not stacked). A checker must report nothing.
 */
static noinline int scn_nesting_legal(struct scn_ctx *c)
{
	void __iomem *w, *a, *b, *x, *y;

	w = op_map_wc(c->m, 8 * P, 2 * P);
	a = op_map_local(c->m, 0);
	b = op_map_local(c->m, P);
	x = op_map_atomic(c->m, 2 * P);
	y = op_map_atomic(c->m, 3 * P);
	scn_touch(w);
	scn_touch(a);
	scn_touch(b);
	scn_touch(x);
	scn_touch(y);
	op_unmap_atomic(y);
	op_unmap_atomic(x);
	op_unmap_local(b);
	op_unmap_local(a);
	op_unmap(w);
	return 0;
}

/*
 * map_wc may sleep and its map is not tied to a context: holding it
 * across msleep is legal. A checker must report nothing.
 */
static noinline int scn_wc_across_sleep(struct scn_ctx *c)
{
	void __iomem *w = op_map_wc(c->m, 0, 4 * P);

	scn_touch(w);
	msleep(20);
	scn_touch(w);
	op_unmap(w);
	return 0;
}

/*
 * Out-of-order unmap_local: a is unmapped while b, mapped after it, is
 * still outstanding. Must report lifo@scn_lifo_local.
 */
static noinline int scn_lifo_local(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);
	void __iomem *b = op_map_local(c->m, P);

	scn_touch(a);
	scn_touch(b);
	op_unmap_local(a);	/* b is on top: lifo */
	op_unmap_local(b);
	return 0;
}

/*
 * Out-of-order unmap_atomic. Preemption and page faults stay balanced
 * (two disables, two enables). Must report lifo@scn_lifo_atomic.
 */
static noinline int scn_lifo_atomic(struct scn_ctx *c)
{
	void __iomem *a = op_map_atomic(c->m, 0);
	void __iomem *b = op_map_atomic(c->m, P);

	scn_touch(a);
	scn_touch(b);
	op_unmap_atomic(a);	/* b is on top: lifo */
	op_unmap_atomic(b);
	return 0;
}

/*
 * msleep under an atomic map: the task schedules with preemption
 * disabled. Must report sleep_in_atomic@scn_sleep_in_atomic and
 * might_sleep_in_atomic@scn_sleep_in_atomic; the kernel itself prints
 * "BUG: scheduling while atomic" (and taints itself W).
 *
 * Containment: the scheduler "fixes" the bug by resetting the preempt
 * count to 0 (schedule_debug), so after msleep the count is one lower than
 * this code's map_atomic left it, and the unmap_atomic below would drive it
 * negative. We restore the count we had before sleeping. Page faults are
 * disabled per task (current->pagefault_disabled) and survive the sleep.
 * migrate_disable() keeps the task on this CPU across the sleep so that
 * iomap_check's per-CPU count of atomic maps, which unmap_atomic checks,
 * is the one this map_atomic raised.
 */
static noinline int scn_sleep_in_atomic(struct scn_ctx *c)
{
	unsigned int want;
	void __iomem *a;

	migrate_disable();
	a = op_map_atomic(c->m, 0);
	want = preempt_count() & PREEMPT_MASK;
	scn_touch(a);
	msleep(5);		/* the bug: sleeping with an atomic map */
	while ((preempt_count() & PREEMPT_MASK) < want)
		preempt_disable();
	scn_touch(a);
	op_unmap_atomic(a);
	migrate_enable();
	return 0;
}

static DEFINE_MUTEX(scn_mutex);

/*
 * mutex_lock under an atomic map. The mutex is uncontended, so nothing
 * actually sleeps, but mutex_lock may sleep. Must report
 * might_sleep_in_atomic@scn_mutex_in_atomic. The kernel prints a splat only
 * with CONFIG_DEBUG_ATOMIC_SLEEP (off in Debian's cloud kernels).
 */
static noinline int scn_mutex_in_atomic(struct scn_ctx *c)
{
	void __iomem *a = op_map_atomic(c->m, 0);

	mutex_lock(&scn_mutex);	/* the bug: may sleep */
	scn_touch(a);
	mutex_unlock(&scn_mutex);
	op_unmap_atomic(a);
	return 0;
}

/*
 * A call that may sleep, under an atomic map, through a kernel function
 * that is on none of iomap-checkd's lists: vfree() calls might_sleep()
 * (6.1: might_sleep_if(!in_interrupt()); 6.12: might_sleep()) before it
 * looks at its argument, and vfree(NULL) returns right after, so nothing
 * sleeps. Only a hook on what might_sleep() itself calls sees it. Must
 * report might_sleep_in_atomic@vfree (the site: the might_sleep() call),
 * with scn_might_sleep_unlisted as the culprit frame.
 */
static noinline int scn_might_sleep_unlisted(struct scn_ctx *c)
{
	void __iomem *a = op_map_atomic(c->m, 0);

	vfree(NULL);	/* the bug: may sleep */
	scn_touch(a);
	op_unmap_atomic(a);
	return 0;
}

/*
 * Offset not page aligned. The kernel returns iomem + offset and so does
 * iomap_check. Must report unaligned_offset@scn_unaligned_offset.
 */
static noinline int scn_unaligned_offset(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, P + 0x80);

	scn_touch(a);
	op_unmap_local(a);
	return 0;
}

/*
 * offset >= size, with map_local and map_atomic. The kernel would BUG()
 * on 32-bit and hand out an address past the aperture on 64-bit;
 * iomap_check fires the event (vaddr 0) and returns NULL, with nothing
 * disabled. Must report offset_out_of_range@scn_offset_ge_size (twice).
 */
static noinline int scn_offset_ge_size(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, c->size);
	void __iomem *b = op_map_atomic(c->m, c->size + P);

	/* Only reached if the module failed to refuse: undo what it did. */
	if (b)
		op_unmap_atomic(b);
	if (a)
		op_unmap_local(a);
	return a || b ? -EINVAL : 0;
}

/*
 * map_wc whose length runs past the end of the mapping (the offset itself
 * is inside). The address is returned, as the kernel does; only the first
 * page is touched. Must report offset_out_of_range@scn_len_past_end.
 */
static noinline int scn_len_past_end(struct scn_ctx *c)
{
	void __iomem *w = op_map_wc(c->m, c->size - P, 2 * P);

	scn_touch(w);
	op_unmap(w);
	return 0;
}

/*
 * Unmap with the wrong variant: a local map released with unmap_atomic,
 * another with io_mapping_unmap. The combinations are chosen to be
 * harmless: no atomic map is outstanding on this CPU, so iomap_check
 * refuses to re-enable preemption and page faults it never disabled; and
 * io_mapping_unmap of an address it did not ioremap is a no-op in both
 * strategies. Must report unmap_mismatch@scn_unmap_mismatch (twice).
 */
static noinline int scn_unmap_mismatch(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);
	void __iomem *b;

	scn_touch(a);
	op_unmap_atomic(a);	/* the bug: mapped with map_local_wc */
	b = op_map_local(c->m, P);
	scn_touch(b);
	op_unmap(b);		/* the bug: mapped with map_local_wc */
	return 0;
}

/*
 * Unmap of an address inside the aperture that was never mapped. Must
 * report unknown_unmap@scn_unknown_unmap.
 */
static noinline int scn_unknown_unmap(struct scn_ctx *c)
{
	op_unmap_local(c->m->iomem + 8 * P);
	return 0;
}

/*
 * The same local map unmapped twice. Must report
 * unknown_unmap@scn_double_unmap (for the second unmap).
 */
static noinline int scn_double_unmap(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);

	scn_touch(a);
	op_unmap_local(a);
	op_unmap_local(a);	/* the bug */
	return 0;
}

/*
 * io_mapping_free while a local and a wc map of it are outstanding. Must
 * report leak_on_free@scn_leak_on_free. The dangling addresses are not
 * used afterwards (and not unmapped: a checker should forget the maps of
 * a freed mapping once it has reported them). Under the permap strategy
 * the wc map's own ioremap stays until iomap_check is unloaded.
 */
static noinline int scn_leak_on_free(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);
	void __iomem *w = op_map_wc(c->m, P, P);

	scn_touch(a);
	scn_touch(w);
	op_free(c->m);		/* the bug: a and w still mapped */
	c->m = NULL;
	return 0;
}

struct scn_thread_arg {
	struct io_mapping *m;
	struct completion mapped;
};

/*
 * Kthread that exits holding a local map. Must report
 * leak_on_exit@scn_leak_on_exit_thread.
 */
static noinline int scn_leak_on_exit_thread(void *data)
{
	struct scn_thread_arg *t = data;
	void __iomem *a = op_map_local(t->m, 0);

	scn_touch(a);
	complete(&t->mapped);
	/* Wait for kthread_stop, then exit without unmapping a. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Runs scn_leak_on_exit_thread and waits until it has exited. */
static noinline int scn_leak_on_exit(struct scn_ctx *c)
{
	struct scn_thread_arg t = { .m = c->m };
	struct task_struct *k;

	init_completion(&t.mapped);
	k = kthread_run(scn_leak_on_exit_thread, &t, "iomc_leak_exit");
	if (IS_ERR(k))
		return PTR_ERR(k);
	wait_for_completion(&t.mapped);
	/*
	 * kthread_stop() returns when the thread let go of its mm, before
	 * do_exit() fires sched_process_exit: the caller's io_mapping_free
	 * would come first in a trace. Wait for exit_notify() (exit_state),
	 * which follows the tracepoint, so traces show the exit holding the
	 * map, as it happened.
	 */
	get_task_struct(k);
	kthread_stop(k);
	for (int i = 0; i < 1000 && !READ_ONCE(k->exit_state); i++)
		msleep(1);
	put_task_struct(k);
	return 0;
}

struct scn_xctx {
	struct work_struct work;
	void __iomem *vaddr;
};

/*
 * Runs in a kworker: unmaps a local map that scn_cross_context made in
 * the writer's task. Must report cross_context_unmap@scn_cross_context_work.
 */
static noinline void scn_cross_context_work(struct work_struct *work)
{
	struct scn_xctx *x = container_of(work, struct scn_xctx, work);

	op_unmap_local(x->vaddr);	/* the bug: not the mapping task */
}

static noinline int scn_cross_context(struct scn_ctx *c)
{
	struct scn_xctx x;

	x.vaddr = op_map_local(c->m, 0);
	scn_touch(x.vaddr);
	INIT_WORK_ONSTACK(&x.work, scn_cross_context_work);
	schedule_work(&x.work);
	flush_work(&x.work);
	destroy_work_on_stack(&x.work);
	return 0;
}

/*
 * Maps taken and released in hardirq (irq_work, hard: an IPI to self) and
 * softirq (tasklet) context on top of a task's outstanding local and
 * atomic maps. All balanced: a checker must report nothing.
 */
static struct {
	struct io_mapping *m;
	bool hard_done;
	struct completion soft_done;
} scn_irq;

static noinline void scn_irq_hardirq(struct irq_work *w)
{
	void __iomem *a = op_map_atomic(scn_irq.m, 4 * P);
	void __iomem *b = op_map_local(scn_irq.m, 5 * P);

	scn_touch(a);
	scn_touch(b);
	op_unmap_local(b);
	op_unmap_atomic(a);
	WRITE_ONCE(scn_irq.hard_done, true);
}

static noinline void scn_irq_softirq(struct tasklet_struct *t)
{
	void __iomem *a = op_map_local(scn_irq.m, 6 * P);
	void __iomem *b = op_map_atomic(scn_irq.m, 7 * P);

	scn_touch(a);
	scn_touch(b);
	op_unmap_atomic(b);
	op_unmap_local(a);
	complete(&scn_irq.soft_done);
}

static struct irq_work scn_irq_work = IRQ_WORK_INIT_HARD(scn_irq_hardirq);
static DECLARE_TASKLET(scn_irq_tasklet, scn_irq_softirq);

static noinline int scn_irq_nesting(struct scn_ctx *c)
{
	void __iomem *a, *b;
	u64 deadline;
	int ret = 0;

	scn_irq.m = c->m;
	WRITE_ONCE(scn_irq.hard_done, false);
	init_completion(&scn_irq.soft_done);

	a = op_map_local(c->m, 0);
	b = op_map_atomic(c->m, P);
	scn_touch(a);
	scn_touch(b);
	/*
	 * The self-IPI arrives at once; wait (we cannot sleep: atomic map)
	 * up to a second for the hardirq maps to happen on top of ours.
	 */
	irq_work_queue(&scn_irq_work);
	deadline = ktime_get_ns() + NSEC_PER_SEC;
	while (!READ_ONCE(scn_irq.hard_done) && ktime_get_ns() < deadline)
		cpu_relax();
	/*
	 * local_bh_enable() runs the pending tasklet right here in softirq
	 * context, on top of our maps (unless ksoftirqd is already busy on
	 * this CPU: then it runs there later, still balanced).
	 */
	local_bh_disable();
	tasklet_schedule(&scn_irq_tasklet);
	local_bh_enable();
	op_unmap_atomic(b);
	irq_work_sync(&scn_irq_work);
	if (!wait_for_completion_timeout(&scn_irq.soft_done, 5 * HZ)) {
		pr_err("irq_nesting: tasklet did not run\n");
		ret = -ETIMEDOUT;
	}
	tasklet_kill(&scn_irq_tasklet);
	op_unmap_local(a);
	if (!READ_ONCE(scn_irq.hard_done)) {
		pr_err("irq_nesting: irq_work did not run\n");
		ret = -ETIMEDOUT;
	}
	return ret;
}

/*
 * A map of a mapping after io_mapping_fini. Must report
 * use_after_free@scn_use_after_free. The mapping is a static struct set
 * up with io_mapping_init_wc, so the struct itself stays valid memory
 * after fini and iomap_check can see it is finished (it refuses the map:
 * event with vaddr 0, NULL returned). use_after_free_created does the
 * same with io_mapping_create_wc/io_mapping_free.
 */
static struct io_mapping scn_uaf_mapping;

static noinline int scn_use_after_free(struct scn_ctx *c)
{
	void __iomem *a;

	if (!op_init(&scn_uaf_mapping, c->base, c->size))
		return -EIO;
	a = op_map_local(&scn_uaf_mapping, 0);	/* legal, before fini */
	scn_touch(a);
	op_unmap_local(a);
	op_fini(&scn_uaf_mapping);
	a = op_map_local(&scn_uaf_mapping, 0);	/* the bug */
	if (a) {		/* module failed to refuse */
		op_unmap_local(a);
		return -EINVAL;
	}
	return 0;
}

/*
 * A map of a mapping from io_mapping_create_wc after io_mapping_free (an
 * error path that frees, then touches). Must report
 * use_after_free@scn_use_after_free_created. iomap_check keeps a freed
 * mapping's memory for a while (its quarantine), so it reads its own dead
 * state, not freed slab memory, and refuses the map.
 */
static noinline int scn_use_after_free_created(struct scn_ctx *c)
{
	struct io_mapping *m = op_create(c->base, 2 * P);
	void __iomem *a;

	if (!m)
		return -EIO;
	op_free(m);
	a = op_map_local(m, 0);			/* the bug */
	if (a) {		/* module failed to refuse */
		op_unmap_local(a);
		return -EINVAL;
	}
	return 0;
}

/*
 * io_mapping_free twice on a mapping from io_mapping_create_wc. The second
 * call must be refused without iomap_check reading the freed struct (it
 * knows which mappings it allocated and has not freed) and with a pr_err;
 * no event reports a rule: a checker must report nothing.
 */
static noinline int scn_double_free(struct scn_ctx *c)
{
	struct io_mapping *m = op_create(c->base, c->size);

	if (!m)
		return -EIO;
	op_free(m);
	op_free(m);	/* the bug */
	return 0;
}

#define SCN_DEPTH 17

/*
 * 17 nested local maps, one more than the kernel's KM_MAX_IDX (16) of
 * 32-bit kmap_local slots, unmapped in reverse order. Must report
 * depth_exceeded@scn_depth_exceeded (once, at the 17th map).
 */
static noinline int scn_depth_exceeded(struct scn_ctx *c)
{
	void __iomem *v[SCN_DEPTH];
	int i;

	for (i = 0; i < SCN_DEPTH; i++) {
		v[i] = op_map_local(c->m, i * P);
		scn_touch(v[i]);
	}
	for (i = SCN_DEPTH - 1; i >= 0; i--)
		op_unmap_local(v[i]);
	return 0;
}

/*
 * Bad create/init arguments: size 0, a range that wraps around, and a
 * page of System RAM. iomap_check refuses each with a pr_err and returns
 * NULL; no event fires. A checker must report nothing.
 */
static noinline int scn_bad_create(struct scn_ctx *c)
{
	struct io_mapping stack_mapping;
	struct io_mapping *m[4];
	struct page *page;
	int i, ret = 0;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	m[0] = op_create(c->base, 0);
	m[1] = op_create((resource_size_t)-P, 2 * P);
	m[2] = op_create(page_to_phys(page), P);
	m[3] = op_init(&stack_mapping, c->base, 0);
	__free_page(page);
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		if (!m[i])
			continue;
		pr_err("bad_create: case %d was accepted\n", i);
		if (i == 3)
			op_fini(m[i]);
		else
			op_free(m[i]);
		ret = -EINVAL;
	}
	return ret;
}

/*
 * Each kind of unmap and io_mapping_free as a function's last statement:
 * compiled as a sibling call (a jump) unless the drop-in header keeps the
 * frame, the call site would be the caller's, scn_tail_calls. The ops log
 * goes first so that the API call stays last.
 */
static noinline void scn_tail_unmap_atomic(void __iomem *v)
{
	scn_log_unmap(IOMC_KIND_ATOMIC, v);
	io_mapping_unmap_atomic(v);
}

static noinline void scn_tail_unmap_local(void __iomem *v)
{
	scn_log_unmap(IOMC_KIND_LOCAL, v);
	io_mapping_unmap_local(v);
}

static noinline void scn_tail_unmap(void __iomem *v)
{
	scn_log_unmap(IOMC_KIND_WC, v);
	io_mapping_unmap(v);
}

static noinline void scn_tail_free(struct io_mapping *m)
{
	scn_log_free(m);
	io_mapping_free(m);
}

/*
 * Must report, each named by the helper that made the call:
 * unmap_mismatch@scn_tail_unmap_atomic (a local map unmapped with
 * unmap_atomic), lifo@scn_tail_unmap_local, unknown_unmap@scn_tail_unmap
 * (double unmap), leak_on_free@scn_tail_free.
 */
static noinline int scn_tail_calls(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);
	void __iomem *b = op_map_local(c->m, P);
	void __iomem *w;

	scn_touch(a);
	scn_touch(b);
	scn_tail_unmap_local(a);	/* the bug: b is the most recent */
	op_unmap_local(b);
	a = op_map_local(c->m, 0);
	scn_tail_unmap_atomic(a);	/* the bug: mapped with map_local_wc */
	w = op_map_wc(c->m, 0, P);
	scn_touch(w);
	op_unmap(w);
	scn_tail_unmap(w);		/* the bug: unmapped twice */
	w = op_map_wc(c->m, P, P);
	scn_tail_free(c->m);		/* the bug: w still mapped */
	c->m = NULL;
	return 0;
}

/*
 * A mapping and a map_wc of it that the module never gives back, not even
 * at unload (once per load). Nothing to report while it runs; when the
 * module is unloaded: leak_on_unload@scn_leak_on_unload (the mapping and
 * the map), and leak_on_unload@scn_init for the mapping scn_init made
 * (see main.c).
 */
static struct io_mapping *scn_parked;

static noinline int scn_leak_on_unload(struct scn_ctx *c)
{
	void __iomem *w;

	if (scn_parked)
		return 0;
	scn_parked = op_create(c->base, 2 * P);
	if (!scn_parked)
		return -EIO;
	w = op_map_wc(scn_parked, 0, P);
	scn_touch(w);
	return 0;
}

/*
 * Stale pointers. With the default strategy a local or atomic map is
 * iomem + offset and stays valid after its unmap, so these run silently
 * (as every 64-bit kernel does); with strategy=window the slot was
 * cleared at the unmap, the access faults, iomap_check.ko reports it
 * (io_mapping_fault) and redoes it, and a checker must report
 * use_after_unmap at the function that made the access.
 */

/* A write through a local map's pointer after unmap_local. */
static noinline int scn_stale_write_local(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);

	scn_touch(a);
	op_unmap_local(a);
	if (a)
		writel(0x5a1e5a1e, a);	/* the bug: a is unmapped */
	return 0;
}

/* A read through an atomic map's pointer after unmap_atomic. */
static noinline int scn_stale_read_atomic(struct scn_ctx *c)
{
	void __iomem *x = op_map_atomic(c->m, P);

	scn_touch(x);
	op_unmap_atomic(x);
	if (x)
		(void)readl(x);		/* the bug: x is unmapped */
	return 0;
}

/*
 * A pointer kept across a re-map of another offset: on 32-bit it would
 * read the new map's page (the same fixmap slot); in the window the level's
 * other page holds the new map, and the kept pointer faults.
 */
static noinline int scn_stale_across_remap(struct scn_ctx *c)
{
	void __iomem *a = op_map_local(c->m, 0);
	void __iomem *b;

	scn_touch(a);
	op_unmap_local(a);
	b = op_map_local(c->m, 2 * P);
	scn_touch(b);
	if (a)
		(void)readl(a);		/* the bug: a was unmapped */
	op_unmap_local(b);
	return 0;
}

/*
 * Legal re-maps: each pointer is used only between its map and unmap,
 * the same level taken again and again, local and atomic, nested too.
 * A checker must report nothing, with any strategy.
 */
static noinline int scn_remap_legal(struct scn_ctx *c)
{
	void __iomem *a, *b;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		a = op_map_local(c->m, i * P);
		scn_touch(a);
		b = op_map_atomic(c->m, (i + 4) * P);
		scn_touch(b);
		op_unmap_atomic(b);
		scn_touch(a);
		op_unmap_local(a);
	}
	return 0;
}

#define SCN(n, exp, k) { #n, scn_##n, exp, k, NULL, NULL }
#define SCN_UNLOAD(n, exp, k, u) { #n, scn_##n, exp, k, u, NULL }
#define SCN_WINDOW(n, exp, w) { #n, scn_##n, exp, NULL, NULL, w }

/* The one table of scenarios and what a checker must report for each. */
const struct scn_def scn_table[] = {
	SCN(nesting_legal, "-", NULL),
	SCN(wc_across_sleep, "-", NULL),
	SCN(lifo_local, "lifo@scn_lifo_local", NULL),
	SCN(lifo_atomic, "lifo@scn_lifo_atomic", NULL),
	SCN(sleep_in_atomic,
	    "sleep_in_atomic@scn_sleep_in_atomic,might_sleep_in_atomic@scn_sleep_in_atomic",
	    "scheduling_while_atomic"),
	SCN(mutex_in_atomic, "might_sleep_in_atomic@scn_mutex_in_atomic",
	    IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP) ?
	    "sleeping_function_called_from_invalid_context" : NULL),
	SCN(might_sleep_unlisted, "might_sleep_in_atomic@vfree",
	    IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP) ?
	    "sleeping_function_called_from_invalid_context" : NULL),
	SCN(unaligned_offset, "unaligned_offset@scn_unaligned_offset", NULL),
	SCN(offset_ge_size, "offset_out_of_range@scn_offset_ge_size", NULL),
	SCN(len_past_end, "offset_out_of_range@scn_len_past_end", NULL),
	SCN(unmap_mismatch, "unmap_mismatch@scn_unmap_mismatch", NULL),
	SCN(unknown_unmap, "unknown_unmap@scn_unknown_unmap", NULL),
	SCN(double_unmap, "unknown_unmap@scn_double_unmap", NULL),
	SCN(leak_on_free, "leak_on_free@scn_leak_on_free", NULL),
	SCN(leak_on_exit, "leak_on_exit@scn_leak_on_exit_thread", NULL),
	SCN(cross_context, "cross_context_unmap@scn_cross_context_work", NULL),
	SCN(irq_nesting, "-", NULL),
	SCN(use_after_free, "use_after_free@scn_use_after_free", NULL),
	SCN(use_after_free_created,
	    "use_after_free@scn_use_after_free_created", NULL),
	SCN(depth_exceeded, "depth_exceeded@scn_depth_exceeded", NULL),
	SCN(bad_create, "-", NULL),
	SCN(double_free, "-", NULL),
	SCN(tail_calls,
	    "lifo@scn_tail_unmap_local,unmap_mismatch@scn_tail_unmap_atomic,unknown_unmap@scn_tail_unmap,leak_on_free@scn_tail_free",
	    NULL),
	SCN_UNLOAD(leak_on_unload, "-", NULL,
		   "leak_on_unload@scn_leak_on_unload,leak_on_unload@scn_init"),
	/* the memremap API (memremap.c): only iomap-checkd's kprobes see it */
	SCN(memremap_wb_ram, "-", NULL),
	SCN(memremap_wc_bar, "-", NULL),
	SCN(devm_memremap_wc, "-", NULL),
	SCN(memremap_bad_flags, "memremap_bad_flags@scn_memremap_bad_flags", NULL),
	SCN(memremap_refused_ram, "memremap_refused@scn_memremap_refused_ram",
	    "warning"),
	SCN(memremap_refused_mixed, "memremap_refused@scn_memremap_refused_mixed",
	    "warning"),
	SCN(memunmap_double, "memunmap_unknown@scn_memunmap_double", NULL),
	SCN(memunmap_direct_map, "memunmap_unknown@scn_memunmap_direct_map", NULL),
	SCN(devm_memunmap_unknown,
	    "memunmap_unknown@scn_devm_memunmap_unknown", "warning"),
	/* devres unmaps: after a failed probe, at an unbind; "unload:-" says
	 * the unload must not report them either */
	SCN_UNLOAD(devm_probe_failed, "-", NULL, "-"),
	SCN_UNLOAD(devm_unbind, "-", NULL, "-"),
	SCN(pagemap_mmio, "pagemap_mmio@scn_pagemap_mmio", NULL),
	SCN(pagemap_uninit, "pagemap_uninit@scn_pagemap_uninit", "warning"),
	/* stale pointers: reported under strategy=window only */
	SCN_WINDOW(stale_write_local, "-",
		   "use_after_unmap@scn_stale_write_local"),
	SCN_WINDOW(stale_read_atomic, "-",
		   "use_after_unmap@scn_stale_read_atomic"),
	SCN_WINDOW(stale_across_remap, "-",
		   "use_after_unmap@scn_stale_across_remap"),
	SCN(remap_legal, "-", NULL),
	/* and the one main.c's init makes (scn_init_memremap, init text) */
	SCN_UNLOAD(memremap_leak_on_unload, "-", NULL,
		   "leak_on_unload@scn_memremap_leak_on_unload,leak_on_unload@scn_init_memremap"),
};
const unsigned int scn_count = ARRAY_SIZE(scn_table);
