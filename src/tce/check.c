/* SPDX-License-Identifier: MIT */
/*
 * Whole-table invariant checker for tests (not thread-safe against writers): the geometry is
 * self-consistent, the allocation counters match the levels reachable from the top, and no entry
 * outside the window (the unused top of an over-spanning tree) is ever non-zero.
 */
#include <errno.h>

#include "tce/tce_int.h"

struct tally {
	uint64_t bytes;
	uint64_t levels;
};

static int check_level(const struct dmawin_tce_view *v, const uint64_t *level, unsigned int depth,
		       uint64_t base, struct tally *tally)
{
	uint64_t n = tce_level_entries(v, depth);
	unsigned int cshift = depth * v->level_bits;

	tally->bytes += n * sizeof(uint64_t);
	tally->levels++;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t word = tce_load(&level[i]);
		uint64_t cbase = base + (i << cshift);

		if (!word)
			continue;
		if (cbase >= v->entries)
			return -EUCLEAN;
		if (depth > 0 && check_level(v, tce_level_ptr(word), depth - 1, cbase, tally))
			return -EUCLEAN;
	}
	return 0;
}

int tce_table_check(const struct dmawin_tce_table *t)
{
	const struct dmawin_tce_view *v = &t->view;
	struct tally tally = {0, 0};
	unsigned int es;

	if (v->size != sizeof(*v) || v->levels < 1 || v->levels > DMAWIN_TCE_MAX_LEVELS ||
	    !dmawin_tce_page_shift_valid(v->page_shift) || v->top == 0)
		return -EUCLEAN;
	if (v->entries == 0 || (v->entries & (v->entries - 1)))
		return -EUCLEAN;
	es = 63u - (unsigned int)__builtin_clzll(v->entries);
	if (v->window_size != v->entries << v->page_shift ||
	    es + v->page_shift > DMAWIN_TCE_MAX_WINDOW_SHIFT ||
	    v->level_mask != (1ull << v->level_bits) - 1 ||
	    v->top_shift != (v->levels - 1u) * v->level_bits || v->top_bits > v->level_bits ||
	    v->top_bits + v->top_shift < es ||
	    (v->levels > 1 && v->top_shift >= es + v->level_bits))
		return -EUCLEAN;
	if (__atomic_load_n(&t->refcount, __ATOMIC_RELAXED) == 0)
		return -EUCLEAN;
	if (check_level(v, tce_level_ptr(v->top), v->levels - 1u, 0, &tally))
		return -EUCLEAN;
	if (tally.bytes != __atomic_load_n(&t->allocated, __ATOMIC_RELAXED) ||
	    tally.levels != __atomic_load_n(&t->levels_allocated, __ATOMIC_RELAXED))
		return -EUCLEAN;
	return 0;
}
