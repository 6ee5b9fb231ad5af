/* SPDX-License-Identifier: MIT */
/*
 * The real QEMU 7.2 traces (../shared/traces, README there) fed straight into the papr API:
 * every H_PUT_TCE / H_STUFF_TCE / H_PUT_TCE_INDIRECT / ddw_query / ddw_create line must get the
 * same return code and printed values (masked ioba, stuff's end ioba, iobaN, query outputs,
 * create's LIOBN and start). The INDIRECT lists are not in the trace: the list is written with
 * the traced last value at the traced index and zeros before it (ret depends on bounds only).
 * Skips (77) when the traces are not next to the repository.
 */
#include <inttypes.h>
#include <stdio.h>

#include "papr_test.h"

struct replay {
	struct dmawin_papr *m;
	struct trace_rec tr;
	unsigned lines;
};

static bool field(const char *line, const char *key, uint64_t *v)
{
	const char *p = strstr(line, key);

	if (!p)
		return false;
	*v = strtoull(p + strlen(key), NULL, 0);
	return true;
}

static int64_t sfield(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	assert_non_null(p);
	return strtoll(p + strlen(key), NULL, 10);
}

static void replay_put(struct replay *r, const char *line)
{
	uint64_t liobn = 0, ioba = 0, tce = 0;

	assert_true(field(line, "liobn=", &liobn) && field(line, "ioba=", &ioba) &&
		    field(line, "tce=", &tce));
	r->tr.n = 0;
	assert_int_equal(dmawin_papr_h_put_tce(r->m, liobn, ioba, tce), sfield(line, "ret="));
	assert_int_equal(r->tr.n, 1);
	assert_int_equal(r->tr.ev[0].ioba, ioba);
}

static void replay_stuff(struct replay *r, const char *line)
{
	uint64_t liobn = 0, end = 0, value = 0, npages = 0, shift;
	struct dmawin_papr_window_info w;
	int64_t ret = sfield(line, "ret=");

	assert_true(field(line, "liobn=", &liobn) && field(line, "ioba=", &end) &&
		    field(line, "tcevalue=", &value) && field(line, "npages=", &npages));
	assert_int_equal(ret, 0); /* the samples only have successful stuffs */
	assert_int_equal(dmawin_papr_window_info(r->m, liobn, &w), 0);
	shift = w.page_shift;
	r->tr.n = 0;
	assert_int_equal(
		dmawin_papr_h_stuff_tce(r->m, liobn, end - (npages << shift), value, npages), ret);
	assert_int_equal(r->tr.ev[0].ioba, end);
}

static void replay_indirect(struct replay *r, const char *line)
{
	uint64_t liobn = 0, ioba = 0, list = 0, last = 0, tce_n = 0, zeros[512] = {0};

	assert_true(field(line, "liobn=", &liobn) && field(line, "ioba=", &ioba) &&
		    field(line, "tcelist=", &list) && field(line, "iobaN=", &last) &&
		    field(line, "tceN=", &tce_n));
	assert_true(last < 512);
	put_list(r->m, list, zeros, (unsigned)last);
	put_list(r->m, list + 8 * last, &tce_n, 1);
	r->tr.n = 0;
	assert_int_equal(dmawin_papr_h_put_tce_indirect(r->m, liobn, ioba, list, last + 1),
			 sfield(line, "ret="));
	assert_int_equal(r->tr.ev[0].iobaN, last);
	assert_int_equal(r->tr.ev[0].tceN, tce_n);
}

static void replay_ddw(struct replay *r, const char *line)
{
	uint64_t buid = 0, v = 0;
	struct dmawin_papr_ddw_query q;
	uint32_t liobn;
	uint64_t start;

	assert_true(field(line, "buid=", &buid));
	if (strstr(line, "ddw_query")) {
		/* Linux 6.1 calls it with 6 outputs (ext[2] == 1), kernel log lb=2000000000 */
		assert_int_equal(dmawin_papr_rtas_query_pe_dma_window(r->m, 0, BUID_HI(buid),
								      BUID_LO(buid), 6, NULL, &q),
				 0);
		assert_int_equal(q.windows_available,
				 strtoul(strchr(strstr(line, "addr="), ',') + 1, NULL, 10));
		assert_int_equal(q.largest_block, 0x2000000000ull);
		assert_true(field(line, "mask=", &v));
		assert_int_equal(q.page_size_mask, v);
	} else if (strstr(line, "ddw_create")) {
		uint64_t ps = 1, req = 1;
		assert_true(field(line, "page size=", &ps) && field(line, "requested=", &req));
		assert_int_equal(dmawin_papr_rtas_create_pe_dma_window(
					 r->m, 0, BUID_HI(buid), BUID_LO(buid),
					 (uint32_t)__builtin_ctzll(ps),
					 (uint32_t)__builtin_ctzll(req), &liobn, &start),
				 0);
		assert_true(field(line, "start addr=", &v));
		assert_int_equal(start, v);
		assert_true(field(line, "liobn=", &v));
		assert_int_equal(liobn, v);
	}
}

static void replay_file(const char *dir, const char *name)
{
	char cmd[600], *line = NULL;
	size_t cap = 0;
	struct replay r = {0};
	struct dmawin_papr_config cfg;
	FILE *p;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 2 * GiB; /* -m 2G as in the meta files; RAM is MAP_NORESERVE */
	r.m = papr_test_machine_cfg(&cfg);
	dmawin_papr_set_trace(r.m, trace_rec_fn, &r.tr);
	snprintf(cmd, sizeof(cmd), "xz -dc '%s/%s.trace.xz'", dir, name);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (getline(&line, &cap, p) > 0) {
		if (strstr(line, ":spapr_iommu_pci_put "))
			replay_put(&r, line);
		else if (strstr(line, ":spapr_iommu_pci_stuff "))
			replay_stuff(&r, line);
		else if (strstr(line, ":spapr_iommu_pci_indirect "))
			replay_indirect(&r, line);
		else if (strstr(line, ":spapr_iommu_ddw_"))
			replay_ddw(&r, line);
		else
			continue;
		r.lines++;
	}
	free(line);
	assert_int_equal(pclose(p), 0);
	print_message("%s: %u hcall/RTAS lines replayed\n", name, r.lines);
	assert_true(r.lines > 1000);
	dmawin_papr_destroy(r.m);
}

static const char *traces_dir(void)
{
	static char dir[512];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", DW_TRACES_DIR);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/default.trace.xz");
	f = fopen(dir, "r");
	if (!f)
		return NULL;
	fclose(f);
	snprintf(dir, sizeof(dir), "%s", DW_TRACES_DIR);
	return dir;
}

static void test_traces_default_values_unchanged(void **state)
{
	(void)state;
	replay_file(traces_dir(), "default");
}

static void test_traces_disable_ddw_values_unchanged(void **state)
{
	(void)state;
	replay_file(traces_dir(), "disable_ddw");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traces_default_values_unchanged),
		cmocka_unit_test(test_traces_disable_ddw_values_unchanged),
	};

	if (!traces_dir())
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
