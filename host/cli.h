/*
 * cli.h — the bhost command line. Exit codes: 0 all good, 1 failed points,
 * 2 bad usage or bad spec, 3 internal error (docs/cli.md).
 */
#ifndef BHOST_CLI_H
#define BHOST_CLI_H

enum exit_code { EXIT_OK = 0, EXIT_FAILED_POINTS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

int cli_main(int argc, char **argv);

#endif
