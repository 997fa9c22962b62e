// SPDX-License-Identifier: GPL-2.0
/*
 * iomap_scenarios.ko: runs named io_mapping scenarios (scenarios.c) on the
 * QEMU standard VGA's BAR 0 (PCI 1234:1111, a 16 MiB prefetchable
 * framebuffer: a real device aperture, not RAM) and benchmarks the API.
 *
 * debugfs /sys/kernel/debug/iomap_scenarios/ (root only), the guest
 * protocol the harness relies on:
 *   list   `<name> <expect> [kernel:<tag>] [unload:<expect>] [window:<expect>]`
 *          per scenario (window: the expectation under strategy=window)
 *   run    write a name: runs it synchronously; -EINVAL for an unknown
 *          name (nothing runs), -ENODEV without the VGA device
 *   ops    the last run's API calls, one per line (see scn_ops_show)
 *   bench  reading runs the benchmark: `<impl> <kind> <pairs> <ns/pair>`
 *   bench_memremap  the same for memremap/memunmap pairs:
 *          `memremap <wbram|wcbar> <pairs> <ns/pair>` (bench_pairs / 100)
 *   bench_might_sleep  the cost of one might_sleep() (what a checker's
 *          hook on it adds): `might_sleep <calls> <ns/call>` (bench_pairs)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/limits.h>
#include <linux/sched.h>
#include "scn.h"
#include "bench.h"

#define SCN_VGA_VENDOR	0x1234
#define SCN_VGA_DEVICE	0x1111

/*
 * Benchmark size, bounded: one read of "bench" runs 2 x 3 x bench_reps x
 * bench_pairs pairs, so 10M pairs x 100 reps (minutes even on hardware)
 * is the most a write may ask for; anything else is refused with -EINVAL.
 */
#define SCN_BENCH_PAIRS_MAX 10000000UL
#define SCN_BENCH_REPS_MAX 100U

static unsigned long bench_pairs = 100000;
static unsigned int bench_reps = 5;

static int scn_set_pairs(const char *val, const struct kernel_param *kp)
{
	unsigned long v;

	if (kstrtoul(val, 0, &v) || !v || v > SCN_BENCH_PAIRS_MAX) {
		pr_err("bench_pairs: %s refused: a number from 1 to %lu\n",
		       strim((char *)val), SCN_BENCH_PAIRS_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned long *)kp->arg, v);
	return 0;
}

static int scn_set_reps(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || !v || v > SCN_BENCH_REPS_MAX) {
		pr_err("bench_reps: %s refused: a number from 1 to %u\n",
		       strim((char *)val), SCN_BENCH_REPS_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops scn_pairs_ops = {
	.set = scn_set_pairs,
	.get = param_get_ulong,
};

static const struct kernel_param_ops scn_reps_ops = {
	.set = scn_set_reps,
	.get = param_get_uint,
};

module_param_cb(bench_pairs, &scn_pairs_ops, &bench_pairs, 0644);
MODULE_PARM_DESC(bench_pairs, "map/unmap pairs per benchmark run (1..10000000)");
module_param_cb(bench_reps, &scn_reps_ops, &bench_reps, 0644);
MODULE_PARM_DESC(bench_reps, "benchmark runs per kind; the fastest counts (1..100)");

u32 iomc_bench_sink;

/* Serializes runs, benchmark and reads of the ops log. */
static DEFINE_MUTEX(scn_lock);
static struct dentry *scn_dir;
static struct pci_dev *scn_pdev;
static bool scn_enabled_dev;

/* ---- ops log ----------------------------------------------------------- */

enum scn_op_type { SCN_OP_CREATE, SCN_OP_FREE, SCN_OP_MAP, SCN_OP_UNMAP };

struct scn_op {
	u8 type;
	u8 kind;
	unsigned long a, b, c;	/* see scn_ops_show */
};

#define SCN_OPS_MAX 512
static struct scn_op scn_ops[SCN_OPS_MAX];
static unsigned int scn_nops, scn_ops_dropped;
/* Scenarios log from hardirq and softirq context too. */
static DEFINE_SPINLOCK(scn_ops_lock);

static void scn_log(u8 type, u8 kind, unsigned long a, unsigned long b,
		    unsigned long c)
{
	unsigned long flags;

	spin_lock_irqsave(&scn_ops_lock, flags);
	if (scn_nops < SCN_OPS_MAX)
		scn_ops[scn_nops++] = (struct scn_op){ type, kind, a, b, c };
	else
		scn_ops_dropped++;
	spin_unlock_irqrestore(&scn_ops_lock, flags);
}

void scn_log_create(const struct io_mapping *m, unsigned long size)
{
	scn_log(SCN_OP_CREATE, 0, (unsigned long)m, size, 0);
}

void scn_log_free(const struct io_mapping *m)
{
	scn_log(SCN_OP_FREE, 0, (unsigned long)m, 0, 0);
}

void scn_log_map(unsigned int kind, unsigned long offset, unsigned long len,
		 const void __iomem *vaddr)
{
	scn_log(SCN_OP_MAP, kind, offset, len, (unsigned long)vaddr);
}

void scn_log_unmap(unsigned int kind, const void __iomem *vaddr)
{
	scn_log(SCN_OP_UNMAP, kind, (unsigned long)vaddr, 0, 0);
}

static void scn_ops_reset(void)
{
	unsigned long flags;

	spin_lock_irqsave(&scn_ops_lock, flags);
	scn_nops = 0;
	scn_ops_dropped = 0;
	spin_unlock_irqrestore(&scn_ops_lock, flags);
}

static const char * const scn_kind_names[] = IOMC_KIND_NAMES;

static const char *scn_kind_name(unsigned int kind)
{
	return kind < IOMC_KIND_MAX ? scn_kind_names[kind] : "?";
}

/*
 *   create <mapping-hex> <size>
 *   free <mapping-hex>
 *   map <kind> <offset-hex> <len> <vaddr-hex>      (vaddr 0x0 = refused)
 *   unmap <kind> <vaddr-hex>
 * A create/init that failed fired no event and is not logged either.
 */
static int scn_ops_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	if (mutex_lock_interruptible(&scn_lock))
		return -EINTR;
	/* No run is in progress: the log is stable. */
	for (i = 0; i < scn_nops; i++) {
		const struct scn_op *op = &scn_ops[i];

		switch (op->type) {
		case SCN_OP_CREATE:
			seq_printf(s, "create 0x%lx %lu\n", op->a, op->b);
			break;
		case SCN_OP_FREE:
			seq_printf(s, "free 0x%lx\n", op->a);
			break;
		case SCN_OP_MAP:
			seq_printf(s, "map %s 0x%lx %lu 0x%lx\n",
				   scn_kind_name(op->kind), op->a, op->b,
				   op->c);
			break;
		case SCN_OP_UNMAP:
			seq_printf(s, "unmap %s 0x%lx\n",
				   scn_kind_name(op->kind), op->a);
			break;
		}
	}
	mutex_unlock(&scn_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scn_ops);

/* ---- the device -------------------------------------------------------- */

/* Finds the VGA's BAR 0; call with scn_lock held. */
static int scn_get_bar(resource_size_t *base, unsigned long *size)
{
	int ret;

	if (!scn_pdev) {
		scn_pdev = pci_get_device(SCN_VGA_VENDOR, SCN_VGA_DEVICE, NULL);
		if (!scn_pdev) {
			pr_err("no PCI %04x:%04x (QEMU standard VGA) in this machine\n",
			       SCN_VGA_VENDOR, SCN_VGA_DEVICE);
			return -ENODEV;
		}
	}
	if (!(pci_resource_flags(scn_pdev, 0) & IORESOURCE_MEM) ||
	    !pci_resource_len(scn_pdev, 0)) {
		pr_err("%s: BAR 0 is not a memory BAR\n", pci_name(scn_pdev));
		return -ENODEV;
	}
	/* Nobody drives it in the test guest; make sure it decodes memory. */
	if (!pci_is_enabled(scn_pdev)) {
		ret = pci_enable_device_mem(scn_pdev);
		if (ret) {
			pr_err("%s: cannot enable: %d\n", pci_name(scn_pdev),
			       ret);
			return ret;
		}
		scn_enabled_dev = true;
	}
	*base = pci_resource_start(scn_pdev, 0);
	*size = pci_resource_len(scn_pdev, 0);
	return 0;
}

/* ---- list / run -------------------------------------------------------- */

static int scn_list_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	for (i = 0; i < scn_count; i++) {
		const struct scn_def *d = &scn_table[i];

		seq_printf(s, "%s %s", d->name, d->expect);
		if (d->kernel)
			seq_printf(s, " kernel:%s", d->kernel);
		if (d->unload)
			seq_printf(s, " unload:%s", d->unload);
		if (d->window)
			seq_printf(s, " window:%s", d->window);
		seq_putc(s, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scn_list);

static const struct scn_def *scn_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < scn_count; i++)
		if (!strcmp(scn_table[i].name, name))
			return &scn_table[i];
	return NULL;
}

static int scn_run(const struct scn_def *d)
{
	struct scn_ctx c = {};
	int ret;

	ret = scn_get_bar(&c.base, &c.size);
	if (ret)
		return ret;
	scn_ops_reset();
	pr_info("scenario %s: start (BAR 0 %pa, %lu bytes)\n", d->name,
		&c.base, c.size);
	c.m = op_create(c.base, c.size);
	if (!c.m) {
		pr_err("scenario %s: io_mapping_create_wc on BAR 0 failed\n",
		       d->name);
		return -EIO;
	}
	c.dev = &scn_pdev->dev;
	ret = d->fn(&c);
	if (c.m)
		op_free(c.m);
	if (!ret && scn_ops_dropped) {
		pr_err("scenario %s: ops log overflow (%u dropped)\n", d->name,
		       scn_ops_dropped);
		ret = -EOVERFLOW;
	}
	pr_info("scenario %s: end (%d)\n", d->name, ret);
	return ret;
}

static ssize_t scn_run_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	const struct scn_def *d;
	char buf[64];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	d = scn_find(strim(buf));
	if (!d)
		return -EINVAL;
	if (mutex_lock_interruptible(&scn_lock))
		return -EINTR;
	ret = scn_run(d);
	mutex_unlock(&scn_lock);
	return ret ? ret : len;
}

static const struct file_operations scn_run_fops = {
	.owner = THIS_MODULE,
	.write = scn_run_write,
	.llseek = noop_llseek,
};

/* ---- bench ------------------------------------------------------------- */

static void scn_bench_print(struct seq_file *s, const char *impl,
			    unsigned long pairs, const u64 ns[3])
{
	unsigned int k;

	for (k = 0; k < IOMC_KIND_MAX; k++) {
		/* ns per pair with one decimal. */
		u64 tenths = div64_u64(ns[k] * 10, pairs);

		seq_printf(s, "%s %s %lu %llu.%llu\n", impl, scn_kind_name(k),
			   pairs, tenths / 10, tenths % 10);
	}
}

/*
 * Fastest of bench_reps runs per (impl, kind), the two impls interleaved
 * run by run so that a noisy stretch of time (TCG, a shared host) hits
 * both alike.
 */
#define SCN_BENCH_CHUNK 16384UL	/* pairs between two cond_resched() */

static int scn_bench_measure(resource_size_t base, unsigned long size,
			     unsigned long pairs, unsigned int reps,
			     u64 inl[3], u64 mod[3])
{
	void *hi, *hm;
	unsigned int r, k;
	int ret = 0;

	hi = iomc_bench_inline_setup(base, size);
	if (!hi)
		return -EIO;
	hm = iomc_bench_module_setup(base, size);
	if (!hm) {
		iomc_bench_inline_teardown(hi);
		return -EIO;
	}
	for (k = 0; k < IOMC_KIND_MAX; k++)
		inl[k] = mod[k] = U64_MAX;
	for (r = 0; r < max(reps, 1U) && !ret; r++) {
		for (k = 0; k < IOMC_KIND_MAX && !ret; k++) {
			u64 ti = 0, tm = 0;
			unsigned long done, n;

			/*
			 * In chunks: the CPU is given up between them, and a
			 * signal (^C on the reader) ends the benchmark.
			 */
			for (done = 0; done < pairs; done += n) {
				n = min(pairs - done, SCN_BENCH_CHUNK);
				ti += iomc_bench_inline_run(hi, k, n);
				tm += iomc_bench_module_run(hm, k, n);
				cond_resched();
				if (signal_pending(current)) {
					ret = -EINTR;
					break;
				}
			}
			inl[k] = min(inl[k], ti);
			mod[k] = min(mod[k], tm);
		}
	}
	iomc_bench_module_teardown(hm);
	iomc_bench_inline_teardown(hi);
	return ret;
}

static int scn_bench_show(struct seq_file *s, void *unused)
{
	unsigned long pairs = clamp(READ_ONCE(bench_pairs), 1UL, SCN_BENCH_PAIRS_MAX);
	unsigned int reps = clamp(READ_ONCE(bench_reps), 1U, SCN_BENCH_REPS_MAX);
	u64 inl[3], mod[3];
	resource_size_t base;
	unsigned long size;
	int ret;

	/* interruptible: a reader or a run waiting for the benchmark can be
	 * killed, and waits in S state, not D */
	if (mutex_lock_interruptible(&scn_lock))
		return -EINTR;
	ret = scn_get_bar(&base, &size);
	if (!ret)
		ret = scn_bench_measure(base, size, pairs, reps, inl, mod);
	mutex_unlock(&scn_lock);
	if (ret)
		return ret;
	scn_bench_print(s, "inline", pairs, inl);
	scn_bench_print(s, "module", pairs, mod);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scn_bench);

/* bench_memremap: a memremap/memunmap pair's cost (memremap.c). */
static int scn_mr_bench_show(struct seq_file *s, void *unused)
{
	unsigned long pairs = max(READ_ONCE(bench_pairs) / 100, 1UL);
	resource_size_t base;
	unsigned long size;
	int ret;

	if (mutex_lock_interruptible(&scn_lock))
		return -EINTR;
	ret = scn_get_bar(&base, &size);
	if (!ret)
		ret = scn_mr_bench(s, base, pairs, READ_ONCE(bench_reps));
	mutex_unlock(&scn_lock);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(scn_mr_bench);

/*
 * bench_might_sleep: bench_pairs might_sleep() calls, the fastest of
 * bench_reps runs, no map held: on a kernel without DEBUG_ATOMIC_SLEEP in
 * the voluntary preemption mode each is a call of __cond_resched(), which
 * iomap-checkd kprobes (what the kprobe costs when its gate is closed).
 */
static int scn_ms_bench_show(struct seq_file *s, void *unused)
{
	unsigned long calls = clamp(READ_ONCE(bench_pairs), 1UL, SCN_BENCH_PAIRS_MAX);
	unsigned int reps = clamp(READ_ONCE(bench_reps), 1U, SCN_BENCH_REPS_MAX);
	u64 best = U64_MAX, t0, tenths;
	unsigned long i;
	unsigned int r;

	for (r = 0; r < reps; r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < calls; i++)
			might_sleep();
		best = min(best, ktime_get_ns() - t0);
		if (signal_pending(current))
			return -EINTR;
	}
	tenths = div64_u64(best * 10, calls);
	seq_printf(s, "might_sleep %lu %llu.%llu\n", calls, tenths / 10, tenths % 10);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scn_ms_bench);

/* ---- module ------------------------------------------------------------ */

/*
 * Created by the module's __init code and never freed, not even at unload:
 * a checker reports leak_on_unload naming scn_init (init text, freed long
 * before the unload) as the create site. iomap_check.ko reclaims it when
 * this module goes.
 */
static struct io_mapping *scn_init_leak;

static int __init scn_init(void)
{
	resource_size_t base;
	unsigned long size;

	if (!scn_get_bar(&base, &size))
		scn_init_leak = io_mapping_create_wc(base, PAGE_SIZE);
	if (scn_init_memremap())	/* leaked too (memremap.c) */
		pr_warn("init: memremap of a page of RAM failed\n");
	scn_dir = debugfs_create_dir("iomap_scenarios", NULL);
	if (IS_ERR(scn_dir))
		return PTR_ERR(scn_dir);
	debugfs_create_file("list", 0400, scn_dir, NULL, &scn_list_fops);
	debugfs_create_file("run", 0200, scn_dir, NULL, &scn_run_fops);
	debugfs_create_file("ops", 0400, scn_dir, NULL, &scn_ops_fops);
	debugfs_create_file("bench", 0400, scn_dir, NULL, &scn_bench_fops);
	debugfs_create_file("bench_memremap", 0400, scn_dir, NULL,
			    &scn_mr_bench_fops);
	debugfs_create_file("bench_might_sleep", 0400, scn_dir, NULL,
			    &scn_ms_bench_fops);
	return 0;
}

static void __exit scn_exit(void)
{
	debugfs_remove_recursive(scn_dir);
	scn_init_memremap_exit();
	if (scn_pdev) {
		if (scn_enabled_dev)
			pci_disable_device(scn_pdev);
		pci_dev_put(scn_pdev);
	}
}

module_init(scn_init);
module_exit(scn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("io_mapping scenarios (right and wrong) on QEMU's VGA BAR 0");
