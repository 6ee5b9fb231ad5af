/* SPDX-License-Identifier: MIT */
/* Scenario loading: the good paths, and every way a scenario is refused (file, path, problem). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmawin/sim.h"
#include "dw_test.h"

/* A valid scenario with one hole, %s, where a case splices its text. */
#define MACHINE "\"machine\": {\"ram\": \"1G\"}"
#define PHBS	"\"phbs\": [{\"index\": 0}]"
#define DEVS	"\"devices\": []"

struct bad_case {
	const char *name;
	const char *json;
	const char *path; /* expected JSON path */
	const char *text; /* expected substring of the problem */
};

static const struct bad_case bad_cases[] = {
	{"root not an object", "[]", "$", "expected an object"},
	{"unknown top key", "{" MACHINE "," PHBS "," DEVS ", \"extra\": 1}", "$.extra",
	 "unknown key 'extra'"},
	{"name not a string", "{\"name\": 3," MACHINE "," PHBS "," DEVS "}", "$.name",
	 "expected a string"},
	{"seed is a real", "{\"seed\": 1.5," MACHINE "," PHBS "," DEVS "}", "$.seed",
	 "expected an integer"},
	{"missing machine", "{" PHBS "," DEVS "}", "$.machine", "missing"},
	{"machine not an object", "{\"machine\": 1," PHBS "," DEVS "}", "$.machine",
	 "expected an object"},
	{"unknown machine key", "{\"machine\": {\"ram\": \"1G\", \"cpus\": 4}," PHBS "," DEVS "}",
	 "$.machine.cpus", "unknown key"},
	{"ram missing", "{\"machine\": {}," PHBS "," DEVS "}", "$.machine.ram", "missing"},
	{"ram bad size", "{\"machine\": {\"ram\": \"lots\"}," PHBS "," DEVS "}", "$.machine.ram",
	 "is not a size"},
	{"ram negative", "{\"machine\": {\"ram\": -1}," PHBS "," DEVS "}", "$.machine.ram",
	 "negative"},
	{"ram too small", "{\"machine\": {\"ram\": \"128M\"}," PHBS "," DEVS "}", "$.machine.ram",
	 "out of range"},
	{"ram too big for 64 bits", "{\"machine\": {\"ram\": \"99999999999E\"}," PHBS "," DEVS "}",
	 "$.machine.ram", "does not fit"},
	{"backing page not a page",
	 "{\"machine\": {\"ram\": \"1G\", \"backing_page\": 8192}," PHBS "," DEVS "}",
	 "$.machine.backing_page", "not a backing page size"},
	{"ram not multiple of backing",
	 "{\"machine\": {\"ram\": \"1G\", \"backing_page\": \"16G\"}," PHBS "," DEVS "}",
	 "$.machine.ram", "multiple of the backing page"},
	{"maxmem below ram",
	 "{\"machine\": {\"ram\": \"2G\", \"maxmem\": \"1G\"}," PHBS "," DEVS "}",
	 "$.machine.maxmem", "smaller than ram"},
	{"unknown version",
	 "{\"machine\": {\"ram\": \"1G\", \"version\": \"q35\"}," PHBS "," DEVS "}",
	 "$.machine.version", "not a known machine"},
	{"multitce not bool",
	 "{\"machine\": {\"ram\": \"1G\", \"multitce\": \"yes\"}," PHBS "," DEVS "}",
	 "$.machine.multitce", "true or false"},
	{"guest not an object", "{" MACHINE ", \"guest\": []," PHBS "," DEVS "}", "$.guest",
	 "expected an object"},
	{"unknown guest key", "{" MACHINE ", \"guest\": {\"iommu\": 1}," PHBS "," DEVS "}",
	 "$.guest.iommu", "unknown key"},
	{"allocator unknown",
	 "{" MACHINE ", \"guest\": {\"allocator\": \"buddy\"}," PHBS "," DEVS "}",
	 "$.guest.allocator", "'buddy' is not one of: pool, iova"},
	{"missing phbs", "{" MACHINE "," DEVS "}", "$.phbs", "missing"},
	{"phbs not an array", "{" MACHINE ", \"phbs\": {}," DEVS "}", "$.phbs", "array"},
	{"phbs empty", "{" MACHINE ", \"phbs\": []," DEVS "}", "$.phbs", "needs 1..31"},
	{"phb not an object", "{" MACHINE ", \"phbs\": [0]," DEVS "}", "$.phbs[0]",
	 "expected an object"},
	{"phb unknown key", "{" MACHINE ", \"phbs\": [{\"index\": 0, \"mem_win\": 1}]," DEVS "}",
	 "$.phbs[0].mem_win", "unknown key"},
	{"phb index missing", "{" MACHINE ", \"phbs\": [{}]," DEVS "}", "$.phbs[0].index",
	 "missing"},
	{"phb index too big", "{" MACHINE ", \"phbs\": [{\"index\": 31}]," DEVS "}",
	 "$.phbs[0].index", "out of range"},
	{"phb index twice", "{" MACHINE ", \"phbs\": [{\"index\": 1}, {\"index\": 1}]," DEVS "}",
	 "$.phbs[1].index", "already used"},
	{"placement unknown",
	 "{" MACHINE ", \"phbs\": [{\"index\": 0, \"placement\": \"8gb\"}]," DEVS "}",
	 "$.phbs[0].placement", "not one of"},
	{"4gb with other dma64",
	 "{" MACHINE ", \"phbs\": [{\"index\": 0, \"placement\": \"4gb\","
	 " \"dma64_win_addr\": \"0x200000000\"}]," DEVS "}",
	 "$.phbs[0].dma64_win_addr", "needs 0x100000000"},
	{"max_windows 3", "{" MACHINE ", \"phbs\": [{\"index\": 0, \"max_windows\": 3}]," DEVS "}",
	 "$.phbs[0].max_windows", "out of range"},
	{"pgsz zero", "{" MACHINE ", \"phbs\": [{\"index\": 0, \"pgsz\": 0}]," DEVS "}",
	 "$.phbs[0].pgsz", "out of range"},
	{"ddw not bool", "{" MACHINE ", \"phbs\": [{\"index\": 0, \"ddw\": 1}]," DEVS "}",
	 "$.phbs[0].ddw", "true or false"},
	{"ddw_limited_addr not bool",
	 "{" MACHINE ", \"phbs\": [{\"index\": 0, \"ddw_limited_addr\": \"yes\"}]," DEVS "}",
	 "$.phbs[0].ddw_limited_addr", "true or false"},
	{"ddw_limited_addr below 4 GiB",
	 "{" MACHINE ", \"phbs\": [{\"index\": 0, \"ddw_limited_addr\": true,"
	 " \"dma64_win_addr\": 2147483648}]," DEVS "}",
	 "$.phbs", "ddw_limited_addr needs ddw on"},
	{"guest kernel unknown",
	 "{" MACHINE ", \"guest\": {\"kernel\": \"5.10\"}," PHBS "," DEVS "}", "$.guest.kernel",
	 "'5.10' is not a modelled kernel (6.1, 6.12)"},
	{"guest kernel not a string",
	 "{" MACHINE ", \"guest\": {\"kernel\": 6.12}," PHBS "," DEVS "}", "$.guest.kernel",
	 "expected a string"},
	{"guest kernel empty", "{" MACHINE ", \"guest\": {\"kernel\": \"\"}," PHBS "," DEVS "}",
	 "$.guest.kernel", "'' is not a modelled kernel"},
	{"guest page size unknown",
	 "{" MACHINE ", \"guest\": {\"page_size\": \"16K\"}," PHBS "," DEVS "}",
	 "$.guest.page_size", "'16K' is not a kernel page size (4K, 64K)"},
	{"guest key unknown",
	 "{" MACHINE ", \"guest\": {\"kernel_version\": \"6.1\"}," PHBS "," DEVS "}",
	 "$.guest.kernel_version", "unknown key"},
	{"ddw_for_masks_above_32 not bool",
	 "{" MACHINE ", \"guest\": {\"ddw_for_masks_above_32\": 1}," PHBS "," DEVS "}",
	 "$.guest.ddw_for_masks_above_32", "true or false"},
	{"machine check fails",
	 "{" MACHINE ", \"phbs\": [{\"index\": 0, \"dma_win_addr\": 100}]," DEVS "}", "$.phbs",
	 "invalid machine"},
	{"missing devices", "{" MACHINE "," PHBS "}", "$.devices", "missing"},
	{"devices not an array", "{" MACHINE "," PHBS ", \"devices\": 1}", "$.devices", "array"},
	{"device not an object", "{" MACHINE "," PHBS ", \"devices\": [\"nic\"]}", "$.devices[0]",
	 "expected an object"},
	{"device name missing", "{" MACHINE "," PHBS ", \"devices\": [{\"kind\": \"nic\"}]}",
	 "$.devices[0].name", "missing"},
	{"device name empty",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"\", \"kind\": "
	 "\"nic\"}]}",
	 "$.devices[0].name", "empty"},
	{"device name too long",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": "
	 "\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij\", \"kind\": \"nic\"}]}",
	 "$.devices[0].name", "longer than"},
	{"device kind missing", "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\"}]}",
	 "$.devices[0].kind", "missing"},
	{"device kind unknown",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"fpga\"}]}",
	 "$.devices[0].kind", "'fpga' is not one of"},
	{"device mask 16",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"nic\", \"dma_mask\": 16}]}",
	 "$.devices[0].dma_mask", "out of range"},
	{"device on missing phb",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"nic\", \"phb\": 5}]}",
	 "$.devices[0].phb", "no PHB with index 5"},
	{"endpoint passed through",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"ep\", \"vfio\": true}]}",
	 "$.devices[0].vfio", "not passed through"},
	{"device unknown key",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"nic\", \"irq\": 5}]}",
	 "$.devices[0].irq", "unknown key"},
	{"device count 0",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"vf\", \"count\": 0}]}",
	 "$.devices[0].count", "out of range"},
	{"too many devices",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"vf\", \"count\": 60}, {\"name\": \"b\", \"kind\": \"vf\", \"count\": 5}]}",
	 "$.devices[1].count", "more than 64"},
	{"duplicate names",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", \"kind\": "
	 "\"nic\"}, {\"name\": \"a\", \"kind\": \"gpu\"}]}",
	 "$.devices[1].name", "used twice"},
	{"workload not an object",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": 7}]}",
	 "$.devices[0].workload", "expected an object"},
	{"workload unknown key",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": {\"rate\": 7}}]}",
	 "$.devices[0].workload.rate", "unknown key"},
	{"workload pattern unknown",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": {\"pattern\": \"burst\"}}]}",
	 "$.devices[0].workload.pattern", "not one of"},
	{"workload direction not string",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": {\"direction\": 1}}]}",
	 "$.devices[0].workload.direction", "expected one of"},
	{"workload ops 0",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": {\"ops\": 0}}]}",
	 "$.devices[0].workload.ops", "out of range"},
	{"workload size too big",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"nic\", \"workload\": {\"size\": \"1G\"}}]}",
	 "$.devices[0].workload.size", "out of range"},
	{"workload min above max",
	 "{" MACHINE "," PHBS ", \"devices\": [{\"name\": \"a\", "
	 "\"kind\": \"gpu\", \"workload\": {\"min_size\": \"8K\", \"max_size\": \"4K\"}}]}",
	 "$.devices[0].workload.min_size", "larger than max_size"},
	{"workload buffers exceed RAM share",
	 "{\"machine\": {\"ram\": \"1G\"}," PHBS
	 ", \"devices\": [{\"name\": \"a\", \"kind\": \"nic\", \"workload\": {\"buffers\": 4096, "
	 "\"size\": \"16M\"}}]}",
	 "$.devices", "share of RAM"},
};

static void test_scenario_bad_field_names_path_and_problem(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct dmawin_sim_scenario sc;
		struct dmawin_sim_error err;
		int rc;

		memset(&sc, 0x5a, sizeof(sc));
		rc = dmawin_sim_scenario_parse(c->json, strlen(c->json), "bad.json", &sc, &err);
		if (rc != -EINVAL || strcmp(err.path, c->path) != 0 || !strstr(err.text, c->text) ||
		    strcmp(err.file, "bad.json") != 0)
			fail_msg("case '%s': rc %d, path '%s' (want '%s'), text '%s' (want '%s')",
				 c->name, rc, err.path, c->path, err.text, c->text);
		/* a refused scenario leaves the output untouched */
		assert_int_equal(((unsigned char *)&sc)[0], 0x5a);
		assert_int_equal(((unsigned char *)&sc)[sizeof(sc) - 1], 0x5a);
	}
}

static void test_scenario_syntax_error_gives_line_and_column(void **state)
{
	const char *text = "{\n  \"machine\": {\"ram\": \"1G\",}\n}";
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_error err;
	char msg[512];

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(text, strlen(text), "s.json", &sc, &err),
			 -EINVAL);
	assert_int_equal(err.line, 2);
	assert_true(err.column > 20);
	assert_string_equal(err.path, "");
	dmawin_sim_error_format(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, "s.json:2:"));
}

static void test_scenario_duplicate_key_refused(void **state)
{
	const char *text =
		"{\"machine\": {\"ram\": \"1G\", \"ram\": \"2G\"}, \"phbs\": [{\"index\": 0}],"
		" \"devices\": []}";
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_error err;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(text, strlen(text), "d.json", &sc, &err),
			 -EINVAL);
	assert_non_null(strstr(err.text, "duplicate"));
	assert_true(err.line >= 1);
}

static void test_scenario_load_missing_file_enoent(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_error err;
	char msg[512];

	(void)state;
	assert_int_equal(dmawin_sim_scenario_load("/nonexistent/x.json", &sc, &err), -ENOENT);
	assert_string_equal(err.file, "/nonexistent/x.json");
	dmawin_sim_error_format(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, "/nonexistent/x.json: cannot open"));
}

static void test_scenario_load_reads_file(void **state)
{
	char path[] = "/tmp/dmawin_sim_scenario_XXXXXX";
	const char *text =
		"{\"name\": \"f\", \"machine\": {\"ram\": \"2G\"}, \"phbs\": [{\"index\": 0}],"
		" \"devices\": [{\"name\": \"n\", \"kind\": \"nvme\"}]}";
	struct dmawin_sim_scenario sc;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(dmawin_sim_scenario_load(path, &sc, NULL), 0);
	unlink(path);
	assert_string_equal(sc.name, "f");
	assert_true(sc.papr.ram_size == 2 * GiB);
	assert_int_equal(sc.nr_devices, 1);
	assert_int_equal(sc.devices[0].kind, DMAWIN_SIM_NVME);
	assert_int_equal(sc.devices[0].workload.pattern, DMAWIN_SIM_SG);
}

/* guest.kernel and guest.page_size; without them the newest kernel with its own page size */
static void test_scenario_guest_kernel(void **state)
{
	struct dmawin_sim_scenario sc;
	const char *set = "{" MACHINE ", \"guest\": {\"kernel\": \"6.1\", \"page_size\": "
			  "\"4K\"}," PHBS "," DEVS "}";
	const char *unset = "{" MACHINE "," PHBS "," DEVS "}";

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(set, strlen(set), "t", &sc, NULL), 0);
	assert_int_equal(sc.guest_kernel, DMAWIN_GUEST_KERNEL_6_1);
	assert_int_equal(sc.guest_page_shift, 12);
	assert_int_equal(dmawin_sim_scenario_parse(unset, strlen(unset), "t", &sc, NULL), 0);
	assert_int_equal(sc.guest_kernel, DMAWIN_GUEST_KERNEL_NEWEST);
	assert_int_equal(sc.guest_page_shift, 0);
	assert_int_equal(dmawin_sim_scenario_from_qemu("-M pseries -m 2G", NULL, &sc, NULL, NULL), 0);
	assert_int_equal(sc.guest_kernel, DMAWIN_GUEST_KERNEL_NEWEST);
}

static void test_scenario_default_has_the_seed_devices(void **state)
{
	struct dmawin_sim_scenario sc;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_default(&sc), 0);
	assert_string_equal(sc.name, "default");
	assert_true(sc.papr.ram_size == 64 * GiB);
	assert_int_equal(sc.papr.nr_phbs, 4);
	assert_true(sc.papr.phbs[1].dma64_win_addr == DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	assert_true(sc.papr.phbs[2].dma64_win_addr == DMAWIN_PAPR_DMA64_WIN_ADDR_4GB);
	/* both GPU PHBs offer limited addressing, to a 2025 guest: only the address differs */
	assert_true(sc.ddw_for_masks_above_32);
	assert_true(sc.papr.phbs[1].ddw_limited_addr && sc.papr.phbs[2].ddw_limited_addr);
	assert_false(sc.papr.phbs[0].ddw_limited_addr || sc.papr.phbs[3].ddw_limited_addr);
	assert_true(sc.papr.phbs[3].tce_budget > 0);
	assert_int_equal(sc.nr_devices, 13); /* nic, e1000, two GPUs, an NVMe, 8 VFs */
	assert_string_equal(sc.devices[5].name, "vf0");
	assert_string_equal(sc.devices[12].name, "vf7");
	assert_int_equal(sc.devices[2].dma_mask_bits, 48);
	assert_int_equal(sc.devices[1].dma_mask_bits, 32);
	assert_non_null(strstr(dmawin_sim_default_json(), "\"default\""));
}

static void test_scenario_values_accept_qemu_numbers(void **state)
{
	const char *text = "{\"machine\": {\"ram\": 1073741824, \"maxmem\": \"0x80000000\","
			   " \"version\": \"pseries-4.1\"}, \"phbs\": [{\"index\": 2, \"pgsz\": "
			   "\"0x1011000\", \"dma_win_size\": \"512M\", \"placement\": \"slot\", "
			   "\"tce_budget\": \"64K\", \"bypass\": true}], \"devices\": []}";
	struct dmawin_sim_scenario sc;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_parse(text, strlen(text), "v", &sc, NULL), 0);
	assert_true(sc.papr.maxmem == 2 * GiB);
	assert_int_equal(sc.papr.compat, 401);
	assert_true(sc.papr.phbs[0].pgsz == 0x1011000);
	assert_true(sc.papr.phbs[0].dma_win_size == 512 * MiB);
	assert_int_equal(sc.papr.phbs[0].placement, DMAWIN_PAPR_PLACE_SLOT);
	assert_true(sc.papr.phbs[0].tce_budget == 65536);
	assert_true(sc.phb_bypass[0]);
}

static void test_scenario_from_qemu_builds_devices(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_error err;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_from_qemu(
				 "qemu-system-ppc64 -M pseries -m 4G -device nvme,id=disk "
				 "-device e1000,id=net -device vfio-pci,id=pt",
				 "root=/dev/sda disable_ddw multitce=off", &sc, NULL, &err),
			 0);
	assert_int_equal(sc.nr_devices, 3);
	assert_string_equal(sc.devices[0].name, "disk");
	assert_int_equal(sc.devices[0].kind, DMAWIN_SIM_NVME);
	assert_int_equal(sc.devices[1].dma_mask_bits, 32);
	assert_true(sc.devices[2].vfio);
	assert_true(sc.disable_ddw);
	assert_false(sc.guest_multitce);
	assert_true(sc.papr.ram_size == 4 * GiB);
}

static void test_scenario_from_qemu_bad_option_refused(void **state)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_error err;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_from_qemu("qemu -M q35 -m 1G", NULL, &sc, NULL, &err),
			 -EINVAL);
	assert_string_equal(err.file, "<qemu-args>");
	assert_true(strlen(err.text) > 0);
}

static void test_scenario_kernel_word_match_is_whole(void **state)
{
	struct dmawin_sim_scenario sc;

	(void)state;
	assert_int_equal(dmawin_sim_scenario_from_qemu("qemu -m 1G", "nodisable_ddw multitce=offx",
						       &sc, NULL, NULL),
			 0);
	assert_false(sc.disable_ddw);
	assert_true(sc.guest_multitce);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_bad_field_names_path_and_problem),
		cmocka_unit_test(test_scenario_syntax_error_gives_line_and_column),
		cmocka_unit_test(test_scenario_duplicate_key_refused),
		cmocka_unit_test(test_scenario_load_missing_file_enoent),
		cmocka_unit_test(test_scenario_load_reads_file),
		cmocka_unit_test(test_scenario_default_has_the_seed_devices),
		cmocka_unit_test(test_scenario_guest_kernel),
		cmocka_unit_test(test_scenario_values_accept_qemu_numbers),
		cmocka_unit_test(test_scenario_from_qemu_builds_devices),
		cmocka_unit_test(test_scenario_from_qemu_bad_option_refused),
		cmocka_unit_test(test_scenario_kernel_word_match_is_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
