// SPDX-License-Identifier: GPL-2.0
/*
 * Module ends (leak_on_unload: the mappings, maps and memremaps a module
 * leaves behind) and unload requests (the daemon lets go of iomap_check.ko).
 */
#include "iomc_bpf.h"


/*
 * free_module() fires module_free for an rmmod (after the module's exit
 * function) and for a load whose init failed, while the module's text is
 * still there. The ranges come from struct module: core_layout/init_layout
 * up to 6.3, mem[MOD_TEXT]/mem[MOD_INIT_TEXT] since (CO-RE picks).
 */
struct module_memory___new {
	void *base;
	unsigned int size;
} __attribute__((preserve_access_index));

struct module___new {
	struct module_memory___new mem[7];
} __attribute__((preserve_access_index));

#define MOD_TEXT___new 0
#define MOD_INIT_TEXT___new 4

static __always_inline void mod_text(void *mod, struct iomc_modtext *core,
				     struct iomc_modtext *init)
{
	if (bpf_core_field_exists(((struct module___new *)0)->mem)) {
		struct module___new *m = mod;

		core->lo = (__u64)BPF_CORE_READ(m, mem[MOD_TEXT___new].base);
		core->len = BPF_CORE_READ(m, mem[MOD_TEXT___new].size);
		init->lo = (__u64)BPF_CORE_READ(m, mem[MOD_INIT_TEXT___new].base);
		init->len = BPF_CORE_READ(m, mem[MOD_INIT_TEXT___new].size);
	} else {
		struct module *m = mod;

		core->lo = (__u64)BPF_CORE_READ(m, core_layout.base);
		core->len = BPF_CORE_READ(m, core_layout.text_size);
		init->lo = (__u64)BPF_CORE_READ(m, init_layout.base);
		init->len = BPF_CORE_READ(m, init_layout.text_size);
	}
	if (!core->lo)
		core->len = 0;
	if (!init->lo)
		init->len = 0;
}

/*
 * The owner of a call made at w->site now: the module whose init text is
 * live and holds the site (abi.h: ev.len of create and memremap). modinit
 * keeps the init text seen at module_load until the module goes; the
 * module's own struct says whether it is still there (do_init_module
 * clears it before freeing it), so a range freed and reused by the next
 * module is not taken for its old owner's.
 */
static long init_owner_cb(struct bpf_map *map, const void *key, void *value,
			  void *data)
{
	struct iomc_owner_walk *w = data;
	struct iomc_modtext *t = value, core, init;
	__u64 id = *(const __u64 *)key;

	if (w->site - t->lo >= t->len)
		return 0;
	mod_text((void *)id, &core, &init);
	if (init.lo != t->lo || !init.len)
		return 0;	/* freed after its init: not its code now */
	w->owner = id;
	return 1;
}

__noinline int g_init_owner(struct iomc_owner_walk *w)
{
	struct iomc_owner_walk x = {};	/* (the walk's data must be on the stack) */

	if (!w)
		return 0;
	x.site = w->site;
	if (x.site)
		bpf_for_each_map_elem(&modinit, init_owner_cb, &x, 0);
	w->owner = x.owner;
	return 0;
}

/* What a module end collects before reporting (bounded: IOMC_MAX_VIOL). */
struct unload_ctx {
	__u64 mapping[IOMC_MAX_VIOL];
	__u32 n[IOMC_MAX_VIOL];		/* their outstanding maps */
	__u32 ng;
	__u32 dropped;
};

static long unload_live_cb(struct bpf_map *map, const void *key, void *value,
			   void *data)
{
	struct unload_ctx *u = data;
	struct iomc_live_ent *e = value;
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	__u32 i = u->ng;

	if (!sc || !iomc_owned(&sc->end, e->l.site, e->l.owner))
		return 0;
	if (i >= IOMC_MAX_VIOL) {
		u->dropped++;
		return 0;
	}
	u->mapping[iomc_idx(i, IOMC_MAX_VIOL)] = *(const __u64 *)key;
	u->ng = i + 1;
	return 0;
}

/* Count h if it is a map of a leaked mapping of u. */
__noinline int g_count_leaked_held(const struct iomc_held *h,
				   struct unload_ctx *u)
{
	__u32 k;

	if (!h || !u)
		return 0;
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u->ng)
			break;
		if (h->mapping == u->mapping[iomc_idx(k, IOMC_MAX_VIOL)])
			u->n[iomc_idx(k, IOMC_MAX_VIOL)]++;
	}
	return 0;
}

/*
 * Count the maps of the leaked mappings in s (global: see g_count_mapping;
 * the inner loop is a global of its own, or the verifier walks 32 x 8).
 */
__noinline int g_count_leaked(const struct iomc_stack *s, struct unload_ctx *u)
{
	__u32 i, d;

	if (!s || !u)
		return 0;
	d = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		g_count_leaked_held(&s->held[i], u);
	}
	return 0;
}

static long count_leaked_cb(struct bpf_map *map, const void *key, void *value,
			    void *data)
{
	g_count_leaked(value, data);
	return 0;
}

static long count_leaked_wc_cb(struct bpf_map *map, const void *key,
			       void *value, void *data)
{
	struct unload_ctx *u = data;
	struct iomc_wc *w = value;
	__u32 k;

	if (!w->count)
		return 0;
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u->ng)
			break;
		if (w->last.mapping == u->mapping[iomc_idx(k, IOMC_MAX_VIOL)])
			u->n[iomc_idx(k, IOMC_MAX_VIOL)] += w->count;
	}
	return 0;
}

/* Report leaked mapping k of u and forget it. */
__noinline int g_unload_mapping(struct unload_ctx *u, __u32 k)
{
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	struct iomc_live_ent *e;
	__u64 m;

	if (!sc || !u || k >= IOMC_MAX_VIOL)
		return 0;
	k = iomc_idx(k, IOMC_MAX_VIOL);
	m = u->mapping[k];
	e = bpf_map_lookup_elem(&lives, &m);
	if (!e)
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_mapping(IOMC_BPF_RULES, &e->l, 1, &sc->vd);
	iomc_unload_event(&sc->ev, &sc->end, m, &e->l,
			  u->n[iomc_idx(k, IOMC_MAX_VIOL)], 0);
	sc->presym_addr = e->l.site;
	bpf_probe_read_kernel(sc->presym, sizeof(sc->presym), e->sym);
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	sc->presym_addr = 0;
	bpf_map_delete_elem(&lives, &m);
	return 0;
}

/* Report one outstanding map if the module's code took it; 1 if it did. */
__noinline int g_unload_held(const struct iomc_held *h)
{
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	int mine;

	if (!sc || !h)
		return 0;
	mine = iomc_in_module(&sc->end, h->site);
	if (!mine)
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_held(IOMC_BPF_RULES, h, mine, &sc->vd);
	iomc_unload_event(&sc->ev, &sc->end, 0, 0, 0, h);
	/* the holder is in the violation (other_tid); the report's task is
	 * the unloading one */
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	return 1;
}

__noinline int g_stack_find_module(const struct iomc_stack *s,
				   const struct iomc_event *end)
{
	return s && end ? iomc_stack_find_module(s, end) : -1;
}

/* Report, then forget, the maps of s the module's code took. */
__noinline int g_unload_stack(struct iomc_stack *s, __u32 irq)
{
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	__u32 i, d, a0, d0;
	int idx;

	if (!s || !sc)
		return 0;
	d = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		if (i >= d)
			break;
		g_unload_held(&s->held[i]);
	}
	a0 = s->n_atomic;
	d0 = s->depth;
	for (i = 0; i < IOMC_STACK_MAX; i++) {
		idx = g_stack_find_module(s, &sc->end);
		if (idx < 0)
			break;
		g_stack_remove(s, idx, 0);
	}
	/* (any interrupt context: account() only tells task from the rest) */
	account(irq ? IOMC_CTX_HARDIRQ : IOMC_CTX_TASK, d0, a0, s);
	return 0;
}

static long unload_task_cb(struct bpf_map *map, const void *key, void *value,
			   void *data)
{
	g_unload_stack(value, 0);
	return 0;
}

static long unload_irq_cb(struct bpf_map *map, const void *key, void *value,
			  void *data)
{
	g_unload_stack(value, 1);
	return 0;
}

static long unload_wc_cb(struct bpf_map *map, const void *key, void *value,
			 void *data)
{
	struct iomc_wc *w = value;

	if (!w->count)
		return 0;
	if (g_unload_held(&w->last) && !bpf_map_delete_elem(map, key))
		__sync_fetch_and_add(&wc_held, -1);
	return 0;
}

/*
 * Report a live memremap the module's code made; 1 if it was the module's.
 * Its site is named as the kernel named it at the call (mr_names): init
 * text is freed by now.
 */
__noinline int g_unload_memremap(__u64 vaddr, const struct iomc_mr *mr)
{
	struct iomc_scratch *sc = scratch_get(IOMC_CTX_TASK);
	struct iomc_mr_name *n;
	__u64 va = vaddr;

	if (!sc || !mr || !iomc_owned(&sc->end, mr->site, mr->owner))
		return 0;
	iomc_verdict_init(&sc->vd);
	iomc_check_unload_memremap(IOMC_BPF_RULES, mr, 1, &sc->vd);
	iomc_unload_memremap_event(&sc->ev, &sc->end, vaddr, mr);
	n = bpf_map_lookup_elem(&mr_names, &va);
	if (n) {
		sc->presym_addr = mr->site;
		bpf_probe_read_kernel(sc->presym, sizeof(sc->presym), n->sym);
	}
	if (sc->vd.n)
		g_report(sc, 0, IOMC_CTX_TASK, sc->end.tid);
	sc->presym_addr = 0;
	return 1;
}

/* (deleting the element being visited is allowed in a hash walk) */
static long unload_memremap_cb(struct bpf_map *map, const void *key,
			       void *value, void *data)
{
	if (g_unload_memremap(*(const __u64 *)key, value)) {
		bpf_map_delete_elem(&mr_names, key);
		bpf_map_delete_elem(map, key);
	}
	return 0;
}

static __always_inline int module_end(void *ctx, __u64 id,
				      const struct iomc_modtext *core,
				      const struct iomc_modtext *init, __u64 failed)
{
	struct iomc_scratch *sc = begin(IOMC_CTX_TASK, IOMC_EV_MODULE_END,
				   IOMC_CTX_TASK);
	struct unload_ctx u = {};
	__u32 k;

	if (!sc)
		return 0;
	sc->ev.mapping = id;
	sc->ev.offset = core->lo;
	sc->ev.len = core->len;
	sc->ev.vaddr = init->lo;
	sc->ev.size = init->len;
	sc->ev.arg = failed;
	record(&sc->ev);
	sc->end = sc->ev;
	/* one stack for all: the unload's */
	sc->stack_bytes = bpf_get_stack(ctx, sc->stack, sizeof(sc->stack), 0);
	bpf_for_each_map_elem(&lives, unload_live_cb, &u, 0);
	if (u.ng) {
		bpf_for_each_map_elem(&tasks, count_leaked_cb, &u, 0);
		bpf_for_each_map_elem(&irqs, count_leaked_cb, &u, 0);
		if (wc_held)
			bpf_for_each_map_elem(&wcs, count_leaked_wc_cb, &u, 0);
	}
	for (k = 0; k < IOMC_MAX_VIOL; k++) {
		if (k >= u.ng)
			break;
		g_unload_mapping(&u, k);
	}
	if (u.dropped) {
		struct iomc_counters *c = cnt();

		if (c)
			c->violations += u.dropped;
	}
	bpf_for_each_map_elem(&tasks, unload_task_cb, 0, 0);
	if (irq_held)
		bpf_for_each_map_elem(&irqs, unload_irq_cb, 0, 0);
	if (wc_held)
		bpf_for_each_map_elem(&wcs, unload_wc_cb, 0, 0);
	bpf_for_each_map_elem(&mrs, unload_memremap_cb, 0, 0);
	return 0;
}

/* module_load(mod): remember its init text, freed after a good init. */
SEC("raw_tp/module_load")
int BPF_PROG(iomc_module_load, void *mod)
{
	struct iomc_modtext core, init;
	__u64 id = (__u64)mod;

	mod_text(mod, &core, &init);
	if (init.len)
		bpf_map_update_elem(&modinit, &id, &init, BPF_ANY);
	return 0;
}

/* module_free(mod) */
SEC("raw_tp/module_free")
int BPF_PROG(iomc_module_free, void *mod)
{
	struct iomc_modtext core, init, *seen;
	__u64 id = (__u64)mod, failed;

	mod_text(mod, &core, &init);
	/* init text still there: the init failed (a good one frees it) */
	failed = init.len != 0;
	seen = bpf_map_lookup_elem(&modinit, &id);
	if (!init.len && seen) {
		init.lo = seen->lo;
		init.len = seen->len;
	}
	bpf_map_delete_elem(&modinit, &id);
	return module_end(ctx, id, &core, &init, failed);
}

/*
 * Never attached: drives module_end from tests (BPF_PROG_TEST_RUN has no
 * struct module to give). Arguments: (id, core lo, core len, init lo,
 * init len, failed).
 */
SEC("raw_tp")
int BPF_PROG(iomc_test_module_end, __u64 id, __u64 core_lo, __u64 core_len,
	     __u64 init_lo, __u64 init_len, __u64 failed)
{
	struct iomc_modtext core = { core_lo, core_len }, init = { init_lo, init_len };

	return module_end(ctx, id, &core, &init, failed);
}

/* ---- module unload requests ---------------------------------------------- */

/*
 * delete_module(name, flags): tell the daemon, which must drop its links to
 * iomap_check.ko's tracepoints (they hold a reference on the module) for
 * the unload to succeed. The first attempt usually loses the race and fails
 * with EBUSY; a retry (modprobe -r --wait, rmmod in a loop) succeeds.
 */
SEC("ksyscall/delete_module")
int BPF_KSYSCALL(iomc_delete_module, const char *name, unsigned int flags)
{
	struct iomc_unload_msg *m;

	m = bpf_ringbuf_reserve(&rb, sizeof(*m), 0);
	if (!m)
		return 0;
	m->msg = IOMC_MSG_UNLOAD;
	m->pid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_probe_read_user_str(m->name, sizeof(m->name), name) < 0)
		m->name[0] = 0;
	bpf_ringbuf_submit(m, 0);
	return 0;
}

