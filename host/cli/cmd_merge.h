/*
 * cmd_merge.h — `bhost merge`: runs of one spec merged into one results file
 * (docs/cli.md, docs/results.md).
 */
#ifndef BHOST_CMD_MERGE_H
#define BHOST_CMD_MERGE_H

#include "cli/options.h"

/* argv[0] is "merge"; o is unused (merge parses its own options). Exit codes as
 * cli/options.h's: 0 merged, 1 merged with failed
 * or skipped points, 2 bad usage or input, 3 internal error. */
int merge_command(struct cli_options *o, int argc, char **argv);

#endif
