/* SPDX-License-Identifier: MIT */
/*
 * Replay of traces written by the guest model in machine and kernel configurations the two real
 * samples do not cover (restricted page sizes, the 4 GiB DDW placement, two PHBs, hotplug span,
 * multi-TCE off, disable_ddw), with device translations of scattered scatter-gather lists: every
 * one must replay with 0 mismatches, and the non-linear INDIRECT lists must be corrected by the
 * translations, never reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmawin/guest.h"
#include "dmawin/papr.h"
#include "dmawin/papr_qemu.h"
#include "dmawin/trace.h"
#include "dw_test.h"

struct text {
	char *buf;
	size_t len, cap;
};

static void text_add(struct text *t, const char *line)
{
	size_t n = strlen(line) + 16;

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->cap + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	t->len += (size_t)sprintf(t->buf + t->len, "9@200.000001:%s\n", line);
}

static void on_line(void *opaque, const char *line)
{
	text_add(opaque, line);
}

/* What the device would see: QEMU's xlate line for every page of [dma, dma + len). */
static void add_xlates(struct text *t, struct dmawin_papr *m,
		       const struct dmawin_guest_device_info *di, uint64_t dma, uint64_t len)
{
	uint64_t pg = UINT64_C(1) << di->page_shift;

	for (uint64_t a = dma & ~(pg - 1); a < dma + len; a += pg) {
		struct dmawin_papr_xlate x;
		char line[200];

		assert_int_equal(dmawin_papr_xlate(m, di->liobn, a - di->window_start, &x), 0);
		snprintf(line, sizeof(line),
			 "spapr_iommu_xlate liobn=0x%" PRIx32 " 0x%" PRIx64 " -> 0x%" PRIx64
			 " perm=%u mask=0x%x",
			 di->liobn, a - di->window_start, x.translated_addr, x.perm,
			 (unsigned)(uint32_t)x.addr_mask);
		text_add(t, line);
	}
}

/* Scattered 4 KiB buffers (not contiguous in guest RAM): INDIRECT lists that are not a run. */
static void dma_workload(struct text *t, struct dmawin_papr *m, struct dmawin_guest *g, unsigned id,
			 uint64_t ram, uint64_t *seed)
{
	struct dmawin_guest_device_info di;
	struct dmawin_guest_sg sg[8];
	size_t nents;

	assert_int_equal(dmawin_guest_device_info(g, id, &di), 0);
	for (int round = 0; round < 6; round++) {
		for (unsigned i = 0; i < 8; i++) {
			sg[i].phys = (16 * MiB +
				      (dw_test_rand(seed) % (ram / 2 / (64 * KiB))) * (64 * KiB)) &
				     ~(64 * KiB - 1);
			sg[i].len = 64 * KiB;
		}
		assert_int_equal(
			dmawin_guest_map_sg(g, id, sg, 8, DMAWIN_GUEST_BIDIRECTIONAL, &nents), 0);
		for (unsigned i = 0; i < 8; i++)
			if (sg[i].dma_len)
				add_xlates(t, m, &di, sg[i].dma_address, sg[i].dma_len);
		if (round % 2)
			assert_int_equal(
				dmawin_guest_unmap_sg(g, id, sg, 8, DMAWIN_GUEST_BIDIRECTIONAL), 0);
	}
}

/*
 * A list the guest model never writes (Linux builds one physically contiguous run per call):
 * 8 scattered pages by one H_PUT_TCE_INDIRECT near the top of the default window, then the
 * device's translations of them. The replay rebuilds a run and must correct 7 entries.
 */
static void scattered_indirect(struct text *t, struct dmawin_papr *m, uint64_t ram, uint64_t *seed)
{
	struct dmawin_guest_device_info di = {.liobn = DMAWIN_PAPR_LIOBN(0, 0), .page_shift = 12};
	uint64_t list[8], ioba = 0x3ff00000, tcelist = 12 * MiB;

	for (unsigned i = 0; i < 8; i++) {
		uint64_t page = (dw_test_rand(seed) % (ram / 4096)) << 12;
		list[i] = __builtin_bswap64(page | 3);
	}
	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), tcelist, list, sizeof(list)), 0);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, di.liobn, ioba, tcelist, 8), 0);
	add_xlates(t, m, &di, ioba, 8 * 4096);
}

struct scenario {
	const char *qemu;
	bool multitce_off, disable_ddw;
	bool second_phb;
};

static const struct dmawin_trace_report *replay_text(const struct dmawin_papr_config *cfg,
						     const struct text *t,
						     struct dmawin_trace_replay **rp)
{
	struct dmawin_trace_reader *r = NULL;
	const char *line;
	size_t len;

	assert_int_equal(dmawin_trace_replay_create(cfg, NULL, rp, NULL, 0), 0);
	assert_int_equal(dmawin_trace_reader_open_memory(t->buf, t->len, &r), 0);
	while (dmawin_trace_reader_next(r, &line, &len) == 1)
		assert_int_equal(dmawin_trace_replay_line(*rp, line, len,
							  dmawin_trace_reader_line_number(r)),
				 0);
	dmawin_trace_reader_destroy(r);
	assert_int_equal(dmawin_trace_replay_finish(*rp), 0);
	return dmawin_trace_replay_report(*rp);
}

static void run_scenario(const struct scenario *s, uint64_t seed)
{
	struct dmawin_qemu_machine *mach = malloc(sizeof(*mach));
	struct dmawin_guest_config gcfg;
	struct dmawin_guest_device_config nvme = {
		.name = "nvme", .devfn = 1 << 3, .dma_mask_bits = 64};
	struct dmawin_guest_device_config e1000 = {
		.name = "e1000", .devfn = 2 << 3, .dma_mask_bits = 32};
	struct dmawin_guest_device_config nic2 = {
		.name = "e1000", .phb_index = 1, .devfn = 1 << 3, .dma_mask_bits = 32};
	struct text t = {0};
	struct dmawin_papr *m = NULL;
	struct dmawin_guest *g = NULL;
	struct dmawin_trace_replay *rp = NULL;
	const struct dmawin_trace_report *rep;
	unsigned id[3];
	char why[200];
	uint64_t corrected = 0;

	print_message("scenario '%s'%s%s seed %" PRIu64 "\n", s->qemu,
		      s->multitce_off ? " multitce=off" : "", s->disable_ddw ? " disable_ddw" : "",
		      seed);
	assert_non_null(mach);
	assert_int_equal(dmawin_papr_qemu_parse(s->qemu, mach, why, sizeof(why)), 0);
	assert_int_equal(dmawin_papr_create(&mach->papr, &m, why, sizeof(why)), 0);
	dmawin_guest_config_init(&gcfg);
	gcfg.kernel = DMAWIN_GUEST_KERNEL_6_1; /* the 6.1 samples */
	gcfg.multitce_off = s->multitce_off;
	gcfg.disable_ddw = s->disable_ddw;
	assert_int_equal(dmawin_guest_create(m, &gcfg, &g), 0);
	dmawin_guest_set_trace(g, on_line, &t);
	assert_int_equal(dmawin_guest_device_add(g, &nvme, &id[0]), 0);
	assert_int_equal(dmawin_guest_device_add(g, &e1000, &id[1]), 0);
	if (s->second_phb)
		assert_int_equal(dmawin_guest_device_add(g, &nic2, &id[2]), 0);
	assert_int_equal(dmawin_guest_boot(g), 0);
	for (unsigned i = 0; i < (s->second_phb ? 3u : 2u); i++)
		dma_workload(&t, m, g, id[i], mach->papr.ram_size, &seed);
	scattered_indirect(&t, m, mach->papr.ram_size, &seed);
	dmawin_guest_destroy(g);
	dmawin_papr_destroy(m);

	rep = replay_text(&mach->papr, &t, &rp);
	for (size_t i = 0; i < rep->n_mismatch_examples; i++)
		print_message("line %" PRIu64 ": %s %s trace 0x%" PRIx64 " model 0x%" PRIx64 "\n",
			      rep->mismatch_examples[i].line,
			      dmawin_trace_mismatch_kind_name(rep->mismatch_examples[i].kind),
			      rep->mismatch_examples[i].field, rep->mismatch_examples[i].expected,
			      rep->mismatch_examples[i].got);
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->malformed, 0);
	assert_int_equal(rep->unknown_events, 0);
	assert_true(rep->by_kind[DMAWIN_TRACE_EV_XLATE] > 0);
	for (size_t i = 0; i < rep->n_windows; i++)
		corrected += rep->windows[i].corrected;
	print_message("  %" PRIu64 " events, %" PRIu64 " inferred entries corrected\n", rep->events,
		      corrected);
	assert_true(corrected >= 1 && corrected <= 7);
	dmawin_trace_replay_destroy(rp);
	free(t.buf);
	free(mach);
}

static uint64_t test_seed(void)
{
	const char *env = getenv("DMAWIN_TEST_SEED");

	return env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) | 1;
}

static void test_conformance_guest_traces_replay_clean(void **state)
{
	static const struct scenario scenarios[] = {
		{"qemu-system-ppc64 -M pseries -m 2G", false, false, false},
		{"qemu-system-ppc64 -M pseries -m 2G -global spapr-pci-host-bridge.pgsz=0x11000",
		 false, false, false},
		{"qemu-system-ppc64 -M pseries -m 1G "
		 "-global spapr-pci-host-bridge.dma64_win_addr=0x100000000",
		 false, false, false},
		{"qemu-system-ppc64 -M pseries -m 1G,slots=2,maxmem=4G", false, false, false},
		{"qemu-system-ppc64 -M pseries -m 1G -device spapr-pci-host-bridge,index=1", false,
		 false, true},
		{"qemu-system-ppc64 -M pseries -m 1G", true, false, false},
		{"qemu-system-ppc64 -M pseries -m 1G", false, true, false},
	};
	uint64_t seed = test_seed();

	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run_scenario(&scenarios[i], seed + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_guest_traces_replay_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
