/*
 * cmd_run.h — bhost validate, bhost run and bhost run --resume: load the
 * spec, expand the sweep, run its points (dispatch.c) with the journal and
 * stop signals, write results.json and run.hlog (docs/cli.md,
 * docs/reliability.md).
 */
#ifndef BHOST_CMD_RUN_H
#define BHOST_CMD_RUN_H

#include "cli/options.h"

/* bhost validate SPEC: the sweep points a spec expands to; runs nothing. */
int validate_command(struct cli_options *o, int argc, char **argv);
/* bhost run SPEC, and bhost run --resume DIR (which needs no other option: run.json
 * records the spec, overrides, filter, plugin path, --isolate, --jobs, --time-budget). */
int run_command(struct cli_options *o, int argc, char **argv);

#endif
