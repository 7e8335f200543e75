/*
 * options.h — what the command line asked for, the exit codes every
 * command returns  (docs/cli.md), and the helpers commands parse with.
 * Exit codes: 0 all good, 1 failed or skipped points, 2 bad usage, spec or
 * input, 3 internal error, 4 regression, 5 inconclusive, 6 gate missed;
 * 130/143 stopped by SIGINT/SIGTERM.
 */
#ifndef BHOST_OPTIONS_H
#define BHOST_OPTIONS_H

#include "spec/shard.h"

#include <stdarg.h>
#include <stddef.h>

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAILED_POINTS = 1, /* run: a point failed or was skipped */
    EXIT_USAGE = 2,         /* bad usage, spec or input file */
    EXIT_INTERNAL = 3,      /* cannot write results; an internal error */
    EXIT_REGRESSION = 4,    /* compare, ab: a figure slower, or more failures */
    EXIT_INCONCLUSIVE = 5,  /* compare, ab, gates: something could not be told */
    EXIT_GATE_MISSED = 6    /* run, ab: a gate was missed */
};

/* The global options, as cli.c parses them for run, validate and list. */
struct cli_options {
    const char *command;
    const char **args;        /* the arguments after the command that are not options */
    size_t nargs;
    const char *spec;         /* run and validate: args[0] */
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
    const char *clock;        /* --clock: "auto", "tsc", "monotonic"; NULL: auto */
    const char *side_a, *side_b; /* ab: --a DIR, --b DIR, the two builds' plugin folders */
    const char *history;      /* --history FILE, or "off"; NULL: $BHOST_HISTORY or the default */
    const char *baseline;     /* run: --baseline RESULTS|DIR|history, for baseline gates */
    const char *threshold;    /* ab: --threshold, as given */
    const char *percentiles;  /* ab: --percentiles, as given */
    const char *shard;        /* run, validate: --shard I/N, auto or auto/N, as given */
    const char *balance_from; /* run, validate: --balance-from RUN, as given */
    struct shard *sharding;   /* --shard resolved (cmd_run.c): the sweep is cut to its points */
    int artifacts;            /* run: --artifacts, the artifact set at the end (docs/artifacts.md) */
    int bundle;               /* run: --bundle, the set in one zip archive too */
    int json, quiet, verbose, markdown;
    int isolate_given, jobs_given, budget_given; /* given on the command line, not defaults */
};

/*
 * The exit code that says more of two: a stop signal, then internal error, bad usage, a
 * missed gate, a regression, failed points, inconclusive, and all good last.
 */
int cli_worst_exit(int a, int b);

/* "bhost[ COMMAND]: <message>" and the hint's line (if any) on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 3, 0)))
int cli_vfail(const char *command, const char *hint, const char *fmt, va_list ap);
/* "bhost: <message>" and a hint on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int cli_usage_error(const char *fmt, ...);

/*
 * If argv[*i] is the option `name` ("--name value" or "--name=value"): its
 * value, advancing *i past it. NULL if argv[*i] is another option, or if the
 * value is missing (then *missing is set).
 */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *missing);
/* Whether `arg` is the option `name`, alone or as "name=value". */
int cli_is_option(const char *arg, const char *name);

#endif
