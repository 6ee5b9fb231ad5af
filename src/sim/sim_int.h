/* SPDX-License-Identifier: MIT */
/* sim layer internals: the JSON reading helpers, the embedded default, shared output helpers. */
#ifndef DMAWIN_SIM_INT_H
#define DMAWIN_SIM_INT_H

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "dmawin/papr.h"
#include "dmawin/sim.h"

#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SIM_PATH_MAX	  128
#define SIM_MIN_RAM	  (UINT64_C(256) << 20) /* buffers above 64 MiB, the guest's kmem at the top */

/* Reading one scenario: where errors go and the file name they carry. */
struct sim_parse {
	struct dmawin_sim_error *err;
	const char *file;
};

/* ---- json_read.c: typed getters that name the JSON path of what they refuse ---------------- */

int sim_fail(struct sim_parse *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "$.a" + "b" -> "$.a.b"; index >= 0 appends "[index]" instead. */
void sim_path(char *out, const char *base, const char *key, int index);
int sim_check_keys(struct sim_parse *p, const json_t *obj, const char *path,
		   const char *const *allowed);
int sim_need_object(struct sim_parse *p, const json_t *v, const char *path);
/* Getters: a missing key leaves *out unchanged unless `required`; return 0 or -EINVAL. */
int sim_get_uint(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 uint64_t min, uint64_t max, bool required, uint64_t *out);
int sim_get_size(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 uint64_t min, uint64_t max, bool required, uint64_t *out);
int sim_get_bool(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 bool *out);
int sim_get_string(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		   bool required, char *buf, size_t len);
int sim_get_enum(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 const char *const *names, int *out);

/* ---- scenario_phb.c / scenario_dev.c ------------------------------------------------------ */

int sim_parse_phbs(struct sim_parse *p, const json_t *arr, struct dmawin_sim_scenario *sc);
int sim_parse_devices(struct sim_parse *p, const json_t *arr, struct dmawin_sim_scenario *sc);
void sim_workload_defaults(enum dmawin_sim_kind kind, struct dmawin_sim_workload *w);
/* Cross-field checks shared by the JSON and QEMU command-line paths. */
int sim_scenario_check(struct sim_parse *p, const struct dmawin_sim_scenario *sc);

/* ---- plan_target.c ----------------------------------------------------------------------- */

/* Fill d->reason from the options, current and recommended choices. */
void sim_plan_reason(const struct dmawin_sim_scenario *sc, struct dmawin_sim_plan_device *d);

/* ---- default_scenario.c (generated from scenarios/default.json) ---------------------------- */

extern const char sim_default_scenario_json[];

/* ---- out_util.c -------------------------------------------------------------------------- */

/* "64 GiB", "16 MiB", "4 KiB", "1536 B": exact binary units where they divide. */
const char *sim_fmt_size(uint64_t bytes, char *buf, size_t len);
const char *sim_dir_name(enum dmawin_sim_dir dir);
const char *sim_pattern_name(enum dmawin_sim_pattern pattern);
/* json_dumpf() with stable key order and a final newline; frees @root. */
int sim_json_emit(json_t *root, FILE *f);

#endif
