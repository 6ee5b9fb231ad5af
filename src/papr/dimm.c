/* SPDX-License-Identifier: MIT */
/*
 * The memory hotplug area as QEMU 7.2's spapr machine lays it out: the device memory region
 * (spapr_machine_init()), ibm,lrdr-capacity (spapr_dt_rtas()), where a DIMM goes
 * (memory_device_get_free_addr(), spapr_memory_pre_plug()), and hot-adding one.
 */
#include <errno.h>
#include <string.h>

#include "papr/papr_int.h"

int dmawin_papr_device_memory(const struct dmawin_papr_config *cfg, uint64_t *base, uint64_t *size)
{
	if (!cfg || cfg->maxmem <= cfg->ram_size)
		return -ENOENT;
	if (base)
		*base = DW_ALIGN_UP(cfg->ram_size, DMAWIN_PAPR_DEVICE_MEM_ALIGN);
	if (size)
		*size = cfg->maxmem - cfg->ram_size;
	return 0;
}

uint64_t dmawin_papr_lrdr_capacity(const struct dmawin_papr_config *cfg)
{
	uint64_t base, size;

	/* QEMU 7.2 always has a (possibly empty) device_memory at 0: no region means 0 */
	if (dmawin_papr_device_memory(cfg, &base, &size))
		return 0;
	return base + size;
}

static bool overlaps(const struct dmawin_papr_config *cfg, uint64_t addr, uint64_t size,
		     uint64_t *end_of_overlap)
{
	for (uint32_t i = 0; i < cfg->nr_dimms; i++) {
		const struct dmawin_papr_dimm *d = &cfg->dimms[i];

		if (addr < d->addr + d->size && d->addr < addr + size) {
			*end_of_overlap = d->addr + d->size;
			return true;
		}
	}
	return false;
}

int dmawin_papr_dimm_place(const struct dmawin_papr_config *cfg, uint64_t size, uint64_t hint,
			   uint64_t *addr, char *why, size_t len)
{
	uint64_t base, region, used = 0, at, next;

	if (!cfg || !addr)
		return -EINVAL;
	if (dmawin_papr_device_memory(cfg, &base, &region)) {
		papr_why(why, len, "no memory hotplug area (maxmem is not above the RAM size)");
		return -ENOENT;
	}
	if (size == 0 || size % DMAWIN_PAPR_LMB_SIZE) {
		papr_why(why, len,
			 "DIMM size 0x%llx is not a multiple of 256 MiB (QEMU: Hotplugged "
			 "memory size must be a multiple of 256 MB)",
			 (unsigned long long)size);
		return -EINVAL;
	}
	if (cfg->nr_dimms >= cfg->ram_slots || cfg->nr_dimms >= DMAWIN_PAPR_MAX_DIMMS) {
		papr_why(why, len, "no free DIMM slot (slots=%u)", cfg->ram_slots);
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < cfg->nr_dimms; i++)
		used += cfg->dimms[i].size;
	if (used + size > region) {
		papr_why(why, len,
			 "not enough space: 0x%llx of the 0x%llx bytes for memory devices "
			 "in use",
			 (unsigned long long)used, (unsigned long long)region);
		return -ENOSPC;
	}
	if (hint != UINT64_MAX) {
		if (hint % DMAWIN_PAPR_LMB_SIZE || hint < base || hint - base > region - size) {
			papr_why(why, len,
				 "DIMM address 0x%llx is not a 256 MiB-aligned place in "
				 "[0x%llx, 0x%llx)",
				 (unsigned long long)hint, (unsigned long long)base,
				 (unsigned long long)(base + region));
			return -EINVAL;
		}
		if (overlaps(cfg, hint, size, &next)) {
			papr_why(why, len, "DIMM address 0x%llx overlaps another DIMM",
				 (unsigned long long)hint);
			return -EINVAL;
		}
		*addr = hint;
		return 0;
	}
	/* first fit, in address order */
	for (at = base; at - base <= region - size;) {
		if (!overlaps(cfg, at, size, &next)) {
			*addr = at;
			return 0;
		}
		at = next;
		if (at - base > region)
			break;
	}
	papr_why(why, len, "no free range of 0x%llx bytes in the memory hotplug area",
		 (unsigned long long)size);
	return -ENOSPC;
}

int dmawin_papr_dimm_plug(struct dmawin_papr *m, uint64_t size, bool nvdimm, uint64_t hint,
			  uint64_t *addr)
{
	uint64_t at;
	int rc;

	if (!m || !addr)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	rc = m->own_mem ? dmawin_papr_dimm_place(&m->cfg, size, hint, &at, NULL, 0) : -EOPNOTSUPP;
	if (rc == 0 && !nvdimm)
		rc = dmawin_mem_add_region(m->mem, at, size, NULL);
	if (rc == 0) {
		m->cfg.dimms[m->cfg.nr_dimms++] =
			(struct dmawin_papr_dimm){.addr = at, .size = size, .nvdimm = nvdimm};
		*addr = at;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int papr_dimms_check(const struct dmawin_papr_config *cfg, char *why, size_t len)
{
	struct dmawin_papr_config upto = *cfg;
	uint64_t at;
	int rc;

	if (cfg->ram_slots > DMAWIN_PAPR_MAX_DIMMS || cfg->nr_dimms > cfg->ram_slots) {
		papr_why(why, len, "%u DIMMs for %u slots (at most %d)", cfg->nr_dimms,
			 cfg->ram_slots, DMAWIN_PAPR_MAX_DIMMS);
		return -EINVAL;
	}
	/* each DIMM must be one QEMU could have placed there, given the ones before it */
	for (uint32_t i = 0; i < cfg->nr_dimms; i++) {
		upto.nr_dimms = i;
		rc = dmawin_papr_dimm_place(&upto, cfg->dimms[i].size, cfg->dimms[i].addr, &at, why,
					    len);
		if (rc)
			return -EINVAL;
	}
	return 0;
}
