/* SPDX-License-Identifier: MIT */
/*
 * papr-over-vfio: a guest's H_PUT_TCE / DDW RTAS calls on an emulated PHB end up, through the
 * papr notifier and papr_backend.c, as mappings of a VFIO container whose host PE a device then
 * uses to move real bytes in and out of guest RAM.
 */
#include <sys/mman.h>

#include "dw_test.h"
#include "dmawin/pe.h"
#include "papr_backend.h"

#include <errno.h>
#include <linux/vfio.h>
#include <string.h>

#define RAM (256 * MiB)
#define DDW (UINT64_C(1) << 59)

struct vm {
	void *raw;
	uint8_t *ram;
	struct dmawin_mem *mem;
	struct dmawin_papr *m;
	struct dmawin_phb *host_phb;
	struct dmawin_pe *host_pe;
	struct dmawin_pe_dev *dev;
	struct dmawin_vfio_mm *mm;
	struct dmawin_vfio_container *c;
	struct papr_vfio_backend b;
};

static void vm_init(struct vm *v)
{
	struct dmawin_mem_region_opts ro = {0};
	struct dmawin_papr_config cfg;
	char why[128];

	memset(v, 0, sizeof(*v));
	v->raw = mmap(NULL, RAM + 16 * MiB, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(v->raw != MAP_FAILED);
	v->ram = (uint8_t *)(uintptr_t)(((uintptr_t)v->raw + 16 * MiB - 1) & ~(16 * MiB - 1));
	ro.host = v->ram;
	assert_int_equal(dmawin_mem_create(NULL, &v->mem), 0);
	assert_int_equal(dmawin_mem_set_lock_limit(v->mem, 4 * GiB), 0);
	assert_int_equal(dmawin_mem_add_region(v->mem, 0, RAM, &ro), 0);
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = RAM;
	cfg.mem = v->mem;
	assert_int_equal(dmawin_papr_create(&cfg, &v->m, why, sizeof(why)), 0);
	/* the host side: the real PHB/PE of the assigned device, DMA into the same memory */
	assert_int_equal(dmawin_pe_phb_create(NULL, v->mem, &v->host_phb), 0);
	assert_int_equal(dmawin_pe_create(v->host_phb, 0, &v->host_pe), 0);
	assert_int_equal(dmawin_pe_dev_create(v->host_pe, NULL, &v->dev), 0);
	assert_int_equal(dmawin_vfio_mm_create(v->mem, 16, &v->mm), 0);
	assert_int_equal(dmawin_vfio_create(v->mm, NULL, &v->c), 0);
	assert_int_equal(dmawin_vfio_attach_group(v->c, v->host_pe), 0);
	assert_int_equal(dmawin_vfio_ioctl(v->c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	assert_int_equal(papr_vfio_backend_init(&v->b, v->m, 0, v->c), 0);
	assert_int_equal(v->b.windows, 1); /* the guest's default window, mirrored at 0 */
}

static void vm_fini(struct vm *v)
{
	papr_vfio_backend_fini(&v->b);
	dmawin_pe_dev_destroy(v->dev);
	dmawin_vfio_destroy(v->c);
	assert_int_equal(dmawin_vfio_mm_destroy(v->mm), 0);
	dmawin_pe_phb_destroy(v->host_phb);
	dmawin_papr_destroy(v->m);
	assert_int_equal(dmawin_mem_locked_bytes(v->mem), 0);
	dmawin_mem_destroy(v->mem);
	munmap(v->raw, RAM + 16 * MiB);
}

static void test_papr_backend_h_put_tce_moves_bytes(void **state)
{
	const uint32_t liobn = DMAWIN_PAPR_LIOBN(0, 0);
	char out[6];
	struct vm v;

	(void)state;
	vm_init(&v);
	/* the guest maps its page 0x200000 read/write at ioba 0x10000 */
	assert_int_equal(dmawin_papr_h_put_tce(v.m, liobn, 0x10000, 0x200000 | 3), 0);
	assert_int_equal(v.b.last_error, 0);
	assert_int_equal(v.b.maps, 1);
	/* the assigned device writes through the host IOMMU into guest RAM */
	assert_int_equal(dmawin_pe_dma_write(v.dev, 0x10008, "hello", 6, NULL), 0);
	assert_memory_equal(v.ram + 0x200008, "hello", 6);
	assert_int_equal(dmawin_mem_read(v.mem, 0x200008, out, 6), 0);
	assert_memory_equal(out, "hello", 6);
	memcpy(v.ram + 0x200100, "guest", 6);
	assert_int_equal(dmawin_pe_dma_read(v.dev, 0x10100, out, 6, NULL), 0);
	assert_memory_equal(out, "guest", 6);
	/* a read-only TCE: the device may read but not write */
	assert_int_equal(dmawin_papr_h_put_tce(v.m, liobn, 0x10000, 0x200000 | 1), 0);
	assert_int_equal(dmawin_pe_dma_write(v.dev, 0x10008, "x", 1, NULL), -EFAULT);
	/* the guest unmaps: H_PUT_TCE(0) -> UNMAP_DMA -> the device faults */
	assert_int_equal(dmawin_papr_h_put_tce(v.m, liobn, 0x10000, 0), 0);
	assert_int_equal(v.b.unmaps, 1);
	assert_int_equal(dmawin_pe_dma_read(v.dev, 0x10100, out, 6, NULL), -EFAULT);
	assert_int_equal(v.b.last_error, 0);
	vm_fini(&v);
}

static void test_papr_backend_ddw_create_map_remove(void **state)
{
	const uint64_t buid = DMAWIN_PAPR_BUID(0);
	uint32_t liobn = 0;
	uint64_t start = 0;
	char out[8];
	struct vm v;

	(void)state;
	vm_init(&v);
	/* the guest creates a 1 GiB DDW of 64K pages: the host window follows at 1 << 59 */
	assert_int_equal(dmawin_papr_rtas_create_pe_dma_window(v.m, 0, (uint32_t)(buid >> 32),
							       (uint32_t)buid, 16, 30, &liobn,
							       &start),
			 0);
	assert_int_equal(start, DDW);
	assert_int_equal(v.b.last_error, 0);
	assert_int_equal(v.b.windows, 2);
	/* H_STUFF_TCE maps 4 pages of the DDW to the same guest page (a device ring) */
	assert_int_equal(dmawin_papr_h_stuff_tce(v.m, liobn, DDW + 0x40000, 0x1230000 | 3, 4), 0);
	assert_int_equal(v.b.maps, 4);
	memcpy(v.ram + 0x1230010, "ddw-data", 8);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(
			dmawin_pe_dma_read(v.dev, DDW + 0x40000 + i * 0x10000 + 0x10, out, 8, NULL),
			0);
		assert_memory_equal(out, "ddw-data", 8);
	}
	/* the guest removes the DDW: the host window goes, the device faults there */
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(v.m, liobn), 0);
	assert_int_equal(v.b.last_error, 0);
	assert_int_equal(dmawin_pe_dma_read(v.dev, DDW + 0x40010, out, 8, NULL), -EFAULT);
	vm_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_papr_backend_h_put_tce_moves_bytes),
		cmocka_unit_test(test_papr_backend_ddw_create_map_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
