/* table.c — see table.h. */
#include "results/table.h"

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
static void column_widths(const json_t *points, int *label_w, int *hist_w)
{
    size_t i, lw = 5, hw = 9;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        size_t n = strlen(json_string_value(json_object_get(pt, "label")));
        lw = n > lw ? n : lw;
        const char *name;
        json_t *h;
        json_object_foreach(json_object_get(pt, "histograms"), name, h)
            hw = strlen(name) > hw ? strlen(name) : hw;
    }
    *label_w = (int)(lw > 60 ? 60 : lw);
    *hist_w = (int)(hw > 32 ? 32 : hw);
}

static void row(FILE *out, int width, int hist_w, const char *label, const char *hist,
                const json_t *h, double fail_pct)
{
    static const char *const cols[] = {"mean", "p50", "p90", "p99", "p99_9", "max"};
    fprintf(out, "%-*.*s %-*.*s %10lld", width, width, label, hist_w, hist_w, hist,
            (long long)json_integer_value(json_object_get(h, "count")));
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        char v[32];
        const json_t *x = json_object_get(h, cols[c]);
        if (json_is_number(x))
            format_ns(v, sizeof v, json_number_value(x));
        else
            snprintf(v, sizeof v, "-");
        fprintf(out, " %9s", v);
    }
    char rate[32];
    format_rate(rate, sizeof rate, json_number_value(json_object_get(h, "throughput_per_s")));
    fprintf(out, " %10s/s", rate);
    if (fail_pct > 0)
        fprintf(out, "  %.2f%% failed", fail_pct);
    fputc('\n', out);
}

void report_table(FILE *out, const json_t *doc)
{
    const json_t *points = json_object_get(doc, "points");
    int width, hist_w;
    column_widths(points, &width, &hist_w);
    fprintf(out, "%-*s %-*s %10s %9s %9s %9s %9s %9s %9s %12s\n", width, "point", hist_w,
            "histogram", "count", "mean", "p50", "p90", "p99", "p99.9", "max", "throughput");
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *label = json_string_value(json_object_get(pt, "label"));
        const char *status = json_string_value(json_object_get(pt, "status"));
        int partial = strcmp(status, "partial") == 0;
        if (strcmp(status, "ok") != 0) {
            fprintf(out, "%-*.*s %s: %s\n", width, width, label, status,
                    json_string_value(json_object_get(pt, "error")));
            if (!partial)
                continue;
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
    }
    const json_t *clock = json_object_get(json_object_get(doc, "environment"), "clock");
    double read_ns = json_number_value(json_object_get(clock, "read_ns"));
    if (read_ns <= 0)
        return;
    fprintf(out, "clock: one clock_gettime(CLOCK_MONOTONIC) read costs %.1f ns here\n", read_ns);
    /* noop's iterations are pure harness: state their cost against the clock's. */
    json_array_foreach(points, i, pt) {
        const json_t *it = json_object_get(json_object_get(pt, "histograms"), "iteration");
        if (!it || strcmp(json_string_value(json_object_get(pt, "plugin")), "noop") != 0)
            continue;
        const json_t *reps = json_object_get(it, "repetitions");
        double iterations = 0, wall_s = 0;
        size_t r;
        json_t *rep;
        json_array_foreach(reps, r, rep) {
            iterations += json_number_value(json_object_get(rep, "iterations"));
            wall_s += json_number_value(json_object_get(rep, "wall_s"));
        }
        double per_iteration = iterations > 0 ? wall_s * 1e9 / iterations : 0;
        fprintf(out, "harness: %s costs %.1f ns per measured iteration = %.2f x one clock "
                "read\n", json_string_value(json_object_get(pt, "label")), per_iteration,
                per_iteration / read_ns);
    }
}
