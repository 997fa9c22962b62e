// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's event loop: ring buffer messages (violations, recorded
 * events, unload requests), signals, and a tick that follows
 * iomap_check.ko's comings and goings and notices losses.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "checkd.h"
#include "checkd_syms.h"
#include "dedup.h"
#include "checkd_sink.h"
#include "iomap_checkd.skel.h"

#define TICK_MS 200
/* how long after an unload request the module may still be there */
#define UNLOAD_GRACE_S 3.0

/*
 * Coarse (the tick's resolution, plenty for timeouts): no clock hardware
 * read. A TCG guest's clocksource is the HPET, where one CLOCK_MONOTONIC
 * read took hundreds of microseconds; the loop reads the time once per
 * wakeup, the symbolizer once per unknown address.
 */
double ck_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void on_report(struct ck_run *r, const struct iomc_report *rep)
{
	__u64 n = iomc_dedup_add(&r->seen, rep->v.rule, rep->ev.caller, rep->v.map_site, 1);
	unsigned int i;

	r->violations_seen++;
	/* the kernel's names of its sites, for when kallsyms forgets them */
	for (i = 0; i < IOMC_RSYM_MAX; i++)
		ck_syms_remember(rep->sym_addr[i], rep->sym[i]);
	if (n > 1 && r->o.bpf.cfg.dedup && iomc_rule_dedups(rep->v.rule))
		return;		/* a repeat: counted */
	ck_syms_fresh();	/* the stack may be in a module loaded since */
	iomc_print_violation(&r->fmt, rep);
}

static void on_unload(struct ck_run *r, const struct iomc_unload_msg *m)
{
	char name[sizeof(m->name) + 1];

	memcpy(name, m->name, sizeof(m->name));
	name[sizeof(m->name)] = 0;
	if (strcmp(name, CK_MODULE) || r->mod != MOD_ATTACHED)
		return;
	ck_bpf_detach_module(&r->b);
	r->mod = MOD_UNLOADING;
	r->unload_deadline = ck_now() + UNLOAD_GRACE_S;
	if (!r->o.quiet)
		iomc_print_status(&r->fmt,
				"pid %u asked to unload %s: detached from its tracepoints so that it can go (they pin it; an unload that raced with this fails with EBUSY: retry it)",
				m->pid, CK_MODULE);
}

int ck_rb_msg(void *ctx, void *data, size_t size)
{
	struct ck_run *r = ctx;
	__u32 msg;

	if (size < sizeof(msg))
		return 0;
	memcpy(&msg, data, sizeof(msg));
	switch (msg) {
	case IOMC_MSG_REPORT:
		if (size >= sizeof(struct iomc_report))
			on_report(r, data);
		break;
	case IOMC_MSG_EVENT:
		if (size >= sizeof(struct iomc_rec))
			ck_record_event(r, &((const struct iomc_rec *)data)->ev);
		break;
	case IOMC_MSG_UNLOAD:
		if (size >= sizeof(struct iomc_unload_msg))
			on_unload(r, data);
		break;
	default:
		break;
	}
	return 0;
}

static void attach_module(struct ck_run *r, const char *why)
{
	int err = ck_bpf_attach_module(&r->b);

	if (err) {
		/* say it once per episode, retry every tick */
		if (!r->attach_errors++)
			iomc_print_status(&r->fmt, "%s is loaded but attaching to its tracepoints failed: %s (retrying)",
					CK_MODULE, strerror(-err));
		return;
	}
	r->attach_errors = 0;
	r->mod = MOD_ATTACHED;
	r->attached_once = 1;
	/* its symbols are new */
	ck_syms_load();
	if (!r->o.quiet)
		iomc_print_status(&r->fmt, "%s %s: attached to its tracepoints", CK_MODULE, why);
	ck_command_go(r);
}

/*
 * -- COMMAND runs once the checker is attached (what it does before would go
 * unchecked), with the caller's privileges: it is forked at start-up, before
 * the daemon drops its capabilities, and waits on a pipe for the go-ahead
 * (one byte; end of file instead: the daemon stopped first, it never runs).
 */
int ck_command_fork(struct ck_run *r)
{
	int go[2];
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	r->child = fork();
	if (r->child < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		return err;
	}
	if (r->child == 0) {
		sigset_t none;
		ssize_t n;

		close(go[1]);
		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(126);	/* never attached: not run */
		close(go[0]);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(r->o.cmd[0], r->o.cmd);
		fprintf(stderr, "iomap-checkd: cannot run %s: %s\n", r->o.cmd[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	r->child_go = go[1];
	return 0;
}

void ck_command_go(struct ck_run *r)
{
	if (r->child <= 0 || r->child_go < 0)
		return;
	if (write(r->child_go, "g", 1) == 1)
		r->child_started = 1;
	close(r->child_go);
	r->child_go = -1;
	if (r->child_started && !r->o.quiet)
		iomc_print_status(&r->fmt, "attached: started %s (pid %d)", r->o.cmd[0], (int)r->child);
}

void ck_module_tick(struct ck_run *r, double now)
{
	int live = ck_module_live(CK_MODULE);

	switch (r->mod) {
	case MOD_WAITING:
		if (live)
			attach_module(r, "is loaded");
		break;
	case MOD_ATTACHED:
		/* links pin the module: it cannot go while attached */
		break;
	case MOD_UNLOADING:
		if (!live) {
			r->mod = MOD_WAITING;
			if (!r->o.quiet)
				iomc_print_status(&r->fmt, "%s was unloaded; waiting for it to be loaded again",
						CK_MODULE);
		} else if (now > r->unload_deadline) {
			attach_module(r, "is still loaded (the unload failed or was not retried)");
		}
		break;
	}
}

__u64 ck_total_violations(struct ck_run *r)
{
	struct iomc_counters c;

	if (ck_bpf_counters(&r->b, &c))
		return r->violations_seen;
	return c.violations > r->violations_seen ? c.violations : r->violations_seen;
}

/* Loss is never silent: report growth of every loss counter in-band. */
void ck_check_losses(struct ck_run *r)
{
	struct iomc_counters c;
	__u64 misses = ck_bpf_misses(&r->b);

	if (ck_bpf_counters(&r->b, &c))
		return;
	if (c.rb_fail > r->last.rb_fail)
		iomc_print_lost(&r->fmt, "violation reports (ring buffer full; counted, retried at the next occurrence)",
			      c.rb_fail - r->last.rb_fail, c.rb_fail);
	if (c.rec_fail > r->last.rec_fail)
		iomc_print_lost(&r->fmt, "recorded events (ring buffer full; DROP marks in the recording)",
			      c.rec_fail - r->last.rec_fail, c.rec_fail);
	if (c.untracked > r->last.untracked)
		iomc_print_lost(&r->fmt, "maps untracked (task table full)",
			      c.untracked - r->last.untracked, c.untracked);
	if (c.seen_full > r->last.seen_full)
		iomc_print_lost(&r->fmt, "dedup entries (table full; deduplicated in userspace instead)",
			      c.seen_full - r->last.seen_full, c.seen_full);
	if (misses > r->last_misses)
		iomc_print_lost(&r->fmt, "program runs skipped by the kernel (recursion)",
			      misses - r->last_misses, misses);
	r->last = c;
	r->last_misses = misses;
	ck_record_drops(r);
}

/*
 * Counts per (rule, site, map site): the kernel's dedup table, plus the
 * keys only userspace saw (the kernel table was full, or --all).
 */
static int merged_counts(struct ck_run *r, struct iomc_dedup *d)
{
	struct iomc_seen_key k, next, *prev = NULL;
	struct iomc_seen_val v;
	int fd = bpf_map__fd(r->b.skel->maps.seen);
	size_t i;

	memset(d, 0, sizeof(*d));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (!bpf_map_lookup_elem(fd, &k, &v))
			iomc_dedup_add(d, k.rule, k.site, k.map_site, v.count);
	}
	for (i = 0; r->seen.ent && i <= r->seen.mask; i++) {
		const struct iomc_dedup_ent *u = &r->seen.ent[i];

		if (!u->count)
			continue;
		k = (struct iomc_seen_key){ .rule = u->rule, .site = u->site,
					    .map_site = u->map_site };
		if (bpf_map_lookup_elem(fd, &k, &v))
			iomc_dedup_add(d, u->rule, u->site, u->map_site, u->count);
	}
	return d->overflow ? -ENOMEM : 0;
}

void iomc_summary(struct ck_run *r, int final)
{
	struct iomc_summary s;
	struct iomc_dedup d;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.final = final;
	merged_counts(r, &d);
	iomc_dedup_summarize(&d, &s);
	iomc_dedup_free(&d);
	ck_bpf_counters(&r->b, &s.c);
	s.misses = ck_bpf_misses(&r->b);
	{
		const char *names[32];
		__u64 runs[32], ns[32];
		int n = ck_bpf_runtime(&r->b, &s.run_ns, &s.run_cnt, names, runs, ns, 32);

		for (i = 0; i < (size_t)n; i++) {
			s.prog[i].name = names[i];
			s.prog[i].runs = runs[i];
			s.prog[i].ns = ns[i];
		}
		s.n_prog = (unsigned int)n;
	}
	s.out_lost = ck_out_loss(0)->lost + ck_out_loss(1)->lost;
	s.rec_lost = r->rec_lost;
	iomc_print_summary(&r->fmt, &s);
	free(s.sites);
}

/* --ci --ktap: one result per rule on stdout. */
void ck_print_ktap(struct ck_run *r)
{
	struct iomc_summary s;
	struct iomc_dedup d;
	__u32 rule;

	memset(&s, 0, sizeof(s));
	merged_counts(r, &d);
	iomc_dedup_summarize(&d, &s);
	iomc_dedup_free(&d);
	free(s.sites);
	printf("KTAP version 1\n1..%d\n", IOMC_RULE_MAX);
	for (rule = 0; rule < IOMC_RULE_MAX; rule++) {
		if (!((r->o.bpf.cfg.rules.rule_mask >> rule) & 1))
			printf("ok %u %s # SKIP disabled\n", rule + 1, iomc_rule_name(rule));
		else if (!r->attached_once)
			/* no verdict: nothing was checked (exit status 4) */
			printf("not ok %u %s # nothing checked: %s never attached\n", rule + 1,
			       iomc_rule_name(rule), CK_MODULE);
		else if (s.rule_count[rule])
			printf("not ok %u %s # %llu violation%s\n", rule + 1,
			       iomc_rule_name(rule), (unsigned long long)s.rule_count[rule],
			       s.rule_count[rule] == 1 ? "" : "s");
		else
			printf("ok %u %s\n", rule + 1, iomc_rule_name(rule));
	}
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		r->ktap_err = errno ? errno : EIO;
		fprintf(stderr, "iomap-checkd: --ktap: writing to standard output: %s: the results are lost\n",
			strerror(r->ktap_err));
	}
}

int ck_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGCHLD);
	return sigprocmask(SIG_BLOCK, set, NULL);
}

static int make_signalfd(void)
{
	sigset_t set;

	if (ck_block_signals(&set))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void on_signal(struct ck_run *r, int sfd)
{
	struct signalfd_siginfo si;
	int status;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
			r->stop = 1;
			break;
		case SIGHUP:
			if (ck_out_reopen())
				iomc_print_status(&r->fmt, "SIGHUP: cannot reopen %s",
						r->o.output ? r->o.output : "output");
			else if (r->o.output && !r->o.quiet)
				iomc_print_status(&r->fmt, "SIGHUP: reopened %s", r->o.output);
			break;
		case SIGUSR1:
			/*
			 * Also reread /proc/kallsyms: a report of a driver's
			 * unload (leak_on_free at rmmod) is named after the
			 * module is gone; a SIGUSR1 while it is loaded (vmcheck
			 * sends one before rmmod) keeps its functions' names.
			 */
			ck_syms_load();
			iomc_summary(r, 0);
			break;
		case SIGCHLD:
			if (r->child > 0 && waitpid(r->child, &status, WNOHANG) == r->child) {
				r->child_status = status;
				r->child = 0;
				r->stop = 1;
			}
			break;
		}
	}
}

int ck_run_loop(struct ck_run *r)
{
	struct pollfd pfd[2];
	double next_tick = 0, next_loss = 0, end = 0, now;
	int sfd = make_signalfd(), err = 0;

	if (sfd < 0)
		return -errno;
	if (r->o.duration > 0)
		end = ck_now() + r->o.duration;
	pfd[0].fd = ring_buffer__epoll_fd(r->rb);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	while (!r->stop) {
		int n = poll(pfd, 2, TICK_MS);

		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		n = ring_buffer__consume(r->rb);
		if (n < 0) {
			err = n;
			break;
		}
		if (pfd[1].revents & POLLIN)
			on_signal(r, sfd);
		now = ck_now();
		if (now >= next_tick) {
			ck_module_tick(r, now);
			next_tick = now + TICK_MS / 1000.0;
		}
		if (now >= next_loss) {
			ck_check_losses(r);
			next_loss = now + 1.0;
		}
		if (end && now >= end)
			r->stop = 1;
	}
	/* what is already in the ring buffer still counts */
	if (!err) {
		int n = ring_buffer__consume(r->rb);

		if (n < 0)
			err = n;
	}
	close(sfd);
	return err;
}
