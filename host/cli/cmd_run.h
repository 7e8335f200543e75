/*
 * cmd_run.h — bhost validate, bhost run and bhost run --resume: load the
 * spec, expand the sweep, run its points (dispatch.c) with the journal and
 * stop signals, write results.json and run.hlog (docs/cli.md,
 * docs/reliability.md).
 */
#ifndef BHOST_CMD_RUN_H
#define BHOST_CMD_RUN_H

#include "cli/options.h"
#include "plugin/registry.h"

int validate_command(const struct cli_options *o, struct registry *reg);
int run_command(const struct cli_options *o, struct registry *reg, int argc, char **argv);
/* Finishes the run in o->resume as it began (run.json), scanning the plugin path it had. */
int resume_command(struct cli_options *o, int argc, char **argv);

#endif
