/* SPDX-License-Identifier: MIT */
/*
 * Embedding dmawin in a device model: a pseries machine with QEMU's defaults, the guest maps one
 * page for its NIC with H_PUT_TCE, and the device model's DMA engine writes a packet through the
 * IOMMU into guest RAM, where the guest then reads it. Built and run against the installed
 * library by `make test` (tests/install).
 *
 *   cc embed_dma.c $(pkg-config --cflags --libs dmawin) -o embed_dma
 */
#include <stdio.h>
#include <string.h>

#include <dmawin/papr.h>
#include <dmawin/pe.h>

int main(void)
{
	static const char packet[] = "hello through the TCE table";
	const uint64_t buffer_gpa = 0x200000, ioba = 0x1000;
	struct dmawin_papr_config cfg;
	struct dmawin_papr *machine;
	struct dmawin_pe_dev *nic;
	char received[sizeof(packet)] = "";
	char why[128];
	int64_t rc;

	dmawin_papr_config_init(&cfg); /* -M pseries: 512 MiB, one PHB, 1 GiB default window */
	if (dmawin_papr_create(&cfg, &machine, why, sizeof(why))) {
		fprintf(stderr, "machine: %s\n", why);
		return 1;
	}
	/* The guest: map its receive buffer, device may write (bit 1) and read (bit 0). */
	rc = dmawin_papr_h_put_tce(machine, DMAWIN_PAPR_LIOBN(0, 0), ioba, buffer_gpa | 3);
	if (rc != DMAWIN_PAPR_H_SUCCESS) {
		fprintf(stderr, "H_PUT_TCE: %lld\n", (long long)rc);
		return 1;
	}
	/* The device model: its DMA engine on the PHB's PE writes at the bus address. */
	if (dmawin_pe_dev_create(dmawin_papr_phb_pe(machine, 0), NULL, &nic) ||
	    dmawin_pe_dma_write(nic, ioba, packet, sizeof(packet), NULL)) {
		fprintf(stderr, "device DMA failed\n");
		return 1;
	}
	/* The guest reads its buffer: the bytes really are in guest RAM. */
	dmawin_mem_read(dmawin_papr_mem(machine), buffer_gpa, received, sizeof(received));
	printf("guest received: %s\n", received);
	/* Unmapped again, the same DMA faults. */
	dmawin_papr_h_put_tce(machine, DMAWIN_PAPR_LIOBN(0, 0), ioba, 0);
	printf("after unmap, DMA returns %d\n", dmawin_pe_dma_write(nic, ioba, packet, 4, NULL));
	dmawin_pe_dev_destroy(nic);
	dmawin_papr_destroy(machine);
	return strcmp(received, packet) != 0;
}
