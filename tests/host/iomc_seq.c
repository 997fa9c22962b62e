// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Parser of the event-sequence language (see tests/host/rules.seq).
 * Symbols: @name is a call site, Mn a mapping (struct address), its
 * aperture lives at a fixed iomem address per n so that "Mn OFF" names
 * the vaddr map would return (premap strategy: iomem + offset).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iomc_seq.h"
#include "rule_info.h"

#define SITE_BASE 0xffffffffc0001000ULL
#define MAPPING_BASE 0xffff888000100000ULL
#define IOMEM_BASE 0xffffc90000000000ULL
#define IOMEM_STRIDE 0x10000000ULL
#define FUNC_BASE 0xffffffff81000000ULL

static char *syms[SEQ_MAX_SYMS];
static unsigned int nsyms;

int seq_rule_id(const char *name)
{
	return iomc_rule_lookup(name, strlen(name));
}

const char *seq_rule_name(__u32 rule)
{
	return iomc_rule_name(rule);
}

static __u64 site_addr(const char *name)
{
	unsigned int i;

	for (i = 0; i < nsyms; i++)
		if (!strcmp(syms[i], name))
			return SITE_BASE + i * 0x40ULL;
	if (nsyms >= SEQ_MAX_SYMS) {
		/* a silent 0 made later cases fail for no reason they showed */
		fprintf(stderr, "more than %d distinct @sites: raise SEQ_MAX_SYMS\n",
			SEQ_MAX_SYMS);
		exit(2);
	}
	syms[nsyms] = strdup(name);
	return SITE_BASE + nsyms++ * 0x40ULL;
}

const char *seq_sym_name(__u64 addr)
{
	if (addr >= SITE_BASE && addr < SITE_BASE + nsyms * 0x40ULL &&
	    !((addr - SITE_BASE) % 0x40))
		return syms[(addr - SITE_BASE) / 0x40];
	return NULL;
}

/* Module Kn (struct module *): K0 is the one module_end names by default. */
#define MODULE_BASE 0xffffffffc2000000ULL

static int module_id(const char *tok, __u64 *id)
{
	char *end;
	long n;

	if (!tok || tok[0] != 'K' || !isdigit((unsigned char)tok[1]))
		return -1;
	n = strtol(tok + 1, &end, 10);
	if (*end || n < 0 || n > 255)
		return -1;
	*id = MODULE_BASE + (__u64)n * 0x1000;
	return 0;
}

static int mapping_idx(const char *tok)
{
	char *end;
	long n;

	if (tok[0] != 'M')
		return -1;
	n = strtol(tok + 1, &end, 10);
	if (*end || n < 0 || n > 255)
		return -1;
	return (int)n;
}

static __u64 mapping_addr(int n)
{
	return MAPPING_BASE + (__u64)n * 0x1000;
}

static __u64 iomem_addr(int n)
{
	return IOMEM_BASE + (__u64)n * IOMEM_STRIDE;
}

static int parse_num(const char *s, __u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int kind_id(const char *s)
{
	if (!strcmp(s, "atomic"))
		return IOMC_KIND_ATOMIC;
	if (!strcmp(s, "local"))
		return IOMC_KIND_LOCAL;
	if (!strcmp(s, "wc"))
		return IOMC_KIND_WC;
	return -1;
}

static int ctx_id(const char *s)
{
	static const char *const names[] = IOMC_CTX_NAMES;
	int i;

	for (i = 0; i < IOMC_CTX_MAX; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

struct pstate {
	const char *path;
	unsigned int line;
	__u64 msize[256];	/* mapping sizes from create */
};

#define PERR(ps, ...)							\
	do {								\
		fprintf(stderr, "%s:%u: ", (ps)->path, (ps)->line);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		return -1;						\
	} while (0)

/* key=value argument lookup among toks[from..n) */
static const char *kv(char **toks, int n, int from, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = from; i < n; i++)
		if (!strncmp(toks[i], key, kl) && toks[i][kl] == '=')
			return toks[i] + kl + 1;
	return NULL;
}

static const char *at_site(char **toks, int n, int from)
{
	int i;

	for (i = from; i < n; i++)
		if (toks[i][0] == '@')
			return toks[i] + 1;
	return NULL;
}

/* "Mn OFF" or an address: the vaddr an unmap names; consumes 1 or 2 toks */
static int parse_vaddr(struct pstate *ps, char **toks, int n, int i,
		       __u64 *va)
{
	int m;
	__u64 off;

	if (i >= n)
		PERR(ps, "missing address");
	m = mapping_idx(toks[i]);
	if (m >= 0) {
		if (i + 1 >= n || parse_num(toks[i + 1], &off))
			PERR(ps, "expected 'Mn OFFSET'");
		*va = iomem_addr(m) + off;
		return 2;
	}
	if (parse_num(toks[i], va))
		PERR(ps, "bad address '%s'", toks[i]);
	return 1;
}

/* memremap flags: "wb|wc", "0", "wc|0x100" or a number */
static int parse_mr_flags(const char *s, __u64 *out)
{
	static const char *const names[] = { "wb", "wt", "wc", "enc", "dec" };
	char buf[64], *tok, *save = NULL;
	unsigned int i;
	__u64 v;

	*out = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		for (i = 0; i < 5; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i < 5)
			*out |= 1u << i;
		else if (!parse_num(tok, &v))
			*out |= v;
		else
			return -1;
	}
	return 0;
}

static int region_id(const char *s)
{
	if (!s)
		return IOMC_REGION_DISJOINT;
	if (!strcmp(s, "none"))
		return IOMC_REGION_DISJOINT;
	if (!strcmp(s, "ram"))
		return IOMC_REGION_INTERSECTS;
	if (!strcmp(s, "mixed"))
		return IOMC_REGION_MIXED;
	if (!strcmp(s, "unknown"))
		return IOMC_REGION_UNKNOWN;
	return -1;
}

static int pgmap_type_id(const char *s)
{
	static const char *const names[] = { "unset", "private", "coherent",
					     "fs_dax", "generic", "p2pdma" };
	int i;

	for (i = 0; i < 6; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* Where a memremap returns PHYS by default (an ioremap-space address). */
#define MR_BASE 0xffffc90000000000ULL
/* a pagemap's pgmap: one per range start */
#define PGMAP_BASE 0xffff888100000000ULL

/* memremap/memunmap/pagemap [devm] ...: the tokens after the operation. */
static int parse_mr(struct pstate *ps, struct iomc_event *ev, char **toks,
		    int n, int i)
{
	const char *op = toks[i], *s;
	int devm = i + 1 < n && !strcmp(toks[i + 1], "devm"), r, t, j;
	__u64 v;

	i += 1 + devm;
	if (!strcmp(op, "memunmap_pages")) {
		/* memunmap_pages START: of the pagemap made over START */
		ev->type = IOMC_EV_MEMUNMAP;
		ev->kind = IOMC_MR_MEMUNMAP_PAGES;
		if (i >= n || parse_num(toks[i], &v))
			PERR(ps, "memunmap_pages START [failed] @site");
		ev->mapping = PGMAP_BASE + v;
		/* failed: from inside a failing memremap_pages of that pgmap */
		if (i + 1 < n && !strcmp(toks[i + 1], "failed"))
			ev->arg = IOMC_MEMUNMAP_FAILED_REMAP;
		return 0;
	}
	if (!strcmp(op, "memunmap")) {
		ev->type = IOMC_EV_MEMUNMAP;
		ev->kind = devm ? IOMC_MR_DEVM_MEMUNMAP : IOMC_MR_MEMUNMAP;
		if (i >= n || parse_num(toks[i], &ev->vaddr))
			PERR(ps, "memunmap [devm] ADDR @site");
		return 0;
	}
	r = region_id(kv(toks, n, i, "region"));
	if (r < 0)
		PERR(ps, "region=none|ram|mixed|unknown");
	if (!strcmp(op, "memremap")) {
		ev->type = IOMC_EV_MEMREMAP;
		ev->kind = devm ? IOMC_MR_DEVM_MEMREMAP : IOMC_MR_MEMREMAP;
		if (i + 2 >= n || parse_num(toks[i], &ev->offset) ||
		    parse_num(toks[i + 1], &ev->size) || parse_mr_flags(toks[i + 2], &v))
			PERR(ps, "memremap [devm] PHYS SIZE FLAGS [region=] [ret=] @site");
		ev->arg = IOMC_MR_ARG(v, r, 0);
		ev->vaddr = MR_BASE + ev->offset;
	} else {
		ev->type = IOMC_EV_PAGEMAP;
		ev->kind = devm ? IOMC_MR_DEVM_MEMREMAP_PAGES : IOMC_MR_MEMREMAP_PAGES;
		if (i + 2 >= n || (t = pgmap_type_id(toks[i])) < 0 ||
		    parse_num(toks[i + 1], &ev->offset) || parse_num(toks[i + 2], &ev->size))
			PERR(ps, "pagemap [devm] TYPE START SIZE [nr=] [region=] [mmio] [ret=] @site");
		ev->len = 1;
		if ((s = kv(toks, n, i + 3, "nr")) && parse_num(s, &ev->len))
			PERR(ps, "bad nr");
		for (j = i + 3; j < n; j++)
			if (!strcmp(toks[j], "mmio"))
				break;
		ev->arg = IOMC_MR_ARG(t, r, j < n);
		ev->vaddr = 0xffff888000000000ULL + ev->offset;
		ev->mapping = PGMAP_BASE + ev->offset;	/* the pgmap */
	}
	if ((s = kv(toks, n, i, "ret")) && parse_num(s, &ev->vaddr))
		PERR(ps, "bad ret");
	/* init=Kn: made by Kn's init text while it was live (abi.h: len) */
	if (ev->type == IOMC_EV_MEMREMAP && (s = kv(toks, n, i, "init")) &&
	    module_id(s, &ev->len))
		PERR(ps, "bad init=Kn");
	return 0;
}

static int parse_event(struct pstate *ps, struct seq_case *c, char **toks,
		       int n)
{
	struct seq_event *se;
	struct iomc_event *ev;
	const char *s, *site;
	int i = 0, k, m;
	__u64 v;

	if (c->n >= SEQ_MAX_EVENTS)
		PERR(ps, "too many events");
	se = &c->ev[c->n];
	memset(se, 0, sizeof(*se));
	se->task = 1;
	se->line = ps->line;
	ev = &se->ev;
	ev->ctx = IOMC_CTX_TASK;
	for (;; i++) {
		if (i >= n)
			PERR(ps, "no operation");
		if (toks[i][0] == 't' && isdigit((unsigned char)toks[i][1])) {
			se->task = (unsigned int)atoi(toks[i] + 1);
			if (se->task < 1 || se->task > SEQ_MAX_TASKS)
				PERR(ps, "task t1..t%d", SEQ_MAX_TASKS);
		} else if (toks[i][0] == 'c' &&
			   isdigit((unsigned char)toks[i][1])) {
			ev->cpu = (__u32)atoi(toks[i] + 1);
		} else if ((k = ctx_id(toks[i])) >= 0) {
			ev->ctx = (__u32)k;
		} else {
			break;
		}
	}
	ev->tid = se->task;
	ev->pid = se->task;
	ev->ts_ns = (__u64)(c->n + 1) * 1000;
	site = at_site(toks, n, i + 1);
	ev->caller = site ? site_addr(site) : 0;
	if (!strcmp(toks[i], "create") || !strcmp(toks[i], "free")) {
		ev->type = toks[i][0] == 'c' ? IOMC_EV_CREATE : IOMC_EV_FREE;
		m = i + 1 < n ? mapping_idx(toks[i + 1]) : -1;
		if (m < 0)
			PERR(ps, "%s Mn ...", toks[i]);
		ev->mapping = mapping_addr(m);
		s = kv(toks, n, i + 2, "size");
		if (s && parse_num(s, &v))
			PERR(ps, "bad size");
		if (ev->type == IOMC_EV_CREATE)
			ps->msize[m] = s ? v : 0x100000;
		ev->size = s ? v : ps->msize[m] ? ps->msize[m] : 0x100000;
		/* init=Kn: made by Kn's init text while it was live */
		s = kv(toks, n, i + 2, "init");
		if (s && (ev->type != IOMC_EV_CREATE || module_id(s, &ev->len)))
			PERR(ps, "bad init=Kn");
	} else if (!strcmp(toks[i], "map")) {
		ev->type = IOMC_EV_MAP;
		if (i + 3 >= n || (k = kind_id(toks[i + 1])) < 0 ||
		    (m = mapping_idx(toks[i + 2])) < 0 ||
		    parse_num(toks[i + 3], &ev->offset))
			PERR(ps, "map KIND Mn OFFSET [len=] [size=] [va=] @site");
		ev->kind = (__u32)k;
		ev->mapping = mapping_addr(m);
		ev->size = ps->msize[m] ? ps->msize[m] : 0x100000;
		ev->len = 4096;
		if ((s = kv(toks, n, i + 4, "size")) && parse_num(s, &ev->size))
			PERR(ps, "bad size");
		if ((s = kv(toks, n, i + 4, "len")) && parse_num(s, &ev->len))
			PERR(ps, "bad len");
		ev->vaddr = iomem_addr(m) + ev->offset;
		if ((s = kv(toks, n, i + 4, "va")) && parse_num(s, &ev->vaddr))
			PERR(ps, "bad va");
	} else if (!strcmp(toks[i], "unmap")) {
		ev->type = IOMC_EV_UNMAP;
		if (i + 1 >= n || (k = kind_id(toks[i + 1])) < 0)
			PERR(ps, "unmap KIND (Mn OFFSET | ADDR) @site");
		ev->kind = (__u32)k;
		if (parse_vaddr(ps, toks, n, i + 2, &ev->vaddr) < 0)
			return -1;
	} else if (!strcmp(toks[i], "fault")) {
		/* iomap_check.ko's io_mapping_fault (strategy=window) */
		ev->type = IOMC_EV_FAULT;
		if (i + 2 >= n || (k = kind_id(toks[i + 1])) < 0 ||
		    parse_num(toks[i + 2], &ev->vaddr))
			PERR(ps, "fault KIND ADDR [mapped=@site] [unmapped=@site] [holder=N] [oops] @site");
		ev->kind = (__u32)k;
		if ((s = kv(toks, n, i + 3, "mapped")))
			ev->len = site_addr(s + (*s == '@'));
		if ((s = kv(toks, n, i + 3, "unmapped")))
			ev->arg = site_addr(s + (*s == '@'));
		v = se->task;
		if ((s = kv(toks, n, i + 3, "holder")) && parse_num(s, &v))
			PERR(ps, "bad holder");
		for (k = i + 3; k < n; k++)
			if (!strcmp(toks[k], "oops"))
				break;
		ev->size = IOMC_FAULT_SIZE(v, k >= n);
	} else if (!strcmp(toks[i], "switch")) {
		ev->type = IOMC_EV_SWITCH;
		ev->arg = !(i + 1 < n && !strcmp(toks[i + 1], "preempt"));
	} else if (!strcmp(toks[i], "exit")) {
		ev->type = IOMC_EV_EXIT;
	} else if (!strcmp(toks[i], "irq_exit")) {
		ev->type = IOMC_EV_IRQ_EXIT;
		if (ev->ctx == IOMC_CTX_TASK)
			PERR(ps, "irq_exit needs softirq|hardirq|nmi");
	} else if (!strcmp(toks[i], "memremap") || !strcmp(toks[i], "memunmap") ||
		   !strcmp(toks[i], "memunmap_pages") ||
		   !strcmp(toks[i], "pagemap")) {
		if (parse_mr(ps, ev, toks, n, i))
			return -1;
	} else if (!strcmp(toks[i], "might_sleep")) {
		ev->type = IOMC_EV_MIGHT_SLEEP;
		s = kv(toks, n, i + 1, "fn");
		ev->arg = FUNC_BASE + (s ? site_addr(s) - SITE_BASE : 0);
	} else if (!strcmp(toks[i], "module_end")) {
		/* module_end @first @last [init @first @last] [failed]: the
		 * module's text spans those sites (in order of first mention) */
		ev->type = IOMC_EV_MODULE_END;
		ev->caller = 0;
		ev->mapping = MODULE_BASE;
		if (i + 1 < n && !module_id(toks[i + 1], &ev->mapping))
			i++;
		if (i + 2 >= n || toks[i + 1][0] != '@' || toks[i + 2][0] != '@')
			PERR(ps, "module_end @first @last [init @first @last] [failed]");
		ev->offset = site_addr(toks[i + 1] + 1);
		ev->len = site_addr(toks[i + 2] + 1) + 0x40 - ev->offset;
		for (k = i + 3; k < n; k++) {
			if (!strcmp(toks[k], "failed")) {
				ev->arg = 1;
			} else if (!strcmp(toks[k], "init") && k + 2 < n &&
				   toks[k + 1][0] == '@' && toks[k + 2][0] == '@') {
				ev->vaddr = site_addr(toks[k + 1] + 1);
				ev->size = site_addr(toks[k + 2] + 1) + 0x40 -
					   ev->vaddr;
				k += 2;
			} else {
				PERR(ps, "module_end: unexpected '%s'", toks[k]);
			}
		}
	} else {
		PERR(ps, "unknown operation '%s'", toks[i]);
	}
	c->n++;
	return 0;
}

static int parse_expect(struct pstate *ps, struct seq_case *c, char **toks,
			int n)
{
	struct seq_event *se;
	struct seq_expect *x;
	const char *s;
	int r;

	if (!c->n)
		PERR(ps, "expect before any event");
	se = &c->ev[c->n - 1];
	if (n < 2 || (r = seq_rule_id(toks[1])) < 0)
		PERR(ps, "expect RULE [map=@site] [other=@site]");
	if (se->n_expect >= SEQ_MAX_EXPECT)
		PERR(ps, "too many expects");
	x = &se->expect[se->n_expect++];
	memset(x, 0, sizeof(*x));
	x->rule = (__u32)r;
	if ((s = kv(toks, n, 2, "map"))) {
		x->map_site_set = 1;
		x->map_site = strcmp(s, "0") ? site_addr(s + (*s == '@')) : 0;
	}
	if ((s = kv(toks, n, 2, "other"))) {
		x->other_site_set = 1;
		x->other_site = strcmp(s, "0") ? site_addr(s + (*s == '@')) : 0;
	}
	return 0;
}

static int parse_cfg(struct pstate *ps, struct seq_case *c, char **toks,
		     int n)
{
	const char *s;
	__u64 v;

	if ((s = kv(toks, n, 1, "depth"))) {
		if (parse_num(s, &v))
			PERR(ps, "bad depth");
		c->cfg.depth_limit = (__u32)v;
	}
	if ((s = kv(toks, n, 1, "off"))) {
		char buf[256], *save, *t;

		snprintf(buf, sizeof(buf), "%s", s);
		for (t = strtok_r(buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			int r = seq_rule_id(t);

			if (r < 0)
				PERR(ps, "unknown rule '%s'", t);
			c->cfg.rule_mask &= ~(1u << r);
		}
	}
	return 0;
}

int seq_parse_file(const char *path, struct seq_case **out)
{
	struct pstate ps = { .path = path };
	struct seq_case *cases = NULL, *c = NULL;
	char line[1024];
	int ncases = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *toks[32], *p, *save;
		int n = 0;

		ps.line++;
		if ((p = strchr(line, '#')))
			*p = 0;
		for (p = strtok_r(line, " \t\r\n", &save); p && n < 32;
		     p = strtok_r(NULL, " \t\r\n", &save))
			toks[n++] = p;
		if (!n)
			continue;
		if (!strcmp(toks[0], "case")) {
			struct seq_case *nc = realloc(cases,
						      (ncases + 1) * sizeof(*cases));

			if (!nc)
				goto fail;
			cases = nc;
			c = &cases[ncases++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%s",
				 n > 1 ? toks[1] : "?");
			c->line = ps.line;
			c->cfg.rule_mask = IOMC_ALL_RULES;
			c->cfg.depth_limit = IOMC_DEFAULT_DEPTH_LIMIT;
			memset(ps.msize, 0, sizeof(ps.msize));
			continue;
		}
		if (!c) {
			fprintf(stderr, "%s:%u: event before 'case'\n", path,
				ps.line);
			goto fail;
		}
		if (!strcmp(toks[0], "expect")) {
			if (parse_expect(&ps, c, toks, n))
				goto fail;
		} else if (!strcmp(toks[0], "cfg")) {
			if (parse_cfg(&ps, c, toks, n))
				goto fail;
		} else if (parse_event(&ps, c, toks, n)) {
			goto fail;
		}
	}
	fclose(f);
	*out = cases;
	return ncases;
fail:
	fclose(f);
	free(cases);
	return -1;
}
