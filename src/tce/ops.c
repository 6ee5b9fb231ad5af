/* SPDX-License-Identifier: MIT */
/*
 * Entry operations. Reads go through the public inline walk; single-entry writes are one atomic
 * exchange; bulk writes allocate the levels they need first, then store leaf run by leaf run
 * (bulk.c).
 */
#include <errno.h>

#include "tce/tce_int.h"

DMAWIN_API int dmawin_tce_get(const struct dmawin_tce_table *table, uint64_t index, uint64_t *tce)
{
	if (!table || !tce)
		return -EINVAL;
	if (index >= table->view.entries)
		return -ERANGE;
	*tce = dmawin_tce_view_get(&table->view, index);
	return 0;
}

DMAWIN_API int dmawin_tce_lookup(const struct dmawin_tce_table *table, uint64_t offset,
				 uint64_t *tce, uint64_t *page_size)
{
	if (!table || !tce)
		return -EINVAL;
	if (!dmawin_tce_view_lookup(&table->view, offset, tce))
		return -ERANGE;
	if (page_size)
		*page_size = 1ull << table->view.page_shift;
	return 0;
}

DMAWIN_API int dmawin_tce_xchg(struct dmawin_tce_table *table, uint64_t index, uint64_t tce,
			       uint64_t *old)
{
	uint64_t *leaf, prev;

	if (!table)
		return -EINVAL;
	if (index >= table->view.entries)
		return -ERANGE;
	/* Clearing below a missing level: nothing was there, allocate nothing. */
	leaf = tce_leaf(table, index, tce != 0);
	if (!leaf) {
		if (tce)
			return -ENOMEM;
		prev = 0;
	} else {
		prev = __atomic_exchange_n(&leaf[index & table->view.level_mask], tce,
					   __ATOMIC_ACQ_REL);
		if (tce_needs_bump(prev, tce))
			tce_bump(table);
	}
	if (old)
		*old = prev;
	return 0;
}

DMAWIN_API int dmawin_tce_put(struct dmawin_tce_table *table, uint64_t index, uint64_t tce)
{
	return dmawin_tce_xchg(table, index, tce, NULL);
}

/* Entries from @index to the end of its leaf level, at most @left. */
static uint64_t leaf_chunk(const struct dmawin_tce_view *v, uint64_t index, uint64_t left)
{
	if (v->levels == 1)
		return left;
	return DW_MIN(left, (v->level_mask + 1) - (index & v->level_mask));
}

/*
 * Clear [first, last] below @level (@depth levels above the leaves; slot 0 covers @base).
 * With @free_levels, lower levels whose whole span is inside the range are detached and freed.
 */
static bool clear_level(struct dmawin_tce_table *t, uint64_t *level, unsigned int depth,
			uint64_t base, uint64_t first, uint64_t last, bool free_levels)
{
	const struct dmawin_tce_view *v = &t->view;
	unsigned int cshift = depth * v->level_bits;
	uint64_t s = (first - base) >> cshift, e = (last - base) >> cshift;
	bool bump = false;

	if (depth == 0)
		return tce_bulk_fill(level + s, e - s + 1, 0);
	for (uint64_t i = s; i <= e; i++) {
		uint64_t child = tce_load(&level[i]);
		uint64_t cbase = base + (i << cshift);
		uint64_t clast = cbase + ((1ull << cshift) - 1);

		if (!child)
			continue;
		if (free_levels && first <= cbase && clast <= last) {
			__atomic_store_n(&level[i], 0, __ATOMIC_RELEASE);
			bump |= tce_subtree_free(t, tce_level_ptr(child), depth - 1);
			continue;
		}
		bump |= clear_level(t, tce_level_ptr(child), depth - 1, cbase, DW_MAX(first, cbase),
				    DW_MIN(last, clast), free_levels);
	}
	return bump;
}

DMAWIN_API int dmawin_tce_clear(struct dmawin_tce_table *table, uint64_t index, uint64_t npages,
				unsigned int flags)
{
	const struct dmawin_tce_view *v;
	int rc = tce_range_args(table, flags, DMAWIN_TCE_CLEAR_FREE_LEVELS, index, npages);

	if (rc || npages == 0)
		return rc;
	v = &table->view;
	if (clear_level(table, tce_level_ptr(v->top), v->levels - 1u, 0, index, index + npages - 1,
			flags & DMAWIN_TCE_CLEAR_FREE_LEVELS))
		tce_bump(table);
	return 0;
}

DMAWIN_API int dmawin_tce_stuff(struct dmawin_tce_table *table, uint64_t index, uint64_t npages,
				uint64_t tce)
{
	const struct dmawin_tce_view *v;
	bool bump = false;
	int rc = tce_range_args(table, 0, 0, index, npages);

	if (rc)
		return rc;
	v = &table->view;
	if (tce == 0)
		return dmawin_tce_clear(table, index, npages, 0);
	rc = tce_ensure_leaves(table, index, npages, NULL);
	if (rc)
		return rc;
	for (uint64_t done = 0; done < npages;) {
		uint64_t i = index + done, n = leaf_chunk(v, i, npages - done);
		uint64_t *leaf = tce_leaf(table, i, true);

		if (!leaf)
			return -ENOMEM; /* only if a level was freed under us: a caller bug */
		bump |= tce_bulk_fill(leaf + (i & v->level_mask), n, tce);
		done += n;
	}
	if (bump)
		tce_bump(table);
	return 0;
}

DMAWIN_API int dmawin_tce_put_array(struct dmawin_tce_table *table, uint64_t index,
				    const uint64_t *tces, uint64_t npages)
{
	const struct dmawin_tce_view *v;
	bool bump = false;
	int rc;

	if (!tces && npages)
		return -EINVAL;
	rc = tce_range_args(table, 0, 0, index, npages);
	if (rc)
		return rc;
	v = &table->view;
	rc = tce_ensure_leaves(table, index, npages, tces);
	if (rc)
		return rc;
	for (uint64_t done = 0; done < npages;) {
		uint64_t i = index + done, n = leaf_chunk(v, i, npages - done);
		/* Missing only when every value of the chunk is 0: nothing to write there. */
		uint64_t *leaf = tce_leaf(table, i, false);

		if (leaf)
			bump |= tce_bulk_copy(leaf + (i & v->level_mask), tces + done, n);
		done += n;
	}
	if (bump)
		tce_bump(table);
	return 0;
}
