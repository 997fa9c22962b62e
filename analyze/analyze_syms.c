// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Site and stack interning: open-addressing hash tables over an append-only
 * string arena. Lookups happen once per parsed event, so the hash reads
 * eight bytes at a time instead of one.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "analyze_syms.h"
#include "hash.h"

/*
 * Parser threads intern concurrently (analyze_input.c): the tables are
 * under one lock, with a small per-thread cache in front of it, so the
 * common case (a site seen before by this thread) takes no lock. Interned
 * strings never move or change, so a cached pointer stays valid until
 * az_syms_reset() (single-threaded; it bumps 'generation' to void caches).
 */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static __u64 generation = 1;

#define TCACHE 512
static __thread struct {
	__u64 hash, gen;
	const char *str;
	size_t len;
	__u64 id;
} tcache[TCACHE];

struct slot {
	__u64 hash;
	__u32 id;	/* 0 = empty */
};

struct table {
	struct slot *slots;
	size_t mask;	/* capacity - 1 (capacity is a power of two) */
	size_t used;
};

struct sym {
	char *str;
	size_t len;
};

struct stk {
	__u64 *ids;
	unsigned int n;
};

static struct table sym_tab, stk_tab;
static struct sym *syms;	/* syms[id], syms[0] unused */
static size_t nsyms, cap_syms;
static struct stk *stks;
static size_t nstks, cap_stks;

/* Arena: strings and frame arrays live until az_syms_reset(). */
struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};
static struct chunk *arena;

static void *arena_alloc(size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!arena || arena->size - arena->used < n) {
		size_t sz = n > 65536 ? n : 65536;
		struct chunk *c = malloc(sizeof(*c) + sz);

		if (!c)
			return NULL;
		c->next = arena;
		c->used = 0;
		c->size = sz;
		arena = c;
	}
	arena->used += n;
	return arena->data + arena->used - n;
}

/*
 * A word at a time into h (one multiply per word, cheap), then the one
 * mixer of every table (iomc_hash64, lib/hash.h) spreads it over the bits.
 */
static __u64 hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	__u64 h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return iomc_hash64(h) | 1;	/* never 0 */
}

static int table_grow(struct table *t)
{
	size_t ncap = t->slots ? (t->mask + 1) * 2 : 1024, i;
	struct slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; t->slots && i <= t->mask; i++) {
		size_t j;

		if (!t->slots[i].id)
			continue;
		for (j = t->slots[i].hash & (ncap - 1); ns[j].id; j = (j + 1) & (ncap - 1))
			;
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->mask = ncap - 1;
	return 0;
}

static int grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	while (ncap <= need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static __u64 intern_locked(const char *s, size_t n, __u64 h)
{
	size_t j;
	char *copy;

	if (sym_tab.slots) {
		for (j = h & sym_tab.mask; sym_tab.slots[j].id; j = (j + 1) & sym_tab.mask) {
			struct sym *y = &syms[sym_tab.slots[j].id];

			if (sym_tab.slots[j].hash == h && y->len == n && !memcmp(y->str, s, n))
				return sym_tab.slots[j].id;
		}
	}
	if ((sym_tab.used + 1) * 2 > (sym_tab.slots ? sym_tab.mask + 1 : 0) &&
	    table_grow(&sym_tab))
		return 0;
	if (grow_array((void **)&syms, &cap_syms, nsyms + 1, sizeof(*syms)))
		return 0;
	copy = arena_alloc(n + 1);
	if (!copy)
		return 0;
	memcpy(copy, s, n);
	copy[n] = 0;
	nsyms++;	/* ids start at 1 */
	syms[nsyms].str = copy;
	syms[nsyms].len = n;
	for (j = h & sym_tab.mask; sym_tab.slots[j].id; j = (j + 1) & sym_tab.mask)
		;
	sym_tab.slots[j].hash = h;
	sym_tab.slots[j].id = (__u32)nsyms;
	sym_tab.used++;
	return nsyms;
}

__u64 az_sym_intern(const char *s, size_t n)
{
	__u64 h, id;
	unsigned int c;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n > AZ_SYM_MAX_LEN)
		n = AZ_SYM_MAX_LEN;
	h = hash_bytes(s, n);
	c = h % TCACHE;
	if (tcache[c].gen == generation && tcache[c].hash == h && tcache[c].len == n &&
	    !memcmp(tcache[c].str, s, n))
		return tcache[c].id;
	pthread_mutex_lock(&mu);
	id = intern_locked(s, n, h);
	if (id) {
		tcache[c].hash = h;
		tcache[c].gen = generation;
		tcache[c].str = syms[id].str;
		tcache[c].len = n;
		tcache[c].id = id;
	}
	pthread_mutex_unlock(&mu);
	return id;
}

const char *az_sym_name(__u64 id)
{
	const char *s = NULL;

	pthread_mutex_lock(&mu);
	if (id && id <= nsyms)
		s = syms[id].str;
	pthread_mutex_unlock(&mu);
	return s;
}

static __u32 stack_intern_locked(const __u64 *ids, unsigned int n)
{
	__u64 h;
	size_t j;
	__u64 *copy;

	if (n > AZ_STACK_MAX)
		n = AZ_STACK_MAX;
	h = hash_bytes(ids, n * sizeof(*ids));
	if (stk_tab.slots) {
		for (j = h & stk_tab.mask; stk_tab.slots[j].id; j = (j + 1) & stk_tab.mask) {
			struct stk *k = &stks[stk_tab.slots[j].id];

			if (stk_tab.slots[j].hash == h && k->n == n &&
			    !memcmp(k->ids, ids, n * sizeof(*ids)))
				return stk_tab.slots[j].id;
		}
	}
	if ((stk_tab.used + 1) * 2 > (stk_tab.slots ? stk_tab.mask + 1 : 0) &&
	    table_grow(&stk_tab))
		return 0;
	if (grow_array((void **)&stks, &cap_stks, nstks + 1, sizeof(*stks)))
		return 0;
	copy = arena_alloc(n * sizeof(*ids));
	if (!copy)
		return 0;
	memcpy(copy, ids, n * sizeof(*ids));
	nstks++;
	stks[nstks].ids = copy;
	stks[nstks].n = n;
	for (j = h & stk_tab.mask; stk_tab.slots[j].id; j = (j + 1) & stk_tab.mask)
		;
	stk_tab.slots[j].hash = h;
	stk_tab.slots[j].id = (__u32)nstks;
	stk_tab.used++;
	return (__u32)nstks;
}

__u32 az_stack_intern(const __u64 *ids, unsigned int n)
{
	__u32 id;

	if (!n)
		return 0;
	pthread_mutex_lock(&mu);
	id = stack_intern_locked(ids, n);
	pthread_mutex_unlock(&mu);
	return id;
}

const __u64 *az_stack_get(__u32 id, unsigned int *n)
{
	const __u64 *ids = NULL;

	pthread_mutex_lock(&mu);
	*n = 0;
	if (id && id <= nstks) {
		*n = stks[id].n;
		ids = stks[id].ids;
	}
	pthread_mutex_unlock(&mu);
	return ids;
}

void az_syms_reset(void)
{
	while (arena) {
		struct chunk *c = arena;

		arena = c->next;
		free(c);
	}
	free(sym_tab.slots);
	free(stk_tab.slots);
	free(syms);
	free(stks);
	memset(&sym_tab, 0, sizeof(sym_tab));
	memset(&stk_tab, 0, sizeof(stk_tab));
	syms = NULL;
	stks = NULL;
	nsyms = nstks = cap_syms = cap_stks = 0;
	generation++;
}
