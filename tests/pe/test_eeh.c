/* SPDX-License-Identifier: MIT */
/* EEH: state machine, DMA blocking, freeze-on-fault policy, error injection, counters. */
#include "pe_test.h"

#define RW (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE)

struct eeh_fix {
	struct pe_fix f;
	struct dmawin_tce_table *t;
	struct dmawin_pe_dev *dev;
};

static void eeh_setup(struct eeh_fix *e, uint32_t iotlb)
{
	struct dmawin_pe_dev_config dc = {.iotlb_entries = iotlb};

	pe_fix_setup(&e->f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	e->t = pe_table(12, 1 * GiB, 0);
	assert_int_equal(pe_set_table(e->f.pe, 0, e->t, 0), 0);
	for (uint64_t i = 0; i < 16; i++)
		pe_map(e->t, i, i * 4096, RW);
	assert_int_equal(dmawin_pe_dev_create(e->f.pe, &dc, &e->dev), 0);
}

static void eeh_teardown(struct eeh_fix *e)
{
	dmawin_pe_dev_destroy(e->dev);
	pe_fix_teardown(&e->f);
	dmawin_tce_destroy(e->t);
}

static int dma1(struct eeh_fix *e, uint64_t addr, enum dmawin_pe_dir dir)
{
	uint8_t b[8] = {0};

	return dir == DMAWIN_PE_DMA_READ ? dmawin_pe_dma_read(e->dev, addr, b, 8, NULL)
					 : dmawin_pe_dma_write(e->dev, addr, b, 8, NULL);
}

static void test_eeh_freeze_blocks_dma_thaw_recovers(void **state)
{
	struct dmawin_pe_eeh_stats es;
	struct dmawin_pe_fault_info fi;
	struct dmawin_pe_xlate xl;
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 16);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dma1(&e, 0x100, DMAWIN_PE_DMA_READ), 0); /* IOTLB now holds page 0 */
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dma1(&e, 0x100, DMAWIN_PE_DMA_READ), -EIO);
	assert_int_equal(dmawin_pe_dev_last_fault(e.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_FROZEN);
	assert_int_equal(dmawin_pe_translate(e.f.pe, 0x100, DMAWIN_PE_DMA_READ, &xl), -EIO);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_FROZEN);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), 0); /* idempotent */
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_MMIO), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED_DMA);
	assert_int_equal(dma1(&e, 0x100, DMAWIN_PE_DMA_WRITE), -EIO);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_DMA), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dma1(&e, 0x100, DMAWIN_PE_DMA_WRITE), 0);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.freezes == 1 && es.thaws == 2 && es.dma_blocked == 3);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, 7), -EINVAL);
	assert_int_equal(dw_pe_check(e.f.pe), 0);
	eeh_teardown(&e);
}

/* DMA thawed while MMIO stays frozen reads UNAVAIL (as Linux maps it); DMA works again. */
static void test_eeh_thaw_dma_only_unavail(void **state)
{
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), 0);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_DMA), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_UNAVAIL);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), 0);
	eeh_teardown(&e);
}

static void test_eeh_reset_then_configure(void **state)
{
	struct dmawin_pe_eeh_stats es;
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 16);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_HOT), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_RESET);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), -EBUSY);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_DMA), -EBUSY);
	assert_int_equal(dmawin_pe_eeh_configure(e.f.pe), -EBUSY);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, 0, 0, 0), -EBUSY);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), -EIO);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_DEACTIVATE), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), -EIO); /* not configured yet */
	assert_int_equal(dmawin_pe_eeh_configure(e.f.pe), 0);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_FUNDAMENTAL), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_DEACTIVATE), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_DEACTIVATE), 0);
	assert_int_equal(dmawin_pe_eeh_configure(e.f.pe), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, 2), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.resets == 2 && es.configures == 2);
	eeh_teardown(&e);
}

static void test_eeh_disabled_never_freezes(void **state)
{
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dmawin_pe_eeh_set_freeze_on_fault(e.f.pe, true), 0);
	assert_int_equal(dmawin_pe_eeh_set_enabled(e.f.pe, false), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_UNAVAIL);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), -EPERM);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, 12, 0, 0), -EPERM);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_HOT), -EPERM);
	assert_int_equal(dmawin_pe_eeh_configure(e.f.pe), -EPERM);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_DMA), -EPERM);
	assert_int_equal(dma1(&e, 1 * GiB, DMAWIN_PE_DMA_READ), -EFAULT); /* faults, no freeze */
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(dmawin_pe_eeh_set_enabled(e.f.pe, true), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dmawin_pe_eeh_freeze(e.f.pe), 0);
	assert_int_equal(dmawin_pe_eeh_set_enabled(e.f.pe, false), -EBUSY);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dmawin_pe_eeh_state(NULL), -EINVAL);
	eeh_teardown(&e);
}

/* Default policy is QEMU's: a fault does not freeze. With the hardware policy it does. */
static void test_eeh_freeze_on_fault_policy(void **state)
{
	struct dmawin_pe_eeh_stats es;
	struct dmawin_pe_xlate xl;
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dma1(&e, 1 * GiB, DMAWIN_PE_DMA_READ), -EFAULT);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dmawin_pe_eeh_set_freeze_on_fault(e.f.pe, true), 0);
	/* A translation query alone does not freeze; a DMA does. */
	assert_int_equal(dmawin_pe_dev_translate(e.dev, 1 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dma1(&e, 0x20000, DMAWIN_PE_DMA_WRITE), -EFAULT); /* invalid TCE */
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), -EIO);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.freezes == 1 && es.fault_freezes == 1);
	assert_int_equal(dmawin_pe_eeh_set_freeze_on_fault(NULL, true), -EINVAL);
	eeh_teardown(&e);
}

/* A PHB configured with the hardware policy gives it to its PEs. */
static void test_eeh_phb_policy_inherited(void **state)
{
	struct dmawin_phb_config cfg;
	struct dmawin_pe_dev *dev;
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
	uint8_t b[4];

	(void)state;
	assert_int_equal(dmawin_mem_create(NULL, &mem), 0);
	dmawin_pe_phb_config_init(&cfg);
	cfg.freeze_on_fault = true;
	assert_int_equal(dmawin_pe_phb_create(&cfg, mem, &phb), 0);
	assert_int_equal(dmawin_pe_create(phb, 0, &pe), 0);
	assert_int_equal(dmawin_pe_dev_create(pe, NULL, &dev), 0);
	assert_int_equal(dmawin_pe_dma_read(dev, 0, b, 4, NULL), -EFAULT);
	assert_int_equal(dmawin_pe_eeh_state(pe), DMAWIN_PE_EEH_STOPPED);
	dmawin_pe_phb_destroy(phb); /* also frees the device */
	dmawin_mem_destroy(mem);
}

static void test_eeh_inject_mmio_freezes_at_once(void **state)
{
	struct dmawin_pe_eeh_stats es;
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, DMAWIN_PE_EEH_ERR_TYPE_32,
					      DMAWIN_PE_EEH_ERR_FUNC_LD_MEM_ADDR, 0, 0),
			 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.injections == 1 && es.injection_freezes == 1);
	eeh_teardown(&e);
}

static void test_eeh_inject_dma_fires_on_match_only(void **state)
{
	struct dmawin_pe_eeh_stats es;
	uint8_t b[3 * 4096];
	struct eeh_fix e;
	size_t done;

	(void)state;
	eeh_setup(&e, 64);
	assert_int_equal(dma1(&e, 0x2000, DMAWIN_PE_DMA_WRITE), 0); /* cache page 2 */
	/* Arm: the next device write into bus page 2 fails. */
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, DMAWIN_PE_EEH_ERR_TYPE_64,
					      DMAWIN_PE_EEH_ERR_FUNC_DMA_WR_ADDR, 0x2000,
					      ~UINT64_C(0xfff)),
			 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dma1(&e, 0x2000, DMAWIN_PE_DMA_READ), 0);  /* wrong direction */
	assert_int_equal(dma1(&e, 0x3000, DMAWIN_PE_DMA_WRITE), 0); /* wrong address */
	memset(b, 0, sizeof(b));
	assert_int_equal(dmawin_pe_dma_write(e.dev, 0x1000, b, sizeof(b), &done), -EIO);
	assert_int_equal(done, 4096); /* page 1 moved; the cached page 2 did not escape */
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.injections == 1 && es.injection_freezes == 1 && es.freezes == 1);
	/* It fired once: after recovery the same access works. */
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_MMIO), 0);
	assert_int_equal(dmawin_pe_eeh_thaw(e.f.pe, DMAWIN_PE_EEH_THAW_DMA), 0);
	assert_int_equal(dma1(&e, 0x2000, DMAWIN_PE_DMA_WRITE), 0);
	eeh_teardown(&e);
}

static void test_eeh_inject_bad_input_einval(void **state)
{
	struct dmawin_pe_eeh_stats es;
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dmawin_pe_eeh_inject(NULL, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 2, 0, 0, 0), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, 20, 0, 0), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, 12, 1ull << 32, 0), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, 12, 0, 1ull << 40), -EINVAL);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, &es), 0);
	assert_true(es.injections == 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	assert_int_equal(dmawin_pe_eeh_stats(e.f.pe, NULL), -EINVAL);
	eeh_teardown(&e);
}

/* Reset drops an armed trigger. */
static void test_eeh_reset_disarms_injection(void **state)
{
	struct eeh_fix e;

	(void)state;
	eeh_setup(&e, 0);
	assert_int_equal(dmawin_pe_eeh_inject(e.f.pe, 0, DMAWIN_PE_EEH_ERR_FUNC_DMA_RD_ADDR, 0, 0),
			 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_HOT), 0);
	assert_int_equal(dmawin_pe_eeh_reset(e.f.pe, DMAWIN_PE_EEH_RESET_DEACTIVATE), 0);
	assert_int_equal(dmawin_pe_eeh_configure(e.f.pe), 0);
	assert_int_equal(dma1(&e, 0, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(dmawin_pe_eeh_state(e.f.pe), DMAWIN_PE_EEH_NORMAL);
	eeh_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eeh_freeze_blocks_dma_thaw_recovers),
		cmocka_unit_test(test_eeh_thaw_dma_only_unavail),
		cmocka_unit_test(test_eeh_reset_then_configure),
		cmocka_unit_test(test_eeh_disabled_never_freezes),
		cmocka_unit_test(test_eeh_freeze_on_fault_policy),
		cmocka_unit_test(test_eeh_phb_policy_inherited),
		cmocka_unit_test(test_eeh_inject_mmio_freezes_at_once),
		cmocka_unit_test(test_eeh_inject_dma_fires_on_match_only),
		cmocka_unit_test(test_eeh_inject_bad_input_einval),
		cmocka_unit_test(test_eeh_reset_disarms_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
