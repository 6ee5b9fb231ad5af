/* SPDX-License-Identifier: MIT */
/*
 * guest workloads:
 *  - guest_map_unmap_4k_indirect: dma_map_single + dma_unmap_single of one 4 KiB page by a
 *    32-bit device on the default window (pool allocator, H_PUT_TCE + H_STUFF_TCE), ns per
 *    pair, against the two bare hcalls on the same machine; _iova: the same with the iova
 *    allocator; guest_map_unmap_direct: a device on a direct DDW (no hcall).
 *  - guest_direct_map_ram_64k / _16m: the DDW probe of a 64-bit device on a 1 TiB sparse guest
 *    (create + direct map of all RAM in H_PUT_TCE_INDIRECT batches of 512), ns per whole map,
 *    against memset of the same number of TCE bytes (8 per TCE). Quick mode uses 16 GiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dmawin/guest.h"
#include "dmawin/papr.h"

struct rig {
	struct dmawin_papr *m;
	struct dmawin_guest *g;
};

static int rig_up(struct rig *r, uint64_t ram, uint64_t pgsz, enum dmawin_guest_allocator alloc)
{
	struct dmawin_papr_config mc;
	dmawin_papr_config_init(&mc);
	mc.ram_size = ram;
	if (pgsz)
		mc.phbs[0].pgsz = pgsz;
	struct dmawin_guest_config gc;
	dmawin_guest_config_init(&gc);
	gc.kernel = DMAWIN_GUEST_KERNEL_6_1; /* comparable with earlier runs: 64 KiB pages */
	gc.allocator = alloc;
	int rc = dmawin_papr_create(&mc, &r->m, NULL, 0);
	if (rc)
		return rc;
	rc = dmawin_guest_create(r->m, &gc, &r->g);
	if (rc) {
		dmawin_papr_destroy(r->m);
		return rc;
	}
	return 0;
}

static void rig_down(struct rig *r)
{
	dmawin_guest_destroy(r->g);
	dmawin_papr_destroy(r->m);
}

static int add_dev(struct rig *r, unsigned slot, unsigned bits, unsigned *id)
{
	struct dmawin_guest_device_config dc = {
		.phb_index = 0, .devfn = (uint8_t)(slot << 3), .dma_mask_bits = bits};
	return dmawin_guest_device_add(r->g, &dc, id);
}

static double map_unmap(const struct bench_params *p, unsigned bits,
			enum dmawin_guest_allocator alloc)
{
	struct rig r;
	unsigned id;
	if (rig_up(&r, 2ull << 30, 0, alloc))
		return -ENOMEM;
	if (add_dev(&r, 1, bits, &id) || dmawin_guest_boot(r.g)) {
		rig_down(&r);
		return -EIO;
	}
	uint64_t ops = bench_ops(p, 200000), dma;
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t phys = 0x1000000 + ((i & 1023) << 12);
		if (dmawin_guest_map_single(r.g, id, phys, 4096, DMAWIN_GUEST_BIDIRECTIONAL,
					    &dma) ||
		    dmawin_guest_unmap_single(r.g, id, dma, 4096, DMAWIN_GUEST_BIDIRECTIONAL)) {
			rig_down(&r);
			return -EIO;
		}
		bench_keep(dma);
	}
	uint64_t t1 = bench_now_ns();
	rig_down(&r);
	return (double)(t1 - t0) / (double)ops;
}

static double map_unmap_pool(const struct bench_params *p)
{
	return map_unmap(p, 32, DMAWIN_GUEST_ALLOC_POOL);
}

static double map_unmap_iova(const struct bench_params *p)
{
	return map_unmap(p, 32, DMAWIN_GUEST_ALLOC_IOVA);
}

static double map_unmap_direct(const struct bench_params *p)
{
	return map_unmap(p, 64, DMAWIN_GUEST_ALLOC_POOL);
}

/* The floor under an indirect map/unmap: H_PUT_TCE + H_STUFF_TCE(1) at a fixed IOBA. */
static double bare_hcalls(const struct bench_params *p)
{
	struct dmawin_papr_config mc;
	struct dmawin_papr *m;
	dmawin_papr_config_init(&mc);
	mc.ram_size = 2ull << 30;
	if (dmawin_papr_create(&mc, &m, NULL, 0))
		return -ENOMEM;
	uint64_t ops = bench_ops(p, 200000);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t ioba = 0x1000 + ((i & 1023) << 12);
		dmawin_papr_h_put_tce(m, DMAWIN_PAPR_LIOBN(0, 0), ioba, (0x1000000 + ioba) | 3);
		dmawin_papr_h_stuff_tce(m, DMAWIN_PAPR_LIOBN(0, 0), ioba, 0, 1);
	}
	uint64_t t1 = bench_now_ns();
	dmawin_papr_destroy(m);
	return (double)(t1 - t0) / (double)ops;
}

static uint64_t sparse_ram(const struct bench_params *p)
{
	return p->quick ? 16ull << 30 : 1ull << 40;
}

static double direct_map(const struct bench_params *p, unsigned shift)
{
	struct rig r;
	unsigned id;
	if (rig_up(&r, sparse_ram(p), (1ull << 12) | (1ull << shift), DMAWIN_GUEST_ALLOC_POOL))
		return -ENOMEM;
	if (add_dev(&r, 0, 64, &id) || dmawin_guest_boot(r.g)) {
		rig_down(&r);
		return -EIO;
	}
	/* boot cleared the default window and probed; probe again a second 64-bit device on a
	 * fresh PHB would need a second window, so time a full remove + re-probe instead */
	if (dmawin_guest_device_remove(r.g, id) || dmawin_guest_phb_remove(r.g, 0) ||
	    dmawin_guest_phb_setup(r.g, 0) || add_dev(&r, 0, 64, &id)) {
		rig_down(&r);
		return -EIO;
	}
	uint64_t t0 = bench_now_ns();
	int rc = dmawin_guest_probe(r.g, id);
	uint64_t t1 = bench_now_ns();
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(r.g, id, &di);
	rig_down(&r);
	if (rc || di.mode != DMAWIN_GUEST_MODE_DIRECT || di.page_shift != shift)
		return -EIO;
	return (double)(t1 - t0);
}

static double memset_table(const struct bench_params *p, unsigned shift)
{
	uint64_t bytes = (sparse_ram(p) >> shift) * 8;
	unsigned char *buf = malloc(bytes);
	if (!buf)
		return -ENOMEM;
	memset(buf, 1, bytes); /* fault in first, as the TCE table is faulted in by the warm-up */
	uint64_t t0 = bench_now_ns();
	memset(buf, 3, bytes);
	uint64_t t1 = bench_now_ns();
	bench_keep(buf[bytes - 1]);
	free(buf);
	return (double)(t1 - t0);
}

static double direct_64k(const struct bench_params *p)
{
	return direct_map(p, 16);
}

static double direct_16m(const struct bench_params *p)
{
	return direct_map(p, 24);
}

static double memset_64k(const struct bench_params *p)
{
	return memset_table(p, 16);
}

static double memset_16m(const struct bench_params *p)
{
	return memset_table(p, 24);
}

BENCH_WORKLOAD(guest_map_unmap_4k_indirect, .name = "guest_map_unmap_4k_indirect",
	       .description = "dma_map_single+unmap of 4 KiB on the default window (pool "
			      "allocator, H_PUT_TCE + H_STUFF_TCE), ns per pair",
	       .run = map_unmap_pool, .baseline_name = "papr_put_stuff_4k", .baseline = bare_hcalls)
BENCH_WORKLOAD(guest_map_unmap_4k_indirect_iova, .name = "guest_map_unmap_4k_indirect_iova",
	       .description = "as guest_map_unmap_4k_indirect with the iova-layer allocator",
	       .run = map_unmap_iova, .baseline_name = "guest_map_unmap_4k_indirect",
	       .baseline = map_unmap_pool)
BENCH_WORKLOAD(
	guest_map_unmap_direct, .name = "guest_map_unmap_direct",
	.description = "dma_map_single+unmap of 4 KiB on a direct DDW (no hcall), ns per pair",
	.run = map_unmap_direct, .baseline_name = "guest_map_unmap_4k_indirect",
	.baseline = map_unmap_pool)
BENCH_WORKLOAD(guest_direct_map_ram_64k, .name = "guest_direct_map_ram_64k",
	       .description = "DDW probe + direct map of a 1 TiB sparse guest with 64K TCEs "
			      "(16M TCEs, 32768 H_PUT_TCE_INDIRECT), ns per whole map",
	       .run = direct_64k, .baseline_name = "memset_tce_bytes_64k", .baseline = memset_64k)
BENCH_WORKLOAD(guest_direct_map_ram_16m, .name = "guest_direct_map_ram_16m",
	       .description = "DDW probe + direct map of a 1 TiB sparse guest with 16M TCEs "
			      "(64K TCEs, 128 H_PUT_TCE_INDIRECT), ns per whole map",
	       .run = direct_16m, .baseline_name = "memset_tce_bytes_16m", .baseline = memset_16m)
