/* SPDX-License-Identifier: MIT */
/*
 * Memory hotplug from a QEMU command line, as on the real machine: -m 2G,slots=2,maxmem=4G
 * gives the 6.1 guest a DDW sized for the hotplug area (lrdr-capacity 4 GiB: window shift 32);
 * a DIMM hot-added later lands at the device memory base (2 GiB), the guest onlines it into the
 * direct window, and a device reaches it at phys + window start.
 */
#include "guest_test.h"
#include "dmawin/papr_qemu.h"

static void test_qemu_hotplug_dimm_reached_through_ddw(void **state)
{
	static struct dmawin_qemu_machine qm;
	struct dmawin_guest_device_config dc = {.name = "nvme", .dma_mask_bits = 64};
	struct dmawin_guest_device_info info;
	struct dmawin_guest_config gc;
	struct dmawin_papr *m;
	struct dmawin_guest *g;
	char why[200], buf[8] = "dimm-ok", got[8] = "";
	uint64_t at, dma;
	unsigned id;

	(void)state;
	assert_int_equal(dmawin_papr_qemu_parse("qemu-system-ppc64 -M pseries -m 2G,slots=2,"
						"maxmem=4G -nodefaults -device nvme",
						&qm, why, sizeof(why)),
			 0);
	assert_int_equal(dmawin_papr_create(&qm.papr, &m, why, sizeof(why)), 0);
	dmawin_guest_config_init(&gc);
	gc.kernel = DMAWIN_GUEST_KERNEL_6_1;
	gc.page_shift = 16;
	assert_int_equal(dmawin_guest_create(m, &gc, &g), 0);
	dc.devfn = qm.devices[0].devfn;
	assert_int_equal(dmawin_guest_device_add(g, &dc, &id), 0);
	assert_int_equal(dmawin_guest_boot(g), 0);
	assert_int_equal(dmawin_guest_device_info(g, id, &info), 0);
	assert_int_equal(info.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_int_equal(info.window_size, 4 * GiB); /* sized for maxmem */

	assert_int_equal(dmawin_papr_dimm_plug(m, GiB, false, UINT64_MAX, &at), 0);
	assert_int_equal(at, 2 * GiB);
	/* before onlining, the DIMM's page has no TCE */
	assert_int_equal(dmawin_papr_dma_read(m, 0, info.window_start + at, got, sizeof(got)),
			 -EFAULT);
	assert_int_equal(dmawin_guest_memory_online(g, at, GiB), 0);
	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), at + 4096, buf, sizeof(buf)), 0);
	assert_int_equal(dmawin_guest_map_single(g, id, at + 4096, sizeof(buf),
						 DMAWIN_GUEST_TO_DEVICE, &dma),
			 0);
	assert_int_equal(dma, info.window_start + at + 4096);
	assert_int_equal(dmawin_papr_dma_read(m, 0, dma, got, sizeof(got)), 0);
	assert_memory_equal(got, buf, sizeof(buf));
	dmawin_guest_destroy(g);
	dmawin_papr_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_hotplug_dimm_reached_through_ddw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
