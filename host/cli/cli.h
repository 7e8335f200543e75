/*
 * cli.h — the bhost command line: its options as parsed, and the exit codes
 * (docs/cli.md). Exit codes: 0 all good, 1 failed or skipped points, 2 bad
 * usage or bad spec, 3 internal error; 130/143 stopped by SIGINT/SIGTERM.
 */
#ifndef BHOST_CLI_H
#define BHOST_CLI_H

#include <stddef.h>

enum exit_code { EXIT_OK = 0, EXIT_FAILED_POINTS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* What the command line asked for (cli.c parses it). */
struct cli_options {
    const char *command;
    const char *spec;
    const char **sets;
    size_t nsets;
    const char **paths;
    size_t npaths;
    const char *out;
    const char *filter;
    const char *max_points;   /* passed on as --set max_points=N */
    char *max_points_set;
    const char *timeout;      /* passed on as --set timeout=S */
    char *timeout_set;
    int isolate;              /* run each point in a child process (default) */
    size_t jobs;              /* points at once */
    const char *resume;       /* a run directory to finish */
    double time_budget;       /* seconds for the whole run; 0: none */
    int json, quiet;
};

/* "bhost: <message>" and a hint on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int cli_usage_error(const char *fmt, ...);

int cli_main(int argc, char **argv);

#endif
