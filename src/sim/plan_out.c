/* SPDX-License-Identifier: MIT */
/* The plan as text and as JSON. */
#include "sim/sim_int.h"

static void print_option(const struct dmawin_sim_plan_device *d, int cand, FILE *f)
{
	const struct dmawin_sim_plan_option *o = &d->options[cand];
	char sz[32], pg[32], tb[32];

	fprintf(f, "    %c %-8s %-10s", cand == d->recommended ? '*' : ' ',
		dmawin_sim_candidate_name(cand),
		!o->offered    ? "-"
		: o->reachable ? "reachable"
			       : "too-high");
	if (o->offered && cand != DMAWIN_SIM_CAND_BYPASS)
		fprintf(f, " 0x%-17llx %-8s %-7s %-8s %9llu TCEs %10s",
			(unsigned long long)o->start, sim_fmt_size(o->size, sz, sizeof(sz)),
			sim_fmt_size(UINT64_C(1) << o->page_shift, pg, sizeof(pg)),
			o->direct ? "direct" : "indirect", (unsigned long long)o->tces,
			sim_fmt_size(o->table_bytes, tb, sizeof(tb)));
	else if (o->offered)
		fprintf(f, " 0x%-17llx %-8s %-7s %-8s %9s", (unsigned long long)o->start,
			sim_fmt_size(o->size, sz, sizeof(sz)), "-", "direct", "no TCEs");
	fprintf(f, "%s%s\n", o->why[0] ? "  " : "", o->why);
}

int dmawin_sim_plan_print(const struct dmawin_sim_plan *plan,
			  const struct dmawin_sim_target_check *target, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "plan for scenario '%s': RAM %s, hotplug max %s\n", plan->scenario,
		sim_fmt_size(plan->ram_size, a, sizeof(a)),
		sim_fmt_size(plan->maxmem, b, sizeof(b)));
	for (uint32_t i = 0; i < plan->nr_devices; i++) {
		const struct dmawin_sim_plan_device *d = &plan->devices[i];

		fprintf(f, "\n%s (%s, %u-bit mask, PHB %u%s): %s\n", d->name,
			dmawin_sim_kind_name(d->kind), d->dma_mask_bits, d->phb_index,
			d->vfio ? ", vfio" : "",
			d->kind == DMAWIN_SIM_EP ? "its own IOMMU domain"
			: d->recommended < 0	 ? "NO WINDOW"
						 : dmawin_sim_candidate_name(d->recommended));
		fprintf(f, "  why: %s\n", d->reason);
		for (int c = 0; c < DMAWIN_SIM_NR_CANDIDATES; c++)
			print_option(d, c, f);
	}
	fprintf(f, "\nlive windows (%u), table memory %s:\n", plan->nr_windows,
		sim_fmt_size(plan->table_bytes_total, a, sizeof(a)));
	for (uint32_t i = 0; i < plan->nr_windows; i++) {
		const struct dmawin_sim_plan_window *w = &plan->windows[i];

		fprintf(f, "  PHB %-2u liobn 0x%08x %-7s 0x%-17llx %-8s pages %s\n", w->phb_index,
			w->liobn, w->is_default ? "default" : "ddw", (unsigned long long)w->start,
			sim_fmt_size(w->size, a, sizeof(a)),
			sim_fmt_size(UINT64_C(1) << w->page_shift, b, sizeof(b)));
	}
	if (target) {
		fprintf(f, "\ntarget: %s\n",
			target->safe ? "SAFE, every live window can be placed "
				       "at the same address"
				     : "UNSAFE");
		for (uint32_t i = 0; i < target->nr_problems; i++)
			fprintf(f, "  PHB %u window 0x%llx: %s\n", target->problems[i].phb_index,
				(unsigned long long)target->problems[i].start,
				target->problems[i].text);
		if (target->restore_checked)
			fprintf(f, "  papr snapshot restored on the target: %s (%s)\n",
				target->restore_rc == 0 ? "accepted" : "REFUSED",
				target->restore_why);
	}
	return fflush(f) == EOF || ferror(f) ? -EIO : 0;
}

static json_t *option_json(const struct dmawin_sim_plan_option *o)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:I, s:I, s:i, s:i, s:I, s:I, s:I, s:s}",
			 "configured", o->configured, "offered", o->offered, "reachable",
			 o->reachable, "direct", o->direct, "start", (json_int_t)o->start, "size",
			 (json_int_t)o->size, "page_shift", (int)o->page_shift, "levels",
			 (int)o->levels, "tces", (json_int_t)o->tces, "table_bytes",
			 (json_int_t)o->table_bytes, "host_table_bytes",
			 (json_int_t)o->host_table_bytes, "why", o->why);
}

static json_t *device_json(const struct dmawin_sim_plan_device *d)
{
	json_t *opts = json_object(), *dev;

	for (int c = 0; c < DMAWIN_SIM_NR_CANDIDATES; c++)
		json_object_set_new(opts, dmawin_sim_candidate_name(c),
				    option_json(&d->options[c]));
	dev = json_pack("{s:s, s:s, s:i, s:i, s:b, s:o, s:o, s:o, s:s}", "name", d->name, "kind",
			dmawin_sim_kind_name(d->kind), "dma_mask", (int)d->dma_mask_bits, "phb",
			(int)d->phb_index, "vfio", d->vfio, "options", opts, "current",
			d->current < 0 ? json_null()
				       : json_string(dmawin_sim_candidate_name(d->current)),
			"recommended",
			d->recommended < 0 ? json_null()
					   : json_string(dmawin_sim_candidate_name(d->recommended)),
			"reason", d->reason);
	return dev;
}

static json_t *target_json(const struct dmawin_sim_target_check *t)
{
	json_t *problems = json_array();

	for (uint32_t i = 0; i < t->nr_problems; i++)
		json_array_append_new(problems, json_pack("{s:i, s:I, s:s}", "phb",
							  (int)t->problems[i].phb_index, "start",
							  (json_int_t)t->problems[i].start,
							  "problem", t->problems[i].text));
	return json_pack("{s:b, s:o, s:o}", "safe", t->safe, "problems", problems, "restore",
			 !t->restore_checked
				 ? json_null()
				 : json_pack("{s:b, s:i, s:s}", "accepted", t->restore_rc == 0,
					     "rc", t->restore_rc, "why", t->restore_why));
}

int dmawin_sim_plan_print_json(const struct dmawin_sim_plan *plan,
			       const struct dmawin_sim_target_check *target, FILE *f)
{
	json_t *devices = json_array(), *windows = json_array();

	for (uint32_t i = 0; i < plan->nr_devices; i++)
		json_array_append_new(devices, device_json(&plan->devices[i]));
	for (uint32_t i = 0; i < plan->nr_windows; i++) {
		const struct dmawin_sim_plan_window *w = &plan->windows[i];

		json_array_append_new(
			windows,
			json_pack("{s:i, s:I, s:I, s:I, s:i, s:I, s:b}", "phb", (int)w->phb_index,
				  "liobn", (json_int_t)w->liobn, "start", (json_int_t)w->start,
				  "size", (json_int_t)w->size, "page_shift", (int)w->page_shift,
				  "tces", (json_int_t)w->tces, "default", w->is_default));
	}
	return sim_json_emit(json_pack("{s:s, s:I, s:I, s:o, s:o, s:I, s:o}", "scenario",
				       plan->scenario, "ram", (json_int_t)plan->ram_size, "maxmem",
				       (json_int_t)plan->maxmem, "devices", devices, "windows",
				       windows, "table_bytes_total",
				       (json_int_t)plan->table_bytes_total, "target",
				       target ? target_json(target) : json_null()),
			     f);
}
