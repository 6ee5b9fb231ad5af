/* SPDX-License-Identifier: MIT */
/* Runs of the default scenario: the seeds' story holds, totals add up, traces parse, runs repeat.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmawin/sim.h"
#include "dmawin/trace.h"
#include "dw_test.h"

static struct dmawin_sim_report *report; /* the default run, shared by the invariant tests */

static int run_default(void **state)
{
	struct dmawin_sim_scenario sc;
	char why[256];

	(void)state;
	if (dmawin_sim_scenario_default(&sc) != 0 ||
	    dmawin_sim_run(&sc, NULL, &report, why, sizeof(why)) != 0)
		return -1;
	return 0;
}

static int free_default(void **state)
{
	(void)state;
	dmawin_sim_report_destroy(report);
	return 0;
}

static const struct dmawin_sim_device_report *dev(const char *name)
{
	for (uint32_t i = 0; i < report->nr_devices; i++)
		if (strcmp(report->devices[i].name, name) == 0)
			return &report->devices[i];
	fail_msg("no device %s", name);
	return &report->devices[0]; /* not reached: fail_msg() leaves the test */
}

static void test_run_default_every_device_ran_and_verified(void **state)
{
	(void)state;
	assert_int_equal(report->nr_devices, 13);
	for (uint32_t i = 0; i < report->nr_devices; i++) {
		const struct dmawin_sim_device_report *d = &report->devices[i];

		if (!d->ran || d->ops == 0 || d->mismatches || d->faults || d->map_failures)
			fail_msg("%s: ran %d ops %llu mismatches %llu faults %llu failures %llu "
				 "(%s)",
				 d->name, d->ran, (unsigned long long)d->ops,
				 (unsigned long long)d->mismatches, (unsigned long long)d->faults,
				 (unsigned long long)d->map_failures, d->note);
		assert_true(d->bytes >= d->ops);
	}
}

static void test_run_nic64_direct_ddw_biggest_page(void **state)
{
	const struct dmawin_sim_device_report *d = dev("nic0");

	(void)state;
	assert_true(d->direct);
	assert_true(d->window.start == DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	assert_int_equal(d->window.page_shift, 24);
	assert_true(d->window.size >= 64 * GiB);
	assert_true(d->window.tces_mapped == d->window.tces); /* all RAM mapped once */
	assert_true(d->hcalls[DMAWIN_SIM_HC_PUT_TCE_INDIRECT] > 0);
	assert_true(d->hcalls[DMAWIN_SIM_HC_RTAS] >= 2);    /* query + create */
	assert_true(d->hcalls[DMAWIN_SIM_HC_PUT_TCE] == 0); /* direct: no hcall per DMA */
}

/* Seed 000: the classic PHB offers limited addressing, but its DDW lands at 1<<59, beyond the
 * 48-bit mask: the guest gives it back (query, limited reset, create, remove, reset) and the
 * GPU stays on the default window. */
static void test_run_gpu48_classic_gets_no_1_59_window(void **state)
{
	const struct dmawin_sim_device_report *d = dev("gpu-classic");

	(void)state;
	assert_true(d->window.is_default);
	assert_false(d->direct);
	assert_true(d->window.start == 0);
	assert_true(d->hcalls[DMAWIN_SIM_HC_RTAS] == 5);
	assert_non_null(strstr(d->note, "beyond the 48-bit mask"));
	assert_true(d->window.start + d->window.size - 1 <= (UINT64_C(1) << 48) - 1);
	for (uint32_t i = 0; i < report->nr_phbs; i++)
		if (report->phbs[i].index == 1)
			for (int s = 0; s < 2; s++)
				assert_false(report->phbs[i].windows[s].enabled &&
					     report->phbs[i].windows[s].start ==
						     DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
}

/* Seed 000: on the 4GB-mode PHB with limited addressing the 2025 guest creates the DDW for the
 * 48-bit GPU (query, limited reset, create) at 4 GiB, within its mask, and maps all RAM there;
 * the 64-bit NVMe on the same PHB reuses it. */
static void test_run_4gb_mode_ddw_within_48_bits(void **state)
{
	const struct dmawin_sim_device_report *n = dev("nvme-4gb"), *g = dev("gpu-4gb");

	(void)state;
	assert_true(n->direct);
	assert_true(n->window.start == 4 * GiB);
	assert_true(n->window.start + n->window.size - 1 <= (UINT64_C(1) << 48) - 1);
	assert_false(g->window.is_default);
	assert_true(g->direct);
	assert_true(g->window.start == 4 * GiB);
	assert_true(g->window.liobn == n->window.liobn);
	assert_true(g->window.start + g->window.size - 1 <= (UINT64_C(1) << 48) - 1);
	assert_true(g->hcalls[DMAWIN_SIM_HC_RTAS] == 3);
	assert_true(g->hcalls[DMAWIN_SIM_HC_PUT_TCE] == 0); /* direct: no hcall per DMA */
	assert_true(report->phbs[2].windows[1].enabled);
	assert_true(report->phbs[2].windows[1].start == 4 * GiB);
}

static void test_run_legacy32_default_window_indirect(void **state)
{
	const struct dmawin_sim_device_report *d = dev("e1000");

	(void)state;
	assert_false(d->direct);
	assert_true(d->window.is_default);
	assert_true(d->window.start == 0);
	assert_int_equal(d->window.page_shift, 12);
	assert_true(d->hcalls[DMAWIN_SIM_HC_PUT_TCE] > 0);
	/* the ring stays mapped: one 4K TCE per 1536-byte buffer */
	assert_true(d->window.tces_mapped >= 64);
}

static void test_run_vfs_ddw_indirect(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < report->nr_devices; i++) {
		const struct dmawin_sim_device_report *d = &report->devices[i];

		if (d->kind != DMAWIN_SIM_VF)
			continue;
		assert_false(d->direct);
		assert_false(d->window.is_default);
		assert_int_equal(d->window.page_shift, 16);
		assert_true(d->window.tces <= report->phbs[3].tce_budget);
		assert_true(d->hcalls[DMAWIN_SIM_HC_STUFF_TCE] > 0); /* unmaps clear TCEs */
	}
}

static void test_run_totals_add_up(void **state)
{
	uint64_t ops = 0, tables = 0;

	(void)state;
	for (uint32_t i = 0; i < report->nr_devices; i++)
		ops += report->devices[i].ops;
	for (uint32_t i = 0; i < report->nr_phbs; i++)
		for (int s = 0; s < 2; s++)
			tables += report->phbs[i].windows[s].enabled
					  ? report->phbs[i].windows[s].table_bytes
					  : 0;
	assert_true(ops == report->ops_total);
	/* what no device caused is the guest's boot: each PHB's 1 GiB default window cleared
	 * with H_STUFF_TCE in chunks of 512 (spec §5), nothing else */
	for (int k = 0; k < DMAWIN_SIM_NR_HCALL_KINDS; k++) {
		uint64_t sum = 0;

		for (uint32_t i = 0; i < report->nr_devices; i++)
			sum += report->devices[i].hcalls[k];
		if (k == DMAWIN_SIM_HC_STUFF_TCE)
			assert_true(report->hcalls_total[k] - sum ==
				    report->nr_phbs * (GiB / 4096 / 512));
		else
			assert_true(report->hcalls_total[k] == sum);
	}
	assert_true(tables == report->table_bytes_total);
	assert_true(report->wall_seconds > 0);
	assert_true(report->ops_per_second > 0);
}

static void test_run_same_seed_same_counts(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_options o = {.seed_set = true, .seed = 7};
	struct dmawin_sim_report *a, *b;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.nr_devices = 6; /* nic, e1000, GPUs, NVMe, one VF: enough to compare */
	assert_int_equal(dmawin_sim_run(&sc, &o, &a, NULL, 0), 0);
	assert_int_equal(dmawin_sim_run(&sc, &o, &b, NULL, 0), 0);
	assert_true(a->seed == 7);
	for (uint32_t i = 0; i < a->nr_devices; i++) {
		assert_memory_equal(a->devices[i].hcalls, b->devices[i].hcalls,
				    sizeof(a->devices[i].hcalls));
		assert_true(a->devices[i].tces_written == b->devices[i].tces_written);
		assert_true(a->devices[i].bytes == b->devices[i].bytes);
	}
	dmawin_sim_report_destroy(a);
	dmawin_sim_report_destroy(b);
}

/* --trace-out: every line is a QEMU trace line the trace layer parses back. */
static void test_run_trace_out_parses(void **state)
{
	char path[] = "/tmp/dmawin_sim_trace_XXXXXX", line[1024];
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_options o = {.trace_path = path};
	struct dmawin_sim_report *r;
	struct dmawin_trace_event ev;
	unsigned creates = 0, xlates = 0, lines = 0;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.nr_devices = 1; /* the NIC: DDW create, INDIRECT map of all RAM, direct DMA */
	sc.devices[0].workload.ops = 10;
	assert_int_equal(dmawin_sim_run(&sc, &o, &r, NULL, 0), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		if (dmawin_trace_parse_line(line, len, &ev, NULL, NULL, NULL) != 0)
			fail_msg("unparsable trace line: %s", line);
		assert_true(ev.has_stamp);
		creates += ev.kind == DMAWIN_TRACE_EV_DDW_CREATE;
		xlates += ev.kind == DMAWIN_TRACE_EV_XLATE;
		lines++;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(creates, 1);
	assert_true(xlates >= 10);
	assert_true(lines > xlates);
	dmawin_sim_report_destroy(r);
}

/* A passed-through device: the guest's TCEs are mirrored into a host container (all RAM
 * preregistered, so locked), and the device's DMA goes through the host PE, also in 4GB mode. */
static void test_run_vfio_device_dma_through_host(void **state)
{
	static const char json[] =
		"{\"machine\": {\"ram\": \"2G\", \"backing_page\": \"16M\"},"
		" \"phbs\": [{\"index\": 0}, {\"index\": 1, \"placement\": \"4gb\"}],"
		" \"devices\": [{\"name\": \"a\", \"kind\": \"gpu\", \"vfio\": true, \"phb\": 0},"
		" {\"name\": \"b\", \"kind\": \"nvme\", \"vfio\": true, \"phb\": 1},"
		" {\"name\": \"c\", \"kind\": \"nic\", \"dma_mask\": 32, \"vfio\": true, \"phb\": "
		"1}]}";
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_report *r;
	char why[256];

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(json, strlen(json), "v", &sc, NULL), 0);
	if (dmawin_sim_run(&sc, NULL, &r, why, sizeof(why)) != 0)
		fail_msg("run: %s", why);
	for (uint32_t i = 0; i < r->nr_devices; i++) {
		const struct dmawin_sim_device_report *d = &r->devices[i];

		if (!d->ran || d->ops != sc.devices[i].workload.ops || d->faults || d->mismatches ||
		    d->map_failures || !strstr(d->note, "host container"))
			fail_msg("%s: %s", d->name, d->note);
	}
	assert_true(r->devices[0].direct);
	assert_true(r->devices[1].window.start == 4 * GiB); /* the host placed it at 4 GiB too */
	assert_true(r->devices[2].window.is_default);
	assert_true(r->locked_bytes >= 2 * GiB); /* guest RAM preregistered once */
	dmawin_sim_report_destroy(r);
}

/* The guest's on-demand IOVAs from the iova layer: same traffic, same verification. */
static void test_run_iova_allocator_runs_clean(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_report *r;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.iova_allocator = true;
	sc.devices[1].workload.ops = 500; /* e1000, default window */
	sc.nr_devices = 6;		  /* ... up to the first VF (indirect DDW) */
	assert_int_equal(dmawin_sim_run(&sc, NULL, &r, NULL, 0), 0);
	for (uint32_t i = 0; i < r->nr_devices; i++) {
		assert_true(r->devices[i].ran);
		assert_true(r->devices[i].ops == sc.devices[i].workload.ops);
		assert_true(r->devices[i].map_failures == 0 && r->devices[i].mismatches == 0);
	}
	assert_true(r->devices[1].hcalls[DMAWIN_SIM_HC_PUT_TCE] > 0);
	dmawin_sim_report_destroy(r);
}

/* Seed 004: endpoint buffers exposed through one ATU entry, read and written by the PCIe host. */
static void test_run_endpoint_exposes_through_atu(void **state)
{
	static const char json[] =
		"{\"machine\": {\"ram\": \"1G\"}, \"phbs\": [{\"index\": 0}], \"devices\": ["
		"{\"name\": \"ring\", \"kind\": \"ep\", \"workload\": {\"pattern\": \"ring\","
		" \"buffers\": 16, \"size\": 3000, \"ops\": 200}},"
		"{\"name\": \"sg\", \"kind\": \"ep\", \"workload\": {\"pattern\": \"sg\","
		" \"segments\": 8, \"ops\": 50}},"
		"{\"name\": \"rnd\", \"kind\": \"ep\", \"workload\": {\"pattern\": \"random\","
		" \"min_size\": 100, \"max_size\": \"64K\", \"ops\": 50}}]}";
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_report *r;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(json, strlen(json), "ep", &sc, NULL), 0);
	assert_int_equal(dmawin_sim_run(&sc, NULL, &r, NULL, 0), 0);
	for (uint32_t i = 0; i < r->nr_devices; i++) {
		const struct dmawin_sim_device_report *d = &r->devices[i];

		assert_true(d->ran);
		assert_true(d->ops == sc.devices[i].workload.ops);
		assert_true(d->faults == 0 && d->mismatches == 0 && d->map_failures == 0);
		assert_memory_equal(d->hcalls, (uint64_t[DMAWIN_SIM_NR_HCALL_KINDS]){0},
				    sizeof(d->hcalls)); /* no hypervisor */
	}
	assert_true(r->devices[0].window.tces_mapped == 16); /* the ring stays exposed */
	assert_true(r->devices[1].window.tces_mapped == 0);  /* sg exposures were undone */
	dmawin_sim_report_destroy(r);
}

/* Seed 000 by the layers: the probed machine's snapshot restores on an identical target and is
 * refused by one whose PHB 2 is not in the 4GB mode (its DDW would move). */
static void test_run_migrate_check_by_snapshot_restore(void **state)
{
	struct dmawin_sim_scenario src, dst;
	char why[DMAWIN_SIM_TEXT_MAX];

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&src), 0);
	dst = src;
	assert_int_equal(dmawin_sim_migrate_check(&src, &dst, why, sizeof(why)), 0);
	dst.papr.phbs[2].dma64_win_addr = DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR;
	assert_int_equal(dmawin_sim_migrate_check(&src, &dst, why, sizeof(why)), -EXDEV);
	assert_true(strlen(why) > 0);
	dst = src;
	dst.papr.phbs[0].pgsz = 0x11000; /* no 16M pages: the NIC's DDW cannot be restored */
	assert_int_equal(dmawin_sim_migrate_check(&src, &dst, why, sizeof(why)), -EXDEV);
	assert_int_equal(dmawin_sim_migrate_check(NULL, &dst, why, sizeof(why)), -EINVAL);
}

static void test_run_bad_arguments_refused(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_options o = {.trace_path = "/nonexistent/dir/trace"};
	struct dmawin_sim_report *r = NULL;
	char why[128];

	(void)state;
	assert_int_equal(dmawin_sim_run(NULL, NULL, &r, why, sizeof(why)), -EINVAL);
	/* a scenario built in C is checked as a parsed one is: nothing runs */
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.devices[5].workload.segments = 65;
	assert_int_equal(dmawin_sim_run(&sc, NULL, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.nr_devices = DMAWIN_SIM_MAX_DEVICES + 1;
	assert_int_equal(dmawin_sim_run(&sc, NULL, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	sc.devices[1].phb_index = 9;
	assert_int_equal(dmawin_sim_run(&sc, NULL, &r, why, sizeof(why)), -EINVAL);
	assert_null(r);
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	assert_int_equal(dmawin_sim_run(&sc, &o, &r, why, sizeof(why)), -ENOENT);
	assert_null(r);
	assert_non_null(strstr(why, "/nonexistent/dir/trace"));
}

int main(void)
{
	const struct CMUnitTest invariants[] = {
		cmocka_unit_test(test_run_default_every_device_ran_and_verified),
		cmocka_unit_test(test_run_nic64_direct_ddw_biggest_page),
		cmocka_unit_test(test_run_gpu48_classic_gets_no_1_59_window),
		cmocka_unit_test(test_run_4gb_mode_ddw_within_48_bits),
		cmocka_unit_test(test_run_legacy32_default_window_indirect),
		cmocka_unit_test(test_run_vfs_ddw_indirect),
		cmocka_unit_test(test_run_totals_add_up),
	};
	const struct CMUnitTest others[] = {
		cmocka_unit_test(test_run_same_seed_same_counts),
		cmocka_unit_test(test_run_trace_out_parses),
		cmocka_unit_test(test_run_vfio_device_dma_through_host),
		cmocka_unit_test(test_run_iova_allocator_runs_clean),
		cmocka_unit_test(test_run_endpoint_exposes_through_atu),
		cmocka_unit_test(test_run_migrate_check_by_snapshot_restore),
		cmocka_unit_test(test_run_bad_arguments_refused),
	};

	return cmocka_run_group_tests(invariants, run_default, free_default) |
	       cmocka_run_group_tests(others, NULL, NULL);
}
