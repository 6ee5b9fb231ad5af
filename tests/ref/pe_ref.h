/* SPDX-License-Identifier: MIT */
/*
 * Reference model of PE translation for differential tests: the spec's rules written the
 * obvious way (papr-ddw.md §6, seed 000), flat TCE arrays, no caching, no concurrency.
 *   - 4GB mode: slot 0 serves addresses below 4 GiB, slot 1 the others.
 *   - classic: a table window serves its own range; a bypass window serves from its offset up
 *     to the start of the next window above it.
 *   - selected but outside [bus_offset, bus_offset + size): beyond window.
 *   - table: index = (addr - bus_offset) >> s, gpa = (tce & ~(2^s - 1)) | (addr & (2^s - 1)),
 *     a read needs bit 0, a write bit 1; bypass: gpa = addr - bus_offset, read and write.
 */
#ifndef DMAWIN_TESTS_REF_PE_REF_H
#define DMAWIN_TESTS_REF_PE_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

enum { PE_REF_OK, PE_REF_NO_WINDOW, PE_REF_BEYOND, PE_REF_INVALID, PE_REF_PERM };

struct pe_ref_win {
	bool active;
	bool bypass;
	unsigned int shift;
	uint64_t bus_offset, size;
	uint64_t *tce; /* size >> shift entries (table windows) */
};

struct pe_ref {
	bool mode_4gb;
	struct pe_ref_win win[2];
};

struct pe_ref_result {
	int fault;
	int slot;
	uint64_t gpa, len, tce;
};

static inline bool pe_ref_in(const struct pe_ref_win *w, uint64_t addr)
{
	return addr >= w->bus_offset && addr - w->bus_offset < w->size;
}

static inline int pe_ref_select(const struct pe_ref *r, uint64_t addr)
{
	if (r->mode_4gb) {
		int s = addr < (UINT64_C(1) << 32) ? 0 : 1;

		return r->win[s].active ? s : -1;
	}
	for (int s = 0; s < 2; s++) {
		const struct pe_ref_win *w = &r->win[s], *o = &r->win[1 - s];

		if (!w->active)
			continue;
		if (!w->bypass && pe_ref_in(w, addr))
			return s;
		if (w->bypass && addr >= w->bus_offset &&
		    !(o->active && o->bus_offset > w->bus_offset && o->bus_offset <= addr))
			return s;
	}
	return -1;
}

static inline struct pe_ref_result pe_ref_translate(const struct pe_ref *r, uint64_t addr,
						    int write)
{
	struct pe_ref_result res = {.slot = pe_ref_select(r, addr)};
	const struct pe_ref_win *w;
	uint64_t mask, tce;

	if (res.slot < 0) {
		res.fault = PE_REF_NO_WINDOW;
		return res;
	}
	w = &r->win[res.slot];
	if (!pe_ref_in(w, addr)) {
		res.fault = PE_REF_BEYOND;
		return res;
	}
	if (w->bypass) {
		res.gpa = addr - w->bus_offset;
		res.len = w->size - (addr - w->bus_offset);
		return res;
	}
	mask = (UINT64_C(1) << w->shift) - 1;
	tce = w->tce[(addr - w->bus_offset) >> w->shift];
	res.tce = tce;
	if ((tce & 3) == 0)
		res.fault = PE_REF_INVALID;
	else if (!(tce & (UINT64_C(1) << write)))
		res.fault = PE_REF_PERM;
	res.gpa = (tce & ~mask) | (addr & mask);
	res.len = mask + 1 - (addr & mask);
	return res;
}

#endif
