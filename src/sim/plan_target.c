/* SPDX-License-Identifier: MIT */
/* The planner's words: why a choice is recommended, and whether live windows fit a target. */
#include <string.h>

#include "sim/sim_int.h"

static void reason_for(const struct dmawin_sim_scenario *sc, const struct dmawin_sim_plan_device *d,
		       int cand, char *buf, size_t len)
{
	const struct dmawin_sim_plan_option *o = &d->options[cand];
	const struct dmawin_sim_plan_option *def = &d->options[DMAWIN_SIM_CAND_DEFAULT];
	char a[32], b[32], c[32];

	switch (cand) {
	case DMAWIN_SIM_CAND_BYPASS:
		snprintf(buf, len, "host TCE bypass at 0x%llx: no table, no hcall per DMA",
			 (unsigned long long)o->start);
		break;
	case DMAWIN_SIM_CAND_DEFAULT:
		snprintf(buf, len, "only the default window (%s of 4 KiB pages) serves it: %.150s",
			 sim_fmt_size(o->size, a, sizeof(a)),
			 d->options[DMAWIN_SIM_CAND_DDW].configured
				 ? d->options[DMAWIN_SIM_CAND_DDW].why
				 : d->options[DMAWIN_SIM_CAND_DDW_4GB].why);
		break;
	default:
		if (o->direct)
			snprintf(buf, len,
				 "DDW at 0x%llx maps all %s of RAM once with %s pages (%llu TCEs): "
				 "no hcall per DMA",
				 (unsigned long long)o->start,
				 sim_fmt_size(sc->papr.maxmem, a, sizeof(a)),
				 sim_fmt_size(UINT64_C(1) << o->page_shift, b, sizeof(b)),
				 (unsigned long long)o->tces);
		else
			snprintf(buf, len,
				 "DDW + indirect mapping (seed 001): %.100s; %s pages give %s of "
				 "DMA space "
				 "against %s in the default window",
				 o->why, sim_fmt_size(UINT64_C(1) << o->page_shift, a, sizeof(a)),
				 sim_fmt_size(o->size, b, sizeof(b)),
				 sim_fmt_size(def->offered ? def->size : 0, c, sizeof(c)));
	}
}

void sim_plan_reason(const struct dmawin_sim_scenario *sc, struct dmawin_sim_plan_device *d)
{
	char now[48];

	if (d->recommended < 0) {
		snprintf(d->reason, sizeof(d->reason),
			 "no window of PHB %u is offered within a %u-bit DMA mask", d->phb_index,
			 d->dma_mask_bits);
		return;
	}
	if (d->recommended == d->current) {
		reason_for(sc, d, d->recommended, d->reason, sizeof(d->reason));
		return;
	}
	if (d->current >= 0)
		snprintf(now, sizeof(now), "today: %s", dmawin_sim_candidate_name(d->current));
	else
		snprintf(now, sizeof(now), "today: nothing reaches it");
	if (d->options[d->recommended].configured)
		snprintf(d->reason, sizeof(d->reason),
			 "the DDW at 0x%llx is within the %u-bit mask, but Linux up to 6.x asks a "
			 "DDW "
			 "only for a 64-bit mask: a 2025 kernel (limited addressing) or a VFIO "
			 "user maps "
			 "all RAM there; %s",
			 (unsigned long long)d->options[d->recommended].start, d->dma_mask_bits,
			 now);
	else if (d->recommended == DMAWIN_SIM_CAND_DDW_4GB)
		snprintf(d->reason, sizeof(d->reason),
			 "set dma64_win_addr=0x100000000 on PHB %u (4GB mode, seed 000): the DDW "
			 "then "
			 "sits below the %u-bit mask and maps all RAM directly; %s",
			 d->phb_index, d->dma_mask_bits, now);
	else
		snprintf(d->reason, sizeof(d->reason),
			 "reconfigure PHB %u for a %s window (dma64_win_addr=0x%llx); %s",
			 d->phb_index, dmawin_sim_candidate_name(d->recommended),
			 (unsigned long long)d->options[d->recommended].start, now);
}

static void problem(struct dmawin_sim_target_check *out, const struct dmawin_sim_plan_window *w,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(struct dmawin_sim_target_check *out, const struct dmawin_sim_plan_window *w,
		    const char *fmt, ...)
{
	va_list ap;

	out->safe = false;
	if (out->nr_problems >= DMAWIN_SIM_MAX_PROBLEMS)
		return;
	out->problems[out->nr_problems].phb_index = w->phb_index;
	out->problems[out->nr_problems].start = w->start;
	va_start(ap, fmt);
	vsnprintf(out->problems[out->nr_problems].text, DMAWIN_SIM_TEXT_MAX, fmt, ap);
	va_end(ap);
	out->nr_problems++;
}

static const struct dmawin_papr_phb_config *target_phb(const struct dmawin_sim_scenario *t,
						       uint32_t index)
{
	for (uint32_t i = 0; i < t->papr.nr_phbs; i++)
		if (t->papr.phbs[i].index == index)
			return &t->papr.phbs[i];
	return NULL;
}

static unsigned live_windows(const struct dmawin_sim_plan *plan, uint32_t index)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < plan->nr_windows; i++)
		n += plan->windows[i].phb_index == index;
	return n;
}

static void check_ddw(const struct dmawin_sim_plan *plan, const struct dmawin_sim_scenario *t,
		      const struct dmawin_papr_phb_config *tp,
		      const struct dmawin_sim_plan_window *w, struct dmawin_sim_target_check *out)
{
	if (!tp->ddw) {
		problem(out, w, "DDW 0x%x: the target PHB has ddw=off", w->liobn);
		return;
	}
	if (tp->dma64_win_addr != w->start)
		problem(out, w,
			"DDW 0x%x lives at 0x%llx but the target places its 64-bit window at "
			"0x%llx "
			"(dma64_win_addr): the guest's DMA addresses would change",
			w->liobn, (unsigned long long)w->start,
			(unsigned long long)tp->dma64_win_addr);
	if (!(tp->pgsz & (UINT64_C(1) << w->page_shift)) ||
	    (w->page_shift == 21 && t->papr.compat < 701))
		problem(out, w,
			"DDW 0x%x uses 2^%u-byte pages, which the target's pgsz 0x%llx lacks",
			w->liobn, w->page_shift, (unsigned long long)tp->pgsz);
	if (tp->tce_budget && tp->tce_budget < w->tces)
		problem(out, w, "DDW 0x%x has %llu TCEs, above the target's budget of %llu",
			w->liobn, (unsigned long long)w->tces, (unsigned long long)tp->tce_budget);
	if (tp->max_windows < live_windows(plan, w->phb_index))
		problem(out, w, "PHB %u has %u live windows, the target allows %u", w->phb_index,
			live_windows(plan, w->phb_index), tp->max_windows);
}

int dmawin_sim_plan_target(const struct dmawin_sim_plan *plan,
			   const struct dmawin_sim_scenario *target,
			   struct dmawin_sim_target_check *out)
{
	if (!plan || !target || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->safe = true;
	for (uint32_t i = 0; i < plan->nr_windows; i++) {
		const struct dmawin_sim_plan_window *w = &plan->windows[i];
		const struct dmawin_papr_phb_config *tp = target_phb(target, w->phb_index);

		if (!tp) {
			problem(out, w, "the target has no PHB with index %u", w->phb_index);
			continue;
		}
		if (!w->is_default) {
			check_ddw(plan, target, tp, w, out);
			continue;
		}
		if (tp->dma_win_addr != w->start || tp->dma_win_size != w->size)
			problem(out, w,
				"default window 0x%x is [0x%llx, +0x%llx) here but [0x%llx, "
				"+0x%llx) "
				"on the target",
				w->liobn, (unsigned long long)w->start, (unsigned long long)w->size,
				(unsigned long long)tp->dma_win_addr,
				(unsigned long long)tp->dma_win_size);
	}
	return 0;
}
