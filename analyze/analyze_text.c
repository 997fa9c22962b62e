// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The trace text line parser. Hand-written rather than sscanf: the analyzer
 * must keep up with `wc -l` on a gigabyte of trace (make bench), and the
 * fields are in TP_printk order, so each one is normally found exactly
 * where the previous one ended. Every read is bounded by the line's end.
 */
#include <string.h>
#include "analyze_text.h"
#include "analyze_syms.h"

#define AZ_TASK_SCAN 256	/* the "[cpu]" column is never further in */

const char *az_fmt_name(enum az_fmt f)
{
	switch (f) {
	case AZ_FMT_FTRACE:	return "ftrace text";
	case AZ_FMT_TCREPORT:	return "trace-cmd report";
	case AZ_FMT_PERF:	return "perf script";
	case AZ_FMT_TRACEDAT:	return "trace-cmd trace.dat";
	case AZ_FMT_RECORD:	return "iomap-checkd recording";
	default:		return "unknown";
	}
}

/*
 * Character classes by table: one load per byte instead of a chain of
 * compares (the parser touches every byte of a gigabyte in make bench).
 */
#define C_DIGIT 0x01
#define C_HEX 0x02
#define C_BLANK 0x04
#define C_FLAG 0x08	/* ftrace flag columns: irqs-off, need-resched (incl.
			 * lazy), hard/softirq, preempt/migrate depths */
static unsigned char cls[256];
static void init_name_lens(void);
static signed char hexv[256];

__attribute__((constructor)) static void init_classes(void)
{
	const char *f = ".DdbXNnpBLlZzHhs+-";
	int c;

	for (c = 0; c < 256; c++) {
		hexv[c] = -1;
		if (c >= '0' && c <= '9') {
			cls[c] |= C_DIGIT | C_HEX | C_FLAG;
			hexv[c] = (signed char)(c - '0');
		} else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			cls[c] |= C_HEX | C_FLAG;
			hexv[c] = (signed char)((c | 0x20) - 'a' + 10);
		}
	}
	cls[' '] |= C_BLANK;
	cls['\t'] |= C_BLANK;
	for (; *f; f++)
		cls[(unsigned char)*f] |= C_FLAG;
	init_name_lens();
}

#define AZ_INLINE static inline __attribute__((always_inline))

AZ_INLINE int is_digit(char c)
{
	return cls[(unsigned char)c] & C_DIGIT;
}

AZ_INLINE int hexval(char c)
{
	return hexv[(unsigned char)c];
}

AZ_INLINE int is_blank(char c)
{
	return cls[(unsigned char)c] & C_BLANK;
}

/* Blanks: runs of spaces eight at a time (ftrace pads its columns), then bytes. */
AZ_INLINE const char *skip_blank(const char *p, const char *e)
{
	while (e - p >= 8) {
		__u64 w, x;

		memcpy(&w, p, 8);
		x = w ^ 0x2020202020202020ULL;
		if (x) {
			p += __builtin_ctzll(x) / 8;
			break;
		}
		p += 8;
	}
	while (p < e && is_blank(*p))
		p++;
	return p;
}

AZ_INLINE int starts(const char *p, const char *e, const char *lit, size_t n)
{
	return (size_t)(e - p) >= n && !memcmp(p, lit, n);
}
#define STARTS(p, e, lit) starts(p, e, lit, sizeof(lit) - 1)

/*
 * Numbers eight characters at a time (SWAR) when eight bytes are left in
 * the line; a byte loop for the rest. w holds the characters little-endian:
 * the first one in the lowest byte.
 */
AZ_INLINE __u64 load8(const char *p)
{
	__u64 w;

	memcpy(&w, p, 8);
	return w;
}

/* How many leading bytes of w are '0'..'9'. */
AZ_INLINE unsigned int dec_run8(__u64 w)
{
	/* per byte: high nibble must be 3 and low nibble + 6 must not carry */
	__u64 x = ((w & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL) |
		  (((w & 0x0f0f0f0f0f0f0f0fULL) + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL);

	return x ? (unsigned int)__builtin_ctzll(x) / 8 : 8;
}

/* The value of the first n (1..8) digits of w. */
AZ_INLINE __u64 dec_value8(__u64 w, unsigned int n)
{
	w -= 0x3030303030303030ULL;
	if (n < 8)	/* align so that the missing digits are leading zeros */
		w <<= 8 * (8 - n);
	w = w * 10 + (w >> 8);
	return (((w & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32))) +
		(((w >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32)))) >> 32;
}

/* Per byte: 0x80 if the byte's high nibble (x >> 4 of it) is non-zero. */
AZ_INLINE __u64 nibble_set(__u64 x)
{
	return (((x >> 4) & 0x0f0f0f0f0f0f0f0fULL) + 0x7f7f7f7f7f7f7f7fULL) &
	       0x8080808080808080ULL;
}

/* How many leading bytes of w are hex digits. */
AZ_INLINE unsigned int hex_run8(__u64 w)
{
	__u64 l = w | 0x2020202020202020ULL;	/* 'A'..'F' -> 'a'..'f' */
	__u64 hi = l & 0xf0f0f0f0f0f0f0f0ULL, lo = l & 0x0f0f0f0f0f0f0f0fULL;
	/* not a digit: high nibble is not 3, or low nibble > 9 */
	__u64 dig = (hi ^ 0x3030303030303030ULL) |
		    ((lo + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL);
	/* not a letter: high nibble is not 6, low nibble > 6 or 0 */
	__u64 let = (hi ^ 0x6060606060606060ULL) |
		    ((lo + 0x0909090909090909ULL) & 0xf0f0f0f0f0f0f0f0ULL) |
		    (~((lo | 0xf0f0f0f0f0f0f0f0ULL) - 0x0101010101010101ULL) &
		     0x1010101010101010ULL);
	__u64 bad = nibble_set(dig) & nibble_set(let);

	return bad ? (unsigned int)__builtin_ctzll(bad) / 8 : 8;
}

/* The value of the first n (1..8) hex digits of w. */
AZ_INLINE __u64 hex_value8(__u64 w, unsigned int n)
{
	/* nibble value: the low nibble, + 9 for letters (bit 6 set) */
	w = (w & 0x0f0f0f0f0f0f0f0fULL) + 9 * ((w >> 6) & 0x0101010101010101ULL);
	if (n < 8)	/* drop what follows; the missing digits become leading zeros */
		w <<= 8 * (8 - n);
	w = __builtin_bswap64(w);	/* first character most significant */
	w = (w & 0x0f000f000f000f00ULL) >> 4 | (w & 0x000f000f000f000fULL);
	w = (w & 0x00ff000000ff0000ULL) >> 8 | (w & 0x000000ff000000ffULL);
	w = (w & 0x0000ffff00000000ULL) >> 16 | (w & 0x000000000000ffffULL);
	return w;
}

/* Decimal; at least one digit; fails on overflow. *pp advances. */
AZ_INLINE int parse_dec(const char **pp, const char *e, __u64 *v)
{
	const char *p = *pp;
	__u64 x = 0;

	if (p >= e || !is_digit(*p))
		return -1;
	if (e - p >= 8) {
		unsigned int n = dec_run8(load8(p));

		x = dec_value8(load8(p), n);
		p += n;
		if (n < 8)
			goto done;
	}
	while (p < e && is_digit(*p)) {
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (unsigned int)(*p - '0'), &x))
			return -1;
		p++;
	}
done:
	*pp = p;
	*v = x;
	return 0;
}

/* Hex digits (no prefix); at least one; at most 16. */
AZ_INLINE int parse_hexdigits(const char **pp, const char *e, __u64 *v)
{
	const char *p = *pp;
	unsigned int total = 0;
	__u64 x = 0;
	int d;

	while (e - p >= 8) {
		__u64 w = load8(p);
		unsigned int n = hex_run8(w);

		if (!n)
			break;
		if (total + n > 16)
			return -1;
		x = x << (4 * n) | hex_value8(w, n);
		p += n;
		total += n;
		if (n < 8)
			goto done;
	}
	while (p < e && (d = hexval(*p)) >= 0) {
		if (++total > 16)
			return -1;
		x = x << 4 | (unsigned int)d;
		p++;
	}
done:
	if (!total)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

/* "0x..." hex or decimal. */
AZ_INLINE int parse_num(const char **pp, const char *e, __u64 *v)
{
	const char *p = *pp;

	if (e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (parse_hexdigits(&p, e, v))
			return -1;
		*pp = p;
		return 0;
	}
	return parse_dec(pp, e, v);
}

/* A value must end at a blank or the end of the line. */
AZ_INLINE int at_end_of_value(const char *p, const char *e)
{
	return p == e || is_blank(*p);
}

/*
 * First occurrence of lit[0..n) in [p, e): memchr for its first byte, then
 * a compare (glibc's memmem sets up a two-way search: too slow for the
 * short needles here).
 */
static const char *find_lit(const char *p, const char *e, const char *lit, size_t n)
{
	while ((size_t)(e - p) >= n) {
		const char *c = memchr(p, lit[0], e - p - n + 1);

		if (!c)
			return NULL;
		if (!memcmp(c + 1, lit + 1, n - 1))
			return c;
		p = c + 1;
	}
	return NULL;
}

/*
 * The value of "key=" (key includes the '='): expected right at *pp (the
 * TP_printk order); else searched after it, as a whole word. *pp is left
 * at the value.
 */
AZ_INLINE const char *find_key(const char *p, const char *e, const char *key, size_t klen)
{
	const char *start = p;

	/* the TP_printk order: one blank, then the key */
	if (p < e && *p == ' ' && starts(p + 1, e, key, klen))
		return p + 1 + klen;
	p = skip_blank(p, e);
	if (starts(p, e, key, klen))
		return p + klen;
	while (p < e && (p = find_lit(p, e, key, klen)) != NULL) {
		if (p == start || is_blank(p[-1]))
			return p + klen;
		p++;
	}
	return NULL;
}

AZ_INLINE int key_num(const char **pp, const char *e, const char *key, size_t klen, __u64 *v)
{
	const char *p = find_key(*pp, e, key, klen);

	if (!p || parse_num(&p, e, v) || !at_end_of_value(p, e))
		return -1;
	*pp = p;
	return 0;
}
#define KEY_NUM(pp, e, key, v) key_num(pp, e, key, sizeof(key) - 1, v)

/* A short compare inline: memcmp with a variable length is a libc call. */
AZ_INLINE int same_bytes(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static const char *const kind_names[] = IOMC_KIND_NAMES;
static const char *const ctx_names[] = IOMC_CTX_NAMES;
/* their lengths, set once (init_classes): no strlen per field */
static unsigned char kind_lens[IOMC_KIND_MAX], ctx_lens[IOMC_CTX_MAX];

/*
 * key=<name> for a tracepoint's __print_symbolic field, named as in
 * events.h (or its number, as libtraceevent prints unknown values).
 * Inlined so that the key's length is a constant and its compare a load.
 */
AZ_INLINE int key_enum(const char **pp, const char *e, const char *key,
		       size_t keylen, const char *const *names,
		       const unsigned char *lens, __u32 count, __u32 *out)
{
	const char *p = find_key(*pp, e, key, keylen), *w = p;
	size_t n;
	__u64 v;
	__u32 i;

	if (!p)
		return -1;
	while (p < e && !is_blank(*p))
		p++;
	n = p - w;
	for (i = 0; i < count; i++)
		if (lens[i] == n && same_bytes(w, names[i], n))
			break;
	if (i < count)
		*out = i;
	else if (!parse_num(&w, p, &v) && w == p && v < count)
		*out = (__u32)v;
	else
		return -1;
	*pp = p;
	return 0;
}

static void init_name_lens(void)
{
	__u32 i;

	for (i = 0; i < IOMC_KIND_MAX; i++)
		kind_lens[i] = (unsigned char)strlen(kind_names[i]);
	for (i = 0; i < IOMC_CTX_MAX; i++)
		ctx_lens[i] = (unsigned char)strlen(ctx_names[i]);
}

AZ_INLINE int key_kind(const char **pp, const char *e, __u32 *kind)
{
	return key_enum(pp, e, "kind=", 5, kind_names, kind_lens, IOMC_KIND_MAX, kind);
}

AZ_INLINE int key_ctx(const char **pp, const char *e, __u32 *ctx)
{
	return key_enum(pp, e, "ctx=", 4, ctx_names, ctx_lens, IOMC_CTX_MAX, ctx);
}

/* caller=<site>: the rest of the line ("func+0x3c/0x90 [mod]" has a blank). */
static int key_caller(const char *p, const char *e, __u64 *id)
{
	p = find_key(p, e, "caller=", 7);
	if (!p)
		return -1;
	while (e > p && is_blank(e[-1]))
		e--;
	if (p == e)
		return -1;
	*id = az_sym_intern(p, e - p);
	return *id ? 0 : -1;
}

static int fields_map(const char *p, const char *e, struct iomc_event *ev)
{
	if (key_kind(&p, e, &ev->kind) || key_ctx(&p, e, &ev->ctx) ||
	    KEY_NUM(&p, e, "mapping=", &ev->mapping) ||
	    KEY_NUM(&p, e, "size=", &ev->size) ||
	    KEY_NUM(&p, e, "offset=", &ev->offset) ||
	    KEY_NUM(&p, e, "len=", &ev->len) ||
	    KEY_NUM(&p, e, "vaddr=", &ev->vaddr))
		return -1;
	ev->type = IOMC_EV_MAP;
	return key_caller(p, e, &ev->caller);
}

static int fields_unmap(const char *p, const char *e, struct iomc_event *ev)
{
	if (key_kind(&p, e, &ev->kind) || key_ctx(&p, e, &ev->ctx) ||
	    KEY_NUM(&p, e, "vaddr=", &ev->vaddr))
		return -1;
	ev->type = IOMC_EV_UNMAP;
	return key_caller(p, e, &ev->caller);
}

/*
 * key=<site> followed by " next": a %pS site may hold a blank ("func+0x3c/
 * 0x90 [mod]"), so it ends where the next key starts. *pp is left there.
 */
static int key_site(const char **pp, const char *e, const char *key,
		    size_t klen, const char *next, size_t nlen, __u64 *id)
{
	const char *p = find_key(*pp, e, key, klen), *q;

	if (!p || !(q = find_lit(p, e, next, nlen)) || q == p)
		return -1;
	*id = az_sym_intern(p, q - p);
	*pp = q;
	return *id ? 0 : -1;
}
#define KEY_SITE(pp, e, key, next, id) \
	key_site(pp, e, key, sizeof(key) - 1, next, sizeof(next) - 1, id)

/* io_mapping_fault (strategy=window): abi.h's IOMC_EV_FAULT fields. */
static int fields_fault(const char *p, const char *e, struct iomc_event *ev)
{
	__u64 holder, fixed;

	if (KEY_NUM(&p, e, "vaddr=", &ev->vaddr) ||
	    KEY_SITE(&p, e, "ip=", " mapping=", &ev->caller) ||
	    KEY_NUM(&p, e, "mapping=", &ev->mapping) ||
	    KEY_NUM(&p, e, "offset=", &ev->offset) ||
	    key_kind(&p, e, &ev->kind) || key_ctx(&p, e, &ev->ctx) ||
	    KEY_SITE(&p, e, "map_caller=", " unmap_caller=", &ev->len) ||
	    KEY_SITE(&p, e, "unmap_caller=", " holder=", &ev->arg) ||
	    KEY_NUM(&p, e, "holder=", &holder) ||
	    KEY_NUM(&p, e, "fixed=", &fixed))
		return -1;
	ev->type = IOMC_EV_FAULT;
	ev->size = IOMC_FAULT_SIZE(holder, fixed);
	return 0;
}

static int fields_create(const char *p, const char *e, struct iomc_event *ev)
{
	__u64 base;

	/* base is not part of the normalized event: the rules never use it */
	if (KEY_NUM(&p, e, "mapping=", &ev->mapping) ||
	    KEY_NUM(&p, e, "base=", &base) ||
	    KEY_NUM(&p, e, "size=", &ev->size))
		return -1;
	ev->type = IOMC_EV_CREATE;
	return key_caller(p, e, &ev->caller);
}

static int fields_free(const char *p, const char *e, struct iomc_event *ev)
{
	if (KEY_NUM(&p, e, "mapping=", &ev->mapping) ||
	    KEY_NUM(&p, e, "size=", &ev->size))
		return -1;
	ev->type = IOMC_EV_FREE;
	return key_caller(p, e, &ev->caller);
}

static void set_comm(struct iomc_event *ev, const char *c, size_t n)
{
	size_t i;

	if (n > IOMC_COMM_LEN - 1)
		n = IOMC_COMM_LEN - 1;
	memset(ev->comm, 0, IOMC_COMM_LEN);	/* constant size: two stores */
	for (i = 0; i < n; i++)
		ev->comm[i] = c[i];
}

/* prev_state: "R" or "R+" (preempted, still runnable) is involuntary. */
static __u64 voluntary(const char *st, size_t n)
{
	return !((n == 1 && st[0] == 'R') || (n == 2 && st[0] == 'R' && st[1] == '+'));
}

/*
 * sched_switch, as the kernel prints it:
 *   prev_comm=C prev_pid=N prev_prio=N prev_state=S ==> next_comm=C ...
 * or as trace-cmd's and perf's sched_switch plugin prints it:
 *   C:N [prio] S ==> C:N [prio]
 * The switched-out task is the one the SWITCH event is about.
 */
static int fields_switch(const char *p, const char *e, struct iomc_event *ev)
{
	const char *arrow = find_lit(p, e, " ==> ", 5), *q, *st, *w;
	__u64 pid;

	if (!arrow)
		return -1;
	ev->type = IOMC_EV_SWITCH;
	if (STARTS(p, e, "prev_comm=")) {
		const char *c = p + 10, *pp = find_lit(c, arrow, " prev_pid=", 10);

		if (!pp)
			return -1;
		set_comm(ev, c, pp - c);
		q = pp + 10;
		if (parse_dec(&q, arrow, &pid))
			return -1;
		st = find_key(q, arrow, "prev_state=", 11);
		if (!st)
			return -1;
		for (w = st; w < arrow && !is_blank(*w); w++)
			;
		ev->tid = (__u32)pid;
		ev->arg = voluntary(st, w - st);
		return 0;
	}
	/* plugin form: scan back from the arrow: state, "[prio]", "comm:pid" */
	w = arrow;
	for (st = w; st > p && !is_blank(st[-1]); st--)
		;
	if (st == w)
		return -1;
	ev->arg = voluntary(st, w - st);
	q = st;
	while (q > p && is_blank(q[-1]))
		q--;
	if (q == p || q[-1] != ']')
		return -1;
	while (q > p && q[-1] != '[')
		q--;
	if (q == p)
		return -1;
	q--;			/* at '[' */
	while (q > p && is_blank(q[-1]))
		q--;
	w = q;			/* end of "comm:pid" */
	while (q > p && is_digit(q[-1]))
		q--;
	if (q == w || q == p || q[-1] != ':')
		return -1;
	st = q;
	if (parse_dec(&st, w, &pid))
		return -1;
	ev->tid = (__u32)pid;
	set_comm(ev, p, q - 1 - p);
	return 0;
}

/*
 * module_free: NAME (the module:module_free tracepoint, a module's end).
 * Text has no text ranges: the module's name, interned, is the event's
 * 'mapping'; the checker tells its sites by their " [NAME]" suffix.
 */
static int fields_module_free(const char *p, const char *e, struct iomc_event *ev)
{
	const char *q = p;

	while (q < e && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
		q++;
	if (q == p)
		return -1;
	ev->type = IOMC_EV_MODULE_END;
	ev->mapping = az_sym_intern(p, (size_t)(q - p));
	return ev->mapping ? 0 : -1;
}

/* sched_process_exit: comm=C pid=N prio=N [group_dead=...] */
static int fields_exit(const char *p, const char *e, struct iomc_event *ev)
{
	const char *q = find_lit(p, e, " pid=", 5);
	__u64 pid;

	ev->type = IOMC_EV_EXIT;
	if (!q)
		return 0;	/* keep the header's pid: the exiting task fires it */
	if (STARTS(p, e, "comm="))
		set_comm(ev, p + 5, q - p - 5);
	q += 5;
	if (parse_dec(&q, e, &pid))
		return -1;
	ev->tid = (__u32)pid;
	return 0;
}

/*
 * Timestamp: "secs.fraction" (6 digits: µs as ftrace and trace-cmd print by
 * default; 9: ns, trace-cmd -t and perf --ns) or a raw counter.
 */
/*
 * ftrace's own "<1-7 digits>.<6 digits>" by two word loads (issue 21); the
 * value parse_ts() computes for it, which no overflow check can refuse.
 * Stores nothing when the timestamp is not of that shape.
 */
AZ_INLINE int fast_ts(const char **pp, const char *e, __u64 *ns)
{
	const char *p = *pp;
	__u64 w, secs;
	unsigned int n;

	if (e - p < 16)
		return -1;
	w = load8(p);
	n = dec_run8(w);
	if (!n || n == 8 || p[n] != '.')
		return -1;
	secs = dec_value8(w, n);
	w = load8(p + n + 1);
	if (dec_run8(w) != 6)
		return -1;
	*ns = secs * 1000000000ULL + dec_value8(w, 6) * 1000;
	*pp = p + n + 7;
	return 0;
}

static int parse_ts(const char **pp, const char *e, __u64 *ns)
{
	const char *p = *pp, *f;
	__u64 secs, frac = 0;
	int digits;

	if (!fast_ts(pp, e, ns))
		return 0;

	if (parse_dec(&p, e, &secs))
		return -1;
	if (p < e && *p == '.') {
		f = ++p;
		if (parse_dec(&p, e, &frac) && p == f)
			return -1;
		digits = (int)(p - f);
		if (digits > 9) {
			/* more precision than ns: keep the first nine digits */
			const char *c = f;

			frac = 0;
			for (digits = 0; digits < 9; digits++)
				frac = frac * 10 + (unsigned int)(*c++ - '0');
		}
		for (; digits < 9; digits++)
			frac *= 10;
		if (secs > (~0ULL - frac) / 1000000000ULL)
			return -1;
		*ns = secs * 1000000000ULL + frac;
	} else {
		*ns = secs;
	}
	*pp = p;
	return 0;
}

AZ_INLINE int is_flag_char(char c)
{
	return cls[(unsigned char)c] & C_FLAG;
}

/*
 * The task part before the CPU column, [b, t) with blanks trimmed:
 * "comm-pid", "comm-pid (tgid)", "comm pid" or "comm pid/tid" (perf).
 */
static int parse_task(const char *b, const char *t, struct iomc_event *ev, enum az_fmt *fmt,
		      const char **comm_b, const char **comm_e)
{
	const char *q, *d;
	__u64 pid, tid, tgid = 0;
	int have_tgid = 0;

	while (t > b && is_blank(t[-1]))
		t--;
	if (t > b && t[-1] == ')') {
		/* tgid column: "(   123)" or "(-------)" */
		const char *o = t - 1;

		while (o > b && o[-1] != '(')
			o--;
		if (o == b)
			return -1;
		d = skip_blank(o, t - 1);
		if (d < t - 1 && is_digit(*d)) {
			if (parse_dec(&d, t - 1, &tgid) || d != t - 1)
				return -1;
			have_tgid = 1;
		}
		t = o - 1;
		while (t > b && is_blank(t[-1]))
			t--;
	}
	d = t;
	while (d > b && is_digit(d[-1]))
		d--;
	if (d == t || d == b)
		return -1;
	q = d;
	if (parse_dec(&q, t, &pid))
		return -1;
	tid = pid;
	if (d[-1] == '/') {
		/* perf "pid/tid" */
		const char *pe = d - 1;

		q = pe;
		while (q > b && is_digit(q[-1]))
			q--;
		if (q == pe || q == b || !is_blank(q[-1]))
			return -1;
		d = q;
		if (parse_dec(&q, pe, &pid))
			return -1;
		have_tgid = 1;
		tgid = pid;
		*fmt = AZ_FMT_PERF;
	} else if (is_blank(d[-1])) {
		*fmt = AZ_FMT_PERF;
	} else if (d[-1] != '-') {
		return -1;
	}
	d--;			/* the separator before the pid */
	while (d > b && is_blank(d[-1]))
		d--;
	/* trace-cmd names the buffer of a multi-buffer file: "inst:   comm-pid" */
	for (q = b; d - b > IOMC_COMM_LEN && q + 2 < d; q++) {
		if (q[0] == ':' && q[1] == ' ' && q[2] == ' ') {
			b = skip_blank(q + 1, d);
			break;
		}
	}
	ev->tid = (__u32)tid;
	ev->pid = have_tgid ? (__u32)tgid : (__u32)tid;
	set_comm(ev, b, d - b);
	if (comm_b) {
		*comm_b = b;
		*comm_e = d;
	}
	return 0;
}

/* "CPU:N [LOST M EVENTS]" (ftrace), "CPU:N [M EVENTS DROPPED]" (trace-cmd) */
static enum az_line parse_cpu_marker(const char *p, const char *e, struct az_parsed *out)
{
	__u64 cpu, n = 0;

	p += 4;
	if (parse_dec(&p, e, &cpu) || cpu >= AZ_MAX_CPUS)
		return AZ_LINE_BAD;
	p = skip_blank(p, e);
	if (p == e || *p != '[')
		return AZ_LINE_BAD;
	p++;
	if (STARTS(p, e, "LOST ")) {
		p += 5;
		if (is_digit(*p) && parse_dec(&p, e, &n))
			return AZ_LINE_BAD;
		p = skip_blank(p, e);
		if (!STARTS(p, e, "EVENTS]"))
			return AZ_LINE_BAD;
	} else {
		if (p < e && is_digit(*p)) {
			if (parse_dec(&p, e, &n))
				return AZ_LINE_BAD;
			p = skip_blank(p, e);
		}
		if (!STARTS(p, e, "EVENTS DROPPED]"))
			return AZ_LINE_BAD;
		out->fmt = AZ_FMT_TCREPORT;
	}
	out->ev.type = IOMC_EV_DROP;
	out->ev.cpu = (__u32)cpu;
	out->ev.arg = n;
	return AZ_LINE_DROP;
}

static enum az_line parse_comment(const char *p, const char *e, struct az_parsed *out)
{
	const char *q;
	__u64 a, b, n;

	if (STARTS(p, e, "# tracer:")) {
		out->fmt = AZ_FMT_FTRACE;
		out->block_start = 1;
	}
	q = find_lit(p, e, "entries-in-buffer/entries-written:", 34);
	if (q) {
		q = skip_blank(q + 34, e);
		if (!parse_dec(&q, e, &a) && q < e && *q == '/') {
			q++;
			if (!parse_dec(&q, e, &b) && b > a)
				out->lost_at_start = b - a;
		}
		out->fmt = AZ_FMT_FTRACE;
	}
	q = find_lit(p, e, "#P:", 3);
	if (q) {
		q += 3;
		if (!parse_dec(&q, e, &n) && n > 0 && n < 65536)
			out->nr_cpus = (__u32)n;
	}
	return AZ_LINE_META;
}

/* A stack frame: " => sym" (ftrace, trace-cmd) or "\t hexaddr sym (dso)" (perf). */
static enum az_line parse_frame(const char *p, const char *e, int indented, struct az_parsed *out)
{
	const char *s;
	__u64 addr;

	if (STARTS(p, e, "=>")) {
		s = skip_blank(p + 2, e);
		/* trace-cmd appends " (hexaddr)": drop it */
		if (e > s && e[-1] == ')') {
			const char *o = e - 1;

			while (o > s && o[-1] != '(')
				o--;
			/* o is just past '(', which must follow a blank */
			if (o - 1 > s && is_blank(o[-2]))
				e = o - 1;
		}
	} else if (indented && !parse_hexdigits(&p, e, &addr) && p < e && is_blank(*p)) {
		s = skip_blank(p, e);
		/* strip " (dso)" */
		if (e > s && e[-1] == ')') {
			const char *o = e - 1;

			while (o > s && o[-1] != '(')
				o--;
			if (o > s)
				e = o - 1;
		}
		out->fmt = AZ_FMT_PERF;
	} else {
		return AZ_LINE_BAD;
	}
	while (e > s && is_blank(e[-1]))
		e--;
	if (e == s)
		return AZ_LINE_BAD;
	out->frame = az_sym_intern(s, e - s);
	return out->frame ? AZ_LINE_FRAME : AZ_LINE_BAD;
}

/* The name of an event we care about -> its field parser. */
typedef int (*fields_fn)(const char *p, const char *e, struct iomc_event *ev);

static int fields_irq_exit(const char *p, const char *e, struct iomc_event *ev)
{
	(void)p; (void)e;
	ev->type = IOMC_EV_IRQ_EXIT;
	ev->ctx = IOMC_CTX_HARDIRQ;
	return 0;
}

static int fields_softirq_exit(const char *p, const char *e, struct iomc_event *ev)
{
	(void)p; (void)e;
	ev->type = IOMC_EV_IRQ_EXIT;
	ev->ctx = IOMC_CTX_SOFTIRQ;
	return 0;
}

/* n[0..len) is the string literal tp (a constant length: memcmp inlines) */
#define IS_EVENT(n, len, tp) ((len) == sizeof(tp) - 1 && !memcmp((n), (tp), sizeof(tp) - 1))

static fields_fn lookup_event(const char *n, size_t len)
{
	if (IS_EVENT(n, len, IOMC_TP_MAP))
		return fields_map;
	if (IS_EVENT(n, len, IOMC_TP_UNMAP))
		return fields_unmap;
	if (IS_EVENT(n, len, IOMC_TP_CREATE))
		return fields_create;
	if (IS_EVENT(n, len, IOMC_TP_FREE))
		return fields_free;
	if (IS_EVENT(n, len, IOMC_TP_FAULT))
		return fields_fault;
	if (len == 12 && !memcmp(n, "sched_switch", 12))
		return fields_switch;
	if (len == 18 && !memcmp(n, "sched_process_exit", 18))
		return fields_exit;
	if (len == 16 && !memcmp(n, "irq_handler_exit", 16))
		return fields_irq_exit;
	if (len == 11 && !memcmp(n, "module_free", 11))
		return fields_module_free;
	if (len == 12 && !memcmp(n, "softirq_exit", 12))
		return fields_softirq_exit;
	return NULL;
}

/* From the timestamp on: "<ts>:[ (+diff)] <event>: <fields>" */
static enum az_line parse_rest(const char *p, const char *e, struct az_parsed *out)
{
	const char *name, *ne, *start;
	fields_fn fn;

	if (parse_ts(&p, e, &out->ev.ts_ns) || p == e || *p != ':')
		return AZ_LINE_BAD;
	p = skip_blank(p + 1, e);
	if (p < e && *p == '(') {
		/* trace-cmd report --ts-diff: "(+6)" */
		while (p < e && *p != ')')
			p++;
		if (p == e)
			return AZ_LINE_BAD;
		p = skip_blank(p + 1, e);
	}
	if (p < e && *p == '<') {
		/* ftrace's kernel_stack / user_stack: the frames follow */
		if (STARTS(p, e, "<stack trace>"))
			return AZ_LINE_STACK;
		if (STARTS(p, e, "<user stack trace>")) {
			out->ev.arg = 1;
			return AZ_LINE_STACK;
		}
		return AZ_LINE_BAD;
	}
	/* event name up to ':' + blank/end; perf prefixes "system:" */
	start = name = p;
	for (;;) {
		const char *c = memchr(p, ':', e - p);

		if (!c)
			return AZ_LINE_BAD;
		p = c;
		if (p + 1 == e || is_blank(p[1]))
			break;
		name = ++p;	/* "system:" prefix */
		out->fmt = AZ_FMT_PERF;
	}
	ne = p;
	p = skip_blank(p + 1, e);
	if (ne - name == 12 && !memcmp(name, "kernel_stack", 12))
		return AZ_LINE_STACK;	/* trace-cmd's name for <stack trace> */
	if (ne - name == 10 && !memcmp(name, "user_stack", 10)) {
		out->ev.arg = 1;
		return AZ_LINE_STACK;
	}
	fn = lookup_event(name, ne - name);
	if (!fn) {
		for (p = start; p < ne; p++)	/* a name has no blanks */
			if (is_blank(*p))
				return AZ_LINE_BAD;
		return AZ_LINE_OTHER;
	}
	if (fn(p, e, &out->ev))
		return AZ_LINE_MALFORMED;
	return AZ_LINE_EVENT;
}

/*
 * No "[cpu]" column: trace-cmd report -l ("comm-pid  <cpu><flags> ts: ...")
 * or perf script without the cpu field ("comm pid ts: ..."). Find the
 * timestamp token (digits[.digits] followed by ':') and look before it.
 */
static enum az_line parse_headerless(const char *b, const char *e, struct az_parsed *out)
{
	const char *p = b, *lim = e - b > AZ_TASK_SCAN ? b + AZ_TASK_SCAN : e;

	while (p < lim) {
		const char *t, *q;

		while (p < lim && !is_blank(*p))
			p++;
		p = skip_blank(p, lim);
		if (p == lim || !is_digit(*p))
			continue;
		t = p;
		while (t < e && (is_digit(*t) || *t == '.'))
			t++;
		if (t == e || *t != ':')
			continue;
		/* p is the timestamp; the token before it is a pid or "<cpu><flags>" */
		q = p;
		while (q > b && is_blank(q[-1]))
			q--;
		{
			const char *tok = q;
			__u64 cpu;

			while (tok > b && !is_blank(tok[-1]))
				tok--;
			if (tok < q && is_digit(*tok)) {
				const char *c = tok;

				if (!parse_dec(&c, q, &cpu) && c < q && !is_digit(*c) && *c != '/') {
					/* latency column */
					const char *f;

					for (f = c; f < q && is_flag_char(*f); f++)
						;
					if (f != q || cpu >= AZ_MAX_CPUS)
						return AZ_LINE_BAD;
					out->ev.cpu = (__u32)cpu;
					if (parse_task(b, tok, &out->ev, &out->fmt, NULL, NULL))
						return AZ_LINE_BAD;
					out->fmt = AZ_FMT_TCREPORT;
					return parse_rest(p, e, out);
				}
			}
		}
		if (parse_task(b, q, &out->ev, &out->fmt, NULL, NULL) || out->fmt != AZ_FMT_PERF)
			return AZ_LINE_BAD;
		return parse_rest(p, e, out);
	}
	return AZ_LINE_BAD;
}

/*
 * Field by field: a memset of the whole struct compiles to "rep stos",
 * whose startup cost was the single largest item of the per-line profile.
 */
AZ_INLINE void clear_parsed(struct az_parsed *out)
{
	struct iomc_event *ev = &out->ev;

	ev->ts_ns = 0;
	ev->type = ev->cpu = ev->pid = ev->tid = ev->kind = ev->ctx = 0;
	ev->mapping = ev->size = ev->offset = ev->len = ev->vaddr = ev->caller = ev->arg = 0;
	memset(ev->comm, 0, sizeof(ev->comm));	/* 16 bytes: two stores */
	out->frame = 0;
	out->fmt = AZ_FMT_UNKNOWN;
	out->nr_cpus = 0;
	out->block_start = 0;
	out->lost_at_start = 0;
}

/* Leading blanks, eight at a time (comm is right-aligned in 16 columns). */
AZ_INLINE const char *skip_lead(const char *p, const char *e)
{
	while (e - p >= 8) {
		__u64 w;

		memcpy(&w, p, 8);
		if (w != 0x2020202020202020ULL)
			break;
		p += 8;
	}
	return skip_blank(p, e);
}

/*
 * The line read with its CPU column at br: "[cpu] [flags] <ts>: ...", the
 * task part in [b, br). AZ_LINE_BAD when it is not a header here. The
 * comm's extent is stored when comm_b is not NULL.
 */
static enum az_line parse_at_cpu(const char *b, const char *br, const char *e,
				 struct az_parsed *out, const char **comm_b, const char **comm_e)
{
	const char *p = br + 1;
	__u64 cpu;

	if (br == b || parse_dec(&p, e, &cpu) || p == e || *p != ']' || p + 1 == e ||
	    !is_blank(p[1]) || cpu >= AZ_MAX_CPUS)
		return AZ_LINE_BAD;
	p = skip_blank(p + 1, e);
	if (p < e && !is_digit(*p)) {
		/* irq-info flag columns ("d..2." etc.); absent with irq-info off */
		const char *f = p;

		while (p < e && is_flag_char(*p))
			p++;
		if (p - f > 8 || p == e || !is_blank(*p))
			return AZ_LINE_BAD;
		p = skip_blank(p, e);
	}
	if (p == e || !is_digit(*p))	/* the timestamp must follow */
		return AZ_LINE_BAD;
	out->ev.cpu = (__u32)cpu;
	if (parse_task(b, br, &out->ev, &out->fmt, comm_b, comm_e))
		return AZ_LINE_BAD;
	if (out->fmt == AZ_FMT_UNKNOWN)	/* trace-cmd report says so in its first line */
		out->fmt = AZ_FMT_FTRACE;
	return parse_rest(p, e, out);
}

/*
 * The first CPU column candidate, at br0 within a comm's length of the
 * line's start, made a line of an unrelated event. It may lie inside a
 * comm that looks like a header ("a [1] 2: b: c"): a later candidate
 * whose comm (at most TASK_COMM_LEN - 1 bytes, as the kernel keeps it)
 * covers br0 and that makes one of our events is the real column.
 */
static enum az_line prefer_later(const char *b, const char *br0, const char *e,
				 const char *lim, struct az_parsed *out)
{
	const char *br, *cb, *ce;
	struct az_parsed alt;

	for (br = br0 + 1; (br = memchr(br, '[', lim - br)) != NULL; br++) {
		enum az_line r;

		clear_parsed(&alt);
		r = parse_at_cpu(b, br, e, &alt, &cb, &ce);
		if (r == AZ_LINE_BAD || r == AZ_LINE_OTHER)
			continue;
		if (cb <= br0 && br0 < ce && ce - cb < IOMC_COMM_LEN) {
			*out = alt;
			return r;
		}
	}
	return AZ_LINE_OTHER;
}

/*
 * A line of no shape above that names an event the rules read
 * ("io_mapping_map:", "sched_process_exit:", "irq_handler_exit:"... followed
 * by a blank): one such line with its timestamp, CPU column, flags or task
 * damaged. A lost exit or irq exit would leave state the rules then misjudge,
 * as a lost map would. Its event is lost: AZ_LINE_MALFORMED, on the CPU
 * of a "[N]" column that only the flags and timestamp (and trace-cmd's
 * "(+diff)") separate from the name, else on IOMC_CPU_ALL.
 */
static enum az_line damaged_ours(const char *b, const char *e, struct az_parsed *out)
{
	const char *c, *n, *name = NULL, *t, *te;
	int k;

	/* each "word:" followed by a blank; perf's "system:event:" by its event */
	for (c = b; c < e && (c = memchr(c, ':', e - c)) != NULL; c++) {
		if (c + 1 < e && !is_blank(c[1]))
			continue;
		for (n = c; n > b && !is_blank(n[-1]) && n[-1] != ':'; n--)
			;
		if (n < c && lookup_event(n, c - n)) {
			name = n;
			break;
		}
	}
	if (!name)
		return AZ_LINE_BAD;
	clear_parsed(out);
	out->ev.cpu = IOMC_CPU_ALL;
	/* perf's "io_mapping:io_mapping_map:": back to the token's start */
	for (t = name; t > b && !is_blank(t[-1]); t--)
		;
	for (k = 0; k < 4 && t > b; k++) {
		const char *p;
		__u64 cpu;

		te = t;
		while (te > b && is_blank(te[-1]))
			te--;
		for (t = te; t > b && !is_blank(t[-1]); t--)
			;
		p = t + 1;
		if (te - t >= 3 && *t == '[' && te[-1] == ']' && !parse_dec(&p, te - 1, &cpu) &&
		    p == te - 1 && cpu < AZ_MAX_CPUS) {
			out->ev.cpu = (__u32)cpu;
			break;
		}
	}
	return AZ_LINE_MALFORMED;
}

/*
 * The fast path (issue 21): nearly every line of a large trace is ftrace's
 * own layout, "<comm>-<pid> [<cpu>] <5 flags> <ts>: <event>: <fields>",
 * and most of those are io_mapping_map/unmap. fast_header() reads that
 * header with the layout's fixed shape and stores exactly what
 * parse_at_cpu() stores for it; on anything else (a tgid column, no flags,
 * perf's "pid/tid", a long comm, a damaged column) it returns NULL and
 * stores nothing, and the line takes the general path from its start.
 * tests/host/analyze_test.c and the fuzz targets compare both paths
 * (az_parse_line_general()) line by line.
 */
static const char *fast_header(const char *b, const char *br, const char *e,
			       struct az_parsed *out)
{
	const char *p = br + 1, *t = br, *d, *c;
	unsigned int cpu = 0, i;
	__u64 pid = 0;

	/* "[" 1-4 digits "] " */
	for (i = 0; i < 4 && p < e && is_digit(*p); i++, p++)
		cpu = cpu * 10 + (unsigned int)(*p - '0');
	if (!i || cpu >= AZ_MAX_CPUS || e - p < 9 || p[0] != ']' || p[1] != ' ')
		return NULL;
	/* five flag columns, the first not a digit, then a blank */
	p += 2;
	if (is_digit(p[0]) || !is_flag_char(p[0]) || !is_flag_char(p[1]) ||
	    !is_flag_char(p[2]) || !is_flag_char(p[3]) || !is_flag_char(p[4]) || p[5] != ' ')
		return NULL;
	p = skip_blank(p + 5, e);
	if (p == e || !is_digit(*p))
		return NULL;
	/* the task: "comm-pid" then blanks, right before the CPU column */
	while (t > b && is_blank(t[-1]))
		t--;
	for (d = t; d > b && is_digit(d[-1]); d--)
		;
	if (d == t || d == b || t - d > 10 || d[-1] != '-')
		return NULL;
	for (c = d; c < t; c++)
		pid = pid * 10 + (unsigned int)(*c - '0');
	c = d - 1;
	while (c > b && is_blank(c[-1]))
		c--;
	if (c - b > IOMC_COMM_LEN)	/* the buffer-name case of parse_task */
		return NULL;
	out->ev.cpu = cpu;
	out->ev.tid = out->ev.pid = (__u32)pid;
	set_comm(&out->ev, b, (size_t)(c - b));
	out->fmt = AZ_FMT_FTRACE;
	return p;
}

/*
 * From the timestamp on, for a line fast_header() read: io_mapping_map and
 * io_mapping_unmap right after "<ts>: " go straight to their fields; any
 * other event takes parse_rest(), which reads the same way from there.
 */
static enum az_line fast_rest(const char *ts, const char *e, struct az_parsed *out)
{
	const char *p = ts;
	int r;

	if (parse_ts(&p, e, &out->ev.ts_ns) || e - p < 20 || p[0] != ':' || p[1] != ' ' ||
	    !STARTS(p + 2, e, "io_mapping_"))
		return parse_rest(ts, e, out);
	p += 2 + 11;
	if (STARTS(p, e, "map: "))
		r = fields_map(skip_blank(p + 5, e), e, &out->ev);
	else if (STARTS(p, e, "unmap: "))
		r = fields_unmap(skip_blank(p + 7, e), e, &out->ev);
	else
		return parse_rest(ts, e, out);
	return r ? AZ_LINE_MALFORMED : AZ_LINE_EVENT;
}

static enum az_line parse_line(const char *s, size_t n, struct az_parsed *out, int fast)
{
	const char *e = s + n, *p, *b, *lim, *br;
	enum az_line r;
	int indented;

	clear_parsed(out);
	while (e > s && (e[-1] == '\r' || e[-1] == '\n'))
		e--;
	b = skip_lead(s, e);
	indented = b > s;
	if (b == e)
		return AZ_LINE_META;
	if (*b == '#') {
		r = parse_comment(b, e, out);
		out->block_start &= b == s;	/* at the line's start only */
		return r;
	}
	if (!indented && STARTS(b, e, "cpus=")) {
		__u64 c;

		p = b + 5;
		out->fmt = AZ_FMT_TCREPORT;
		if (!parse_dec(&p, e, &c) && c > 0 && c < 65536)
			out->nr_cpus = (__u32)c;
		return AZ_LINE_META;
	}
	if (STARTS(b, e, "CPU:") && e - b > 4 && is_digit(b[4]))
		return parse_cpu_marker(b, e, out);
	if (*b == '=')
		return parse_frame(b, e, indented, out);

	/*
	 * The CPU column: the first "[digits]" that a whole header follows
	 * (flags, timestamp, event name). A comm is free text ("x [1] y"): a
	 * bracket in it is passed over because what follows it is not a
	 * header, and the task part left of the real column is read from
	 * its right end (parse_task).
	 */
	lim = e - b > AZ_TASK_SCAN ? b + AZ_TASK_SCAN : e;
	if (fast && (br = memchr(b, '[', lim - b)) != NULL &&
	    (p = fast_header(b, br, e, out)) != NULL) {
		/* the general loop's first round, for the column at br */
		r = fast_rest(p, e, out);
		if (r == AZ_LINE_OTHER && br - b < IOMC_COMM_LEN - 1)
			r = prefer_later(b, br, e, lim, out);
		if (r != AZ_LINE_BAD)
			return r;
		clear_parsed(out);
	}
	for (br = b; (br = memchr(br, '[', lim - br)) != NULL; br++) {
		r = parse_at_cpu(b, br, e, out, NULL, NULL);
		if (r == AZ_LINE_BAD) {
			clear_parsed(out);
			continue;
		}
		if (r == AZ_LINE_OTHER && br - b < IOMC_COMM_LEN - 1)
			r = prefer_later(b, br, e, lim, out);
		return r;
	}
	if (indented) {
		r = parse_frame(b, e, indented, out);
		if (r == AZ_LINE_FRAME)
			return r;
		clear_parsed(out);
	}
	r = parse_headerless(b, e, out);
	if (r != AZ_LINE_BAD)
		return r;
	return damaged_ours(b, e, out);
}

enum az_line az_parse_line(const char *s, size_t n, struct az_parsed *out)
{
	return parse_line(s, n, out, 1);
}

enum az_line az_parse_line_general(const char *s, size_t n, struct az_parsed *out)
{
	return parse_line(s, n, out, 0);
}
