/* SPDX-License-Identifier: MIT */
/*
 * -object memory-backend-* and -device pc-dimm / nvdimm: cold-plugged DIMMs in the device
 * memory region, checked and placed as QEMU 7.2 does (spapr_memory_pre_plug(),
 * spapr_nvdimm_validate(), pc_dimm_pre_plug(), memory_device_get_free_addr()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "papr/qemu_int.h"

#define MIB (1ull << 20)

bool qemu_is_memory_device(const char *driver)
{
	return strcmp(driver, "pc-dimm") == 0 || strcmp(driver, "nvdimm") == 0;
}

int qemu_add_backend(struct qemu_parse *p, const char *type, char *props)
{
	struct qemu_backend be = {0};
	char *item, *value;
	bool have_size = false;

	if (strncmp(type, "memory-backend-", 15) != 0) {
		p->m.ignored_options++; /* rng, secret, iothread, tls-creds, ... */
		return 0;
	}
	while ((item = qemu_next_item(&props))) {
		value = qemu_split_kv(item);
		if (!value)
			continue;
		if (strcmp(item, "id") == 0) {
			snprintf(be.id, sizeof(be.id), "%s", value);
		} else if (strcmp(item, "size") == 0) {
			if (dmawin_papr_qemu_parse_size(value, 0, &be.size) || !be.size)
				return qemu_fail(p, -EINVAL, "-object %s: size '%s' is not a size",
						 type, value);
			have_size = true;
		}
	}
	if (!be.id[0])
		return qemu_fail(p, -EINVAL, "-object %s: id= is required", type);
	if (!have_size)
		return qemu_fail(p, -EINVAL, "-object %s,id=%s: size= is required", type, be.id);
	for (uint32_t i = 0; i < p->nr_backends; i++)
		if (strcmp(p->backends[i].id, be.id) == 0)
			return qemu_fail(p, -EINVAL, "-object %s: id '%s' is already used", type,
					 be.id);
	if (p->nr_backends >= QEMU_MAX_BACKENDS)
		return qemu_fail(p, -E2BIG, "-object: more than %d memory backends",
				 QEMU_MAX_BACKENDS);
	p->backends[p->nr_backends++] = be;
	return 0;
}

static struct qemu_backend *find_backend(struct qemu_parse *p, const char *id)
{
	for (uint32_t i = 0; i < p->nr_backends; i++)
		if (strcmp(p->backends[i].id, id) == 0)
			return &p->backends[i];
	return NULL;
}

struct dimm_request {
	const char *memdev;
	uint64_t addr; /* UINT64_MAX = QEMU's choice */
	uint64_t label_size;
};

static int dimm_props(struct qemu_parse *p, const char *driver, char *props,
		      struct dimm_request *rq)
{
	char *item, *value;

	while ((item = qemu_next_item(&props))) {
		value = qemu_split_kv(item);
		if (!value)
			continue;
		if (strcmp(item, "memdev") == 0) {
			rq->memdev = value;
		} else if (strcmp(item, "addr") == 0) {
			if (dmawin_papr_qemu_parse_size(value, 0, &rq->addr))
				return qemu_fail(p, -EINVAL,
						 "-device %s: addr '%s' is not a number", driver,
						 value);
		} else if (strcmp(item, "label-size") == 0) {
			if (dmawin_papr_qemu_parse_size(value, 0, &rq->label_size))
				return qemu_fail(p, -EINVAL,
						 "-device %s: label-size '%s' is not a size",
						 driver, value);
		}
	}
	return 0;
}

int qemu_add_dimm(struct qemu_parse *p, const char *driver, char *props)
{
	struct dimm_request rq = {.addr = UINT64_MAX};
	struct dmawin_papr_config *cfg = &p->m.papr;
	bool nvdimm = strcmp(driver, "nvdimm") == 0;
	struct qemu_backend *be;
	uint64_t size, at;
	char why[160];
	int ret;

	ret = dimm_props(p, driver, props, &rq);
	if (ret)
		return ret;
	if (!rq.memdev)
		return qemu_fail(p, -EINVAL, "-device %s: memdev= is required", driver);
	be = find_backend(p, rq.memdev);
	if (!be)
		return qemu_fail(p, -EINVAL,
				 "-device %s: memdev '%s' is not a -object "
				 "memory-backend-*",
				 driver, rq.memdev);
	if (be->used)
		return qemu_fail(p, -EINVAL, "-device %s: memdev '%s' is already in use", driver,
				 rq.memdev);
	size = be->size;
	if (nvdimm) {
		/* spapr_nvdimm_validate(): the label is required and not part of the region */
		if (cfg->compat < 501 || !p->nvdimm_enabled)
			return qemu_fail(p, -EINVAL, "-device nvdimm: NVDIMM %s on this machine",
					 cfg->compat < 501 ? "is not supported (pseries-5.1 and "
							     "later)"
							   : "is disabled (nvdimm=off)");
		if (rq.label_size == 0)
			return qemu_fail(p, -EINVAL,
					 "-device nvdimm: PAPR requires NVDIMM devices "
					 "to have label-size set");
		if (rq.label_size >= size || (size - rq.label_size) % (256 * MIB))
			return qemu_fail(p, -EINVAL,
					 "-device nvdimm: PAPR requires NVDIMM memory size "
					 "(excluding label) to be a multiple of 256MB");
		size -= rq.label_size;
	}
	if (!nvdimm && size % DMAWIN_PAPR_LMB_SIZE)
		return qemu_fail(p, -EINVAL,
				 "-device pc-dimm: Hotplugged memory size must be a multiple of "
				 "256 MB (memdev '%s' is 0x%llx bytes)",
				 rq.memdev, (unsigned long long)size);
	if (cfg->ram_slots == 0)
		return qemu_fail(
			p, -EINVAL,
			"-device %s: no slots were allocated; -m needs slots= and maxmem=", driver);
	if (cfg->nr_dimms >= DMAWIN_PAPR_MAX_DIMMS)
		return qemu_fail(p, -E2BIG, "-device %s: more than %d DIMMs", driver,
				 DMAWIN_PAPR_MAX_DIMMS);
	ret = dmawin_papr_dimm_place(cfg, size, rq.addr, &at, why, sizeof(why));
	if (ret)
		return qemu_fail(p, -EINVAL, "-device %s: %s", driver, why);
	be->used = true;
	cfg->dimms[cfg->nr_dimms++] =
		(struct dmawin_papr_dimm){.addr = at, .size = size, .nvdimm = nvdimm};
	return 0;
}
