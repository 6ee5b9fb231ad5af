/* SPDX-License-Identifier: MIT */
/*
 * The fast path: per-thread magazines of small power-of-two ranges in front of the tree.
 *
 * Each thread that uses a space gets a `dw_tcache` (claimed once, under the lock, then found
 * through a thread-local hint): per size order a loaded and a previous magazine, touched by that
 * thread only, so a hit costs no lock and no atomic read-modify-write. When both are empty
 * (allocation) or full (free), the thread exchanges a whole magazine with the space's depot under
 * the lock; only when the depot has nothing does an allocation go to the tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iova/iova_int.h"

static _Atomic uint64_t dw_thread_tokens = 1;
/* initial-exec: the fast path must not call __tls_get_addr (the library is built PIC). */
#define DW_TLS _Thread_local __attribute__((tls_model("initial-exec")))

static DW_TLS uint64_t dw_thread_token;

/* The calling thread's cache for the last space it used (spaces have process-unique ids). */
static DW_TLS struct {
	uint64_t space_id;
	struct dw_tcache *tc;
} dw_hint;

static uint64_t dw_token(void)
{
	if (unlikely(!dw_thread_token))
		dw_thread_token = atomic_fetch_add(&dw_thread_tokens, 1);
	return dw_thread_token;
}

/* Find the calling thread's cache without claiming one. */
static struct dw_tcache *dw_tcache_find(struct dmawin_iova_space *s)
{
	uint64_t me = dw_token();

	for (unsigned i = 0; i < DW_MAX_THREADS; i++) {
		struct dw_tcache *tc = atomic_load_explicit(&s->tcache[i], memory_order_acquire);
		if (!tc)
			break;
		if (tc->owner == me)
			return tc;
	}
	return NULL;
}

/* Cache-line aligned and padded, so two threads' magazines never share a line. */
static void *dw_zalloc_line(size_t size)
{
	size = DW_ALIGN_UP(size, 64);
	void *p = aligned_alloc(64, size);
	if (p)
		memset(p, 0, size);
	return p;
}

static struct dw_tcache *dw_tcache_new(uint64_t owner)
{
	struct dw_tcache *tc = dw_zalloc_line(sizeof(*tc));

	if (!tc)
		return NULL;
	tc->owner = owner;
	for (unsigned o = 0; o < DW_CACHE_ORDERS; o++) {
		tc->loaded[o] = dw_zalloc_line(sizeof(struct dw_mag));
		tc->prev[o] = dw_zalloc_line(sizeof(struct dw_mag));
		if (!tc->loaded[o] || !tc->prev[o]) {
			for (unsigned j = 0; j <= o; j++) {
				free(tc->loaded[j]);
				free(tc->prev[j]);
			}
			free(tc);
			return NULL;
		}
	}
	return tc;
}

/* Slot claim: slots fill in order and are kept for the space's lifetime; past DW_MAX_THREADS
 * threads (or without memory) the thread uses the locked tree only. */
static noinline struct dw_tcache *dw_tcache_slow(struct dmawin_iova_space *s)
{
	struct dw_tcache *tc = dw_tcache_find(s);

	if (!tc) {
		pthread_mutex_lock(&s->lock);
		for (unsigned i = 0; i < DW_MAX_THREADS; i++) {
			if (atomic_load_explicit(&s->tcache[i], memory_order_relaxed))
				continue;
			tc = dw_tcache_new(dw_token());
			if (tc)
				atomic_store_explicit(&s->tcache[i], tc, memory_order_release);
			break;
		}
		pthread_mutex_unlock(&s->lock);
	}
	dw_hint.space_id = s->id;
	dw_hint.tc = tc;
	return tc;
}

static inline struct dw_tcache *dw_tcache_get(struct dmawin_iova_space *s)
{
	if (likely(dw_hint.space_id == s->id))
		return dw_hint.tc;
	return dw_tcache_slow(s);
}

/* Give every range of @m back to the tree. */
static void dw_mag_drain_locked(struct dmawin_iova_space *s, struct dw_mag *m, unsigned ord)
{
	for (unsigned i = 0; i < m->n; i++)
		(void)dw_free_locked(s, m->pfn[i], UINT64_C(1) << ord, 0);
	m->n = 0;
}

static inline bool dw_mag_top_ok(const struct dw_mag *m, unsigned ord, uint64_t lim)
{
	return m->n && m->pfn[m->n - 1] + (UINT64_C(1) << ord) - 1 <= lim;
}

/* Slow half of an allocation: swap in a full magazine from the depot, else use the tree. */
static noinline int dw_alloc_fast_slow(struct dmawin_iova_space *s, struct dw_tcache *tc,
				       unsigned ord, uint64_t lim, uint64_t *pfn)
{
	struct dw_depot *d = &s->depot[ord];
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (d->nfull && !tc->loaded[ord]->n && d->nempty < DW_DEPOT_MAX) {
		d->empty[d->nempty++] = tc->loaded[ord];
		tc->loaded[ord] = d->full[--d->nfull];
	}
	struct dw_mag *m = tc->loaded[ord];
	if (dw_mag_top_ok(m, ord, lim)) {
		*pfn = m->pfn[--m->n];
	} else {
		struct dw_fit_req req = {
			.size = UINT64_C(1) << ord, .align = UINT64_C(1) << ord, .lim = lim};
		dw_fit_req_prepare(&req);
		rc = dw_alloc_locked(s, &req, true, pfn);
		if (rc == -ENOSPC && dw_cache_count_locked(s)) {
			dw_cache_flush_locked(s);
			rc = dw_alloc_locked(s, &req, true, pfn);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Everything but a hit in the loaded magazine: validation, the previous magazine, the depot,
 * the tree. Kept out of line so the hit path saves no register. */
static noinline int dw_alloc_fast_miss(struct dmawin_iova_space *s, uint64_t size, uint64_t last,
				       uint64_t *iova)
{
	uint64_t npfns = size >> s->shift, pfn, lim;

	if (!size || (size & ((UINT64_C(1) << s->shift) - 1)))
		return -EINVAL;
	if (npfns > DMAWIN_IOVA_FAST_MAX_GRANULES)
		return dmawin_iova_alloc(s, size, 0, last, 0, iova);
	unsigned ord = dw_ceil_log2(npfns);
	struct dw_tcache *tc = dw_tcache_get(s);
	if (!tc)
		return dmawin_iova_alloc(s, (UINT64_C(1) << ord) << s->shift, 0, last, 0, iova);
	if (!dw_limit_pfn(s, last, &lim))
		return -ENOSPC;
	struct dw_mag *m = tc->loaded[ord];
	if (!dw_mag_top_ok(m, ord, lim) && dw_mag_top_ok(tc->prev[ord], ord, lim)) {
		tc->loaded[ord] = tc->prev[ord];
		tc->prev[ord] = m;
		m = tc->loaded[ord];
	}
	if (dw_mag_top_ok(m, ord, lim)) {
		*iova = m->pfn[--m->n] << s->shift;
		return 0;
	}
	int rc = dw_alloc_fast_slow(s, tc, ord, lim, &pfn);
	if (!rc)
		*iova = pfn << s->shift;
	return rc;
}

int dmawin_iova_alloc_fast(struct dmawin_iova_space *s, uint64_t size, uint64_t last,
			   uint64_t *iova)
{
	unsigned shift = s->shift;
	uint64_t npfns = size >> shift, lim;

	/* npfns - 1 wraps for 0, so one compare bounds both ends. */
	if (likely(npfns - 1 < DMAWIN_IOVA_FAST_MAX_GRANULES &&
		   !(size & ((UINT64_C(1) << shift) - 1)) && dw_hint.space_id == s->id &&
		   dw_hint.tc && dw_limit_pfn(s, last, &lim))) {
		unsigned ord = dw_ceil_log2(npfns);
		struct dw_mag *m = dw_hint.tc->loaded[ord];
		if (likely(dw_mag_top_ok(m, ord, lim))) {
			*iova = m->pfn[--m->n] << shift;
			return 0;
		}
	}
	return dw_alloc_fast_miss(s, size, last, iova);
}

/* Slow half of a free: park the full magazine in the depot, or drain it into the tree. */
static noinline void dw_free_fast_slow(struct dmawin_iova_space *s, struct dw_tcache *tc,
				       unsigned ord, uint64_t pfn)
{
	struct dw_depot *d = &s->depot[ord];

	pthread_mutex_lock(&s->lock);
	struct dw_mag *m = tc->loaded[ord];
	struct dw_mag *e = NULL;
	if (d->nfull < DW_DEPOT_MAX)
		e = d->nempty ? d->empty[--d->nempty] : dw_zalloc_line(sizeof(*e));
	if (e) {
		d->full[d->nfull++] = m;
		e->n = 0;
		tc->loaded[ord] = m = e;
	} else {
		dw_mag_drain_locked(s, m, ord);
	}
	m->pfn[m->n++] = pfn;
	pthread_mutex_unlock(&s->lock);
}

static noinline int dw_free_fast_miss(struct dmawin_iova_space *s, uint64_t iova, uint64_t size)
{
	uint64_t mask = (UINT64_C(1) << s->shift) - 1, npfns = size >> s->shift;

	if (!size || (size & mask) || (iova & mask))
		return -EINVAL;
	if (npfns <= DMAWIN_IOVA_FAST_MAX_GRANULES) {
		unsigned ord = dw_ceil_log2(npfns);
		uint64_t pfn = iova >> s->shift;
		struct dw_tcache *tc = dw_tcache_get(s);

		/* Without a cache, or for a start that cannot be ours: the tree checks it. */
		npfns = UINT64_C(1) << ord;
		if (tc && !(pfn & (npfns - 1))) {
			struct dw_mag *m = tc->loaded[ord];
			if (m->n == DW_MAG_SIZE && tc->prev[ord]->n < DW_MAG_SIZE) {
				tc->loaded[ord] = tc->prev[ord];
				tc->prev[ord] = m;
				m = tc->loaded[ord];
			}
			if (m->n < DW_MAG_SIZE)
				m->pfn[m->n++] = pfn;
			else
				dw_free_fast_slow(s, tc, ord, pfn);
			return 0;
		}
	}
	pthread_mutex_lock(&s->lock);
	int rc = dw_free_locked(s, iova >> s->shift, npfns, 0);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dmawin_iova_free_fast(struct dmawin_iova_space *s, uint64_t iova, uint64_t size)
{
	unsigned shift = s->shift;
	uint64_t npfns = size >> shift;

	if (likely(npfns - 1 < DMAWIN_IOVA_FAST_MAX_GRANULES &&
		   !((size | iova) & ((UINT64_C(1) << shift) - 1)) && dw_hint.space_id == s->id &&
		   dw_hint.tc)) {
		unsigned ord = dw_ceil_log2(npfns);
		uint64_t pfn = iova >> shift;
		struct dw_mag *m = dw_hint.tc->loaded[ord];
		if (likely(!(pfn & ((UINT64_C(1) << ord) - 1)) && m->n < DW_MAG_SIZE)) {
			m->pfn[m->n++] = pfn;
			return 0;
		}
	}
	return dw_free_fast_miss(s, iova, size);
}

void dw_cache_flush_locked(struct dmawin_iova_space *s)
{
	struct dw_tcache *tc = dw_tcache_find(s);

	for (unsigned o = 0; o < DW_CACHE_ORDERS; o++) {
		struct dw_depot *d = &s->depot[o];
		while (d->nfull) {
			struct dw_mag *m = d->full[--d->nfull];
			dw_mag_drain_locked(s, m, o);
			if (d->nempty < DW_DEPOT_MAX)
				d->empty[d->nempty++] = m;
			else
				free(m);
		}
		if (tc) {
			dw_mag_drain_locked(s, tc->loaded[o], o);
			dw_mag_drain_locked(s, tc->prev[o], o);
		}
	}
}

uint64_t dw_cache_count_locked(struct dmawin_iova_space *s)
{
	struct dw_tcache *tc = dw_tcache_find(s);
	uint64_t n = 0;

	for (unsigned o = 0; o < DW_CACHE_ORDERS; o++) {
		n += (uint64_t)s->depot[o].nfull * DW_MAG_SIZE;
		if (tc)
			n += tc->loaded[o]->n + tc->prev[o]->n;
	}
	return n;
}

void dmawin_iova_cache_flush(struct dmawin_iova_space *s)
{
	pthread_mutex_lock(&s->lock);
	dw_cache_flush_locked(s);
	pthread_mutex_unlock(&s->lock);
}

void dw_cache_destroy(struct dmawin_iova_space *s)
{
	for (unsigned i = 0; i < DW_MAX_THREADS; i++) {
		struct dw_tcache *tc = atomic_load_explicit(&s->tcache[i], memory_order_acquire);
		if (!tc)
			break;
		for (unsigned o = 0; o < DW_CACHE_ORDERS; o++) {
			free(tc->loaded[o]);
			free(tc->prev[o]);
		}
		free(tc);
	}
	for (unsigned o = 0; o < DW_CACHE_ORDERS; o++) {
		for (unsigned j = 0; j < s->depot[o].nfull; j++)
			free(s->depot[o].full[j]);
		for (unsigned j = 0; j < s->depot[o].nempty; j++)
			free(s->depot[o].empty[j]);
	}
}
