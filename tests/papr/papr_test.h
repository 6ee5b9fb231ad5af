/* SPDX-License-Identifier: MIT */
/* Fixtures shared by the papr tests: a small pseries machine and a trace recorder. */
#ifndef DMAWIN_PAPR_TEST_H
#define DMAWIN_PAPR_TEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

#endif
