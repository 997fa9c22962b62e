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
static __u64 modules_seen;	/* modules_hash() at the last load */

/*
 * The loaded modules, as a hash of each one's name and base address
 * (/proc/modules' first and sixth fields: not the use counts, which change
 * all the time); 0 if unreadable.
 */
static __u64 modules_hash(void)
{
	char line[512], name[128], addr[32];
	__u64 h = 14695981039346656037ULL;	/* FNV-1a */
	FILE *f = fopen("/proc/modules", "re");
	const char *p;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %*s %*s %*s %*s %31s", name, addr) != 2)
			continue;
		for (p = name; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		for (p = addr; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	}
	fclose(f);
	return h;
}

int ck_syms_load(void)
{
	if (!ksyms && !(ksyms = iomc_ksyms_new()))
		return -ENOMEM;
	last_reload = time(NULL);
	modules_seen = modules_hash();
	return iomc_ksyms_load(ksyms, NULL);
}

/*
 * At most every 10 ms: a burst of reports reads /proc/modules 100 times a
 * second at most, and a module loaded just before a report is rarely
 * within 10 ms of the previous check.
 */
#define FRESH_NS 10000000LL

void ck_syms_fresh(void)
{
	static long long last;
	struct timespec t;
	long long now;
	__u64 h;

	clock_gettime(CLOCK_MONOTONIC, &t);
	now = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
	if (last && now - last < FRESH_NS)
		return;
	last = now;
	h = modules_hash();
	if (h && h != modules_seen)
		ck_syms_load();
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
	for (i = 0; i < CK_SYMS_REMEMBERED; i++)
		if (remembered[i].addr == addr)
			return;
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
	if (iomc_ksyms_find(ksyms, addr, &s)) {
		iomc_sym_format(buf, len, addr, &s);
		return buf;
	}
	/* kallsyms does not know it */
	if (remembered_name(addr, buf, len))
		return buf;
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
