/* SPDX-License-Identifier: MIT */
/*
 * PCIe endpoint devices (seed 004): an endpoint controller whose own driver manages its IOVA
 * space explicitly. The run's RAM stands for the endpoint SoC's memory; the workload's buffers
 * are exposed to the PCIe host through ONE ATU entry (dmawin_ep_expose: reserve one IOVA range,
 * map the scattered buffers back to back, point the ATU at it), and the host reads or writes
 * them through the BAR -> ATU -> TCE path. No hypervisor is involved: no hcalls.
 */
#include <string.h>

#include "dmawin/ep.h"
#include "sim/sim_run.h"

#define EP_PAGE	     4096u
#define EP_BAR_ADDR  (UINT64_C(1) << 40)
#define EP_IOVA_SIZE (UINT64_C(1) << 32)

struct ep_ctx {
	struct sim_run *run;
	struct dmawin_ep *ep;
	struct dmawin_sim_device_report *d;
	const struct dmawin_sim_workload *w;
	uint64_t area, *rng;
	uint8_t *buf, *chk;
};

static uint64_t ep_rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t up(uint64_t v)
{
	return (v + EP_PAGE - 1) / EP_PAGE * EP_PAGE;
}

static unsigned prot_of(enum dmawin_sim_dir dir)
{
	return (dir & DMAWIN_SIM_TO_DEVICE ? DMAWIN_IOVA_READ : 0) |
	       (dir & DMAWIN_SIM_FROM_DEVICE ? DMAWIN_IOVA_WRITE : 0);
}

/* One transfer of @len bytes between the buffer at @phys and BAR offset @off. */
static void ep_transfer(struct ep_ctx *c, uint64_t phys, uint64_t off, uint64_t len, bool to_dev)
{
	int rc;

	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = ep_rnd(c->rng);

		memcpy(c->buf + i, &v, len - i < 8 ? len - i : 8);
	}
	if (to_dev) { /* the SoC writes its memory, the PCIe host reads it */
		rc = dmawin_mem_write(c->run->mem, phys, c->buf, len);
		if (rc == 0)
			rc = dmawin_ep_pcie_read(c->ep, EP_BAR_ADDR + off, c->chk, len);
	} else {
		rc = dmawin_ep_pcie_write(c->ep, EP_BAR_ADDR + off, c->buf, len);
		if (rc == 0)
			rc = dmawin_mem_read(c->run->mem, phys, c->chk, len);
	}
	if (rc < 0) {
		c->d->faults++;
		return;
	}
	for (uint64_t i = 0; memcmp(c->buf, c->chk, len) != 0 && i < len; i++)
		c->d->mismatches += c->buf[i] != c->chk[i];
	c->d->ops++;
	c->d->bytes += len;
}

static bool op_to_dev(const struct dmawin_sim_workload *w, uint64_t op)
{
	return w->direction == DMAWIN_SIM_BIDIRECTIONAL ? op % 2 == 0
							: w->direction == DMAWIN_SIM_TO_DEVICE;
}

static int expose(struct ep_ctx *c, const struct dmawin_iova_sg *bufs, size_t n)
{
	struct dmawin_ep_exposure x;
	int rc = dmawin_ep_expose(c->ep, 0, DMAWIN_EP_ATU_BAR, 0, bufs, n, prot_of(c->w->direction),
				  &x);

	if (rc < 0)
		c->d->map_failures++;
	return rc;
}

static void ep_ring(struct ep_ctx *c)
{
	struct dmawin_iova_sg sg[64];
	uint64_t stride = up(c->w->size);
	uint32_t n = c->w->buffers < 64 ? c->w->buffers : 64;

	/* one exposure holds the ring for the whole run: up to 64 buffers behind one ATU entry */
	for (uint32_t b = 0; b < n; b++)
		sg[b] = (struct dmawin_iova_sg){c->area + b * stride, stride};
	if (expose(c, sg, n) < 0)
		return;
	for (uint64_t op = 0; op < c->w->ops; op++) {
		uint32_t b = (uint32_t)(op % n);

		ep_transfer(c, c->area + b * stride, b * stride, c->w->size, op_to_dev(c->w, op));
	}
}

static void ep_sg(struct ep_ctx *c)
{
	struct dmawin_iova_sg sg[64];
	uint64_t stride = up(c->w->size);

	for (uint64_t op = 0; op < c->w->ops; op++) {
		for (uint32_t k = 0; k < c->w->segments; k++)
			sg[k] = (struct dmawin_iova_sg){
				c->area + (4 * k + ep_rnd(c->rng) % 4) * stride, stride};
		if (expose(c, sg, c->w->segments) < 0)
			continue;
		for (uint32_t k = 0; k < c->w->segments; k++)
			ep_transfer(c, sg[k].phys, k * stride, c->w->size, op_to_dev(c->w, op));
		c->d->ops -= c->w->segments - 1; /* one op is the whole list */
		if (dmawin_ep_unexpose(c->ep, 0) < 0)
			c->d->map_failures++;
	}
}

static void ep_random(struct ep_ctx *c)
{
	uint64_t span = up(c->w->max_size) * 3;

	for (uint64_t op = 0; op < c->w->ops; op++) {
		uint64_t len =
			c->w->min_size + ep_rnd(c->rng) % (c->w->max_size - c->w->min_size + 1);
		struct dmawin_iova_sg sg = {c->area + ep_rnd(c->rng) % (span / EP_PAGE) * EP_PAGE,
					    up(len)};

		if (expose(c, &sg, 1) < 0)
			continue;
		ep_transfer(c, sg.phys, 0, len, op_to_dev(c->w, op));
		if (dmawin_ep_unexpose(c->ep, 0) < 0)
			c->d->map_failures++;
	}
}

static int count_mapped(uint64_t index, uint64_t tce, void *arg)
{
	(void)index;
	(void)tce;
	++*(uint64_t *)arg;
	return 0;
}

static uint64_t bar_size_for(const struct dmawin_sim_workload *w)
{
	uint64_t need = w->pattern == DMAWIN_SIM_RING ? up(w->size) * 64
			: w->pattern == DMAWIN_SIM_SG ? up(w->size) * w->segments
						      : up(w->max_size);
	uint64_t bar = 64 << 10;

	while (bar < need)
		bar <<= 1;
	return bar;
}

int sim_ep_run(struct sim_run *run, unsigned i, uint64_t area, uint64_t *rng, uint8_t *buf,
	       uint8_t *chk)
{
	const struct dmawin_sim_workload *w = &run->sc->devices[i].workload;
	struct dmawin_ep_config cfg = {.bar_addr = EP_BAR_ADDR,
				       .bar_size = bar_size_for(w),
				       .page_shift = 12,
				       .iova_size = EP_IOVA_SIZE};
	struct ep_ctx c = {run, NULL, &run->r->devices[i], w, area, rng, buf, chk};
	struct dmawin_sim_window *win = &c.d->window;
	int rc = dmawin_ep_create(&cfg, run->mem, &c.ep);

	if (rc < 0) {
		snprintf(c.d->note, sizeof(c.d->note), "endpoint: %s", strerror(-rc));
		return rc;
	}
	if (w->pattern == DMAWIN_SIM_RING)
		ep_ring(&c);
	else if (w->pattern == DMAWIN_SIM_SG)
		ep_sg(&c);
	else
		ep_random(&c);
	*win = (struct dmawin_sim_window){.enabled = true,
					  .start = cfg.iova_start,
					  .size = cfg.iova_size,
					  .page_shift = 12,
					  .tces = cfg.iova_size >> 12};
	dmawin_tce_for_each(dmawin_ep_table(c.ep), 0, win->tces, 0, count_mapped,
			    &win->tces_mapped);
	snprintf(c.d->note, sizeof(c.d->note),
		 "PCIe endpoint: buffers exposed through one ATU entry of its own IOMMU domain "
		 "(no hypervisor)");
	dmawin_ep_destroy(c.ep);
	return 0;
}
