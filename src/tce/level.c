/* SPDX-License-Identifier: MIT */
/*
 * Levels: allocation on first write (race-free install by compare-and-swap), the writers' walk
 * down to a leaf level, and freeing.
 */
#include <errno.h>
#include <stdlib.h>

#include "tce/tce_int.h"

void *(*tce_calloc)(size_t nmemb, size_t size) = calloc;

uint64_t *tce_level_alloc(struct dmawin_tce_table *t, uint64_t entries)
{
	uint64_t *level;

	if (entries > SIZE_MAX / sizeof(uint64_t))
		return NULL;
	level = tce_calloc((size_t)entries, sizeof(uint64_t));
	if (!level)
		return NULL;
	__atomic_fetch_add(&t->allocated, entries * sizeof(uint64_t), __ATOMIC_RELAXED);
	__atomic_fetch_add(&t->levels_allocated, 1, __ATOMIC_RELAXED);
	return level;
}

void tce_level_free(struct dmawin_tce_table *t, uint64_t *level, uint64_t entries)
{
	__atomic_fetch_sub(&t->allocated, entries * sizeof(uint64_t), __ATOMIC_RELAXED);
	__atomic_fetch_sub(&t->levels_allocated, 1, __ATOMIC_RELAXED);
	free(level);
}

/* Free @level (depth levels above the leaves) and everything below it; was any entry mapped? */
bool tce_subtree_free(struct dmawin_tce_table *t, uint64_t *level, unsigned int depth)
{
	uint64_t n = tce_level_entries(&t->view, depth);
	bool mapped = false;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t w = tce_load_relaxed(&level[i]);

		if (depth == 0)
			mapped |= dmawin_tce_mapped(w);
		else if (w)
			mapped |= tce_subtree_free(t, tce_level_ptr(w), depth - 1);
	}
	tce_level_free(t, level, n);
	return mapped;
}

/*
 * Install a fresh lower level in the empty indirect word @slot. Two writers may race: the CAS
 * winner's level is published (release: its zeroes are visible before its address), the loser
 * frees its copy and uses the winner's. Returns the installed word, 0 on allocation failure.
 */
static noinline uint64_t level_install(struct dmawin_tce_table *t, uint64_t *slot)
{
	uint64_t entries = 1ull << t->view.level_bits;
	uint64_t *fresh = tce_level_alloc(t, entries);
	uint64_t expected = 0;

	if (!fresh)
		return 0;
	if (__atomic_compare_exchange_n(slot, &expected, (uint64_t)(uintptr_t)fresh, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return (uint64_t)(uintptr_t)fresh;
	tce_level_free(t, fresh, entries);
	return expected;
}

/*
 * The leaf level holding entry @index (the caller indexes it with index & level_mask). Missing
 * levels are allocated when @alloc; returns NULL when one is missing and !@alloc, or when the
 * allocation failed.
 */
uint64_t *tce_leaf(struct dmawin_tce_table *t, uint64_t index, bool alloc)
{
	const struct dmawin_tce_view *v = &t->view;
	uint64_t *level = tce_level_ptr(v->top);
	unsigned int shift = v->top_shift;

	for (unsigned int l = v->levels; l > 1; l--) {
		uint64_t *slot = &level[(index >> shift) & v->level_mask];
		uint64_t next = tce_load(slot);

		if (unlikely(next == 0)) {
			if (!alloc)
				return NULL;
			next = level_install(t, slot);
			if (!next)
				return NULL;
		}
		level = tce_level_ptr(next);
		shift -= v->level_bits;
	}
	return level;
}

static bool any_nonzero(const uint64_t *tces, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (tces[i])
			return true;
	return false;
}

/*
 * Allocate every leaf level of [index, index + npages) that a write will need: all of them when
 * @tces is NULL (one non-zero value for the whole range), otherwise those receiving a non-zero
 * value. Run before any entry is written so that -ENOMEM changes no entry.
 */
int tce_ensure_leaves(struct dmawin_tce_table *t, uint64_t index, uint64_t npages,
		      const uint64_t *tces)
{
	const struct dmawin_tce_view *v = &t->view;
	uint64_t done = 0;

	if (v->levels == 1)
		return 0;
	while (done < npages) {
		uint64_t i = index + done;
		uint64_t chunk = DW_MIN(npages - done, (v->level_mask + 1) - (i & v->level_mask));

		/* the common case, the leaf exists: no scan of the values */
		if (!tce_leaf(t, i, false) && (!tces || any_nonzero(tces + done, chunk)) &&
		    !tce_leaf(t, i, true))
			return -ENOMEM;
		done += chunk;
	}
	return 0;
}
