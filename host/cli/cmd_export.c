/*
 * cmd_export.c — `bhost export`: reads a finished run, has export/ write it
 * in the format asked for, and puts that on standard output or in a file.
 */
#include "cli/cmd_export.h"
#include "export/export.h"
#include "results/results_read.h"
#include "util/files.h"
#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char export_usage[] =
    "usage: bhost export RUN --format FORMAT [-o FILE] [--time-unit UNIT] [--aggregates-only]\n"
    "\n"
    "Writes a finished run (a results.json or its run directory) in a format other\n"
    "tools read, to standard output or FILE. See docs/export.md.\n"
    "\n"
    "formats:\n"
    "  gbench   Google Benchmark JSON: its compare.py, github-action-benchmark\n"
    "           (tool: googlecpp)\n"
    "  bmf      Bencher Metric Format JSON (bencher run --adapter json)\n"
    "  junit    JUnit XML: points and gates as test cases, for CI test reports\n"
    "  csv      one row per point and histogram, for spreadsheets and data frames\n"
    "\n"
    "options:\n"
    "  --format FORMAT   one of the formats above (required)\n"
    "  -o, --output FILE write FILE (atomically) instead of standard output; - is\n"
    "                    standard output\n"
    "  --time-unit UNIT  gbench: ns (default), us, ms, s, or auto (per point, the\n"
    "                    largest unit its mean is at least 1 in)\n"
    "  --aggregates-only gbench: a point's mean, median, stddev and cv without its\n"
    "                    repetitions (as --benchmark_report_aggregates_only), so that\n"
    "                    each name comes once, for trackers\n"
    "\n"
    "exit codes: 0 written, 2 bad usage or a run that cannot be read, 3 cannot write\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("export", "Try 'bhost export --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

static int unknown_format(const char *name)
{
    char list[128];
    join_names(list, sizeof list, export_format_names, EXPORT_FORMATS);
    const char *near = closest_name(name, export_format_names, EXPORT_FORMATS);
    if (near)
        return usage_error("unknown format '%s' (did you mean '%s'?); the formats: %s", name,
                           near, list);
    return usage_error("unknown format '%s'; the formats: %s", name, list);
}

struct export_args {
    const char *run, *format, *output, *time_unit;
    int aggregates_only;
};

/* 0, -1 after --help, or an exit code after a message. */
static int parse_args(int argc, char **argv, struct export_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        int missing = 0;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(export_usage, stdout);
            return -1;
        } else if (strcmp(arg, "--aggregates-only") == 0) {
            a->aggregates_only = 1;
        } else if ((v = cli_option_value(argc, argv, &i, "--format", &missing))) {
            a->format = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--output", &missing)) ||
                   (!missing && (v = cli_option_value(argc, argv, &i, "-o", &missing)))) {
            a->output = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--time-unit", &missing))) {
            a->time_unit = v;
        } else if (missing) {
            return usage_error("%s needs a value", arg);
        } else if (arg[0] == '-' && arg[1]) {
            return usage_error("unknown option '%s'", arg);
        } else if (a->run) {
            return usage_error("unexpected argument '%s': export takes one run", arg);
        } else {
            a->run = arg;
        }
    }
    return 0;
}

/* Whether `path` names the file `input` (the results read): writing it would replace them. */
static int same_file(const char *path, const char *input)
{
    struct stat a, b;
    return stat(path, &a) == 0 && stat(input, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* The exported text to `path` (atomically), or to standard output for NULL or "-". */
static int write_out(const char *path, const char *text, size_t len)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "bhost export: cannot write to standard output: %s\n",
                    strerror(errno));
            return EXIT_INTERNAL;
        }
        return EXIT_OK;
    }
    if (write_file_atomic(path, text, len) != 0) {
        fprintf(stderr, "bhost export: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

int export_command(struct cli_options *unused, int argc, char **argv)
{
    (void)unused;
    struct export_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    struct export_options o = {.notes = stderr};
    if (!a.run)
        return usage_error("needs a run: bhost export RUN --format FORMAT");
    if (!a.format)
        return usage_error("needs --format: gbench, bmf, junit or csv");
    if (export_format_find(a.format, &o.format) != 0)
        return unknown_format(a.format);
    if ((a.time_unit || a.aggregates_only) && o.format != EXPORT_GBENCH)
        return usage_error("%s goes with --format gbench",
                           a.time_unit ? "--time-unit" : "--aggregates-only");
    if (a.time_unit && !export_time_unit_ok(a.time_unit))
        return usage_error("--time-unit is ns, us, ms, s or auto, got '%s'", a.time_unit);
    o.time_unit = a.time_unit;
    o.aggregates_only = a.aggregates_only;

    struct results_file r = {0};
    char err[1024];
    if (results_read(a.run, &r, err, sizeof err) != 0) {
        fprintf(stderr, "bhost export: %s\n", err);
        results_file_free(&r);
        return EXIT_USAGE;
    }
    if (a.output && strcmp(a.output, "-") != 0 && same_file(a.output, r.path)) {
        fprintf(stderr, "bhost export: -o %s is the results file it reads; write elsewhere\n",
                a.output);
        results_file_free(&r);
        return EXIT_USAGE;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fprintf(stderr, "bhost export: cannot make the output: %s\n", strerror(errno));
        rc = EXIT_INTERNAL;
    } else {
        export_write(mem, r.doc, &o);
        int failed = ferror(mem);
        if (fclose(mem) != 0 || failed) {
            fprintf(stderr, "bhost export: cannot make the output: %s\n", strerror(errno));
            rc = EXIT_INTERNAL;
        } else {
            rc = write_out(a.output, text, len);
        }
    }
    free(text);
    results_file_free(&r);
    return rc;
}
