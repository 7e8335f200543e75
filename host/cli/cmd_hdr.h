/*
 * cmd_hdr.h — `bhost hdr`: the percentile distribution of an HdrHistogram
 * interval log, or of one point's histogram in a results file (docs/cli.md).
 */
#ifndef BHOST_CMD_HDR_H
#define BHOST_CMD_HDR_H

#include "cli/options.h"

/* argv[0] is "hdr"; o is unused (hdr parses its own options). Returns the exit code: 0, 2 (bad usage or input), 3. */
int hdr_command(struct cli_options *o, int argc, char **argv);

#endif
