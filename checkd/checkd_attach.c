// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loading and attaching the BPF programs: see checkd_attach.h. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "checkd_attach.h"
#include "checkd_hooks.h"
#include "checkd_syms.h"
#include "iomap_checkd.skel.h"

/* libbpf's own warnings are noise while probing hooks that may not exist */
static int quiet;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || quiet)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* The might-sleep programs by kind: what a hooked function's arguments say. */
enum ms_kind { MS_SLEEP, MS_PTR1, MS_GFP1, MS_GFP2, MS_GFP3, MS_KINDS };

/* The kind's program: a kprobe each (multi 0) or one kprobe.multi link. */
static struct bpf_program *ms_prog(struct ck_bpf *b, int kind, int multi)
{
	struct iomap_checkd *s = b->skel;

	switch (kind) {
	case MS_PTR1:	return multi ? s->progs.iomc_msm_ptr1 : s->progs.iomc_ms_ptr1;
	case MS_GFP1:	return multi ? s->progs.iomc_msm_gfp1 : s->progs.iomc_ms_gfp1;
	case MS_GFP2:	return multi ? s->progs.iomc_msm_gfp2 : s->progs.iomc_ms_gfp2;
	case MS_GFP3:	return multi ? s->progs.iomc_msm_gfp3 : s->progs.iomc_ms_gfp3;
	default:	return multi ? s->progs.iomc_msm : s->progs.iomc_ms;
	}
}

/*
 * kprobe.multi links (5.18+) need fprobe (CONFIG_FPROBE: Debian's 6.12 and
 * 7.x, not 6.1). Read from the kernel's BTF, before the programs load: a
 * kernel without the attach type would refuse the whole object.
 */
static int have_kprobe_multi(const struct btf *btf)
{
	return btf &&
	       btf__find_by_name_kind(btf, "bpf_kprobe_multi_link_attach", BTF_KIND_FUNC) >= 0 &&
	       btf__find_by_name_kind(btf, "register_fprobe_ips", BTF_KIND_FUNC) >= 0;
}

int ck_bpf_load(struct ck_bpf *b, const struct ck_bpf_opts *o)
{
	int err, k;

	memset(b, 0, sizeof(*b));
	libbpf_set_print(libbpf_print);
	/* the hooks' questions to the kernel's BTF (which functions it has,
	 * their gfp_t argument, fprobe) read one copy, parsed once */
	b->btf = btf__load_vmlinux_btf();
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0)
		return -EINVAL;
	b->skel = iomap_checkd__open();
	if (!b->skel) {
		err = -errno;
		fprintf(stderr, "iomap-checkd: cannot open the BPF object: %s\n",
			strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(b->skel->maps.irqs, (__u32)b->ncpus * 3);
	if (o->ringbuf_bytes)
		bpf_map__set_max_entries(b->skel->maps.rb, o->ringbuf_bytes);
	b->skel->rodata->cfg = o->cfg;
	b->skel->rodata->iomc_iomem_resource = ck_syms_iomem_resource();
	/* the might-sleep kprobes are loaded only if used, their
	 * kprobe.multi twins only where the kernel can attach them */
	b->ms_multi = o->ms_mode != CK_MS_NONE && have_kprobe_multi(b->btf);
	for (k = 0; k < MS_KINDS; k++) {
		if (o->ms_mode == CK_MS_NONE)
			bpf_program__set_autoload(ms_prog(b, k, 0), false);
		if (!b->ms_multi)
			bpf_program__set_autoload(ms_prog(b, k, 1), false);
	}
	if (o->ms_mode == CK_MS_NONE)
		bpf_program__set_autoload(b->skel->progs.iomc_ms_resched, false);
	err = iomap_checkd__load(b->skel);
	if (err) {
		fprintf(stderr, "iomap-checkd: loading the BPF programs failed: %s\n",
			strerror(-err));
		iomap_checkd__destroy(b->skel);
		b->skel = NULL;
		return err;
	}
	return 0;
}

static int add_link(struct ck_bpf *b, struct bpf_link *l)
{
	struct bpf_link **p;

	if (!l)
		return -errno;
	p = realloc(b->links, (b->nlinks + 1) * sizeof(*p));
	if (!p) {
		bpf_link__destroy(l);
		return -ENOMEM;
	}
	b->links = p;
	b->links[b->nlinks++] = l;
	return 0;
}

static void note_in(char *list, size_t size, const char *what)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? " " : "", what);
}

/* A tracepoint or function this kernel does not have. */
static void note_skipped(struct ck_bpf *b, const char *what)
{
	note_in(b->skipped, sizeof(b->skipped), what);
}

/*
 * A kprobe that could not be attached: the kernel has the function (BTF
 * says so) but either has no kprobes at all or will not probe this one
 * (notrace, blacklisted). Said apart, so that a missing kprobe facility is
 * not reported as missing functions.
 */
static void note_kprobe_failed(struct ck_bpf *b, const char *what)
{
	if (b->no_kprobes)
		note_in(b->kp_unavail, sizeof(b->kp_unavail), what);
	else
		note_in(b->kp_refused, sizeof(b->kp_refused), what);
}

/*
 * A memremap function (kprobe and kretprobe) not hooked: for want of
 * kprobes, because this kernel has no such function (BTF), or refused.
 */
static void note_mr_failed(struct ck_bpf *b, const char *func)
{
	if (b->no_kprobes) {
		note_kprobe_failed(b, func);
		return;
	}
	if (b->btf && btf__find_by_name_kind(b->btf, func, BTF_KIND_FUNC) < 0)
		note_skipped(b, func);
	else
		note_kprobe_failed(b, func);
}

/* Can this kernel kprobe at all? (libbpf's two ways: the PMU, kprobe_events) */
static int have_kprobes(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	       !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

static int attach_tp_list(struct ck_bpf *b, struct bpf_program *p,
			  const char *const *names)
{
	int n = 0;

	for (; *names; names++) {
		if (add_link(b, bpf_program__attach_raw_tracepoint(p, *names)))
			note_skipped(b, *names);
		else
			n++;
	}
	return n;
}

/* 1-based index of the gfp_t parameter of func, 0 if none, -1 if no func. */
static int gfp_arg(const struct btf *btf, const char *func)
{
	const struct btf_type *t, *proto;
	const struct btf_param *pa;
	int id, i, n;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, (__u32)id);
	proto = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -1;
	pa = btf_params(proto);
	n = btf_vlen(proto);
	for (i = 0; i < n; i++) {
		const struct btf_type *pt = btf__type_by_id(btf, pa[i].type);

		while (pt && (btf_is_const(pt) || btf_is_volatile(pt)))
			pt = btf__type_by_id(btf, pt->type);
		if (pt && btf_is_typedef(pt) &&
		    !strcmp(btf__name_by_offset(btf, pt->name_off), "gfp_t"))
			return i + 1;
	}
	return 0;
}

/* The first line of path (newline dropped) in buf; 0 or -1. */
static int read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)n, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/*
 * The mode named by the word w (preempt=, debugfs): "none", "voluntary",
 * "full" or (6.13+) "lazy"; NULL for another word.
 */
static const char *mode_word(const char *w, size_t n)
{
	static const char *const modes[] = { "none", "voluntary", "full", "lazy" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (n == strlen(modes[i]) && !strncmp(w, modes[i], n))
			return modes[i];
	return NULL;
}

/*
 * The preemption mode the kernel runs in, and where that was read (how):
 * PREEMPT_DYNAMIC's debugfs file ("none (voluntary) full": the current one
 * in parentheses), else preempt= on the command line, else the build-time
 * choice in /boot/config-RELEASE. NULL if none says.
 */
static const char *preempt_mode(const char **how)
{
	static char line[4096];
	char path[300];
	struct utsname u;
	const char *m, *p, *e;
	FILE *f;

	if (!read_line("/sys/kernel/debug/sched/preempt", line, sizeof(line)) &&
	    (p = strchr(line, '(')) && (e = strchr(p, ')')) &&
	    (m = mode_word(p + 1, (size_t)(e - p - 1)))) {
		*how = "/sys/kernel/debug/sched/preempt";
		return m;
	}
	if (!read_line("/proc/cmdline", line, sizeof(line))) {
		for (p = line; (p = strstr(p, "preempt=")); p += 8) {
			if (p != line && p[-1] != ' ')
				continue;
			if ((m = mode_word(p + 8, strcspn(p + 8, " ")))) {
				*how = "preempt= on the kernel command line";
				return m;
			}
		}
	}
	if (uname(&u))
		return NULL;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	m = NULL;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "CONFIG_PREEMPT_NONE=y\n"))
			m = "none";
		else if (!strcmp(line, "CONFIG_PREEMPT_VOLUNTARY=y\n"))
			m = "voluntary";
		else if (!strcmp(line, "CONFIG_PREEMPT=y\n"))
			m = "full";
	}
	if (f)
		fclose(f);
	if (m)
		*how = "the kernel's build configuration (/boot)";
	return m;
}

/*
 * Every might_sleep(): a kprobe on ck_ms_every, unless the kernel runs in a
 * mode where might_sleep() calls nothing (then the hook would only see
 * explicit __cond_resched callers). Unknown mode: hooked anyway (it costs
 * nothing if never called). The coverage goes to b->ms_cover.
 */
static void attach_every(struct ck_bpf *b)
{
	const char *how = NULL, *mode = preempt_mode(&how);
	struct utsname u;
	const char *rel = uname(&u) ? "?" : u.release;

	if (mode && strcmp(mode, "voluntary")) {
		snprintf(b->ms_cover, sizeof(b->ms_cover),
			 "the listed functions only: kernel %s runs in preempt=%s mode (from %s), where might_sleep() calls nothing",
			 rel, mode, how);
		return;
	}
	if (add_link(b, bpf_program__attach_kprobe(b->skel->progs.iomc_ms_resched,
						   false, ck_ms_every))) {
		note_kprobe_failed(b, ck_ms_every);
		if (b->no_kprobes)
			snprintf(b->ms_cover, sizeof(b->ms_cover),
				 "sleeps that happen only (sched_switch): kprobes are not available in kernel %s", rel);
		else
			snprintf(b->ms_cover, sizeof(b->ms_cover),
				 "the listed functions only: %s cannot be kprobed on kernel %s",
				 ck_ms_every, rel);
		return;
	}
	b->ms_every = 1;
	b->n_ms++;
	snprintf(b->ms_cover, sizeof(b->ms_cover),
		 "every might_sleep() and cond_resched() (kprobe on %s) and the listed functions: kernel %s, preempt=%s mode (%s)",
		 ck_ms_every, rel, mode ? mode : "voluntary",
		 how ? how : "mode unknown: assumed, the kernel default");
}

/* One function of a kind, by a kprobe of its own. */
static void attach_ms_one(struct ck_bpf *b, int kind, const char *func)
{
	if (add_link(b, bpf_program__attach_kprobe(ms_prog(b, kind, 0), false, func)))
		note_kprobe_failed(b, func);
	else
		b->n_ms++;
}

/*
 * The functions of one kind by one kprobe.multi link. The kernel refuses
 * the whole link for one function it cannot trace through ftrace (a kprobe
 * can still take it), so a refused list is split in two and each half
 * tried again: a few links more for a few such functions, and a function
 * refused alone gets a kprobe of its own.
 */
static void attach_ms_multi(struct ck_bpf *b, int kind, const char **funcs, unsigned int n)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = funcs, .cnt = n);

	if (!add_link(b, bpf_program__attach_kprobe_multi_opts(ms_prog(b, kind, 1), NULL, &o))) {
		b->n_ms += n;
		b->n_ms_multi += n;
		return;
	}
	if (n == 1) {
		attach_ms_one(b, kind, funcs[0]);
		return;
	}
	attach_ms_multi(b, kind, funcs, n / 2);
	attach_ms_multi(b, kind, funcs + n / 2, n - n / 2);
}

/* The functions of one kind: kprobe.multi where the kernel has it. */
static void attach_ms_kind(struct ck_bpf *b, int kind, const char **funcs, unsigned int n)
{
	unsigned int i;

	if (n && b->ms_multi) {
		attach_ms_multi(b, kind, funcs, n);
		return;
	}
	for (i = 0; i < n; i++)
		attach_ms_one(b, kind, funcs[i]);
}

/* A hook's kind in this kernel, or -1: not in this kernel, or skipped. */
static int ms_kind(struct ck_bpf *b, const struct ck_ms_hook *h, enum ck_ms_mode ms)
{
	int g;

	if (h->cls == CK_MS_ALLOC) {
		if (ms == CK_MS_NOALLOC)
			return -1;
		g = b->btf ? gfp_arg(b->btf, h->func) : -1;
		if (g < 0)
			return -1;	/* not in this kernel: quietly */
		if (g < 1 || g > 3) {
			note_skipped(b, h->func);	/* no gfp_t in the first three */
			return -1;
		}
		return MS_GFP1 + g - 1;
	}
	if (b->btf && btf__find_by_name_kind(b->btf, h->func, BTF_KIND_FUNC) < 0)
		return -1;	/* not in this kernel */
	return h->cls == CK_MS_PTR1 ? MS_PTR1 : MS_SLEEP;
}

static int attach_might_sleep(struct ck_bpf *b, enum ck_ms_mode ms)
{
	/* the hooks' names by kind: row k holds n[k] of them */
	const char **funcs = calloc((size_t)MS_KINDS * ck_n_ms_hooks, sizeof(*funcs));
	unsigned int n[MS_KINDS] = { 0 }, i;
	int k;

	if (!funcs)
		return -ENOMEM;
	for (i = 0; i < ck_n_ms_hooks; i++) {
		k = ms_kind(b, &ck_ms_hooks[i], ms);
		if (k >= 0)
			funcs[k * ck_n_ms_hooks + n[k]++] = ck_ms_hooks[i].func;
	}
	for (k = 0; k < MS_KINDS; k++)
		attach_ms_kind(b, k, funcs + k * ck_n_ms_hooks, n[k]);
	attach_every(b);
	free(funcs);
	return 0;
}

int ck_bpf_attach_kernel(struct ck_bpf *b, enum ck_ms_mode ms)
{
	struct iomap_checkd *s = b->skel;
	int err;

	quiet = 1;
	b->no_kprobes = !have_kprobes();
	/* sleep_in_atomic: the scheduler's "scheduling while atomic" check
	 * if it can be kprobed (catches the attempt), else sched_switch */
	b->sleep_hook = "__schedule_bug";
	err = add_link(b, bpf_program__attach_kprobe(s->progs.iomc_schedule_bug,
						     false, "__schedule_bug"));
	if (err) {
		b->sleep_hook = "sched_switch";
		err = add_link(b, bpf_program__attach_raw_tracepoint(
				s->progs.iomc_switch, "sched_switch"));
	}
	if (!err)
		err = add_link(b, bpf_program__attach_raw_tracepoint(
				s->progs.iomc_exit, "sched_process_exit"));
	if (err) {
		quiet = 0;
		fprintf(stderr, "iomap-checkd: cannot attach to the scheduler tracepoints: %s\n",
			strerror(-err));
		return err;
	}
	b->n_irq += (unsigned int)attach_tp_list(b, s->progs.iomc_hardirq_exit,
						 ck_hardirq_exits);
	b->n_irq += (unsigned int)attach_tp_list(b, s->progs.iomc_softirq_exit,
						 ck_softirq_exits);
	b->n_irq += (unsigned int)attach_tp_list(b, s->progs.iomc_nmi_exit,
						 ck_nmi_exits);
	/* early exit hook; sched_process_exit above is the fallback */
	if (add_link(b, bpf_program__attach_kprobe(s->progs.iomc_do_exit, false,
						   "do_exit")))
		note_kprobe_failed(b, "do_exit");
	/* leak_on_unload: a module's init text at load, its end */
	if (add_link(b, bpf_program__attach_raw_tracepoint(s->progs.iomc_module_load,
							   "module_load")))
		note_skipped(b, "module_load");
	if (add_link(b, bpf_program__attach_raw_tracepoint(s->progs.iomc_module_free,
							   "module_free")))
		note_skipped(b, "module_free");
	if (ms == CK_MS_NONE)
		snprintf(b->ms_cover, sizeof(b->ms_cover), "none (--might-sleep none)");
	else if ((err = attach_might_sleep(b, ms)) != 0) {
		quiet = 0;
		fprintf(stderr, "iomap-checkd: cannot attach the might-sleep hooks: %s\n",
			strerror(-err));
		return err;
	}
	/* memremap: the live table first, so no unmap is missed in between */
	b->mr_seeded = ck_mr_seed(b);
	b->n_mr = (unsigned int)ck_mr_attach(b, add_link, note_mr_failed);
	b->unload_watch = !add_link(b, bpf_program__attach_ksyscall(
					       s->progs.iomc_delete_module,
					       "delete_module", NULL));
	quiet = 0;
	return 0;
}

int ck_module_live(const char *name)
{
	char path[256], st[32] = "";
	int fd, n;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = (int)read(fd, st, sizeof(st) - 1);
	close(fd);
	return n > 0 && !strncmp(st, "live", 4);
}

int ck_bpf_attach_module(struct ck_bpf *b)
{
	struct iomap_checkd *s = b->skel;
	struct bpf_program *p[IOMC_IO_LINKS] = {
		s->progs.iomc_create, s->progs.iomc_free, s->progs.iomc_map,
		s->progs.iomc_unmap, s->progs.iomc_fault };
	static const char *const tp[IOMC_IO_LINKS] = {
		IOMC_TP_CREATE, IOMC_TP_FREE, IOMC_TP_MAP, IOMC_TP_UNMAP,
		IOMC_TP_FAULT };
	int i, err = 0;

	if (b->io_attached)
		return 0;
	quiet = 1;
	for (i = 0; i < IOMC_IO_LINKS; i++) {
		b->io_links[i] = bpf_program__attach_raw_tracepoint(p[i], tp[i]);
		if (!b->io_links[i]) {
			err = -errno;
			break;
		}
	}
	quiet = 0;
	if (err) {
		ck_bpf_detach_module(b);
		return err;
	}
	b->io_attached = 1;
	return 0;
}

void ck_bpf_detach_module(struct ck_bpf *b)
{
	int i;

	for (i = 0; i < IOMC_IO_LINKS; i++) {
		bpf_link__destroy(b->io_links[i]);
		b->io_links[i] = NULL;
	}
	b->io_attached = 0;
}

/*
 * Detaching a kprobe waits for an RCU grace period (unregister_kprobe()
 * runs synchronize_rcu() outside kprobe_mutex), one wait after another
 * when the links are closed in turn: the 54 might-sleep hooks took 4 s to
 * detach in a TCG guest (the daemon's stop, 5.5 s in all). Closed from
 * several threads, the waits overlap: 3.0 s. (What is left is serial in
 * the kernel: each disarm patches the ftrace call site under its lock.)
 */
#define CK_DETACH_THREADS 8

struct detach_slice {
	struct bpf_link **links;
	unsigned int n, first;
};

static void *detach_slice(void *arg)
{
	struct detach_slice *d = arg;
	unsigned int i;

	for (i = d->first; i < d->n; i += CK_DETACH_THREADS)
		bpf_link__destroy(d->links[i]);
	return NULL;
}

static void destroy_links(struct bpf_link **links, unsigned int n)
{
	struct detach_slice d[CK_DETACH_THREADS];
	pthread_t th[CK_DETACH_THREADS];
	int started[CK_DETACH_THREADS] = { 0 };
	unsigned int t;

	for (t = 0; t < CK_DETACH_THREADS; t++) {
		d[t] = (struct detach_slice){ .links = links, .n = n, .first = t };
		/* without a thread, this one does the slice itself */
		if (n > 1 && t < n && !pthread_create(&th[t], NULL, detach_slice, &d[t]))
			started[t] = 1;
		else
			detach_slice(&d[t]);
	}
	for (t = 0; t < CK_DETACH_THREADS; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}

void ck_bpf_destroy(struct ck_bpf *b)
{
	ck_bpf_detach_module(b);
	destroy_links(b->links, b->nlinks);
	free(b->links);
	b->links = NULL;
	b->nlinks = 0;
	if (b->skel)
		iomap_checkd__destroy(b->skel);
	b->skel = NULL;
	btf__free(b->btf);
	b->btf = NULL;
}

int ck_bpf_counters(struct ck_bpf *b, struct iomc_counters *sum)
{
	struct iomc_counters *pc;
	__u32 zero = 0;
	int i, err;

	memset(sum, 0, sizeof(*sum));
	pc = calloc((size_t)b->ncpus, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.counters), &zero, pc);
	for (i = 0; !err && i < b->ncpus; i++) {
		sum->events += pc[i].events;
		sum->violations += pc[i].violations;
		sum->reported += pc[i].reported;
		sum->rb_fail += pc[i].rb_fail;
		sum->rec_fail += pc[i].rec_fail;
		sum->untracked += pc[i].untracked;
		sum->seen_full += pc[i].seen_full;
		sum->might_sleep += pc[i].might_sleep;
		sum->mr_events += pc[i].mr_events;
	}
	free(pc);
	return err;
}

static int prog_info(struct bpf_program *p, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(p);

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return -1;
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

__u64 ck_bpf_misses(struct ck_bpf *b)
{
	struct bpf_program *p;
	struct bpf_prog_info info;
	__u64 n = 0;

	bpf_object__for_each_program(p, b->skel->obj)
		if (!prog_info(p, &info))
			n += info.recursion_misses;
	return n;
}

int ck_bpf_runtime(struct ck_bpf *b, __u64 *ns, __u64 *cnt, const char **names,
		   __u64 *runs, __u64 *pns, unsigned int max)
{
	struct bpf_program *p;
	struct bpf_prog_info info;
	unsigned int n = 0;

	*ns = *cnt = 0;
	bpf_object__for_each_program(p, b->skel->obj) {
		if (prog_info(p, &info))
			continue;
		*ns += info.run_time_ns;
		*cnt += info.run_cnt;
		if (names && n < max) {
			names[n] = bpf_program__name(p);
			runs[n] = info.run_cnt;
			pns[n] = info.run_time_ns;
			n++;
		}
	}
	return (int)n;
}
