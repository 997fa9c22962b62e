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
#include "sink.h"
#include "iomap_checkd.skel.h"


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
"Exit status, the first that applies: 1 violations seen (--ci); 2 usage or\n"
"set-up error, or the event loop failed; 4 never attached, nothing checked\n"
"(--ci); 5 an output lost reports (write error: full disk, closed pipe;\n"
"counted in the summary, said on stderr and syslog); 3 COMMAND failed or\n"
"never ran; else 0.\n"
"\n"
"Rules:\n", IOMC_STACK_MAX, IOMC_DEFAULT_DEPTH_LIMIT);
	for (i = 0; i < IOMC_RULE_MAX; i++)
		fprintf(f, "  %-22s %s\n", ck_rule_name(i), ck_rule_desc(i));
	fputc('\n', f);
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

static int parse_args(struct ck_opts *o, int argc, char **argv)
{
	unsigned long long size;
	char *end;
	int c, rc, at;

	memset(o, 0, sizeof(*o));
	o->rules.rule_mask = IOMC_ALL_RULES;
	o->rules.depth_limit = IOMC_DEFAULT_DEPTH_LIMIT;
	o->dedup = 1;
	/* every hook: see --might-sleep in the usage text */
	o->ms_mode = CK_MS_ALL;
	opterr = 0;
	/* at: the argument getopt works on (its optind moves on) */
	while ((at = optind, c = getopt_long(argc, argv, "+:hVjo:sd:cr:q", long_opts,
					     NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			iomc_print_version("iomap-checkd");
			exit(0);
		case OPT_LIST_HOOKS:
			ck_hooks_print(stdout);
			exit(0);
		case OPT_LIST_RULES:
			iomc_print_rules(stdout);
			exit(0);
		case 'j':
			o->json = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_JSON_OUTPUT:
			o->json_output = optarg;
			break;
		case 's':
			o->use_syslog = 1;
			break;
		case 'd':
			if ((rc = iomc_parse_disable("iomap-checkd", optarg, &o->rules.rule_mask)))
				return rc;
			break;
		case OPT_DEPTH:
			if ((rc = iomc_parse_depth_limit("iomap-checkd", optarg,
							  &o->rules.depth_limit)))
				return rc;
			break;
		case OPT_ALL:
			o->dedup = 0;
			break;
		case 'c':
			o->ci = 1;
			break;
		case OPT_KTAP:
			o->ktap = 1;
			break;
		case 'r':
			o->record = optarg;
			break;
		case OPT_RINGBUF:
			if ((rc = iomc_parse_size("iomap-checkd", "--ringbuf-size", optarg,
						  4096, 1ULL << 30, 1, &size)))
				return rc;
			o->ringbuf_bytes = (__u32)size;
			break;
		case OPT_MIGHT_SLEEP:
			if (!strcmp(optarg, "all"))
				o->ms_mode = CK_MS_ALL;
			else if (!strcmp(optarg, "noalloc"))
				o->ms_mode = CK_MS_NOALLOC;
			else if (!strcmp(optarg, "none"))
				o->ms_mode = CK_MS_NONE;
			else
				return bad_usage("--might-sleep: all, noalloc or none, not '%s'",
						 optarg);
			break;
		case OPT_DURATION:
			o->duration = strtod(optarg, &end);
			/* nan compares false to everything: it would never end */
			if (*end || end == optarg || !isfinite(o->duration) || !(o->duration > 0))
				return bad_usage("--duration: seconds > 0, not '%s'", optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_NO_DROP_CAPS:
			o->keep_caps = 1;
			break;
		case ':':
		case '?':
		default:
			return bad_option(c, argv[at]);
		}
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
	return 2;
}

/*
 * Every output, before anything is checked: an output that cannot be
 * opened, or two that are one file, end the start (2), and what was
 * created for them is removed.
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
		return 2;
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

int main(int argc, char **argv)
{
	static struct ck_run run;
	struct ck_run *r = &run;
	struct ck_bpf_opts bo;
	struct ck_report_ops ops = { 0 };
	sigset_t set;
	char err[256] = "";
	int rc, err_no, loop_err, out_lost;

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
	ck_fmt_init(&r->fmt, r->o.json, &ops);
	if (ck_syms_load() || !ck_syms_count())
		ck_print_status(&r->fmt, "warning: no kernel symbols (/proc/kallsyms unreadable or hidden): sites will be addresses");

	memset(&bo, 0, sizeof(bo));
	bo.rules = r->o.rules;
	bo.dedup = r->o.dedup;
	bo.record = r->o.record != NULL;
	bo.ringbuf_bytes = r->o.ringbuf_bytes;
	bo.ms_mode = r->o.ms_mode;
	/* set-up errors from here on: status 2, and cleanup frees what was made */
	rc = 2;
	if (ck_bpf_load(&r->b, &bo))
		goto cleanup;
	r->rb = ring_buffer__new(bpf_map__fd(r->b.skel->maps.rb), ck_rb_msg, r, NULL);
	if (!r->rb) {
		fprintf(stderr, "iomap-checkd: ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	if (r->o.record && (err_no = ck_record_start(r))) {
		fprintf(stderr, "iomap-checkd: --record %s: %s\n", r->o.record, strerror(-err_no));
		goto cleanup;
	}
	if (ck_bpf_attach_kernel(&r->b, r->o.ms_mode))
		goto cleanup;
	if (!r->o.quiet) {
		ck_print_status(&r->fmt, "version %s: %u might-sleep hooks, sleep hook %s, %u interrupt-return hooks, %u memremap functions (%d live memremaps at start)%s%s",
				iomc_version, r->b.n_ms, r->b.sleep_hook, r->b.n_irq,
				r->b.n_mr, r->b.mr_seeded,
				r->b.unload_watch ? "" : ", no unload detection (no kprobes)",
				r->o.record ? ", recording" : "");
		ck_print_status(&r->fmt, "might-sleep coverage: %s%s", r->b.ms_cover,
				r->o.ms_mode == CK_MS_NOALLOC ?
				"; allocators through might_sleep() only (--might-sleep noalloc)" : "");
		if (r->b.skipped[0])
			ck_print_status(&r->fmt, "not in this kernel, skipped: %s", r->b.skipped);
		if (r->b.kp_unavail[0])
			ck_print_status(&r->fmt, "kprobes are not available in this kernel (no kprobe PMU, no kprobe_events): not hooked: %s",
					r->b.kp_unavail);
		if (r->b.kp_refused[0])
			ck_print_status(&r->fmt, "the kernel refused to kprobe (notrace or blacklisted), skipped: %s",
					r->b.kp_refused);
	}
	/* forked now, with the caller's privileges; it runs once attached */
	if (r->o.cmd && (err_no = ck_command_fork(r))) {
		fprintf(stderr, "iomap-checkd: fork: %s\n", strerror(-err_no));
		goto cleanup;
	}
	r->mod = MOD_WAITING;
	ck_module_tick(r, ck_now());
	if (r->mod == MOD_WAITING && !r->o.quiet)
		ck_print_status(&r->fmt, "waiting for %s to be loaded%s", CK_MODULE,
				r->o.cmd ? " before starting the command" : "");
	if (!r->o.keep_caps) {
		if (ck_drop_caps(err, sizeof(err)))
			ck_print_status(&r->fmt, "warning: could not drop capabilities: %s", err);
	}
	loop_err = ck_run_loop(r);
	/* from now on a slow reader delays the end by a second at most */
	ck_out_stopping();
	if (loop_err)
		fprintf(stderr, "iomap-checkd: event loop failed: %s: checking stopped early\n",
			strerror(-loop_err));
	/* detach, then account for everything that made it */
	ck_bpf_detach_module(&r->b);
	ring_buffer__consume(r->rb);
	ck_check_losses(r);
	ck_record_close(r);
	if (!r->attached_once)
		ck_print_status(&r->fmt, "%s never attached: nothing was checked%s", CK_MODULE,
				r->child > 0 && !r->child_started ? "; the command was not run" : "");
	ck_summary(r, 1);
	if (r->o.ktap)
		ck_print_ktap(r);
	out_lost = ck_out_loss(0)->err || ck_out_loss(1)->err || r->rec_err || r->ktap_err;
	/* the first that applies; see the usage text */
	rc = 0;
	if (r->o.ci && ck_total_violations(r))
		rc = 1;
	else if (loop_err)
		rc = 2;
	else if (r->o.ci && !r->attached_once)
		rc = 4;
	else if (out_lost)
		rc = 5;
	else if (r->o.cmd && (!r->child_started ||
			      !(WIFEXITED(r->child_status) && !WEXITSTATUS(r->child_status))))
		rc = 3;
	if (r->child_go >= 0)
		close(r->child_go);	/* never attached: the command exits unrun */
	if (r->child > 0)
		reap_command(r);
cleanup:
	/* every way out after the outputs were opened: free what was made */
	ck_record_free(r);
	ring_buffer__free(r->rb);
	ck_bpf_destroy(&r->b);
	ck_syms_free();
	ck_out_close();
	return rc;
}
