// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iomap-checkd: enforces the io_mapping rules in the kernel with BPF and
 * reports violations lockdep-style (or as JSON lines).
 *
 * Start-up: parse the command line, open the outputs, load the BPF
 * programs, attach the kernel hooks, start the optional command, drop
 * capabilities, then loop (checkd_loop.c) until a signal, --duration or
 * the command ends; detach, print the summary, exit.
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "checkd.h"
#include "checkd_caps.h"
#include "checkd_hooks.h"
#include "checkd_syms.h"
#include "cli.h"
#include "checkd_sink.h"
#include "iomap_checkd.skel.h"


/* The exit statuses the daemon uses (see run_status) */
#define CK_EXIT_STATUSES (IOMC_EXIT_BIT(OK) | IOMC_EXIT_BIT(VIOLATION) | IOMC_EXIT_BIT(USAGE) | \
			  IOMC_EXIT_BIT(SETUP) | IOMC_EXIT_BIT(UNCHECKED) | \
			  IOMC_EXIT_BIT(OUTPUT_LOST))

enum {
	OPT_RINGBUF = 256, OPT_DEPTH, OPT_MIGHT_SLEEP, OPT_DURATION, OPT_KTAP,
	OPT_LIST_HOOKS, OPT_LIST_RULES, OPT_NO_DROP_CAPS, OPT_ALL, OPT_JSON_OUTPUT,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "json-output", required_argument, NULL, OPT_JSON_OUTPUT },
	{ "syslog", no_argument, NULL, 's' },
	{ "disable", required_argument, NULL, 'd' },
	{ "depth-limit", required_argument, NULL, OPT_DEPTH },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "ci", no_argument, NULL, 'c' },
	{ "ktap", no_argument, NULL, OPT_KTAP },
	{ "record", required_argument, NULL, 'r' },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "might-sleep", required_argument, NULL, OPT_MIGHT_SLEEP },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "quiet", no_argument, NULL, 'q' },
	{ "list-hooks", no_argument, NULL, OPT_LIST_HOOKS },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "no-drop-caps", no_argument, NULL, OPT_NO_DROP_CAPS },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
"usage: iomap-checkd [OPTIONS] [-- COMMAND [ARGS...]]\n"
"\n"
"Checks every io_mapping operation of iomap_check.ko in the kernel (BPF) and\n"
"reports rule violations like lockdep does. Waits for iomap_check.ko if it is\n"
"not loaded, and re-attaches when it is reloaded. Runs as root; drops all\n"
"capabilities but CAP_BPF, CAP_PERFMON and CAP_SYSLOG once attached.\n"
"With a COMMAND: runs it (with the caller's privileges) once attached and\n"
"stops when it ends; it does not run if the checker never attaches.\n"
"\n"
"Output (default: human-readable reports on stderr):\n"
"  -j, --json            one JSON object per line (on stdout unless --output)\n"
"  -o, --output FILE     append to FILE (created 0640; SIGHUP reopens it)\n"
"      --json-output FILE  also JSON lines to FILE (0640, SIGHUP reopens),\n"
"                        besides the human reports: one instance for both\n"
"  -s, --syslog          to syslog (daemon facility); alone, only there\n"
"  (two outputs may not be one file; a FIFO with no reader is waited for,\n"
"  SIGINT/SIGTERM end the wait)\n"
"  -q, --quiet           no status lines (attach, detach, waiting)\n"
"      --all             report every occurrence in full (default: the first\n"
"                        of each (rule, site, map site), repeats counted)\n"
"\n"
"Rules:\n"
"  -d, --disable RULE[,RULE...]   switch rules off (repeatable; see --list-rules)\n"
"      --depth-limit N   depth_exceeded above N nested maps (1..%d, default %d)\n"
"      --might-sleep all|noalloc|none\n"
"                        might-sleep hooks: all (default: every\n"
"                        might_sleep() through __cond_resched, where the\n"
"                        kernel's preemption mode calls it, and the listed\n"
"                        functions, allocators included, which name the\n"
"                        driver's call site), noalloc (no allocator hooks:\n"
"                        an allocation is then seen by its might_sleep()\n"
"                        only), none\n"
"\n"
"CI and recording:\n"
"  -c, --ci              exit 1 if any violation was seen, 4 if the checker\n"
"                        never attached to iomap_check (nothing checked)\n"
"      --ktap            with --ci: one KTAP result per rule on stdout\n"
"      --duration SECS   stop after SECS seconds\n"
"  -r, --record FILE     record every event the rules need (for\n"
"                        `iomap-check analyze`); binary, versioned\n"
"      --ringbuf-size N  ring buffer bytes, a power of 2 from 4K to 1G\n"
"                        (suffix K, M or G; default 4M: a burst of ~1700\n"
"                        distinct reports before the daemon reads any;\n"
"                        raise it for --record)\n"
"\n"
"  -h, --help            this text;   -V, --version\n"
"      --list-hooks      print the kernel functions and tracepoints hooked\n"
"      --list-rules      print the rule ids and what they check\n"
"\n"
"Signals: SIGINT/SIGTERM detach, print the summary and exit; SIGUSR1 prints\n"
"the summary so far and rereads /proc/kallsyms; SIGHUP reopens --output.\n"
"\n"
"Rules:\n", IOMC_STACK_MAX, IOMC_DEFAULT_DEPTH_LIMIT);
	for (i = 0; i < IOMC_RULE_MAX; i++)
		fprintf(f, "  %-22s %s\n", iomc_rule_name(i), iomc_rule_desc(i));
	fputc('\n', f);
	iomc_print_exit_statuses(f, CK_EXIT_STATUSES);
	fprintf(f,
"  The first that applies, in this order: 1 violations seen (--ci); 3 set-up\n"
"  failed or the event loop failed; 4 never attached (--ci); 5 an output lost\n"
"  reports (write error: full disk, closed pipe; counted in the summary, said\n"
"  on stderr and syslog); 3 COMMAND failed or never ran; else 0. Status 2 at\n"
"  start: a bad option, an output that cannot be opened or written, or two\n"
"  outputs that are one file.\n"
"\n");
	ck_hooks_print(f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	return iomc_usage_error("iomap-checkd", fmt, arg);
}

/*
 * getopt's complaint, naming the option as given: "--record" (not the 'r'
 * it maps to), "-r" out of "-qr". c is ':' for a missing value.
 */
static int bad_option(int c, const char *arg)
{
	char name[64];

	if (!strncmp(arg, "--", 2))
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(name, sizeof(name), "-%c", optopt);
	if (c == ':')
		return bad_usage("option '%s' needs a value", name);
	if (!strncmp(arg, "--", 2))
		return bad_usage("unknown or ambiguous option '%s', or it takes no value", name);
	return bad_usage("unknown option '%s'", name);
}

/* --help, --version, --list-*: print and exit 0 (c is not one: return) */
static void info_option(int c)
{
	switch (c) {
	case 'h':
		usage(stdout);
		break;
	case 'V':
		iomc_print_version("iomap-checkd");
		break;
	case OPT_LIST_HOOKS:
		ck_hooks_print(stdout);
		break;
	case OPT_LIST_RULES:
		iomc_print_rules(stdout);
		break;
	default:
		return;
	}
	exit(IOMC_EXIT_OK);
}

static int parse_might_sleep(const char *arg, enum ck_ms_mode *mode)
{
	if (!strcmp(arg, "all"))
		*mode = CK_MS_ALL;
	else if (!strcmp(arg, "noalloc"))
		*mode = CK_MS_NOALLOC;
	else if (!strcmp(arg, "none"))
		*mode = CK_MS_NONE;
	else
		return bad_usage("--might-sleep: all, noalloc or none, not '%s'", arg);
	return 0;
}

static int parse_duration(const char *arg, double *secs)
{
	char *end;

	*secs = strtod(arg, &end);
	/* nan compares false to everything: it would never end */
	if (*end || end == arg || !isfinite(*secs) || !(*secs > 0))
		return bad_usage("--duration: seconds > 0, not '%s'", arg);
	return 0;
}

/* An option with a value to check; 0 or the usage-error status. */
static int value_option(struct ck_opts *o, int c, const char *arg)
{
	struct ck_bpf_opts *bo = &o->bpf;
	unsigned long long size;
	int rc;

	switch (c) {
	case 'd':
		return iomc_parse_disable("iomap-checkd", arg, &bo->cfg.rules.rule_mask);
	case OPT_DEPTH:
		return iomc_parse_depth_limit("iomap-checkd", arg, &bo->cfg.rules.depth_limit);
	case OPT_RINGBUF:
		rc = iomc_parse_size("iomap-checkd", "--ringbuf-size", arg, 4096, 1ULL << 30, 1,
				     &size);
		bo->ringbuf_bytes = (__u32)size;
		return rc;
	case OPT_MIGHT_SLEEP:
		return parse_might_sleep(arg, &bo->ms_mode);
	case OPT_DURATION:
		return parse_duration(arg, &o->duration);
	}
	return -1;
}

/* A flag or a path; 0, or -1 if c is not one of them. */
static int plain_option(struct ck_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j': o->json = 1; break;
	case 'o': o->output = arg; break;
	case OPT_JSON_OUTPUT: o->json_output = arg; break;
	case 's': o->use_syslog = 1; break;
	case OPT_ALL: o->bpf.cfg.dedup = 0; break;
	case 'c': o->ci = 1; break;
	case OPT_KTAP: o->ktap = 1; break;
	case 'r':
		o->record = arg;
		o->bpf.cfg.record = 1;
		break;
	case 'q': o->quiet = 1; break;
	case OPT_NO_DROP_CAPS: o->keep_caps = 1; break;
	default:
		return -1;
	}
	return 0;
}

static int parse_args(struct ck_opts *o, int argc, char **argv)
{
	int c, rc, at;

	memset(o, 0, sizeof(*o));
	o->bpf.cfg.rules.rule_mask = IOMC_ALL_RULES;
	o->bpf.cfg.rules.depth_limit = IOMC_DEFAULT_DEPTH_LIMIT;
	o->bpf.cfg.dedup = 1;
	/* every hook: see --might-sleep in the usage text */
	o->bpf.ms_mode = CK_MS_ALL;
	opterr = 0;
	/* at: the argument getopt works on (its optind moves on) */
	while ((at = optind, c = getopt_long(argc, argv, "+:hVjo:sd:cr:q", long_opts,
					     NULL)) != -1) {
		info_option(c);
		if (!plain_option(o, c, optarg))
			continue;
		rc = value_option(o, c, optarg);
		if (rc < 0)	/* ':' (no value), '?' (unknown) */
			return bad_option(c, argv[at]);
		if (rc)
			return rc;
	}
	if (o->ktap && !o->ci)
		return bad_usage("%s needs --ci", "--ktap");
	if (optind < argc)
		o->cmd = &argv[optind];
	return 0;
}

/* "--output 'x'" or "standard output (--json)": an output, for messages */
struct out_ref {
	const char *opt, *path;
	int fd, named;
};

/*
 * Two outputs that are one file (symbolic or hard links, /dev/stdout, the
 * same FIFO) would interleave: text and JSON lines in one file, a binary
 * recording inside either. Refused. Named outputs (-o, --json-output,
 * --record) are compared with each other and with the standard streams in
 * use; the standard streams among themselves are the caller's choice
 * (2>&1), and a character device (/dev/null, a terminal) may be shared.
 */
static int distinct_outputs(struct ck_run *r)
{
	struct out_ref o[4];
	int n = 0, i, j, mfd, jfd;

	ck_out_fds(&mfd, &jfd);
	if (r->o.output)
		o[n++] = (struct out_ref){ "--output", r->o.output, mfd, 1 };
	else if (mfd >= 0)
		o[n++] = (struct out_ref){ r->o.json ? "standard output" : "standard error",
					   NULL, mfd, 0 };
	if (jfd >= 0)
		o[n++] = (struct out_ref){ "--json-output", r->o.json_output, jfd, 1 };
	if (r->rec_fd >= 0)
		o[n++] = (struct out_ref){ "--record", r->o.record, r->rec_fd, 1 };
	if (r->o.ktap)
		o[n++] = (struct out_ref){ "standard output (--ktap)", NULL, STDOUT_FILENO, 0 };
	for (i = 0; i < n; i++) {
		struct stat a, b;

		if (fstat(o[i].fd, &a) || S_ISCHR(a.st_mode))
			continue;
		for (j = i + 1; j < n; j++) {
			if ((!o[i].named && !o[j].named) || fstat(o[j].fd, &b) ||
			    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
				continue;
			return iomc_usage_error("iomap-checkd", "%s%s%s%s and %s%s%s%s are the same "
						"file: their contents would interleave",
						o[i].opt, o[i].path ? " '" : "",
						o[i].path ? o[i].path : "", o[i].path ? "'" : "",
						o[j].opt, o[j].path ? " '" : "",
						o[j].path ? o[j].path : "", o[j].path ? "'" : "");
		}
	}
	return 0;
}

/* A named output could not be opened: -EINTR is a stop signal's doing. */
static int open_failed(const char *opt, const char *path, int err)
{
	if (err == -EINTR)
		fprintf(stderr, "iomap-checkd: %s %s: stopped by a signal while waiting for a reader: nothing was checked\n",
			opt, path);
	else
		fprintf(stderr, "iomap-checkd: %s %s: %s\n", opt, path, strerror(-err));
	return IOMC_EXIT_USAGE;
}

/*
 * Every output, before anything is checked: an output that cannot be
 * opened, or two that are one file, end the start (IOMC_EXIT_USAGE: the
 * paths given cannot be used), and what was created for them is removed.
 */
static int open_outputs(struct ck_run *r)
{
	sigset_t stop;
	int rc;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if ((rc = ck_out_set_stop(&stop))) {
		fprintf(stderr, "iomap-checkd: signalfd: %s\n", strerror(-rc));
		return IOMC_EXIT_SETUP;
	}
	if ((rc = ck_out_open(r->o.output, r->o.json, r->o.use_syslog)))
		return open_failed("--output", r->o.output, rc);
	if (r->o.json_output && (rc = ck_out_open_json(r->o.json_output)))
		rc = open_failed("--json-output", r->o.json_output, rc);
	else if (r->o.record && (rc = ck_record_open(r, r->o.record)))
		rc = open_failed("--record", r->o.record, rc);
	else
		rc = distinct_outputs(r);
	if (rc) {
		ck_out_unlink_created();
		if (r->rec_fd >= 0 && r->rec_created)
			unlink(r->o.record);
	}
	return rc;
}

/*
 * The command still runs (--duration ended, or a signal): SIGTERM, then
 * SIGKILL after 5 s or at once on a second SIGINT/SIGTERM, so that a
 * command that ignores SIGTERM cannot hold the daemon for ever.
 */
static void reap_command(struct ck_run *r)
{
	int i;

	if (r->child_started)
		kill(r->child, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(r->child, NULL, WNOHANG) != 0)
			return;
		if (ck_stop_pending(100))
			break;
	}
	if (r->child_started) {
		fprintf(stderr, "iomap-checkd: %s (pid %d) did not end on SIGTERM: killed\n",
			r->o.cmd[0], (int)r->child);
		kill(r->child, SIGKILL);
	}
	waitpid(r->child, NULL, 0);
}

static void print_start_status(struct ck_run *r)
{
	const struct ck_bpf *b = &r->b;
	char multi[64] = "";

	if (b->n_ms_multi)
		snprintf(multi, sizeof(multi), " (%u through kprobe.multi)", b->n_ms_multi);
	iomc_print_status(&r->fmt, "version %s: %u might-sleep hooks%s, sleep hook %s, %u interrupt-return hooks, %u memremap functions (%d live memremaps at start)%s%s",
			iomc_version, b->n_ms, multi, b->sleep_hook, b->n_irq, b->n_mr,
			b->mr_seeded,
			b->unload_watch ? "" : ", no unload detection (no kprobes)",
			r->o.record ? ", recording" : "");
	iomc_print_status(&r->fmt, "might-sleep coverage: %s%s", b->ms_cover,
			r->o.bpf.ms_mode == CK_MS_NOALLOC ?
			"; allocators through might_sleep() only (--might-sleep noalloc)" : "");
	if (b->skipped[0])
		iomc_print_status(&r->fmt, "not in this kernel, skipped: %s", b->skipped);
	if (b->kp_unavail[0])
		iomc_print_status(&r->fmt, "kprobes are not available in this kernel (no kprobe PMU, no kprobe_events): not hooked: %s",
				b->kp_unavail);
	if (b->kp_refused[0])
		iomc_print_status(&r->fmt, "the kernel refused to kprobe (notrace or blacklisted), skipped: %s",
				b->kp_refused);
	/* (no symbols at all was said at the load) */
	if (b->n_mr && ck_syms_count() && !ck_syms_iomem_resource())
		iomc_print_status(&r->fmt, "warning: no iomem_resource in /proc/kallsyms: memremap ranges are not classified (memremap_refused and pagemap_mmio cannot be reported)");
}

/*
 * Load, start recording, attach the kernel hooks, fork the command: 0, or
 * IOMC_EXIT_SETUP with the reason said (main's cleanup frees what was made).
 */
static int start_checking(struct ck_run *r)
{
	int err_no;

	if (ck_bpf_load(&r->b, &r->o.bpf))
		return IOMC_EXIT_SETUP;
	r->rb = ring_buffer__new(bpf_map__fd(r->b.skel->maps.rb), ck_rb_msg, r, NULL);
	if (!r->rb) {
		fprintf(stderr, "iomap-checkd: ring buffer: %s\n", strerror(errno));
		return IOMC_EXIT_SETUP;
	}
	/* the recording's header cannot be written: like an output that
	 * cannot be opened, the path given is unusable */
	if (r->o.record && (err_no = ck_record_start(r))) {
		fprintf(stderr, "iomap-checkd: --record %s: %s\n", r->o.record, strerror(-err_no));
		return IOMC_EXIT_USAGE;
	}
	if (ck_bpf_attach_kernel(&r->b, r->o.bpf.ms_mode))
		return IOMC_EXIT_SETUP;
	if (!r->o.quiet)
		print_start_status(r);
	/* forked now, with the caller's privileges; it runs once attached */
	if (r->o.cmd && (err_no = ck_command_fork(r))) {
		fprintf(stderr, "iomap-checkd: fork: %s\n", strerror(-err_no));
		return IOMC_EXIT_SETUP;
	}
	return 0;
}

/* Wait for the module, drop capabilities, run the loop; its error or 0. */
static int run_checking(struct ck_run *r)
{
	char err[256] = "";
	int loop_err;

	r->mod = MOD_WAITING;
	ck_module_tick(r, ck_now());
	if (r->mod == MOD_WAITING && !r->o.quiet)
		iomc_print_status(&r->fmt, "waiting for %s to be loaded%s", CK_MODULE,
				r->o.cmd ? " before starting the command" : "");
	if (!r->o.keep_caps && ck_drop_caps(err, sizeof(err)))
		iomc_print_status(&r->fmt, "warning: could not drop capabilities: %s", err);
	loop_err = ck_run_loop(r);
	/* from now on a slow reader delays the end by a second at most */
	ck_out_stopping();
	if (loop_err)
		fprintf(stderr, "iomap-checkd: event loop failed: %s: checking stopped early\n",
			strerror(-loop_err));
	return loop_err;
}

/* The exit status of a run that started: the first that applies (--help). */
static int run_status(struct ck_run *r, int loop_err)
{
	int out_lost = ck_out_loss(0)->err || ck_out_loss(1)->err || r->rec_err ||
		       r->ktap_err;

	if (r->o.ci && ck_total_violations(r))
		return IOMC_EXIT_VIOLATION;
	if (loop_err)
		return IOMC_EXIT_SETUP;
	if (r->o.ci && !r->attached_once)
		return IOMC_EXIT_UNCHECKED;
	if (out_lost)
		return IOMC_EXIT_OUTPUT_LOST;
	if (r->o.cmd && (!r->child_started ||
			 !(WIFEXITED(r->child_status) && !WEXITSTATUS(r->child_status))))
		return IOMC_EXIT_SETUP;
	return IOMC_EXIT_OK;
}

/* Detach, account for everything that made it, report; the exit status. */
static int finish_checking(struct ck_run *r, int loop_err)
{
	int rc;

	ck_bpf_detach_module(&r->b);
	ring_buffer__consume(r->rb);
	ck_check_losses(r);
	ck_record_close(r);
	if (!r->attached_once)
		iomc_print_status(&r->fmt, "%s never attached: nothing was checked%s", CK_MODULE,
				r->child > 0 && !r->child_started ? "; the command was not run" : "");
	iomc_summary(r, 1);
	if (r->o.ktap)
		ck_print_ktap(r);
	rc = run_status(r, loop_err);
	if (r->child_go >= 0)
		close(r->child_go);	/* never attached: the command exits unrun */
	if (r->child > 0)
		reap_command(r);
	return rc;
}

int main(int argc, char **argv)
{
	static struct ck_run run;
	struct ck_run *r = &run;
	struct iomc_report_ops ops = { 0 };
	sigset_t set;
	int rc;

	/* signals arrive through a signalfd (checkd_loop.c): block them
	 * first thing, so that an early SIGUSR1 or SIGHUP cannot kill us */
	ck_block_signals(&set);
	/* a closed output (a pipe whose reader went away) is a write error
	 * that is counted and said elsewhere, not the end of the checker */
	signal(SIGPIPE, SIG_IGN);
	r->child_go = -1;
	r->rec_fd = -1;
	if ((rc = parse_args(&r->o, argc, argv)))
		return rc;
	if ((rc = open_outputs(r)))
		goto cleanup;
	ck_out_report_ops(&ops);
	ops.symbolize = ck_syms_name;
	iomc_fmt_init(&r->fmt, r->o.json, &ops);
	if (ck_syms_load() || !ck_syms_count())
		iomc_print_status(&r->fmt, "warning: no kernel symbols (/proc/kallsyms unreadable or hidden): sites will be addresses");
	if ((rc = start_checking(r)))
		goto cleanup;
	rc = finish_checking(r, run_checking(r));
cleanup:
	/* every way out after the outputs were opened: free what was made */
	ck_record_free(r);
	ring_buffer__free(r->rb);
	ck_bpf_destroy(&r->b);
	ck_syms_free();
	ck_out_close();
	return rc;
}
