/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: random sequences of container requests with random structs (argsz, flags, addresses,
 * sizes), group attach/detach and closing, on a host with one PHB of three PEs. After every step
 * the container's whole-structure check passes and locked memory stays within its limit; after
 * close every byte of locked memory has been given back.
 */
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dmawin/mem.h"
#include "dmawin/pe.h"
#include "dmawin/vfio.h"
#include "fuzz_input.h"
#include "vfio/vfio_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM (32ull << 20)
#define PES 3
#define LOCK_LIMIT (8ull << 20)

struct host {
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe[PES];
	struct dmawin_vfio_mm *mm;
	struct dmawin_vfio_container *c;
	uint8_t *ram;
};

static uint8_t *ram_area;

static void host_init(struct host *h)
{
	struct dmawin_mem_config mc = {.lock_limit = LOCK_LIMIT};
	struct dmawin_mem_region_opts ro = {0};
	struct dmawin_phb_config pc;

	if (!ram_area) {
		uint8_t *raw = mmap(NULL, RAM + (16ull << 20), PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (raw == MAP_FAILED)
			abort();
		ram_area = (uint8_t *)(((uintptr_t)raw + (16u << 20) - 1) & ~(uintptr_t)((16u << 20) - 1));
	}
	memset(h, 0, sizeof(*h));
	h->ram = ram_area;
	ro.host = h->ram;
	dmawin_pe_phb_config_init(&pc);
	pc.max_pes = PES;
	if (dmawin_mem_create(&mc, &h->mem) || dmawin_mem_add_region(h->mem, 0, RAM, &ro) ||
	    dmawin_pe_phb_create(&pc, h->mem, &h->phb))
		abort();
	for (uint32_t i = 0; i < PES; i++)
		if (dmawin_pe_create(h->phb, i, &h->pe[i]))
			abort();
	if (dmawin_vfio_mm_create(h->mem, 16, &h->mm) || dmawin_vfio_create(h->mm, NULL, &h->c))
		abort();
}

static const uint64_t sizes[] = {0, 0x1000, 0x10000, 0x20000, 0x1000000, 0x40000000, 1ull << 59,
				 RAM, RAM / 2, 0x10000 * 513};

static unsigned long request_for(uint8_t sel)
{
	static const unsigned long req[] = {
		VFIO_CHECK_EXTENSION,	       VFIO_SET_IOMMU,
		VFIO_IOMMU_SPAPR_TCE_GET_INFO, VFIO_IOMMU_MAP_DMA,
		VFIO_IOMMU_UNMAP_DMA,	       VFIO_IOMMU_ENABLE,
		VFIO_IOMMU_DISABLE,	       VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
		VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, VFIO_IOMMU_SPAPR_TCE_CREATE,
		VFIO_IOMMU_SPAPR_TCE_REMOVE,   VFIO_EEH_PE_OP,
	};
	return req[sel % (sizeof(req) / sizeof(req[0]))];
}

/* Fills a request struct: mostly well-formed fields from the input, sometimes raw bytes. */
static void fill_struct(struct host *h, struct fuzz_input *in, unsigned long request, void *buf)
{
	uint64_t ua = (uint64_t)(uintptr_t)h->ram + (fuzz_take(in, 2) % (RAM >> 16)) * 0x10000;

	memset(buf, 0, 256);
	if (fuzz_u8(in) < 32) { /* raw struct */
		for (unsigned i = 0; i < 64; i++)
			((uint8_t *)buf)[i] = fuzz_u8(in);
		return;
	}
	switch (request) {
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *m = buf;

		*m = (struct vfio_iommu_type1_dma_map){.argsz = sizeof(*m), .flags = fuzz_u8(in) % 5,
			.vaddr = ua, .iova = fuzz_u64(in, sizes, 10), .size = fuzz_u64(in, sizes, 10)};
		break;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = buf;

		u->argsz = sizeof(*u);
		u->iova = fuzz_u64(in, sizes, 10);
		u->size = fuzz_u64(in, sizes, 10);
		break;
	}
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY: {
		struct vfio_iommu_spapr_register_memory *r = buf;

		*r = (struct vfio_iommu_spapr_register_memory){.argsz = sizeof(*r), .vaddr = ua,
			.size = fuzz_u64(in, sizes, 10)};
		break;
	}
	case VFIO_IOMMU_SPAPR_TCE_CREATE: {
		struct vfio_iommu_spapr_tce_create *c = buf;

		c->argsz = sizeof(*c);
		c->page_shift = fuzz_u8(in) % 40;
		c->window_size = fuzz_u64(in, sizes, 10);
		c->levels = fuzz_u8(in) % 7;
		break;
	}
	case VFIO_IOMMU_SPAPR_TCE_REMOVE: {
		struct vfio_iommu_spapr_tce_remove *r = buf;

		r->argsz = sizeof(*r);
		r->start_addr = fuzz_u64(in, sizes, 10);
		break;
	}
	default: {
		uint32_t *w = buf;

		w[0] = 128; /* argsz large enough for GET_INFO and EEH_PE_OP */
		w[1] = fuzz_u8(in) % 4;
		w[2] = fuzz_u8(in) % 12;
		break;
	}
	}
}

static void step(struct host *h, struct fuzz_input *in)
{
	static uint64_t buf[32];
	uint8_t op = fuzz_u8(in);
	unsigned long request;

	if (op < 24) {
		struct dmawin_pe *pe = h->pe[fuzz_u8(in) % PES];

		if (op % 2)
			dmawin_vfio_attach_group(h->c, pe);
		else
			dmawin_vfio_detach_group(h->c, pe);
		return;
	}
	request = request_for(fuzz_u8(in));
	if (request == VFIO_CHECK_EXTENSION || request == VFIO_SET_IOMMU) {
		dmawin_vfio_ioctl(h->c, request, fuzz_u8(in) % 10);
		return;
	}
	fill_struct(h, in, request, buf);
	dmawin_vfio_ioctl(h->c, request, (unsigned long)buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {.data = data, .size = size};
	struct host h;

	host_init(&h);
	for (unsigned steps = 0; fuzz_more(&in) && steps < 48; steps++) {
		step(&h, &in);
		if (vfio_check(h.c) != 0 || dmawin_mem_locked_bytes(h.mem) > LOCK_LIMIT)
			abort();
	}
	dmawin_vfio_destroy(h.c);
	if (dmawin_vfio_mm_destroy(h.mm) != 0 || dmawin_mem_locked_bytes(h.mem) != 0)
		abort();
	dmawin_pe_phb_destroy(h.phb);
	dmawin_mem_destroy(h.mem);
	return 0;
}
