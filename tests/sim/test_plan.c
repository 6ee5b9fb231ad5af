/* SPDX-License-Identifier: MIT */
/* The planner's answers for the seed cases, and the hotplug/migration target check (seed 000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/sim.h"
#include "dw_test.h"

static struct dmawin_sim_scenario *load(const char *json)
{
	struct dmawin_sim_scenario *sc = malloc(sizeof(*sc));
	struct dmawin_sim_error err;

	assert_non_null(sc);
	if (dmawin_sim_scenario_parse(json, strlen(json), "t", sc, &err) != 0)
		fail_msg("scenario: %s: %s", err.path, err.text);
	return sc;
}

static struct dmawin_sim_plan *plan_of(const struct dmawin_sim_scenario *sc)
{
	struct dmawin_sim_plan *p;

	assert_int_equal(dmawin_sim_plan_create(sc, &p), 0);
	return p;
}

static const struct dmawin_sim_plan_device *dev(const struct dmawin_sim_plan *p, const char *name)
{
	for (uint32_t i = 0; i < p->nr_devices; i++)
		if (strcmp(p->devices[i].name, name) == 0)
			return &p->devices[i];
	fail_msg("no device %s", name);
	return &p->devices[0]; /* not reached: fail_msg() leaves the test */
}

/* Seed 000: a 48-bit GPU cannot reach a DDW at 1<<59; in 4GB mode it can, directly. */
static void test_plan_gpu48_classic_unreachable_4gb_recommended(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	const struct dmawin_sim_plan_device *g;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	g = dev(p, "gpu-classic");
	assert_true(g->options[DMAWIN_SIM_CAND_DDW].offered);
	assert_false(g->options[DMAWIN_SIM_CAND_DDW].reachable);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW].configured);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].reachable);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].direct);
	assert_int_equal(g->current, DMAWIN_SIM_CAND_DEFAULT);
	assert_int_equal(g->recommended, DMAWIN_SIM_CAND_DDW_4GB);
	assert_non_null(strstr(g->reason, "dma64_win_addr=0x100000000"));
	g = dev(p, "gpu-4gb");
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].configured);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].reachable);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].start == 4 * GiB);
	assert_true(g->options[DMAWIN_SIM_CAND_DDW_4GB].size == 64 * GiB);
	/* the default scenario's 2025 guest asks a DDW in limited addressing mode: it has it */
	assert_int_equal(g->current, DMAWIN_SIM_CAND_DDW_4GB);
	assert_int_equal(g->recommended, DMAWIN_SIM_CAND_DDW_4GB);
	assert_non_null(strstr(g->reason, "DDW at 0x100000000"));
	/* the 64-bit NVMe on the same 4GB-mode PHB gets the DDW at 4 GiB */
	assert_int_equal(dev(p, "nvme-4gb")->current, DMAWIN_SIM_CAND_DDW_4GB);
	dmawin_sim_plan_destroy(p);
}

/* A Linux 6.x guest (or a PHB without limited addressing) asks a DDW only for a 64-bit mask:
 * the 48-bit GPU on the 4GB-mode PHB stays on the default window today. */
static void test_plan_gpu48_4gb_default_without_limited_addressing(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	const struct dmawin_sim_plan_device *g;

	(void)state;
	for (int k = 0; k < 2; k++) {
		assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
		if (k == 0)
			sc.ddw_for_masks_above_32 = false;
		else
			sc.papr.phbs[2].ddw_limited_addr = false;
		p = plan_of(&sc);
		g = dev(p, "gpu-4gb");
		assert_int_equal(g->current, DMAWIN_SIM_CAND_DEFAULT);
		assert_int_equal(g->recommended, DMAWIN_SIM_CAND_DDW_4GB);
		assert_non_null(strstr(g->reason, "64-bit mask"));
		dmawin_sim_plan_destroy(p);
	}
}

/* Seed 001/003: a 64-bit NIC direct-maps all RAM in a DDW with the biggest page (16M). */
static void test_plan_nic64_direct_biggest_page(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	const struct dmawin_sim_plan_option *o;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	o = &dev(p, "nic0")->options[DMAWIN_SIM_CAND_DDW];
	assert_int_equal(dev(p, "nic0")->recommended, DMAWIN_SIM_CAND_DDW);
	assert_true(o->direct);
	assert_int_equal(o->page_shift, 24);
	assert_true(o->start == DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	assert_true(o->tces == 64 * GiB / (16 * MiB));
	assert_true(o->table_bytes == o->tces * 8); /* QEMU's flat table */
	assert_true(o->host_table_bytes >= o->table_bytes);
	dmawin_sim_plan_destroy(p);
}

/* A 32-bit device only reaches the default window, 4 KiB pages, mapped on demand. */
static void test_plan_legacy32_default_window(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	const struct dmawin_sim_plan_device *d;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	d = dev(p, "e1000");
	assert_int_equal(d->recommended, DMAWIN_SIM_CAND_DEFAULT);
	assert_false(d->options[DMAWIN_SIM_CAND_DDW].reachable);
	assert_false(d->options[DMAWIN_SIM_CAND_DDW_4GB].reachable);
	assert_false(d->options[DMAWIN_SIM_CAND_DEFAULT].direct);
	assert_int_equal(d->options[DMAWIN_SIM_CAND_DEFAULT].page_shift, 12);
	assert_true(d->options[DMAWIN_SIM_CAND_DEFAULT].tces == GiB / 4096);
	dmawin_sim_plan_destroy(p);
}

/* Seed 001: VFs with a small TCE budget get a DDW used indirectly, bigger than the default. */
static void test_plan_vf_budget_ddw_indirect(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	const struct dmawin_sim_plan_device *d;
	const struct dmawin_sim_plan_option *o;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	d = dev(p, "vf3");
	o = &d->options[DMAWIN_SIM_CAND_DDW];
	assert_int_equal(d->recommended, DMAWIN_SIM_CAND_DDW);
	assert_false(o->direct);
	assert_int_equal(o->page_shift, 16); /* pgsz 4K|64K, as PowerVM allows */
	assert_true(o->tces == sc.papr.phbs[3].tce_budget);
	assert_true(o->size == sc.papr.phbs[3].tce_budget << 16);
	assert_true(o->size > d->options[DMAWIN_SIM_CAND_DEFAULT].size);
	assert_non_null(strstr(d->reason, "seed 001"));
	dmawin_sim_plan_destroy(p);
}

static const char *const box =
	"{\"name\": \"box\", \"machine\": {\"ram\": \"8G\", \"backing_page\": \"64K\"},"
	" \"guest\": {\"disable_ddw\": %s},"
	" \"phbs\": [{\"index\": 0, \"bypass\": %s}],"
	" \"devices\": [{\"name\": \"gpu\", \"kind\": \"gpu\", \"dma_mask\": 64, \"vfio\": true}]}";

static struct dmawin_sim_scenario *box_with(const char *disable_ddw, const char *bypass)
{
	char json[1024];

	snprintf(json, sizeof(json), box, disable_ddw, bypass);
	return load(json);
}

/* A VFIO device cannot use IOMMU pages bigger than the RAM backing page (64K here). */
static void test_plan_vfio_page_limited_by_backing(void **state)
{
	struct dmawin_sim_scenario *sc = box_with("false", "false");
	struct dmawin_sim_plan *p = plan_of(sc);

	(void)state;
	assert_int_equal(p->devices[0].options[DMAWIN_SIM_CAND_DDW].page_shift, 16);
	assert_true(p->devices[0].options[DMAWIN_SIM_CAND_DDW].tces == 8 * GiB / (64 * KiB));
	dmawin_sim_plan_destroy(p);
	free(sc);
}

static void test_plan_disable_ddw_leaves_default(void **state)
{
	struct dmawin_sim_scenario *sc = box_with("true", "false");
	struct dmawin_sim_plan *p = plan_of(sc);

	(void)state;
	assert_false(p->devices[0].options[DMAWIN_SIM_CAND_DDW].offered);
	assert_non_null(strstr(p->devices[0].options[DMAWIN_SIM_CAND_DDW].why, "disable_ddw"));
	assert_int_equal(p->devices[0].recommended, DMAWIN_SIM_CAND_DEFAULT);
	dmawin_sim_plan_destroy(p);
	free(sc);
}

static void test_plan_bypass_only_when_offered(void **state)
{
	struct dmawin_sim_scenario *no = box_with("true", "false"), *yes = box_with("true", "true");
	struct dmawin_sim_plan *p = plan_of(no), *q = plan_of(yes);

	(void)state;
	assert_false(p->devices[0].options[DMAWIN_SIM_CAND_BYPASS].offered);
	assert_true(q->devices[0].options[DMAWIN_SIM_CAND_BYPASS].offered);
	assert_true(q->devices[0].options[DMAWIN_SIM_CAND_BYPASS].tces == 0);
	assert_int_equal(q->devices[0].recommended, DMAWIN_SIM_CAND_BYPASS);
	dmawin_sim_plan_destroy(p);
	dmawin_sim_plan_destroy(q);
	free(no);
	free(yes);
}

static void test_plan_windows_one_ddw_per_phb(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *p;
	uint64_t sum = 0;
	unsigned ddws = 0;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	/* four default windows; DDWs on PHB 0 (nic), 2 (NVMe, at 4 GiB) and 3 (VFs), none on 1 */
	assert_int_equal(p->nr_windows, 7);
	for (uint32_t i = 0; i < p->nr_windows; i++) {
		ddws += !p->windows[i].is_default;
		if (!p->windows[i].is_default)
			assert_int_not_equal(p->windows[i].phb_index, 1);
		sum += p->windows[i].tces * 8;
	}
	assert_int_equal(ddws, 3);
	assert_true(sum == p->table_bytes_total);
	dmawin_sim_plan_destroy(p);
}

/* Seed 000: hotplug/migration must keep window addresses. */
static void test_plan_target_same_machine_safe(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_target_check *t = malloc(sizeof(*t));
	struct dmawin_sim_plan *p;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	p = plan_of(&sc);
	assert_int_equal(dmawin_sim_plan_target(p, &sc, t), 0);
	assert_true(t->safe);
	assert_int_equal(t->nr_problems, 0);
	free(t);
	dmawin_sim_plan_destroy(p);
}

static void test_plan_target_moved_window_unsafe(void **state)
{
	struct dmawin_sim_scenario sc, target;
	struct dmawin_sim_target_check *t = malloc(sizeof(*t));
	struct dmawin_sim_plan *p;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	target = sc;
	/* the target host has no 4GB mode on PHB 2 and a smaller page set on PHB 0 */
	target.papr.phbs[2].dma64_win_addr = DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR;
	target.papr.phbs[0].pgsz = 0x11000;
	p = plan_of(&sc);
	assert_int_equal(dmawin_sim_plan_target(p, &target, t), 0);
	assert_false(t->safe);
	assert_int_equal(t->nr_problems, 2);
	assert_int_equal(t->problems[0].phb_index, 0);
	assert_non_null(strstr(t->problems[0].text, "pgsz"));
	assert_int_equal(t->problems[1].phb_index, 2);
	assert_true(t->problems[1].start == 4 * GiB);
	assert_non_null(strstr(t->problems[1].text, "dma64_win_addr"));
	free(t);
	dmawin_sim_plan_destroy(p);
}

static void test_plan_target_missing_phb_and_budget(void **state)
{
	struct dmawin_sim_scenario sc, target;
	struct dmawin_sim_target_check *t = malloc(sizeof(*t));
	struct dmawin_sim_plan *p;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	target = sc;
	target.papr.nr_phbs = 3; /* PHB 3 (the VFs) is gone */
	target.papr.phbs[0].tce_budget = 16;
	p = plan_of(&sc);
	assert_int_equal(dmawin_sim_plan_target(p, &target, t), 0);
	assert_false(t->safe);
	assert_int_equal(t->nr_problems, 3); /* PHB 0 budget, PHB 3 default and DDW */
	assert_non_null(strstr(t->problems[0].text, "budget"));
	assert_non_null(strstr(t->problems[1].text, "no PHB with index 3"));
	free(t);
	dmawin_sim_plan_destroy(p);
}

static void test_plan_bad_arguments_einval(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_target_check t;
	struct dmawin_sim_plan *p = NULL;

	(void)state;
	assert_int_equal(dmawin_sim_plan_create(NULL, &p), -EINVAL);
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	assert_int_equal(dmawin_sim_plan_create(&sc, NULL), -EINVAL);
	sc.papr.phbs[0].dma_win_addr = 123; /* fails the machine check */
	assert_int_equal(dmawin_sim_plan_create(&sc, &p), -EINVAL);
	assert_null(p);
	assert_int_equal(dmawin_sim_plan_target(NULL, &sc, &t), -EINVAL);
	assert_string_equal(dmawin_sim_candidate_name(7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_gpu48_classic_unreachable_4gb_recommended),
		cmocka_unit_test(test_plan_gpu48_4gb_default_without_limited_addressing),
		cmocka_unit_test(test_plan_nic64_direct_biggest_page),
		cmocka_unit_test(test_plan_legacy32_default_window),
		cmocka_unit_test(test_plan_vf_budget_ddw_indirect),
		cmocka_unit_test(test_plan_vfio_page_limited_by_backing),
		cmocka_unit_test(test_plan_disable_ddw_leaves_default),
		cmocka_unit_test(test_plan_bypass_only_when_offered),
		cmocka_unit_test(test_plan_windows_one_ddw_per_phb),
		cmocka_unit_test(test_plan_target_same_machine_safe),
		cmocka_unit_test(test_plan_target_moved_window_unsafe),
		cmocka_unit_test(test_plan_target_missing_phb_and_budget),
		cmocka_unit_test(test_plan_bad_arguments_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
