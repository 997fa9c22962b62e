// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording's sites: kernel addresses through the one symbolizer
 * (lib/ksyms.h) over --kallsyms FILE or, for a recording of the running
 * kernel, /proc/kallsyms; interned like text sites, with a small cache
 * in front (the same few call sites recur).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "analyze_ksyms.h"
#include "analyze_syms.h"
#include "hash.h"
#include "ksyms.h"

static struct iomc_ksyms *ks;
static int warned;

#define CACHE_SIZE 4096
static struct {
	__u64 addr, id;
} cache[CACHE_SIZE];

int az_ksyms_load(const char *path)
{
	int err;

	if (!path[0]) {
		fprintf(stderr, "iomap-check: --kallsyms: an empty file name\n");
		return -1;
	}
	az_ksyms_reset();
	ks = iomc_ksyms_new();
	if (!ks) {
		fprintf(stderr, "iomap-check: --kallsyms %s: out of memory\n", path);
		return -1;
	}
	err = iomc_ksyms_load(ks, path);
	if (err == -EINVAL) {
		fprintf(stderr, "iomap-check: --kallsyms %s: not a kallsyms file (its first %d lines "
			"are not \"ADDRESS TYPE NAME\")\n", path, IOMC_KSYMS_NOT_KALLSYMS);
		az_ksyms_reset();
		return -1;
	}
	if (err) {
		fprintf(stderr, "iomap-check: --kallsyms %s: %s\n", path, strerror(-err));
		az_ksyms_reset();
		return -1;
	}
	if (!iomc_ksyms_count(ks)) {
		fprintf(stderr, "iomap-check: --kallsyms %s: no symbol with an address (a kallsyms "
			"read without root shows zeros)\n", path);
		az_ksyms_reset();
		return -1;
	}
	return 0;
}

void az_ksyms_expect_release(const char *release)
{
	struct utsname u;

	if (ks)
		return;
	if (!uname(&u) && !strcmp(u.release, release)) {
		ks = iomc_ksyms_new();
		if (ks && !iomc_ksyms_load(ks, NULL) && iomc_ksyms_count(ks))
			return;
		az_ksyms_reset();
	}
	if (!warned++)
		fprintf(stderr, "iomap-check: recording made on kernel %s: give --kallsyms "
			"(its /proc/kallsyms) to name call sites; showing addresses\n",
			release[0] ? release : "(unknown)");
}

int az_ksyms_loaded(void)
{
	return ks != NULL;
}

__u64 az_symbolize(__u64 addr)
{
	size_t h = (size_t)iomc_hash64(addr) % CACHE_SIZE;
	char buf[AZ_SYM_MAX_LEN];
	int n;

	if (!addr)
		return 0;
	if (cache[h].addr == addr && cache[h].id)
		return cache[h].id;
	iomc_ksyms_name(ks, addr, buf, sizeof(buf));
	n = (int)strlen(buf);
	cache[h].addr = addr;
	cache[h].id = az_sym_intern(buf, (size_t)n);
	return cache[h].id;
}

void az_ksyms_reset(void)
{
	iomc_ksyms_free(ks);
	ks = NULL;
	memset(cache, 0, sizeof(cache));
}
