/* SPDX-License-Identifier: MIT */
/* The strict KVM/PAPR hcall option (spec §2 "Stricter", §9.1-9.5): never the default. */
#include "papr_test.h"

static int setup(void **state)
{
	struct dmawin_papr_config cfg;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 256 * MiB;
	cfg.strict_papr = true;
	*state = papr_test_machine_cfg(&cfg);
	return 0;
}

static int teardown(void **state)
{
	dmawin_papr_destroy(*state);
	return 0;
}

static void test_strict_is_not_the_default(void **state)
{
	struct dmawin_papr_config cfg;

	(void)state;
	dmawin_papr_config_init(&cfg);
	assert_false(cfg.strict_papr);
	assert_true(cfg.multitce);
}

/* §9.1 "ioba alignment: QEMU masks low bits; KVM returns H_PARAMETER". */
static void test_strict_misaligned_ioba_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tce;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x1008, 0x3003), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_get_tce(m, LIOBN0, 0x1008, &tce), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0x1008, 0, 1), H_PARAMETER);
	assert_int_equal(get_tce(m, LIOBN0, 0x1000), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x1000, 0x3003), H_SUCCESS);
}

/* §9.5 "TCE content validation: PAPR checks the logical address is the partition's" and KVM's
 * alignment check of the gpa: stray low bits or non-RAM → H_PARAMETER; clearing is always ok. */
static void test_strict_tce_not_ram_or_stray_bits_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0, (1 * GiB) | 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0, 0x3000 | 0x403), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0, 0xfff0000000000000ull), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0, 0x3001), H_SUCCESS);
}

/* §9.4 "Atomicity of INDIRECT: PAPR all-or-nothing": a range running out of the window or one
 * bad entry writes nothing. */
static void test_strict_indirect_all_or_nothing(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tces[4] = {0x1003, 0x2003, 0x3003, 0x4003};

	put_list(m, 0x100000, tces, 4);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 1 * GiB - 2 * 4096, 0x100000, 4),
			 H_PARAMETER);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 2 * 4096), 0);
	tces[3] = (2 * GiB) | 3; /* not RAM */
	put_list(m, 0x100000, tces, 4);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 4), H_PARAMETER);
	assert_int_equal(get_tce(m, LIOBN0, 0), 0);
	/* a list outside RAM is an error, not zeros */
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 64 * GiB, 1), H_PARAMETER);
	tces[3] = 0x4003;
	put_list(m, 0x100000, tces, 4);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 4), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 3 * 4096), 0x4003);
	/* the QEMU early checks stay */
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100008, 1), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 513), H_PARAMETER);
}

/* §9.2 "npages == 0: KVM H_SUCCESS" (STUFF; INDIRECT validates an empty range the same way). */
static void test_strict_npages_zero_success(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 0), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 0), H_SUCCESS);
}

/* §9.3 "STUFF > 512: PAPR H_P4 (-57)"; "STUFF with permission bits: KVM H_PARAMETER"; a
 * range past the window end: nothing written. */
static void test_strict_stuff_p4_perm_and_range(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 513), DMAWIN_PAPR_H_P4);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0x1001, 1), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 1 * GiB - 4096, 0x3003), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 1 * GiB - 4096, 0, 2), H_PARAMETER);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 4096), 0x3003);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 1 * GiB - 4096, 0, 1), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 4096), 0);
}

/* Without "hcall-multi-tce" a strict hypervisor does not implement INDIRECT/STUFF. */
static void test_strict_without_multitce_h_function(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr_phb_dt dt;
	struct dmawin_papr *m;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	cfg.strict_papr = true;
	cfg.multitce = false;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_false(dt.hcall_multi_tce);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 1), DMAWIN_PAPR_H_FUNCTION);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 1),
			 DMAWIN_PAPR_H_FUNCTION);
	dmawin_papr_destroy(m);
	/* QEMU mode serves them even when not advertised */
	cfg.strict_papr = false;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 1), H_SUCCESS);
	dmawin_papr_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		cmocka_unit_test(test_strict_is_not_the_default),
		T(test_strict_misaligned_ioba_h_parameter),
		T(test_strict_tce_not_ram_or_stray_bits_h_parameter),
		T(test_strict_indirect_all_or_nothing),
		T(test_strict_npages_zero_success),
		T(test_strict_stuff_p4_perm_and_range),
		cmocka_unit_test(test_strict_without_multitce_h_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
