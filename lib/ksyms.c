// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one symbolizer: see ksyms.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	__u64 addr;
	size_t name, mod;	/* offsets into names; mod (size_t)-1 = vmlinux */
};

/* A function's length as the kernel gave it (iomc_ksyms_learn). */
struct learned {
	__u64 start, size;
	char name[128];
	char mod[64];		/* "" = vmlinux */
};

#define LEARNED_MAX 256

struct iomc_ksyms {
	struct ksym *syms;
	size_t n;
	char *names;		/* arena of NUL-terminated strings */
	size_t names_len;
	/* kept across reloads; the oldest goes first when full */
	struct learned learned[LEARNED_MAX];
	unsigned int n_learned;
	/* symbols asked for by name, and where the last load found them */
	const char *want[IOMC_KSYMS_WANT_MAX];
	__u64 want_addr[IOMC_KSYMS_WANT_MAX];
	unsigned int n_want;
};

int iomc_ksyms_want(struct iomc_ksyms *k, const char *name)
{
	if (k->n_want == IOMC_KSYMS_WANT_MAX)
		return -ENOSPC;
	k->want[k->n_want] = name;
	k->want_addr[k->n_want++] = 0;
	return 0;
}

__u64 iomc_ksyms_addr(const struct iomc_ksyms *k, const char *name)
{
	unsigned int i;

	for (i = 0; i < k->n_want; i++)
		if (!strcmp(k->want[i], name))
			return k->want_addr[i];
	return 0;
}

/* name[0..n) is asked-for symbol i: its address a goes in found[i]. */
static void note_wanted(const struct iomc_ksyms *k, const char *name, size_t n,
			__u64 a, __u64 *found)
{
	unsigned int i;

	for (i = 0; i < k->n_want; i++)
		if (!strncmp(k->want[i], name, n) && !k->want[i][n])
			found[i] = a;
}

int iomc_sym_format(char *buf, size_t len, __u64 addr, const struct iomc_sym *s)
{
	if (!addr)
		return snprintf(buf, len, "?");
	if (!s)
		return snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return snprintf(buf, len, "%s+0x%llx/0x%llx%s%s%s", s->name,
			(unsigned long long)(addr - s->start), (unsigned long long)s->size,
			s->mod ? " [" : "", s->mod ? s->mod : "", s->mod ? "]" : "");
}

struct iomc_ksyms *iomc_ksyms_new(void)
{
	return calloc(1, sizeof(struct iomc_ksyms));
}

void iomc_ksyms_free(struct iomc_ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->names);
	free(k);
}

/* Append s[0..n) to the arena; (size_t)-1 when out of memory. */
static size_t arena_add(char **arena, size_t *len, size_t *cap, const char *s, size_t n)
{
	size_t off = *len;

	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap * 2 : 1 << 20;
		char *p;

		while (c < *len + n + 1)
			c *= 2;
		p = realloc(*arena, c);
		if (!p)
			return (size_t)-1;
		*arena = p;
		*cap = c;
	}
	memcpy(*arena + off, s, n);
	(*arena)[off + n] = 0;
	*len += n + 1;
	return off;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* mod's offset in the name arena: consecutive symbols of one module share it */
static size_t mod_name(char **names, size_t *len, size_t *ncap, const char *mod,
		       char *last_mod, size_t last_size, size_t *mod_off)
{
	if (*mod_off == (size_t)-1 || strcmp(mod, last_mod)) {
		*mod_off = arena_add(names, len, ncap, mod, strlen(mod));
		if (*mod_off == (size_t)-1)
			return (size_t)-1;
		snprintf(last_mod, last_size, "%s", mod);
	}
	return *mod_off;
}

/* one more symbol: 0, or -ENOMEM */
static int ksym_push(struct ksym **syms, size_t *n, size_t *cap, __u64 addr, size_t name,
		     size_t mod)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 65536;
		struct ksym *p = realloc(*syms, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*syms = p;
		*cap = ncap;
	}
	(*syms)[*n].addr = addr;
	(*syms)[*n].name = name;
	(*syms)[*n].mod = mod;
	(*n)++;
	return 0;
}

int iomc_ksyms_load(struct iomc_ksyms *k, const char *path)
{
	struct ksym *syms = NULL;
	char *names = NULL, line[1024], last_mod[128] = "";
	__u64 found[IOMC_KSYMS_WANT_MAX] = { 0 };
	size_t n = 0, cap = 0, len = 0, ncap = 0, mod_off = (size_t)-1, bad = 0;
	int err = 0, seen = 0;
	FILE *f;

	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *end, *name, *mod = NULL;
		unsigned long long a = strtoull(line, &end, 16);
		size_t name_len, off, moff = (size_t)-1;

		/*
		 * Not "ADDR TYPE NAME" at all: a file that starts with
		 * IOMC_KSYMS_NOT_KALLSYMS such lines is something else (a
		 * binary, /dev/urandom: it would be read forever).
		 */
		if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ') {
			if (!seen && ++bad >= IOMC_KSYMS_NOT_KALLSYMS) {
				err = -EINVAL;
				break;
			}
			continue;
		}
		seen = 1;
		if (!a)
			continue;	/* addresses hidden (kptr_restrict) */
		name = end + 3;
		name_len = strcspn(name, "\t\n");
		if (k->n_want && name[name_len] != '\t')
			note_wanted(k, name, name_len, a, found);
		/* "addr t name\t[mod]\n"; code symbols only */
		if (!strchr("tTwW", end[1]))
			continue;
		if (name[name_len] == '\t' && name[name_len + 1] == '[') {
			mod = name + name_len + 2;
			mod[strcspn(mod, "]\n")] = 0;
		}
		off = arena_add(&names, &len, &ncap, name, name_len);
		if (off == (size_t)-1) {
			err = -ENOMEM;
			break;
		}
		if (mod) {
			moff = mod_name(&names, &len, &ncap, mod, last_mod, sizeof(last_mod),
					&mod_off);
			if (moff == (size_t)-1) {
				err = -ENOMEM;
				break;
			}
		}
		err = ksym_push(&syms, &n, &cap, a, off, moff);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(syms);
		free(names);
		return err;
	}
	if (n)	/* qsort(NULL, 0) is undefined */
		qsort(syms, n, sizeof(*syms), cmp_ksym);
	free(k->syms);
	free(k->names);
	k->syms = syms;
	k->n = n;
	k->names = names;
	k->names_len = len;
	memcpy(k->want_addr, found, sizeof(found));
	return 0;
}

size_t iomc_ksyms_count(const struct iomc_ksyms *k)
{
	return k ? k->n : 0;
}

/* kallsyms' pseudo-modules: BPF programs and ftrace trampolines */
static int is_pseudo_module(const char *mod)
{
	return mod && (!strcmp(mod, "bpf") || !strncmp(mod, "__builtin__", 11));
}

/*
 * "func+0xoff/0xlen" or "func+0xoff/0xlen [mod]": 1 and the parts, else 0.
 */
static int parse_kname(const char *kname, struct learned *l, __u64 *off)
{
	const char *plus, *end = kname + strlen(kname), *mod;
	unsigned long long o, n;
	char num[64];
	int used = 0;

	mod = strstr(kname, " [");
	if (mod) {
		size_t ml = strcspn(mod + 2, "]");

		if (mod[2 + ml] != ']' || mod[3 + ml] || !ml || ml >= sizeof(l->mod))
			return 0;
		memcpy(l->mod, mod + 2, ml);
		l->mod[ml] = 0;
		end = mod;
	} else {
		l->mod[0] = 0;
	}
	for (plus = end; plus > kname && plus[-1] != '+'; plus--)
		;
	if (plus <= kname + 1 || (size_t)(plus - 1 - kname) >= sizeof(l->name) ||
	    (size_t)(end - plus) >= sizeof(num))
		return 0;
	memcpy(num, plus, (size_t)(end - plus));
	num[end - plus] = 0;
	/* exactly "0xOFF/0xLEN" after the '+' */
	if (sscanf(num, "0x%llx/0x%llx%n", &o, &n, &used) != 2 || num[used] ||
	    !n || o >= n)
		return 0;
	memcpy(l->name, kname, (size_t)(plus - 1 - kname));
	l->name[plus - 1 - kname] = 0;
	l->size = n;
	*off = o;
	return 1;
}

int iomc_ksyms_learn(struct iomc_ksyms *k, __u64 addr, const char *kname)
{
	struct learned l;
	unsigned int i;
	__u64 off;

	if (!k || !addr || !kname || !parse_kname(kname, &l, &off) || off > addr)
		return 0;
	l.start = addr - off;
	for (i = 0; i < k->n_learned && i < LEARNED_MAX; i++) {
		struct learned *x = &k->learned[i];

		if (x->start == l.start && !strcmp(x->name, l.name) &&
		    !strcmp(x->mod, l.mod)) {
			x->size = l.size;
			return 1;
		}
	}
	k->learned[k->n_learned++ % LEARNED_MAX] = l;
	return 1;
}

/* The kernel's length of the function s (start, name, mod), if learned. */
static __u64 learned_size(const struct iomc_ksyms *k, const struct iomc_sym *s)
{
	unsigned int i;

	for (i = 0; i < k->n_learned && i < LEARNED_MAX; i++) {
		const struct learned *x = &k->learned[i];

		if (x->start == s->start && !strcmp(x->name, s->name) &&
		    !strcmp(x->mod, s->mod ? s->mod : ""))
			return x->size;
	}
	return 0;
}

int iomc_ksyms_find(const struct iomc_ksyms *k, __u64 addr, struct iomc_sym *s)
{
	size_t lo = 0, hi;
	__u64 size;

	if (!k || !k->n || addr < k->syms[0].addr)
		return 0;
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s->mod = k->syms[lo].mod == (size_t)-1 ? NULL : k->names + k->syms[lo].mod;
	s->name = k->names + k->syms[lo].name;
	s->start = k->syms[lo].addr;
	/* the kernel's length when it told us: it knows where text ends */
	size = learned_size(k, s);
	if (size && addr - s->start < size) {
		s->size = size;
		return 1;
	}
	if (lo + 1 >= k->n)
		return 0;	/* the last symbol: its end is unknown */
	size = k->syms[lo + 1].addr - k->syms[lo].addr;
	if (addr - k->syms[lo].addr >= size || size > IOMC_SYM_MAX_SIZE ||
	    (is_pseudo_module(s->mod) && size > IOMC_SYM_MAX_PSEUDO_SIZE))
		return 0;
	s->size = size;
	return 1;
}

const char *iomc_ksyms_name(const struct iomc_ksyms *k, __u64 addr, char *buf, size_t len)
{
	struct iomc_sym s;

	iomc_sym_format(buf, len, addr, iomc_ksyms_find(k, addr, &s) ? &s : NULL);
	return buf;
}
