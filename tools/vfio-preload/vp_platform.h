/* SPDX-License-Identifier: MIT */
/*
 * The platform under the container: where the groups' PEs come from and what the platform
 * reports about them (Linux's iommu_table_group). platform_powernv.c: a PowerNV host, IODA2
 * PEs on pe-layer PHBs. A pseries guest (Linux 6.12's pseries IOMMU ops over the papr machine)
 * is the other platform.
 */
#ifndef DMAWIN_VP_PLATFORM_H
#define DMAWIN_VP_PLATFORM_H

#include "vp_int.h"

struct vp_platform;

/* Builds the platform of @h's machine: 0 or a negative errno. */
int vp_platform_create(struct vp_host *h, struct vp_platform **out);
/* The PE and platform description of IOMMU group @group. */
int vp_platform_group(struct vp_platform *p, unsigned group, struct dmawin_pe **pe,
		      struct dmawin_vfio_group_config *cfg);
/* eeh_enabled() of that kernel. */
bool vp_platform_eeh(const struct vp_platform *p);
/* Adds the platform's part of the report (PHBs, hcall counts) to @obj (a json_t *). */
void vp_platform_report(const struct vp_platform *p, void *obj);

#endif
