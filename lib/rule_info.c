// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rule table as data: see rule_info.h. */
#include <string.h>
#include "rule_info.h"

static const struct iomc_rule_info rules[IOMC_RULE_MAX] = {
#define X(id, nm, fam, rc_, head, meaning)				\
	[IOMC_RULE_##id] = { .name = nm, .family = IOMC_FAM_##fam,	\
			     .rc = IOMC_RC_##rc_, .headline = head,	\
			     .desc = meaning },
	IOMC_RULES(X)
#undef X
};

const struct iomc_rule_info *iomc_rule_info(__u32 rule)
{
	return rule < IOMC_RULE_MAX ? &rules[rule] : NULL;
}

const char *iomc_rule_name(__u32 rule)
{
	return rule < IOMC_RULE_MAX ? rules[rule].name : "?";
}

const char *iomc_rule_desc(__u32 rule)
{
	return rule < IOMC_RULE_MAX ? rules[rule].desc : "?";
}

const char *iomc_family_name(enum iomc_family fam)
{
	switch (fam) {
	case IOMC_FAM_IO_MAPPING:	return "io_mapping";
	case IOMC_FAM_MEMREMAP:		return "memremap";
	default:			return "io_mapping, memremap";
	}
}

int iomc_rule_lookup(const char *s, size_t n)
{
	int i;

	for (i = 0; i < IOMC_RULE_MAX; i++)
		if (strlen(rules[i].name) == n && !memcmp(rules[i].name, s, n))
			return i;
	return -1;
}
