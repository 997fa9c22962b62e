// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Report dedup: an open-addressing table; see dedup.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dedup.h"
#include "hash.h"
#include "report.h"

static size_t slot_of(__u32 rule, __u64 site, __u64 map_site, size_t mask)
{
	return (size_t)iomc_hash64(iomc_hash64(rule ^ site * 31) ^ map_site) & mask;
}

static struct iomc_dedup_ent *find(const struct iomc_dedup *d, __u32 rule, __u64 site,
				   __u64 map_site)
{
	size_t i;

	if (!d->ent)
		return NULL;
	for (i = slot_of(rule, site, map_site, d->mask); d->ent[i].count; i = (i + 1) & d->mask) {
		struct iomc_dedup_ent *e = &d->ent[i];

		if (e->rule == rule && e->site == site && e->map_site == map_site)
			return e;
	}
	return &d->ent[i];	/* the empty slot the key would take */
}

static int grow(struct iomc_dedup *d)
{
	size_t ncap = d->ent ? (d->mask + 1) * 2 : 256, j;
	struct iomc_dedup_ent *ne = calloc(ncap, sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	for (j = 0; d->ent && j <= d->mask; j++) {
		const struct iomc_dedup_ent *o = &d->ent[j];
		size_t k;

		if (!o->count)
			continue;
		for (k = slot_of(o->rule, o->site, o->map_site, ncap - 1); ne[k].count;
		     k = (k + 1) & (ncap - 1))
			;
		ne[k] = *o;
	}
	free(d->ent);
	d->ent = ne;
	d->mask = ncap - 1;
	return 0;
}

__u64 iomc_dedup_add(struct iomc_dedup *d, __u32 rule, __u64 site, __u64 map_site, __u64 n)
{
	struct iomc_dedup_ent *e = find(d, rule, site, map_site);

	if (e && e->count)
		return e->count += n;
	if (d->n >= IOMC_DEDUP_MAX ||
	    ((!d->ent || (d->n + 1) * 2 > d->mask + 1) && grow(d))) {
		d->overflow++;
		return 0;
	}
	e = find(d, rule, site, map_site);
	e->rule = rule;
	e->site = site;
	e->map_site = map_site;
	e->count = n;
	d->n++;
	return n;
}

void iomc_dedup_free(struct iomc_dedup *d)
{
	free(d->ent);
	memset(d, 0, sizeof(*d));
}

static int cmp_site(const void *a, const void *b)
{
	const struct iomc_site_count *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

int iomc_dedup_summarize(const struct iomc_dedup *d, struct iomc_summary *s)
{
	size_t j;

	s->sites = NULL;
	s->n_sites = 0;
	if (!d->n)
		return 0;
	s->sites = calloc(d->n, sizeof(*s->sites));
	if (!s->sites)
		return -ENOMEM;
	for (j = 0; j <= d->mask; j++) {
		const struct iomc_dedup_ent *e = &d->ent[j];
		struct iomc_site_count *c;

		if (!e->count || e->rule >= IOMC_RULE_MAX)
			continue;
		c = &s->sites[s->n_sites++];
		/* a report without a call site (exit, irq return) is about its map */
		c->rule = e->rule;
		c->site = e->site ? e->site : e->map_site;
		c->map_site = e->map_site;
		c->count = e->count;
		s->rule_count[e->rule] += e->count;
		s->rule_sites[e->rule]++;
	}
	qsort(s->sites, s->n_sites, sizeof(*s->sites), cmp_site);
	return 0;
}
