/* SPDX-License-Identifier: MIT */
/*
 * `--guest-kernel V` and `--guest-page-size S`: the guest kernel a subcommand models, shared by
 * `dmawin sim`, `dmawin plan` and `dmawin vfio-run`. Given on the command line, they override
 * the scenario's guest.kernel / guest.page_size.
 */
#ifndef DMAWIN_TOOL_GUEST_ARGS_H
#define DMAWIN_TOOL_GUEST_ARGS_H

#include <stdbool.h>

#include "dmawin/guest.h"
#include "dmawin/sim.h"

#define TOOL_GUEST_ARGS_USAGE "[--guest-kernel 6.1|6.12] [--guest-page-size 4K|64K]"

struct tool_guest_args {
	bool kernel_set;
	enum dmawin_guest_kernel kernel;
	unsigned page_shift; /* 0 = not given */
};

/*
 * If argv[*i] is one of the two options, read its value (argv[*i + 1]) into @ga and advance *i
 * past it. Return: 1 if consumed; 0 if argv[*i] is another argument; 2 (after the one-line
 * "dmawin CMD: ..." message) for a missing or bad value.
 */
int tool_guest_arg(const char *cmd, int argc, char **argv, int *i, struct tool_guest_args *ga);

/* Apply the options given to a scenario (sim, plan) or to a guest config (vfio-run). */
void tool_guest_args_to_scenario(const struct tool_guest_args *ga, struct dmawin_sim_scenario *sc);
void tool_guest_args_to_config(const struct tool_guest_args *ga, struct dmawin_guest_config *cfg);

#endif
