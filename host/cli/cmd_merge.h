/*
 * cmd_merge.h — `bhost merge`: runs of one spec merged into one results file
 * (docs/cli.md, docs/results.md).
 */
#ifndef BHOST_CMD_MERGE_H
#define BHOST_CMD_MERGE_H

/* argv[0] is "merge". Exit codes as cli.h's: 0 merged, 1 merged with failed
 * or skipped points, 2 bad usage or input, 3 internal error. */
int merge_main(int argc, char **argv);

#endif
