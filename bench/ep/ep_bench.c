/* SPDX-License-Identifier: MIT */
/*
 * ep workloads: host-side PCIe writes through BAR -> ATU -> TCE -> RAM against memcpy of the same
 * bytes, and the seed-004 driver cycle (expose 64 scattered buffers through one ATU entry, then
 * undo it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dmawin/ep.h"

#define MIB	 (UINT64_C(1) << 20)
#define BAR_ADDR UINT64_C(0xe0000000)
#define NBUF	 64
#define BUF	 (64 * 1024)
#define XFER	 4096

struct ep_rig {
	struct dmawin_mem *mem;
	struct dmawin_ep *ep;
	struct dmawin_iova_sg sg[NBUF];
};

static int rig_up(struct ep_rig *r)
{
	struct dmawin_ep_config c = {.bar_addr = BAR_ADDR,
				     .bar_size = 4 * MIB,
				     .iova_start = 0,
				     .iova_size = UINT64_C(1) << 32};
	void *host;
	int rc = dmawin_mem_create(NULL, &r->mem);

	if (rc)
		return rc;
	rc = dmawin_mem_add_region(r->mem, 0, 64 * MIB, NULL);
	if (!rc)
		rc = dmawin_mem_translate(r->mem, 0, 64 * MIB, &host);
	if (!rc) {
		memset(host, 1, 64 * MIB); /* fault the RAM in before timing */
		rc = dmawin_ep_create(&c, r->mem, &r->ep);
	}
	for (int k = 0; k < NBUF; k++) /* scattered, out of order */
		r->sg[k] = (struct dmawin_iova_sg){(uint64_t)((k * 37) % 256) * 2 * BUF, BUF};
	return rc;
}

static void rig_down(struct ep_rig *r)
{
	dmawin_ep_destroy(r->ep);
	dmawin_mem_destroy(r->mem);
}

static double pcie_write_4k(const struct bench_params *p)
{
	static uint8_t buf[XFER];
	uint64_t ops = bench_ops(p, 500000);
	struct ep_rig r = {0};
	int rc = rig_up(&r);

	if (!rc)
		rc = dmawin_ep_expose(r.ep, 0, DMAWIN_EP_ATU_BAR, 0, r.sg, NBUF,
				      DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE, NULL);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops && !rc; i++)
		rc = dmawin_ep_pcie_write(r.ep, BAR_ADDR + (i % (NBUF * BUF / XFER)) * XFER, buf,
					  XFER);
	uint64_t t1 = bench_now_ns();
	rig_down(&r);
	return rc ? rc : (double)(t1 - t0) / (double)ops;
}

static double memcpy_4k(const struct bench_params *p)
{
	static uint8_t buf[XFER];
	uint64_t ops = bench_ops(p, 500000);
	uint8_t *plain = malloc(256 * 2 * BUF); /* the same scattered slots as the endpoint's */

	if (!plain)
		return -ENOMEM;
	memset(plain, 1, 256 * 2 * BUF);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t slot = i % (NBUF * BUF / XFER), k = slot / (BUF / XFER);
		memcpy(plain + ((k * 37) % 256) * 2 * BUF + (slot % (BUF / XFER)) * XFER, buf,
		       XFER);
		bench_keep(plain[i % XFER]);
	}
	uint64_t t1 = bench_now_ns();
	free(plain);
	return (double)(t1 - t0) / (double)ops;
}

static double expose_cycle(const struct bench_params *p)
{
	uint64_t ops = bench_ops(p, 20000);
	struct ep_rig r = {0};
	int rc = rig_up(&r);
	uint64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < ops && !rc; i++) {
		rc = dmawin_ep_expose(r.ep, 0, DMAWIN_EP_ATU_BAR, 0, r.sg, NBUF,
				      DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE, NULL);
		if (!rc)
			rc = dmawin_ep_unexpose(r.ep, 0);
	}
	uint64_t t1 = bench_now_ns();
	rig_down(&r);
	return rc ? rc : (double)(t1 - t0) / (double)ops;
}

BENCH_WORKLOAD(ep_pcie_write_4k, .name = "ep_pcie_write_4k",
	       .description = "4 KiB PCIe writes through BAR, ATU, TCE into 64 scattered buffers",
	       .run = pcie_write_4k, .baseline_name = "memcpy_4k", .baseline = memcpy_4k)
BENCH_WORKLOAD(ep_expose_64, .name = "ep_expose_64",
	       .description = "expose 64 scattered 64 KiB buffers through one ATU entry, then undo",
	       .run = expose_cycle)
