/*
 * cmd_history.c — `bhost history [POINT]` and `bhost history --record RESULTS`
 * (docs/history.md): reads the history database through history/history.h
 * and prints its runs or one point's series as a table or JSON.
 */
#include "cli/cmd_history.h"
#include "cli/options.h"
#include "compare/compare.h"
#include "history/history.h"
#include "results/results_read.h"
#include "results/table.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char history_usage[] =
    "usage: bhost history [--history FILE] [--spec NAME] [--limit N] [--json]\n"
    "       bhost history POINT [--spec NAME] [--limit N] [--threshold T] [--json]\n"
    "       bhost history --record RESULTS [--record RESULTS...] [--history FILE]\n"
    "\n"
    "Without POINT: the recorded runs, newest first. With POINT (an id, a label, or\n"
    "a glob or part of one label): its iteration p50 and p99 per run, oldest first\n"
    "(the medians over each run's repetitions), and whether they stepped (Pettitt's\n"
    "test, docs/history.md). --record records finished runs (a results.json or its\n"
    "run directory), for runs made with the history off, or imported.\n"
    "\n"
    "options:\n"
    "  --history FILE    the database (default $BHOST_HISTORY, else\n"
    "                    results/history.sqlite)\n"
    "  --spec NAME       only runs of this spec\n"
    "  --limit N         the newest N runs (default 20 listed, 50 in a series; 0: all)\n"
    "  --threshold T     a step smaller than T is not flagged (default 2%; 0.02 or 2%)\n"
    "  --record RESULTS  record this run; repeatable\n"
    "  --json            print JSON\n"
    "\n"
    "exit codes: 0 shown or recorded, 2 bad usage, unknown point or unreadable results,\n"
    "            3 database error (not a database, newer schema, locked)\n";

struct history_options {
    const char *file, *spec, *point;
    const char **record;
    size_t nrecord;
    size_t limit;
    int limit_given, json;
    double threshold;
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("history", "Try 'bhost history --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

/* "2%" or "0.02": a fraction from 0 to 10. */
static int parse_threshold(const char *v, double *out)
{
    char *end;
    double t = strtod(v, &end);
    if (end == v)
        return -1;
    if (*end == '%') {
        t /= 100;
        end++;
    }
    if (*end || !(t >= 0) || t > 10)
        return -1;
    *out = t;
    return 0;
}

/* 0 to go on, -1 after --help, or a usage error's code. */
static int parse_options(int argc, char **argv, struct history_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(history_usage, stdout);
            return -1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if ((v = cli_option_value(argc, argv, &i, "--history", &missing))) {
            o->file = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--spec", &missing))) {
            o->spec = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--record", &missing))) {
            o->record[o->nrecord++] = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--limit", &missing))) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || errno || n > 1000000000)
                return usage_error("--limit needs a number of runs (0: all), got '%s'", v);
            o->limit = (size_t)n;
            o->limit_given = 1;
        } else if ((v = cli_option_value(argc, argv, &i, "--threshold", &missing))) {
            if (parse_threshold(v, &o->threshold) != 0)
                return usage_error("--threshold needs a fraction or a percentage (0.02, 2%%), "
                                   "got '%s'",
                                   v);
        } else if (missing) {
            return usage_error("%s needs a value", a);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (o->point) {
            return usage_error("unexpected argument '%s': history takes one point", a);
        } else {
            o->point = a;
        }
    }
    if (o->nrecord && o->point)
        return usage_error("--record takes results files, not a point ('%s')", o->point);
    return 0;
}

/* ---- printing ---------------------------------------------------------------- */

/* "0123abc" or "0123abc+" (dirty), or "-" without git. */
static void short_commit(char *buf, size_t n, const json_t *run)
{
    const char *commit = json_string_value(json_object_get(run, "git_commit"));
    snprintf(buf, n, "%.7s%s", commit ? commit : "-",
             commit && json_is_true(json_object_get(run, "git_dirty")) ? "+" : "");
}

static const char *text_or(const json_t *v, const char *fallback)
{
    const char *s = json_string_value(v);
    return s ? s : fallback;
}

static void print_runs(const json_t *runs)
{
    int spec_w = 4;
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        int len = (int)strlen(text_or(json_object_get(r, "spec"), "-"));
        spec_w = len > spec_w ? (len > 32 ? 32 : len) : spec_w;
    }
    printf("%6s  %-20s  %-*s  %-8s  %-11s  %6s  %6s\n", "run", "started", spec_w, "spec",
           "commit", "status", "points", "failed");
    json_array_foreach(runs, i, r) {
        char commit[16];
        short_commit(commit, sizeof commit, r);
        printf("%6lld  %-20s  %-*.*s  %-8s  %-11s  %6lld  %6lld\n",
               (long long)json_integer_value(json_object_get(r, "run")),
               text_or(json_object_get(r, "started_utc"), "-"), spec_w, spec_w,
               text_or(json_object_get(r, "spec"), "-"), commit,
               text_or(json_object_get(r, "status"), "-"),
               (long long)json_integer_value(json_object_get(r, "points_run")),
               (long long)json_integer_value(json_object_get(r, "points_failed")));
    }
    if (json_array_size(runs) == 0)
        printf("(no runs recorded)\n");
}

static void figure_text(char *buf, size_t n, const json_t *v)
{
    if (json_is_number(v))
        format_ns(buf, n, json_number_value(v));
    else
        snprintf(buf, n, "-");
}

static void print_point(const json_t *pt, double threshold)
{
    const json_t *runs = json_object_get(pt, "runs");
    printf("%s (%s), spec %s: iteration p50 and p99, medians over repetitions\n",
           text_or(json_object_get(pt, "label"), "?"),
           text_or(json_object_get(pt, "point"), "?"), text_or(json_object_get(pt, "spec"), "?"));
    printf("%6s  %-20s  %-8s  %10s  %10s  %s\n", "run", "started", "commit", "p50", "p99",
           "status");
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        char commit[16], p50[32], p99[32];
        short_commit(commit, sizeof commit, r);
        figure_text(p50, sizeof p50, json_object_get(r, "p50"));
        figure_text(p99, sizeof p99, json_object_get(r, "p99"));
        printf("%6lld  %-20s  %-8s  %10s  %10s  %s\n",
               (long long)json_integer_value(json_object_get(r, "run")),
               text_or(json_object_get(r, "started_utc"), "-"), commit, p50, p99,
               text_or(json_object_get(r, "status"), "-"));
    }
    const json_t *c = json_object_get(pt, "change");
    if (json_is_object(c)) {
        char before[32], after[32];
        format_ns(before, sizeof before, json_number_value(json_object_get(c, "before")));
        format_ns(after, sizeof after, json_number_value(json_object_get(c, "after")));
        printf("step change at run %lld: %s %s -> %s (%+.1f %%), Pettitt p = %.3g\n",
               (long long)json_integer_value(json_object_get(c, "at_run")),
               text_or(json_object_get(c, "figure"), "?"), before, after,
               100 * (json_number_value(json_object_get(c, "ratio")) - 1),
               json_number_value(json_object_get(c, "p")));
    } else {
        printf("no step change (Pettitt's test on p50 and p99 over %zu runs, p < 0.05 and a "
               "step over %g %%)\n",
               json_array_size(runs), 100 * threshold);
    }
}

static void print_json(const json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
}

/* ---- the command --------------------------------------------------------------- */

static int record_all(struct history *h, const struct history_options *o)
{
    for (size_t k = 0; k < o->nrecord; k++) {
        struct results_file r;
        char err[2048];
        if (results_read(o->record[k], &r, err, sizeof err) != 0) {
            fprintf(stderr, "bhost history: %s\n", err);
            return EXIT_USAGE;
        }
        long long run = history_record(h, r.doc, r.path, err, sizeof err);
        if (run < 0)
            fprintf(stderr, "bhost history: %s\n", err);
        else
            printf("run %lld: %s\n", run, r.path);
        results_file_free(&r);
        if (run < 0)
            return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

static int show(struct history *h, const struct history_options *o)
{
    char err[4096];
    json_t *v = o->point ? history_point(h, o->spec, o->point, o->limit_given ? o->limit : 50,
                                         o->threshold, err, sizeof err)
                         : history_runs(h, o->spec, o->limit_given ? o->limit : 20, err,
                                        sizeof err);
    if (!v) {
        int unknown = o->point && errno == ENOENT;
        fprintf(stderr, "bhost history: %s\n", err);
        return unknown ? EXIT_USAGE : EXIT_INTERNAL;
    }
    if (o->json)
        print_json(v);
    else if (o->point)
        print_point(v, o->threshold);
    else
        print_runs(v);
    json_decref(v);
    return EXIT_OK;
}

int history_command(struct cli_options *unused, int argc, char **argv)
{
    (void)unused;
    struct history_options o = {.threshold = COMPARE_DEFAULT_THRESHOLD};
    o.record = xcalloc((size_t)argc + 1, sizeof *o.record);
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) {
        free(o.record);
        return rc < 0 ? EXIT_OK : rc;
    }
    const char *path = history_path(o.file);
    if (!path) {
        free(o.record);
        return usage_error("the history is off (--history off or %s=off): give "
                           "--history FILE",
                           HISTORY_ENV);
    }
    struct history *h;
    char err[2048];
    if (history_open(path, o.nrecord > 0, &h, err, sizeof err) != 0) {
        int missing = errno == ENOENT && !o.nrecord;
        fprintf(stderr, "bhost history: %s\n", err);
        free(o.record);
        return missing ? EXIT_USAGE : EXIT_INTERNAL;
    }
    rc = o.nrecord ? record_all(h, &o) : show(h, &o);
    history_close(h);
    free(o.record);
    return rc;
}
