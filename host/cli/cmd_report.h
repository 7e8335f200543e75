/*
 * cmd_report.h — `bhost report RUN` (docs/report.md, docs/cli.md): the
 * reports people read of a finished run, a Markdown file and an HTML page,
 * written beside its results (or into --out DIR, or one of them to stdout),
 * with its comparison with a baseline and its points' history when asked.
 */
#ifndef BHOST_CMD_REPORT_H
#define BHOST_CMD_REPORT_H

#include "cli/options.h"

/* argv[0] is "report"; o is unused (report parses its own options). Exit codes: 0 written,
 * 2 bad usage or input (results that cannot be read, a baseline that cannot be compared),
 * 3 a report that cannot be written. */
int report_command(struct cli_options *o, int argc, char **argv);

#endif
