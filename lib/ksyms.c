// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/kallsyms symbolizer: see ksyms.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ksyms.h"

struct ksym {
	__u64 addr;
	const char *name;	/* in names[] */
	const char *mod;	/* NULL for vmlinux */
};

static struct ksym *syms;
static size_t nsyms;
static char *names;		/* arena of NUL-terminated strings */
static size_t names_len, names_cap;
static char *ksyms_path;
static time_t last_reload;

static const char *arena_add(const char *s, size_t n, size_t *off)
{
	if (names_len + n + 1 > names_cap) {
		size_t cap = names_cap ? names_cap * 2 : 1 << 20;
		char *p;

		while (cap < names_len + n + 1)
			cap *= 2;
		p = realloc(names, cap);
		if (!p)
			return NULL;
		names = p;
		names_cap = cap;
	}
	memcpy(names + names_len, s, n);
	names[names_len + n] = 0;
	*off = names_len;
	names_len += n + 1;
	return names + *off;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void ck_ksyms_free(void)
{
	free(syms);
	free(names);
	syms = NULL;
	names = NULL;
	nsyms = names_len = names_cap = 0;
}

int ck_ksyms_load(const char *path)
{
	/* names are stored as offsets while the arena may move */
	struct raw { __u64 addr; size_t name, mod; } *raw = NULL;
	size_t nraw = 0, cap = 0, i, last_mod = (size_t)-1;
	char line[512], last_mod_name[128] = "";
	FILE *f;

	if (path && path != ksyms_path) {
		free(ksyms_path);
		ksyms_path = strdup(path);
	}
	f = fopen(ksyms_path ? ksyms_path : "/proc/kallsyms", "r");
	if (!f)
		return -errno;
	ck_ksyms_free();
	last_reload = time(NULL);
	while (fgets(line, sizeof(line), f)) {
		char type, *name, *mod, *end;
		unsigned long long a;
		size_t off, moff = (size_t)-1;

		a = strtoull(line, &end, 16);
		if (end == line || *end != ' ')
			continue;
		type = end[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		/* "addr t name\t[mod]\n" */
		name = end + 3;
		mod = NULL;
		end = name + strcspn(name, "\t\n");
		if (*end == '\t' && end[1] == '[') {
			mod = end + 2;
			mod[strcspn(mod, "]\n")] = 0;
		}
		*end = 0;
		if (!a)
			continue;	/* addresses hidden (kptr_restrict) */
		if (!arena_add(name, strlen(name), &off))
			break;
		if (mod) {
			if (last_mod != (size_t)-1 && !strcmp(mod, last_mod_name)) {
				moff = last_mod;
			} else if (arena_add(mod, strlen(mod), &moff)) {
				last_mod = moff;
				snprintf(last_mod_name, sizeof(last_mod_name), "%s", mod);
			}
		}
		if (nraw == cap) {
			struct raw *p = realloc(raw, (cap = cap ? cap * 2 : 65536) *
						sizeof(*p));

			if (!p)
				break;
			raw = p;
		}
		raw[nraw].addr = a;
		raw[nraw].name = off;
		raw[nraw].mod = moff;
		nraw++;
	}
	fclose(f);
	syms = calloc(nraw ? nraw : 1, sizeof(*syms));
	if (!syms) {
		free(raw);
		return -ENOMEM;
	}
	for (i = 0; i < nraw; i++) {
		syms[i].addr = raw[i].addr;
		syms[i].name = names + raw[i].name;
		syms[i].mod = raw[i].mod == (size_t)-1 ? NULL : names + raw[i].mod;
	}
	nsyms = nraw;
	free(raw);
	qsort(syms, nsyms, sizeof(*syms), cmp_ksym);
	return 0;
}

size_t ck_ksyms_count(void)
{
	return nsyms;
}

/* Index of the symbol containing addr, or -1. */
static long find(__u64 addr)
{
	size_t lo = 0, hi = nsyms;

	if (!nsyms || addr < syms[0].addr)
		return -1;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}

/*
 * A symbol "contains" addr if the next symbol starts after it and the
 * distance is plausible for one function.
 */
#define MAX_FUNC_SIZE (1ULL << 20)

const char *ck_ksym(__u64 addr, char *buf, size_t len)
{
	long i;
	__u64 size;

	if (!addr) {
		snprintf(buf, len, "?");
		return buf;
	}
	for (int pass = 0; pass < 2; pass++) {
		i = find(addr);
		if (i >= 0) {
			size = (size_t)i + 1 < nsyms ? syms[i + 1].addr - syms[i].addr :
			       0;
			if (size && addr - syms[i].addr < size &&
			    size <= MAX_FUNC_SIZE) {
				if (syms[i].mod)
					snprintf(buf, len, "%s+0x%llx/0x%llx [%s]",
						 syms[i].name,
						 (unsigned long long)(addr - syms[i].addr),
						 (unsigned long long)size, syms[i].mod);
				else
					snprintf(buf, len, "%s+0x%llx/0x%llx",
						 syms[i].name,
						 (unsigned long long)(addr - syms[i].addr),
						 (unsigned long long)size);
				return buf;
			}
		}
		/* a module loaded since: reload, at most once a second */
		if (pass || time(NULL) == last_reload || ck_ksyms_load(NULL))
			break;
	}
	snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

__u64 ck_ksym_addr(const char *name)
{
	size_t i;

	for (i = 0; i < nsyms; i++)
		if (!strcmp(syms[i].name, name))
			return syms[i].addr;
	return 0;
}
