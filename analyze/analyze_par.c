// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Parallel parsing of one text input (see analyze_par.h).
 *
 * Blocks are numbered in file order. Slot i % nslots holds block i from
 * the time a worker claims it until the consumer has handed out all its
 * lines; a worker claims the next block only when its slot is free, so
 * at most nslots blocks exist at once. The file is read under the lock
 * (reading is a copy from the page cache, ten times faster than parsing);
 * parsing happens outside it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze_input.h"
#include "analyze_par.h"

#define BLOCK (1024 * 1024)		/* bytes of whole lines per block */
#define CAP (BLOCK + AZ_MAX_LINE + 4096)	/* + a partial line + slack */
#define MAXW 8
#define NSLOTS (2 * MAXW)	/* the most nslots can be */
#define PAR_STACK (256 * 1024)	/* per worker thread */

enum { FREE, FILLING, READY };

struct slot {
	int state;
	__u64 seq;
	char *buf;
	size_t len;		/* bytes of whole lines (the last may be unterminated) */
	unsigned int toolong;	/* enormous lines that ended at this block's start */
	int last_unterminated;	/* the file ends without a newline in this block */
	int eof, error;		/* nothing more after this block */
	struct az_par_rec *rec;
	size_t nrec, caprec;
};

struct az_par {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	const char *name;
	/* reader state, under mu */
	char *carry;		/* the partial line after the last block */
	size_t ncarry;
	int skipping;		/* inside an enormous line */
	int eof, error, stop;
	__u64 next_read;	/* number of the next block to fill */
	/* consumer state */
	__u64 next_take;
	size_t pos;		/* next record of the current slot */
	int have;		/* the current slot is READY (seen under mu) */
	struct slot slots[NSLOTS];
	int nslots;		/* two per worker: one parsed, one being parsed */
	pthread_t th[MAXW];
	int nw;
};

int az_par_workers(void)
{
	const char *e = getenv("IOMC_ANALYZE_THREADS");
	long n = e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAXW ? MAXW : (int)n;
}

/*
 * Fill s with the next block of whole lines (under mu). The block ends at
 * the last newline once at least BLOCK bytes were read, or at the end of
 * the file.
 */
static void fill(struct az_par *p, struct slot *s)
{
	s->len = 0;
	s->toolong = 0;
	s->last_unterminated = 0;
	s->eof = 0;
	s->error = 0;
	memcpy(s->buf, p->carry, p->ncarry);
	s->len = p->ncarry;
	p->ncarry = 0;
	for (;;) {
		char *nl;
		ssize_t r;

		if (p->skipping) {
			nl = memchr(s->buf, '\n', s->len);
			if (nl) {
				/* the enormous line ends here: it counts as one line */
				s->toolong++;
				p->skipping = 0;
				s->len -= nl + 1 - s->buf;
				memmove(s->buf, nl + 1, s->len);
			} else {
				s->len = 0;
			}
		}
		if (!p->skipping && s->len >= BLOCK) {
			nl = memrchr(s->buf, '\n', s->len);
			if (nl) {
				p->ncarry = s->len - (nl + 1 - s->buf);
				if (p->ncarry > AZ_MAX_LINE) {
					p->ncarry = 0;	/* already enormous */
					p->skipping = 1;
				}
				memcpy(p->carry, nl + 1, p->ncarry);
				s->len = nl + 1 - s->buf;
				return;
			}
			/* a whole block without a newline: an enormous line */
			p->skipping = 1;
			s->len = 0;
		}
		if (p->eof) {
			s->eof = 1;
			if (p->skipping) {
				s->toolong++;
				p->skipping = 0;
			} else if (s->len && s->buf[s->len - 1] != '\n') {
				s->last_unterminated = 1;
			}
			return;
		}
		r = read(p->fd, s->buf + s->len, CAP - s->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "iomap-check: %s: read: %s\n", p->name, strerror(errno));
			s->error = 1;
			s->eof = 1;
			p->eof = 1;
			return;
		}
		if (r == 0)
			p->eof = 1;
		s->len += r;
	}
}

static int add_rec(struct slot *s, int verdict)
{
	if (s->nrec == s->caprec) {
		size_t n = s->caprec ? s->caprec * 2 : 8192;
		struct az_par_rec *r = realloc(s->rec, n * sizeof(*r));

		if (!r)
			return -1;
		s->rec = r;
		s->caprec = n;
	}
	s->rec[s->nrec].verdict = verdict;
	s->rec[s->nrec].unterminated = 0;
	s->nrec++;
	return 0;
}

/* Parse a filled block (no lock held: the slot is ours). */
static void parse_block(struct slot *s, const char *name)
{
	const char *q = s->buf, *e = s->buf + s->len;
	unsigned int i;

	s->nrec = 0;
	for (i = 0; i < s->toolong; i++)
		if (add_rec(s, AZ_PAR_TOOLONG))
			goto oom;
	while (q < e) {
		const char *nl = memchr(q, '\n', e - q);
		const char *end = nl ? nl : e;
		struct az_par_rec *r;

		if (add_rec(s, 0))
			goto oom;
		r = &s->rec[s->nrec - 1];
		if ((size_t)(end - q) > AZ_MAX_LINE)
			r->verdict = AZ_PAR_TOOLONG;
		else
			r->verdict = az_parse_line(q, end - q, &r->p);
		r->unterminated = !nl;
		q = nl ? nl + 1 : e;
	}
	return;
oom:
	fprintf(stderr, "iomap-check: %s: out of memory (parsing a block)\n", name);
	s->error = 1;
	s->eof = 1;
}

static void *worker(void *arg)
{
	struct az_par *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s = &p->slots[p->next_read % p->nslots];

		while (!p->stop && !p->eof && s->state != FREE) {
			pthread_cond_wait(&p->cv, &p->mu);
			s = &p->slots[p->next_read % p->nslots];
		}
		if (p->stop || p->eof)
			break;
		s->state = FILLING;
		s->seq = p->next_read++;
		fill(p, s);
		pthread_mutex_unlock(&p->mu);
		if (!s->error)
			parse_block(s, p->name);
		pthread_mutex_lock(&p->mu);
		s->state = READY;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int az_par_next(struct az_par *p, const struct az_par_rec **rec)
{
	for (;;) {
		struct slot *s = &p->slots[p->next_take % p->nslots];

		/*
		 * The lock only to wait for a block: once the current one is
		 * READY it stays so until we free it (a lock per line was a
		 * twentieth of the rule thread's time, issue 21).
		 */
		if (!p->have) {
			pthread_mutex_lock(&p->mu);
			while (!(s->state == READY && s->seq == p->next_take))
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
			p->have = 1;
		}
		if (p->pos < s->nrec) {
			*rec = &s->rec[p->pos++];
			return 1;
		}
		if (s->error)
			return -1;
		if (s->eof)
			return 0;
		/* done with this block: give the slot back */
		pthread_mutex_lock(&p->mu);
		s->state = FREE;
		p->next_take++;
		p->pos = 0;
		p->have = 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

void az_par_stop(struct az_par *p)
{
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++)
		pthread_join(p->th[i], NULL);
	for (i = 0; i < NSLOTS; i++) {
		free(p->slots[i].buf);
		free(p->slots[i].rec);
	}
	free(p->carry);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

struct az_par *az_par_start(int fd, const char *name, int nworkers)
{
	struct az_par *p = calloc(1, sizeof(*p));
	pthread_attr_t attr;
	int i;

	if (!p)
		return NULL;
	if (nworkers > MAXW)
		nworkers = MAXW;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->fd = fd;
	p->name = name;
	p->carry = malloc(AZ_MAX_LINE + 1);
	/* two blocks per worker: one being parsed, one waiting for the consumer */
	p->nslots = 2 * nworkers;
	for (i = 0; i < p->nslots; i++)
		if (!(p->slots[i].buf = malloc(CAP)))
			goto fail;
	if (!p->carry)
		goto fail;
	/* az_parse_line needs little stack: not the default 8 MiB each */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PAR_STACK);
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&p->th[i], &attr, worker, p))
			break;
		p->nw++;
	}
	pthread_attr_destroy(&attr);
	if (!p->nw)
		goto fail;
	return p;
fail:
	az_par_stop(p);
	return NULL;
}
