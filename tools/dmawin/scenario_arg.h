/* SPDX-License-Identifier: MIT */
/* Loading the scenario named on the command line, shared by `dmawin sim` and `dmawin plan`. */
#ifndef DMAWIN_TOOL_SCENARIO_ARG_H
#define DMAWIN_TOOL_SCENARIO_ARG_H

#include "dmawin/sim.h"

/*
 * Fill @sc from @path, from @qemu_args (+ @kernel_args), or (both NULL) from the embedded
 * default. On a bad scenario prints "dmawin CMD: FILE:LINE:COL: PATH: problem" and returns 2.
 */
int tool_load_scenario(const char *cmd, const char *path, const char *qemu_args,
		       const char *kernel_args, struct dmawin_sim_scenario *sc);

/* One "dmawin CMD: warning: --qemu-args: ..." line on stderr per parser warning. */
void tool_print_qemu_warnings(const char *cmd, const struct dmawin_qemu_warnings *w);

#endif
