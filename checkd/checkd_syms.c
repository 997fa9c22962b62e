// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's symbols: see checkd_syms.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "checkd.h"
#include "checkd_syms.h"
#include "hash.h"
#include "ksyms.h"
#include "iomap-check/abi.h"

static struct iomc_ksyms *ksyms;
static double last_check;	/* when /proc/modules was last compared */
static __u64 loaded_modules;	/* modules_sig() of the table loaded */

/*
 * Which modules are loaded where: a hash of /proc/modules' names and
 * addresses (not its use counts, which change all the time). 0 if
 * unreadable. A few lines to read, where kallsyms is tens of thousands.
 */
static __u64 modules_sig(void)
{
	char line[512], name[128];
	unsigned long long addr;
	__u64 h = 1;
	FILE *f = fopen("/proc/modules", "re");
	size_t i;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		addr = 0;
		if (sscanf(line, "%127s %*s %*s %*s %*s %llx", name, &addr) < 1)
			continue;
		for (i = 0; name[i]; i++)
			h = iomc_hash64(h ^ (unsigned char)name[i]);
		h = iomc_hash64(h ^ addr);
	}
	fclose(f);
	return h;
}

int ck_syms_load(void)
{
	int err;

	if (!ksyms) {
		ksyms = iomc_ksyms_new();
		if (!ksyms)
			return -ENOMEM;
		iomc_ksyms_want(ksyms, "iomem_resource");
	}
	loaded_modules = modules_sig();
	err = iomc_ksyms_load(ksyms, NULL);
	/* after the load: a load slower than the rate limit (a loaded TCG
	 * guest) must not make the next miss load again at once */
	last_check = ck_now();
	return err;
}

/*
 * Before a report: reload when the module list changed, so a driver loaded
 * after the last load has its frames named (not taken for the end of the
 * module before it in memory). At most every 10 ms: a burst of reports
 * reads /proc/modules 100 times a second at most, and a module loaded just
 * before a report is rarely within 10 ms of the previous check.
 */
#define FRESH_SECS 0.010

void ck_syms_fresh(void)
{
	static double last;
	double now = ck_now();
	__u64 h;

	if (last && now - last < FRESH_SECS)
		return;
	last = now;
	h = modules_sig();
	if (h && h != loaded_modules)
		ck_syms_load();
}

__u64 ck_syms_iomem_resource(void)
{
	return ksyms ? iomc_ksyms_addr(ksyms, "iomem_resource") : 0;
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
	/*
	 * A module loaded since the last load? Only a change in the module
	 * list makes kallsyms know more: an address no symbol covers (a
	 * burst of reports from made-up or freed sites) reloads nothing.
	 * Reloading on every miss, once a second, kept a loaded TCG guest's
	 * daemon busy rereading kallsyms while its reports piled up and were
	 * lost (make bench-daemon's unique-site flood).
	 */
	if (ck_now() - last_check >= 1.0) {
		last_check = ck_now();
		if (modules_sig() != loaded_modules && !ck_syms_load() &&
		    iomc_ksyms_find(ksyms, addr, &s)) {
			iomc_sym_format(buf, len, addr, &s);
			return buf;
		}
	}
	return iomc_ksyms_name(ksyms, addr, buf, len);
}

void ck_syms_free(void)
{
	iomc_ksyms_free(ksyms);
	ksyms = NULL;
}
