/* SPDX-License-Identifier: MIT */
/* The guest-kernel options of the subcommands that model a guest. */
#include <string.h>

#include "commands.h"
#include "guest_args.h"

int tool_guest_arg(const char *cmd, int argc, char **argv, int *i, struct tool_guest_args *ga)
{
	const char *o = argv[*i];
	bool kernel = strcmp(o, "--guest-kernel") == 0;

	if (!kernel && strcmp(o, "--guest-page-size") != 0)
		return 0;
	if (*i + 1 >= argc)
		return tool_usage_error(cmd, "%s needs a value", o);
	const char *v = argv[++*i];
	if (kernel) {
		if (dmawin_guest_kernel_from_name(v, &ga->kernel) < 0)
			return tool_usage_error(cmd,
						"--guest-kernel: '%s' is not a modelled kernel "
						"(6.1, 6.12)",
						v);
		ga->kernel_set = true;
	} else if (dmawin_guest_page_shift_from_name(v, &ga->page_shift) < 0) {
		return tool_usage_error(cmd,
					"--guest-page-size: '%s' is not a kernel page size "
					"(4K, 64K)",
					v);
	}
	return 1;
}

void tool_guest_args_to_scenario(const struct tool_guest_args *ga, struct dmawin_sim_scenario *sc)
{
	if (ga->kernel_set)
		sc->guest_kernel = ga->kernel;
	if (ga->page_shift)
		sc->guest_page_shift = ga->page_shift;
}

void tool_guest_args_to_config(const struct tool_guest_args *ga, struct dmawin_guest_config *cfg)
{
	if (ga->kernel_set)
		cfg->kernel = ga->kernel;
	if (ga->page_shift)
		cfg->page_shift = ga->page_shift;
}
