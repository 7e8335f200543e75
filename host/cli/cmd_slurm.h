/*
 * cmd_slurm.h — `bhost slurm SPEC --shards N`: the sweep as a Slurm job array
 * of N shards and a dependent job that merges them (docs/slurm.md).
 */
#ifndef BHOST_CMD_SLURM_H
#define BHOST_CMD_SLURM_H

#include "cli/options.h"

/* argv[0] is "slurm"; o is unused (slurm parses its own options). Exit codes: 0 submitted
 * (with --wait: merged, all points good), 1 merged with failed points, 2 bad usage or spec,
 * or no sbatch on PATH, 3 a submission or an array task failed (named), or an I/O error. */
int slurm_command(struct cli_options *o, int argc, char **argv);

#endif
