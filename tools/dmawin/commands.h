/* SPDX-License-Identifier: MIT */
/* The subcommands of the `dmawin` tool; each lives in cmd_<name>.c. */
#ifndef DMAWIN_TOOL_COMMANDS_H
#define DMAWIN_TOOL_COMMANDS_H

int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_vfio_run(int argc, char **argv);

/* Prints "dmawin: <message>" and a usage hint to stderr; returns exit status 2. */
int tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
