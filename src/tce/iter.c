/* SPDX-License-Identifier: MIT */
/* In-order iteration over mapped entries, skipping missing levels. */
#include <errno.h>

#include "tce/tce_int.h"

struct walk {
	const struct dmawin_tce_view *v;
	uint64_t want; /* entry matches when (tce & want) != 0 */
	tce_visit_fn fn;
	void *arg;
};

static int walk_level(const struct walk *w, const uint64_t *level, unsigned int depth,
		      uint64_t base, uint64_t first, uint64_t last)
{
	unsigned int cshift = depth * w->v->level_bits;
	uint64_t s = (first - base) >> cshift, e = (last - base) >> cshift;
	int rc;

	for (uint64_t i = s; i <= e; i++) {
		uint64_t word = tce_load(&level[i]);
		uint64_t cbase = base + (i << cshift);

		if (depth == 0) {
			if ((word & w->want) && (rc = w->fn(cbase, word, w->arg)) != 0)
				return rc;
			continue;
		}
		if (!word)
			continue;
		rc = walk_level(w, tce_level_ptr(word), depth - 1, cbase, DW_MAX(first, cbase),
				DW_MIN(last, cbase + ((1ull << cshift) - 1)));
		if (rc)
			return rc;
	}
	return 0;
}

/* Visit the matching entries of [first, last] (last < entries) in order; stops on non-zero. */
int tce_walk(const struct dmawin_tce_view *v, uint64_t first, uint64_t last, unsigned int flags,
	     tce_visit_fn fn, void *arg)
{
	struct walk w = {
		.v = v,
		.want = (flags & DMAWIN_TCE_ITER_NONZERO) ? ~0ull : DMAWIN_TCE_PERM_MASK,
		.fn = fn,
		.arg = arg,
	};

	return walk_level(&w, tce_level_ptr(v->top), v->levels - 1u, 0, first, last);
}

struct found {
	uint64_t index;
	uint64_t tce;
};

static int stop_at_first(uint64_t index, uint64_t tce, void *arg)
{
	struct found *f = arg;

	f->index = index;
	f->tce = tce;
	return 1;
}

DMAWIN_API int dmawin_tce_next(const struct dmawin_tce_table *table, uint64_t index,
			       unsigned int flags, uint64_t *found, uint64_t *tce)
{
	const struct dmawin_tce_view *v;
	struct found f;

	if (!table || (flags & ~DMAWIN_TCE_ITER_NONZERO))
		return -EINVAL;
	v = &table->view;
	if (index >= v->entries ||
	    tce_walk(v, index, v->entries - 1, flags, stop_at_first, &f) == 0)
		return -ENOENT;
	if (found)
		*found = f.index;
	if (tce)
		*tce = f.tce;
	return 0;
}

DMAWIN_API int dmawin_tce_for_each(const struct dmawin_tce_table *table, uint64_t index,
				   uint64_t npages, unsigned int flags,
				   int (*fn)(uint64_t index, uint64_t tce, void *arg), void *arg)
{
	int rc;

	if (!fn)
		return -EINVAL;
	rc = tce_range_args(table, flags, DMAWIN_TCE_ITER_NONZERO, index, npages);
	if (rc || npages == 0)
		return rc;
	return tce_walk(&table->view, index, index + npages - 1, flags, fn, arg);
}
