/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: random sequences of TCE hcalls, DDW RTAS calls, resets, translations and device DMA
 * with random arguments on a small machine. After every step the machine's invariants must hold:
 * an H_PUT_TCE that succeeded reads back with H_GET_TCE, enabled windows have a consistent
 * geometry and never overlap, no more windows than the PHB allows, and DMA never touches memory
 * outside guest RAM (AddressSanitizer watches that).
 */
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM (16ull << 20)

static const uint64_t interesting[] = {
	0, 0x1000, 0xfff, 0x200000 - 0x1000, 0x40000000, 1ull << 59, (1ull << 59) + 0x10000,
	0x100000000ull, RAM - 0x1000, RAM, UINT64_MAX, 0x40000000000ull,
};

static uint64_t pick_liobn(struct fuzz_input *in)
{
	uint8_t b = fuzz_u8(in);

	if (b < 200)
		return DMAWIN_PAPR_LIOBN(b % 2 ? 1 : 0, (b >> 1) % 3);
	return fuzz_take(in, 8);
}

static void check_windows(struct dmawin_papr *m)
{
	for (uint32_t phb = 0; phb < 2; phb++) {
		struct dmawin_papr_window_info w[2];
		unsigned enabled = 0;

		for (uint32_t slot = 0; slot < 2; slot++) {
			if (dmawin_papr_window_info(m, DMAWIN_PAPR_LIOBN(phb, slot), &w[slot]))
				abort();
			if (!w[slot].enabled)
				continue;
			enabled++;
			if (w[slot].size != w[slot].nb_table << w[slot].page_shift)
				abort();
		}
		if (enabled == 2 && w[0].bus_offset < w[1].bus_offset + w[1].size &&
		    w[1].bus_offset < w[0].bus_offset + w[0].size)
			abort();
		if (enabled > dmawin_papr_get_config(m)->phbs[phb].max_windows)
			abort();
	}
}

static void step(struct dmawin_papr *m, struct fuzz_input *in)
{
	static uint8_t buf[65536];
	uint64_t liobn = pick_liobn(in), ioba = fuzz_u64(in, interesting, 12), tce, got = 0;
	uint32_t rets[8], cells[8], out_liobn;
	uint64_t start, args[4] = {0}, hrets[1];
	size_t len;

	switch (fuzz_u8(in) % 14) {
	case 0:
		tce = fuzz_u64(in, interesting, 12) | (fuzz_u8(in) & 3);
		if (dmawin_papr_h_put_tce(m, liobn, ioba, tce) == DMAWIN_PAPR_H_SUCCESS &&
		    (dmawin_papr_h_get_tce(m, liobn, ioba, &got) != DMAWIN_PAPR_H_SUCCESS || got != tce))
			abort();
		break;
	case 1:
		dmawin_papr_h_get_tce(m, liobn, ioba, &got);
		break;
	case 2: {
		uint64_t list = fuzz_u64(in, interesting, 12), n = fuzz_take(in, 2) % 600;
		uint64_t be[16];

		for (unsigned i = 0; i < 16; i++)
			be[i] = __builtin_bswap64(fuzz_u64(in, interesting, 12) | 3);
		dmawin_mem_write(dmawin_papr_mem(m), list & ~0xfffull, be, sizeof(be));
		dmawin_papr_h_put_tce_indirect(m, liobn, ioba, list, n);
		break;
	}
	case 3:
		dmawin_papr_h_stuff_tce(m, liobn, ioba, fuzz_u64(in, interesting, 12),
					fuzz_take(in, 3) % 0x50000);
		break;
	case 4:
		dmawin_papr_rtas_query_pe_dma_window(m, 0, (uint32_t)(DMAWIN_PAPR_BUID(0) >> 32),
						     (uint32_t)DMAWIN_PAPR_BUID(fuzz_u8(in) % 3),
						     4 + fuzz_u8(in) % 4, rets, NULL);
		break;
	case 5:
		dmawin_papr_rtas_create_pe_dma_window(m, 0, (uint32_t)(DMAWIN_PAPR_BUID(0) >> 32),
						      (uint32_t)DMAWIN_PAPR_BUID(fuzz_u8(in) % 3),
						      fuzz_u8(in) % 70, fuzz_u8(in) % 70,
						      &out_liobn, &start);
		break;
	case 6:
		dmawin_papr_rtas_remove_pe_dma_window(m, (uint32_t)liobn);
		break;
	case 7:
		dmawin_papr_rtas_reset_pe_dma_window(m, 0, (uint32_t)(DMAWIN_PAPR_BUID(0) >> 32),
						     (uint32_t)DMAWIN_PAPR_BUID(fuzz_u8(in) % 3));
		break;
	case 8:
		if (fuzz_u8(in) < 16)
			dmawin_papr_reset(m);
		break;
	case 9: {
		struct dmawin_papr_xlate x;

		dmawin_papr_xlate(m, liobn, ioba, &x);
		break;
	}
	case 10:
		len = fuzz_take(in, 2) % sizeof(buf);
		dmawin_papr_dma_read(m, fuzz_u8(in) % 3, ioba, buf, len);
		break;
	case 11:
		len = fuzz_take(in, 2) % sizeof(buf);
		dmawin_papr_dma_write(m, fuzz_u8(in) % 3, ioba, buf, len);
		break;
	case 12:
		for (unsigned i = 0; i < 4; i++)
			args[i] = fuzz_u64(in, interesting, 12);
		dmawin_papr_hcall(m, fuzz_u8(in) % 2 ? fuzz_take(in, 2) : 0x20, args, hrets);
		break;
	default:
		for (unsigned i = 0; i < 8; i++)
			cells[i] = __builtin_bswap32((uint32_t)fuzz_take(in, 4));
		cells[0] = __builtin_bswap32(0x2026 + fuzz_u8(in) % 5);
		dmawin_mem_write(dmawin_papr_mem(m), 0x10000, cells, sizeof(cells));
		dmawin_papr_rtas_buffer(m, fuzz_u8(in) % 2 ? 0x10000 : RAM - 8);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {.data = data, .size = size};
	struct dmawin_papr_config cfg;
	struct dmawin_papr *m;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = RAM;
	cfg.nr_phbs = 2;
	dmawin_papr_phb_config_init(&cfg.phbs[1], 1);
	cfg.phbs[0].dma_win_size = 2ull << 20;
	cfg.phbs[1].dma_win_size = 1ull << 20;
	cfg.phbs[1].tce_budget = 4096;
	cfg.strict_papr = size && (data[0] & 1);
	if (dmawin_papr_create(&cfg, &m, NULL, 0))
		abort();
	in.pos = 1;
	for (unsigned steps = 0; fuzz_more(&in) && steps < 64; steps++) {
		step(m, &in);
		check_windows(m);
	}
	dmawin_papr_destroy(m);
	return 0;
}
