// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's symbols: see checkd_syms.h. */
#include <errno.h>
#include <time.h>
#include "checkd_syms.h"
#include "ksyms.h"

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

const char *ck_syms_name(void *ctx, __u64 addr, char *buf, size_t len)
{
	struct iomc_sym s;

	(void)ctx;
	if (addr && !iomc_ksyms_find(ksyms, addr, &s) && time(NULL) != last_reload &&
	    !ck_syms_load() && iomc_ksyms_find(ksyms, addr, &s)) {
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
