/* SPDX-License-Identifier: MIT */
/*
 * The window planner: for each device and each candidate window, can the DMA mask reach it, at
 * which page size, direct or on demand, and what does its TCE table cost. Table costs are
 * measured on real `tce` tables of the geometry in question (only the top level is allocated,
 * so even a 2^59-byte window costs a few KiB to ask about).
 */
#include <stdlib.h>
#include <string.h>

#include "dmawin/tce.h"
#include "sim/sim_int.h"

#define BUS_4GB		   DMAWIN_PAPR_DMA64_WIN_ADDR_4GB
#define BUS_1_59	   DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR
#define QEMU_MAX_TCE_SHIFT 31 /* QEMU's nb_table is a uint32_t: window_shift - page_shift < 32 */

struct plan_ctx {
	const struct dmawin_sim_scenario *sc;
	const struct dmawin_papr_phb_config *phb;
	bool bypass;
	const struct dmawin_sim_device *dev;
};

static unsigned order_base_2(uint64_t v)
{
	return v <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(v - 1);
}

static uint64_t mask_last(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

/* The largest IOMMU page the PHB offers to DDW (the guest picks the biggest, spec §5), within
 * the RAM backing page for a VFIO device (the host cannot map a bigger page than backs RAM). */
static unsigned biggest_page(const struct plan_ctx *c)
{
	unsigned best = 0;

	for (unsigned s = 12; s <= 34; s++) {
		if (!(c->phb->pgsz & (UINT64_C(1) << s)) || !dmawin_tce_page_shift_valid(s))
			continue;
		if (s == 21 && c->sc->papr.compat < 701)
			continue;
		if (c->dev->vfio && (UINT64_C(1) << s) > c->sc->backing_page_size)
			continue;
		best = s;
	}
	return best;
}

/* Levels and bytes of a table of this geometry, from the tce layer itself. */
static void measure_table(struct dmawin_sim_plan_option *o)
{
	struct dmawin_tce_geometry g = {.page_shift = o->page_shift, .window_size = o->size};
	struct dmawin_tce_table *t;
	struct dmawin_tce_footprint fp;
	struct dmawin_tce_info info;

	if (dmawin_tce_create(&g, &t) < 0)
		return;
	if (dmawin_tce_info(t, &info) == 0 && dmawin_tce_footprint(t, &fp) == 0) {
		o->levels = info.levels;
		o->tces = info.entries;
		o->table_bytes = fp.flat;
		o->host_table_bytes = fp.linux_table;
	}
	dmawin_tce_unref(t);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static void plan_default(const struct plan_ctx *c, struct dmawin_sim_plan_option *o)
{
	o->configured = true;
	o->start = c->phb->dma_win_addr;
	o->size = c->phb->dma_win_size;
	o->page_shift = 12;
	o->offered = o->size != 0;
	if (!o->offered) {
		snprintf(o->why, sizeof(o->why),
			 "dma_win_size is 0: the PHB has no default window");
		return;
	}
	measure_table(o);
	o->reachable = o->start + o->size - 1 <= mask_last(c->dev->dma_mask_bits);
	if (!o->reachable)
		snprintf(o->why, sizeof(o->why), "window ends at 0x%llx, beyond the %u-bit mask",
			 (unsigned long long)(o->start + o->size - 1), c->dev->dma_mask_bits);
	else
		snprintf(o->why, sizeof(o->why),
			 "4 KiB pages mapped on demand (an hcall per mapping)");
}

/* Why the platform would refuse a DDW here, or NULL. */
static const char *ddw_refused(const struct plan_ctx *c, bool bypass)
{
	if (bypass)
		return c->bypass ? NULL
				 : "not offered: sPAPR guests cannot bypass the IOMMU (set "
				   "\"bypass\" "
				   "to model a PowerNV host)";
	if (!c->phb->ddw)
		return "not offered: ddw=off on this PHB";
	if (c->sc->disable_ddw)
		return "not used: the guest runs with disable_ddw";
	return NULL;
}

/* Size the window as Linux does: all of maxmem if the TCE budget allows (direct), else the
 * biggest window the budget gives (indirect, seed 001). */
static void size_ddw(const struct plan_ctx *c, struct dmawin_sim_plan_option *o)
{
	unsigned len = order_base_2(c->sc->papr.maxmem);
	uint64_t need = UINT64_C(1) << (len - o->page_shift);
	uint64_t budget = c->phb->tce_budget;

	o->direct = true;
	o->size = UINT64_C(1) << len;
	if (budget && budget < need) {
		unsigned tce_shift = 63 - (unsigned)__builtin_clzll(budget);

		o->direct = false;
		o->size = UINT64_C(1) << (tce_shift + o->page_shift);
		snprintf(o->why, sizeof(o->why),
			 "TCE budget %llu < %llu TCEs for a direct map: %llu TCEs mapped on demand",
			 (unsigned long long)budget, (unsigned long long)need,
			 (unsigned long long)(UINT64_C(1) << tce_shift));
	} else if (len - o->page_shift > QEMU_MAX_TCE_SHIFT) {
		o->offered = false;
		snprintf(o->why, sizeof(o->why),
			 "not offered: %llu TCEs exceed QEMU's 2^31 per window",
			 (unsigned long long)need);
	}
}

/* A 33..63-bit mask gets a DDW from the guest: a 2025 kernel and a PHB offering limited
 * addressing (PAPR 2.13; QEMU does not). */
static bool limited_ddw(const struct plan_ctx *c)
{
	return c->sc->ddw_for_masks_above_32 && c->phb->ddw_limited_addr &&
	       c->dev->dma_mask_bits > 32;
}

static void plan_ddw(const struct plan_ctx *c, uint64_t start, struct dmawin_sim_plan_option *o)
{
	const char *refused = ddw_refused(c, false);
	uint64_t last;

	o->configured = c->phb->ddw && c->phb->dma64_win_addr == start;
	o->start = start;
	o->page_shift = biggest_page(c);
	if (refused || !o->page_shift) {
		snprintf(o->why, sizeof(o->why), "%s",
			 refused ? refused : "not offered: no usable page size in pgsz");
		return;
	}
	o->offered = true;
	size_ddw(c, o);
	if (!o->offered)
		return;
	measure_table(o);
	if (overlaps(o->start, o->size, c->phb->dma_win_addr, c->phb->dma_win_size) ||
	    overlaps(o->start, o->size, DMAWIN_PAPR_MSI_WINDOW, 1)) {
		o->offered = false;
		snprintf(o->why, sizeof(o->why),
			 "not offered: [0x%llx, +0x%llx) would overlap the default or MSI window",
			 (unsigned long long)o->start, (unsigned long long)o->size);
		return;
	}
	last = o->start + o->size - 1;
	o->reachable = last <= mask_last(c->dev->dma_mask_bits);
	if (!o->reachable)
		snprintf(o->why, sizeof(o->why),
			 "window [0x%llx, 0x%llx] is beyond the %u-bit mask",
			 (unsigned long long)o->start, (unsigned long long)last,
			 c->dev->dma_mask_bits);
	else if (c->dev->dma_mask_bits < 64 && limited_ddw(c))
		snprintf(o->why, sizeof(o->why),
			 "reachable: the guest (2025 kernel) asks for it in limited addressing "
			 "mode");
	else if (c->dev->dma_mask_bits < 64)
		snprintf(o->why, sizeof(o->why),
			 "reachable, but Linux up to 6.x asks a DDW only for a 64-bit mask (a 2025 "
			 "kernel with limited addressing, or a VFIO user, creates it)");
	else if (o->direct)
		snprintf(o->why, sizeof(o->why), "all RAM mapped once (%llu TCEs)",
			 (unsigned long long)o->tces);
}

static void plan_bypass(const struct plan_ctx *c, struct dmawin_sim_plan_option *o)
{
	const char *refused = ddw_refused(c, true);

	o->configured = c->bypass;
	o->start = c->phb->dma64_win_addr;
	o->size = UINT64_C(1) << order_base_2(c->sc->papr.maxmem);
	o->direct = true;
	if (refused) {
		snprintf(o->why, sizeof(o->why), "%s", refused);
		return;
	}
	o->offered = true;
	o->reachable = o->start + o->size - 1 <= mask_last(c->dev->dma_mask_bits);
	snprintf(o->why, sizeof(o->why),
		 o->reachable ? "RAM at bus 0x%llx + gpa, no TCEs"
			      : "bypass at 0x%llx is beyond the mask",
		 (unsigned long long)o->start);
}

/* Preference: direct before on-demand, configured before "reconfigure the PHB", DDW before
 * the small default window. */
static int score(const struct dmawin_sim_plan_option *o, int cand, bool configured_only)
{
	if (!o->offered || !o->reachable || (configured_only && !o->configured))
		return -1;
	if (cand == DMAWIN_SIM_CAND_DEFAULT)
		return 40;
	if (cand == DMAWIN_SIM_CAND_BYPASS)
		return 90;
	if (o->direct)
		return o->configured ? 100 : 80;
	return o->configured ? 60 : 50;
}

/* @configured_only: what the guest gets today: Linux 6.x asks a DDW only for a 64-bit mask
 * (spec §5), a 2025 kernel also for 33..63 bits when the PHB offers limited addressing
 * (@limited); otherwise the best the platform could give. */
static int best(const struct dmawin_sim_plan_device *d, bool configured_only, bool limited)
{
	int pick = -1, top = -1;

	for (int i = 0; i < DMAWIN_SIM_NR_CANDIDATES; i++) {
		bool ddw = i == DMAWIN_SIM_CAND_DDW || i == DMAWIN_SIM_CAND_DDW_4GB;
		int s = configured_only && ddw && d->dma_mask_bits < 64 && !limited
				? -1
				: score(&d->options[i], i, configured_only);

		if (s > top) {
			top = s;
			pick = i;
		}
	}
	return pick;
}

static void plan_device(const struct dmawin_sim_scenario *sc, const struct dmawin_sim_device *dev,
			struct dmawin_sim_plan_device *d)
{
	struct plan_ctx c = {.sc = sc, .dev = dev};

	for (uint32_t i = 0; i < sc->papr.nr_phbs; i++)
		if (sc->papr.phbs[i].index == dev->phb_index) {
			c.phb = &sc->papr.phbs[i];
			c.bypass = sc->phb_bypass[i];
		}
	memcpy(d->name, dev->name, sizeof(d->name));
	d->kind = dev->kind;
	d->dma_mask_bits = dev->dma_mask_bits;
	d->phb_index = dev->phb_index;
	d->vfio = dev->vfio;
	if (dev->kind == DMAWIN_SIM_EP) {
		for (int k = 0; k < DMAWIN_SIM_NR_CANDIDATES; k++)
			snprintf(d->options[k].why, sizeof(d->options[k].why), "not a PHB device");
		d->current = d->recommended = -1;
		snprintf(d->reason, sizeof(d->reason),
			 "PCIe endpoint (seed 004): buffers exposed through its ATU into its own "
			 "IOMMU domain; no PHB window involved");
		return;
	}
	plan_default(&c, &d->options[DMAWIN_SIM_CAND_DEFAULT]);
	plan_ddw(&c, BUS_1_59, &d->options[DMAWIN_SIM_CAND_DDW]);
	plan_ddw(&c, BUS_4GB, &d->options[DMAWIN_SIM_CAND_DDW_4GB]);
	plan_bypass(&c, &d->options[DMAWIN_SIM_CAND_BYPASS]);
	d->current = best(d, true, c.phb && limited_ddw(&c));
	d->recommended = best(d, false, false);
	sim_plan_reason(sc, d);
}

/* The windows live on each PHB with the current choices: the default window (Linux keeps it
 * while a window slot is free) and the PHB's one DDW if any device uses it (QEMU: PE = PHB). */
static void plan_windows(const struct dmawin_sim_scenario *sc, struct dmawin_sim_plan *plan)
{
	for (uint32_t i = 0; i < sc->papr.nr_phbs; i++) {
		const struct dmawin_papr_phb_config *phb = &sc->papr.phbs[i];
		const struct dmawin_sim_plan_option *ddw = NULL;
		struct dmawin_sim_plan_window *w;

		for (uint32_t k = 0; k < plan->nr_devices; k++) {
			const struct dmawin_sim_plan_device *d = &plan->devices[k];

			if (d->phb_index == phb->index && (d->current == DMAWIN_SIM_CAND_DDW ||
							   d->current == DMAWIN_SIM_CAND_DDW_4GB))
				ddw = &d->options[d->current];
		}
		if (phb->dma_win_size) {
			struct dmawin_sim_plan_option def = {.size = phb->dma_win_size,
							     .page_shift = 12};

			measure_table(&def);
			w = &plan->windows[plan->nr_windows++];
			*w = (struct dmawin_sim_plan_window){phb->index,
							     DMAWIN_PAPR_LIOBN(phb->index, 0),
							     phb->dma_win_addr,
							     phb->dma_win_size,
							     12,
							     def.tces,
							     true};
			plan->table_bytes_total += def.table_bytes;
		}
		if (ddw) {
			w = &plan->windows[plan->nr_windows++];
			*w = (struct dmawin_sim_plan_window){phb->index,
							     DMAWIN_PAPR_LIOBN(phb->index, 1),
							     ddw->start,
							     ddw->size,
							     ddw->page_shift,
							     ddw->tces,
							     false};
			plan->table_bytes_total += ddw->table_bytes;
		}
	}
}

int dmawin_sim_plan_create(const struct dmawin_sim_scenario *sc, struct dmawin_sim_plan **out)
{
	struct sim_parse p = {NULL, ""};
	struct dmawin_sim_plan *plan;

	if (!sc || !out || sim_scenario_check(&p, sc) < 0 ||
	    sc->nr_devices > DMAWIN_SIM_MAX_DEVICES)
		return -EINVAL;
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	memcpy(plan->scenario, sc->name, sizeof(plan->scenario));
	plan->ram_size = sc->papr.ram_size;
	plan->maxmem = sc->papr.maxmem ? sc->papr.maxmem : sc->papr.ram_size;
	for (uint32_t i = 0; i < sc->nr_devices; i++)
		plan_device(sc, &sc->devices[i], &plan->devices[plan->nr_devices++]);
	plan_windows(sc, plan);
	*out = plan;
	return 0;
}

void dmawin_sim_plan_destroy(struct dmawin_sim_plan *plan)
{
	free(plan);
}

const char *dmawin_sim_candidate_name(int candidate)
{
	static const char *const names[] = {"default", "ddw", "ddw-4gb", "bypass"};

	if (candidate < 0 || candidate >= DMAWIN_SIM_NR_CANDIDATES)
		return "?";
	return names[candidate];
}
