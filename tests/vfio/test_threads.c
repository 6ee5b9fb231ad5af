/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: MAP/UNMAP from several threads on disjoint parts of one shared window, device DMA
 * through two PEs at the same time, REGISTER/UNREGISTER/GET_INFO of other memory, and window and
 * group churn (REMOVE/CREATE of slot 0, attach/detach of a third PE) in between. Afterwards the
 * mapped counts, the TCEs and the invariants must be exact. Suite 'threads'.
 */
#include <pthread.h>

#include "vfio_fixture.h"

#define NT     3
#define ROUNDS 3000
#define SPAN   64 /* 64K pages per thread */

struct worker {
	struct fx *f;
	unsigned id;
	unsigned long errors;
};

static void *mapper(void *arg)
{
	struct worker *w = arg;
	uint64_t rs = 0x1234567ull + w->id, base = FX_DDW + (uint64_t)w->id * SPAN * 65536;

	for (unsigned i = 0; i < ROUNDS; i++) {
		uint64_t x = dw_test_rand(&rs), e = x % SPAN, n = 1 + (x >> 8) % (SPAN - e);
		uint64_t off = ((x >> 20) % (16 * MiB / 65536 - n)) * 65536;

		if (fx_map(w->f, fx_ua(w->f, off), base + e * 65536, n * 65536,
			   VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) != 0)
			w->errors++;
		if ((x >> 40) & 1 && fx_unmap(w->f, base + e * 65536, n * 65536) != 0)
			w->errors++;
	}
	return NULL;
}

static void *device(void *arg)
{
	struct worker *w = arg;
	struct dmawin_pe_dev *dev;
	uint64_t rs = 99 + w->id;
	uint8_t buf[64];

	if (dmawin_pe_dev_create(w->f->pe[w->id], NULL, &dev) != 0) {
		w->errors++;
		return NULL;
	}
	for (unsigned i = 0; i < ROUNDS * 4; i++) {
		uint64_t x = dw_test_rand(&rs);
		int ret = dmawin_pe_dma_read(dev, FX_DDW + x % ((uint64_t)NT * SPAN * 65536 - 64),
					     buf, sizeof(buf), NULL);

		if (ret != 0 && ret != -EFAULT) /* unmapped pages fault; nothing else may */
			w->errors++;
	}
	dmawin_pe_dev_destroy(dev);
	return NULL;
}

static void *registrar(void *arg)
{
	struct worker *w = arg;

	for (unsigned i = 0; i < ROUNDS / 10; i++) {
		struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};

		if (fx_reg(w->f, fx_ua(w->f, 32 * MiB), MiB) != 0 ||
		    fx_unreg(w->f, fx_ua(w->f, 32 * MiB), MiB) != 0 ||
		    dmawin_vfio_ioctl(w->f->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO,
				      (unsigned long)&info) != 0)
			w->errors++;
	}
	return NULL;
}

/* Window and group churn under the mappers: slot 0 removed and re-created, PE 2 attached and
 * detached (mainline detach clears the shared tables, so mappings vanish mid-run). */
static void *churner(void *arg)
{
	struct worker *w = arg;

	for (unsigned i = 0; i < ROUNDS / 30; i++) {
		uint64_t start = 1;

		if (fx_remove(w->f, 0) != 0 || fx_create(w->f, 12, 256 * MiB, 1, &start) != 0 ||
		    start != 0)
			w->errors++;
		if (dmawin_vfio_attach_group(w->f->c, w->f->pe[2]) != 0 ||
		    dmawin_vfio_detach_group(w->f->c, w->f->pe[2]) != 0)
			w->errors++;
	}
	return NULL;
}

static void test_threads_map_unmap_dma_concurrently_exact(void **state)
{
	struct worker w[NT + 4];
	pthread_t t[NT + 4];
	struct dmawin_vfio_region_info ri;
	uint64_t mapped = 0, tce;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[1]), 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 16 * MiB), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 2, NULL), 0); /* after the default window */
	for (unsigned i = 0; i < NT + 4; i++)
		w[i] = (struct worker){.f = &f, .id = i < NT ? i : i - NT};
	for (unsigned i = 0; i < NT; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mapper, &w[i]), 0);
	assert_int_equal(pthread_create(&t[NT], NULL, device, &w[NT]), 0);
	assert_int_equal(pthread_create(&t[NT + 1], NULL, device, &w[NT + 1]), 0);
	assert_int_equal(pthread_create(&t[NT + 2], NULL, registrar, &w[NT + 2]), 0);
	assert_int_equal(pthread_create(&t[NT + 3], NULL, churner, &w[NT + 3]), 0);
	for (unsigned i = 0; i < NT + 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
	for (uint64_t e = 0; e < (uint64_t)NT * SPAN; e++) {
		assert_int_equal(dmawin_tce_get(f.c->win[1].tbl, e, &tce), 0);
		mapped += dmawin_tce_mapped(tce);
	}
	assert_int_equal(dmawin_vfio_mm_region(f.mm, fx_ua(&f, 0), &ri), 0);
	assert_int_equal(ri.mapped, 1 + mapped);
	fx_check(&f);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_map_unmap_dma_concurrently_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
