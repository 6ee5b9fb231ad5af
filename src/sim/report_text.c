/* SPDX-License-Identifier: MIT */
/* The report as text: machine, windows per PHB, one line per device, totals. One screen. */
#include "sim/sim_int.h"

static void print_window(uint32_t phb, const struct dmawin_sim_window *w, FILE *f)
{
	char sz[32], pg[32], tb[32];

	fprintf(f, "  %-3u %-7s 0x%08x 0x%-17llx %-9s %-7s %6u %9llu/%-9llu %s\n", phb,
		w->is_default ? "default" : "ddw", w->liobn, (unsigned long long)w->start,
		sim_fmt_size(w->size, sz, sizeof(sz)),
		sim_fmt_size(UINT64_C(1) << w->page_shift, pg, sizeof(pg)), w->levels,
		(unsigned long long)w->tces_mapped, (unsigned long long)w->tces,
		sim_fmt_size(w->table_bytes, tb, sizeof(tb)));
}

static void print_device(const struct dmawin_sim_device_report *d, FILE *f)
{
	if (!d->ran) {
		fprintf(f, "  %-12s %-4s %2u %3u  not run: %s\n", d->name,
			dmawin_sim_kind_name(d->kind), d->dma_mask_bits, d->phb_index, d->note);
		return;
	}
	fprintf(f,
		"  %-12s %-4s %2u %3u  0x%-17llx %-8s %7llu %7llu %5llu %4llu %8llu %5llu %4llu "
		"%3llu "
		"%8llu %s%s\n",
		d->name, dmawin_sim_kind_name(d->kind), d->dma_mask_bits, d->phb_index,
		(unsigned long long)d->window.start, d->direct ? "direct" : "indirect",
		(unsigned long long)d->hcalls[DMAWIN_SIM_HC_PUT_TCE],
		(unsigned long long)d->hcalls[DMAWIN_SIM_HC_PUT_TCE_INDIRECT],
		(unsigned long long)d->hcalls[DMAWIN_SIM_HC_STUFF_TCE],
		(unsigned long long)d->hcalls[DMAWIN_SIM_HC_RTAS],
		(unsigned long long)d->tces_written, (unsigned long long)d->map_failures,
		(unsigned long long)d->faults, (unsigned long long)d->eeh_events,
		(unsigned long long)d->ops, d->mismatches ? "MISMATCH " : "", d->note);
}

int dmawin_sim_report_print(const struct dmawin_sim_report *r, FILE *f)
{
	char a[32], b[32];

	fprintf(f,
		"dmawin sim: scenario '%s', seed %llu, RAM %s (hotplug max %s), guest Linux %s "
		"(%s pages)\n",
		r->scenario, (unsigned long long)r->seed, sim_fmt_size(r->ram_size, a, sizeof(a)),
		sim_fmt_size(r->maxmem, b, sizeof(b)), dmawin_guest_kernel_name(r->guest_kernel),
		r->guest_page_shift == 12 ? "4K" : "64K");
	fprintf(f, "\nwindows:\n  PHB kind    liobn      start               size      page    "
		   "levels mapped/TCEs         table\n");
	for (uint32_t i = 0; i < r->nr_phbs; i++)
		for (int s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			if (r->phbs[i].windows[s].enabled)
				print_window(r->phbs[i].index, &r->phbs[i].windows[s], f);
	fprintf(f, "\ndevices:\n  name         kind bits phb window              mapping     put "
		   "indirect stuff rtas    TCEs  fail flt eeh      ops\n");
	for (uint32_t i = 0; i < r->nr_devices; i++)
		print_device(&r->devices[i], f);
	fprintf(f, "\nmachine: TCE tables %s, locked memory %s, %llu ops in %.3f s (%.0f ops/s)\n",
		sim_fmt_size(r->table_bytes_total, a, sizeof(a)),
		sim_fmt_size(r->locked_bytes, b, sizeof(b)), (unsigned long long)r->ops_total,
		r->wall_seconds, r->ops_per_second);
	fprintf(f,
		"hypervisor: %llu H_PUT_TCE, %llu H_PUT_TCE_INDIRECT, %llu H_STUFF_TCE, %llu RTAS, "
		"%llu TCEs written (boot included)\n",
		(unsigned long long)r->hcalls_total[DMAWIN_SIM_HC_PUT_TCE],
		(unsigned long long)r->hcalls_total[DMAWIN_SIM_HC_PUT_TCE_INDIRECT],
		(unsigned long long)r->hcalls_total[DMAWIN_SIM_HC_STUFF_TCE],
		(unsigned long long)r->hcalls_total[DMAWIN_SIM_HC_RTAS],
		(unsigned long long)r->tces_written_total);
	if (r->note[0])
		fprintf(f, "note: %s\n", r->note);
	return fflush(f) == EOF || ferror(f) ? -EIO : 0;
}
