/* SPDX-License-Identifier: MIT */
/*
 * Sparse shadow of a TCE table: chunks of 512 entries in an open-addressing hash keyed by
 * chunk number. A window of 2^31 entries that the guest touches in a few places costs a few
 * chunks; zeros written where nothing was mapped allocate nothing (the boot-time clear of a
 * whole default window is free).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

static inline size_t slot_of(uint64_t key, size_t cap)
{
	return (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (cap - 1);
}

static struct shadow_chunk *chunk_find(const struct shadow *s, uint64_t key)
{
	if (!s->cap)
		return NULL;
	for (size_t i = slot_of(key, s->cap);; i = (i + 1) & (s->cap - 1)) {
		struct shadow_chunk *c = s->slots[i];
		if (!c || c->key == key)
			return c;
	}
}

static int shadow_grow(struct shadow *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	struct shadow_chunk **ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		struct shadow_chunk *c = s->slots[i];
		size_t j;
		if (!c)
			continue;
		for (j = slot_of(c->key, ncap); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = c;
	}
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	return 0;
}

static struct shadow_chunk *chunk_insert(struct shadow *s, uint64_t key)
{
	struct shadow_chunk *c;
	size_t i;

	if ((s->used + 1) * 4 > s->cap * 3 && shadow_grow(s))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->key = key;
	for (i = slot_of(key, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		;
	s->slots[i] = c;
	s->used++;
	return c;
}

int shadow_set(struct shadow *s, uint64_t index, uint64_t tce, uint64_t *old)
{
	uint64_t key = index >> SHADOW_CHUNK_SHIFT;
	unsigned off = (unsigned)(index & (SHADOW_CHUNK_ENTRIES - 1));
	struct shadow_chunk *c = chunk_find(s, key);

	if (!c) {
		*old = 0;
		if (!tce)
			return 0;
		c = chunk_insert(s, key);
		if (!c)
			return -ENOMEM;
	}
	*old = c->tce[off];
	c->tce[off] = tce;
	c->mapped += (uint32_t)((tce & 3) != 0) - (uint32_t)((*old & 3) != 0);
	c->inferred[off / 64] &= ~(UINT64_C(1) << (off % 64));
	return 0;
}

uint64_t shadow_get(const struct shadow *s, uint64_t index, bool *inferred)
{
	struct shadow_chunk *c = chunk_find(s, index >> SHADOW_CHUNK_SHIFT);
	unsigned off = (unsigned)(index & (SHADOW_CHUNK_ENTRIES - 1));

	if (!c) {
		if (inferred)
			*inferred = false;
		return 0;
	}
	if (inferred)
		*inferred = (c->inferred[off / 64] >> (off % 64)) & 1;
	return c->tce[off];
}

void shadow_set_inferred(struct shadow *s, uint64_t index, bool inferred)
{
	struct shadow_chunk *c = chunk_find(s, index >> SHADOW_CHUNK_SHIFT);
	unsigned off = (unsigned)(index & (SHADOW_CHUNK_ENTRIES - 1));
	uint64_t bit = UINT64_C(1) << (off % 64);

	if (!c)
		return; /* only written (non-zero) entries carry the flag */
	if (inferred)
		c->inferred[off / 64] |= bit;
	else
		c->inferred[off / 64] &= ~bit;
}

void shadow_clear(struct shadow *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static int chunk_cmp(const void *a, const void *b)
{
	const struct shadow_chunk *x = *(struct shadow_chunk *const *)a;
	const struct shadow_chunk *y = *(struct shadow_chunk *const *)b;

	return x->key < y->key ? -1 : x->key > y->key;
}

long shadow_live_chunks(const struct shadow *s, struct shadow_chunk ***out)
{
	struct shadow_chunk **v = malloc((s->used ? s->used : 1) * sizeof(*v));
	long n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] && s->slots[i]->mapped)
			v[n++] = s->slots[i];
	qsort(v, (size_t)n, sizeof(*v), chunk_cmp);
	*out = v;
	return n;
}
