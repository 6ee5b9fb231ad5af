/* SPDX-License-Identifier: MIT */
/* Fixtures shared by the pe tests: guest RAM, a PHB, PEs and tables. */
#ifndef DMAWIN_PE_TEST_H
#define DMAWIN_PE_TEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dw_test.h"
#include "dmawin/pe.h"
#include "pe/pe_int.h"

struct pe_fix {
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
};

/* RAM at gpa 0 of `ram` bytes; a PHB in `placement` with `max_pes` PEs; PE 0 created. */
static inline void pe_fix_setup(struct pe_fix *f, enum dmawin_pe_placement placement, uint64_t ram,
				uint32_t max_pes)
{
	struct dmawin_phb_config cfg;

	memset(f, 0, sizeof(*f));
	assert_int_equal(dmawin_mem_create(NULL, &f->mem), 0);
	assert_int_equal(dmawin_mem_add_region(f->mem, 0, ram, NULL), 0);
	dmawin_pe_phb_config_init(&cfg);
	cfg.placement = placement;
	cfg.max_pes = max_pes;
	if (placement == DMAWIN_PE_PLACEMENT_4GB)
		cfg.dma64_win_addr = DMAWIN_PE_4GB;
	assert_int_equal(dmawin_pe_phb_create(&cfg, f->mem, &f->phb), 0);
	assert_int_equal(dmawin_pe_create(f->phb, 0, &f->pe), 0);
}

static inline void pe_fix_teardown(struct pe_fix *f)
{
	dmawin_pe_phb_destroy(f->phb);
	dmawin_mem_destroy(f->mem);
}

static inline struct dmawin_tce_table *pe_table(unsigned int page_shift, uint64_t window,
						unsigned int levels)
{
	struct dmawin_tce_geometry g = {
		.page_shift = page_shift, .window_size = window, .levels = levels};
	struct dmawin_tce_table *t = NULL;

	assert_int_equal(dmawin_tce_create(&g, &t), 0);
	return t;
}

/* Put a table window in `slot`; the test keeps its own reference to `t`. */
static inline int pe_set_table(struct dmawin_pe *pe, unsigned int slot, struct dmawin_tce_table *t,
			       uint64_t bus_offset)
{
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_TABLE, .table = t, .bus_offset = bus_offset};

	return dmawin_pe_set_window(pe, slot, &wc);
}

static inline int pe_set_bypass(struct dmawin_pe *pe, unsigned int slot, uint64_t bus_offset,
				uint64_t limit)
{
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_BYPASS, .bus_offset = bus_offset, .size = limit};

	return dmawin_pe_set_window(pe, slot, &wc);
}

/* Map bus page `index` of table t to gpa with perm. */
static inline void pe_map(struct dmawin_tce_table *t, uint64_t index, uint64_t gpa, uint64_t perm)
{
	assert_int_equal(dmawin_tce_put(t, index, gpa | perm), 0);
}

static inline int pe_xl(struct dmawin_pe *pe, uint64_t addr, enum dmawin_pe_dir dir,
			struct dmawin_pe_xlate *xl)
{
	return dmawin_pe_translate(pe, addr, dir, xl);
}

#endif
