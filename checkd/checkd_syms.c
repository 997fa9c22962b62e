// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's symbols: see checkd_syms.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "checkd_syms.h"
#include "ksyms.h"
#include "iomap-check/abi.h"

static struct iomc_ksyms *ksyms;
static time_t last_reload;

int ck_syms_load(void)
{
	if (!ksyms && !(ksyms = iomc_ksyms_new()))
		return -ENOMEM;
	last_reload = time(NULL);
	return iomc_ksyms_load(ksyms, NULL);
}

size_t ck_syms_count(void)
{
	return iomc_ksyms_count(ksyms);
}

static struct {
	__u64 addr;
	char name[IOMC_SYM_LEN];
} remembered[CK_SYMS_REMEMBERED];
static unsigned int n_remembered;

void ck_syms_remember(__u64 addr, const char *name)
{
	unsigned int i;

	if (!addr || !name[0] || !strncmp(name, "0x", 2) ||
	    !memchr(name, 0, IOMC_SYM_LEN))
		return;
	/* one length per function, the kernel's, in every report */
	iomc_ksyms_learn(ksyms, addr, name);
	/* the latest name wins: a module loaded again may put another
	 * function at the same address */
	for (i = 0; i < CK_SYMS_REMEMBERED; i++)
		if (remembered[i].addr == addr)
			break;
	if (i == CK_SYMS_REMEMBERED)
		i = n_remembered++ % CK_SYMS_REMEMBERED;
	remembered[i].addr = addr;
	snprintf(remembered[i].name, sizeof(remembered[i].name), "%s", name);
}

static const char *remembered_name(__u64 addr, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < CK_SYMS_REMEMBERED; i++) {
		if (remembered[i].addr == addr && addr) {
			snprintf(buf, len, "%s", remembered[i].name);
			return buf;
		}
	}
	return NULL;
}

const char *ck_syms_name(void *ctx, __u64 addr, char *buf, size_t len)
{
	struct iomc_sym s;

	(void)ctx;
	if (!addr)
		return iomc_ksyms_name(ksyms, addr, buf, len);
	/* the kernel's own name first: what the reports said (kallsyms may
	 * have forgotten the address, or have another module there now) */
	if (remembered_name(addr, buf, len))
		return buf;
	if (iomc_ksyms_find(ksyms, addr, &s)) {
		iomc_sym_format(buf, len, addr, &s);
		return buf;
	}
	if (time(NULL) != last_reload && !ck_syms_load() &&
	    iomc_ksyms_find(ksyms, addr, &s)) {
		/* a module loaded since the last load */
		iomc_sym_format(buf, len, addr, &s);
		return buf;
	}
	return iomc_ksyms_name(ksyms, addr, buf, len);
}

void ck_syms_free(void)
{
	iomc_ksyms_free(ksyms);
	ksyms = NULL;
}
