/* SPDX-License-Identifier: MIT */
/* Loading the scenario named on the command line, shared by `dmawin sim` and `dmawin plan`. */
#include <stdio.h>

#include "scenario_arg.h"

int tool_load_scenario(const char *cmd, const char *path, const char *qemu_args,
		       const char *kernel_args, struct dmawin_sim_scenario *sc)
{
	struct dmawin_qemu_warnings warnings = {0};
	struct dmawin_sim_error err = {0};
	char msg[512];
	int rc;

	if (qemu_args)
		rc = dmawin_sim_scenario_from_qemu(qemu_args, kernel_args, sc, &warnings, &err);
	else if (path)
		rc = dmawin_sim_scenario_load(path, sc, &err);
	else
		rc = dmawin_sim_scenario_default(sc);
	tool_print_qemu_warnings(cmd, &warnings);
	if (rc == 0)
		return 0;
	if (!path && !qemu_args)
		snprintf(err.text, sizeof(err.text), "the embedded default scenario is broken");
	dmawin_sim_error_format(&err, msg, sizeof(msg));
	fprintf(stderr, "dmawin %s: %s\n", cmd, msg);
	return 2;
}

void tool_print_qemu_warnings(const char *cmd, const struct dmawin_qemu_warnings *w)
{
	for (uint32_t i = 0; i < w->count; i++)
		fprintf(stderr, "dmawin %s: warning: --qemu-args: %s\n", cmd, w->text[i]);
	if (w->dropped)
		fprintf(stderr, "dmawin %s: warning: --qemu-args: %u more warnings not shown\n",
			cmd, w->dropped);
}
