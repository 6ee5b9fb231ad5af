/* SPDX-License-Identifier: MIT */
/* dmawin info: the build and what the library supports. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dmawin/dmawin.h"
#include "dmawin/papr.h"
#include "dmawin/tce.h"

/* What the TCE layer supports and the limits the models apply (from the library itself). */
static json_t *iommu_info(void)
{
	json_t *o = json_object(), *shifts = json_array();
	struct dmawin_tce_powernv pnv;

	for (unsigned shift = 12; shift <= 34; shift++)
		if (dmawin_tce_page_shift_valid(shift))
			json_array_append_new(shifts, json_integer(shift));
	json_object_set_new(o, "tce_page_shifts", shifts);
	json_object_set_new(o, "max_window_shift", json_integer(DMAWIN_TCE_MAX_WINDOW_SHIFT));
	json_object_set_new(o, "max_levels", json_integer(DMAWIN_TCE_MAX_LEVELS));
	if (dmawin_tce_powernv_query(16, 1ull << 40, 2, 16, &pnv) == 0) {
		json_object_set_new(o, "powernv_max_levels", json_integer(pnv.max_levels));
		json_object_set_new(o, "powernv_max_windows", json_integer(pnv.max_windows));
	}
	json_object_set_new(o, "papr_default_window_size",
			    json_integer((json_int_t)DMAWIN_PAPR_DEFAULT_DMA_WIN_SIZE));
	json_object_set_new(o, "papr_dma64_win_addr",
			    json_integer((json_int_t)DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR));
	json_object_set_new(o, "papr_dma64_win_addr_4gb_mode",
			    json_integer((json_int_t)DMAWIN_PAPR_DMA64_WIN_ADDR_4GB));
	json_object_set_new(o, "papr_max_phbs", json_integer(DMAWIN_PAPR_MAX_PHBS));
	json_object_set_new(o, "papr_indirect_max", json_integer(DMAWIN_PAPR_INDIRECT_MAX));
	return o;
}

static json_t *build_info(void)
{
	json_t *o = json_object();
	json_t *layers = json_array();
	char list[] = DMAWIN_LAYERS;

	for (char *save, *l = strtok_r(list, " ", &save); l; l = strtok_r(NULL, " ", &save))
		json_array_append_new(layers, json_string(l));
	json_object_set_new(o, "version", json_string(dmawin_version()));
	json_object_set_new(o, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(o, "buildtype", json_string(DMAWIN_BUILDTYPE));
	json_object_set_new(o, "layers", layers);
	json_object_set_new(o, "host_page_size", json_integer(sysconf(_SC_PAGESIZE)));
	json_object_set_new(o, "iommu", iommu_info());
	return o;
}

static const char *page_size_name(unsigned shift)
{
	static char buf[16];
	static const char units[] = "KMGT";
	unsigned unit = shift / 10 - 1;

	snprintf(buf, sizeof(buf), "%u%c", 1u << (shift - 10 * (unit + 1)), units[unit]);
	return buf;
}

static void print_text(json_t *o)
{
	size_t i;
	json_t *l, *iommu;

	printf("dmawin %s (%s build, %s)\n", json_string_value(json_object_get(o, "version")),
	       json_string_value(json_object_get(o, "buildtype")),
	       json_string_value(json_object_get(o, "compiler")));
	printf("layers:");
	json_array_foreach(json_object_get(o, "layers"), i, l)
		printf(" %s", json_string_value(l));
	printf("\nhost page size: %lld bytes\n",
	       (long long)json_integer_value(json_object_get(o, "host_page_size")));
	iommu = json_object_get(o, "iommu");
	printf("IOMMU page sizes:");
	json_array_foreach(json_object_get(iommu, "tce_page_shifts"), i, l)
		printf(" %s", page_size_name((unsigned)json_integer_value(l)));
	printf("\nTCE tables: windows up to 2^%lld bytes, 1..%lld levels, sparse\n",
	       (long long)json_integer_value(json_object_get(iommu, "max_window_shift")),
	       (long long)json_integer_value(json_object_get(iommu, "max_levels")));
	printf("Linux PowerNV limits: %lld levels, %lld windows per PE\n",
	       (long long)json_integer_value(json_object_get(iommu, "powernv_max_levels")),
	       (long long)json_integer_value(json_object_get(iommu, "powernv_max_windows")));
	printf("QEMU pseries: default window 0x%llx bytes at 0 (4K pages), DDW at 0x%llx "
	       "(4GB mode: 0x%llx), up to %lld PHBs, %lld TCEs per H_PUT_TCE_INDIRECT\n",
	       (unsigned long long)json_integer_value(json_object_get(iommu, "papr_default_window_size")),
	       (unsigned long long)json_integer_value(json_object_get(iommu, "papr_dma64_win_addr")),
	       (unsigned long long)json_integer_value(
		       json_object_get(iommu, "papr_dma64_win_addr_4gb_mode")),
	       (long long)json_integer_value(json_object_get(iommu, "papr_max_phbs")),
	       (long long)json_integer_value(json_object_get(iommu, "papr_indirect_max")));
}

int cmd_info(int argc, char **argv)
{
	bool as_json = false;
	json_t *o;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else
			return tool_usage_error("info", "unknown option '%s'", argv[i]);
	}
	o = build_info();
	if (as_json) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_text(o);
	}
	json_decref(o);
	return 0;
}
