/*
 * cmd_ab.h — bhost ab SPEC --a DIR --b DIR: one spec run against two builds
 * of its plugins in one invocation, their repetitions alternated (ABBA, or
 * in seeded rounds with `interleave:`) and each in a fresh process unless
 * the spec says otherwise, so that drift of the machine falls on both
 * sides; two run directories (a/ and b/) that `bhost compare` reads, the
 * comparison printed, and the spec's gates judged on B with A as the
 * baseline (docs/compare.md, docs/ci.md).
 */
#ifndef BHOST_CMD_AB_H
#define BHOST_CMD_AB_H

#include "cli/options.h"

int ab_command(struct cli_options *o, int argc, char **argv);

#endif
