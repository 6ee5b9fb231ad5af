/* SPDX-License-Identifier: MIT */
/*
 * A simulation run: build the machine with the real layers, let the guest probe each device and
 * run its workload, and collect what the layers themselves report (hcalls through the papr trace
 * hook, TCE writes through the IOMMU notifier, windows through papr's window info, table sizes
 * from the tce layer). A device kind whose layers are not in this build is reported as not run.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dmawin/mem.h"
#include "dmawin/tce.h"
#include "sim/sim_run.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report_init(const struct dmawin_sim_scenario *sc, uint64_t seed,
			struct dmawin_sim_report *r)
{
	memcpy(r->scenario, sc->name, sizeof(r->scenario));
	r->seed = seed;
	r->ram_size = sc->papr.ram_size;
	r->maxmem = sc->papr.maxmem ? sc->papr.maxmem : sc->papr.ram_size;
	r->guest_kernel = sc->guest_kernel;
	r->guest_page_shift = sc->guest_page_shift;
	if (!r->guest_page_shift) /* the generation's own, as dmawin_guest_create() resolves it */
		r->guest_page_shift = sc->guest_kernel == DMAWIN_GUEST_KERNEL_6_1 ? 16 : 12;
	r->nr_phbs = sc->papr.nr_phbs;
	for (uint32_t i = 0; i < sc->papr.nr_phbs; i++) {
		r->phbs[i].index = sc->papr.phbs[i].index;
		r->phbs[i].dma64_win_addr = sc->papr.phbs[i].dma64_win_addr;
		r->phbs[i].tce_budget = sc->papr.phbs[i].tce_budget;
	}
	r->nr_devices = sc->nr_devices;
	for (uint32_t i = 0; i < sc->nr_devices; i++) {
		struct dmawin_sim_device_report *d = &r->devices[i];

		memcpy(d->name, sc->devices[i].name, sizeof(d->name));
		d->kind = sc->devices[i].kind;
		d->dma_mask_bits = sc->devices[i].dma_mask_bits;
		d->phb_index = sc->devices[i].phb_index;
	}
}

/*
 * Guest RAM with the scenario's backing page size, its host mapping aligned to that size as a
 * VMM's hugepage-backed RAM is: VFIO maps a host virtual address only at IOMMU-page alignment.
 * MAP_NORESERVE: only the pages the workloads touch cost memory.
 */
static void *map_ram(struct sim_run *run)
{
	uint64_t align = run->sc->backing_page_size, size = run->sc->papr.ram_size;
	uintptr_t p;

	run->ram_len = size + align;
	run->ram = mmap(NULL, run->ram_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (run->ram == MAP_FAILED) {
		run->ram = NULL;
		return NULL;
	}
	p = ((uintptr_t)run->ram + align - 1) & ~(uintptr_t)(align - 1);
	return (void *)p;
}

static int build_machine(struct sim_run *run, char *why, size_t len)
{
	struct dmawin_papr_config cfg = run->sc->papr;
	struct dmawin_mem_region_opts ro = {.page_size = run->sc->backing_page_size};
	struct dmawin_mem_config mc = {.backing = DMAWIN_MEM_ANON, .lock_limit = UINT64_MAX};
	int rc;

	ro.host = map_ram(run);
	rc = ro.host ? dmawin_mem_create(&mc, &run->mem) : -ENOMEM;
	if (rc == 0)
		rc = dmawin_mem_add_region(run->mem, 0, cfg.ram_size, &ro);
	if (rc < 0) {
		snprintf(why, len, "guest RAM of %llu bytes: %s", (unsigned long long)cfg.ram_size,
			 strerror(-rc));
		return rc;
	}
	cfg.mem = run->mem;
	rc = dmawin_papr_create(&cfg, &run->m, why, len);
	if (rc < 0)
		return rc;
	dmawin_papr_set_trace(run->m, sim_trace_event, run);
	rc = dmawin_papr_notifier_add(run->m, sim_notify_event, run, &run->notifier);
	return rc < 0 ? rc : sim_vfio_setup(run, why, len);
}

/* Levels and bytes of a table of the window's geometry, as the tce layer builds it. */
static void measure(struct dmawin_sim_window *w)
{
	struct dmawin_tce_geometry g = {.page_shift = w->page_shift, .entries = w->tces};
	struct dmawin_tce_footprint fp;
	struct dmawin_tce_info info;
	struct dmawin_tce_table *t;

	if (dmawin_tce_create(&g, &t) < 0)
		return;
	if (dmawin_tce_info(t, &info) == 0 && dmawin_tce_footprint(t, &fp) == 0) {
		w->levels = info.levels;
		w->table_bytes = fp.flat;
	}
	dmawin_tce_unref(t);
}

/* Entries with R or W, read back with H_GET_TCE (the trace hook is off by then). Windows too
 * big to walk quickly keep the count the notifier kept. */
static uint64_t count_mapped(struct sim_run *run, const struct dmawin_sim_window *w)
{
	uint64_t n = 0, tce;

	if (w->tces > (UINT64_C(1) << 22))
		return sim_notify_mapped(run, w->liobn);
	for (uint64_t i = 0; i < w->tces; i++)
		if (dmawin_papr_h_get_tce(run->m, w->liobn, w->start + (i << w->page_shift),
					  &tce) == DMAWIN_PAPR_H_SUCCESS &&
		    (tce & 3))
			n++;
	return n;
}

static void collect_windows(struct sim_run *run)
{
	struct dmawin_sim_report *r = run->r;

	dmawin_papr_set_trace(run->m, NULL, NULL);
	for (uint32_t i = 0; i < r->nr_phbs; i++)
		for (uint32_t s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++) {
			struct dmawin_papr_window_info info;
			struct dmawin_sim_window *w = &r->phbs[i].windows[s];

			if (dmawin_papr_window_info(run->m, DMAWIN_PAPR_LIOBN(r->phbs[i].index, s),
						    &info) < 0 ||
			    !info.enabled)
				continue;
			*w = (struct dmawin_sim_window){.enabled = true,
							.is_default = info.is_default,
							.liobn = info.liobn,
							.start = info.bus_offset,
							.size = info.size,
							.page_shift = info.page_shift,
							.tces = info.nb_table};
			measure(w);
			w->tces_mapped = count_mapped(run, w);
			r->table_bytes_total += w->table_bytes;
		}
}

static void finish(struct sim_run *run, double t0)
{
	struct dmawin_sim_report *r = run->r;

	collect_windows(run);
	for (uint32_t i = 0; i < r->nr_devices; i++) {
		struct dmawin_sim_device_report *d = &r->devices[i];

		r->ops_total += d->ops;
		for (uint32_t p = 0; d->ran && p < r->nr_phbs; p++)
			for (int s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
				if (r->phbs[p].windows[s].enabled &&
				    r->phbs[p].windows[s].liobn == d->window.liobn)
					d->window = r->phbs[p].windows[s];
	}
	r->locked_bytes = dmawin_mem_locked_bytes(run->mem);
	r->wall_seconds = now_seconds() - t0;
	r->ops_per_second = r->wall_seconds > 0 ? (double)r->ops_total / r->wall_seconds : 0;
}

static void run_cleanup(struct sim_run *run)
{
	sim_devices_release(run);
	sim_vfio_release(run);
	if (run->m)
		dmawin_papr_destroy(run->m);
	dmawin_mem_destroy(run->mem);
	if (run->ram)
		munmap(run->ram, run->ram_len);
	if (run->trace)
		fclose(run->trace);
}

int dmawin_sim_run(const struct dmawin_sim_scenario *sc, const struct dmawin_sim_options *opts,
		   struct dmawin_sim_report **out, char *why, size_t len)
{
	struct sim_parse p = {NULL, ""};
	struct sim_run run = {.sc = sc};
	char dummy[8];
	double t0 = now_seconds();
	int rc;

	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
	if (!sc || !out || sim_scenario_check(&p, sc) < 0) {
		snprintf(why, len, "invalid scenario");
		return -EINVAL;
	}
	run.r = calloc(1, sizeof(*run.r));
	if (!run.r)
		return -ENOMEM;
	report_init(sc, opts && opts->seed_set ? opts->seed : sc->seed, run.r);
	if (opts && opts->trace_path && !(run.trace = fopen(opts->trace_path, "w"))) {
		rc = -errno;
		snprintf(why, len, "%s: %s", opts->trace_path, strerror(errno));
		goto fail;
	}
	run.probe_only = opts && opts->probe_only;
	rc = build_machine(&run, why, len);
	if (rc < 0)
		goto fail;
	sim_devices_run(&run);
	finish(&run, t0);
	if (opts && opts->snapshot_path &&
	    (rc = dmawin_papr_snapshot_save(run.m, opts->snapshot_path)) < 0) {
		snprintf(why, len, "snapshot %s: %s", opts->snapshot_path, strerror(-rc));
		goto fail;
	}
	run_cleanup(&run);
	*out = run.r;
	return 0;
fail:
	run_cleanup(&run);
	free(run.r);
	return rc;
}

void dmawin_sim_report_destroy(struct dmawin_sim_report *r)
{
	free(r);
}
