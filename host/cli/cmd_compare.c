/*
 * cmd_compare.c — `bhost compare A B` (docs/compare.md): reads the two
 * results, has compare/ compare them, prints the outcome and exits with it.
 */
#include "cli/cmd_compare.h"
#include "cli/baseline.h"
#include "history/history.h"
#include "results/results_read.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char compare_usage[] =
    "usage: bhost compare A B [--threshold 2%|0.02] [--percentiles 50,90,99]\n"
    "                         [--histogram NAME] [--history FILE] [--json | --markdown] [-q]\n"
    "\n"
    "Compares run B against run A point by point (points matched by id): for each\n"
    "histogram and percentile, the medians over repetitions, the ratio B/A with its\n"
    "95% interval (Mann-Whitney, over the repetitions) and a verdict: faster, slower,\n"
    "same or inconclusive. Also failures and metrics, and what differs between the\n"
    "two runs' environments. A and B are results.json files or run directories;\n"
    "A may be 'history': the rolling baseline of B's spec on B's machine, from the\n"
    "history database (the median of its last 5 such runs; docs/history.md).\n"
    "See docs/compare.md.\n"
    "\n"
    "options:\n"
    "  --threshold T     the noise threshold: a ratio within it is no change\n"
    "                    (2% or 0.02; default 2%)\n"
    "  --percentiles L   the percentiles to compare, comma-separated (default 50,90,99)\n"
    "  --histogram NAME  only this histogram (default: every one both runs have)\n"
    "  --history FILE    the history database, for A = history (default\n"
    "                    $BHOST_HISTORY, else results/history.sqlite)\n"
    "  --json            print the comparison as JSON\n"
    "  --markdown        print a Markdown table, for a pull-request comment\n"
    "  -q, --quiet       print the summary line only\n"
    "\n"
    "exit codes: 0 no regression, 4 regression (a figure slower, or more failures),\n"
    "            5 inconclusive (too few repetitions or too noisy to tell),\n"
    "            2 bad usage or input\n";

__attribute__((format(printf, 1, 2)))
static int compare_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("compare", "Try 'bhost compare --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

/* "2%" is 0.02; "0.02" is 0.02; "2" is refused (a fraction of 2 is surely meant as 2%). */
static int parse_threshold(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || errno || !isfinite(x) || x < 0)
        return -1;
    if (strcmp(end, "%") == 0)
        x /= 100;
    else if (*end || x >= 1)
        return -1;
    *out = x;
    return 0;
}

static int parse_percentiles(const char *v, struct compare_options *o)
{
    const char *s = v;
    o->npercentiles = 0;
    while (*s) {
        char *end;
        errno = 0;
        double p = strtod(s, &end);
        if (end == s || errno || (*end && *end != ','))
            return -1;
        if (o->npercentiles == COMPARE_MAX_PERCENTILES)
            return -2;
        o->percentiles[o->npercentiles++] = p;
        s = *end ? end + 1 : end;
        if (*end && !*s)
            return -1;
    }
    return o->npercentiles ? 0 : -1;
}

int compare_options_parse(struct compare_options *o, const char *threshold,
                          const char *percentiles, const char *histogram, char *err,
                          size_t errlen)
{
    *o = (struct compare_options){.threshold = COMPARE_DEFAULT_THRESHOLD,
                                  .confidence = COMPARE_DEFAULT_CONFIDENCE,
                                  .histogram = histogram};
    if (threshold && parse_threshold(threshold, &o->threshold) != 0) {
        snprintf(err, errlen, "--threshold needs a percentage (2%%) or a fraction below 1 "
                 "(0.02), got '%s'", threshold);
        return -1;
    }
    int bad = percentiles ? parse_percentiles(percentiles, o) : 0;
    if (bad == -2)
        snprintf(err, errlen, "--percentiles takes at most %d percentiles",
                 COMPARE_MAX_PERCENTILES);
    else if (bad)
        snprintf(err, errlen, "--percentiles needs numbers separated by commas (50,90,99.9), "
                 "got '%s'", percentiles);
    if (!bad && histogram && !*histogram) {
        snprintf(err, errlen, "--histogram needs a histogram's name");
        bad = -1;
    }
    return bad ? -1 : 0;
}

static int exit_code(enum compare_outcome outcome)
{
    return outcome == COMPARE_REGRESSION     ? EXIT_REGRESSION
           : outcome == COMPARE_INCONCLUSIVE ? EXIT_INCONCLUSIVE
                                             : EXIT_OK;
}

int compare_print_docs(const json_t *a, const char *a_name, const json_t *b, const char *b_name,
                       const struct compare_options *o, int format, const json_t *extra,
                       FILE *out)
{
    struct compare_result r;
    char err[1024];
    if (compare_docs(a, b, o, &r, err, sizeof err) != 0) {
        fprintf(stderr, "bhost compare: %s (A: %s, B: %s)\n", err, a_name, b_name);
        return EXIT_USAGE;
    }
    size_t i;
    json_t *w;
    json_array_foreach(r.warnings, i, w)
    {
        char *text = text_scrub_controls(xstrdup(json_string_value(w)));
        fprintf(stderr, "bhost compare: warning: %s\n", text);
        free(text);
    }
    if (format == COMPARE_FORMAT_JSON) {
        json_t *j = compare_to_json(&r, o);
        json_object_set_new(j, "a", json_string(a_name));
        json_object_set_new(j, "b", json_string(b_name));
        if (extra)
            json_object_update(j, (json_t *)(uintptr_t)extra);
        json_dumpf(j, out, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        fputc('\n', out);
        json_decref(j);
    } else if (format == COMPARE_FORMAT_MARKDOWN) {
        fprintf(out, "**bhost compare**: A `%s`, B `%s`\n\n", a_name, b_name);
        compare_print_markdown(out, &r, o);
    } else if (format == COMPARE_FORMAT_SUMMARY) {
        json_t *s = r.summary;
        long long figures = (long long)json_integer_value(json_object_get(s, "figures"));
        long long more = (long long)json_integer_value(json_object_get(s, "more_failures"));
        fprintf(out, "%lld figure%s: %lld slower, %lld faster, %lld same, %lld inconclusive; "
                "%lld point%s with more failures\n",
                figures, figures == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(s, "slower")),
                (long long)json_integer_value(json_object_get(s, "faster")),
                (long long)json_integer_value(json_object_get(s, "same")),
                (long long)json_integer_value(json_object_get(s, "inconclusive")),
                more, more == 1 ? "" : "s");
    } else {
        fprintf(out, "A: %s\nB: %s\n\n", a_name, b_name);
        compare_print_table(out, &r, o);
    }
    int rc = exit_code(r.outcome);
    compare_result_free(&r);
    return rc;
}

int compare_command(struct cli_options *unused, int argc, char **argv)
{
    (void)unused;
    struct compare_options o;
    const char *inputs[2] = {NULL, NULL}, *history = NULL;
    const char *threshold = NULL, *percentiles = NULL, *histogram = NULL;
    size_t n = 0;
    int format = COMPARE_FORMAT_TABLE, json = 0, markdown = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int missing = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(compare_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--markdown") == 0) {
            markdown = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (cli_is_option(a, "--threshold")) {
            if (!(threshold = cli_option_value(argc, argv, &i, "--threshold", &missing)))
                return compare_usage_error("--threshold needs a percentage (2%%) or a fraction "
                                           "below 1 (0.02)");
        } else if (cli_is_option(a, "--percentiles")) {
            if (!(percentiles = cli_option_value(argc, argv, &i, "--percentiles", &missing)))
                return compare_usage_error("--percentiles needs numbers separated by commas "
                                           "(50,90,99.9)");
        } else if (cli_is_option(a, "--history")) {
            if (!(history = cli_option_value(argc, argv, &i, "--history", &missing)))
                return compare_usage_error("--history needs a database file");
        } else if (cli_is_option(a, "--histogram")) {
            if (!(histogram = cli_option_value(argc, argv, &i, "--histogram", &missing)))
                return compare_usage_error("--histogram needs a histogram's name");
        } else if (a[0] == '-' && a[1]) {
            return compare_usage_error("unknown option '%s'", a);
        } else if (n == 2) {
            return compare_usage_error("unexpected argument '%s': compare takes two runs", a);
        } else {
            inputs[n++] = a;
        }
    }
    char err[1024];
    if (compare_options_parse(&o, threshold, percentiles, histogram, err, sizeof err) != 0)
        return compare_usage_error("%s", err);
    if (n < 2)
        return compare_usage_error("needs two runs: bhost compare A B");
    if (json && markdown)
        return compare_usage_error("--json and --markdown do not go together");
    format = json ? COMPARE_FORMAT_JSON
             : markdown ? COMPARE_FORMAT_MARKDOWN
             : quiet ? COMPARE_FORMAT_SUMMARY
                     : COMPARE_FORMAT_TABLE;
    struct results_file ra = {0}, rb = {0};
    int rc = EXIT_USAGE, from_history = strcmp(inputs[0], "history") == 0;
    if ((!from_history && results_read(inputs[0], &ra, err, sizeof err) != 0) ||
        results_read(inputs[1], &rb, err, sizeof err) != 0) {
        fprintf(stderr, "bhost compare: %s\n", err);
    } else if (from_history) {
        /* A is the rolling baseline of B's spec on B's machine. */
        int none_yet;
        const char *db = history_path(history);
        json_t *a = baseline_load("history", db, rb.doc, &none_yet, err, sizeof err);
        if (!a)
            fprintf(stderr, "bhost compare: no baseline in the history: %s\n", err);
        if (a) {
            char *name = xasprintf("history (%s)", db);
            rc = compare_print_docs(a, name, rb.doc, inputs[1], &o, format, NULL, stdout);
            free(name);
            json_decref(a);
        }
    } else {
        rc = compare_print_docs(ra.doc, inputs[0], rb.doc, inputs[1], &o, format, NULL, stdout);
    }
    results_file_free(&ra);
    results_file_free(&rb);
    return rc;
}
