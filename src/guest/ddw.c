/* SPDX-License-Identifier: MIT */
/*
 * Dynamic DMA windows as the pseries guest negotiates them (enable_ddw() of Linux 5.15..6.x,
 * spec papr-ddw.md §5): query, optional removal of the default window, page size, window size,
 * create, then direct mapping of all RAM or a table for indirect mapping.
 */
#include <errno.h>

#include "guest/guest_int.h"

/* Linux 0-based indexes into ibm,ddw-extensions ([0] is the count). */
#define DDW_EXT_RESET_DMA_WIN  1
#define DDW_EXT_QUERY_OUT_SIZE 2
#define DDW_EXT_LIMITED_ADDR   3 /* PAPR 2.13; QEMU does not offer it */
#define RTAS_BUSY_TRIES	       16

static unsigned order_base_2(uint64_t v)
{
	return v <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(v - 1);
}

/* ddw_read_ext(): the extension cell @idx, when the count in cell 0 covers it. */
static bool ddw_read_ext(const struct guest_phb *p, unsigned idx, uint32_t *val)
{
	if (p->dt.n_ddw_extensions <= idx || p->dt.ddw_extensions[0] < idx)
		return false;
	*val = p->dt.ddw_extensions[idx];
	return true;
}

static int32_t rtas(struct dmawin_guest *g, size_t ctr, uint32_t token, uint32_t nargs,
		    const uint32_t *args, uint32_t nret, uint32_t *rets)
{
	int32_t st = dmawin_papr_rtas(g->m, token, nargs, args, nret, rets);
	guest_count(g, ctr, 1);
	if (st != DMAWIN_PAPR_RTAS_SUCCESS)
		guest_count(g, GUEST_CTR(rtas_errors), 1);
	return st;
}

static uint32_t cfg_addr(const struct guest_device *d)
{
	return (uint32_t)d->cfg.bus << 16 | (uint32_t)d->cfg.devfn << 8;
}

static int32_t query_ddw(struct dmawin_guest *g, struct guest_device *d,
			 struct dmawin_papr_ddw_query *q)
{
	const struct guest_phb *p = d->phb;
	uint32_t ext = 0;
	uint32_t nret = ddw_read_ext(p, DDW_EXT_QUERY_OUT_SIZE, &ext) && ext == 1 ? 6 : 5;
	uint32_t args[3] = {cfg_addr(d), (uint32_t)(p->dt.buid >> 32), (uint32_t)p->dt.buid};
	uint32_t rets[6] = {0};
	int32_t st = rtas(g, GUEST_CTR(rtas_query), p->dt.ddw_applicable[0], 3, args, nret, rets);
	q->windows_available = rets[1];
	if (nret == 5) {
		q->largest_block = rets[2];
		q->page_size_mask = rets[3];
		q->migration_capable = rets[4];
	} else {
		q->largest_block = (uint64_t)rets[2] << 32 | rets[3];
		q->page_size_mask = rets[4];
		q->migration_capable = rets[5];
	}
	return st;
}

static bool rtas_busy(int32_t st)
{
	return st == DMAWIN_PAPR_RTAS_BUSY || (st >= 9900 && st <= 9905);
}

static int32_t create_ddw(struct dmawin_guest *g, struct guest_device *d, unsigned page_shift,
			  unsigned window_shift, uint32_t *liobn, uint64_t *start)
{
	const struct guest_phb *p = d->phb;
	uint32_t args[5] = {cfg_addr(d), (uint32_t)(p->dt.buid >> 32), (uint32_t)p->dt.buid,
			    page_shift, window_shift};
	uint32_t rets[4] = {0};
	int32_t st;
	unsigned tries = 0;
	do {
		st = rtas(g, GUEST_CTR(rtas_create), p->dt.ddw_applicable[1], 5, args, 4, rets);
	} while (rtas_busy(st) && ++tries < RTAS_BUSY_TRIES);
	if (st == DMAWIN_PAPR_RTAS_SUCCESS) {
		*liobn = rets[1];
		*start = (uint64_t)rets[2] << 32 | rets[3];
	}
	return st;
}

static void remove_window_rtas(struct dmawin_guest *g, const struct guest_phb *p, uint32_t liobn)
{
	uint32_t args[1] = {liobn};
	uint32_t rets[1];
	rtas(g, GUEST_CTR(rtas_remove), p->dt.ddw_applicable[2], 1, args, 1, rets);
}

static void reset_dma_window(struct dmawin_guest *g, struct guest_device *d, uint32_t token)
{
	const struct guest_phb *p = d->phb;
	uint32_t args[3] = {cfg_addr(d), (uint32_t)(p->dt.buid >> 32), (uint32_t)p->dt.buid};
	uint32_t rets[1];
	rtas(g, GUEST_CTR(rtas_reset), token, 3, args, 1, rets);
}

/*
 * remove_dma_window() applied to the default window's ibm,dma-window property, whose five
 * cells (liobn, addr hi/lo, size hi/lo) Linux reads as a DDW property (liobn, dma_base,
 * tce_shift, window_shift): tce_shift becomes size_hi (0) and window_shift size_lo. The page
 * count 1 << (window_shift - PAGE_SHIFT) is computed by a 64-bit shift instruction that takes
 * the amount modulo 128 and yields 0 from 64 up (ppc64 sld), so for a 1 GiB window the clean-up
 * is a single H_STUFF_TCE of 0 pages (H_PARAMETER) before the RTAS remove (spec §5 "Hazard").
 */
static void remove_default_window(struct dmawin_guest *g, struct guest_phb *p)
{
	const uint32_t *c = p->dt.dma_window;
	struct guest_ddw fake = {.liobn = c[0],
				 .start = (uint64_t)c[1] << 32 | c[2],
				 .page_shift = c[3] < 64 ? c[3] : 63};
	uint32_t amount = (c[4] - (uint32_t)g->cfg.page_shift) & 127;
	uint64_t num_pfn = amount < 64 ? 1ull << amount : 0;
	uint64_t bytes = num_pfn << g->cfg.page_shift;
	guest_tce_clearrange(g, &fake, 0, bytes);
	remove_window_rtas(g, p, c[0]);
}

/* clean_dma_window() + __remove_dma_window() for the PE's DDW. */
static void clean_and_remove(struct dmawin_guest *g, const struct guest_phb *p,
			     const struct guest_ddw *w)
{
	uint64_t bytes = w->window_shift < 64 ? 1ull << w->window_shift : 0;
	if (w->window_shift >= g->cfg.page_shift)
		guest_tce_clearrange(g, w, 0, bytes);
	remove_window_rtas(g, p, w->liobn);
}

/* walk_system_ram_range() over the RAM regions, adjacent regions merged as one resource. */
static int map_all_ram(struct dmawin_guest *g, const struct guest_ddw *w)
{
	unsigned n = dmawin_mem_region_count(g->mem);
	uint64_t run_start = 0, run_end = 0;
	for (unsigned i = 0; i <= n; i++) {
		struct dmawin_mem_region_info ri = {0};
		if (i < n && dmawin_mem_region_info(g->mem, i, &ri))
			return -EIO;
		if (i < n && run_end == ri.gpa && run_end != run_start) {
			run_end += ri.size;
			continue;
		}
		if (run_end != run_start) {
			int rc = guest_tce_setrange(g, w, run_start, run_end - run_start);
			if (rc)
				return rc;
		}
		run_start = ri.gpa;
		run_end = ri.gpa + ri.size;
	}
	return 0;
}

/* iommu_get_page_shift(): the largest page offered. */
static unsigned page_shift_from_mask(uint32_t mask)
{
	static const unsigned shift[] = {12, 16, 24, 25, 26, 27, 28, 34, 21};
	unsigned best = 0;
	for (unsigned i = 0; i < sizeof(shift) / sizeof(shift[0]); i++)
		if ((mask & (1u << i)) && shift[i] > best)
			best = shift[i];
	return best;
}

struct ddw_plan {
	unsigned page_shift;
	unsigned len;
	bool direct;
};

/*
 * Window size and direct/indirect choice, from the query and the memory layout. A mask of
 * @bits < 64 (limited addressing) also caps the size at fls64(mask) = @bits, as newer kernels
 * do; 64 leaves the Linux 6.1 computation as it was.
 */
static void plan_window(struct dmawin_guest *g, const struct dmawin_papr_ddw_query *q,
			bool default_removed, unsigned bits, struct ddw_plan *plan)
{
	unsigned max_ram_len = order_base_2(g->max_ram_top);
	unsigned maxbits = g->cfg.max_physmem_bits;
	unsigned ps = plan->page_shift;
	unsigned len = max_ram_len;
	if (g->cfg.pmem_present && maxbits >= ps && maxbits - ps < 64 && maxbits <= bits &&
	    q->largest_block >= (1ull << (maxbits - ps)))
		len = maxbits;
	bool enough =
		len < ps || len - ps >= 64 ? len < ps : q->largest_block >= (1ull << (len - ps));
	if (bits < 64 && len > bits)
		enough = false;
	if (!enough) {
		/* order_base_2(largest_block << page_shift), without the 64-bit overflow */
		plan->len = order_base_2(q->largest_block) + ps;
		if (bits < 64 && plan->len > bits)
			plan->len = bits;
		plan->direct = false;
	} else {
		plan->len = len;
		plan->direct = !default_removed || len == maxbits ||
			       (!g->cfg.pmem_present && len == max_ram_len);
	}
}

static int setup_indirect(struct dmawin_guest *g, struct guest_ddw *w)
{
	uint64_t bytes = w->window_shift < 64 ? 1ull << w->window_shift : 0;
	int rc = guest_table_create(g, w->liobn, w->start, bytes, w->page_shift,
				    GUEST_MMIO32_START >> w->page_shift,
				    GUEST_MMIO32_END >> w->page_shift, &w->tbl);
	if (rc)
		return rc;
	rc = guest_table_clear(g, w->tbl);
	if (rc) {
		guest_table_destroy(w->tbl);
		w->tbl = NULL;
	}
	return rc;
}

/* Make room when no window is available: the default window must be unused. */
static int free_default_window(struct dmawin_guest *g, struct guest_device *d,
			       struct dmawin_papr_ddw_query *q, uint32_t *reset_token)
{
	struct guest_phb *p = d->phb;
	struct guest_table *t0 = p->tbl0;
	if (t0 && atomic_load(&t0->used) != 0)
		return -EBUSY;
	if (!t0 || p->dt.dma_window[4] == 0 || !ddw_read_ext(p, DDW_EXT_RESET_DMA_WIN, reset_token))
		return -ENODEV;
	remove_default_window(g, p);
	if (query_ddw(g, d, q) != 0 || q->windows_available == 0)
		return -ENOSPC;
	return 0;
}

/*
 * Can a device with a mask of @bits use window @w? A direct window must lie below the mask as
 * a whole (bus address = phys + start for every RAM page); a window used with dynamic TCEs
 * must start below it (the allocator keeps IOVAs under the mask). Always true for 64 bits.
 */
static bool window_fits_mask(const struct guest_ddw *w, unsigned bits)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
	uint64_t last;
	if (bits >= 64)
		return true;
	if (!w->direct)
		return w->start <= mask;
	return w->window_shift < 64 &&
	       !__builtin_add_overflow(w->start, (1ull << w->window_shift) - 1, &last) &&
	       last <= mask;
}

static int create_and_map(struct dmawin_guest *g, struct guest_device *d,
			  const struct ddw_plan *plan, unsigned bits, struct guest_ddw *w)
{
	if (create_ddw(g, d, plan->page_shift, plan->len, &w->liobn, &w->start) != 0)
		return -EIO;
	w->page_shift = plan->page_shift;
	w->window_shift = plan->len;
	w->direct = plan->direct;
	if (!window_fits_mask(w, bits)) {
		/* e.g. a 48-bit device and a DDW at 1 << 59: nothing mapped yet */
		remove_window_rtas(g, d->phb, w->liobn);
		return -ERANGE;
	}
	int rc = plan->direct ? map_all_ram(g, w) : setup_indirect(g, w);
	if (rc) {
		clean_and_remove(g, d->phb, w);
		return rc;
	}
	return 0;
}

/*
 * limited_dma_window() of newer kernels (PAPR 2.13): a mask below 64 bits needs the PHB in
 * limited addressing mode, entered by ibm,reset-pe-dma-windows with a fourth input 1. That
 * reset zeroes the default window, so (unlike Linux, which does not look) it is not done while
 * the default window holds mappings of other devices.
 */
static int limited_dma_window(struct dmawin_guest *g, struct guest_device *d, uint32_t *token)
{
	struct guest_phb *p = d->phb;
	uint32_t supported = 0;
	if (!ddw_read_ext(p, DDW_EXT_RESET_DMA_WIN, token) ||
	    !ddw_read_ext(p, DDW_EXT_LIMITED_ADDR, &supported) || supported == 0)
		return -EPROTONOSUPPORT;
	if (p->default_removed || (p->tbl0 && atomic_load(&p->tbl0->used) != 0))
		return -EBUSY;
	uint32_t args[4] = {cfg_addr(d), (uint32_t)(p->dt.buid >> 32), (uint32_t)p->dt.buid, 1};
	uint32_t rets[1];
	if (rtas(g, GUEST_CTR(rtas_reset), *token, 4, args, 1, rets) != 0)
		return -EIO;
	return 0;
}

/*
 * enable_ddw() for device @d with a mask of @bits (> 32; below 64 only with
 * ddw_for_masks_above_32). Return 0 with a DDW for the PE (*direct tells how it is used), or a
 * negative errno when the device must stay on the default window.
 */
int guest_enable_ddw(struct dmawin_guest *g, struct guest_device *d, unsigned bits, bool *direct)
{
	struct guest_phb *p = d->phb;
	if (p->ddw.present) {
		/* the PE's DDW (made for another device) out of this mask's reach: the device
		 * keeps the default window; the PE is not marked failed */
		if (!window_fits_mask(&p->ddw, bits))
			return -ERANGE;
		guest_count(g, GUEST_CTR(ddw_reused), 1);
		*direct = p->ddw.direct;
		return 0;
	}
	if (p->ddw_failed)
		return -ENODEV;
	struct dmawin_papr_ddw_query q;
	struct guest_ddw w = {0};
	bool removed = false, limited = false;
	uint32_t reset_token = 0;
	int rc = -ENODEV;
	if (!p->dt.has_ddw || query_ddw(g, d, &q) != 0)
		goto failed;
	if (bits < 64) {
		rc = limited_dma_window(g, d, &reset_token);
		if (rc)
			goto failed;
		limited = true;
	}
	if (q.windows_available == 0) {
		rc = free_default_window(g, d, &q, &reset_token);
		removed = rc == 0 || rc == -ENOSPC; /* the window is gone in both cases */
		if (rc)
			goto failed;
	}
	struct ddw_plan plan = {.page_shift = page_shift_from_mask(q.page_size_mask)};
	if (!plan.page_shift) {
		rc = -ENODEV;
		goto failed;
	}
	plan_window(g, &q, removed, bits, &plan);
	rc = create_and_map(g, d, &plan, bits, &w);
	if (rc)
		goto failed;
	if (removed) {
		guest_table_destroy(p->tbl0);
		p->tbl0 = NULL;
		p->default_removed = true;
		guest_count(g, GUEST_CTR(default_removed), 1);
	}
	w.present = true;
	p->ddw = w;
	guest_count(g, GUEST_CTR(ddw_created), 1);
	*direct = w.direct;
	return 0;
failed:
	if (removed || limited) /* back to the default window, out of limited mode */
		reset_dma_window(g, d, reset_token);
	p->ddw_failed = true;
	guest_count(g, GUEST_CTR(ddw_failed), 1);
	return rc ? rc : -ENODEV;
}

/* remove_ddw() on PHB detach: clear and remove the DDW, forget it. */
int guest_remove_ddw(struct dmawin_guest *g, struct guest_phb *p)
{
	if (!p->ddw.present)
		return 0;
	uint64_t before = atomic_load(&g->ctr.v[GUEST_CTR(rtas_errors)]);
	clean_and_remove(g, p, &p->ddw);
	guest_table_destroy(p->ddw.tbl);
	p->ddw = (struct guest_ddw){0};
	return atomic_load(&g->ctr.v[GUEST_CTR(rtas_errors)]) != before ? -EIO : 0;
}

/* pci_dma_bus_setup_pSeriesLP(): the default window's table, cleared before use. */
int guest_setup_phb(struct dmawin_guest *g, struct guest_phb *p)
{
	int rc = dmawin_papr_phb_dt(g->m, p->pos, &p->dt);
	if (rc)
		return rc;
	const uint32_t *c = p->dt.dma_window;
	uint64_t start = (uint64_t)c[1] << 32 | c[2];
	uint64_t size = (uint64_t)c[3] << 32 | c[4];
	p->default_removed = false;
	if (size == 0)
		return 0;
	rc = guest_table_create(g, c[0], start, size, 12, 0, 0, &p->tbl0);
	if (rc)
		return rc;
	rc = guest_table_clear(g, p->tbl0);
	if (rc) {
		guest_table_destroy(p->tbl0);
		p->tbl0 = NULL;
	}
	return rc;
}
