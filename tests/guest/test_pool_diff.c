/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the guest's IOVA allocator (the Linux pool allocator, src/guest/table.c)
 * against the naive reference model tests/ref/guest_pool_ref.h: random dma_map_single /
 * dma_unmap_single through the public API, and for every map the bus address must be the one
 * the reference picks (or both must fail). Three windows: 64 MiB with a 1 MiB segment
 * boundary (one pool), 1 GiB (four pools), and 64 MiB straddling 4 GiB for a 32-bit device
 * (the DMA-mask limit, a non-zero it_offset). Seed printed; DMAWIN_SEED overrides it.
 */
#include <inttypes.h>

#include "guest_test.h"
#include "../ref/guest_pool_ref.h"

#define MAXLIVE 2048

struct m {
	uint64_t dma, len, entry, n;
};

struct diff_case {
	uint64_t win_addr, win_size, seg_mask;
	unsigned ops, maxlive;
	uint64_t maxpages; /* small buffers are 1 byte .. maxpages 4K pages long */
	bool must_fill;	   /* the window fills up at times (the failure cascade runs) */
};

/* One dma_map_single in both the guest and the reference; returns 1 when both refused it. */
static unsigned map_step(struct gt *t, unsigned id, const struct diff_case *c, struct gpr *ref,
			 uint64_t boundary, uint64_t r, uint64_t *rng, unsigned op, uint64_t seed,
			 struct m *live, unsigned *n)
{
	uint64_t phys, len;
	if (r % 4 == 0) { /* a page-aligned multi-page buffer: aligned to the 64K page */
		phys = (16 + dw_test_rand(rng) % 4096) << 16;
		len = 65536 + dw_test_rand(rng) % (3 * 65536);
	} else {
		phys = 16 * MiB + dw_test_rand(rng) % GiB;
		len = 1 + dw_test_rand(rng) % (c->maxpages * 4096);
	}
	uint64_t npages = ((phys + len - 1) >> 12) - (phys >> 12) + 1;
	unsigned align = (len >= 65536 && phys % 65536 == 0) ? 4 : 0;
	int64_t e = gpr_alloc(ref, npages, 0xfffff, align, boundary);
	uint64_t dma = 0;
	int rc = dmawin_guest_map_single(t->g, id, phys, len, 0, &dma);
	if (e < 0) {
		if (rc != -ENOSPC)
			fail_msg("seed %" PRIu64 " op %u: reference fails, guest %d dma 0x%" PRIx64,
				 seed, op, rc, dma);
		return 1;
	}
	if (rc != 0 || (dma >> 12) != (uint64_t)e + ref->offset)
		fail_msg("seed %" PRIu64 " op %u: %" PRIu64 " pages align %u: guest %d 0x%" PRIx64
			 ", reference 0x%" PRIx64,
			 seed, op, npages, align, rc, dma, ((uint64_t)e + ref->offset) << 12);
	live[(*n)++] = (struct m){dma, len, (uint64_t)e, npages};
	return 0;
}

static void run_case(const struct diff_case *c, uint64_t seed)
{
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].dma_win_addr = c->win_addr;
	t.mc.phbs[0].dma_win_size = c->win_size;
	gt_start(&t);
	dmawin_guest_set_trace(t.g, NULL, NULL);
	struct dmawin_guest_device_config dc = {
		.phb_index = 0, .devfn = 8, .dma_mask_bits = 32, .seg_boundary_mask = c->seg_mask};
	unsigned id;
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, &id), 0);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct gpr ref;
	gpr_init(&ref, c->win_size >> 12, c->win_addr >> 12, 12);
	uint64_t boundary = ((c->seg_mask ? c->seg_mask : 0xffffffffull) >> 12) + 1;
	static struct m live[MAXLIVE];
	unsigned n = 0, fails = 0;
	uint64_t rng = seed;
	for (unsigned op = 0; op < c->ops; op++) {
		uint64_t r = dw_test_rand(&rng);
		if (n && (n >= c->maxlive || r % 100 >= 55)) {
			unsigned i = (unsigned)(dw_test_rand(&rng) % n);
			assert_int_equal(
				dmawin_guest_unmap_single(t.g, id, live[i].dma, live[i].len, 0), 0);
			gpr_free(&ref, live[i].entry, live[i].n);
			live[i] = live[--n];
			continue;
		}
		fails += map_step(&t, id, c, &ref, boundary, r, &rng, op, seed, live, &n);
	}
	if (c->must_fill)
		assert_true(fails > 0);
	while (n--)
		assert_int_equal(dmawin_guest_unmap_single(t.g, id, live[n].dma, live[n].len, 0),
				 0);
	gpr_fini(&ref);
	gt_stop(&t);
}

static uint64_t seed_of(uint64_t salt)
{
	const char *e = getenv("DMAWIN_SEED");
	uint64_t s = (e ? strtoull(e, NULL, 0) : 0x2545f4914f6cdd1dull) ^ salt;
	printf("seed %" PRIu64 "\n", s);
	return s ? s : 1;
}

static void test_pool_diff_one_pool_segment_boundary(void **state)
{
	(void)state;
	struct diff_case c = {0, 64 * MiB, 0xfffff, 1000000, 1400, 20, true};
	run_case(&c, seed_of(1));
}

static void test_pool_diff_four_pools(void **state)
{
	(void)state;
	struct diff_case c = {0, GiB, 0, 60000, 2048, 64, false};
	run_case(&c, seed_of(2));
}

static void test_pool_diff_mask_limited_window(void **state)
{
	(void)state;
	struct diff_case c = {0xff000000ull, 64 * MiB, 0, 150000, 1400, 20, true};
	run_case(&c, seed_of(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_diff_one_pool_segment_boundary),
		cmocka_unit_test(test_pool_diff_four_pools),
		cmocka_unit_test(test_pool_diff_mask_limited_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
