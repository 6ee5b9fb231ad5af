/* SPDX-License-Identifier: MIT */
/*
 * Reference model of one v2 container's MAP/UNMAP/REGISTER/UNREGISTER over one window (spec §1,
 * §2, §6), written the obvious way: arrays, linear scans, no atomics. Used by
 * tests/vfio/test_map_diff.c. Addresses are RAM offsets (ua = ram + off, hpa = off).
 */
#ifndef DMAWIN_TESTS_REF_VFIO_REF_H
#define DMAWIN_TESTS_REF_VFIO_REF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define VREF_PAGE_SHIFT 16
#define VREF_PAGE	(UINT64_C(1) << VREF_PAGE_SHIFT)
#define VREF_ENTRIES	8192 /* 512 MiB of 64K pages: the smallest PowerNV window (PAGE_SIZE / 8) */
#define VREF_RAM_PAGES	256  /* 16 MiB of 64K host pages */
#define VREF_CANDIDATES 5

struct vref_region {
	uint64_t off, size;
	bool registered;
	uint8_t dirty[VREF_RAM_PAGES]; /* by RAM page, valid while registered */
};

struct vref {
	uint64_t ua[VREF_ENTRIES];   /* RAM offset mapped by the entry */
	uint64_t perm[VREF_ENTRIES]; /* 0 = unmapped, 1 = R, 3 = R|W */
	struct vref_region cand[VREF_CANDIDATES];
	bool enabled; /* v2: set by the first successful REGISTER, never cleared */
};

static inline void vref_init(struct vref *m)
{
	static const uint64_t c[VREF_CANDIDATES][2] = {{0, 4 << 20},
						       {4 << 20, 4 << 20},
						       {8 << 20, 4 << 20},
						       {2 << 20, 4 << 20},
						       {12 << 20, 4 << 20}};

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < VREF_CANDIDATES; i++) {
		m->cand[i].off = c[i][0];
		m->cand[i].size = c[i][1];
	}
}

static inline struct vref_region *vref_find(struct vref *m, uint64_t off, uint64_t len)
{
	for (int i = 0; i < VREF_CANDIDATES; i++) {
		struct vref_region *r = &m->cand[i];

		if (r->registered && off >= r->off && off + len <= r->off + r->size)
			return r;
	}
	return NULL;
}

static inline uint64_t vref_mapped(struct vref *m, const struct vref_region *r)
{
	uint64_t n = 0;

	for (int e = 0; e < VREF_ENTRIES; e++)
		if (m->perm[e] && m->ua[e] >= r->off && m->ua[e] < r->off + r->size)
			n++;
	return n;
}

static inline void vref_drop(struct vref *m, int e)
{
	struct vref_region *r;

	if (!m->perm[e])
		return;
	r = vref_find(m, m->ua[e], VREF_PAGE);
	if (r && (m->perm[e] & 2))
		r->dirty[m->ua[e] / VREF_PAGE] = 1;
	m->perm[e] = 0;
	m->ua[e] = 0;
}

static inline long vref_register(struct vref *m, int k)
{
	struct vref_region *r = &m->cand[k];

	if (r->registered)
		return -EBUSY;
	for (int i = 0; i < VREF_CANDIDATES; i++) {
		const struct vref_region *o = &m->cand[i];

		if (o->registered && o->off < r->off + r->size && r->off < o->off + o->size)
			return -EINVAL;
	}
	r->registered = true;
	m->enabled = true;
	memset(r->dirty, 0, sizeof(r->dirty));
	return 0;
}

static inline long vref_unregister(struct vref *m, int k)
{
	struct vref_region *r = &m->cand[k];

	if (!r->registered)
		return -ENOENT;
	if (vref_mapped(m, r))
		return -EBUSY;
	r->registered = false;
	return 0;
}

/* entry may be past the window (-ENXIO); misaligned: the iova has low bits set (returns 1). */
static inline long vref_map(struct vref *m, uint64_t off, uint64_t entry, uint64_t pages,
			    uint32_t flags, bool misaligned)
{
	uint64_t perm, i;

	if (!m->enabled)
		return -EPERM;
	if (flags & ~3u)
		return -EINVAL;
	if (entry >= VREF_ENTRIES)
		return -ENXIO;
	if (!(flags & 3))
		return -EINVAL;
	if (misaligned)
		return 1;
	if (pages > VREF_ENTRIES - entry)
		return -EINVAL;
	perm = (flags & 2) ? 3 : 1;
	for (i = 0; i < pages; i++) {
		uint64_t ua = off + i * VREF_PAGE;
		struct vref_region *r = vref_find(m, ua, VREF_PAGE);

		if (!r)
			break;
		vref_drop(m, (int)(entry + i));
		m->ua[entry + i] = ua;
		m->perm[entry + i] = perm;
	}
	if (i == pages)
		return 0;
	for (uint64_t j = 0; j < i; j++) /* the entries this call wrote are cleared */
		vref_drop(m, (int)(entry + j));
	return -EINVAL;
}

static inline long vref_unmap(struct vref *m, uint64_t entry, uint64_t pages, bool misaligned)
{
	if (!m->enabled)
		return -EPERM;
	if (entry >= VREF_ENTRIES)
		return -ENXIO;
	if (misaligned)
		return 1;
	if (pages > VREF_ENTRIES - entry)
		return -EINVAL;
	for (uint64_t i = 0; i < pages; i++)
		vref_drop(m, (int)(entry + i));
	return 0;
}

#endif
