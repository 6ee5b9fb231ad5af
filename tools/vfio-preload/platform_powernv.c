/* SPDX-License-Identifier: MIT */
/*
 * A PowerNV host: one pe-layer PHB per PHB of the scenario, with the geometry Linux's IODA2 code
 * gives a VFIO group (32-bit window of 2 GiB at 0: skiboot puts 32-bit MMIO at 2G..4G, so
 * tce32_size = m32_pci_base; slot 1 at 1 << 59, or 4 GiB on a PHB in the 4GB mode), and one PE
 * per function, each its own IOMMU group. The groups are the vfio layer's defaults (DDW, 2
 * windows, 5 levels, 4K|64K|16M|256M) with EEH available.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/pe.h"
#include "vp_platform.h"

#define POWERNV_M32_PCI_BASE (UINT64_C(2) << 30)

struct vp_platform {
	unsigned nr_phbs;
	struct dmawin_phb *phbs[DMAWIN_PAPR_MAX_PHBS];
	struct dmawin_pe **pes; /* by group */
};

static unsigned pes_on_phb(const struct vr_machine *m, unsigned pos)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->nr_functions; i++)
		n += m->functions[i].phb_pos == pos;
	return n;
}

int vp_platform_create(struct vp_host *h, struct vp_platform **out)
{
	const struct vr_machine *m = &h->m;
	struct vp_platform *p = calloc(1, sizeof(*p));
	unsigned next_pe[DMAWIN_PAPR_MAX_PHBS] = {0};
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->pes = calloc(m->nr_groups ? m->nr_groups : 1, sizeof(*p->pes));
	if (!p->pes)
		return -ENOMEM;
	p->nr_phbs = m->sc->papr.nr_phbs;
	for (unsigned i = 0; rc == 0 && i < p->nr_phbs; i++) {
		const struct dmawin_papr_phb_config *gp = &m->sc->papr.phbs[i];
		struct dmawin_phb_config pc;
		unsigned n = pes_on_phb(m, i);

		dmawin_pe_phb_config_init(&pc);
		pc.dma_win_addr = 0;
		pc.dma_win_size = POWERNV_M32_PCI_BASE;
		pc.dma64_win_addr = gp->dma64_win_addr;
		if (gp->dma64_win_addr == DMAWIN_PE_4GB)
			pc.placement = DMAWIN_PE_PLACEMENT_4GB;
		pc.max_pes = n ? n : 1;
		rc = dmawin_pe_phb_create(&pc, h->mem, &p->phbs[i]);
	}
	for (unsigned f = 0; rc == 0 && f < m->nr_functions; f++) {
		const struct vr_function *fn = &m->functions[f];

		rc = dmawin_pe_create(p->phbs[fn->phb_pos], next_pe[fn->phb_pos]++,
				      &p->pes[fn->group]);
	}
	*out = p;
	return rc;
}

int vp_platform_group(struct vp_platform *p, unsigned group, struct dmawin_pe **pe,
		      struct dmawin_vfio_group_config *cfg)
{
	*pe = p->pes[group];
	memset(cfg, 0, sizeof(*cfg));
	return *pe ? 0 : -ENODEV;
}

bool vp_platform_eeh(const struct vp_platform *p)
{
	(void)p;
	return true;
}

void vp_platform_report(const struct vp_platform *p, void *obj)
{
	(void)p;
	(void)obj;
}
