// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kallsyms loading and address -> site lookup (binary search + a cache). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "analyze_ksyms.h"
#include "analyze_syms.h"

struct ksym {
	__u64 addr;
	char *name;	/* "func" or "func\t[mod]" as in the file, split below */
	char *mod;	/* NULL for vmlinux */
};

static struct ksym *ks;
static size_t nks;
static int loaded, warned;

#define CACHE_SIZE 4096
static struct {
	__u64 addr, id;
} cache[CACHE_SIZE];

static int cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int az_ksyms_load(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t cap = 0;
	int nonzero = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	az_ksyms_reset();
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end, *name, *mod;
		unsigned long long a = strtoull(p, &end, 16);

		if (end == p || *end != ' ' || !end[1] || end[2] != ' ')
			continue;
		if (end[1] != 't' && end[1] != 'T' && end[1] != 'w' && end[1] != 'W')
			continue;	/* only code */
		name = end + 3;
		name[strcspn(name, "\n")] = 0;
		mod = strchr(name, '\t');
		if (mod) {
			*mod++ = 0;
			if (*mod == '[')
				mod++;
			mod[strcspn(mod, "]")] = 0;
		}
		if (nks == cap) {
			struct ksym *n = realloc(ks, (cap = cap ? cap * 2 : 65536) * sizeof(*ks));

			if (!n)
				break;
			ks = n;
		}
		ks[nks].addr = a;
		ks[nks].name = strdup(name);
		ks[nks].mod = mod ? strdup(mod) : NULL;
		if (!ks[nks].name)
			break;
		nonzero |= a != 0;
		nks++;
	}
	fclose(f);
	if (!nonzero) {
		fprintf(stderr, "iomap-check: %s: no usable addresses (read as root?)\n", path);
		az_ksyms_reset();
		return -1;
	}
	qsort(ks, nks, sizeof(*ks), cmp);
	loaded = 1;
	return 0;
}

void az_ksyms_expect_release(const char *release)
{
	struct utsname u;

	if (loaded)
		return;
	if (!uname(&u) && !strcmp(u.release, release) && !az_ksyms_load("/proc/kallsyms"))
		return;
	if (!warned++)
		fprintf(stderr, "iomap-check: recording made on kernel %s: give --kallsyms "
			"(its /proc/kallsyms) to name call sites; showing addresses\n",
			release[0] ? release : "(unknown)");
}

static __u64 lookup(__u64 addr)
{
	char buf[AZ_SYM_MAX_LEN];
	size_t lo = 0, hi = nks;
	int n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || !loaded) {
		n = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	} else {
		const struct ksym *k = &ks[lo - 1];

		n = snprintf(buf, sizeof(buf), "%s+0x%llx", k->name,
			     (unsigned long long)(addr - k->addr));
		if (lo < nks && n > 0 && (size_t)n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, "/0x%llx",
				      (unsigned long long)(ks[lo].addr - k->addr));
		if (k->mod && n > 0 && (size_t)n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, " [%s]", k->mod);
	}
	if (n < 0)
		return 0;
	return az_sym_intern(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

__u64 az_symbolize(__u64 addr)
{
	size_t h = (addr ^ (addr >> 12)) % CACHE_SIZE;

	if (!addr)
		return 0;
	if (cache[h].addr == addr && cache[h].id)
		return cache[h].id;
	cache[h].addr = addr;
	cache[h].id = lookup(addr);
	return cache[h].id;
}

void az_ksyms_reset(void)
{
	size_t i;

	for (i = 0; i < nks; i++) {
		free(ks[i].name);
		free(ks[i].mod);
	}
	free(ks);
	ks = NULL;
	nks = 0;
	loaded = 0;
	memset(cache, 0, sizeof(cache));
}
