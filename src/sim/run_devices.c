/* SPDX-License-Identifier: MIT */
/*
 * Devices in a run. The guest layer boots, probes each device with its DMA mask (default
 * window, DDW direct or DDW + indirect) and maps its buffers with the DMA API; the device then
 * moves bytes through the PHB's windows into guest RAM (papr device DMA) and every byte is
 * checked against what the other side wrote. Numbers come only from the layers themselves:
 * hcalls from the papr trace hook, TCE writes from the IOMMU notifier, windows from the guest's
 * device info.
 */
#include <stdlib.h>
#include <string.h>

#include "dmawin/guest.h"
#include "sim/sim_run.h"

#define AREA_BASE (UINT64_C(64) << 20) /* buffers start above the first 64 MiB of RAM */
#define PAGE	  4096u

struct dev_state {
	unsigned id;
	unsigned phb_pos;
	bool probed;
	struct sim_host *host; /* VFIO: DMA goes through the host PE, not the emulated window */
	uint64_t area;	       /* guest-physical base of the device's buffers */
	uint64_t *ring_dma;    /* ring: bus address of each buffer, mapped for the whole run */
	uint8_t *buf, *chk;    /* scratch: what one side sent, what the other side saw */
	uint64_t rng;
};

struct devices {
	struct dmawin_guest *g;
	uint64_t next_area;
	struct dev_state dev[DMAWIN_SIM_MAX_DEVICES];
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static uint64_t area_size(const struct dmawin_sim_workload *w)
{
	switch (w->pattern) {
	case DMAWIN_SIM_RING:
		return round_up(w->size, PAGE) * w->buffers;
	case DMAWIN_SIM_SG:
		return round_up(w->size, PAGE) * w->segments * 4;
	case DMAWIN_SIM_RANDOM:
		break;
	}
	return round_up(w->max_size, PAGE) * 4;
}

static uint64_t scratch_size(const struct dmawin_sim_workload *w)
{
	return w->pattern == DMAWIN_SIM_RING ? w->size
	       : w->pattern == DMAWIN_SIM_SG ? w->size * w->segments
					     : w->max_size;
}

static enum dmawin_guest_dir map_dir(enum dmawin_sim_dir d)
{
	return d == DMAWIN_SIM_TO_DEVICE     ? DMAWIN_GUEST_TO_DEVICE
	       : d == DMAWIN_SIM_FROM_DEVICE ? DMAWIN_GUEST_FROM_DEVICE
					     : DMAWIN_GUEST_BIDIRECTIONAL;
}

/* The direction of transfer @op: a bidirectional workload alternates. */
static bool op_to_device(const struct dmawin_sim_workload *w, uint64_t op)
{
	return w->direction == DMAWIN_SIM_BIDIRECTIONAL ? op % 2 == 0
							: w->direction == DMAWIN_SIM_TO_DEVICE;
}

static void fill(struct dev_state *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = rnd(&s->rng);

		memcpy(s->buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

static void count_dma_error(struct dmawin_sim_device_report *d, int rc)
{
	if (rc == -EIO)
		d->eeh_events++;
	else
		d->faults++;
}

static void compare(struct dmawin_sim_device_report *d, const struct dev_state *s, uint64_t len)
{
	if (memcmp(s->buf, s->chk, len) == 0)
		return;
	for (uint64_t i = 0; i < len; i++)
		d->mismatches += s->buf[i] != s->chk[i];
}

/*
 * One transfer over the runs of a mapping: @phys/@plen are the guest-physical pieces (CPU side),
 * @dma/@dlen the bus segments (device side); both cover the same bytes in the same order.
 */
struct xfer {
	size_t nphys, ndma;
	const uint64_t *phys, *plen, *dma, *dlen;
	uint64_t len;
};

static int cpu_copy(struct sim_run *run, struct dev_state *s, const struct xfer *x, bool write)
{
	uint64_t off = 0;

	for (size_t i = 0; i < x->nphys; off += x->plen[i], i++) {
		int rc = write ? dmawin_mem_write(run->mem, x->phys[i], s->buf + off, x->plen[i])
			       : dmawin_mem_read(run->mem, x->phys[i], s->chk + off, x->plen[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int device_copy(struct sim_run *run, struct dev_state *s, const struct xfer *x, bool read)
{
	uint64_t off = 0;

	for (size_t i = 0; i < x->ndma; off += x->dlen[i], i++) {
		const struct dmawin_sim_window *w = &run->current->window;
		int rc;

		if (run->trace)
			sim_trace_xlate(run, w->liobn, w->start, x->dma[i], x->dlen[i],
					w->page_shift);
		if (s->host)
			rc = sim_vfio_dma(run, s->host, read, x->dma[i],
					  read ? s->chk + off : s->buf + off, x->dlen[i]);
		else if (read)
			rc = dmawin_papr_dma_read(run->m, s->phb_pos, x->dma[i], s->chk + off,
						  x->dlen[i]);
		else
			rc = dmawin_papr_dma_write(run->m, s->phb_pos, x->dma[i], s->buf + off,
						   x->dlen[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void transfer(struct sim_run *run, struct dev_state *s, struct dmawin_sim_device_report *d,
		     const struct xfer *x, bool to_device)
{
	int rc;

	fill(s, x->len);
	if (to_device) {
		rc = cpu_copy(run, s, x, true);
		if (rc == 0)
			rc = device_copy(run, s, x, true);
	} else {
		rc = device_copy(run, s, x, false);
		if (rc == 0)
			rc = cpu_copy(run, s, x, false);
	}
	if (rc < 0) {
		count_dma_error(d, rc);
		return;
	}
	compare(d, s, x->len);
	d->ops++;
	d->bytes += x->len;
}

static void run_ring(struct sim_run *run, struct devices *ds, unsigned i,
		     const struct dmawin_sim_workload *w)
{
	struct dev_state *s = &ds->dev[i];
	struct dmawin_sim_device_report *d = &run->r->devices[i];
	uint64_t stride = round_up(w->size, PAGE);

	s->ring_dma = calloc(w->buffers, sizeof(*s->ring_dma));
	if (!s->ring_dma) {
		snprintf(d->note, sizeof(d->note), "out of memory");
		return;
	}
	for (uint32_t b = 0; b < w->buffers; b++)
		if (dmawin_guest_map_single(ds->g, s->id, s->area + b * stride, w->size,
					    map_dir(w->direction), &s->ring_dma[b]) < 0) {
			d->map_failures++;
			s->ring_dma[b] = UINT64_MAX;
		}
	for (uint64_t op = 0; op < w->ops; op++) {
		uint32_t b = (uint32_t)(op % w->buffers);
		uint64_t phys = s->area + b * stride;
		struct xfer x = {1, 1, &phys, &w->size, &s->ring_dma[b], &w->size, w->size};

		if (s->ring_dma[b] != UINT64_MAX)
			transfer(run, s, d, &x, op_to_device(w, op));
	}
}

static void run_sg(struct sim_run *run, struct devices *ds, unsigned i,
		   const struct dmawin_sim_workload *w)
{
	struct dev_state *s = &ds->dev[i];
	struct dmawin_sim_device_report *d = &run->r->devices[i];
	struct dmawin_guest_sg sg[64];
	uint64_t phys[64], plen[64], dma[64], dlen[64], stride = round_up(w->size, PAGE);

	for (uint64_t op = 0; op < w->ops; op++) {
		struct xfer x = {w->segments, 0, phys, plen, dma, dlen, w->size * w->segments};
		size_t nents;

		for (uint32_t k = 0; k < w->segments; k++) {
			/* segment k in slot 4k..4k+3: scattered, never overlapping, in order */
			phys[k] = s->area + (4 * k + rnd(&s->rng) % 4) * stride;
			plen[k] = w->size;
			sg[k] = (struct dmawin_guest_sg){.phys = phys[k], .len = w->size};
		}
		if (dmawin_guest_map_sg(ds->g, s->id, sg, w->segments, map_dir(w->direction),
					&nents) < 0) {
			d->map_failures++;
			continue;
		}
		for (uint32_t k = 0; k < w->segments; k++)
			if (sg[k].dma_len) {
				dma[x.ndma] = sg[k].dma_address;
				dlen[x.ndma++] = sg[k].dma_len;
			}
		transfer(run, s, d, &x, op_to_device(w, op));
		if (dmawin_guest_unmap_sg(ds->g, s->id, sg, w->segments, map_dir(w->direction)) < 0)
			d->map_failures++;
	}
}

static void run_random(struct sim_run *run, struct devices *ds, unsigned i,
		       const struct dmawin_sim_workload *w)
{
	struct dev_state *s = &ds->dev[i];
	struct dmawin_sim_device_report *d = &run->r->devices[i];
	uint64_t span = round_up(w->max_size, PAGE) * 3;

	for (uint64_t op = 0; op < w->ops; op++) {
		uint64_t len = w->min_size + rnd(&s->rng) % (w->max_size - w->min_size + 1);
		uint64_t phys = s->area + rnd(&s->rng) % (span / PAGE) * PAGE + rnd(&s->rng) % 64;
		uint64_t dma;
		struct xfer x = {1, 1, &phys, &len, &dma, &len, len};

		if (dmawin_guest_map_single(ds->g, s->id, phys, len, map_dir(w->direction), &dma) <
		    0) {
			d->map_failures++;
			continue;
		}
		transfer(run, s, d, &x, op_to_device(w, op));
		if (dmawin_guest_unmap_single(ds->g, s->id, dma, len, map_dir(w->direction)) < 0)
			d->map_failures++;
	}
}

static const char *mode_name(enum dmawin_guest_mode mode)
{
	switch (mode) {
	case DMAWIN_GUEST_MODE_DEFAULT:
		return "default window, TCEs mapped on demand";
	case DMAWIN_GUEST_MODE_DIRECT:
		return "DDW, all RAM mapped once";
	case DMAWIN_GUEST_MODE_DDW_TABLE:
		return "DDW too small for RAM: TCEs mapped on demand";
	case DMAWIN_GUEST_MODE_NONE:
		break;
	}
	return "no window";
}

/* Why a 33..63-bit device ended on the default window: the guest kernel, the PHB's lack of
 * limited addressing, or the DDW's place beyond the mask (seed 000). */
static void default_why(const struct sim_run *run, const struct dmawin_sim_device *dev,
			unsigned pos, char *buf, size_t len)
{
	const struct dmawin_papr_phb_config *phb = &run->sc->papr.phbs[pos];

	buf[0] = '\0';
	if (dev->dma_mask_bits >= 64 || dev->dma_mask_bits <= 32 || run->sc->disable_ddw)
		return;
	if (!run->sc->ddw_for_masks_above_32)
		snprintf(buf, len, " (the guest asks a DDW only for a 64-bit mask)");
	else if (!phb->ddw_limited_addr)
		snprintf(buf, len, " (no limited addressing on this PHB for a DDW below 64 bits)");
	else
		snprintf(buf, len, " (the DDW at 0x%llx is beyond the %u-bit mask)",
			 (unsigned long long)phb->dma64_win_addr, dev->dma_mask_bits);
}

/* The device's PCI address: its own, or QEMU's automatic one among its PHB's devices. */
static void pci_address(const struct dmawin_sim_scenario *sc, unsigned i, uint8_t *bus,
			uint8_t *devfn)
{
	unsigned k = 0;

	if (sc->devices[i].pci_addr_set) {
		*bus = sc->devices[i].bus;
		*devfn = sc->devices[i].devfn;
		return;
	}
	for (unsigned j = 0; j < i; j++)
		k += sc->devices[j].phb_index == sc->devices[i].phb_index;
	*bus = (uint8_t)(k / 32);
	*devfn = (uint8_t)((k % 32) << 3);
}

/* Add and probe device @i as its driver would; fill the report's window fields. */
static int probe(struct sim_run *run, struct devices *ds, unsigned i)
{
	const struct dmawin_sim_device *dev = &run->sc->devices[i];
	struct dmawin_sim_device_report *d = &run->r->devices[i];
	struct dmawin_guest_device_config dc = {.name = dev->name,
						.phb_index = dev->phb_index,
						.dma_mask_bits = dev->dma_mask_bits};
	struct dmawin_guest_device_info info;
	char why[96] = "";
	int rc, pos = dmawin_papr_phb_find(run->m, dev->phb_index);

	pci_address(run->sc, i, &dc.bus, &dc.devfn);
	d->bus = dc.bus;
	d->devfn = dc.devfn;
	rc = pos < 0 ? pos : dmawin_guest_device_add(ds->g, &dc, &ds->dev[i].id);
	if (rc == 0)
		rc = dmawin_guest_probe(ds->g, ds->dev[i].id);
	if (rc == 0)
		rc = dmawin_guest_device_info(ds->g, ds->dev[i].id, &info);
	if (rc < 0) {
		snprintf(d->note, sizeof(d->note), "probe with a %u-bit mask failed: %s",
			 dev->dma_mask_bits, strerror(-rc));
		return rc;
	}
	ds->dev[i].phb_pos = (unsigned)pos;
	ds->dev[i].probed = true;
	d->direct = info.mode == DMAWIN_GUEST_MODE_DIRECT;
	d->window.enabled = true;
	d->window.liobn = info.liobn;
	d->window.start = info.window_start;
	d->window.size = info.window_size;
	d->window.page_shift = info.page_shift;
	if (info.mode == DMAWIN_GUEST_MODE_DEFAULT)
		default_why(run, dev, (unsigned)pos, why, sizeof(why));
	snprintf(d->note, sizeof(d->note), "%s%s%s", mode_name(info.mode), why,
		 dev->vfio ? "; vfio: DMA through the host container" : "");
	if (dev->vfio)
		ds->dev[i].host = sim_vfio_host(run, dev->phb_index);
	return 0;
}

static int prepare(struct sim_run *run, struct devices *ds, unsigned i)
{
	const struct dmawin_sim_workload *w = &run->sc->devices[i].workload;
	struct dev_state *s = &ds->dev[i];
	uint64_t size = round_up(area_size(w), UINT64_C(2) << 20);
	/* the guest's kmem sits in the last 8 MiB of RAM (guest.h): stay clear of it */
	uint64_t limit = run->sc->papr.ram_size - (UINT64_C(16) << 20);

	if (ds->next_area + size > limit) {
		snprintf(run->r->devices[i].note, sizeof(run->r->devices[i].note),
			 "not run: its buffers do not fit in guest RAM");
		return -ENOMEM;
	}
	s->area = ds->next_area;
	ds->next_area += size;
	s->rng = (run->r->seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (i + 1))) | 1;
	s->buf = malloc(scratch_size(w) + 8);
	s->chk = malloc(scratch_size(w) + 8);
	return s->buf && s->chk ? 0 : -ENOMEM;
}

static void run_device(struct sim_run *run, struct devices *ds, unsigned i)
{
	const struct dmawin_sim_workload *w = &run->sc->devices[i].workload;

	run->current = &run->r->devices[i];
	if (run->probe_only) {
		if (run->sc->devices[i].kind != DMAWIN_SIM_EP && prepare(run, ds, i) == 0 &&
		    probe(run, ds, i) == 0)
			run->r->devices[i].ran = true;
	} else if (run->sc->devices[i].kind == DMAWIN_SIM_EP) {
		struct dev_state *s = &ds->dev[i];

		if (prepare(run, ds, i) == 0 &&
		    sim_ep_run(run, i, s->area, &s->rng, s->buf, s->chk) == 0)
			run->r->devices[i].ran = true;
	} else if (prepare(run, ds, i) == 0 && probe(run, ds, i) == 0) {
		run->r->devices[i].ran = true;
		if (w->pattern == DMAWIN_SIM_RING)
			run_ring(run, ds, i, w);
		else if (w->pattern == DMAWIN_SIM_SG)
			run_sg(run, ds, i, w);
		else
			run_random(run, ds, i, w);
	}
	if (ds->dev[i].host && sim_vfio_note(ds->dev[i].host)) {
		struct dmawin_sim_device_report *d = &run->r->devices[i];
		size_t used = strlen(d->note);

		snprintf(d->note + used, sizeof(d->note) - used, "; %.120s",
			 sim_vfio_note(ds->dev[i].host));
	}
	run->current = NULL;
}

void sim_devices_run(struct sim_run *run)
{
	struct dmawin_guest_config cfg;
	struct devices *ds = calloc(1, sizeof(*ds));
	int rc;

	if (!ds) {
		snprintf(run->r->note, sizeof(run->r->note), "out of memory");
		return;
	}
	run->devices = ds;
	ds->next_area = AREA_BASE;
	dmawin_guest_config_init(&cfg);
	cfg.kernel = run->sc->guest_kernel;
	cfg.page_shift = run->sc->guest_page_shift;
	cfg.disable_ddw = run->sc->disable_ddw;
	cfg.ddw_for_masks_above_32 = run->sc->ddw_for_masks_above_32;
	cfg.multitce_off = !run->sc->guest_multitce;
	for (uint32_t k = 0; k < run->sc->papr.nr_dimms; k++)
		cfg.pmem_present |= run->sc->papr.dimms[k].nvdimm; /* QEMU adds ibm,pmemory */
	cfg.allocator = run->sc->iova_allocator ? DMAWIN_GUEST_ALLOC_IOVA : DMAWIN_GUEST_ALLOC_POOL;
	rc = dmawin_guest_create(run->m, &cfg, &ds->g);
	if (rc == 0)
		rc = dmawin_guest_boot(ds->g);
	if (rc < 0) {
		snprintf(run->r->note, sizeof(run->r->note), "guest boot failed: %s",
			 strerror(-rc));
		return;
	}
	for (unsigned i = 0; i < run->r->nr_devices; i++)
		run_device(run, ds, i);
}

/* After the report is taken: unmap the rings (a driver unbinding), free the guest. */
void sim_devices_release(struct sim_run *run)
{
	struct devices *ds = run->devices;

	if (!ds)
		return;
	for (unsigned i = 0; i < DMAWIN_SIM_MAX_DEVICES; i++) {
		struct dev_state *s = &ds->dev[i];
		const struct dmawin_sim_workload *w = &run->sc->devices[i].workload;

		for (uint32_t b = 0; s->ring_dma && b < w->buffers; b++)
			if (s->ring_dma[b] != UINT64_MAX)
				dmawin_guest_unmap_single(ds->g, s->id, s->ring_dma[b], w->size,
							  map_dir(w->direction));
		free(s->ring_dma);
		free(s->buf);
		free(s->chk);
	}
	dmawin_guest_destroy(ds->g);
	free(ds);
	run->devices = NULL;
}
