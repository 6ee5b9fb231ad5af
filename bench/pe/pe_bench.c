/* SPDX-License-Identifier: MIT */
/*
 * pe workloads: device translation through the IOTLB (hit), without it over a 3-level table
 * (miss), and 64 KiB device DMA reads out of guest RAM against memcpy of the same bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dmawin/pe.h"

#define RW	   (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE)
#define DDW	   (UINT64_C(1) << 59)
#define RAM_BYTES  (UINT64_C(64) << 20)
#define COPY_BYTES (64u * 1024u)

struct rig {
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
	struct dmawin_tce_table *t;
	struct dmawin_pe_dev *dev;
	uint8_t *host;
};

static void rig_fini(struct rig *r)
{
	dmawin_pe_dev_destroy(r->dev);
	dmawin_pe_phb_destroy(r->phb);
	dmawin_tce_destroy(r->t);
	dmawin_mem_destroy(r->mem);
}

/* 64 MiB of RAM (touched), a DDW at 1 << 59 whose first `mapped` pages map RAM in order. */
static int rig_init(struct rig *r, unsigned int shift, uint64_t window, unsigned int levels,
		    uint64_t mapped, uint32_t iotlb)
{
	struct dmawin_tce_geometry g = {
		.page_shift = shift, .window_size = window, .levels = levels};
	struct dmawin_pe_window_config wc = {.kind = DMAWIN_PE_WINDOW_TABLE, .bus_offset = DDW};
	struct dmawin_pe_dev_config dc = {.iotlb_entries = iotlb};
	void *host;

	memset(r, 0, sizeof(*r));
	if (dmawin_mem_create(NULL, &r->mem) || dmawin_mem_add_region(r->mem, 0, RAM_BYTES, NULL) ||
	    dmawin_mem_translate(r->mem, 0, RAM_BYTES, &host) ||
	    dmawin_pe_phb_create(NULL, r->mem, &r->phb) || dmawin_pe_create(r->phb, 0, &r->pe) ||
	    dmawin_tce_create(&g, &r->t))
		goto fail;
	r->host = host;
	memset(host, 1, RAM_BYTES);
	for (uint64_t i = 0; i < mapped; i++)
		if (dmawin_tce_put(r->t, i, ((i << shift) % RAM_BYTES) | RW))
			goto fail;
	wc.table = r->t;
	if (dmawin_pe_set_window(r->pe, 1, &wc) || dmawin_pe_dev_create(r->pe, &dc, &r->dev))
		goto fail;
	return 0;
fail:
	rig_fini(r);
	return -ENOMEM;
}

/* 64 hot pages, IOTLB of 256: every translation after the first round hits. */
static double translate_hit(const struct bench_params *p)
{
	uint64_t ops = bench_ops(p, 20000000), acc = 0, t0, t1;
	struct dmawin_pe_xlate xl;
	struct rig r;

	if (rig_init(&r, 12, UINT64_C(1) << 30, 0, 64, 256))
		return -ENOMEM;
	for (uint64_t i = 0; i < 64; i++)
		dmawin_pe_dev_translate(r.dev, DDW + (i << 12), DMAWIN_PE_DMA_READ, &xl);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		dmawin_pe_dev_translate(r.dev, DDW + ((i & 63) << 12) + (i & 0xff8),
					DMAWIN_PE_DMA_READ, &xl);
		acc += xl.gpa;
	}
	t1 = bench_now_ns();
	bench_keep(acc);
	rig_fini(&r);
	return (double)(t1 - t0) / (double)ops;
}

/* No IOTLB; a 3-level 16 GiB window of 4K pages, random pages of its mapped first GiB. */
static double translate_miss_3level(const struct bench_params *p)
{
	const uint64_t mapped = UINT64_C(1) << 18, naddr = 1u << 16;
	uint64_t ops = bench_ops(p, 10000000), acc = 0, t0, t1, x = p->seed | 1;
	struct dmawin_pe_xlate xl;
	uint64_t *addr;
	struct rig r;

	addr = malloc(naddr * sizeof(*addr));
	if (!addr || rig_init(&r, 12, UINT64_C(16) << 30, 3, mapped, 0)) {
		free(addr);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < naddr; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		addr[i] = DDW + ((x % mapped) << 12) + (x >> 52);
	}
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		dmawin_pe_dev_translate(r.dev, addr[i & (naddr - 1)], DMAWIN_PE_DMA_WRITE, &xl);
		acc += xl.gpa;
	}
	t1 = bench_now_ns();
	bench_keep(acc);
	rig_fini(&r);
	free(addr);
	return (double)(t1 - t0) / (double)ops;
}

/* 64 KiB DMA reads at consecutive slots of the 64 MiB mapped through IOMMU pages of
 * 1 << shift, or (shift 0) memcpy of the same guest bytes. */
static double dma_copy(const struct bench_params *p, unsigned int shift)
{
	static uint8_t buf[COPY_BYTES];
	const uint64_t slots = RAM_BYTES / COPY_BYTES;
	uint64_t ops = bench_ops(p, 100000), t0, t1;
	unsigned int s = shift ? shift : 12;
	size_t done;
	struct rig r;

	if (rig_init(&r, s, UINT64_C(1) << 30, 0, RAM_BYTES >> s, 64))
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t off = (i % slots) * COPY_BYTES;

		if (shift)
			dmawin_pe_dma_read(r.dev, DDW + off, buf, COPY_BYTES, &done);
		else
			memcpy(buf, r.host + off, COPY_BYTES);
		bench_keep(buf[i % COPY_BYTES]);
	}
	t1 = bench_now_ns();
	rig_fini(&r);
	return (double)(t1 - t0) / (double)ops;
}

static double dma_copy_4k(const struct bench_params *p)
{
	return dma_copy(p, 12);
}

static double dma_copy_64kpages(const struct bench_params *p)
{
	return dma_copy(p, 16);
}

static double dma_memcpy(const struct bench_params *p)
{
	return dma_copy(p, 0);
}

BENCH_WORKLOAD(pe_translate_hit, .name = "pe_translate_hit",
	       .description = "dmawin_pe_dev_translate, IOTLB hit (64 hot 4K pages), ns per "
			      "translation",
	       .run = translate_hit)
BENCH_WORKLOAD(pe_translate_miss_3level, .name = "pe_translate_miss_3level",
	       .description = "dmawin_pe_dev_translate without IOTLB, random pages of a "
			      "3-level table, ns per translation",
	       .run = translate_miss_3level)
BENCH_WORKLOAD(pe_dma_copy_64k, .name = "pe_dma_copy_64k",
	       .description = "dmawin_pe_dma_read of 64 KiB through 4K IOMMU pages (16 TCEs, "
			      "IOTLB of 64 entries, cycling 64 MiB), ns per DMA",
	       .run = dma_copy_4k, .baseline_name = "memcpy_64k", .baseline = dma_memcpy)
BENCH_WORKLOAD(pe_dma_copy_64k_p64k, .name = "pe_dma_copy_64k_p64k",
	       .description = "dmawin_pe_dma_read of 64 KiB through one 64K IOMMU page, ns per "
			      "DMA",
	       .run = dma_copy_64kpages, .baseline_name = "memcpy_64k", .baseline = dma_memcpy)
