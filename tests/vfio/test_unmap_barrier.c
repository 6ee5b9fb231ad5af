/* SPDX-License-Identifier: MIT */
/*
 * Once VFIO_IOMMU_UNMAP_DMA (or a MAP that replaces an entry) has returned, no device byte moves
 * through the old entry. Two PEs share the container's DDW; their devices write their id through
 * random IOVAs of their own half of the window (two devices writing one page at once would be a
 * race of the test's own making) while a mapper maps host pages, unmaps them, fills each unmapped page with a
 * sentinel and checks the sentinel is intact before mapping the page again. Suite 'threads'.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "vfio_fixture.h"

#define PG	 65536u
#define SLOTS	 32
#define PAGES	 64
#define ROUNDS	 20000
#define SENTINEL 0xee

struct run {
	struct fx f;
	uint64_t start; /* the DDW's bus address */
	atomic_bool stop;
	atomic_ulong written;
};

static bool page_is(const uint8_t *p, uint8_t v)
{
	for (unsigned i = 0; i < PG; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void *device(void *arg)
{
	struct run *r = *(struct run **)arg;
	unsigned id = (unsigned)(((struct run **)arg)[1] != NULL);
	struct dmawin_pe_dev *dev;
	uint8_t buf[2 * PG];
	uint64_t rs = 0xd0d0 + id;

	memset(buf, (int)(id + 1), sizeof(buf));
	if (dmawin_pe_dev_create(r->f.pe[id], NULL, &dev) != 0)
		return (void *)1;
	while (!atomic_load(&r->stop)) {
		uint64_t x = dw_test_rand(&rs);
		size_t len = 1 + (size_t)((x >> 24) % sizeof(buf));

		uint64_t off = id * (SLOTS / 2) * PG + x % ((SLOTS / 2) * PG);

		len = DW_MIN(len, (uint64_t)(id + 1) * (SLOTS / 2) * PG - off);
		if (dmawin_pe_dma_write(dev, r->start + off, buf, len, NULL) == 0)
			atomic_fetch_add(&r->written, 1);
	}
	dmawin_pe_dev_destroy(dev);
	return NULL;
}

static void test_vfio_no_device_write_after_unmap_returns(void **state)
{
	static struct run r;
	struct run *args[2][2] = {{&r, NULL}, {&r, &r}};
	int slot_page[SLOTS], page_slot[PAGES];
	uint64_t rs = 0x5e7;
	pthread_t t[2];
	void *ret;

	(void)state;
	fx_init(&r.f);
	fx_v2(&r.f);
	assert_int_equal(dmawin_vfio_attach_group(r.f.c, r.f.pe[1]), 0);
	assert_int_equal(fx_reg(&r.f, fx_ua(&r.f, 0), PAGES * PG), 0);
	assert_int_equal(fx_create(&r.f, 16, 64 * MiB, 1, &r.start), 0);
	memset(r.f.ram, 0, PAGES * PG);
	for (int i = 0; i < SLOTS; i++)
		slot_page[i] = -1;
	for (int i = 0; i < PAGES; i++)
		page_slot[i] = -1;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, device, args[i]);
	for (unsigned n = 0; n < ROUNDS; n++) {
		unsigned slot = (unsigned)(dw_test_rand(&rs) % SLOTS);
		int page = slot_page[slot];
		uint64_t iova = r.start + (uint64_t)slot * PG;

		if (page >= 0) {
			assert_int_equal(fx_unmap(&r.f, iova, PG), 0);
			memset(r.f.ram + (uint64_t)page * PG, SENTINEL, PG);
			slot_page[slot] = page_slot[page] = -1;
			continue;
		}
		page = (int)(dw_test_rand(&rs) % PAGES);
		if (page_slot[page] >= 0)
			continue;
		if (!page_is(r.f.ram + (uint64_t)page * PG, SENTINEL) &&
		    !page_is(r.f.ram + (uint64_t)page * PG, 0))
			fail_msg("round %u: page %d written after its unmap returned", n, page);
		memset(r.f.ram + (uint64_t)page * PG, 0, PG);
		assert_int_equal(fx_map(&r.f, fx_ua(&r.f, (uint64_t)page * PG), iova, PG,
					VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE),
				 0);
		slot_page[slot] = page;
		page_slot[page] = (int)slot;
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	print_message("written %lu\n", (unsigned long)atomic_load(&r.written));
	assert_true(atomic_load(&r.written) > 0);
	for (int i = 0; i < SLOTS; i++)
		if (slot_page[i] >= 0)
			assert_int_equal(fx_unmap(&r.f, r.start + (uint64_t)i * PG, PG), 0);
	assert_int_equal(fx_unreg(&r.f, fx_ua(&r.f, 0), PAGES * PG), 0);
	fx_fini(&r.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfio_no_device_write_after_unmap_returns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
