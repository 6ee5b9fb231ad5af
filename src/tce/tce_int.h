/* SPDX-License-Identifier: MIT */
/*
 * Internal header of the tce layer, grouped by source file.
 *
 * A table is its public view (geometry, top level, generation: dmawin/tce.h) followed by the
 * writer-side counters. Levels are arrays of uint64_t accessed only through the __atomic builtins
 * (the same memory model as C11 <stdatomic.h>, but usable on the plain words the public inline
 * readers also load). An indirect word holds the address of its lower level, or 0.
 */
#ifndef DMAWIN_TCE_INT_H
#define DMAWIN_TCE_INT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "dmawin/tce.h"

struct dmawin_tce_table {
	struct dmawin_tce_view view; /* first: dmawin_tce_view() is a cast */
	uint64_t refcount;
	uint64_t allocated;	   /* bytes of levels, top included */
	uint64_t levels_allocated; /* number of levels, top included */
};

static inline uint64_t tce_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t tce_load_relaxed(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void tce_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint64_t *tce_level_ptr(uint64_t word)
{
	return (uint64_t *)(uintptr_t)word;
}

/* Does replacing @old by @new have to bump the generation? (a mapping removed or changed) */
static inline bool tce_needs_bump(uint64_t old, uint64_t new_tce)
{
	return dmawin_tce_mapped(old) && old != new_tce;
}

static inline void tce_bump(struct dmawin_tce_table *t)
{
	__atomic_fetch_add(&t->view.generation, 1, __ATOMIC_RELEASE);
}

/* Entries of one level at @depth levels above the leaves (the top is depth levels - 1). */
static inline uint64_t tce_level_entries(const struct dmawin_tce_view *v, unsigned int depth)
{
	return depth == v->levels - 1u ? 1ull << v->top_bits : 1ull << v->level_bits;
}

/* [index, index + npages) inside the table? (overflow-safe) */
static inline bool tce_range_ok(const struct dmawin_tce_view *v, uint64_t index, uint64_t npages)
{
	uint64_t end;

	return !__builtin_add_overflow(index, npages, &end) && end <= v->entries;
}

/*
 * The argument checks every range operation (clear, stuff, put_array, for_each) makes, in the
 * order dmawin/tce.h documents: a table and only @known flags (-EINVAL) before the range
 * (-ERANGE). Callers check their own extra arguments for -EINVAL first.
 */
static inline int tce_range_args(const struct dmawin_tce_table *table, unsigned int flags,
				 unsigned int known, uint64_t index, uint64_t npages)
{
	if (!table || (flags & ~known))
		return -EINVAL;
	if (!tce_range_ok(&table->view, index, npages))
		return -ERANGE;
	return 0;
}

/* level.c */
/* Allocator seam for tests (allocation failure injection); calloc by default. */
extern void *(*tce_calloc)(size_t nmemb, size_t size);
uint64_t *tce_level_alloc(struct dmawin_tce_table *t, uint64_t entries);
void tce_level_free(struct dmawin_tce_table *t, uint64_t *level, uint64_t entries);
bool tce_subtree_free(struct dmawin_tce_table *t, uint64_t *level, unsigned int depth);
uint64_t *tce_leaf(struct dmawin_tce_table *t, uint64_t index, bool alloc);
int tce_ensure_leaves(struct dmawin_tce_table *t, uint64_t index, uint64_t npages,
		      const uint64_t *tces);

/* bulk.c: store a run of entries of one level; returns whether the generation must move. */
bool tce_bulk_fill(uint64_t *p, uint64_t n, uint64_t tce);
bool tce_bulk_copy(uint64_t *p, const uint64_t *tces, uint64_t n);

/* iter.c */
typedef int (*tce_visit_fn)(uint64_t index, uint64_t tce, void *arg);
int tce_walk(const struct dmawin_tce_view *v, uint64_t first, uint64_t last, unsigned int flags,
	     tce_visit_fn fn, void *arg);

/* linux.c */
uint64_t tce_linux_table_size(unsigned int page_shift, unsigned int window_shift,
			      unsigned int levels, unsigned int kernel_page_shift);

/* check.c: the whole-table invariant checker used by tests; 0 or a negative errno. */
int tce_table_check(const struct dmawin_tce_table *t);

#endif
