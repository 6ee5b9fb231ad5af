/* SPDX-License-Identifier: MIT */
/* The report as one JSON object (the same fields as the text, nothing more, nothing less). */
#include "sim/sim_int.h"

static json_t *window_json(const struct dmawin_sim_window *w)
{
	if (!w->enabled)
		return json_null();
	return json_pack("{s:I, s:b, s:I, s:I, s:i, s:i, s:I, s:I, s:I}", "liobn",
			 (json_int_t)w->liobn, "default", w->is_default, "start",
			 (json_int_t)w->start, "size", (json_int_t)w->size, "page_shift",
			 (int)w->page_shift, "levels", (int)w->levels, "tces", (json_int_t)w->tces,
			 "tces_mapped", (json_int_t)w->tces_mapped, "table_bytes",
			 (json_int_t)w->table_bytes);
}

static json_t *hcalls_json(const uint64_t *h)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I}", "put_tce", (json_int_t)h[DMAWIN_SIM_HC_PUT_TCE],
		"get_tce", (json_int_t)h[DMAWIN_SIM_HC_GET_TCE], "put_tce_indirect",
		(json_int_t)h[DMAWIN_SIM_HC_PUT_TCE_INDIRECT], "stuff_tce",
		(json_int_t)h[DMAWIN_SIM_HC_STUFF_TCE], "rtas", (json_int_t)h[DMAWIN_SIM_HC_RTAS]);
}

static json_t *device_json(const struct dmawin_sim_device_report *d)
{
	char bdf[16];

	/* Linux on pseries numbers the PCI domain of a PHB by its index (linux,pci-domain) */
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", (unsigned)d->phb_index, d->bus,
		 d->devfn >> 3, d->devfn & 7);
	return json_pack("{s:s, s:s, s:i, s:i, s:s, s:b, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I}",
			 "name", d->name, "kind", dmawin_sim_kind_name(d->kind), "dma_mask",
			 (int)d->dma_mask_bits, "phb", (int)d->phb_index, "bdf", bdf, "ran", d->ran,
			 "note", d->note, "mapping",
			 !d->ran     ? "none"
			 : d->direct ? "direct"
				     : "indirect",
			 "window", d->ran ? window_json(&d->window) : json_null(), "hcalls",
			 hcalls_json(d->hcalls), "tces_written", (json_int_t)d->tces_written,
			 "map_failures", (json_int_t)d->map_failures, "faults",
			 (json_int_t)d->faults, "eeh_events", (json_int_t)d->eeh_events, "ops",
			 (json_int_t)d->ops, "bytes", (json_int_t)d->bytes, "mismatches",
			 (json_int_t)d->mismatches);
}

int dmawin_sim_report_print_json(const struct dmawin_sim_report *r, FILE *f)
{
	json_t *phbs = json_array(), *devices = json_array();

	for (uint32_t i = 0; i < r->nr_phbs; i++) {
		json_t *wins = json_array();

		for (int s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			json_array_append_new(wins, window_json(&r->phbs[i].windows[s]));
		json_array_append_new(
			phbs, json_pack("{s:i, s:I, s:I, s:o}", "index", (int)r->phbs[i].index,
					"dma64_win_addr", (json_int_t)r->phbs[i].dma64_win_addr,
					"tce_budget", (json_int_t)r->phbs[i].tce_budget, "windows",
					wins));
	}
	for (uint32_t i = 0; i < r->nr_devices; i++)
		json_array_append_new(devices, device_json(&r->devices[i]));
	return sim_json_emit(json_pack("{s:s, s:I, s:I, s:I, s:{s:s, s:I}, s:o, s:o, s:{s:I, s:I, "
				       "s:I, s:f, s:f, s:o, s:I}, s:s}",
				       "scenario", r->scenario, "seed", (json_int_t)r->seed, "ram",
				       (json_int_t)r->ram_size, "maxmem", (json_int_t)r->maxmem,
				       "guest", "kernel", dmawin_guest_kernel_name(r->guest_kernel),
				       "page_size", (json_int_t)1 << r->guest_page_shift, "phbs",
				       phbs, "devices", devices, "machine", "table_bytes_total",
				       (json_int_t)r->table_bytes_total, "locked_bytes",
				       (json_int_t)r->locked_bytes, "ops_total",
				       (json_int_t)r->ops_total, "wall_seconds", r->wall_seconds,
				       "ops_per_second", r->ops_per_second, "hcalls",
				       hcalls_json(r->hcalls_total), "tces_written",
				       (json_int_t)r->tces_written_total, "note", r->note),
			     f);
}
