// SPDX-License-Identifier: GPL-2.0
/*
 * iomap_check.ko: the kernel's io_mapping API (64-bit semantics) as
 * exported functions, with a tracepoint on every operation.
 *
 * Drivers use it through include/iomap-check/io-mapping.h (see there).
 * Semantics are the kernel's: init/create ioremap_wc() the whole range and
 * every map returns iomem + offset; map_atomic_wc additionally disables
 * preemption (migration on PREEMPT_RT) and page faults. Where the kernel
 * would BUG() or crash on bad input, this module refuses instead and says
 * so, because its job is to let a checker see the bug and the guest live
 * on. It does not judge the rules itself (order, context, leaks): that is
 * the checker's job, fed by the tracepoints.
 *
 * Each map and unmap is one implementation (iomc_map_*, iomc_unmap_*)
 * exported twice: under the kernel's name, for drivers that call it
 * without the drop-in header's inline fast paths, and as __iomc_*, the
 * out-of-line half those fast paths call when tracing is on or the call
 * needs more than the fast path does (see io-mapping.h). Both report their
 * return address as the caller, which is the driver's call site either way.
 *
 * Exports are EXPORT_SYMBOL, not _GPL: the kernel's inline versions are
 * usable by any module, so the drop-in must be too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* The declarations io-mapping.h's fast paths share with this file. */
#define IOMC_IO_MAPPING_IMPL 1
#include <iomap-check/io-mapping.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kernel.h>
#include <linux/ioport.h>
#include <linux/preempt.h>
#include <linux/percpu.h>
#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include <linux/jump_label.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/notifier.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/tracepoint.h>
#include <asm/pgtable.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <linux/objtool.h>

#define CREATE_TRACE_POINTS
#include "iomap_check_trace.h"

/* The drop-in's inline fast paths test these events' static keys. */
EXPORT_TRACEPOINT_SYMBOL(io_mapping_map);
EXPORT_TRACEPOINT_SYMBOL(io_mapping_unmap);

/*
 * The drop-in's inline fast paths (include/iomap-check/io-mapping.h) are
 * the kernel's own code behind this key's NOP while it is off, and the
 * checked path (the events' keys, the mapping's limits, the out-of-line
 * calls) while it is on. It counts what needs the checked path: each
 * probe of io_mapping_map and of io_mapping_unmap (a checker listening;
 * registered and unregistered through the events' regfunc/unregfunc), and
 * each reference on the permap and window keys below (maps that must go
 * out of line whoever listens). Off, nothing is checked, as with the
 * kernel's header: no refusal of a finished mapping or an offset past its
 * end (docs/kmod.md, "Tracing off").
 */
DEFINE_STATIC_KEY_FALSE(__iomc_checks_key);
EXPORT_SYMBOL(__iomc_checks_key);

/* A strategy's key, and the checked path with it (permap, window). */
static void iomc_slow_inc(struct static_key_false *key)
{
	static_branch_inc(&__iomc_checks_key);
	static_branch_inc(key);
}

static void iomc_slow_dec(struct static_key_false *key)
{
	static_branch_dec(key);
	static_branch_dec(&__iomc_checks_key);
}

int iomc_tp_reg(void)
{
	static_branch_inc(&__iomc_checks_key);
	return 0;
}

void iomc_tp_unreg(void)
{
	static_branch_dec(&__iomc_checks_key);
}

/* ---- strategy parameter ------------------------------------------------ */

enum iomc_strategy { IOMC_PREMAP, IOMC_PERMAP, IOMC_WINDOW };
static const char * const iomc_strategy_names[] = {
	"premap", "permap", "window"
};
static int iomc_strategy = IOMC_PREMAP;
static bool iomc_window_ready(void);
static bool iomc_loaded;	/* insmod strategy=window: checked at init */

static int iomc_strategy_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(iomc_strategy_names, val);

	if (i < 0)
		return -EINVAL;
	if (i == IOMC_WINDOW && iomc_loaded && !iomc_window_ready()) {
		pr_err("strategy=window: the window could not be reserved at load\n");
		return -ENODEV;
	}
	WRITE_ONCE(iomc_strategy, i);
	return 0;
}

static int iomc_strategy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  iomc_strategy_names[READ_ONCE(iomc_strategy)]);
}

static const struct kernel_param_ops iomc_strategy_ops = {
	.set = iomc_strategy_set,
	.get = iomc_strategy_get,
};
module_param_cb(strategy, &iomc_strategy_ops, NULL, 0644);
MODULE_PARM_DESC(strategy,
		 "premap (one ioremap_wc at create, map = iomem + offset), permap (every map_wc ioremap_wc's separately) or window (permap, and every local/atomic map gets its own per-CPU page, unmapped at unmap: a use after unmap faults and is reported); applies to mappings created afterwards");

/* ---- fault injection: fail_nth ------------------------------------------ */

/*
 * In the spirit of the kernel's fail-nth (/proc/<pid>/fail-nth): writing N
 * to /sys/module/iomap_check/parameters/fail_nth makes the N-th call of
 * io_mapping_create_wc/io_mapping_init_wc from then on fail the way it
 * does when ioremap_wc() fails: create returns NULL, init_wc returns NULL,
 * nothing is set up and no event fires. Reading it gives the calls left
 * before the failure (0: nothing armed). It disarms itself once it fired.
 * `creates` counts every create/init call since the module was loaded, so
 * a tool can tell how many a driver makes while loading (iomap-vmcheck
 * --inject-faults tries each of them in turn).
 */
static atomic_t iomc_fail_nth = ATOMIC_INIT(0);
static atomic_t iomc_fail_armed_at = ATOMIC_INIT(0);
static atomic_t iomc_creates = ATOMIC_INIT(0);

static int iomc_fail_nth_set(const char *val, const struct kernel_param *kp)
{
	int n, err = kstrtoint(val, 0, &n);

	if (err || n < 0) {
		pr_err("fail_nth: '%s' is not a call count (0 disarms)\n", val);
		return -EINVAL;
	}
	atomic_set(&iomc_fail_armed_at, atomic_read(&iomc_creates));
	atomic_set(&iomc_fail_nth, n);
	return 0;
}

static int iomc_fail_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iomc_fail_nth));
}

static const struct kernel_param_ops iomc_fail_nth_ops = {
	.set = iomc_fail_nth_set,
	.get = iomc_fail_nth_get,
};
module_param_cb(fail_nth, &iomc_fail_nth_ops, NULL, 0644);
MODULE_PARM_DESC(fail_nth,
		 "N: the N-th io_mapping_create_wc/io_mapping_init_wc call from now fails (NULL, as when ioremap_wc fails); 0 disarms; reads the calls left");

static int iomc_creates_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iomc_creates));
}

static const struct kernel_param_ops iomc_creates_ops = {
	.get = iomc_creates_get,
};
module_param_cb(creates, &iomc_creates_ops, NULL, 0444);
MODULE_PARM_DESC(creates,
		 "io_mapping_create_wc/io_mapping_init_wc calls since the module was loaded (read-only)");

/* Count the call; true if it is the one to fail. */
static bool iomc_fail_this(const char *fn, unsigned long caller)
{
	int k = atomic_inc_return(&iomc_creates);

	/* counts fail_nth down to 0; the call that takes it from 1 fails */
	if (atomic_dec_if_positive(&iomc_fail_nth) != 0)
		return false;
	/* the line iomap-vmcheck --inject-faults quotes: keep its wording */
	pr_info("fail_nth: injected failure: create #%d failed at %pS (%s)\n",
		k - atomic_read(&iomc_fail_armed_at), (void *)caller, fn);
	return true;
}

/* ---- live mappings, by owner module ------------------------------------- */

/*
 * Every live mapping, with the module whose code created it. A module
 * that goes away leaving one behind (the checker's leak_on_unload) would
 * otherwise pin this module and its ioremap forever: when the owner's
 * unload (or failed load) notifies MODULE_STATE_GOING, the mapping is
 * reclaimed quietly (no event: the checker reports the leak when the
 * module is freed, which comes after) and said so in the log.
 */
struct iomc_live {
	struct list_head node;
	struct io_mapping *m;
	struct module *owner;
	unsigned long caller;
};

static LIST_HEAD(iomc_lives);
static DEFINE_MUTEX(iomc_lives_lock);

/*
 * Modules between MODULE_STATE_COMING and LIVE: their init text is there
 * now but gone by their unload, so a create from it is attributed now.
 * (__module_address is not exported; within_module is inline.)
 */
#define IOMC_LOADING_MAX 16
static struct module *iomc_loading[IOMC_LOADING_MAX];

/* Called with iomc_lives_lock held. */
static struct module *iomc_owner(unsigned long caller)
{
	int i;

	for (i = 0; i < IOMC_LOADING_MAX; i++)
		if (iomc_loading[i] && within_module(caller, iomc_loading[i]))
			return iomc_loading[i];
	return NULL;
}

static void iomc_loading_set(struct module *mod, bool on)
{
	int i;

	for (i = 0; i < IOMC_LOADING_MAX; i++) {
		if (on && !iomc_loading[i]) {
			iomc_loading[i] = mod;
			return;
		}
		if (!on && iomc_loading[i] == mod)
			iomc_loading[i] = NULL;
	}
}

static void iomc_live_del(struct io_mapping *m)
{
	struct iomc_live *l;

	mutex_lock(&iomc_lives_lock);
	list_for_each_entry(l, &iomc_lives, node) {
		if (l->m == m) {
			list_del(&l->node);
			kfree(l);
			break;
		}
	}
	mutex_unlock(&iomc_lives_lock);
}

static bool iomc_created_take(const struct io_mapping *m);

/*
 * Finish @m: every map of it is refused from now on, its iomem is unmapped
 * and it no longer pins this module. The caller took it off iomc_lives.
 */
static void iomc_teardown(struct io_mapping *m)
{
	m->iomc_state = IOMC_STATE_DEAD;
	m->iomc_map_limit = 0;
	m->iomc_wc_limit = 0;
	iounmap(m->iomem);
	if (m->iomc_flags & IOMC_F_PERMAP)
		iomc_slow_dec(&__iomc_permap_key);
	if (m->iomc_flags & IOMC_F_WINDOW)
		iomc_slow_dec(&__iomc_window_key);
	module_put(THIS_MODULE);
}

static int iomc_module_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct module *mod = data;
	struct iomc_live *l, *tmp;

	mutex_lock(&iomc_lives_lock);
	if (action == MODULE_STATE_COMING || action == MODULE_STATE_LIVE ||
	    action == MODULE_STATE_GOING)
		iomc_loading_set(mod, action == MODULE_STATE_COMING);
	if (action != MODULE_STATE_GOING) {
		mutex_unlock(&iomc_lives_lock);
		return NOTIFY_DONE;
	}
	list_for_each_entry_safe(l, tmp, &iomc_lives, node) {
		if (l->owner != mod && !within_module(l->caller, mod))
			continue;
		pr_warn("io_mapping %px created at %pS by %s was never freed; reclaimed at its unload\n",
			l->m, (void *)l->caller, mod->name);
		list_del(&l->node);
		/*
		 * the struct is the driver's (init_wc) or ours (create_wc);
		 * both are still there: the module is freed after this
		 */
		iomc_teardown(l->m);
		if ((l->m->iomc_flags & IOMC_F_ALLOCATED) &&
		    iomc_created_take(l->m))
			kfree(l->m);
		kfree(l);
	}
	mutex_unlock(&iomc_lives_lock);
	return NOTIFY_DONE;
}

static struct notifier_block iomc_module_nb = {
	.notifier_call = iomc_module_notify,
};

/* ---- helpers ----------------------------------------------------------- */


/* The caller's context, as enum iomc_ctx. Only called when tracing. */
static __always_inline unsigned int iomc_ctx(void)
{
	if (in_nmi())
		return IOMC_CTX_NMI;
	if (in_hardirq())
		return IOMC_CTX_HARDIRQ;
	if (in_serving_softirq())
		return IOMC_CTX_SOFTIRQ;
	return IOMC_CTX_TASK;
}

static __always_inline bool iomc_live(const struct io_mapping *m)
{
	return m && m->iomc_state == IOMC_STATE_LIVE;
}

static __always_inline void iomc_trace_map(unsigned int kind,
					   const struct io_mapping *m,
					   unsigned long offset,
					   unsigned long len,
					   const void __iomem *vaddr,
					   unsigned long caller)
{
	/* Nothing is computed unless the event is on (static key). */
	if (trace_io_mapping_map_enabled())
		trace_io_mapping_map(kind, iomc_ctx(), (unsigned long)m,
				     m ? m->size : 0, offset, len,
				     (unsigned long)vaddr, caller);
}

static __always_inline void iomc_trace_unmap(unsigned int kind,
					     const void __iomem *vaddr,
					     unsigned long caller)
{
	if (trace_io_mapping_unmap_enabled())
		trace_io_mapping_unmap(kind, iomc_ctx(), (unsigned long)vaddr,
				       caller);
}

static const char * const iomc_map_names[] = {
	[IOMC_KIND_ATOMIC] = "io_mapping_map_atomic_wc",
	[IOMC_KIND_LOCAL] = "io_mapping_map_local_wc",
	[IOMC_KIND_WC] = "io_mapping_map_wc",
};

/*
 * A map the kernel would BUG() on (offset beyond the mapping) or that
 * would touch a mapping that is not live: the checker still sees it
 * (vaddr 0 = refused), the caller gets NULL and nothing is disabled.
 */
static noinline __cold void __iomem *
iomc_refuse_map(unsigned int kind, const struct io_mapping *m,
		unsigned long offset, unsigned long len, unsigned long caller)
{
	if (!m)
		pr_err_ratelimited("%s(NULL, 0x%lx) from %pS: no mapping; returning NULL\n",
				   iomc_map_names[kind], offset, (void *)caller);
	else if (m->iomc_state == IOMC_STATE_DEAD)
		pr_err_ratelimited("%s(%px, 0x%lx) from %pS: mapping was freed; returning NULL\n",
				   iomc_map_names[kind], m, offset,
				   (void *)caller);
	else if (m->iomc_state != IOMC_STATE_LIVE)
		pr_err_ratelimited("%s(%px, 0x%lx) from %pS: not an initialized io_mapping; returning NULL\n",
				   iomc_map_names[kind], m, offset,
				   (void *)caller);
	else
		pr_err_ratelimited("%s(%px, 0x%lx) from %pS: offset beyond mapping size 0x%lx; returning NULL\n",
				   iomc_map_names[kind], m, offset,
				   (void *)caller, m->size);
	iomc_trace_map(kind, m, offset, len, NULL, caller);
	return NULL;
}

/* ---- permap strategy: every map_wc is its own ioremap_wc --------------- */

struct iomc_permap {
	struct hlist_node node;
	unsigned long vaddr;
};

static DEFINE_HASHTABLE(iomc_permaps, 6);
static DEFINE_SPINLOCK(iomc_permap_lock);

/*
 * Counts live permap mappings plus outstanding permap vaddrs; while it is
 * on, io_mapping_unmap looks addresses up (and the fast path sends it out
 * of line to do so). Counting the mappings too keeps the key from flipping
 * (code patching) at every map/unmap pair of a permap mapping. Changed only
 * where sleeping is allowed anyway (create/free, permap map_wc, iounmap).
 */
DEFINE_STATIC_KEY_FALSE(__iomc_permap_key);
EXPORT_SYMBOL(__iomc_permap_key);

static noinline void __iomem *iomc_permap_map(struct io_mapping *m,
					      unsigned long offset,
					      unsigned long len)
{
	/*
	 * Clamp to the mapping so that a too long map (reported by the
	 * checker) never ioremaps whatever lies beyond the aperture.
	 */
	unsigned long plen = min(max(len, 1UL), m->size - offset);
	struct iomc_permap *p;
	void __iomem *v;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	v = ioremap_wc(m->base + offset, plen);
	if (!v) {
		kfree(p);
		return NULL;
	}
	p->vaddr = (unsigned long)v;
	spin_lock(&iomc_permap_lock);
	hash_add(iomc_permaps, &p->node, p->vaddr);
	spin_unlock(&iomc_permap_lock);
	iomc_slow_inc(&__iomc_permap_key);
	return v;
}

/* Only vaddrs this strategy ioremapped are iounmapped; others are no-ops. */
static noinline void iomc_permap_unmap(const void __iomem *vaddr)
{
	struct iomc_permap *p, *found = NULL;

	spin_lock(&iomc_permap_lock);
	hash_for_each_possible(iomc_permaps, p, node, (unsigned long)vaddr) {
		if (p->vaddr == (unsigned long)vaddr) {
			hash_del(&p->node);
			found = p;
			break;
		}
	}
	spin_unlock(&iomc_permap_lock);
	if (!found)
		return;
	iounmap((void __iomem *)found->vaddr);
	kfree(found);
	iomc_slow_dec(&__iomc_permap_key);
}

/* ---- window strategy: local/atomic maps in per-CPU slots ---------------- */

/*
 * strategy=window gives x86-64 the 32-bit semantics of map_local_wc and
 * map_atomic_wc: every map gets its own virtual page in a per-CPU window
 * whose page-table entry is set at map and cleared at unmap (the fixmap
 * idea), so a pointer used after its unmap faults instead of reaching
 * iomem + offset forever.
 *
 * Layout: per CPU IOMC_WIN_LEVELS nesting levels (the kernel's KM_MAX_IDX),
 * each with IOMC_WIN_ALT pages used in turn, each page followed by an
 * unmapped guard page. A map takes the lowest free level (stack order, as
 * kmap_local); the level's pages alternate so that the pointer of the map
 * just undone is still unmapped while the next map of that level is held
 * (a pointer kept across a re-map faults too instead of silently reading
 * the other map's page, which it would after two re-maps, as on 32-bit).
 *
 * Kernel interfaces (6.1 and 6.12 Module.symvers): get_vm_area,
 * alloc_vm_area, flush_tlb_kernel_range and flush_tlb_one_kernel are not
 * exported to modules. So the window is reserved with vmap() of one
 * scratch page repeated (which allocates the vm area and its page
 * tables), each entry is found once with lookup_address() (GPL) and
 * cleared; from then on set_pte() sets and clears it and the local TLB
 * entry is flushed with invlpg (what __flush_tlb_one_kernel does without
 * PTI; see docs/kmod.md). vunmap() at unload gives the range back.
 */
#define IOMC_WIN_LEVELS		16	/* the kernel's KM_MAX_IDX */
#define IOMC_WIN_ALT		2
#define IOMC_WIN_SLOTS		(IOMC_WIN_LEVELS * IOMC_WIN_ALT)
#define IOMC_WIN_STRIDE		(2 * PAGE_SIZE)	/* a slot and its guard */

enum { IOMC_SLOT_NEVER, IOMC_SLOT_MAPPED, IOMC_SLOT_UNMAPPED,
	IOMC_SLOT_PADDED };

/* A slot and its current (MAPPED) or last (UNMAPPED, PADDED) occupant. */
struct iomc_slot {
	pte_t *pte;
	unsigned long pfn;
	pgprot_t prot;
	unsigned long mapping;
	unsigned long offset;
	unsigned long map_caller;
	unsigned long unmap_caller;
	struct task_struct *holder;	/* compared only, never dereferenced */
	pid_t holder_pid;
	u8 state;
	u8 kind;
	bool migrate;			/* a local map: migration disabled */
};

struct iomc_window {
	raw_spinlock_t lock;		/* an unmap may come from another CPU */
	unsigned int used;		/* levels in use, one bit each */
	u8 alt[IOMC_WIN_LEVELS];	/* the level's next page */
	struct iomc_slot slot[IOMC_WIN_SLOTS];
};

static struct iomc_window *iomc_windows;	/* nr_cpu_ids of them */
static void *iomc_win_area;
static unsigned long iomc_win_start, iomc_win_size;
static struct page *iomc_win_scratch;

/*
 * On while a window mapping is live (changed at create and free only:
 * static_branch_inc may sleep, a map may not).
 */
DEFINE_STATIC_KEY_FALSE(__iomc_window_key);
EXPORT_SYMBOL(__iomc_window_key);

static __always_inline void iomc_win_flush_one(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

static unsigned long iomc_slot_addr(unsigned int cpu, unsigned int idx)
{
	return iomc_win_start +
		((unsigned long)cpu * IOMC_WIN_SLOTS + idx) * IOMC_WIN_STRIDE;
}

static void iomc_win_flush_all(void *unused)
{
	unsigned long a;

	for (a = iomc_win_start; a < iomc_win_start + iomc_win_size;
	     a += PAGE_SIZE)
		iomc_win_flush_one(a);
}

static int iomc_win_reserve(void)
{
	unsigned long npages = (unsigned long)nr_cpu_ids * IOMC_WIN_SLOTS * 2;
	struct page **pages;
	unsigned int cpu, i;
	unsigned long a, n;
	unsigned int level;
	pte_t *pte;

	iomc_windows = kvcalloc(nr_cpu_ids, sizeof(*iomc_windows), GFP_KERNEL);
	iomc_win_scratch = alloc_page(GFP_KERNEL | __GFP_ZERO);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!iomc_windows || !iomc_win_scratch || !pages)
		goto fail;
	for (n = 0; n < npages; n++)
		pages[n] = iomc_win_scratch;
	iomc_win_area = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	pages = NULL;
	if (!iomc_win_area)
		goto fail;
	iomc_win_start = (unsigned long)iomc_win_area;
	iomc_win_size = npages * PAGE_SIZE;
	for (a = iomc_win_start; a < iomc_win_start + iomc_win_size;
	     a += PAGE_SIZE) {
		pte = lookup_address(a, &level);
		if (!pte || level != PG_LEVEL_4K) {
			pr_err("window: no 4K page-table entry for 0x%lx\n", a);
			goto fail_area;
		}
		set_pte(pte, __pte(0));
		n = (a - iomc_win_start) / PAGE_SIZE;
		if (!(n & 1)) {
			cpu = n / 2 / IOMC_WIN_SLOTS;
			i = n / 2 % IOMC_WIN_SLOTS;
			iomc_windows[cpu].slot[i].pte = pte;
		}
	}
	on_each_cpu(iomc_win_flush_all, NULL, 1);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		raw_spin_lock_init(&iomc_windows[cpu].lock);
	return 0;
fail_area:
	vunmap(iomc_win_area);
	iomc_win_area = NULL;
fail:
	kvfree(pages);
	if (iomc_win_scratch)
		__free_page(iomc_win_scratch);
	kvfree(iomc_windows);
	iomc_windows = NULL;
	return -ENOMEM;
}

static void iomc_win_free(void)
{
	if (!iomc_win_area)
		return;
	/* vunmap clears the entries a late pad may have left, and flushes */
	vunmap(iomc_win_area);
	__free_page(iomc_win_scratch);
	kvfree(iomc_windows);
}

static __always_inline bool iomc_in_window(unsigned long a)
{
	return a - iomc_win_start < iomc_win_size;
}

/*
 * Map one page of @m at @offset into the lowest free level of this CPU's
 * window. The caller disabled preemption or migration. NULL when all
 * levels are in use (the caller falls back to iomem + offset: the kernel
 * would BUG, and the checker reports depth_exceeded).
 */
static void __iomem *iomc_win_map(struct io_mapping *m, unsigned long offset,
				  unsigned int kind, unsigned long caller)
{
	struct iomc_window *w = &iomc_windows[smp_processor_id()];
	struct iomc_slot *s;
	unsigned long flags, addr;
	unsigned int level, idx;

	raw_spin_lock_irqsave(&w->lock, flags);
	level = ffz(w->used);
	if (level >= IOMC_WIN_LEVELS) {
		raw_spin_unlock_irqrestore(&w->lock, flags);
		return NULL;
	}
	w->used |= 1U << level;
	idx = level * IOMC_WIN_ALT + w->alt[level];
	w->alt[level] = (w->alt[level] + 1) % IOMC_WIN_ALT;
	s = &w->slot[idx];
	s->pfn = (m->base + offset) >> PAGE_SHIFT;
	s->prot = m->prot;
	s->mapping = (unsigned long)m;
	s->offset = offset;
	s->map_caller = caller;
	s->unmap_caller = 0;
	s->holder = current;
	s->holder_pid = task_pid_nr(current);
	s->kind = kind;
	s->migrate = kind == IOMC_KIND_LOCAL;
	s->state = IOMC_SLOT_MAPPED;
	addr = iomc_slot_addr(smp_processor_id(), idx);
	set_pte(s->pte, pfn_pte(s->pfn, s->prot));
	iomc_win_flush_one(addr);	/* a padded slot may be cached */
	raw_spin_unlock_irqrestore(&w->lock, flags);
	return (void __iomem *)(addr + (offset & ~PAGE_MASK));
}

/*
 * Clear the slot of @vaddr if it is a mapped window slot. Returns whether
 * the unmap must enable migration (a local map taken by this task).
 * An address outside the window (premap fallback, refused map) is left
 * alone; a slot not mapped (double unmap) too: the checker reports it.
 */
static bool iomc_win_unmap(const void __iomem *vaddr, unsigned long caller)
{
	unsigned long a = (unsigned long)vaddr, n, flags;
	struct iomc_window *w;
	struct iomc_slot *s;
	bool migrate;

	n = (a - iomc_win_start) / IOMC_WIN_STRIDE;
	if ((a - iomc_win_start) % IOMC_WIN_STRIDE >= PAGE_SIZE)
		return false;	/* a guard page: never returned by a map */
	w = &iomc_windows[n / IOMC_WIN_SLOTS];
	s = &w->slot[n % IOMC_WIN_SLOTS];
	raw_spin_lock_irqsave(&w->lock, flags);
	if (s->state != IOMC_SLOT_MAPPED) {
		raw_spin_unlock_irqrestore(&w->lock, flags);
		return false;
	}
	set_pte(s->pte, __pte(0));
	iomc_win_flush_one(a & PAGE_MASK);
	s->state = IOMC_SLOT_UNMAPPED;
	s->unmap_caller = caller;
	w->used &= ~(1U << (n % IOMC_WIN_SLOTS / IOMC_WIN_ALT));
	/* migrate_enable() only in the task that disabled it */
	migrate = s->migrate && s->holder == current;
	raw_spin_unlock_irqrestore(&w->lock, flags);
	return migrate;
}

/* ---- window strategy: a stale access is reported and redone ------------ */

/*
 * The kernel's page fault on a window address: the page_fault_kernel
 * tracepoint (exceptions:page_fault_kernel, not exported to modules but
 * found with for_each_kernel_tracepoint and registered with
 * tracepoint_probe_register, both GPL exports) runs first in
 * handle_page_fault, before the kernel decides the fault is bad. The
 * probe fires io_mapping_fault with the slot's last occupant and fixes
 * the fault up so that the driver goes on, as on 64-bit:
 *
 *  - the slot's entry is pointed at its last occupant's page again (a
 *    "pad": the access is redone where the stale pointer meant);
 *  - the kernel would still oops (a not-present kernel fault is never
 *    spurious), unless the faulting instruction has an exception table
 *    entry. The driver's has none, so the probe sends the fault to one of
 *    ours: regs->ip becomes iomc_fault_from, whose fixup iomc_fault_ret*
 *    returns to the driver's instruction. That return address is kept in
 *    the exception frame's orig_ax word, which the exit path skips, and
 *    regs->sp points at it; `ret $N` then pops it and puts the stack
 *    pointer back where the driver had it (N: the frame's alignment pad).
 *
 * If the exception frame is not where this expects it (not the pt_regs
 * just below the interrupted stack pointer), the fault is only reported
 * and left to oops.
 */
extern const char iomc_fault_from40[], iomc_fault_from48[];

/*
 * Never executed: iomc_fault_from* are only addresses with an exception
 * table entry, one per fixup (frame pad 40 or 48). The bare `ret $N`s are
 * annotated for objtool's return-thunk check: they return to a driver
 * instruction the CPU already speculated on, no new gadget.
 */
asm(".pushsection .text, \"ax\"\n"
    ".type iomc_fault_from40, @function\n"
    "iomc_fault_from40:\n"
    ANNOTATE_NOENDBR
    "	nop\n"
    "iomc_fault_ret40:\n"
    ANNOTATE_RETPOLINE_SAFE
    "	ret $40\n"
    ".size iomc_fault_from40, . - iomc_fault_from40\n"
    ".type iomc_fault_from48, @function\n"
    "iomc_fault_from48:\n"
    ANNOTATE_NOENDBR
    "	nop\n"
    "iomc_fault_ret48:\n"
    ANNOTATE_RETPOLINE_SAFE
    "	ret $48\n"
    ".size iomc_fault_from48, . - iomc_fault_from48\n"
    _ASM_EXTABLE(iomc_fault_from40, iomc_fault_ret40)
    _ASM_EXTABLE(iomc_fault_from48, iomc_fault_ret48)
    ".popsection\n");

static bool iomc_fault_redirect(struct pt_regs *regs)
{
	unsigned long top = (unsigned long)&regs->ip;
	unsigned long pad = regs->sp - top;

	if (user_mode(regs) || (pad != 40 && pad != 48))
		return false;
	regs->orig_ax = regs->ip;
	regs->sp = (unsigned long)&regs->orig_ax;
	regs->ip = (unsigned long)(pad == 40 ? iomc_fault_from40 :
				   iomc_fault_from48);
	return true;
}

static void iomc_page_fault_probe(void *data, unsigned long address,
				  struct pt_regs *regs,
				  unsigned long error_code)
{
	struct iomc_window *w;
	struct iomc_slot *s;
	unsigned long n, ip = regs->ip;
	unsigned int fixed = 0;

	if (!iomc_in_window(address))
		return;
	n = (address - iomc_win_start) / IOMC_WIN_STRIDE;
	w = &iomc_windows[n / IOMC_WIN_SLOTS];
	s = &w->slot[n % IOMC_WIN_SLOTS];
	raw_spin_lock(&w->lock);
	if ((address - iomc_win_start) % IOMC_WIN_STRIDE < PAGE_SIZE &&
	    s->state == IOMC_SLOT_UNMAPPED) {
		set_pte(s->pte, pfn_pte(s->pfn, s->prot));
		iomc_win_flush_one(address & PAGE_MASK);
		s->state = IOMC_SLOT_PADDED;
		fixed = iomc_fault_redirect(regs);
	}
	raw_spin_unlock(&w->lock);
	/* a guard page or a never used slot: reported, left to oops */
	if (trace_io_mapping_fault_enabled())
		trace_io_mapping_fault(address, ip, s->mapping, s->offset,
				       s->kind, iomc_ctx(), s->map_caller,
				       s->unmap_caller, s->holder_pid, fixed);
	if (fixed)
		pr_warn_ratelimited("use after unmap: %pS accessed 0x%lx, a window slot last mapped by %pS and unmapped by %pS (pid %d); access redone\n",
				    (void *)ip, address, (void *)s->map_caller,
				    (void *)s->unmap_caller, s->holder_pid);
}

static struct tracepoint *iomc_pf_tp;

static void iomc_find_pf_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "page_fault_kernel"))
		iomc_pf_tp = tp;
}

static int iomc_win_hook(void)
{
	for_each_kernel_tracepoint(iomc_find_pf_tp, NULL);
	if (!iomc_pf_tp) {
		pr_warn("window: no page_fault_kernel tracepoint; a use after unmap will oops unreported\n");
		return 0;
	}
	return tracepoint_probe_register(iomc_pf_tp, iomc_page_fault_probe,
					 NULL);
}

static void iomc_win_unhook(void)
{
	if (!iomc_pf_tp)
		return;
	tracepoint_probe_unregister(iomc_pf_tp, iomc_page_fault_probe, NULL);
	tracepoint_synchronize_unregister();
}

static bool iomc_window_ready(void)
{
	return iomc_win_area;
}

/* ---- create / free ----------------------------------------------------- */

/* @fn: the API function the driver called, for messages. */
static struct io_mapping *iomc_init(struct io_mapping *iomap,
				    resource_size_t base, unsigned long size,
				    unsigned long caller, const char *fn)
{
	struct iomc_live *live;
	void __iomem *iomem;

	if (iomc_fail_this(fn, caller))
		return NULL;
	if (!iomap) {
		pr_err("%s(NULL) from %pS\n", fn, (void *)caller);
		return NULL;
	}
	if (!size) {
		pr_err("%s(%pa, size 0) from %pS: empty range refused\n",
		       fn, &base, (void *)caller);
		return NULL;
	}
	if (base + size - 1 < base) {
		pr_err("%s(%pa, 0x%lx) from %pS: range wraps around the address space, refused\n",
		       fn, &base, size, (void *)caller);
		return NULL;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("%s(%pa, 0x%lx) from %pS: range is (partly) System RAM, not a device aperture; refused\n",
		       fn, &base, size, (void *)caller);
		return NULL;
	}
	live = kzalloc(sizeof(*live), GFP_KERNEL);
	if (!live)
		return NULL;
	/* A live mapping pins the module: its functions are in use. */
	if (!try_module_get(THIS_MODULE)) {
		pr_err("%s from %pS: module is going away\n",
		       fn, (void *)caller);
		kfree(live);
		return NULL;
	}
	iomem = ioremap_wc(base, size);
	if (!iomem) {
		pr_err("%s(%pa, 0x%lx) from %pS: ioremap_wc failed\n",
		       fn, &base, size, (void *)caller);
		module_put(THIS_MODULE);
		kfree(live);
		return NULL;
	}
	iomap->base = base;
	iomap->size = size;
	iomap->prot = pgprot_writecombine(PAGE_KERNEL);
	iomap->iomem = iomem;
	iomap->iomc_flags = 0;
	iomap->iomc_map_limit = size;
	iomap->iomc_wc_limit = size;
	if (READ_ONCE(iomc_strategy) != IOMC_PREMAP) {
		iomap->iomc_flags = IOMC_F_PERMAP;
		iomap->iomc_wc_limit = 0;	/* every map_wc out of line */
		iomc_slow_inc(&__iomc_permap_key);
	}
	if (READ_ONCE(iomc_strategy) == IOMC_WINDOW) {
		iomap->iomc_flags |= IOMC_F_WINDOW;
		iomap->iomc_map_limit = 0;	/* every local/atomic map too */
		iomc_slow_inc(&__iomc_window_key);
	}
	iomap->iomc_state = IOMC_STATE_LIVE;
	live->m = iomap;
	live->caller = caller;
	mutex_lock(&iomc_lives_lock);
	live->owner = iomc_owner(caller);
	list_add(&live->node, &iomc_lives);
	mutex_unlock(&iomc_lives_lock);
	trace_io_mapping_create((unsigned long)iomap, base, size, caller);
	return iomap;
}

/* Returns whether @mapping was live (and is now finished). */
static bool iomc_fini(struct io_mapping *mapping, unsigned long caller)
{
	if (!mapping) {
		pr_err("io_mapping_fini/free(NULL) from %pS\n", (void *)caller);
		return false;
	}
	/* The checker sees every free, a double one included. */
	trace_io_mapping_free((unsigned long)mapping, mapping->size, caller);
	if (mapping->iomc_state != IOMC_STATE_LIVE) {
		pr_err("io_mapping_fini/free(%px) from %pS: %s; ignored\n",
		       mapping, (void *)caller,
		       mapping->iomc_state == IOMC_STATE_DEAD ?
		       "already freed" : "not an initialized io_mapping");
		return false;
	}
	iomc_live_del(mapping);
	iomc_teardown(mapping);
	return true;
}

struct io_mapping *io_mapping_init_wc(struct io_mapping *iomap,
				      resource_size_t base,
				      unsigned long size)
{
	return iomc_init(iomap, base, size, _RET_IP_, "io_mapping_init_wc");
}
EXPORT_SYMBOL(io_mapping_init_wc);

void io_mapping_fini(struct io_mapping *mapping)
{
	iomc_fini(mapping, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_fini);

/*
 * The mappings io_mapping_create_wc allocated and io_mapping_free has not
 * freed yet. io_mapping_free looks a pointer up here before it reads it:
 * a second free of a created mapping is refused without touching the
 * freed memory (its iomc_state would be a read of the slab's).
 */
struct iomc_created {
	struct hlist_node node;
	const struct io_mapping *m;
};

static DEFINE_HASHTABLE(iomc_created_tab, 6);
static DEFINE_SPINLOCK(iomc_created_lock);

/* Takes @m out of the table; whether it was there. */
static bool iomc_created_take(const struct io_mapping *m)
{
	struct iomc_created *c, *found = NULL;

	spin_lock(&iomc_created_lock);
	hash_for_each_possible(iomc_created_tab, c, node, (unsigned long)m) {
		if (c->m == m) {
			hash_del(&c->node);
			found = c;
			break;
		}
	}
	spin_unlock(&iomc_created_lock);
	kfree(found);
	return found;
}

/*
 * A freed mapping's memory is not given back at once: the most recent
 * IOMC_QUARANTINE freed mappings stay allocated, finished (IOMC_STATE_DEAD),
 * so that a map of a mapping freed a moment ago (use_after_free, the common
 * case: an error path that frees and then touches) reads our own dead state
 * and is refused, instead of reading slab memory that may be reused (or
 * trapped by KFENCE). An older one is a real use after free, as it is with
 * KASAN's quarantine. All are freed when this module goes.
 */
#define IOMC_QUARANTINE 64

static struct io_mapping *iomc_quarantine[IOMC_QUARANTINE];
static unsigned int iomc_quarantine_next;
static DEFINE_SPINLOCK(iomc_quarantine_lock);

static void iomc_quarantine_put(struct io_mapping *m)
{
	struct io_mapping *old;

	spin_lock(&iomc_quarantine_lock);
	old = iomc_quarantine[iomc_quarantine_next];
	iomc_quarantine[iomc_quarantine_next] = m;
	iomc_quarantine_next = (iomc_quarantine_next + 1) % IOMC_QUARANTINE;
	spin_unlock(&iomc_quarantine_lock);
	kfree(old);
}

static void iomc_quarantine_drain(void)
{
	unsigned int i;

	for (i = 0; i < IOMC_QUARANTINE; i++) {
		kfree(iomc_quarantine[i]);
		iomc_quarantine[i] = NULL;
	}
}

struct io_mapping *io_mapping_create_wc(resource_size_t base,
					unsigned long size)
{
	struct io_mapping *iomap;
	struct iomc_created *c;

	iomap = kmalloc(sizeof(*iomap), GFP_KERNEL);
	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!iomap || !c)
		goto fail;
	if (!iomc_init(iomap, base, size, _RET_IP_,
		       "io_mapping_create_wc"))
		goto fail;
	iomap->iomc_flags |= IOMC_F_ALLOCATED;
	c->m = iomap;
	spin_lock(&iomc_created_lock);
	hash_add(iomc_created_tab, &c->node, (unsigned long)iomap);
	spin_unlock(&iomc_created_lock);
	return iomap;
fail:
	kfree(c);
	kfree(iomap);
	return NULL;
}
EXPORT_SYMBOL(io_mapping_create_wc);

void io_mapping_free(struct io_mapping *iomap)
{
	if (iomap && !iomc_created_take(iomap)) {
		/*
		 * Freed already, or never created by io_mapping_create_wc
		 * (io_mapping_init_wc's are io_mapping_fini'd): either way not
		 * ours to read. The checker still sees the call.
		 */
		trace_io_mapping_free((unsigned long)iomap, 0, _RET_IP_);
		pr_err("io_mapping_free(%px) from %pS: not a live mapping from io_mapping_create_wc (freed already?); refused\n",
		       iomap, (void *)_RET_IP_);
		return;
	}
	if (!iomc_fini(iomap, _RET_IP_))
		return;	/* NULL, said so */
	iomc_quarantine_put(iomap);
}
EXPORT_SYMBOL(io_mapping_free);

/* ---- map / unmap ------------------------------------------------------- */

/*
 * One implementation per operation, always inlined into its two exports
 * so that @caller (their _RET_IP_) is the driver's call site.
 */

static __always_inline void __iomem *
iomc_map_atomic(struct io_mapping *mapping, unsigned long offset,
		unsigned long caller)
{
	void __iomem *vaddr;

	if (unlikely(!iomc_live(mapping) || offset >= mapping->size))
		return iomc_refuse_map(IOMC_KIND_ATOMIC, mapping, offset,
				       PAGE_SIZE, caller);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_disable();
	else
		migrate_disable();
	pagefault_disable();
	vaddr = NULL;
	if (mapping->iomc_flags & IOMC_F_WINDOW)
		vaddr = iomc_win_map(mapping, offset, IOMC_KIND_ATOMIC, caller);
	if (!vaddr)
		vaddr = mapping->iomem + offset;
	iomc_trace_map(IOMC_KIND_ATOMIC, mapping, offset, PAGE_SIZE, vaddr,
		       caller);
	return vaddr;
}

/*
 * Clear @vaddr's window page, if it is one; a local map's migration is
 * enabled again whichever unmap variant undoes it (unmap_mismatch must
 * not leave the task pinned to this CPU).
 */
static __always_inline void iomc_win_release(const void __iomem *vaddr,
					     unsigned long caller)
{
	if (static_branch_unlikely(&__iomc_window_key) &&
	    iomc_in_window((unsigned long)vaddr) &&
	    iomc_win_unmap(vaddr, caller))
		migrate_enable();
}

static __always_inline void iomc_unmap_atomic(void __iomem *vaddr,
					      unsigned long caller)
{
	iomc_trace_unmap(IOMC_KIND_ATOMIC, vaddr, caller);
	/*
	 * A refused map (NULL) disabled nothing; an unmap_atomic with no
	 * atomic map outstanding on this CPU (wrong variant, double unmap)
	 * would enable preemption and page faults that were never disabled
	 * and leave the preempt count negative: refuse to undo anything.
	 * Outstanding is read from the kernel's own counts (io-mapping.h's
	 * __iomc_atomic_held()), which the inline fast paths keep whether
	 * or not they check: a map taken with the key off and unmapped with
	 * it on balances.
	 */
	if (unlikely(!vaddr || !__iomc_atomic_held())) {
		pr_err_ratelimited("io_mapping_unmap_atomic(%px) from %pS: %s; preemption and page faults left as they are\n",
				   vaddr, (void *)caller,
				   vaddr ? "no atomic map outstanding on this CPU" :
				   "NULL address");
		/* a local map's window page (wrong variant) is still undone */
		iomc_win_release(vaddr, caller);
		return;
	}
	iomc_win_release(vaddr, caller);
	pagefault_enable();
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_enable();
	else
		migrate_enable();
}

static __always_inline void __iomem *
iomc_map_local(struct io_mapping *mapping, unsigned long offset,
	       unsigned long caller)
{
	void __iomem *vaddr;

	if (unlikely(!iomc_live(mapping) || offset >= mapping->size))
		return iomc_refuse_map(IOMC_KIND_LOCAL, mapping, offset,
				       PAGE_SIZE, caller);
	vaddr = NULL;
	if (mapping->iomc_flags & IOMC_F_WINDOW) {
		/* held on this CPU, as kmap_local on 32-bit */
		migrate_disable();
		vaddr = iomc_win_map(mapping, offset, IOMC_KIND_LOCAL, caller);
		if (!vaddr)
			migrate_enable();
	}
	if (!vaddr)
		vaddr = mapping->iomem + offset;
	iomc_trace_map(IOMC_KIND_LOCAL, mapping, offset, PAGE_SIZE, vaddr,
		       caller);
	return vaddr;
}

static __always_inline void iomc_unmap_local(void __iomem *vaddr,
					     unsigned long caller)
{
	iomc_trace_unmap(IOMC_KIND_LOCAL, vaddr, caller);
	iomc_win_release(vaddr, caller);
}

/* The callers do the might_sleep() check. */
static __always_inline void __iomem *
iomc_map_wc(struct io_mapping *mapping, unsigned long offset,
	    unsigned long size, unsigned long caller)
{
	void __iomem *vaddr;

	if (unlikely(!iomc_live(mapping) || offset >= mapping->size))
		return iomc_refuse_map(IOMC_KIND_WC, mapping, offset, size,
				       caller);
	if (unlikely(mapping->iomc_flags & IOMC_F_PERMAP)) {
		vaddr = iomc_permap_map(mapping, offset, size);
		if (!vaddr)
			pr_err_ratelimited("io_mapping_map_wc(%px, 0x%lx, %lu) from %pS: per-map ioremap_wc failed\n",
					   mapping, offset, size,
					   (void *)caller);
	} else {
		vaddr = mapping->iomem + offset;
	}
	iomc_trace_map(IOMC_KIND_WC, mapping, offset, size, vaddr, caller);
	return vaddr;
}

static __always_inline void iomc_unmap(void __iomem *vaddr,
				       unsigned long caller)
{
	iomc_trace_unmap(IOMC_KIND_WC, vaddr, caller);
	if (static_branch_unlikely(&__iomc_permap_key))
		iomc_permap_unmap(vaddr);
}

/* The kernel's names: drivers calling them without the fast paths. */

void __iomem *io_mapping_map_atomic_wc(struct io_mapping *mapping,
				       unsigned long offset)
{
	return iomc_map_atomic(mapping, offset, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_map_atomic_wc);

void io_mapping_unmap_atomic(void __iomem *vaddr)
{
	iomc_unmap_atomic(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_unmap_atomic);

void __iomem *io_mapping_map_local_wc(struct io_mapping *mapping,
				      unsigned long offset)
{
	return iomc_map_local(mapping, offset, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_map_local_wc);

void io_mapping_unmap_local(void __iomem *vaddr)
{
	iomc_unmap_local(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_unmap_local);

/* might_sleep() as before; the fast path keeps only its check, see there. */
void __iomem *io_mapping_map_wc(struct io_mapping *mapping,
				unsigned long offset,
				unsigned long size)
{
	might_sleep();
	return iomc_map_wc(mapping, offset, size, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_map_wc);

void io_mapping_unmap(void __iomem *vaddr)
{
	iomc_unmap(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(io_mapping_unmap);

/* The out-of-line halves of the drop-in header's inline fast paths. */

void __iomem *__iomc_map_atomic_wc(struct io_mapping *mapping,
				   unsigned long offset)
{
	return iomc_map_atomic(mapping, offset, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_map_atomic_wc);

void __iomc_unmap_atomic(void __iomem *vaddr)
{
	iomc_unmap_atomic(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_unmap_atomic);

void __iomem *__iomc_map_local_wc(struct io_mapping *mapping,
				  unsigned long offset)
{
	return iomc_map_local(mapping, offset, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_map_local_wc);

void __iomc_unmap_local(void __iomem *vaddr)
{
	iomc_unmap_local(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_unmap_local);

/* The inline half did __might_sleep(). */
void __iomem *__iomc_map_wc(struct io_mapping *mapping, unsigned long offset,
			    unsigned long size)
{
	return iomc_map_wc(mapping, offset, size, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_map_wc);

void __iomc_unmap(void __iomem *vaddr)
{
	iomc_unmap(vaddr, _RET_IP_);
}
EXPORT_SYMBOL(__iomc_unmap);

/* ---- module ------------------------------------------------------------ */

static int __init iomc_mod_init(void)
{
	int err;

	/* without a window the other strategies still work */
	if (iomc_win_reserve() == 0 && iomc_win_hook() != 0) {
		pr_warn("window: page_fault_kernel probe not registered; a use after unmap will oops unreported\n");
		iomc_pf_tp = NULL;
	}
	iomc_loaded = true;
	if (iomc_strategy == IOMC_WINDOW && !iomc_window_ready()) {
		pr_err("strategy=window: the window could not be reserved; using premap\n");
		iomc_strategy = IOMC_PREMAP;
	}
	err = register_module_notifier(&iomc_module_nb);
	if (err) {
		iomc_win_unhook();
		iomc_win_free();
	}
	return err;
}

static void __exit iomc_mod_exit(void)
{
	struct iomc_permap *p;
	struct hlist_node *tmp;
	int bkt;

	unregister_module_notifier(&iomc_module_nb);
	/*
	 * No mapping is live (each pins the module), but map_wc's of freed
	 * mappings that were never unmapped may remain under permap.
	 */
	hash_for_each_safe(iomc_permaps, bkt, tmp, p, node) {
		pr_warn("permap vaddr 0x%lx never unmapped; unmapping\n",
			p->vaddr);
		hash_del(&p->node);
		iounmap((void __iomem *)p->vaddr);
		kfree(p);
		iomc_slow_dec(&__iomc_permap_key);
	}
	iomc_quarantine_drain();
	iomc_win_unhook();
	iomc_win_free();
}

module_init(iomc_mod_init);
module_exit(iomc_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("io_mapping API with a tracepoint on every operation");
