/* SPDX-License-Identifier: MIT */
/* Fixtures shared by the papr tests: a small pseries machine and a trace recorder. */
#ifndef DMAWIN_PAPR_TEST_H
#define DMAWIN_PAPR_TEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmawin/papr.h"
#include "dmawin/pe.h"
#include "dw_test.h"

#define LIOBN0	      0x80000000u
#define LIOBN1	      0x80000001u
#define BUID0	      0x800000020000000ull
#define BUID_HI(b)    ((uint32_t)((b) >> 32))
#define BUID_LO(b)    ((uint32_t)(b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define H_SUCCESS     DMAWIN_PAPR_H_SUCCESS
#define H_PARAMETER   DMAWIN_PAPR_H_PARAMETER

/* 256 MiB of RAM keeps tests fast; RAM is anonymous MAP_NORESERVE so only touched pages cost. */
static inline struct dmawin_papr *papr_test_machine_cfg(struct dmawin_papr_config *cfg)
{
	struct dmawin_papr *m = NULL;
	char why[160] = "";
	int rc = dmawin_papr_create(cfg, &m, why, sizeof(why));

	if (rc)
		print_error("dmawin_papr_create: %d %s\n", rc, why);
	assert_int_equal(rc, 0);
	return m;
}

static inline struct dmawin_papr *papr_test_machine(void)
{
	struct dmawin_papr_config cfg;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 256 * MiB;
	return papr_test_machine_cfg(&cfg);
}

/* Where snapshot tests put files: tmpfs when there is one, so that the fsync()s of the atomic
 * write do not make the suite's time depend on a busy disk. */
static inline const char *papr_test_tmpdir(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Trace recorder: keeps the last events. */
#define TRACE_MAX 64
struct trace_rec {
	unsigned n;
	struct dmawin_papr_trace ev[TRACE_MAX];
};

static inline void trace_rec_fn(void *opaque, const struct dmawin_papr_trace *ev)
{
	struct trace_rec *r = opaque;

	if (r->n < TRACE_MAX)
		r->ev[r->n] = *ev;
	r->n++;
}

/* Write big-endian TCEs into guest RAM at @gpa. */
static inline void put_list(struct dmawin_papr *m, uint64_t gpa, const uint64_t *tces, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t be = __builtin_bswap64(tces[i]);
		assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), gpa + 8 * i, &be, 8), 0);
	}
}

static inline uint64_t get_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba)
{
	uint64_t tce = 0xdeadbeef;

	assert_int_equal(dmawin_papr_h_get_tce(m, liobn, ioba, &tce), H_SUCCESS);
	return tce;
}

/* The DDW of a 2 GiB guest as in the real trace: 16M pages, 2^31 bytes. */
static inline int32_t create_ddw(struct dmawin_papr *m, uint32_t ps, uint32_t ws, uint32_t *liobn,
				 uint64_t *start)
{
	return dmawin_papr_rtas_create_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0), ps, ws,
						     liobn, start);
}

/* A fingerprint of the whole IOMMU state: every PHB's windows as papr and pe see them, every
 * non-zero entry (sparse walk through the tables pe holds), the EEH state. */
static inline uint64_t fingerprint(struct dmawin_papr *m)
{
	uint64_t h = 1469598103934665603ull;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
	for (unsigned pos = 0; pos < dmawin_papr_phb_count(m); pos++) {
		struct dmawin_pe *pe = dmawin_papr_phb_pe(m, pos);
		uint32_t index = dmawin_papr_get_config(m)->phbs[pos].index;
		for (unsigned s = 0; s < 2; s++) {
			struct dmawin_papr_window_info w;
			struct dmawin_pe_window_info pw;
			uint64_t idx = 0, found, tce;
			assert_int_equal(
				dmawin_papr_window_info(m, DMAWIN_PAPR_LIOBN(index, s), &w), 0);
			MIX(w.enabled), MIX(w.is_default), MIX(w.bus_offset), MIX(w.page_shift);
			MIX(w.nb_table);
			if (dmawin_pe_window_info(pe, s, &pw) != 0)
				continue;
			MIX(pw.bus_offset), MIX(pw.size);
			while (dmawin_tce_next(pw.table, idx, DMAWIN_TCE_ITER_NONZERO, &found,
					       &tce) == 0) {
				MIX(found), MIX(tce);
				idx = found + 1;
			}
		}
		MIX(dmawin_pe_eeh_state(pe));
	}
#undef MIX
	return h;
}

#endif
