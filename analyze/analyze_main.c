// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iomap-check analyze: the command line, and the loop that streams the
 * merged events of every input through the rule engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "analyze.h"
#include "analyze_check.h"
#include "analyze_input.h"
#include "analyze_ksyms.h"
#include "analyze_order.h"
#include "analyze_syms.h"
#include "cli.h"
#include "event.h"
#include "report.h"

#define PROG "iomap-check analyze"

static const char usage_text[] =
"usage: iomap-check analyze [OPTION]... FILE...\n"
"\n"
"Check recorded io_mapping traces against the rules of iomap-checkd and print\n"
"the same reports. FILE is any of (detected from its content; - is stdin):\n"
"  /sys/kernel/tracing/trace or trace_pipe text (any trace_clock, with or\n"
"    without irq-info flags and the tgid column)\n"
"  trace-cmd report output, trace-cmd's binary trace.dat\n"
"  perf script output of the io_mapping events (call chains become stacks)\n"
"  iomap-checkd --record files\n"
"Text and a recording may come from a pipe; a trace.dat may not (libtracecmd\n"
"seeks in it). Each input is read once: the same file twice is refused.\n"
"Several FILEs (e.g. per-CPU traces) are merged in timestamp order. Record\n"
"sched:sched_switch and sched:sched_process_exit too for sleep_in_atomic and\n"
"leak_on_exit, and irq:irq_handler_exit/softirq_exit for interrupt leaks.\n"
"\n"
"Options:\n"
"  -j, --json              one JSON object per violation (iomap-checkd --json schema)\n"
"  -o, --output=FILE       write reports to FILE instead of stdout\n"
"  -d, --disable=RULE,...  switch rules off (repeatable; see --list-rules)\n"
"      --depth-limit=N     depth_exceeded above N nested maps (1..%d, default %d)\n"
"      --all               report every occurrence in full (default: the first of\n"
"                          each (rule, site, map site), repeats counted)\n"
"      --partial           the trace began after maps were taken (trace_pipe read\n"
"                          late): unmaps of what it never saw mapped are not errors\n"
"      --kallsyms=FILE     symbols for a recording made on another kernel\n"
"      --list-rules        print the rule ids and what they check\n"
"      --dump-events       print the normalized events instead of checking\n"
"                          (one JSON object per event with --json)\n"
"  -q, --quiet             no input warnings and no summary on stderr\n"
"  -h, --help              this text\n"
"  -V, --version           version\n"
"\n";

/* the statuses analyze exits with (include/iomap-check/exit_status.h) */
#define AZ_EXIT_STATUSES (IOMC_EXIT_BIT(OK) | IOMC_EXIT_BIT(VIOLATION) | IOMC_EXIT_BIT(USAGE) | \
			  IOMC_EXIT_BIT(SETUP) | IOMC_EXIT_BIT(UNCHECKED) | IOMC_EXIT_BIT(OUTPUT_LOST))

static void usage(FILE *f)
{
	fprintf(f, usage_text, IOMC_STACK_MAX, IOMC_DEFAULT_DEPTH_LIMIT);
	iomc_print_exit_statuses(f, AZ_EXIT_STATUSES);
}

/* --dump-events --json: one object per event (lib/event.c's fields). */
static void dump_event_json(FILE *out, const struct az_event *e)
{
	const struct iomc_event *ev = &e->ev;
	const char *site = az_sym_name(ev->caller);
	char comm[IOMC_COMM_LEN];
	unsigned int nf;

	az_stack_get(e->stack, &nf);
	memcpy(comm, ev->comm, IOMC_COMM_LEN);
	comm[IOMC_COMM_LEN - 1] = 0;
	fprintf(out, "{\"type\":\"event\",\"ts_ns\":%llu,\"cpu\":%u,\"event\":\"%s\",\"pid\":%u,"
		"\"tid\":%u,\"comm\":", (unsigned long long)ev->ts_ns, ev->cpu,
		iomc_ev_name(ev->type), ev->pid, ev->tid);
	iomc_json_str(out, comm);
	iomc_event_json(out, ev);
	fputs(",\"site\":", out);
	if (site)
		iomc_json_str(out, site);
	else
		fputs("null", out);
	fprintf(out, ",\"frames\":%u,\"input\":%u,\"line\":%llu}\n", nf, e->src,
		(unsigned long long)e->line);
}

/* --dump-events: one line per event, the same fields as key=value */
static void dump_event(FILE *out, const struct az_event *e)
{
	const struct iomc_event *ev = &e->ev;
	const char *site = az_sym_name(ev->caller);
	unsigned int nf, i;

	az_stack_get(e->stack, &nf);
	fprintf(out, "%llu cpu=%u %s pid=%u tid=%u comm=", (unsigned long long)ev->ts_ns,
		ev->cpu, iomc_ev_name(ev->type), ev->pid, ev->tid);
	for (i = 0; i < IOMC_COMM_LEN - 1 && ev->comm[i]; i++) {
		unsigned char ch = (unsigned char)ev->comm[i];

		/* no terminal escapes from a task's name (as in the reports) */
		if (ch <= 0x20 || ch == 0x7f || ch == '\\')
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
	iomc_event_text(out, ev);
	if (site)
		fprintf(out, " site=%s", site);
	if (nf)
		fprintf(out, " frames=%u", nf);
	fprintf(out, " @%u:%llu\n", e->src, (unsigned long long)e->line);
}

/*
 * An output that is one of the inputs would be truncated (-o) or grow while
 * it is read (stdout appending to it): refused, IOMC_EXIT_USAGE.
 */
static int output_is_input(const char *outpath, char **inputs, int n)
{
	struct stat so, si;
	int i;

	if (outpath ? stat(outpath, &so) : fstat(STDOUT_FILENO, &so))
		return 0;	/* a new file */
	if (!S_ISREG(so.st_mode))
		return 0;	/* /dev/null, a pipe, a terminal */
	for (i = 0; i < n; i++) {
		int r = strcmp(inputs[i], "-") ? stat(inputs[i], &si) : fstat(STDIN_FILENO, &si);

		if (!r && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
			fprintf(stderr, "iomap-check analyze: %s is also an input (%s): not "
				"writing the reports over it\n",
				outpath ? outpath : "standard output", inputs[i]);
			return 1;
		}
	}
	return 0;
}

/*
 * The same input twice (the same path, a link to it, - twice or - and
 * /dev/stdin) would check every event twice or split stdin between two
 * readers: refused, IOMC_EXIT_USAGE. Inputs that do not exist are left to az_open.
 */
static int same_input_twice(char **inputs, int n)
{
	struct stat *sb = calloc(n > 0 ? (size_t)n : 1, sizeof(*sb));
	int i, j, r = 0;

	if (!sb) {
		fprintf(stderr, "iomap-check analyze: out of memory\n");
		return 1;
	}
	for (i = 0; i < n && !r; i++) {
		if (strcmp(inputs[i], "-") ? stat(inputs[i], &sb[i]) : fstat(STDIN_FILENO, &sb[i]))
			sb[i].st_ino = 0;	/* a missing file: az_open says so */
		for (j = 0; j < i && !r; j++) {
			if ((sb[i].st_ino && sb[j].st_ino && sb[i].st_dev == sb[j].st_dev &&
			     sb[i].st_ino == sb[j].st_ino) ||
			    (!strcmp(inputs[i], "-") && !strcmp(inputs[j], "-"))) {
				fprintf(stderr, "iomap-check analyze: %s and %s are the same input%s: "
					"each event would be checked twice\n", inputs[j], inputs[i],
					strcmp(inputs[i], inputs[j]) ? " (a link?)" : "");
				r = 1;
			}
		}
	}
	free(sb);
	return r;
}

/*
 * A standard descriptor the caller closed is reopened on /dev/null, so
 * that no input or output lands on it (an input opened as fd 1 would be
 * "standard output" to every check below). Returns a mask of the ones that
 * were closed.
 */
static int reopen_closed_stdfds(void)
{
	int fd, mask = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		mask |= 1 << fd;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			return -1;
	}
	return mask;
}

/* What the command line asked for besides the checker's options. */
struct az_cmd {
	struct az_opts o;
	const char *outpath;	/* --output, or NULL for stdout */
	int dump;		/* --dump-events */
	char **inputs;
	int nsrc;
};

/*
 * The options into *c. Returns -1 to go on and check, else the exit
 * status: 0 after --help, --version or --list-rules, IOMC_EXIT_USAGE after
 * saying what was wrong.
 */
static int parse_opts(int argc, char **argv, struct az_cmd *c)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "disable", required_argument, NULL, 'd' },
		{ "depth-limit", required_argument, NULL, 'L' },
		{ "all", no_argument, NULL, 'A' },
		{ "partial", no_argument, NULL, 'P' },
		{ "kallsyms", required_argument, NULL, 'K' },
		{ "list-rules", no_argument, NULL, 'R' },
		{ "dump-events", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jo:d:qhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': c->o.json = 1; break;
		case 'o': c->outpath = optarg; break;
		case 'A': c->o.all = 1; break;
		case 'P': c->o.partial = 1; break;
		case 'D': c->dump = 1; break;
		case 'q': c->o.quiet = 1; break;
		case 'd':
			if (iomc_parse_disable(PROG, optarg, &c->o.cfg.rule_mask))
				return IOMC_EXIT_USAGE;
			break;
		case 'L':
			if (iomc_parse_depth_limit(PROG, optarg, &c->o.cfg.depth_limit))
				return IOMC_EXIT_USAGE;
			break;
		case 'K':
			if (az_ksyms_load(optarg))
				return IOMC_EXIT_USAGE;
			break;
		case 'R':
			iomc_print_rules(stdout);
			return IOMC_EXIT_OK;
		case 'h':
			usage(stdout);
			return IOMC_EXIT_OK;
		case 'V':
			iomc_print_version(PROG);
			return IOMC_EXIT_OK;
		default:	/* getopt said what was wrong */
			fprintf(stderr, "Try '%s --help'.\n", PROG);
			return IOMC_EXIT_USAGE;
		}
	}
	c->inputs = argv + optind;
	c->nsrc = argc - optind;
	if (c->nsrc < 1)
		return iomc_usage_error(PROG, "no input file (use - for stdin)");
	return -1;
}

/*
 * Inputs and output the command line names but that cannot be used: a
 * closed standard descriptor (closed: reopen_closed_stdfds()'s mask), the
 * same input twice. 0, or IOMC_EXIT_USAGE after saying why.
 */
static int check_args(const struct az_cmd *c, int closed)
{
	int i;

	if (!c->outpath && (closed & 2)) {
		fprintf(stderr, "%s: standard output is closed: nowhere to write the reports "
			"(give --output FILE)\n", PROG);
		return IOMC_EXIT_USAGE;
	}
	for (i = 0; i < c->nsrc; i++) {
		if (!strcmp(c->inputs[i], "-") && (closed & 1)) {
			fprintf(stderr, "%s: -: standard input is closed\n", PROG);
			return IOMC_EXIT_USAGE;
		}
	}
	return same_input_twice(c->inputs, c->nsrc) ? IOMC_EXIT_USAGE : 0;
}

/* Nothing to check in any input: each one's reason on stderr. */
static void say_nothing_checked(struct az_source **srcs, int nsrc)
{
	int i;

	for (i = 0; i < nsrc; i++) {
		if (srcs[i]->fmt == AZ_FMT_UNKNOWN && !srcs[i]->st.events && !srcs[i]->st.other)
			fprintf(stderr, "%s: %s: no trace lines at all (not ftrace, trace-cmd or perf "
				"output, a trace.dat or a recording)\n", PROG, srcs[i]->name);
		else
			fprintf(stderr, "%s: %s: no io_mapping or memremap events (%s; was the "
				"io_mapping event system enabled when recording?)\n", PROG,
				srcs[i]->name, az_fmt_name(srcs[i]->fmt));
	}
}

/*
 * Streams the merged events of every input into the checker (or, with
 * --dump-events, to the output). Returns the exit status so far.
 */
static int check_events(const struct az_cmd *c, struct az_source **srcs, struct az_checker *chk)
{
	struct az_merge *m = az_merge_new(srcs, c->nsrc);
	struct az_event ev;
	__u64 iomap = 0;
	int i, r, rc = IOMC_EXIT_OK, violations;

	if (!m) {
		fprintf(stderr, "%s: out of memory (merging %d inputs)\n", PROG, c->nsrc);
		return IOMC_EXIT_SETUP;
	}
	while ((r = az_merge_next(m, &ev)) == 1) {
		if (c->dump && c->o.json)
			dump_event_json(c->o.out, &ev);
		else if (c->dump)
			dump_event(c->o.out, &ev);
		else
			az_checker_feed(chk, &ev);
	}
	az_merge_free(m);
	if (r < 0)
		rc = IOMC_EXIT_USAGE;	/* an input could not be read on: said */
	for (i = 0; i < c->nsrc; i++) {
		if (!c->o.quiet)
			az_print_warnings(srcs[i], stderr);
		iomap += srcs[i]->st.iomap_events;
	}
	violations = chk && az_checker_violations(chk);
	/* a report printed decides exit 1 below, whatever else was (not) seen */
	if (!iomap && !violations) {
		say_nothing_checked(srcs, c->nsrc);
		if (!rc)
			rc = IOMC_EXIT_UNCHECKED;
	}
	if (chk && (iomap || violations)) {
		if (!c->o.quiet)
			az_checker_summary(chk, stderr);
		if (!rc && violations)
			rc = IOMC_EXIT_VIOLATION;
	}
	return rc;
}

/*
 * The output flushed and closed: reports that did not reach it (werr: the
 * checker's write error, or 0) are an error, never silent. Returns rc, or
 * IOMC_EXIT_OUTPUT_LOST.
 */
static int finish_output(const struct az_cmd *c, int werr, int rc)
{
	FILE *out = c->o.out;

	errno = werr;
	if (fflush(out) || ferror(out) || werr) {
		fprintf(stderr, "%s: %s: write error%s%s: the reports are incomplete\n", PROG,
			c->outpath ? c->outpath : "standard output", errno ? ": " : "",
			errno ? strerror(errno) : "");
		rc = IOMC_EXIT_OUTPUT_LOST;
	}
	if (out != stdout && fclose(out) && rc != IOMC_EXIT_OUTPUT_LOST) {
		perror(c->outpath);
		rc = IOMC_EXIT_OUTPUT_LOST;
	}
	return rc;
}

int az_main(int argc, char **argv)
{
	struct az_cmd c = {
		.o = {
			.cfg = { .rule_mask = IOMC_ALL_RULES,
				 .depth_limit = IOMC_DEFAULT_DEPTH_LIMIT },
			.out = stdout,
		},
	};
	struct az_source **srcs;
	struct az_checker *chk = NULL;
	int i, rc, werr, closed;

	/* a closed output is a write error like a full disk: said, exit 5,
	 * not a silent death by SIGPIPE that loses the verdict (as in
	 * iomap-checkd) */
	signal(SIGPIPE, SIG_IGN);
	closed = reopen_closed_stdfds();
	if (closed < 0) {
		fprintf(stderr, "%s: cannot open /dev/null: %s\n", PROG, strerror(errno));
		return IOMC_EXIT_SETUP;
	}
	rc = parse_opts(argc, argv, &c);
	if (rc >= 0)
		return rc;
	rc = check_args(&c, closed);
	if (rc)
		return rc;
	srcs = calloc((size_t)c.nsrc, sizeof(*srcs));
	if (!srcs) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return IOMC_EXIT_SETUP;
	}
	az_tracedat_quiet(c.o.quiet);
	for (i = 0; i < c.nsrc; i++) {
		srcs[i] = az_open(c.inputs[i], i);
		if (!srcs[i]) {
			rc = IOMC_EXIT_USAGE;
			goto cleanup;
		}
	}
	if (output_is_input(c.outpath, c.inputs, c.nsrc)) {
		rc = IOMC_EXIT_USAGE;
		goto cleanup;
	}
	if (c.outpath && !(c.o.out = fopen(c.outpath, "we"))) {
		perror(c.outpath);
		c.o.out = stdout;
		rc = IOMC_EXIT_USAGE;
		goto cleanup;
	}
	c.o.srcs = srcs;
	c.o.nsrc = c.nsrc;
	for (i = 0; i < c.nsrc && !c.o.release; i++)
		c.o.release = srcs[i]->release;
	if (!c.dump && !(chk = az_checker_new(&c.o))) {
		fprintf(stderr, "%s: out of memory (the rule engine)\n", PROG);
		rc = IOMC_EXIT_SETUP;
		goto cleanup;
	}
	rc = check_events(&c, srcs, chk);
cleanup:
	werr = chk ? az_checker_write_errno(chk) : 0;
	if (chk)
		az_checker_free(chk);
	for (i = 0; i < c.nsrc; i++)
		az_close(srcs[i]);
	free(srcs);
	return finish_output(&c, werr, rc);
}
