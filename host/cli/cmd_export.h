/*
 * cmd_export.h — `bhost export RUN --format FORMAT [-o FILE]` (docs/export.md,
 * docs/cli.md): a finished run written in a format other tools read.
 */
#ifndef BHOST_CMD_EXPORT_H
#define BHOST_CMD_EXPORT_H

#include "cli/options.h"

/* argv[0] is "export"; o is unused (export parses its own options). */
int export_command(struct cli_options *o, int argc, char **argv);

#endif
