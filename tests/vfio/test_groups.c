/* SPDX-License-Identifier: MIT */
/*
 * Several groups per container sharing refcounted tables (seed 002, spec §3): device DMA through
 * every PE, detach in every order, and David Gibson's lifetime question — a table must live as
 * long as any user (container, PE) holds it, whatever the order of detach, REMOVE, container
 * close and PE/PHB destruction. Run under ASan: any use after free or leak fails the build.
 */
#include "vfio_fixture.h"

#define R  VFIO_DMA_MAP_FLAG_READ
#define W  VFIO_DMA_MAP_FLAG_WRITE
#define NG 3

/* v2 with PEs 0..NG-1, RAM registered, the default window, a 64K DDW mapped over 1 MiB. */
static void fx_shared(struct fx *f)
{
	fx_v2(f);
	for (unsigned i = 1; i < NG; i++)
		assert_int_equal(dmawin_vfio_attach_group(f->c, f->pe[i]), 0);
	assert_int_equal(fx_reg(f, fx_ua(f, 0), 16 * MiB), 0);
	assert_int_equal(fx_create(f, 16, GiB, 2, NULL), 0);
	assert_int_equal(fx_map(f, fx_ua(f, 0), FX_DDW, MiB, R | W), 0);
	fx_check(f);
}

/* Each PE's device sees the same mapping; returns how many PEs could DMA. */
static unsigned dma_through_all(struct fx *f, const char *tag)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < NG; i++) {
		struct dmawin_pe_dev *dev;
		char out[8];

		assert_int_equal(dmawin_pe_dev_create(f->pe[i], NULL, &dev), 0);
		memcpy(f->ram + 4096 * (i + 1), tag, 8);
		if (dmawin_pe_dma_read(dev, FX_DDW + 4096 * (i + 1), out, 8, NULL) == 0) {
			assert_memory_equal(out, tag, 8);
			ok++;
		}
		dmawin_pe_dev_destroy(dev);
	}
	return ok;
}

static void test_groups_share_one_table(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_shared(&f);
	assert_int_equal(dma_through_all(&f, "shared!"), NG);
	/* one UNMAP is seen by every PE at once */
	assert_int_equal(fx_unmap(&f, FX_DDW, MiB), 0);
	assert_int_equal(dma_through_all(&f, "gone..."), 0);
	fx_fini(&f);
}

static void test_groups_detach_clears_shared_tables(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_shared(&f);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[1]), 0);
	/* mainline: the departing group's release clears every container table */
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe[1]), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 2);
	/* the others keep the window and can be mapped again */
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, MiB, R), 0);
	assert_int_equal(dma_through_all(&f, "again!!"), NG - 1);
	fx_check(&f);
	fx_fini(&f);
}

static void test_groups_detach_quirk_keeps_mappings(void **state)
{
	struct dmawin_vfio_config vc = {.quirks = DMAWIN_VFIO_QUIRK_DETACH_KEEPS_MAPPINGS};
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 4 * GiB, &vc);
	fx_shared(&f);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[1]), 0);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0 | 3); /* v5.x */
	assert_int_equal(dma_through_all(&f, "v5.x..."), NG - 1);
	fx_check(&f);
	fx_fini(&f);
}

static void test_groups_attach_late_gets_windows(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 16 * MiB), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 2, NULL), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, MiB, R), 0);
	for (unsigned i = 1; i < NG; i++)
		assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[i]), 0);
	assert_int_equal(dma_through_all(&f, "late..."), NG);
	fx_check(&f);
	fx_fini(&f);
}

/*
 * Every order of tearing down: the NG detaches in each permutation, with the REMOVE of the
 * window at each position among them and the container close at the end; then the same with
 * the container closed while groups are still attached. ASan watches the tables.
 */
static void teardown_order(const unsigned perm[NG], unsigned remove_at, bool close_early)
{
	struct fx f;

	fx_init(&f);
	fx_shared(&f);
	for (unsigned step = 0; step <= NG; step++) {
		if (step == remove_at) {
			/* with every group gone REMOVE is -ENXIO: the table waits for the close */
			assert_int_equal(fx_remove(&f, FX_DDW), step == NG ? -ENXIO : 0);
			for (unsigned i = 0; i < NG; i++)
				assert_int_equal(fx_tce(&f, i, FX_DDW, DMAWIN_PE_DMA_READ), 0);
		}
		if (step == NG)
			break;
		if (close_early && step == 1) {
			dmawin_vfio_destroy(f.c);
			assert_int_equal(dmawin_vfio_create(f.mm, NULL, &f.c), 0);
			for (unsigned i = 0; i < NG; i++)
				assert_int_equal(dmawin_pe_window_count(f.pe[i]), 0);
			break;
		}
		assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[perm[step]]), 0);
		/* the groups still attached keep a working window until REMOVE */
		for (unsigned i = step + 1; i < NG; i++) {
			struct dmawin_pe_window_info wi;

			if (step < remove_at)
				assert_int_equal(dmawin_pe_window_info(f.pe[perm[i]], 1, &wi), 0);
		}
		fx_check(&f);
	}
	fx_fini(&f);
}

static void test_groups_teardown_every_order_asan_clean(void **state)
{
	static const unsigned perms[6][NG] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					      {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

	(void)state;
	for (unsigned p = 0; p < 6; p++) {
		for (unsigned at = 0; at <= NG; at++)
			teardown_order(perms[p], at, false);
		teardown_order(perms[p], NG + 1, true);
	}
}

static void test_groups_pe_holds_table_after_container_close(void **state)
{
	struct dmawin_pe_dev *dev;
	struct fx f;
	char out[4];

	(void)state;
	fx_init(&f);
	fx_shared(&f);
	/* a device of PE 2 started before the close keeps its handle; the container's close
	 * unsets the windows, and the table is freed only once the PE lets go of it */
	assert_int_equal(dmawin_pe_dev_create(f.pe[2], NULL, &dev), 0);
	assert_int_equal(dmawin_pe_dma_read(dev, FX_DDW, out, 4, NULL), 0);
	dmawin_vfio_destroy(f.c);
	f.c = NULL;
	assert_int_equal(dmawin_pe_dma_read(dev, FX_DDW, out, 4, NULL), -EFAULT);
	dmawin_pe_dev_destroy(dev);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	assert_int_equal(dmawin_vfio_create(f.mm, NULL, &f.c), 0);
	fx_fini(&f);
}

static void test_groups_phb_destroyed_after_detach(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_shared(&f);
	for (unsigned i = 0; i < NG; i++)
		assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[i]), 0);
	/* the PEs (and their table references) go first; the container still owns its table */
	dmawin_pe_phb_destroy(f.phb);
	f.phb = NULL;
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, MiB, R), 0);
	fx_check(&f);
	dmawin_vfio_destroy(f.c);
	f.c = NULL;
	assert_int_equal(dmawin_vfio_mm_destroy(f.mm), 0);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	dmawin_mem_destroy(f.mem);
	munmap(f.raw, FX_RAM + 16 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_share_one_table),
		cmocka_unit_test(test_groups_detach_clears_shared_tables),
		cmocka_unit_test(test_groups_detach_quirk_keeps_mappings),
		cmocka_unit_test(test_groups_attach_late_gets_windows),
		cmocka_unit_test(test_groups_teardown_every_order_asan_clean),
		cmocka_unit_test(test_groups_pe_holds_table_after_container_close),
		cmocka_unit_test(test_groups_phb_destroyed_after_detach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
