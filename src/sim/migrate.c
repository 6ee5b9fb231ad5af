/* SPDX-License-Identifier: MIT */
/*
 * The migration / hotplug check done by the layers themselves: the source machine's IOMMU state
 * after the guest probed its devices is saved with papr's snapshot and restored on the target
 * machine, which refuses (-EXDEV) any window it would not place at the same address, page size
 * and size (seed 000). plan_target.c says why in planning terms; this says whether it really fits.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_int.h"

static int temp_path(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/dmawin-migrate-XXXXXX", dir && dir[0] ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int dmawin_sim_migrate_check(const struct dmawin_sim_scenario *src,
			     const struct dmawin_sim_scenario *dst, char *why, size_t len)
{
	struct sim_parse p = {NULL, ""};
	struct dmawin_sim_options o = {.probe_only = true};
	struct dmawin_sim_report *r = NULL;
	struct dmawin_papr *target = NULL;
	char path[256], dummy[8];
	int rc;

	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
	if (!src || !dst || sim_scenario_check(&p, dst) < 0) {
		snprintf(why, len, "invalid scenario");
		return -EINVAL;
	}
	rc = temp_path(path, sizeof(path));
	if (rc < 0) {
		snprintf(why, len, "temporary file: %s", strerror(-rc));
		return rc;
	}
	o.snapshot_path = path;
	rc = dmawin_sim_run(src, &o, &r, why, len);
	dmawin_sim_report_destroy(r);
	if (rc == 0)
		rc = dmawin_papr_create(&dst->papr, &target, why, len);
	if (rc == 0)
		rc = dmawin_papr_snapshot_restore(target, path, why, len);
	if (rc == 0)
		snprintf(why, len, "the target restored every window");
	dmawin_papr_destroy(target);
	unlink(path);
	return rc;
}
