/*
 * cli.h — the bhost command line (docs/cli.md): parses the global options
 * and hands them to the command named.
 */
#ifndef BHOST_CLI_H
#define BHOST_CLI_H

/* Runs bhost with this command line; returns its exit code (cli/options.h). */
int cli_main(int argc, char **argv);

#endif
