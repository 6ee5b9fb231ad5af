/* SPDX-License-Identifier: MIT */
/* Guest-physical to host translation and the copy helpers: lock-free, on the DMA path. */
#include <errno.h>
#include <string.h>

#include "mem_int.h"

const struct mem_region *mem_region_find(const struct mem_region_table *t, uint64_t gpa)
{
	unsigned lo = 0, hi = t->count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct mem_region *r = &t->region[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* Bytes from gpa to the end of its region; sets *r. 0 when gpa is not RAM. */
static uint64_t region_rest(const struct mem_region_table *t, uint64_t gpa,
			    const struct mem_region **r)
{
	*r = mem_region_find(t, gpa);
	return *r ? (*r)->gpa + (*r)->size - gpa : 0;
}

bool mem_range_is_ram(const struct mem_region_table *t, uint64_t gpa, uint64_t len)
{
	const struct mem_region *r;

	while (len) {
		uint64_t rest = region_rest(t, gpa, &r);

		if (!rest)
			return false;
		if (rest >= len)
			return true;
		gpa += rest;
		len -= rest;
	}
	return true;
}

int dmawin_mem_translate(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len, void **host)
{
	const struct mem_region *r = mem_region_find(mem_regions(mem), gpa);

	if (!r || len > r->gpa + r->size - gpa)
		return -EFAULT;
	if (host)
		*host = r->host + (gpa - r->gpa);
	return 0;
}

static int range_check(const struct mem_region_table *t, uint64_t gpa, size_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, (uint64_t)len, &end))
		return -EFAULT;
	return mem_range_is_ram(t, gpa, len) ? 0 : -EFAULT;
}

enum piece_op { PIECE_READ, PIECE_WRITE, PIECE_PAGE_SIZE };

/*
 * Walks [gpa, gpa + len) region by region, after checking that all of it is RAM, so a range
 * with a hole is refused before any byte moves. One walker serves the copies and the page-size
 * query: the operation is a constant at each call site and folds away.
 */
static inline int walk_pieces(const struct mem_region_table *t, uint64_t gpa, uint8_t *buf,
			      uint64_t len, enum piece_op op, uint64_t *smallest)
{
	if (len && range_check(t, gpa, len))
		return -EFAULT;
	while (len) {
		const struct mem_region *r = mem_region_find(t, gpa);
		uint64_t chunk;

		if (!r)
			return -EFAULT;
		chunk = DW_MIN(r->gpa + r->size - gpa, len);
		if (op == PIECE_READ)
			memcpy(buf, r->host + (gpa - r->gpa), chunk);
		else if (op == PIECE_WRITE)
			memcpy(r->host + (gpa - r->gpa), buf, chunk);
		else
			*smallest = DW_MIN(*smallest, r->page_size);
		if (buf)
			buf += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int dmawin_mem_read(const struct dmawin_mem *mem, uint64_t gpa, void *dst, size_t len)
{
	return walk_pieces(mem_regions(mem), gpa, dst, len, PIECE_READ, NULL);
}

int dmawin_mem_write(struct dmawin_mem *mem, uint64_t gpa, const void *src, size_t len)
{
	/* the walker only reads from buf when writing guest RAM */
	return walk_pieces(mem_regions(mem), gpa, (uint8_t *)(uintptr_t)src, len, PIECE_WRITE,
			   NULL);
}

int dmawin_mem_page_size(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len,
			 uint64_t *page_size)
{
	uint64_t smallest = UINT64_MAX;
	int ret;

	if (!len)
		return -EINVAL;
	ret = walk_pieces(mem_regions(mem), gpa, NULL, len, PIECE_PAGE_SIZE, &smallest);
	if (!ret && page_size)
		*page_size = smallest;
	return ret;
}
