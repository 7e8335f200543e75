/*
 * cmd_hdr.h — `bhost hdr`: the percentile distribution of an HdrHistogram
 * interval log, or of one point's histogram in a results file (docs/cli.md).
 */
#ifndef BHOST_CMD_HDR_H
#define BHOST_CMD_HDR_H

/* argv[0] is "hdr". Returns the exit code: 0, 2 (bad usage or input), 3. */
int hdr_main(int argc, char **argv);

#endif
