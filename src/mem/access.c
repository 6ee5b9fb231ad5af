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

int dmawin_mem_read(const struct dmawin_mem *mem, uint64_t gpa, void *dst, size_t len)
{
	const struct mem_region_table *t = mem_regions(mem);
	const struct mem_region *r;
	uint8_t *out = dst;

	if (len && range_check(t, gpa, len))
		return -EFAULT;
	while (len) {
		uint64_t chunk = DW_MIN(region_rest(t, gpa, &r), (uint64_t)len);

		memcpy(out, r->host + (gpa - r->gpa), chunk);
		out += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int dmawin_mem_write(struct dmawin_mem *mem, uint64_t gpa, const void *src, size_t len)
{
	const struct mem_region_table *t = mem_regions(mem);
	const struct mem_region *r;
	const uint8_t *in = src;

	if (len && range_check(t, gpa, len))
		return -EFAULT;
	while (len) {
		uint64_t chunk = DW_MIN(region_rest(t, gpa, &r), (uint64_t)len);

		memcpy(r->host + (gpa - r->gpa), in, chunk);
		in += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int dmawin_mem_page_size(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len,
			 uint64_t *page_size)
{
	const struct mem_region_table *t = mem_regions(mem);
	const struct mem_region *r;
	uint64_t smallest = UINT64_MAX;

	if (!len)
		return -EINVAL;
	if (range_check(t, gpa, len))
		return -EFAULT;
	while (len) {
		uint64_t chunk = DW_MIN(region_rest(t, gpa, &r), len);

		smallest = DW_MIN(smallest, r->page_size);
		gpa += chunk;
		len -= chunk;
	}
	if (page_size)
		*page_size = smallest;
	return 0;
}
