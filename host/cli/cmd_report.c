/*
 * cmd_report.c — `bhost report RUN` (docs/report.md): reads the run, the
 * baseline it is compared with and its history, has report/ write each
 * report into memory, then writes each file whole (or to stdout).
 */
#include "cli/cmd_report.h"
#include "cli/baseline.h"
#include "cli/cmd_compare.h"
#include "history/history.h"
#include "report/report.h"
#include "results/results_read.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
    "usage: bhost report RUN [--compare BASE] [--history FILE|off] [--threshold T]\n"
    "                        [--percentiles L] [--out DIR|-] [--markdown | --html]\n"
    "\n"
    "Writes the reports of a finished run: report.md, a Markdown summary in the shape\n"
    "of a RESULTS.md (a table per experiment, the gates, failures, notes, the\n"
    "environment), and report.html, one self-contained page with each point's\n"
    "percentile distribution, a plot per swept parameter, metrics, artifacts and\n"
    "each point's history. RUN is a run directory or a results.json. Prints the\n"
    "paths written. See docs/report.md.\n"
    "\n"
    "options:\n"
    "  --compare BASE    compare with BASE (a run directory, a results.json, or\n"
    "                    'history': the rolling baseline), as bhost compare does\n"
    "  --history FILE    the history database for sparklines and --compare history\n"
    "                    (default $BHOST_HISTORY, else results/history.sqlite; off: none)\n"
    "  --threshold T     --compare: the noise threshold (2% or 0.02; default 2%)\n"
    "  --percentiles L   --compare: the percentiles compared (default 50,90,99)\n"
    "  --out DIR         write into DIR (created) instead of beside the results;\n"
    "                    '-': to stdout, with --markdown or --html\n"
    "  --markdown        write only report.md\n"
    "  --html            write only report.html\n"
    "\n"
    "exit codes: 0 written, 2 bad usage or input (results that cannot be read, a\n"
    "            baseline that cannot be compared), 3 a report that cannot be written\n";

__attribute__((format(printf, 1, 2)))
static int report_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("report", "Try 'bhost report --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

struct report_args {
    const char *run, *compare, *history, *threshold, *percentiles, *out;
    int markdown, html;
};

static int parse(int argc, char **argv, struct report_args *a, int *help)
{
    static const struct {
        const char *name, *needs;
        size_t offset;
    } valued[] = {
        {"--compare", "a run directory, a results.json or 'history'",
         offsetof(struct report_args, compare)},
        {"--history", "a database file, or off", offsetof(struct report_args, history)},
        {"--threshold", "a percentage (2%) or a fraction below 1 (0.02)",
         offsetof(struct report_args, threshold)},
        {"--percentiles", "numbers separated by commas (50,90,99.9)",
         offsetof(struct report_args, percentiles)},
        {"--out", "a directory, or - for stdout", offsetof(struct report_args, out)},
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        size_t k;
        for (k = 0; k < sizeof valued / sizeof valued[0]; k++)
            if (cli_is_option(arg, valued[k].name))
                break;
        if (k < sizeof valued / sizeof valued[0]) {
            int missing = 0;
            const char *v = cli_option_value(argc, argv, &i, valued[k].name, &missing);
            if (!v)
                return report_usage_error("%s needs %s", valued[k].name, valued[k].needs);
            *(const char **)((char *)a + valued[k].offset) = v;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            *help = 1;
            return EXIT_OK;
        } else if (strcmp(arg, "--markdown") == 0) {
            a->markdown = 1;
        } else if (strcmp(arg, "--html") == 0) {
            a->html = 1;
        } else if (arg[0] == '-' && arg[1]) {
            return report_usage_error("unknown option '%s'", arg);
        } else if (a->run) {
            return report_usage_error("unexpected argument '%s': report takes one run", arg);
        } else {
            a->run = arg;
        }
    }
    if (!a->run)
        return report_usage_error("needs a run: bhost report RUN (a run directory or a "
                                  "results.json)");
    if ((a->threshold || a->percentiles) && !a->compare)
        return report_usage_error("--threshold and --percentiles go with --compare");
    if (a->out && strcmp(a->out, "-") == 0 && a->markdown == a->html)
        return report_usage_error(a->markdown ? "--out - writes one report to stdout: give "
                                                "--markdown or --html, not both"
                                              : "--out - writes one report to stdout: add "
                                                "--markdown or --html");
    if (!a->markdown && !a->html)
        a->markdown = a->html = 1;
    return EXIT_OK;
}

/* The directory holding `file` ("." when none is named), malloc'd. */
static char *directory_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == file)
        return xstrdup("/");
    return xasprintf("%.*s", (int)(slash - file), file);
}

/* The directory `to` as a path relative to the directory `from`: "." when they are the
 * same; `to` itself when either cannot be resolved. malloc'd. */
static char *relative_dir(const char *from, const char *to)
{
    char *f = realpath(from, NULL), *t = realpath(to, NULL);
    if (!f || !t) {
        free(f);
        free(t);
        return xstrdup(to);
    }
    /* The longest common prefix that ends at a whole component of both. */
    size_t common = 0;
    for (size_t k = 0;; k++) {
        int fe = f[k] == '\0' || f[k] == '/', te = t[k] == '\0' || t[k] == '/';
        if (fe && te)
            common = k;
        if (f[k] != t[k] || !f[k])
            break;
    }
    char *out = xstrdup("");
    for (const char *s = f + common; *s; s++)
        if (*s == '/') {
            char *next = xasprintf("%s%s..", out, *out ? "/" : "");
            free(out);
            out = next;
        }
    const char *rest = t + common + (t[common] == '/');
    if (*rest) {
        char *next = xasprintf("%s%s%s", out, *out ? "/" : "", rest);
        free(out);
        out = next;
    }
    if (!*out) {
        free(out);
        out = xstrdup(".");
    }
    free(f);
    free(t);
    return out;
}

/* One report into memory, then to `path` whole (or to stdout for "-"). */
static int write_report(const struct report *r, void (*writer)(FILE *, const struct report *),
                        const char *dir, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fprintf(stderr, "bhost report: cannot make the %s report: %s\n", name, strerror(errno));
        return EXIT_INTERNAL;
    }
    writer(mem, r);
    int rc = EXIT_OK;
    if (fclose(mem) != 0) {
        fprintf(stderr, "bhost report: cannot make the %s report: %s\n", name, strerror(errno));
        rc = EXIT_INTERNAL;
    } else if (strcmp(dir, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "bhost report: cannot write to stdout: %s\n", strerror(errno));
            rc = EXIT_INTERNAL;
        }
    } else {
        char *path = xasprintf("%s/%s", dir, name);
        if (write_file_atomic(path, text, len) != 0) {
            fprintf(stderr, "bhost report: cannot write %s: %s\n", path, strerror(errno));
            rc = EXIT_INTERNAL;
        } else {
            printf("%s\n", path);
        }
        free(path);
    }
    free(text);
    return rc;
}

/* The baseline and the comparison with it; EXIT_OK, or EXIT_USAGE after a message. */
static int compare_with(const struct report_args *a, const json_t *doc, json_t **base,
                        char **base_name, struct compare_options *o, struct compare_result *cmp)
{
    char err[2048];
    if (compare_options_parse(o, a->threshold, a->percentiles, NULL, err, sizeof err) != 0)
        return report_usage_error("%s", err);
    int none_yet;
    const char *db = history_path(a->history);
    *base = baseline_load(a->compare, db, doc, &none_yet, err, sizeof err);
    if (!*base && none_yet) {
        fprintf(stderr, "bhost report: note: nothing to compare with: %s; the report has no "
                        "comparison\n", err);
        return EXIT_OK;
    }
    if (!*base) {
        fprintf(stderr, "bhost report: --compare %s: %s\n", a->compare, err);
        return EXIT_USAGE;
    }
    *base_name = strcmp(a->compare, "history") == 0 ? xasprintf("history (%s)", db)
                                                    : xstrdup(a->compare);
    if (compare_docs(*base, doc, o, cmp, err, sizeof err) != 0) {
        fprintf(stderr, "bhost report: cannot compare with %s: %s\n", *base_name, err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int report_command(struct cli_options *unused, int argc, char **argv)
{
    (void)unused;
    struct report_args a = {0};
    int help = 0, rc = parse(argc, argv, &a, &help);
    if (rc != EXIT_OK || help) {
        if (help)
            fputs(report_usage, stdout);
        return rc;
    }
    struct results_file rf = {0};
    char err[2048];
    if (results_read(a.run, &rf, err, sizeof err) != 0) {
        fprintf(stderr, "bhost report: %s\n", err);
        results_file_free(&rf);
        return EXIT_USAGE;
    }
    json_t *base = NULL;
    char *base_name = NULL;
    struct compare_options copts;
    struct compare_result cmp = {0};
    struct report_compare rc_compare = {0};
    struct history_series hs = {0};
    char *run_dir = directory_of(rf.path);
    char *out = xstrdup(a.out ? a.out : run_dir), *links = NULL;
    if (a.compare)
        rc = compare_with(&a, rf.doc, &base, &base_name, &copts, &cmp);
    if (rc == EXIT_OK && strcmp(out, "-") != 0 && mkdir_p(out, 0777) != 0) {
        fprintf(stderr, "bhost report: cannot create %s: %s\n", out, strerror(errno));
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK) {
        links = relative_dir(strcmp(out, "-") == 0 ? "." : out, run_dir);
        rc_compare = (struct report_compare){.result = &cmp, .options = &copts, .base = base,
                                             .base_name = base_name};
        if (a.html)
            history_series_load(&hs, history_path(a.history), rf.doc, rf.path);
        struct report r = {.doc = rf.doc, .results_path = rf.path, .run_dir = links,
                           .compare = base ? &rc_compare : NULL,
                           .history = a.html ? &hs : NULL};
        if (a.markdown)
            rc = write_report(&r, report_markdown, out, "report.md");
        if (a.html && rc == EXIT_OK)
            rc = write_report(&r, report_html, out, "report.html");
    }
    compare_result_free(&cmp);
    history_series_free(&hs);
    json_decref(base);
    free(base_name);
    free(links);
    free(out);
    free(run_dir);
    results_file_free(&rf);
    return rc;
}
