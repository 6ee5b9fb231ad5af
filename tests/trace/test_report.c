/* SPDX-License-Identifier: MIT */
/* The replay report as text and as JSON, from a small trace with one mismatch of each side. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr.h"
#include "dmawin/trace.h"
#include "dw_test.h"

static const char trace_text[] =
	"1@5.000001:spapr_iommu_new_table liobn=0x80000000 table=0x1 fd=-1\n"
	"1@5.000002:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x631f003 ret=0\n"
	"1@5.000003:spapr_iommu_pci_put liobn=0x80000000 ioba=0x40000000 tce=0x3 ret=0\n"
	"1@5.000004:spapr_iommu_xlate liobn=0x80000000 0x1000 -> 0x631f000 perm=3 mask=0xfff\n"
	"1@5.000005:pci_nvme_io_cmd cid 1\n"
	"1@5.000006:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x2000\n";

static struct dmawin_trace_replay *replay_sample(void)
{
	struct dmawin_papr_config cfg;
	struct dmawin_trace_replay *rp = NULL;
	struct dmawin_trace_reader *r = NULL;
	const char *line;
	size_t len;

	dmawin_papr_config_init(&cfg);
	assert_int_equal(dmawin_trace_replay_create(&cfg, NULL, &rp, NULL, 0), 0);
	assert_int_equal(dmawin_trace_reader_open_memory(trace_text, strlen(trace_text), &r), 0);
	while (dmawin_trace_reader_next(r, &line, &len) == 1)
		dmawin_trace_replay_line(rp, line, len, dmawin_trace_reader_line_number(r));
	dmawin_trace_reader_destroy(r);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	return rp;
}

static void test_report_text_lists_counts_mismatch_and_result(void **state)
{
	struct dmawin_trace_replay *rp = replay_sample();
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	assert_non_null(f);
	assert_int_equal(
		dmawin_trace_report_write_text(dmawin_trace_replay_report(rp), "t.trace", f), 0);
	fclose(f);
	print_message("%s", text);
	assert_non_null(strstr(text, "dmawin replay of t.trace\n"));
	assert_non_null(strstr(text, "lines 6, events 4, unknown 1, malformed 1\n"));
	assert_non_null(strstr(text, "unknown events: pci_nvme_io_cmd 1\n"));
	assert_non_null(strstr(text, "malformed line 6:"));
	assert_non_null(strstr(text, "replayed 3, mismatches 1\n"));
	assert_non_null(strstr(text, "line 3: ret of 0x80000000: trace 0, model -4\n"));
	assert_non_null(strstr(text, "window 0x80000000 on at 0x0, 262144 x 4096 bytes"));
	assert_non_null(strstr(text, "still mapped at the end: 1\n"));
	assert_non_null(strstr(text, "result: MISMATCH\n"));
	free(text);
	assert_int_equal(dmawin_trace_report_write_text(NULL, NULL, stdout), -EINVAL);
	dmawin_trace_replay_destroy(rp);
}

static void test_report_json_object_fields(void **state)
{
	struct dmawin_trace_replay *rp = replay_sample();
	json_error_t err;
	char *text = NULL;
	json_t *o, *ex, *w;

	(void)state;
	assert_int_equal(
		dmawin_trace_report_to_json(dmawin_trace_replay_report(rp), "t.trace", &text), 0);
	o = json_loads(text, 0, &err);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "events")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "replayed")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "mismatches")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "unknown_events")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "malformed")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "source")), "t.trace");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "by_type"), "put")),
			 2);
	ex = json_array_get(json_object_get(json_object_get(o, "mismatch_details"), "examples"), 0);
	assert_int_equal(json_integer_value(json_object_get(ex, "line")), 3);
	assert_string_equal(json_string_value(json_object_get(ex, "kind")), "ret");
	assert_int_equal(json_integer_value(json_object_get(ex, "expected")), 0);
	assert_int_equal(json_integer_value(json_object_get(ex, "got")), -4);
	w = json_array_get(json_object_get(o, "windows"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "liobn")), "0x80000000");
	assert_int_equal(json_integer_value(json_object_get(w, "peak_mapped")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(o, "leaks"), "entries")), 1);
	assert_true(json_array_size(json_object_get(o, "timeline")) >= 1);
	assert_true(json_is_true(json_object_get(o, "finished")));
	json_decref(o);
	free(text);
	assert_int_equal(dmawin_trace_report_to_json(NULL, NULL, &text), -EINVAL);
	dmawin_trace_replay_destroy(rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text_lists_counts_mismatch_and_result),
		cmocka_unit_test(test_report_json_object_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
