/* SPDX-License-Identifier: MIT */
/* RTAS entry: token dispatch with QEMU's nargs/nret checks, and the guest-memory buffer form. */
#include <errno.h>
#include <string.h>

#include "papr/papr_int.h"

#define RTAS_MAX_CELLS 16

static int32_t rtas_query(struct dmawin_papr *m, uint32_t nargs, const uint32_t *args,
			  uint32_t nret, uint32_t *rets)
{
	if (nargs != 3 || (nret != 5 && nret != 6))
		return DMAWIN_PAPR_RTAS_PARAM_ERROR;
	return dmawin_papr_rtas_query_pe_dma_window(m, args[0], args[1], args[2], nret, rets, NULL);
}

static int32_t rtas_create(struct dmawin_papr *m, uint32_t nargs, const uint32_t *args,
			   uint32_t nret, uint32_t *rets)
{
	uint32_t liobn;
	uint64_t start;
	int32_t st;

	if (nargs != 5 || nret != 4)
		return DMAWIN_PAPR_RTAS_PARAM_ERROR;
	st = dmawin_papr_rtas_create_pe_dma_window(m, args[0], args[1], args[2], args[3], args[4],
						   &liobn, &start);
	if (st == 0) {
		rets[1] = liobn;
		rets[2] = (uint32_t)(start >> 32);
		rets[3] = (uint32_t)start;
	}
	return st;
}

int32_t dmawin_papr_rtas(struct dmawin_papr *m, uint32_t token, uint32_t nargs,
			 const uint32_t *args, uint32_t nret, uint32_t *rets)
{
	int32_t st = DMAWIN_PAPR_RTAS_PARAM_ERROR;

	if (nargs && !args)
		nargs = UINT32_MAX; /* fails every call's count check */
	if (nret && !rets)
		return st;
	switch (token) {
	case DMAWIN_PAPR_RTAS_QUERY_PE_DMA_WINDOW:
		st = rtas_query(m, nargs, args, nret, rets);
		break;
	case DMAWIN_PAPR_RTAS_CREATE_PE_DMA_WINDOW:
		st = rtas_create(m, nargs, args, nret, rets);
		break;
	case DMAWIN_PAPR_RTAS_REMOVE_PE_DMA_WINDOW:
		if (nargs == 1 && nret == 1)
			st = dmawin_papr_rtas_remove_pe_dma_window(m, args[0]);
		break;
	case DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW:
		if (nargs == 3 && nret == 1)
			st = dmawin_papr_rtas_reset_pe_dma_window(m, args[0], args[1], args[2]);
		else if (nargs == 4 && nret == 1) /* PAPR 2.13 limited addressing */
			st = dmawin_papr_rtas_reset_pe_dma_window_mode(m, args[0], args[1], args[2],
								       args[3]);
		break;
	default:
		break;
	}
	if (nret >= 1)
		rets[0] = (uint32_t)st;
	return st;
}

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

int32_t dmawin_papr_rtas_buffer(struct dmawin_papr *m, uint64_t gpa)
{
	uint32_t cells[3 + RTAS_MAX_CELLS], nargs, nret, args[RTAS_MAX_CELLS], rets[RTAS_MAX_CELLS];
	int32_t st;

	if (dmawin_mem_read(m->mem, gpa, cells, 3 * sizeof(uint32_t)) != 0)
		return -EFAULT;
	nargs = be32(cells[1]);
	nret = be32(cells[2]);
	if (nargs > RTAS_MAX_CELLS || nret > RTAS_MAX_CELLS || nargs + nret > RTAS_MAX_CELLS)
		return -EFAULT;
	if (dmawin_mem_read(m->mem, gpa, cells, (3 + nargs + nret) * sizeof(uint32_t)) != 0)
		return -EFAULT;
	for (uint32_t i = 0; i < nargs; i++)
		args[i] = be32(cells[3 + i]);
	memset(rets, 0, sizeof(rets));
	st = dmawin_papr_rtas(m, be32(cells[0]), nargs, args, nret, rets);
	for (uint32_t i = 0; i < nret; i++)
		cells[3 + nargs + i] = be32(rets[i]);
	if (nret && dmawin_mem_write(m->mem, gpa + (3 + nargs) * sizeof(uint32_t),
				     &cells[3 + nargs], nret * sizeof(uint32_t)) != 0)
		return -EFAULT;
	return st;
}
