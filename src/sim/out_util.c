/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the text, JSON and SVG printers. */
#include "sim/sim_int.h"

const char *sim_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned u = 0;

	while (u + 1 < SIM_ARRAY_SIZE(units) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[u]);
	return buf;
}

const char *sim_dir_name(enum dmawin_sim_dir dir)
{
	switch (dir) {
	case DMAWIN_SIM_TO_DEVICE:
		return "to_device";
	case DMAWIN_SIM_FROM_DEVICE:
		return "from_device";
	case DMAWIN_SIM_BIDIRECTIONAL:
		return "bidirectional";
	}
	return "?";
}

const char *sim_pattern_name(enum dmawin_sim_pattern pattern)
{
	switch (pattern) {
	case DMAWIN_SIM_RING:
		return "ring";
	case DMAWIN_SIM_SG:
		return "sg";
	case DMAWIN_SIM_RANDOM:
		return "random";
	}
	return "?";
}

int sim_json_emit(json_t *root, FILE *f)
{
	int rc;

	if (!root)
		return -ENOMEM;
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc < 0 || fputc('\n', f) == EOF || fflush(f) == EOF)
		return -EIO;
	return 0;
}
