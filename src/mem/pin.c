/* SPDX-License-Identifier: MIT */
/*
 * Locked-memory accounting: refcounted pins of 4 KiB guest pages and plain charges.
 *
 * Pins are kept as sorted, disjoint runs of pages with one reference count per run. A pin adds
 * one reference over its range: pages already pinned cost nothing more, new pages are charged
 * (and mlock()ed when configured). Every change is computed and checked before anything is
 * modified, so a failure leaves the counters, the runs and the mlock state as they were.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mem_int.h"

void mem_pin_free(struct dmawin_mem *mem)
{
	free(mem->pins);
	mem->pins = NULL;
	mem->pin_count = mem->pin_capacity = 0;
}

uint64_t mem_pin_overlap_locked(const struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < mem->pin_count; i++) {
		uint64_t lo = DW_MAX(start, mem->pins[i].start);
		uint64_t hi = DW_MIN(end, mem->pins[i].end);

		if (lo < hi)
			bytes += hi - lo;
	}
	return bytes;
}

bool mem_pin_any_locked(const struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	return mem_pin_overlap_locked(mem, start, end) != 0;
}

static uint64_t locked_total(const struct dmawin_mem *mem)
{
	return atomic_load(&mem->pinned_bytes) + atomic_load(&mem->charged_bytes);
}

/* Applies mlock (lock=true) or munlock to the host memory behind a RAM range. */
static int host_lock_range(const struct dmawin_mem *mem, uint64_t gpa, uint64_t end, bool lock)
{
	const struct mem_region_table *t = mem_regions(mem);

	while (gpa < end) {
		const struct mem_region *r = mem_region_find(t, gpa);
		uint64_t chunk = DW_MIN(end, r->gpa + r->size) - gpa;
		void *host = r->host + (gpa - r->gpa);

		if (lock ? mlock(host, chunk) : munlock(host, chunk))
			return -ENOMEM;
		gpa += chunk;
	}
	return 0;
}

/* Appends run [start, end) with `refs` references, merging with an equal neighbour. */
static void emit(struct mem_pin_run *out, size_t *n, uint64_t start, uint64_t end, uint64_t refs)
{
	if (start >= end || refs == 0)
		return;
	if (*n && out[*n - 1].end == start && out[*n - 1].refs == refs)
		out[*n - 1].end = end;
	else
		out[(*n)++] = (struct mem_pin_run){start, end, refs};
}

/*
 * Builds the runs that result from adding `delta` (+1 or -1) references over [start, end) into
 * `out` (capacity pin_count * 2 + 3). Gaps inside the range become new runs when delta is +1;
 * runs that drop to zero disappear. Adjacent runs with equal counts are merged.
 */
static size_t apply_delta(const struct dmawin_mem *mem, uint64_t start, uint64_t end, int delta,
			  struct mem_pin_run *out)
{
	size_t n = 0;
	uint64_t cursor = start;


	for (size_t i = 0; i < mem->pin_count; i++) {
		const struct mem_pin_run *r = &mem->pins[i];
		uint64_t lo = DW_MAX(r->start, start), hi = DW_MIN(r->end, end);

		if (lo >= hi) { /* untouched run; first close the gap before it if inside */
			if (r->start >= end && cursor < end && delta > 0) {
				emit(out, &n, cursor, end, 1u);
				cursor = end;
			}
			emit(out, &n, r->start, r->end, r->refs);
			continue;
		}
		if (delta > 0)
			emit(out, &n, cursor, lo, 1u);
		emit(out, &n, r->start, lo, r->refs);
		emit(out, &n, lo, hi, r->refs + (uint64_t)(int64_t)delta);
		emit(out, &n, hi, r->end, r->refs);
		cursor = hi;
	}
	if (delta > 0 && cursor < end)
		emit(out, &n, cursor, end, 1u);
	return n;
}

/*
 * mlock()s (or munlock()s) the parts of [start, end) that no pin run covers: the pages a pin
 * newly pins. munlock of pages that were never locked is harmless, so undoing a failed lock
 * simply unlocks every gap.
 */
static int lock_gaps(const struct dmawin_mem *mem, uint64_t start, uint64_t end, bool lock)
{
	uint64_t cursor = start;

	for (size_t i = 0; i <= mem->pin_count && cursor < end; i++) {
		uint64_t gap_end = i < mem->pin_count ? DW_MIN(end, mem->pins[i].start) : end;

		if (cursor < gap_end && host_lock_range(mem, cursor, gap_end, lock) && lock) {
			lock_gaps(mem, start, end, false);
			return -ENOMEM;
		}
		if (i < mem->pin_count)
			cursor = DW_MAX(cursor, mem->pins[i].end);
	}
	return 0;
}

static int page_range(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len, uint64_t *start,
		      uint64_t *end)
{
	uint64_t last;

	if (!len || __builtin_add_overflow(gpa, len - 1, &last) ||
	    last >= UINT64_MAX - MEM_PIN_PAGE_SIZE)
		return -EINVAL;
	*start = DW_ALIGN_DOWN(gpa, MEM_PIN_PAGE_SIZE);
	*end = DW_ALIGN_UP(last + 1, MEM_PIN_PAGE_SIZE);
	if (!mem_range_is_ram(mem_regions(mem), *start, *end - *start))
		return -EFAULT;
	return 0;
}

static int replace_runs_locked(struct dmawin_mem *mem, uint64_t start, uint64_t end, int delta)
{
	size_t cap = mem->pin_count * 2 + 3;
	struct mem_pin_run *next = malloc(cap * sizeof(*next));

	if (!next)
		return -ENOMEM;
	mem->pin_count = apply_delta(mem, start, end, delta, next);
	free(mem->pins);
	mem->pins = next;
	mem->pin_capacity = cap;
	return 0;
}

static int pin_locked(struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	uint64_t fresh = (end - start) - mem_pin_overlap_locked(mem, start, end);
	uint64_t limit = atomic_load(&mem->lock_limit);
	int ret;

	if (fresh > limit || locked_total(mem) > limit - fresh)
		return -ENOMEM;
	if (mem->cfg.mlock && fresh && lock_gaps(mem, start, end, true))
		return -ENOMEM;
	ret = replace_runs_locked(mem, start, end, +1);
	if (ret) {
		if (mem->cfg.mlock && fresh)
			lock_gaps(mem, start, end, false);
		return ret;
	}
	atomic_fetch_add(&mem->pinned_bytes, fresh);
	return 0;
}

int dmawin_mem_pin(struct dmawin_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t start, end;
	int ret = page_range(mem, gpa, len, &start, &end);

	if (ret)
		return ret;
	pthread_mutex_lock(&mem->lock);
	ret = pin_locked(mem, start, end);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

/* munlocks the pages of [start, end) whose count is exactly one (about to drop to zero). */
static void unlock_last_refs(const struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < mem->pin_count; i++) {
		uint64_t lo = DW_MAX(start, mem->pins[i].start);
		uint64_t hi = DW_MIN(end, mem->pins[i].end);

		if (lo < hi && mem->pins[i].refs == 1)
			host_lock_range(mem, lo, hi, false);
	}
}

static uint64_t last_ref_bytes(const struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < mem->pin_count; i++) {
		uint64_t lo = DW_MAX(start, mem->pins[i].start);
		uint64_t hi = DW_MIN(end, mem->pins[i].end);

		if (lo < hi && mem->pins[i].refs == 1)
			bytes += hi - lo;
	}
	return bytes;
}

static int unpin_locked(struct dmawin_mem *mem, uint64_t start, uint64_t end)
{
	uint64_t freed;
	int ret;

	if (mem_pin_overlap_locked(mem, start, end) != end - start)
		return -EINVAL;
	freed = last_ref_bytes(mem, start, end);
	if (mem->cfg.mlock)
		unlock_last_refs(mem, start, end);
	ret = replace_runs_locked(mem, start, end, -1);
	if (ret)
		return ret;
	atomic_fetch_sub(&mem->pinned_bytes, freed);
	return 0;
}

int dmawin_mem_unpin(struct dmawin_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t start, end, last;
	int ret;

	if (!len || __builtin_add_overflow(gpa, len - 1, &last) ||
	    last >= UINT64_MAX - MEM_PIN_PAGE_SIZE)
		return -EINVAL;
	start = DW_ALIGN_DOWN(gpa, MEM_PIN_PAGE_SIZE);
	end = DW_ALIGN_UP(last + 1, MEM_PIN_PAGE_SIZE);
	pthread_mutex_lock(&mem->lock);
	ret = unpin_locked(mem, start, end);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

bool dmawin_mem_is_pinned(struct dmawin_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t start, end, last;
	bool pinned;

	if (!len || __builtin_add_overflow(gpa, len - 1, &last) ||
	    last >= UINT64_MAX - MEM_PIN_PAGE_SIZE)
		return false;
	start = DW_ALIGN_DOWN(gpa, MEM_PIN_PAGE_SIZE);
	end = DW_ALIGN_UP(last + 1, MEM_PIN_PAGE_SIZE);
	pthread_mutex_lock(&mem->lock);
	pinned = mem_pin_overlap_locked(mem, start, end) == end - start;
	pthread_mutex_unlock(&mem->lock);
	return pinned;
}

int dmawin_mem_lock_charge(struct dmawin_mem *mem, uint64_t bytes)
{
	uint64_t limit;
	int ret = 0;

	pthread_mutex_lock(&mem->lock);
	limit = atomic_load(&mem->lock_limit);
	if (bytes > limit || locked_total(mem) > limit - bytes)
		ret = -ENOMEM;
	else
		atomic_fetch_add(&mem->charged_bytes, bytes);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

int dmawin_mem_lock_uncharge(struct dmawin_mem *mem, uint64_t bytes)
{
	int ret = 0;

	pthread_mutex_lock(&mem->lock);
	if (bytes > atomic_load(&mem->charged_bytes))
		ret = -EINVAL;
	else
		atomic_fetch_sub(&mem->charged_bytes, bytes);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

uint64_t dmawin_mem_locked_bytes(const struct dmawin_mem *mem)
{
	return locked_total(mem);
}

uint64_t dmawin_mem_lock_limit(const struct dmawin_mem *mem)
{
	return atomic_load(&mem->lock_limit);
}

int dmawin_mem_set_lock_limit(struct dmawin_mem *mem, uint64_t limit)
{
	int ret = 0;

	pthread_mutex_lock(&mem->lock);
	if (limit < locked_total(mem))
		ret = -EBUSY;
	else
		atomic_store(&mem->lock_limit, limit);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}
