/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rule table of include/iomap-check/rules.h as data: what the
 * printers, the command lines and docs/rules.md's generator read. The one
 * place a rule's name is looked up.
 */
#ifndef IOMC_LIB_RULE_INFO_H
#define IOMC_LIB_RULE_INFO_H

#include <stddef.h>
#include <linux/types.h>
#include "iomap-check/rules.h"

struct iomc_rule_info {
	const char *name;
	enum iomc_family family;
	enum iomc_report_class rc;
	const char *headline;	/* after "comm/tid is " */
	const char *desc;	/* the meaning, one line */
};

/* The rule's entry; NULL for an id no rule has. */
const struct iomc_rule_info *iomc_rule_info(__u32 rule);
/* Its name and meaning; "?" for an id no rule has. */
const char *iomc_rule_name(__u32 rule);
const char *iomc_rule_desc(__u32 rule);
/* "io_mapping", "memremap" or "io_mapping, memremap" */
const char *iomc_family_name(enum iomc_family fam);
/* The id of the rule named by the n bytes at s (exactly), -1 if none. */
int iomc_rule_lookup(const char *s, size_t n);

#endif /* IOMC_LIB_RULE_INFO_H */
