/* table.c — see table.h. */
#include "results/table.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

void format_ns(char *buf, size_t n, double ns)
{
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1, "ns"}, {1e3, "us"}, {1e6, "ms"}, {1e9, "s"}};
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && ns >= units[u + 1].scale)
        u++;
    double v = ns / units[u].scale;
    snprintf(buf, n, v >= 100 || u == 0 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v,
             units[u].unit);
}

void format_rate(char *buf, size_t n, double v)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T"};
    size_t p = 0;
    while (p + 1 < sizeof prefix / sizeof prefix[0] && v >= 1000) {
        v /= 1000;
        p++;
    }
    snprintf(buf, n, v >= 100 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v, prefix[p]);
}

/* Widths of the label and histogram columns: the longest of each, within reason. */
static void column_widths(struct point_source *src, int verbose, int *label_w, int *hist_w)
{
    size_t lw = 5, hw = 9;
    struct table_pick pick;
    report_table_pick(&pick, src, verbose);
    for (size_t i = 0; i < src->n; i++) {
        if (!report_table_shows(&pick, src, i))
            continue;
        json_t *pt = point_source_get(src, i);
        if (!pt)
            continue;
        size_t n = strlen(json_string_value(json_object_get(pt, "label")));
        lw = n > lw ? n : lw;
        const char *name;
        json_t *h;
        json_object_foreach(json_object_get(pt, "histograms"), name, h)
            hw = strlen(name) > hw ? strlen(name) : hw;
        json_decref(pt);
    }
    *label_w = (int)(lw > 60 ? 60 : lw);
    *hist_w = (int)(hw > 32 ? 32 : hw);
}

/* A value of a histogram in `unit`: times scaled (1.23 us), other units as numbers (1.23M). */
static void format_value(char *buf, size_t n, double v, const char *unit)
{
    if (strcmp(unit, "ns") == 0)
        format_ns(buf, n, v);
    else
        format_rate(buf, n, v);
}

static void row(FILE *out, int width, int hist_w, const char *label, const char *hist,
                const json_t *h, double fail_pct)
{
    static const char *const cols[] = {"mean", "p50", "p90", "p99", "p99_9", "max"};
    const char *unit = json_string_value(json_object_get(h, "unit"));
    unit = unit ? unit : "ns";
    int time = strcmp(unit, "ns") == 0;
    fprintf(out, "%-*.*s %-*.*s %10lld", width, width, label, hist_w, hist_w, hist,
            (long long)json_integer_value(json_object_get(h, "count")));
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        char v[32];
        const json_t *x = json_object_get(h, cols[c]);
        if (json_is_number(x))
            format_value(v, sizeof v, json_number_value(x), unit);
        else
            snprintf(v, sizeof v, "-");
        fprintf(out, " %9s", v);
    }
    /* A histogram of other values than times has no throughput: its unit stands there. */
    if (time) {
        char rate[32];
        format_rate(rate, sizeof rate,
                    json_number_value(json_object_get(h, "throughput_per_s")));
        fprintf(out, " %10s/s", rate);
    } else {
        fprintf(out, " %12.12s", unit);
    }
    if (fail_pct > 0)
        fprintf(out, "  %.2f%% failed", fail_pct);
    fputc('\n', out);
}

/* A number, short: three significant digits, SI prefixes from 1000 up (12.3, 0.0123, 4.56M). */
static void format_short(char *buf, size_t n, double v)
{
    if (v >= 1000 || v <= -1000)
        format_rate(buf, n, v);
    else
        snprintf(buf, n, "%.3g", v);
}

/*
 * One metric, short: a counter per measured iteration ("rows=2/it"), items and
 * bytes processed as rates ("1.23M items/s", "456 MB/s"), a gauge as its value
 * ("depth=12"); with `verbose`, a counter's total, per iteration and per second.
 */
static int metric_text(char *buf, size_t n, const char *name, const json_t *m, int verbose)
{
    const char *kind = json_string_value(json_object_get(m, "kind"));
    if (kind && strcmp(kind, "unavailable") == 0)
        return snprintf(buf, n, "%s unavailable: %s", name,
                        json_string_value(json_object_get(m, "reason")));
    const json_t *value = json_object_get(m, "value");
    const json_t *per_it = json_object_get(m, "per_iteration");
    const json_t *per_s = json_object_get(m, "per_second");
    char a[48], b[48], c[48];
    format_short(a, sizeof a, json_number_value(value));
    if (!json_is_number(value))
        snprintf(a, sizeof a, "-");
    if ((kind && strcmp(kind, "gauge") == 0) || !json_is_number(per_it))
        return snprintf(buf, n, "%s=%s", name, a);
    format_short(b, sizeof b, json_number_value(per_it));
    format_rate(c, sizeof c, json_number_value(per_s));
    if (verbose)
        return snprintf(buf, n, "%s=%s (%s/it, %s/s)", name, a, b, c);
    if (strcmp(name, "items_processed") == 0 && json_is_number(per_s))
        return snprintf(buf, n, "%s items/s", c);
    if (strcmp(name, "bytes_processed") == 0 && json_is_number(per_s))
        return snprintf(buf, n, "%sB/s", c);
    return snprintf(buf, n, "%s=%s/it", name, b);
}

/*
 * A point's counters and gauges under its histograms: on one line that fits
 * 80 columns, with items and bytes processed first and "+N more" for the rest;
 * with `verbose`, one line each.
 */
static void metrics_rows(FILE *out, const json_t *pt, int width, int verbose)
{
    json_t *metrics = json_object_get(pt, "metrics");
    if (json_object_size(metrics) == 0)
        return;
    static const char *const first[] = {"items_processed", "bytes_processed"};
    const char **order = calloc(json_object_size(metrics) + 1, sizeof *order);
    size_t n = 0;
    const char *name;
    json_t *m;
    for (size_t k = 0; k < 2; k++)
        if (json_object_get(metrics, first[k]))
            order[n++] = first[k];
    json_object_foreach(metrics, name, m) {
        /* The run said once what is unavailable here; -v says it for each point. */
        const char *kind = json_string_value(json_object_get(m, "kind"));
        if (!verbose && kind && strcmp(kind, "unavailable") == 0)
            continue;
        if (strcmp(name, first[0]) != 0 && strcmp(name, first[1]) != 0)
            order[n++] = name;
    }
    if (n == 0) {
        free(order);
        return;
    }
    int indent = 4;
    (void)width;
    char line[256] = "", one[160];
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        metric_text(one, sizeof one, order[i], json_object_get(metrics, order[i]), verbose);
        if (verbose) {
            fprintf(out, "%*s%s\n", indent, "", one);
            continue;
        }
        size_t room = 80 - (size_t)indent - 14; /* what "  (+99 more)" needs */
        if (strlen(line) + strlen(one) + 2 > room && shown > 0)
            break;
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s%.*s", shown ? "  " : "",
                 (int)utf8_prefix(one, 150), one);
        shown++;
    }
    if (!verbose) {
        fprintf(out, "%*s%s", indent, "", line);
        if (shown < n)
            fprintf(out, "  (+%zu more)", n - shown);
        fputc('\n', out);
    }
    free(order);
}

void report_table_pick(struct table_pick *p, struct point_source *src, int verbose)
{
    *p = (struct table_pick){0};
    for (size_t i = 0; i < src->n; i++)
        p->present += point_source_status(src, i) != NULL;
    p->all = verbose || p->present <= TABLE_FULL_MAX;
}

int report_table_shows(struct table_pick *p, struct point_source *src, size_t i)
{
    const char *status = point_source_status(src, i);
    if (!status)
        return 0;
    if (p->all || p->nth++ < TABLE_SUMMARY_ROWS)
        return 1;
    /* Past the threshold: its first rows, and the failures wherever they are. */
    return strcmp(status, "failed") == 0 || strcmp(status, "partial") == 0;
}

/* A point's rows. */
static void point_rows(FILE *out, const json_t *pt, int width, int hist_w, int verbose)
{
    const char *label = json_string_value(json_object_get(pt, "label"));
    const char *status = json_string_value(json_object_get(pt, "status"));
    int partial = strcmp(status, "partial") == 0;
    if (strcmp(status, "ok") != 0) {
        fprintf(out, "%-*.*s %s: %s\n", width, width, label, status,
                json_string_value(json_object_get(pt, "error")));
        if (!partial)
            return;
        label = ""; /* what it kept follows */
    }
    json_t *failures = json_object_get(pt, "failures");
    double fail_pct = 100.0 * (1.0 - json_number_value(json_object_get(failures,
                                                                       "success_rate")));
    const char *name;
    json_t *h;
    int first = 1;
    json_object_foreach(json_object_get(pt, "histograms"), name, h) {
        row(out, width, hist_w, first ? label : "", name, h, first ? fail_pct : 0);
        first = 0;
    }
    metrics_rows(out, pt, width, verbose);
}

/* noop's iterations are pure harness: state their cost against the clock's. */
static void harness_line(FILE *out, const json_t *pt, double read_ns)
{
    const json_t *it = json_object_get(json_object_get(pt, "histograms"), "iteration");
    if (!it || strcmp(json_string_value(json_object_get(pt, "plugin")), "noop") != 0)
        return;
    const json_t *reps = json_object_get(it, "repetitions");
    double iterations = 0, wall_s = 0;
    size_t r;
    json_t *rep;
    json_array_foreach(reps, r, rep) {
        iterations += json_number_value(json_object_get(rep, "iterations"));
        wall_s += json_number_value(json_object_get(rep, "wall_s"));
    }
    /* On several threads, each thread's iterations took the whole wall time. */
    json_int_t threads = json_integer_value(json_object_get(pt, "threads"));
    threads = threads > 1 ? threads : 1;
    double per_iteration = iterations > 0 ? wall_s * 1e9 * (double)threads / iterations : 0;
    fprintf(out, "harness: %s costs %.1f ns per measured iteration%s = %.2f x one clock "
            "read\n", json_string_value(json_object_get(pt, "label")), per_iteration,
            threads > 1 ? " on each thread" : "", per_iteration / read_ns);
}

void report_table(FILE *out, const json_t *doc, int verbose)
{
    struct point_source src;
    point_source_of_array(&src, json_object_get(doc, "points"));
    report_table_points(out, doc, &src, verbose);
}

void report_table_points(FILE *out, const json_t *doc, struct point_source *src, int verbose)
{
    int width, hist_w;
    column_widths(src, verbose, &width, &hist_w);
    fprintf(out, "%-*s %-*s %10s %9s %9s %9s %9s %9s %9s %12s\n", width, "point", hist_w,
            "histogram", "count", "mean", "p50", "p90", "p99", "p99.9", "max", "throughput");
    size_t shown = 0;
    struct table_pick pick;
    report_table_pick(&pick, src, verbose);
    for (size_t i = 0; i < src->n; i++) {
        if (!report_table_shows(&pick, src, i))
            continue;
        json_t *pt = point_source_get(src, i);
        if (pt)
            point_rows(out, pt, width, hist_w, verbose);
        shown += pt != NULL;
        json_decref(pt);
    }
    if (shown < pick.present)
        fprintf(out, "... %zu more points not shown (the first %d and every failure are): "
                "-v shows every row; results.json and `bhost report` have them all\n",
                pick.present - shown, TABLE_SUMMARY_ROWS);
    const json_t *clock = json_object_get(json_object_get(doc, "environment"), "clock");
    double read_ns = json_number_value(json_object_get(clock, "read_ns"));
    if (read_ns <= 0)
        return;
    fprintf(out, "clock: one clock_gettime(CLOCK_MONOTONIC) read costs %.1f ns here\n", read_ns);
    const json_t *timer = json_object_get(json_object_get(doc, "environment"), "timer");
    const char *source = json_string_value(json_object_get(timer, "source"));
    if (source)
        fprintf(out, "timer: the measured loops read %s, %.1f ns a timestamp%s%s\n", source,
                json_number_value(json_object_get(timer, "read_ns")),
                json_is_string(json_object_get(timer, "fallback")) ? "; " : "",
                json_is_string(json_object_get(timer, "fallback"))
                    ? json_string_value(json_object_get(timer, "fallback"))
                    : "");
    report_table_pick(&pick, src, verbose);
    for (size_t i = 0; i < src->n; i++) {
        if (!report_table_shows(&pick, src, i))
            continue;
        json_t *pt = point_source_get(src, i);
        if (pt)
            harness_line(out, pt, read_ns);
        json_decref(pt);
    }
}
