/* SPDX-License-Identifier: MIT */
/* Scenarios: the PHB and device arrays, workloads and the checks that span fields. */
#include <string.h>

#include "sim/sim_int.h"

static const char *const phb_keys[] = {
	"index",     "dma_win_addr", "dma_win_size", "dma64_win_addr", "pgsz",	 "ddw",
	"placement", "max_windows",  "tce_budget",   "numa_node",      "bypass", "ddw_limited_addr",
	NULL};
static const char *const device_keys[] = {"name", "kind",  "dma_mask", "phb",
					  "vfio", "count", "workload", NULL};
static const char *const workload_keys[] = {"pattern",	"direction", "buffers", "segments", "size",
					    "min_size", "max_size",  "ops",	NULL};
static const char *const placement_names[] = {"qemu", "slot", "4gb", NULL};
static const char *const kind_names[] = {"nic", "nvme", "gpu", "vf", "ep", NULL};
static const char *const pattern_names[] = {"ring", "sg", "random", NULL};
static const char *const dir_names[] = {"to_device", "from_device", "bidirectional", NULL};

#define MAX_BUFFER (UINT64_C(16) << 20)
#define MAX_OPS	   UINT64_C(100000000)

static int parse_phb(struct sim_parse *p, const json_t *o, const char *path,
		     struct dmawin_papr_phb_config *phb, bool *bypass)
{
	uint64_t index = 0, numa = 0, max_windows = 2;
	int placement = 0, rc;
	bool has_numa = json_object_get(o, "numa_node") != NULL;
	bool has_dma64 = json_object_get(o, "dma64_win_addr") != NULL;

	if ((rc = sim_need_object(p, o, path)) || (rc = sim_check_keys(p, o, path, phb_keys)) ||
	    (rc = sim_get_uint(p, o, path, "index", 0, DMAWIN_PAPR_MAX_PHBS - 1, true, &index)))
		return rc;
	dmawin_papr_phb_config_init(phb, (uint32_t)index);
	if ((rc = sim_get_uint(p, o, path, "dma_win_addr", 0, UINT64_MAX, false,
			       &phb->dma_win_addr)) ||
	    (rc = sim_get_size(p, o, path, "dma_win_size", 0, UINT64_C(1) << 32, false,
			       &phb->dma_win_size)) ||
	    (rc = sim_get_uint(p, o, path, "dma64_win_addr", 0, UINT64_MAX, false,
			       &phb->dma64_win_addr)) ||
	    (rc = sim_get_uint(p, o, path, "pgsz", 1, UINT64_MAX, false, &phb->pgsz)) ||
	    (rc = sim_get_bool(p, o, path, "ddw", &phb->ddw)) ||
	    (rc = sim_get_bool(p, o, path, "ddw_limited_addr", &phb->ddw_limited_addr)) ||
	    (rc = sim_get_enum(p, o, path, "placement", placement_names, &placement)) ||
	    (rc = sim_get_uint(p, o, path, "max_windows", 1, 2, false, &max_windows)) ||
	    (rc = sim_get_uint(p, o, path, "tce_budget", 0, UINT64_C(1) << 40, false,
			       &phb->tce_budget)) ||
	    (rc = sim_get_uint(p, o, path, "numa_node", 0, 255, false, &numa)) ||
	    (rc = sim_get_bool(p, o, path, "bypass", bypass)))
		return rc;
	phb->max_windows = (uint32_t)max_windows;
	if (has_numa)
		phb->numa_node = (int32_t)numa;
	if (placement == 2) { /* the 4GB mode is a dma64_win_addr value with QEMU placement */
		char at[SIM_PATH_MAX];

		sim_path(at, path, "dma64_win_addr", -1);
		if (has_dma64 && phb->dma64_win_addr != DMAWIN_PAPR_DMA64_WIN_ADDR_4GB)
			return sim_fail(p, at, "placement \"4gb\" needs 0x100000000, not 0x%llx",
					(unsigned long long)phb->dma64_win_addr);
		phb->dma64_win_addr = DMAWIN_PAPR_DMA64_WIN_ADDR_4GB;
	} else {
		phb->placement = placement == 1 ? DMAWIN_PAPR_PLACE_SLOT : DMAWIN_PAPR_PLACE_QEMU;
	}
	return 0;
}

int sim_parse_phbs(struct sim_parse *p, const json_t *arr, struct dmawin_sim_scenario *sc)
{
	char at[SIM_PATH_MAX];
	size_t i;
	json_t *o;
	int rc;

	if (!json_is_array(arr))
		return sim_fail(p, "$.phbs", "expected an array of PHB objects");
	if (json_array_size(arr) == 0 || json_array_size(arr) > DMAWIN_PAPR_MAX_PHBS)
		return sim_fail(p, "$.phbs", "needs 1..%d PHBs, has %zu", DMAWIN_PAPR_MAX_PHBS,
				json_array_size(arr));
	json_array_foreach(arr, i, o)
	{
		sim_path(at, "$.phbs", NULL, (int)i);
		rc = parse_phb(p, o, at, &sc->papr.phbs[i], &sc->phb_bypass[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (sc->papr.phbs[j].index == sc->papr.phbs[i].index) {
				char key[SIM_PATH_MAX];

				sim_path(key, at, "index", -1);
				return sim_fail(p, key, "index %u is already used by $.phbs[%zu]",
						sc->papr.phbs[i].index, j);
			}
	}
	sc->papr.nr_phbs = (uint32_t)json_array_size(arr);
	return 0;
}

void sim_workload_defaults(enum dmawin_sim_kind kind, struct dmawin_sim_workload *w)
{
	memset(w, 0, sizeof(*w));
	w->direction = DMAWIN_SIM_BIDIRECTIONAL;
	w->buffers = 64;
	w->segments = 4;
	w->size = 4096;
	w->min_size = 4096;
	w->max_size = 1 << 20;
	w->ops = 1000;
	switch (kind) {
	case DMAWIN_SIM_NIC:
		w->pattern = DMAWIN_SIM_RING;
		w->size = 2048;
		break;
	case DMAWIN_SIM_NVME:
	case DMAWIN_SIM_VF:
	case DMAWIN_SIM_EP:
		w->pattern = DMAWIN_SIM_SG;
		break;
	case DMAWIN_SIM_GPU:
		w->pattern = DMAWIN_SIM_RANDOM;
		w->direction = DMAWIN_SIM_TO_DEVICE;
		break;
	}
}

static int parse_workload(struct sim_parse *p, const json_t *o, const char *path,
			  struct dmawin_sim_workload *w)
{
	uint64_t buffers = w->buffers, segments = w->segments;
	int pattern = (int)w->pattern, dir = (int)w->direction - 1, rc;

	if ((rc = sim_need_object(p, o, path)) ||
	    (rc = sim_check_keys(p, o, path, workload_keys)) ||
	    (rc = sim_get_enum(p, o, path, "pattern", pattern_names, &pattern)) ||
	    (rc = sim_get_enum(p, o, path, "direction", dir_names, &dir)) ||
	    (rc = sim_get_uint(p, o, path, "buffers", 1, 4096, false, &buffers)) ||
	    (rc = sim_get_uint(p, o, path, "segments", 1, 64, false, &segments)) ||
	    (rc = sim_get_size(p, o, path, "size", 1, MAX_BUFFER, false, &w->size)) ||
	    (rc = sim_get_size(p, o, path, "min_size", 1, MAX_BUFFER, false, &w->min_size)) ||
	    (rc = sim_get_size(p, o, path, "max_size", 1, MAX_BUFFER, false, &w->max_size)) ||
	    (rc = sim_get_uint(p, o, path, "ops", 1, MAX_OPS, false, &w->ops)))
		return rc;
	w->pattern = (enum dmawin_sim_pattern)pattern;
	w->direction = (enum dmawin_sim_dir)(dir + 1);
	w->buffers = (uint32_t)buffers;
	w->segments = (uint32_t)segments;
	if (w->min_size > w->max_size) {
		char at[SIM_PATH_MAX];

		sim_path(at, path, "min_size", -1);
		return sim_fail(p, at, "larger than max_size");
	}
	return 0;
}

static int phb_position(const struct dmawin_sim_scenario *sc, uint64_t index)
{
	for (uint32_t i = 0; i < sc->papr.nr_phbs; i++)
		if (sc->papr.phbs[i].index == index)
			return (int)i;
	return -1;
}

static int parse_device(struct sim_parse *p, const json_t *o, const char *path,
			struct dmawin_sim_scenario *sc, uint64_t *count,
			struct dmawin_sim_device *d)
{
	uint64_t mask = 64, phb = 0;
	int kind = 0, rc;
	char at[SIM_PATH_MAX];
	const json_t *w;

	memset(d, 0, sizeof(*d));
	if ((rc = sim_need_object(p, o, path)) || (rc = sim_check_keys(p, o, path, device_keys)) ||
	    (rc = sim_get_string(p, o, path, "name", true, d->name, sizeof(d->name) - 4)) ||
	    (rc = sim_get_enum(p, o, path, "kind", kind_names, &kind)) ||
	    (rc = sim_get_uint(p, o, path, "dma_mask", 32, 64, false, &mask)) ||
	    (rc = sim_get_uint(p, o, path, "phb", 0, DMAWIN_PAPR_MAX_PHBS - 1, false, &phb)) ||
	    (rc = sim_get_bool(p, o, path, "vfio", &d->vfio)) ||
	    (rc = sim_get_uint(p, o, path, "count", 1, DMAWIN_SIM_MAX_DEVICES, false, count)))
		return rc;
	if (!d->name[0]) {
		sim_path(at, path, "name", -1);
		return sim_fail(p, at, "empty name");
	}
	if (!json_object_get(o, "kind")) {
		sim_path(at, path, "kind", -1);
		return sim_fail(p, at, "missing (required): nic, nvme, gpu or vf");
	}
	d->kind = (enum dmawin_sim_kind)kind;
	if (d->kind == DMAWIN_SIM_EP && d->vfio) {
		sim_path(at, path, "vfio", -1);
		return sim_fail(p, at,
				"an endpoint (kind ep) has its own IOMMU, it is not passed "
				"through");
	}
	d->dma_mask_bits = (unsigned)mask;
	d->phb_index = (uint32_t)phb;
	if (phb_position(sc, phb) < 0) {
		sim_path(at, path, "phb", -1);
		return sim_fail(p, at, "no PHB with index %llu in $.phbs", (unsigned long long)phb);
	}
	sim_workload_defaults(d->kind, &d->workload);
	sim_path(at, path, "workload", -1);
	if ((w = json_object_get(o, "workload")) && (rc = parse_workload(p, w, at, &d->workload)))
		return rc;
	return 0;
}

static int add_devices(struct sim_parse *p, const char *path, struct dmawin_sim_scenario *sc,
		       const struct dmawin_sim_device *d, uint64_t count)
{
	char at[SIM_PATH_MAX];

	sim_path(at, path, "count", -1);
	if (sc->nr_devices + count > DMAWIN_SIM_MAX_DEVICES)
		return sim_fail(p, count > 1 ? at : path, "more than %d devices in the scenario",
				DMAWIN_SIM_MAX_DEVICES);
	for (uint64_t k = 0; k < count; k++) {
		struct dmawin_sim_device *slot = &sc->devices[sc->nr_devices];

		*slot = *d;
		if (count > 1)
			snprintf(slot->name, sizeof(slot->name), "%.*s%u", DMAWIN_SIM_NAME_MAX - 4,
				 d->name, (unsigned)k);
		for (uint32_t j = 0; j < sc->nr_devices; j++)
			if (strcmp(sc->devices[j].name, slot->name) == 0) {
				sim_path(at, path, "name", -1);
				return sim_fail(p, at, "device name '%s' is used twice",
						slot->name);
			}
		sc->nr_devices++;
	}
	return 0;
}

int sim_parse_devices(struct sim_parse *p, const json_t *arr, struct dmawin_sim_scenario *sc)
{
	struct dmawin_sim_device d;
	char at[SIM_PATH_MAX];
	size_t i;
	json_t *o;
	int rc;

	if (!json_is_array(arr))
		return sim_fail(p, "$.devices", "expected an array of device objects");
	json_array_foreach(arr, i, o)
	{
		uint64_t count = 1;

		sim_path(at, "$.devices", NULL, (int)i);
		if ((rc = parse_device(p, o, at, sc, &count, &d)) ||
		    (rc = add_devices(p, at, sc, &d, count)))
			return rc;
	}
	return 0;
}

/* The parser's per-field rules again, for scenarios built in C rather than read from JSON. */
static int check_device(struct sim_parse *p, const struct dmawin_sim_scenario *sc, uint32_t i)
{
	const struct dmawin_sim_device *d = &sc->devices[i];
	const struct dmawin_sim_workload *w = &d->workload;
	char at[SIM_PATH_MAX];

	sim_path(at, "$.devices", NULL, (int)i);
	if (!memchr(d->name, 0, sizeof(d->name)) || !d->name[0])
		return sim_fail(p, at, "bad name");
	for (uint32_t j = 0; j < i; j++)
		if (strcmp(sc->devices[j].name, d->name) == 0)
			return sim_fail(p, at, "device name '%s' is used twice", d->name);
	if ((unsigned)d->kind > DMAWIN_SIM_EP || d->dma_mask_bits < 32 || d->dma_mask_bits > 64 ||
	    phb_position(sc, d->phb_index) < 0 || (d->kind == DMAWIN_SIM_EP && d->vfio))
		return sim_fail(p, at, "bad kind, DMA mask, PHB or vfio flag");
	if ((unsigned)w->pattern > DMAWIN_SIM_RANDOM || w->direction < DMAWIN_SIM_TO_DEVICE ||
	    w->direction > DMAWIN_SIM_BIDIRECTIONAL || w->buffers < 1 || w->buffers > 4096 ||
	    w->segments < 1 || w->segments > 64 || w->size < 1 || w->size > MAX_BUFFER ||
	    w->min_size < 1 || w->min_size > w->max_size || w->max_size > MAX_BUFFER ||
	    w->ops < 1 || w->ops > MAX_OPS)
		return sim_fail(p, at, "bad workload");
	return 0;
}

int sim_scenario_check(struct sim_parse *p, const struct dmawin_sim_scenario *sc)
{
	char why[DMAWIN_SIM_TEXT_MAX];
	int rc;

	if (dmawin_papr_config_check(&sc->papr, why, sizeof(why)) < 0)
		return sim_fail(p, "$.phbs", "invalid machine: %s", why);
	if (sc->papr.ram_size < SIM_MIN_RAM)
		return sim_fail(p, "$.machine.ram", "a run needs at least 256 MiB of RAM");
	if (!sc->backing_page_size || (sc->backing_page_size & (sc->backing_page_size - 1)) ||
	    sc->papr.ram_size % sc->backing_page_size)
		return sim_fail(p, "$.machine.backing_page", "not a power of two dividing ram");
	if (sc->nr_devices > DMAWIN_SIM_MAX_DEVICES)
		return sim_fail(p, "$.devices", "more than %d devices", DMAWIN_SIM_MAX_DEVICES);
	for (uint32_t i = 0; i < sc->nr_devices; i++)
		if ((rc = check_device(p, sc, i)))
			return rc;
	for (uint32_t i = 0; i < sc->nr_devices; i++) {
		const struct dmawin_sim_workload *w = &sc->devices[i].workload;
		uint64_t footprint = w->pattern == DMAWIN_SIM_RING ? w->size * w->buffers
				     : w->pattern == DMAWIN_SIM_SG ? w->size * w->segments
								   : w->max_size;

		/* Every device's buffers live in RAM at once; keep them within a quarter of it. */
		if (footprint > sc->papr.ram_size / 4 / (sc->nr_devices ? sc->nr_devices : 1))
			return sim_fail(
				p, "$.devices",
				"the workload of '%s' needs %llu bytes of buffers, more than "
				"its share of RAM",
				sc->devices[i].name, (unsigned long long)footprint);
	}
	return 0;
}
