/* SPDX-License-Identifier: MIT */
/*
 * Reference model of an IOVA space for differential tests: sorted arrays, linear scans, nothing
 * clever. Counts in pfns, inclusive [lo, hi], like the library's internals; results in bytes.
 */
#ifndef DMAWIN_TESTS_REF_IOVA_REF_H
#define DMAWIN_TESTS_REF_IOVA_REF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REF_IOVA_MAX 65536

struct ref_iova_range {
	uint64_t lo, hi;
	int kind; /* DMAWIN_IOVA_ALLOCATED, _RESERVED, _DISALLOWED */
};

struct ref_iova_map {
	uint64_t lo, hi, phys;
	unsigned prot;
};

struct ref_iova {
	unsigned shift;
	uint64_t ap_lo, ap_hi;
	size_t n, nmap;
	struct ref_iova_range r[REF_IOVA_MAX];
	struct ref_iova_map m[REF_IOVA_MAX];
};

static inline void ref_iova_init(struct ref_iova *ref, unsigned shift, uint64_t start,
				 uint64_t last)
{
	ref->shift = shift;
	ref->ap_lo = start >> shift;
	ref->ap_hi = last >> shift;
	ref->n = ref->nmap = 0;
}

/* Index of the first range with lo > pfn (ranges sorted, disjoint). */
static inline size_t ref_iova_upper(const struct ref_iova *ref, uint64_t pfn)
{
	size_t i = 0;
	while (i < ref->n && ref->r[i].lo <= pfn)
		i++;
	return i;
}

static inline bool ref_iova_overlaps(const struct ref_iova *ref, uint64_t lo, uint64_t hi,
				     bool holes_only_skip)
{
	for (size_t i = 0; i < ref->n; i++) {
		if (holes_only_skip && ref->r[i].kind == 3)
			continue;
		if (ref->r[i].lo <= hi && ref->r[i].hi >= lo)
			return true;
	}
	return false;
}

static inline void ref_iova_insert(struct ref_iova *ref, uint64_t lo, uint64_t hi, int kind)
{
	size_t i = ref_iova_upper(ref, lo);
	memmove(&ref->r[i + 1], &ref->r[i], (ref->n - i) * sizeof(ref->r[0]));
	ref->r[i] = (struct ref_iova_range){lo, hi, kind};
	ref->n++;
}

static inline void ref_iova_remove_at(struct ref_iova *ref, size_t i)
{
	memmove(&ref->r[i], &ref->r[i + 1], (ref->n - i - 1) * sizeof(ref->r[0]));
	ref->n--;
}

/* size, align, lim in pfns; returns the start pfn or -1. */
static inline int64_t ref_iova_fit(const struct ref_iova *ref, uint64_t size, uint64_t align,
				   uint64_t lim, bool top_down)
{
	for (size_t k = 0; k <= ref->n; k++) {
		size_t g = top_down ? ref->n - k : k; /* gap below range g (g == n: top gap) */
		uint64_t gl = g ? ref->r[g - 1].hi + 1 : ref->ap_lo;
		uint64_t gend = g < ref->n ? ref->r[g].lo : ref->ap_hi + 1;
		uint64_t end = gend < lim + 1 ? gend : lim + 1;
		if (end <= gl || end - gl < size)
			continue;
		uint64_t x =
			top_down ? (end - size) & ~(align - 1) : (gl + align - 1) & ~(align - 1);
		if (x >= gl && x <= end && end - x >= size)
			return (int64_t)x;
	}
	return -1;
}

static inline int ref_iova_alloc(struct ref_iova *ref, uint64_t size, uint64_t align, uint64_t last,
				 bool top_down, uint64_t *iova)
{
	uint64_t s = size >> ref->shift, a, lim;
	if (align) {
		a = align >> ref->shift;
	} else {
		a = 1;
		while (a < s)
			a <<= 1;
	}
	uint64_t mask = (UINT64_C(1) << ref->shift) - 1;
	lim = last >> ref->shift;
	if ((last & mask) != mask) {
		if (!lim)
			return -ENOSPC;
		lim--;
	}
	if (lim > ref->ap_hi)
		lim = ref->ap_hi;
	if (lim < ref->ap_lo)
		return -ENOSPC;
	int64_t x = ref_iova_fit(ref, s, a, lim, top_down);
	if (x < 0)
		return -ENOSPC;
	ref_iova_insert(ref, (uint64_t)x, (uint64_t)x + s - 1, 1);
	*iova = (uint64_t)x << ref->shift;
	return 0;
}

static inline int ref_iova_add(struct ref_iova *ref, uint64_t iova, uint64_t size, int kind)
{
	uint64_t lo = iova >> ref->shift, hi = (iova + size - 1) >> ref->shift;
	if (lo < ref->ap_lo || hi > ref->ap_hi)
		return -ERANGE;
	if (ref_iova_overlaps(ref, lo, hi, false))
		return -EEXIST;
	ref_iova_insert(ref, lo, hi, kind);
	return 0;
}

static inline bool ref_iova_mapped_in(const struct ref_iova *ref, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < ref->nmap; i++)
		if (ref->m[i].lo <= hi && ref->m[i].hi >= lo)
			return true;
	return false;
}

/* Unmap [lo, hi] (pfns) splitting pieces; returns pfns unmapped. */
static inline uint64_t ref_iova_unmap_pfns(struct ref_iova *ref, uint64_t lo, uint64_t hi)
{
	uint64_t done = 0;
	for (size_t i = 0; i < ref->nmap;) {
		struct ref_iova_map p = ref->m[i];
		if (p.hi < lo || p.lo > hi) {
			i++;
			continue;
		}
		uint64_t cl = p.lo > lo ? p.lo : lo, ch = p.hi < hi ? p.hi : hi;
		done += ch - cl + 1;
		memmove(&ref->m[i], &ref->m[i + 1], (ref->nmap - i - 1) * sizeof(p));
		ref->nmap--;
		if (p.lo < lo) {
			memmove(&ref->m[i + 1], &ref->m[i], (ref->nmap - i) * sizeof(p));
			ref->m[i] = (struct ref_iova_map){p.lo, lo - 1, p.phys, p.prot};
			ref->nmap++;
			i++;
		}
		if (p.hi > hi) {
			memmove(&ref->m[i + 1], &ref->m[i], (ref->nmap - i) * sizeof(p));
			ref->m[i] = (struct ref_iova_map){hi + 1, p.hi, p.phys + (hi + 1 - p.lo),
							  p.prot};
			ref->nmap++;
			i++;
		}
	}
	return done;
}

static inline int ref_iova_free(struct ref_iova *ref, uint64_t iova, bool force)
{
	uint64_t pfn = iova >> ref->shift;
	for (size_t i = 0; i < ref->n; i++) {
		if (ref->r[i].lo != pfn || ref->r[i].kind != 1)
			continue;
		if ((iova & ((UINT64_C(1) << ref->shift) - 1)))
			return -ENOENT;
		if (ref_iova_mapped_in(ref, ref->r[i].lo, ref->r[i].hi)) {
			if (!force)
				return -EBUSY;
			ref_iova_unmap_pfns(ref, ref->r[i].lo, ref->r[i].hi);
		}
		ref_iova_remove_at(ref, i);
		return 0;
	}
	return -ENOENT;
}

static inline int ref_iova_unreserve(struct ref_iova *ref, uint64_t iova, uint64_t size)
{
	uint64_t lo = iova >> ref->shift, hi = (iova + size - 1) >> ref->shift;
	for (size_t i = 0; i < ref->n; i++) {
		if (ref->r[i].lo == lo && ref->r[i].hi == hi && ref->r[i].kind == 2) {
			ref_iova_remove_at(ref, i);
			return 0;
		}
	}
	return -ENOENT;
}

/* Map pieces (pfn-granular lengths in bytes in @lens) at iova; the caller checks validity of
 * the arguments (alignment), the model checks containment and overlap. */
static inline int ref_iova_map(struct ref_iova *ref, uint64_t iova, const uint64_t *phys,
			       const uint64_t *lens, size_t n, unsigned prot)
{
	uint64_t lo = iova >> ref->shift, total = 0;
	for (size_t i = 0; i < n; i++)
		total += lens[i] >> ref->shift;
	uint64_t hi = lo + total - 1;
	bool inside = false;
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].kind == 1 && ref->r[i].lo <= lo && ref->r[i].hi >= hi)
			inside = true;
	if (!inside)
		return -ENOENT;
	if (ref_iova_mapped_in(ref, lo, hi))
		return -EEXIST;
	uint64_t at = lo;
	for (size_t k = 0; k < n; k++) {
		size_t i = 0;
		while (i < ref->nmap && ref->m[i].lo < at)
			i++;
		memmove(&ref->m[i + 1], &ref->m[i], (ref->nmap - i) * sizeof(ref->m[0]));
		uint64_t len = lens[k] >> ref->shift;
		ref->m[i] = (struct ref_iova_map){at, at + len - 1, phys[k] >> ref->shift, prot};
		ref->nmap++;
		at += len;
	}
	return 0;
}

static inline int ref_iova_lookup(const struct ref_iova *ref, uint64_t iova, uint64_t *phys,
				  unsigned *prot)
{
	uint64_t pfn = iova >> ref->shift, mask = (UINT64_C(1) << ref->shift) - 1;
	for (size_t i = 0; i < ref->nmap; i++) {
		if (ref->m[i].lo <= pfn && ref->m[i].hi >= pfn) {
			*phys = ((ref->m[i].phys + pfn - ref->m[i].lo) << ref->shift) |
				(iova & mask);
			*prot = ref->m[i].prot;
			return 0;
		}
	}
	return -ENOENT;
}

/* Replace the disallowed ranges by the complement of @lo/@hi pairs (sorted, merged). */
static inline int ref_iova_set_allowed(struct ref_iova *ref, const uint64_t *lo, const uint64_t *hi,
				       size_t n)
{
	uint64_t hl[64], hh[64];
	size_t nh = 0;
	uint64_t next = ref->ap_lo;
	for (size_t i = 0; i < n; i++) {
		if (lo[i] > next) {
			hl[nh] = next;
			hh[nh++] = lo[i] - 1;
		}
		if (hi[i] + 1 > next)
			next = hi[i] + 1;
	}
	if (n && next <= ref->ap_hi) {
		hl[nh] = next;
		hh[nh++] = ref->ap_hi;
	}
	for (size_t k = 0; k < nh; k++)
		if (ref_iova_overlaps(ref, hl[k], hh[k], true))
			return -EBUSY;
	for (size_t i = 0; i < ref->n;) {
		if (ref->r[i].kind == 3)
			ref_iova_remove_at(ref, i);
		else
			i++;
	}
	for (size_t k = 0; k < nh; k++)
		ref_iova_insert(ref, hl[k], hh[k], 3);
	return 0;
}

#endif
