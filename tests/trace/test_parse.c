/* SPDX-License-Identifier: MIT */
/* The exact event parser: every §7 event kind, timestamps, unknown events, malformed lines. */
#include <errno.h>
#include <string.h>

#include "dmawin/trace.h"
#include "dw_test.h"

static int parse(const char *line, struct dmawin_trace_event *ev,
		 struct dmawin_trace_parse_error *err)
{
	const char *name;
	size_t name_len;

	memset(ev, 0xa5, sizeof(*ev));
	return dmawin_trace_parse_line(line, strlen(line), ev, err, &name, &name_len);
}

static void test_parse_put_pci_with_stamp_fields(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(parse("11624@1795416263.232998:spapr_iommu_pci_put liobn=0x80000000 "
			       "ioba=0x1000 tce=0x631f003 ret=0",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_PUT);
	assert_true(ev.pci);
	assert_true(ev.has_stamp);
	assert_int_equal(ev.pid, 11624);
	assert_int_equal(ev.sec, 1795416263);
	assert_int_equal(ev.usec, 232998);
	assert_int_equal(ev.u.put.liobn, 0x80000000);
	assert_int_equal(ev.u.put.ioba, 0x1000);
	assert_int_equal(ev.u.put.tce, 0x631f003);
	assert_int_equal(ev.u.put.ret, 0);
}

static void test_parse_put_vio_negative_ret_signed(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("1@2.000003:spapr_iommu_put liobn=0x71000003 ioba=0xffffffffffffffff "
		      "tce=0x0 ret=-4",
		      &ev, NULL),
		0);
	assert_false(ev.pci);
	assert_int_equal(ev.u.put.ret, -4);
	assert_true(ev.u.put.ioba == UINT64_MAX);
}

static void test_parse_get_field_order(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("13853@1795417146.967397:spapr_iommu_pci_get liobn=0x80000000 ioba=0x0 "
		      "ret=0 tce=0x7f200001",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_GET);
	assert_int_equal(ev.u.get.ret, 0);
	assert_int_equal(ev.u.get.tce, 0x7f200001);
}

static void test_parse_indirect_index_and_last_tce(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("11624@1795416260.118993:spapr_iommu_pci_indirect liobn=0x80000001 "
		      "ioba=0x800000000000000 tcelist=0x20b0000 iobaN=0x7f tceN=0x7f000003 "
		      "ret=0",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_INDIRECT);
	assert_int_equal(ev.u.indirect.ioba, 0x800000000000000ull);
	assert_int_equal(ev.u.indirect.tcelist, 0x20b0000);
	assert_int_equal(ev.u.indirect.last_index, 0x7f);
	assert_int_equal(ev.u.indirect.last_tce, 0x7f000003);
}

static void test_parse_stuff_end_and_npages(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(parse("11624@1795416258.684702:spapr_iommu_pci_stuff liobn=0x80000000 "
			       "ioba=0x200000 tcevalue=0x0 npages=512 ret=0",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_STUFF);
	assert_int_equal(ev.u.stuff.ioba_end, 0x200000);
	assert_int_equal(ev.u.stuff.npages, 512);
	assert_int_equal(ev.u.stuff.tce_value, 0);
}

static void test_parse_xlate_hit_and_miss(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("11620@1795416260.132705:spapr_iommu_xlate liobn=0x80000001 0x4750000 "
		      "-> 0x4000000 perm=3 mask=0xffffff",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_XLATE);
	assert_int_equal(ev.u.xlate.offset, 0x4750000);
	assert_int_equal(ev.u.xlate.target, 0x4000000);
	assert_int_equal(ev.u.xlate.perm, 3);
	assert_int_equal(ev.u.xlate.mask, 0xffffff);
	assert_int_equal(parse("1@1.1:spapr_iommu_xlate liobn=0x80000000 0x40000000 -> 0x0 perm=0 "
			       "mask=0xffffffff",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.u.xlate.mask, 0xffffffffu);
}

static void test_parse_ddw_events_fields(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("1@1.1:spapr_iommu_ddw_query buid=0x800000020000000 addr=0x0, 1 windows "
		      "available, max window size=0x80000000, mask=0x107",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_DDW_QUERY);
	assert_int_equal(ev.u.ddw_query.buid, 0x800000020000000ull);
	assert_int_equal(ev.u.ddw_query.windows_available, 1);
	assert_int_equal(ev.u.ddw_query.max_window_size, 0x80000000);
	assert_int_equal(ev.u.ddw_query.pgmask, 0x107);

	assert_int_equal(
		parse("1@1.1:spapr_iommu_ddw_create buid=0x800000020000000 addr=0x10800, page "
		      "size=0x1000000, requested=0x80000000, start addr=0x800000000000000, "
		      "liobn=0x80000001",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_DDW_CREATE);
	assert_int_equal(ev.u.ddw_create.cfgaddr, 0x10800);
	assert_int_equal(ev.u.ddw_create.page_size, 0x1000000);
	assert_int_equal(ev.u.ddw_create.requested, 0x80000000);
	assert_int_equal(ev.u.ddw_create.start, 0x800000000000000ull);
	assert_int_equal(ev.u.ddw_create.liobn, 0x80000001);

	assert_int_equal(parse("1@1.1:spapr_iommu_ddw_remove liobn=0x80000001", &ev, NULL), 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_DDW_REMOVE);
	assert_int_equal(ev.u.ddw_remove.liobn, 0x80000001);

	assert_int_equal(
		parse("1@1.1:spapr_iommu_ddw_reset buid=0x800000020000001 addr=0x0", &ev, NULL), 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_DDW_RESET);
	assert_int_equal(ev.u.ddw_reset.buid, 0x800000020000001ull);
}

static void test_parse_table_and_migration_events_fields(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(parse("11620@1795416253.634940:spapr_iommu_new_table liobn=0x80000000 "
			       "table=0x5604fdec4570 fd=-1",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_NEW_TABLE);
	assert_int_equal(ev.u.new_table.table, 0x5604fdec4570ull);
	assert_int_equal(ev.u.new_table.fd, -1);
	assert_int_equal(
		parse("1@1.1:spapr_iommu_new_table liobn=0x80000000 table=(nil) fd=3", &ev, NULL),
		0);
	assert_int_equal(ev.u.new_table.table, 0);
	assert_int_equal(ev.u.new_table.fd, 3);

	assert_int_equal(
		parse("1@1.1:spapr_iommu_pre_save liobn=80000000 40000 bus_offset=0x0 ps=12", &ev,
		      NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_PRE_SAVE);
	assert_int_equal(ev.u.pre_save.nb, 0x40000);
	assert_int_equal(ev.u.pre_save.ps, 12);
	assert_int_equal(parse("1@1.1:spapr_iommu_post_load liobn=80000001 0 => 0x80 "
			       "bus_offset=0x800000000000000 ps=24",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_POST_LOAD);
	assert_int_equal(ev.u.post_load.post_nb, 0x80);
	assert_int_equal(ev.u.post_load.bus_offset, 0x800000000000000ull);
}

static void test_parse_context_events_fields(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("11624@1795416257.307301:spapr_cas_pvr current=0x0, explicit_match=1, "
		      "new=0xf000005",
		      &ev, NULL),
		0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_CAS_PVR);
	assert_int_equal(ev.u.cas_pvr.new_pvr, 0xf000005);
	assert_int_equal(
		parse("1@1.1:spapr_cas_continue Copy changes to the guest: 15228 bytes", &ev, NULL),
		0);
	assert_int_equal(ev.u.cas_continue.bytes, 15228);
	assert_int_equal(parse("1@1.1:spapr_pci_msi Releasing wrong config (cfg=0x10)", &ev, NULL),
			 0);
	assert_int_equal(ev.kind, DMAWIN_TRACE_EV_PCI_MSI);
	assert_int_equal(ev.u.pci_msi.cfg, 0x10);
	assert_int_equal(parse("1@1.1:spapr_pci_msi_setup dev\"nvme\" vector 0, addr=0x40000000000",
			       &ev, NULL),
			 0);
	assert_int_equal(ev.u.pci_msi_setup.addr, 0x40000000000ull);
	assert_int_equal(
		parse("1@1.1:spapr_pci_rtas_ibm_change_msi cfgaddr 0x0 func 4, requested 2, "
		      "first irq 4864",
		      &ev, NULL),
		0);
	assert_int_equal(ev.u.pci_change_msi.req, 2);
	assert_int_equal(ev.u.pci_change_msi.first, 4864);
	assert_int_equal(
		parse("1@1.1:spapr_pci_rtas_ibm_query_interrupt_source_number queries for #0, "
		      "IRQ4864",
		      &ev, NULL),
		0);
	assert_int_equal(ev.u.pci_query_irq.intr, 4864);
	assert_int_equal(parse("1@1.1:spapr_pci_msi_write @0x0<=0x1300 IRQ 4864", &ev, NULL), 0);
	assert_int_equal(ev.u.pci_msi_write.data, 0x1300);
	assert_int_equal(
		parse("1@1.1:spapr_pci_lsi_set pci@800000020000000 PIN1 IRQ 4609", &ev, NULL), 0);
	assert_int_equal(ev.u.pci_lsi_set.pin, 1);
	assert_int_equal(ev.u.pci_lsi_set.irq, 4609);
	assert_int_equal(
		parse("1@1.1:spapr_pci_msi_retry Guest device at 0x800 asked 4, have only 2", &ev,
		      NULL),
		0);
	assert_int_equal(ev.u.pci_msi_retry.max_irqs, 2);
}

static void test_parse_no_stamp_and_crlf_accepted(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(parse("spapr_iommu_ddw_remove liobn=0x80000001\r", &ev, NULL), 0);
	assert_false(ev.has_stamp);
	assert_int_equal(ev.pid, 0);
	assert_int_equal(ev.u.ddw_remove.liobn, 0x80000001);
}

static void test_parse_unknown_and_blank_enoent(void **state)
{
	struct dmawin_trace_event ev;
	const char *name;
	size_t name_len;
	const char *line = "11624@1795416260.1:pci_nvme_io_cmd cid 1 nsid 0x1 sqid 1 opc 0x2";

	(void)state;
	assert_int_equal(dmawin_trace_parse_line(line, strlen(line), &ev, NULL, &name, &name_len),
			 -ENOENT);
	assert_int_equal(name_len, strlen("pci_nvme_io_cmd"));
	assert_memory_equal(name, "pci_nvme_io_cmd", name_len);
	assert_int_equal(parse("", &ev, NULL), -ENOENT);
	assert_int_equal(parse("spapr_iommu_pci_putx liobn=0x1", &ev, NULL), -ENOENT);
	/* A prefix that is not a stamp leaves the text as the "name": unknown, not malformed. */
	assert_int_equal(parse("12@x:spapr_iommu_pci_put liobn=0x1", &ev, NULL), -ENOENT);
}

struct malformed_case {
	const char *line;
	const char *reason;
	size_t column;
};

static void test_parse_malformed_lines_einval_with_column(void **state)
{
	static const struct malformed_case cases[] = {
		/* missing field */
		{"1@1.1:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 ret=0", "expected", 55},
		/* not a hex digit */
		{"1@1.1:spapr_iommu_pci_put liobn=0xZ ioba=0x0 tce=0x0 ret=0",
		 "expected a hexadecimal number", 35},
		/* 64-bit overflow */
		{"1@1.1:spapr_iommu_pci_put liobn=0x10000000000000000 ioba=0x0 tce=0x0 ret=0",
		 "number out of range", 51},
		/* 32-bit field overflow (%x of a uint32_t) */
		{"1@1.1:spapr_iommu_ddw_remove liobn=0x100000000", "number out of range", 46},
		/* perm is %u: decimal expected */
		{"1@1.1:spapr_iommu_xlate liobn=0x1 0x0 -> 0x0 perm=x mask=0xfff",
		 "expected a decimal number", 51},
		/* trailing text */
		{"1@1.1:spapr_iommu_ddw_remove liobn=0x1 extra", "unexpected text after the event",
		 39},
		/* line ends early */
		{"1@1.1:spapr_iommu_pci_stuff liobn=0x1 ioba=0x2000", "line ends early, expected",
		 50},
		/* event name without arguments */
		{"1@1.1:spapr_iommu_ddw_remove", "line ends early, expected", 29},
		/* decimal overflow of a signed 64-bit ret */
		{"1@1.1:spapr_iommu_pci_put liobn=0x1 ioba=0x0 tce=0x0 ret=9223372036854775808",
		 "number out of range", 76},
		/* %p that is neither 0x... nor (nil) */
		{"1@1.1:spapr_iommu_new_table liobn=0x1 table=nil fd=-1", "expected", 45},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dmawin_trace_event ev;
		struct dmawin_trace_parse_error err = {0};

		assert_int_equal(parse(cases[i].line, &ev, &err), -EINVAL);
		print_message("case %zu: %s -> %s at %zu\n", i, cases[i].line, err.reason,
			      err.column);
		assert_string_equal(err.reason, cases[i].reason);
		assert_int_equal(err.column, cases[i].column);
	}
}

static void test_parse_malformed_names_expected_literal(void **state)
{
	struct dmawin_trace_event ev;
	struct dmawin_trace_parse_error err = {0};

	(void)state;
	assert_int_equal(
		parse("1@1.1:spapr_iommu_pci_get liobn=0x1 ioba=0x0 tce=0x0 ret=0", &ev, &err),
		-EINVAL);
	assert_int_equal(err.expected_len, strlen(" ret="));
	assert_memory_equal(err.expected, " ret=", err.expected_len);
}

static void test_parse_limits_accepted(void **state)
{
	struct dmawin_trace_event ev;

	(void)state;
	assert_int_equal(
		parse("1@1.1:spapr_iommu_pci_put liobn=0xffffffffffffffff ioba=0x0 tce=0x0 "
		      "ret=-9223372036854775808",
		      &ev, NULL),
		0);
	assert_true(ev.u.put.ret == INT64_MIN);
	assert_int_equal(parse("1@1.1:spapr_iommu_ddw_remove liobn=0xFFFFFFFF", &ev, NULL), 0);
	assert_int_equal(ev.u.ddw_remove.liobn, 0xffffffffu);
}

static void test_parse_kind_names_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < DMAWIN_TRACE_EV_NR; i++)
		for (int j = i + 1; j < DMAWIN_TRACE_EV_NR; j++)
			assert_string_not_equal(dmawin_trace_kind_name(i),
						dmawin_trace_kind_name(j));
	assert_string_equal(dmawin_trace_kind_name(DMAWIN_TRACE_EV_NR), "invalid");
	assert_string_equal(dmawin_trace_kind_name(DMAWIN_TRACE_EV_STUFF), "stuff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_put_pci_with_stamp_fields),
		cmocka_unit_test(test_parse_put_vio_negative_ret_signed),
		cmocka_unit_test(test_parse_get_field_order),
		cmocka_unit_test(test_parse_indirect_index_and_last_tce),
		cmocka_unit_test(test_parse_stuff_end_and_npages),
		cmocka_unit_test(test_parse_xlate_hit_and_miss),
		cmocka_unit_test(test_parse_ddw_events_fields),
		cmocka_unit_test(test_parse_table_and_migration_events_fields),
		cmocka_unit_test(test_parse_context_events_fields),
		cmocka_unit_test(test_parse_no_stamp_and_crlf_accepted),
		cmocka_unit_test(test_parse_unknown_and_blank_enoent),
		cmocka_unit_test(test_parse_malformed_lines_einval_with_column),
		cmocka_unit_test(test_parse_malformed_names_expected_literal),
		cmocka_unit_test(test_parse_limits_accepted),
		cmocka_unit_test(test_parse_kind_names_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
