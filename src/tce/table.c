/* SPDX-License-Identifier: MIT */
/* Table geometry, creation, lifetime and queries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tce/tce_int.h"

struct tce_shape {
	unsigned int page_shift;
	unsigned int entries_shift;
	unsigned int levels;
	unsigned int level_bits;
	unsigned int top_bits;
};

static unsigned int ilog2_u64(uint64_t v)
{
	return 63u - (unsigned int)__builtin_clzll(v);
}

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* The window's index bits from whichever of window_size / entries was given. */
static int entries_shift_of(const struct dmawin_tce_geometry *g, unsigned int *out)
{
	unsigned int es;

	if ((g->window_size == 0) == (g->entries == 0))
		return -EINVAL;
	if (g->window_size) {
		if (!is_pow2(g->window_size) || ilog2_u64(g->window_size) < g->page_shift)
			return -EINVAL;
		es = ilog2_u64(g->window_size) - g->page_shift;
	} else {
		if (!is_pow2(g->entries))
			return -EINVAL;
		es = ilog2_u64(g->entries);
	}
	if (es + g->page_shift > DMAWIN_TCE_MAX_WINDOW_SHIFT)
		return -EINVAL;
	*out = es;
	return 0;
}

static void split_levels(struct tce_shape *s, unsigned int levels)
{
	unsigned int es = s->entries_shift;
	unsigned int bits = (es + levels - 1) / levels;
	unsigned int below = (levels - 1) * bits;

	s->levels = levels;
	s->level_bits = bits;
	s->top_bits = es > below ? es - below : 0;
}

static int shape_of(const struct dmawin_tce_geometry *g, struct tce_shape *s)
{
	uint64_t max = g->max_level_size ? g->max_level_size : DMAWIN_TCE_DEFAULT_MAX_LEVEL_SIZE;
	unsigned int max_levels;
	int rc;

	if (!dmawin_tce_page_shift_valid(g->page_shift) || g->levels > DMAWIN_TCE_MAX_LEVELS ||
	    (g->max_level_size && g->max_level_size < 8))
		return -EINVAL;
	rc = entries_shift_of(g, &s->entries_shift);
	if (rc)
		return rc;
	s->page_shift = g->page_shift;
	/* Every level resolves at least one index bit; a one-entry table is one level. */
	max_levels = DW_MIN(DW_MAX(s->entries_shift, 1u), (unsigned int)DMAWIN_TCE_MAX_LEVELS);
	if (g->levels) {
		if (g->levels > max_levels)
			return -EINVAL;
		split_levels(s, g->levels);
		return 0;
	}
	for (unsigned int l = 1; l <= max_levels; l++) {
		split_levels(s, l);
		if ((8ull << s->level_bits) <= max)
			return 0;
	}
	return -EINVAL;
}

static void view_init(struct dmawin_tce_view *v, const struct tce_shape *s, uint64_t *top)
{
	v->size = sizeof(*v);
	v->page_shift = (uint8_t)s->page_shift;
	v->levels = (uint8_t)s->levels;
	v->level_bits = (uint8_t)s->level_bits;
	v->top_bits = (uint8_t)s->top_bits;
	v->entries = 1ull << s->entries_shift;
	v->window_size = v->entries << s->page_shift;
	v->level_mask = (1ull << s->level_bits) - 1;
	v->top = (uint64_t)(uintptr_t)top;
	v->top_shift = (s->levels - 1) * s->level_bits;
	v->generation = 0;
}

DMAWIN_API int dmawin_tce_create(const struct dmawin_tce_geometry *geometry,
				 struct dmawin_tce_table **out)
{
	struct dmawin_tce_table *t;
	struct tce_shape s;
	uint64_t *top;
	int rc;

	if (!geometry || !out)
		return -EINVAL;
	rc = shape_of(geometry, &s);
	if (rc)
		return rc;
	t = aligned_alloc(64, DW_ALIGN_UP(sizeof(*t), 64));
	if (!t)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	top = tce_level_alloc(t, 1ull << s.top_bits);
	if (!top) {
		free(t);
		return -ENOMEM;
	}
	view_init(&t->view, &s, top);
	t->refcount = 1;
	*out = t;
	return 0;
}

DMAWIN_API struct dmawin_tce_table *dmawin_tce_ref(struct dmawin_tce_table *table)
{
	if (table)
		__atomic_fetch_add(&table->refcount, 1, __ATOMIC_RELAXED);
	return table;
}

DMAWIN_API bool dmawin_tce_unref(struct dmawin_tce_table *table)
{
	if (!table)
		return false;
	/* acq_rel: the freeing thread must see every other holder's writes. */
	if (__atomic_sub_fetch(&table->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return false;
	tce_subtree_free(table, tce_level_ptr(table->view.top), table->view.levels - 1u);
	free(table);
	return true;
}

DMAWIN_API void dmawin_tce_destroy(struct dmawin_tce_table *table)
{
	dmawin_tce_unref(table);
}

DMAWIN_API int dmawin_tce_info(const struct dmawin_tce_table *table, struct dmawin_tce_info *out)
{
	const struct dmawin_tce_view *v;

	if (!table || !out)
		return -EINVAL;
	v = &table->view;
	*out = (struct dmawin_tce_info){
		.page_shift = v->page_shift,
		.levels = v->levels,
		.level_bits = v->level_bits,
		.top_bits = v->top_bits,
		.page_size = 1ull << v->page_shift,
		.window_size = v->window_size,
		.entries = v->entries,
		.level_entries = 1ull << v->level_bits,
		.top_entries = 1ull << v->top_bits,
	};
	return 0;
}

DMAWIN_API const struct dmawin_tce_view *dmawin_tce_view(const struct dmawin_tce_table *table)
{
	return table ? &table->view : NULL;
}

DMAWIN_API uint64_t dmawin_tce_generation(const struct dmawin_tce_table *table)
{
	return table ? dmawin_tce_view_generation(&table->view) : 0;
}

DMAWIN_API int dmawin_tce_footprint(const struct dmawin_tce_table *table,
				    struct dmawin_tce_footprint *out)
{
	const struct dmawin_tce_view *v;
	unsigned int window_shift;

	if (!table || !out)
		return -EINVAL;
	v = &table->view;
	window_shift = ilog2_u64(v->window_size);
	out->allocated = __atomic_load_n(&table->allocated, __ATOMIC_RELAXED);
	out->levels_allocated = __atomic_load_n(&table->levels_allocated, __ATOMIC_RELAXED);
	out->flat = v->entries * sizeof(uint64_t);
	out->linux_table = tce_linux_table_size(v->page_shift, window_shift, v->levels, 16);
	out->linux_locked = 2 * out->linux_table;
	return 0;
}
