/* SPDX-License-Identifier: MIT */
/* Scenarios: the top level, the machine and guest sections, loading and error messages. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

static const char *const top_keys[] = {"name",	"description", "seed",	  "machine",
				       "guest", "phbs",	       "devices", NULL};
static const char *const machine_keys[] = {
	"ram", "maxmem", "backing_page", "version", "strict_papr", "multitce", NULL};
static const char *const guest_keys[] = {"kernel",   "page_size", "disable_ddw",
					 "multitce", "allocator", "ddw_for_masks_above_32",
					 NULL};
static const char *const allocator_names[] = {"pool", "iova", NULL};

/* "pseries-X.Y" or "pseries" (the newest, 7.2), as -M takes it. */
static int parse_version(struct sim_parse *p, const char *text, struct dmawin_papr_config *cfg)
{
	unsigned major, minor;
	char tail;

	if (strcmp(text, "pseries") == 0)
		return 0;
	if (sscanf(text, "pseries-%u.%u%c", &major, &minor, &tail) != 2 || minor > 99 ||
	    major > 100 || dmawin_papr_config_set_compat(cfg, major * 100 + minor) < 0)
		return sim_fail(p, "$.machine.version",
				"'%s' is not a known machine (pseries-2.0 .. pseries-7.2)", text);
	return 0;
}

static bool is_backing_page(uint64_t v)
{
	static const unsigned shifts[] = {12, 16, 21, 24, 30, 34};

	for (size_t i = 0; i < SIM_ARRAY_SIZE(shifts); i++)
		if (v == UINT64_C(1) << shifts[i])
			return true;
	return false;
}

static int parse_machine(struct sim_parse *p, const json_t *m, struct dmawin_sim_scenario *sc)
{
	const char *path = "$.machine";
	char version[32] = "";
	int rc;

	if ((rc = sim_need_object(p, m, path)) || (rc = sim_check_keys(p, m, path, machine_keys)))
		return rc;
	if ((rc = sim_get_size(p, m, path, "ram", SIM_MIN_RAM, UINT64_C(1) << 50, true,
			       &sc->papr.ram_size)) ||
	    (rc = sim_get_size(p, m, path, "maxmem", 0, UINT64_C(1) << 50, false,
			       &sc->papr.maxmem)) ||
	    (rc = sim_get_size(p, m, path, "backing_page", 4096, UINT64_C(1) << 34, false,
			       &sc->backing_page_size)) ||
	    (rc = sim_get_string(p, m, path, "version", false, version, sizeof(version))) ||
	    (rc = sim_get_bool(p, m, path, "strict_papr", &sc->papr.strict_papr)) ||
	    (rc = sim_get_bool(p, m, path, "multitce", &sc->papr.multitce)))
		return rc;
	if (!is_backing_page(sc->backing_page_size))
		return sim_fail(p, "$.machine.backing_page",
				"%llu is not a backing page size (4K, 64K, 2M, 16M, 1G, 16G)",
				(unsigned long long)sc->backing_page_size);
	if (sc->papr.ram_size % sc->backing_page_size)
		return sim_fail(p, "$.machine.ram", "not a multiple of the backing page size");
	if (sc->papr.maxmem && sc->papr.maxmem < sc->papr.ram_size)
		return sim_fail(p, "$.machine.maxmem", "smaller than ram");
	if (!sc->papr.maxmem)
		sc->papr.maxmem = sc->papr.ram_size;
	return version[0] ? parse_version(p, version, &sc->papr) : 0;
}

/* "guest.kernel" and "guest.page_size": strings named as the guest layer names them. */
static int parse_guest_kernel(struct sim_parse *p, const json_t *g, struct dmawin_sim_scenario *sc)
{
	char text[16] = "";
	int rc;

	if ((rc = sim_get_string(p, g, "$.guest", "kernel", false, text, sizeof(text))))
		return rc;
	if (json_object_get(g, "kernel") &&
	    dmawin_guest_kernel_from_name(text, &sc->guest_kernel) < 0)
		return sim_fail(p, "$.guest.kernel", "'%s' is not a modelled kernel (6.1, 6.12)",
				text);
	if ((rc = sim_get_string(p, g, "$.guest", "page_size", false, text, sizeof(text))))
		return rc;
	if (json_object_get(g, "page_size") &&
	    dmawin_guest_page_shift_from_name(text, &sc->guest_page_shift) < 0)
		return sim_fail(p, "$.guest.page_size", "'%s' is not a kernel page size (4K, 64K)",
				text);
	return 0;
}

static int parse_guest(struct sim_parse *p, const json_t *g, struct dmawin_sim_scenario *sc)
{
	int rc, allocator = 0;

	if ((rc = sim_need_object(p, g, "$.guest")) ||
	    (rc = sim_check_keys(p, g, "$.guest", guest_keys)) ||
	    (rc = parse_guest_kernel(p, g, sc)) ||
	    (rc = sim_get_bool(p, g, "$.guest", "disable_ddw", &sc->disable_ddw)) ||
	    (rc = sim_get_bool(p, g, "$.guest", "multitce", &sc->guest_multitce)) ||
	    (rc = sim_get_bool(p, g, "$.guest", "ddw_for_masks_above_32",
			       &sc->ddw_for_masks_above_32)) ||
	    (rc = sim_get_enum(p, g, "$.guest", "allocator", allocator_names, &allocator)))
		return rc;
	sc->iova_allocator = allocator == 1;
	return 0;
}

static void scenario_init(struct dmawin_sim_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	dmawin_papr_config_init(&sc->papr);
	sc->papr.nr_phbs = 0;
	sc->backing_page_size = 64 << 10;
	sc->guest_multitce = true;
	sc->guest_kernel = DMAWIN_GUEST_KERNEL_NEWEST;
	sc->seed = 1;
}

static int parse_root(struct sim_parse *p, const json_t *root, struct dmawin_sim_scenario *sc)
{
	const json_t *v;
	int rc;

	if ((rc = sim_need_object(p, root, "$")) || (rc = sim_check_keys(p, root, "$", top_keys)) ||
	    (rc = sim_get_string(p, root, "$", "name", false, sc->name, sizeof(sc->name))) ||
	    (rc = sim_get_string(p, root, "$", "description", false, sc->description,
				 sizeof(sc->description))) ||
	    (rc = sim_get_uint(p, root, "$", "seed", 0, UINT64_MAX, false, &sc->seed)))
		return rc;
	if (!(v = json_object_get(root, "machine")))
		return sim_fail(p, "$.machine", "missing (required)");
	if ((rc = parse_machine(p, v, sc)))
		return rc;
	if ((v = json_object_get(root, "guest")) && (rc = parse_guest(p, v, sc)))
		return rc;
	if (!(v = json_object_get(root, "phbs")))
		return sim_fail(p, "$.phbs", "missing (required)");
	if ((rc = sim_parse_phbs(p, v, sc)))
		return rc;
	if (!(v = json_object_get(root, "devices")))
		return sim_fail(p, "$.devices", "missing (required)");
	if ((rc = sim_parse_devices(p, v, sc)))
		return rc;
	return sim_scenario_check(p, sc);
}

int dmawin_sim_scenario_parse(const char *text, size_t len, const char *file,
			      struct dmawin_sim_scenario *out, struct dmawin_sim_error *err)
{
	struct sim_parse p = {err, file ? file : "<scenario>"};
	struct dmawin_sim_scenario *sc;
	json_error_t jerr;
	json_t *root;
	int rc;

	if (!text || !out)
		return sim_fail(&p, "", "no scenario given");
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		sim_fail(&p, "", "%s", jerr.text);
		if (err) {
			err->line = jerr.line;
			err->column = jerr.column;
		}
		return -EINVAL;
	}
	sc = malloc(sizeof(*sc));
	if (!sc) {
		json_decref(root);
		sim_fail(&p, "", "out of memory");
		return -ENOMEM;
	}
	scenario_init(sc);
	rc = parse_root(&p, root, sc);
	json_decref(root);
	if (rc == 0) {
		if (!sc->name[0])
			snprintf(sc->name, sizeof(sc->name), "%s", "unnamed");
		*out = *sc;
	}
	free(sc);
	return rc;
}

int dmawin_sim_scenario_load(const char *path, struct dmawin_sim_scenario *out,
			     struct dmawin_sim_error *err)
{
	struct sim_parse p = {err, path ? path : "<null>"};
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc;

	if (!path)
		return sim_fail(&p, "", "no file name");
	f = fopen(path, "rb");
	if (!f) {
		rc = -errno;
		sim_fail(&p, "", "cannot open: %s", strerror(errno));
		return rc;
	}
	do {
		if (len + 4096 > cap) {
			char *bigger = realloc(text, cap = cap * 2 + 8192);

			if (!bigger) {
				free(text);
				fclose(f);
				sim_fail(&p, "", "out of memory");
				return -ENOMEM;
			}
			text = bigger;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc == 0)
		rc = dmawin_sim_scenario_parse(text, len, path, out, err);
	else
		sim_fail(&p, "", "read error");
	free(text);
	return rc;
}

const char *dmawin_sim_default_json(void)
{
	return sim_default_scenario_json;
}

int dmawin_sim_scenario_default(struct dmawin_sim_scenario *out)
{
	return dmawin_sim_scenario_parse(sim_default_scenario_json,
					 strlen(sim_default_scenario_json), "<default>", out, NULL);
}

int dmawin_sim_error_format(const struct dmawin_sim_error *err, char *buf, size_t len)
{
	char where[32] = "";

	if (err->line > 0)
		snprintf(where, sizeof(where), ":%d:%d", err->line, err->column);
	return snprintf(buf, len, "%s%s: %s%s%s", err->file, where, err->path,
			err->path[0] ? ": " : "", err->text);
}

const char *dmawin_sim_kind_name(enum dmawin_sim_kind kind)
{
	static const char *const names[] = {"nic", "nvme", "gpu", "vf", "ep"};

	if ((unsigned)kind >= SIM_ARRAY_SIZE(names))
		return "?";
	return names[kind];
}
