/* SPDX-License-Identifier: MIT */
/*
 * Indirect mode under a random workload (the "tiny TCE budget" test): an SR-IOV-like VF
 * whose PE offers 64K pages and 1024 TCEs, so the guest uses a small DDW with dynamic TCEs.
 * Random map_single / map_sg / alloc_coherent / unmap operations run against a shadow list of
 * live mappings; after every step a checker compares the guest's occupancy with the shadow and
 * that no two mappings overlap; every 64 steps it reads every TCE of the window back from the
 * machine and compares it with what the shadow says; device DMA through random mappings must
 * land in the right guest bytes. At the end every TCE must be clear.
 */
#include <inttypes.h>

#include "guest_test.h"

#define OPS	30000
#define MAXLIVE 256
#define SHIFT	16

struct live {
	uint64_t dma, len, phys;
	int kind; /* 0 single, 1 sg segment list, 2 coherent */
	unsigned dir;
	struct dmawin_guest_sg sg[4];
	size_t nsg;
};

struct world {
	struct gt t;
	struct live l[MAXLIVE];
	unsigned n;
	uint64_t seed, rng;
	struct dmawin_guest_device_info di;
};

static uint64_t rnd(struct world *w, uint64_t n)
{
	return dw_test_rand(&w->rng) % n;
}

/* IOMMU-page ranges [first, last] a live mapping covers, one per output segment. */
static unsigned ranges(const struct live *m, uint64_t first[4], uint64_t last[4])
{
	if (m->kind != 1) {
		first[0] = m->dma >> SHIFT;
		last[0] = (m->dma + m->len - 1) >> SHIFT;
		return 1;
	}
	unsigned k = 0;
	for (size_t i = 0; i < m->nsg; i++) {
		if (!m->sg[i].dma_len)
			continue;
		first[k] = m->sg[i].dma_address >> SHIFT;
		last[k] = (m->sg[i].dma_address + m->sg[i].dma_len - 1) >> SHIFT;
		k++;
	}
	return k;
}

struct span {
	uint64_t f, l;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->f < y->f ? -1 : x->f > y->f;
}

/* Whole-structure check: occupancy equals the shadow, no overlap, all inside the window. */
static void dw_guest_check(struct world *w)
{
	static struct span sp[MAXLIVE * 4];
	unsigned ns = 0;
	uint64_t pages = 0;
	uint64_t wfirst = w->di.window_start >> SHIFT;
	uint64_t wlast = (w->di.window_start + w->di.window_size - 1) >> SHIFT;
	for (unsigned i = 0; i < w->n; i++) {
		uint64_t f[4], l[4];
		unsigned k = ranges(&w->l[i], f, l);
		for (unsigned a = 0; a < k; a++) {
			pages += l[a] - f[a] + 1;
			if (f[a] < wfirst || l[a] > wlast)
				fail_msg("seed %" PRIu64 ": mapping outside the window", w->seed);
			sp[ns++] = (struct span){f[a], l[a]};
		}
	}
	qsort(sp, ns, sizeof(sp[0]), span_cmp);
	for (unsigned i = 1; i < ns; i++)
		if (sp[i].f <= sp[i - 1].l)
			fail_msg("seed %" PRIu64 ": two mappings overlap at page 0x%" PRIx64,
				 w->seed, sp[i].f);
	struct dmawin_guest_window_stats ws;
	assert_int_equal(dmawin_guest_window_stats(w->t.g, w->di.liobn, &ws), 0);
	if (ws.used != pages)
		fail_msg("seed %" PRIu64 ": window says %" PRIu64 " entries used, shadow %" PRIu64,
			 w->seed, ws.used, pages);
}

/* What the shadow says every TCE of the window holds (0 = unmapped). */
static void expect_tces(struct world *w, uint64_t *tce)
{
	uint64_t base = w->di.window_start >> SHIFT;
	memset(tce, 0, (w->di.window_size >> SHIFT) * sizeof(*tce));
	for (unsigned i = 0; i < w->n; i++) {
		const struct live *m = &w->l[i];
		uint64_t perm = m->dir == DMAWIN_GUEST_TO_DEVICE ? 1 : 3;
		struct dmawin_guest_sg one = {
			.phys = m->phys, .len = m->len, .dma_address = m->dma, .dma_len = m->len};
		const struct dmawin_guest_sg *sg = m->kind == 1 ? m->sg : &one;
		size_t nsg = m->kind == 1 ? m->nsg : 1;
		uint64_t cur = 0;
		for (size_t e = 0; e < nsg; e++) {
			if (sg[e].dma_len)
				cur = sg[e].dma_address; /* a merged run continues from the previous
							    entry */
			uint64_t f = cur >> SHIFT, l = (cur + sg[e].len - 1) >> SHIFT;
			for (uint64_t p = f; p <= l; p++)
				tce[p - base] = (((sg[e].phys >> SHIFT) + p - f) << SHIFT) | perm;
			cur += sg[e].len;
		}
	}
}

static void check_tces(struct world *w)
{
	static uint64_t want[1 << 16];
	uint64_t entries = w->di.window_size >> SHIFT;
	assert_true(entries <= sizeof(want) / sizeof(want[0]));
	expect_tces(w, want);
	for (uint64_t i = 0; i < entries; i++) {
		struct dmawin_papr_xlate x;
		assert_int_equal(dmawin_papr_xlate(w->t.m, w->di.liobn, i << SHIFT, &x), 0);
		uint64_t got = x.perm ? (x.translated_addr | x.perm) : 0;
		if (got != want[i])
			fail_msg("seed %" PRIu64 ": TCE %" PRIu64 " is 0x%" PRIx64
				 ", expected 0x%" PRIx64,
				 w->seed, i, got, want[i]);
	}
}

/* Device DMA through a random piece of mapping @m lands in (or comes from) the right bytes. */
static void check_dma(struct world *w, const struct live *m)
{
	uint64_t dma = m->kind == 1 ? m->sg[0].dma_address : m->dma;
	uint64_t phys = m->kind == 1 ? m->sg[0].phys : m->phys;
	uint64_t len = m->kind == 1 ? m->sg[0].len : m->len;
	uint64_t off = rnd(w, len), n = 1 + rnd(w, len - off < 64 ? len - off : 64);
	unsigned char buf[64], back[64];
	for (unsigned i = 0; i < n; i++)
		buf[i] = (unsigned char)rnd(w, 256);
	struct dmawin_mem *mem = dmawin_papr_mem(w->t.m);
	if (m->dir == DMAWIN_GUEST_TO_DEVICE) {
		assert_int_equal(dmawin_mem_write(mem, phys + off, buf, n), 0);
		assert_int_equal(dmawin_papr_dma_read(w->t.m, 0, dma + off, back, n), 0);
		assert_int_equal(dmawin_papr_dma_write(w->t.m, 0, dma + off, buf, n), -EFAULT);
	} else {
		assert_int_equal(dmawin_papr_dma_write(w->t.m, 0, dma + off, buf, n), 0);
		assert_int_equal(dmawin_mem_read(mem, phys + off, back, n), 0);
	}
	if (memcmp(buf, back, n))
		fail_msg("seed %" PRIu64 ": DMA bytes differ", w->seed);
}

static void op_map(struct world *w)
{
	struct live *m = &w->l[w->n];
	memset(m, 0, sizeof(*m));
	m->kind = (int)rnd(w, 3);
	m->dir = (unsigned)rnd(w, 3);
	struct dmawin_guest_window_stats before, after;
	dmawin_guest_window_stats(w->t.g, w->di.liobn, &before);
	int rc;
	if (m->kind == 0) {
		m->phys = 16 * MiB + rnd(w, GiB);
		m->len = 1 + rnd(w, 512 * KiB);
		rc = dmawin_guest_map_single(w->t.g, 0, m->phys, m->len, m->dir, &m->dma);
	} else if (m->kind == 1) {
		m->nsg = 1 + rnd(w, 4);
		uint64_t p = 16 * MiB + (rnd(w, GiB) & ~0xfffull);
		for (size_t i = 0; i < m->nsg; i++) {
			m->sg[i].phys = p;
			m->sg[i].len = 4096 * (1 + rnd(w, 32));
			p += m->sg[i].len + (rnd(w, 2) ? 0 : 4096 * rnd(w, 64));
		}
		size_t nents;
		rc = dmawin_guest_map_sg(w->t.g, 0, m->sg, m->nsg, m->dir, &nents);
	} else {
		m->len = 1 + rnd(w, 256 * KiB);
		m->dir = DMAWIN_GUEST_BIDIRECTIONAL;
		rc = dmawin_guest_alloc_coherent(w->t.g, 0, m->len, &m->phys, &m->dma);
	}
	if (rc) {
		if (rc != -ENOSPC && rc != -ENOMEM)
			fail_msg("seed %" PRIu64 ": map failed with %d", w->seed, rc);
		dmawin_guest_window_stats(w->t.g, w->di.liobn, &after);
		assert_int_equal(after.used, before.used); /* nothing left behind */
		return;
	}
	w->n++;
}

static void op_unmap(struct world *w, unsigned i)
{
	struct live *m = &w->l[i];
	int rc;
	if (m->kind == 0)
		rc = dmawin_guest_unmap_single(w->t.g, 0, m->dma, m->len, m->dir);
	else if (m->kind == 1)
		rc = dmawin_guest_unmap_sg(w->t.g, 0, m->sg, m->nsg, m->dir);
	else
		rc = dmawin_guest_free_coherent(w->t.g, 0, m->len, m->phys, m->dma);
	if (rc)
		fail_msg("seed %" PRIu64 ": unmap failed with %d", w->seed, rc);
	w->l[i] = w->l[--w->n];
}

static void run(enum dmawin_guest_allocator alloc, uint64_t seed)
{
	static struct world w;
	memset(&w, 0, sizeof(w));
	w.seed = w.rng = seed;
	gt_defaults(&w.t, 2 * GiB);
	w.t.mc.phbs[0].pgsz = (1ull << 12) | (1ull << 16);
	w.t.mc.phbs[0].tce_budget = 1024;
	w.t.gc.allocator = alloc;
	gt_start(&w.t);
	dmawin_guest_set_trace(w.t.g, NULL, NULL);
	gt_dev(&w.t, "vf", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(w.t.g), 0);
	assert_int_equal(dmawin_guest_device_info(w.t.g, 0, &w.di), 0);
	assert_int_equal(w.di.mode, DMAWIN_GUEST_MODE_DDW_TABLE);
	assert_true(w.di.window_size == 1024ull << SHIFT);
	unsigned failures = 0;
	for (unsigned op = 0; op < OPS; op++) {
		if (w.n < MAXLIVE && (w.n == 0 || rnd(&w, 100) < 55)) {
			unsigned before = w.n;
			op_map(&w);
			failures += w.n == before;
			if (w.n > before && rnd(&w, 4) == 0)
				check_dma(&w, &w.l[w.n - 1]);
		} else {
			op_unmap(&w, (unsigned)rnd(&w, w.n));
		}
		dw_guest_check(&w);
		if (op % 64 == 0)
			check_tces(&w);
	}
	while (w.n)
		op_unmap(&w, w.n - 1);
	dw_guest_check(&w);
	check_tces(&w);		   /* every TCE clear */
	assert_true(failures > 0); /* the budget was really exhausted at times */
	struct dmawin_guest_stats s = gt_stats(&w.t);
	assert_int_equal(s.maps - s.direct_maps >= s.unmaps, 1);
	gt_stop(&w.t);
}

static uint64_t seed_base(void)
{
	const char *e = getenv("DMAWIN_SEED");
	return e ? strtoull(e, NULL, 0) : 0x9e3779b97f4a7c15ull;
}

static void test_random_pool_allocator_tiny_budget(void **state)
{
	(void)state;
	uint64_t seed = seed_base();
	printf("seed %" PRIu64 "\n", seed);
	run(DMAWIN_GUEST_ALLOC_POOL, seed);
}

static void test_random_iova_allocator_tiny_budget(void **state)
{
	(void)state;
	uint64_t seed = seed_base() ^ 0x5bd1e995ull;
	printf("seed %" PRIu64 "\n", seed);
	run(DMAWIN_GUEST_ALLOC_IOVA, seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_pool_allocator_tiny_budget),
		cmocka_unit_test(test_random_iova_allocator_tiny_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
