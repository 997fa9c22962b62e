/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Synthetic event sequences for rule-engine tests, in a small text
 * language (tests/host/rules.seq is the suite; the format is described
 * there). Each case is a list of struct iomc_event's, each event with the
 * violations it must produce. Any driver of the rule engine (the BPF
 * programs through BPF_PROG_TEST_RUN, lib/engine_state.c, the analyzer)
 * can be run over the same cases.
 */
#ifndef IOMC_SEQ_H
#define IOMC_SEQ_H

#include <linux/types.h>
#include <stdio.h>
#include "iomap-check/engine.h"

#define SEQ_MAX_EVENTS 256
#define SEQ_MAX_EXPECT 8
#define SEQ_MAX_TASKS 4		/* t1..t4 */
#define SEQ_MAX_SYMS 1024	/* distinct @sites in one file */

/* One expected violation. 0 sites = not checked. */
struct seq_expect {
	__u32 rule;
	__u64 map_site;
	__u64 other_site;
	int map_site_set, other_site_set;
};

struct seq_event {
	struct iomc_event ev;	/* ev.tid = task index 1..4 until bound */
	unsigned int task;	/* 1..SEQ_MAX_TASKS */
	unsigned int line;
	unsigned int n_expect;
	struct seq_expect expect[SEQ_MAX_EXPECT];
};

struct seq_case {
	char name[96];
	unsigned int line;
	struct iomc_cfg cfg;
	unsigned int n;
	struct seq_event ev[SEQ_MAX_EVENTS];
};

/* Parse a whole file; returns the number of cases (malloc'ed in *out), -1 on error (message on stderr). */
int seq_parse_file(const char *path, struct seq_case **out);

/* The name of a symbolic site or address (for messages), or NULL. */
const char *seq_sym_name(__u64 addr);

/* Rule id by name, -1 if unknown. */
int seq_rule_id(const char *name);
const char *seq_rule_name(__u32 rule);

#endif
