/* cli.c — parses the command line and hands it to the command (docs/cli.md). */
#include "cli/cli.h"
#include "cli/cmd_ab.h"
#include "cli/cmd_compare.h"
#include "cli/cmd_export.h"
#include "cli/cmd_hdr.h"
#include "cli/cmd_history.h"
#include "cli/cmd_list.h"
#include "cli/cmd_merge.h"
#include "cli/cmd_report.h"
#include "cli/cmd_run.h"
#include "cli/cmd_slurm.h"
#include "cli/options.h"
#include "run/services.h"
#include "spec/spec.h"
#include "util/mem.h"
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: bhost <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SPEC          run a sweep spec and write its results\n"
    "  run --resume DIR  finish a run that was interrupted or killed\n"
    "  validate SPEC     check a spec and print its sweep points; runs nothing\n"
    "  list [NAME...]    the plugins found, one line each, and the files refused\n"
    "                    (also --list); with names, their parameters and docs\n"
    "  version           print the version (also --version)\n"
    "  hdr FILE          percentile distribution of a .hlog or a results.json point\n"
    "                    (see bhost hdr --help)\n"
    "  merge A B... -o DIR  merge runs of one spec (shards, reruns) into DIR\n"
    "  slurm SPEC --shards N  run the sweep as a Slurm job array of N shards and\n"
    "                    merge them (see bhost slurm --help)\n"
    "  history [POINT]   the runs recorded in the history database, or one point's\n"
    "                    p50/p99 over them (see bhost history --help)\n"
    "  ab SPEC --a DIR --b DIR  run SPEC against two builds' plugin folders in one\n"
    "                    invocation, repetitions alternated; compare B with A\n"
    "  compare A B       compare run B with run A: ratios, intervals, verdicts\n"
    "                    (see bhost compare --help)\n"
    "  report RUN        a finished run's reports: report.md and report.html\n"
    "                    (see bhost report --help)\n"
    "  export RUN --format F  a finished run for other tools: gbench (Google\n"
    "                    Benchmark JSON), bmf (Bencher), junit or csv\n"
    "                    (see bhost export --help)\n"
    "  help              print this text (also --help)\n"
    "\n"
    "options:\n"
    "  --set KEY=VALUE   override a parameter or setting; repeatable. KEY is PARAM,\n"
    "                    SETTING or EXPERIMENT.KEY; VALUE is YAML, so [1,2] or\n"
    "                    {from: 1, to: 64, mul: 2} make an axis\n"
    "  --out DIR         write the run into DIR (default results/<spec>-<UTC stamp>)\n"
    "  --filter PATTERN  run only points whose label or id matches (glob or substring)\n"
    "  --max-points N    refuse specs expanding past N points (default: the spec's\n"
    "                    max_points, else 100000; at most 1000000)\n"
    "  --isolate MODE    fork: each point in a child process (default); none: all in\n"
    "                    the host (for gdb and sanitizers; a crash ends the run)\n"
    "  --timeout S       fail a point that runs longer than S seconds (isolated)\n"
    "  -j, --jobs N      run N points at once, each on its own CPU where there are\n"
    "                    enough; results come out in sweep order (default 1)\n"
    "  --resume DIR      run: finish an interrupted run in DIR, skipping done points\n"
    "  --shard I/N       run, validate: only shard I of N of the (filtered) sweep,\n"
    "                    counting from 1; auto or auto/N reads BHOST_SHARD, Slurm's,\n"
    "                    GitLab's or a Kubernetes Indexed Job's variables\n"
    "                    (docs/scale-out.md)\n"
    "  --balance-from RUN  with --shard: balance the shards by RUN's wall times\n"
    "  --time-budget S   start no point after S seconds; the rest are reported skipped\n"
    "  --clock C         the measured loops' clock: auto (the TSC where it is invariant,\n"
    "                    the default), tsc, or monotonic (CLOCK_MONOTONIC)\n"
    "  --plugin-path P   search P (colon-separated) for plugins first; repeatable\n"
    "  --history FILE    run: record the run in this history database (default\n"
    "                    $BHOST_HISTORY, else results/history.sqlite; off: do not)\n"
    "  --baseline B      run: compare with B (a results file or run directory, or\n"
    "                    history: the rolling baseline) and judge the spec's gates\n"
    "  --threshold T     run --baseline, ab: the noise threshold (default 2%)\n"
    "  --percentiles L   run --baseline, ab: percentiles compared (default 50,90,99)\n"
    "  --artifacts       run: also write the artifact set (manifest, summary, metrics,\n"
    "                    series) into the run's artifacts/ folder\n"
    "  --bundle          run: --artifacts, and the set with the run's files in one zip\n"
    "                    archive named after the run directory, inside it\n"
    "  --a DIR, --b DIR  ab: the two builds' plugin folders\n"
    "  --json            list: print JSON; ab: print the comparison as JSON\n"
    "  --markdown        ab: print the comparison as a Markdown table\n"
    "  -q, --quiet       run: no progress, table or plugin info lines\n"
    "  -v, --verbose     show plugins' debug log lines\n"
    "\n"
    "exit codes: 0 all good, 1 some points failed or were skipped, 2 bad usage or spec,\n"
    "            3 internal error, 4 regression (compare, ab, run --baseline),\n"
    "            5 inconclusive (a comparison or a gate could not be told),\n"
    "            6 a gate was missed,\n"
    "            130/143 stopped by SIGINT/SIGTERM (finished points are kept)\n";

static int help_command(struct cli_options *o, int argc, char **argv);
static int version_command(struct cli_options *o, int argc, char **argv);

/* Every command: a new one is a row here, a line in usage_text, and its own file. */
static const struct command {
    const char *name;
    int own_options; /* parses its own argv, from its name on: nothing may come before it */
    int (*fn)(struct cli_options *o, int argc, char **argv);
} commands[] = {
    {"run", 0, run_command},         {"validate", 0, validate_command},
    {"list", 0, list_command},       {"hdr", 1, hdr_command},
    {"merge", 1, merge_command},     {"history", 1, history_command},
    {"compare", 1, compare_command}, {"ab", 0, ab_command},
    {"export", 1, export_command},
    {"report", 1, report_command},   {"slurm", 1, slurm_command},
    {"version", 0, version_command}, {"help", 0, help_command},
};

static const struct command *find_command(const char *name)
{
    for (size_t k = 0; k < ARRAY_LEN(commands); k++)
        if (strcmp(commands[k].name, name) == 0)
            return &commands[k];
    return NULL;
}

/* "--name value" or "--name=value": the value, advancing *i; NULL if absent. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    int missing = 0;
    return cli_option_value(argc, argv, i, name, &missing);
}

static int parse_args(int argc, char **argv, struct cli_options *o)
{
    o->sets = xcalloc((size_t)argc + 2, sizeof *o->sets);
    o->isolate = 1;
    o->jobs = 1;
    o->paths = xcalloc((size_t)argc, sizeof *o->paths);
    o->args = xcalloc((size_t)argc, sizeof *o->args);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--list") == 0 || strcmp(a, "--version") == 0 || strcmp(a, "--help") == 0 ||
            strcmp(a, "-h") == 0) {
            o->command = a[2] == 'l' ? "list" : a[2] == 'v' ? "version" : "help";
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            host_log_level = BHOST_LOG_DEBUG;
            o->verbose = 1;
        } else if (cli_is_option(a, "--set")) {
            if (!(v = option_value(argc, argv, &i, "--set")))
                return cli_usage_error("--set needs KEY=VALUE");
            o->sets[o->nsets++] = v;
        } else if (cli_is_option(a, "--plugin-path")) {
            if (!(v = option_value(argc, argv, &i, "--plugin-path")))
                return cli_usage_error("--plugin-path needs a directory");
            o->paths[o->npaths++] = v;
        } else if (cli_is_option(a, "--out")) {
            if (!(o->out = option_value(argc, argv, &i, "--out")))
                return cli_usage_error("--out needs a directory");
        } else if (cli_is_option(a, "--filter")) {
            if (!(o->filter = option_value(argc, argv, &i, "--filter")))
                return cli_usage_error("--filter needs a pattern");
        } else if (cli_is_option(a, "--isolate")) {
            if (!(v = option_value(argc, argv, &i, "--isolate")) ||
                (strcmp(v, "fork") != 0 && strcmp(v, "none") != 0))
                return cli_usage_error("--isolate is fork (each point in a child process, the "
                                   "default) or none (in the host, for gdb and sanitizers)");
            o->isolate = strcmp(v, "fork") == 0;
            o->isolate_given = 1;
        } else if (cli_is_option(a, "--clock")) {
            if (!(v = option_value(argc, argv, &i, "--clock")) ||
                (strcmp(v, "auto") != 0 && strcmp(v, "tsc") != 0 && strcmp(v, "monotonic") != 0))
                return cli_usage_error("--clock is auto (the TSC where it is invariant, the "
                                       "default), tsc or monotonic (CLOCK_MONOTONIC)");
            o->clock = v;
        } else if (cli_is_option(a, "--time-budget")) {
            char *end;
            if (!(v = option_value(argc, argv, &i, "--time-budget")))
                return cli_usage_error("--time-budget needs a number of seconds");
            o->time_budget = strtod(v, &end);
            o->budget_given = 1;
            if (*end || !(o->time_budget > 0) || o->time_budget > 1e9)
                return cli_usage_error("--time-budget needs a positive number of seconds, got '%s'",
                                   v);
        } else if (cli_is_option(a, "--jobs") || strncmp(a, "-j", 2) == 0) {
            char *end;
            v = a[1] != 'j' ? option_value(argc, argv, &i, "--jobs")
                : a[2]      ? a + 2
                : i + 1 < argc ? argv[++i] : NULL;
            unsigned long n = v ? strtoul(v, &end, 10) : 0;
            if (!v || *v < '0' || *v > '9' || *end || n == 0 || n > 1024)
                return cli_usage_error(
                    "--jobs needs a number of points to run at once (1 to 1024)%s%s%s",
                    v ? ", got '" : "", v ? v : "", v ? "'" : "");
            o->jobs = n;
            o->jobs_given = 1;
        } else if (strcmp(a, "--artifacts") == 0 || strcmp(a, "--bundle") == 0) {
            o->artifacts = 1;
            o->bundle |= a[2] == 'b';
        } else if (strcmp(a, "--markdown") == 0) {
            o->markdown = 1;
        } else if (cli_is_option(a, "--a") || cli_is_option(a, "--b")) {
            const char *name = a[2] == 'a' ? "--a" : "--b";
            if (!(v = option_value(argc, argv, &i, name)))
                return cli_usage_error("%s needs a plugin folder", name);
            *(name[2] == 'a' ? &o->side_a : &o->side_b) = v;
        } else if (cli_is_option(a, "--history")) {
            if (!(o->history = option_value(argc, argv, &i, "--history")))
                return cli_usage_error("--history needs a database file, or off");
        } else if (cli_is_option(a, "--baseline")) {
            if (!(o->baseline = option_value(argc, argv, &i, "--baseline")))
                return cli_usage_error("--baseline needs a results file, a run directory or "
                                       "'history'");
        } else if (cli_is_option(a, "--threshold")) {
            if (!(o->threshold = option_value(argc, argv, &i, "--threshold")))
                return cli_usage_error("--threshold needs a relative change, like 2%% or 0.02");
        } else if (cli_is_option(a, "--percentiles")) {
            if (!(o->percentiles = option_value(argc, argv, &i, "--percentiles")))
                return cli_usage_error("--percentiles needs a list, like 50,90,99");
        } else if (cli_is_option(a, "--shard")) {
            if (!(o->shard = option_value(argc, argv, &i, "--shard")))
                return cli_usage_error("--shard needs I/N (shard I of N, from 1), auto or "
                                       "auto/N");
        } else if (cli_is_option(a, "--balance-from")) {
            if (!(o->balance_from = option_value(argc, argv, &i, "--balance-from")))
                return cli_usage_error("--balance-from needs a results file or a run "
                                       "directory");
        } else if (cli_is_option(a, "--resume")) {
            if (!(o->resume = option_value(argc, argv, &i, "--resume")))
                return cli_usage_error("--resume needs a run directory");
        } else if (cli_is_option(a, "--timeout")) {
            if (!(o->timeout = option_value(argc, argv, &i, "--timeout")))
                return cli_usage_error("--timeout needs a number of seconds");
        } else if (cli_is_option(a, "--max-points")) {
            char *end;
            if (!(v = option_value(argc, argv, &i, "--max-points")))
                return cli_usage_error("--max-points needs a number");
            unsigned long long n = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || n == 0 || n > SPEC_MAX_POINTS)
                return cli_usage_error("--max-points needs a number from 1 to %d, got '%s'",
                                       SPEC_MAX_POINTS, v);
            o->max_points = v;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (!o->command) {
            const struct command *c = find_command(a);
            if (!c) {
                const char *names[ARRAY_LEN(commands)];
                for (size_t k = 0; k < ARRAY_LEN(commands); k++)
                    names[k] = commands[k].name;
                const char *near = closest_name(a, names, ARRAY_LEN(commands));
                return near ? cli_usage_error("unknown command '%s' (did you mean '%s'?)", a, near)
                            : cli_usage_error("unknown command '%s'", a);
            }
            o->command = c->name;
            /* They parse their own options (cli_main hands them argv first). */
            if (c->own_options)
                return cli_usage_error("'%s' takes no options before it: write 'bhost %s ...'",
                                   o->command, o->command);
        } else {
            o->args[o->nargs++] = a;
        }
    }
    if (!o->command)
        return cli_usage_error("no command given");
    /* -q: plugins' info lines go too, only warnings and errors remain (-v wins). */
    if (o->quiet && host_log_level == BHOST_LOG_INFO)
        host_log_level = BHOST_LOG_WARN;
    if (o->max_points)
        o->sets[o->nsets++] = o->max_points_set = xasprintf("max_points=%s", o->max_points);
    if (o->timeout)
        o->sets[o->nsets++] = o->timeout_set = xasprintf("timeout=%s", o->timeout);
    int wants_spec = strcmp(o->command, "run") == 0 || strcmp(o->command, "validate") == 0 ||
                     strcmp(o->command, "ab") == 0;
    int takes_names = strcmp(o->command, "list") == 0;
    if (wants_spec && o->nargs > 1)
        return cli_usage_error("unexpected argument '%s': %s takes one spec", o->args[1],
                               o->command);
    if (wants_spec && o->nargs == 1)
        o->spec = o->args[0];
    if (!wants_spec && !takes_names && o->nargs > 0)
        return cli_usage_error("unexpected argument '%s'", o->args[0]);
    if (o->jobs > 1 && !o->isolate)
        return cli_usage_error("--jobs runs points in child processes; it does not go with "
                           "--isolate none");
    if (o->resume && strcmp(o->command, "run") != 0)
        return cli_usage_error("--resume goes with run");
    int is_run = strcmp(o->command, "run") == 0, is_ab = strcmp(o->command, "ab") == 0;
    if ((o->side_a || o->side_b) && !is_ab)
        return cli_usage_error("--a and --b go with ab");
    if (o->markdown && !is_ab)
        return cli_usage_error("--markdown goes with ab (and compare)");
    if (o->baseline && !is_run)
        return cli_usage_error(is_ab ? "ab compares B with A; --baseline goes with run"
                                     : "--baseline goes with run");
    if ((o->threshold || o->percentiles) && !is_ab && !is_run)
        return cli_usage_error("--threshold and --percentiles go with run (with --baseline) "
                               "and ab");
    if (o->artifacts && !is_run && strcmp(o->command, "validate") != 0)
        return cli_usage_error("--artifacts and --bundle go with run");
    if (o->history && !is_run)
        return cli_usage_error("--history goes with run (bhost history and compare take their "
                               "own; ab records nothing: its B is a candidate build)");
    if ((o->shard || o->balance_from) && !is_run && strcmp(o->command, "validate") != 0)
        return cli_usage_error("--shard and --balance-from go with run and validate");
    if (o->balance_from && !o->shard && !o->resume)
        return cli_usage_error("--balance-from goes with --shard: it balances the shards");
    if (wants_spec && !o->spec && !o->resume)
        return cli_usage_error("%s needs a spec file", o->command);
    return EXIT_OK;
}

static int help_command(struct cli_options *o, int argc, char **argv)
{
    (void)o, (void)argc, (void)argv;
    fputs(usage_text, stdout);
    return EXIT_OK;
}

static int version_command(struct cli_options *o, int argc, char **argv)
{
    (void)o, (void)argc, (void)argv;
    printf("bhost %s (plugin ABI %d.%d)\n", BHOST_VERSION, BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    return EXIT_OK;
}

int cli_main(int argc, char **argv)
{
    const struct command *first = argc > 1 ? find_command(argv[1]) : NULL;
    if (first && first->own_options)
        return first->fn(NULL, argc - 1, argv + 1);
    struct cli_options o = {0};
    int rc = parse_args(argc, argv, &o);
    const struct command *cmd = rc == EXIT_OK ? find_command(o.command) : NULL;
    if (cmd)
        rc = cmd->fn(&o, argc, argv);
    free(o.max_points_set);
    free(o.timeout_set);
    free(o.sets);
    free(o.paths);
    free(o.args);
    return rc;
}
