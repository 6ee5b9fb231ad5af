/* SPDX-License-Identifier: MIT */
/*
 * Reference model of a TCE table for differential tests: one flat array of entries (QEMU's
 * layout), written the obvious way, plus the generation rule of dmawin/tce.h stated directly
 * (an operation bumps once when it removed or changed at least one mapped entry).
 */
#ifndef DMAWIN_TESTS_REF_TCE_REF_H
#define DMAWIN_TESTS_REF_TCE_REF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct tce_ref {
	uint64_t entries;
	uint64_t *tce;
	uint64_t generation;
};

static inline int tce_ref_init(struct tce_ref *r, uint64_t entries)
{
	r->entries = entries;
	r->generation = 0;
	r->tce = calloc(entries, sizeof(uint64_t));
	return r->tce ? 0 : -ENOMEM;
}

static inline void tce_ref_fini(struct tce_ref *r)
{
	free(r->tce);
	r->tce = NULL;
}

static inline bool tce_ref_range_ok(const struct tce_ref *r, uint64_t index, uint64_t npages)
{
	return index <= r->entries && npages <= r->entries - index;
}

static inline bool tce_ref_changes_mapping(uint64_t old, uint64_t new_tce)
{
	return (old & 3) != 0 && old != new_tce;
}

static inline int tce_ref_get(const struct tce_ref *r, uint64_t index, uint64_t *tce)
{
	if (index >= r->entries)
		return -ERANGE;
	*tce = r->tce[index];
	return 0;
}

static inline int tce_ref_xchg(struct tce_ref *r, uint64_t index, uint64_t tce, uint64_t *old)
{
	if (index >= r->entries)
		return -ERANGE;
	*old = r->tce[index];
	r->tce[index] = tce;
	if (tce_ref_changes_mapping(*old, tce))
		r->generation++;
	return 0;
}

/* put_array when @tces != NULL, stuff of @value otherwise. */
static inline int tce_ref_write(struct tce_ref *r, uint64_t index, uint64_t npages,
				const uint64_t *tces, uint64_t value)
{
	bool bump = false;

	if (!tce_ref_range_ok(r, index, npages))
		return -ERANGE;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t v = tces ? tces[i] : value;

		bump |= tce_ref_changes_mapping(r->tce[index + i], v);
		r->tce[index + i] = v;
	}
	if (bump)
		r->generation++;
	return 0;
}

/* First entry at or after @index with (tce & want) != 0; -ENOENT if none. */
static inline int tce_ref_next(const struct tce_ref *r, uint64_t index, uint64_t want,
			       uint64_t *found)
{
	for (uint64_t i = index; i < r->entries; i++) {
		if (r->tce[i] & want) {
			*found = i;
			return 0;
		}
	}
	return -ENOENT;
}

#endif
