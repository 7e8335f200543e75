/*
 * cmd_history.h — `bhost history`: the runs recorded in the history
 * database, one point's p50/p99 over them with a step flagged, and results
 * recorded by hand (docs/history.md, docs/cli.md).
 */
#ifndef BHOST_CMD_HISTORY_H
#define BHOST_CMD_HISTORY_H

#include "cli/options.h"

/* argv[0] is "history"; o is unused (history parses its own options). Exit codes as
 * cli/options.h's: 0 shown or recorded, 2 bad usage, unknown point or unreadable
 * results, 3 a database error (corrupt, newer, locked). */
int history_command(struct cli_options *o, int argc, char **argv);

#endif
