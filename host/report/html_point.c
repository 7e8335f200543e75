/* html_point.c — see html_point.h. */
#include "report/html_point.h"
#include "report/facts.h"
#include "report/html_compare.h"
#include "report/plot_percentiles.h"
#include "report/plot_sparkline.h"
#include "report/units.h"
#include "results/results_read.h"
#include "util/escape.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_LINES 8
#define TABLE_ROWS 15 /* rows of a plugin's table shown; the rest are in results.json */

/* The distribution plot: the point's iteration histogram, its response histogram (open
 * loop), and the baseline's iteration histogram when it has the "hdr". */
static void distribution(const struct html_page *p, const json_t *point)
{
    struct hdr h[3];
    struct plot_distribution d[3];
    size_t n = 0;
    const json_t *base = p->base_points ? json_object_get(p->base_points,
                                                          view_text(point, "id")) : NULL;
    const struct {
        const json_t *point;
        const char *histogram, *name, *cls;
    } wanted[] = {{point, "iteration", "this run", "s0"},
                  {point, "response", "response time", "s1"},
                  {base, "iteration", "baseline", "base"}};
    for (size_t k = 0; k < sizeof wanted / sizeof wanted[0]; k++) {
        const json_t *hist = wanted[k].point ? view_histogram(wanted[k].point, wanted[k].histogram)
                                             : NULL;
        if (!hist || (k > 0 && n == 0) || results_hdr(hist, &h[n]) != 0)
            continue;
        if (h[n].total_count <= 0) {
            hdr_fini(&h[n]);
            continue;
        }
        d[n] = (struct plot_distribution){.h = &h[n], .name = wanted[k].name,
                                          .cls = wanted[k].cls};
        n++;
    }
    if (!n) {
        fputs("<p class=\"none\">No measured iteration: no distribution to draw.</p>", p->f);
        return;
    }
    char *title = xasprintf("%s: percentile distribution of the iteration times",
                            view_text(point, "label") ? view_text(point, "label") : "?");
    const char *unit = view_text(view_histogram(point, "iteration"), "unit");
    plot_percentiles(p->f, d, n, title, unit);
    free(title);
    for (size_t k = 0; k < n; k++)
        hdr_fini(&h[k]);
}

static void figure_row(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<tr><th>%s</th>", name);
    html_td(f, "n", value);
    fputs("</tr>", f);
}

/* The iteration histogram's figures, repetitions and wall time. */
static void figures(FILE *f, const json_t *point)
{
    static const struct {
        const char *key, *name;
    } rows[] = {{"min", "min"}, {"p50", "p50"}, {"p90", "p90"}, {"p99", "p99"},
                {"p99_9", "p99.9"}, {"max", "max"}, {"mean", "mean"}, {"stddev", "stddev"}};
    const json_t *h = view_histogram(point, "iteration");
    const char *unit = view_text(h, "unit");
    char buf[64];
    fputs("<table class=\"figs\"><tbody>", f);
    if (h) {
        figure_row(f, "count", units_count(buf, sizeof buf,
                                           json_integer_value(json_object_get(h, "count"))));
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
            figure_row(f, rows[k].name, units_figure(buf, sizeof buf,
                                                     view_number(h, rows[k].key), unit));
        figure_row(f, "throughput", units_rate(buf, sizeof buf, view_number(h, "throughput_per_s")));
    }
    figure_row(f, "repetitions", units_count(buf, sizeof buf,
                                             json_integer_value(json_object_get(point,
                                                                                "repetitions"))));
    figure_row(f, "wall time", units_seconds(buf, sizeof buf, view_number(point, "wall_s")));
    fputs("</tbody></table>", f);
}

/* One sparkline with its words: "p50 [line] 1.02 µs → 1.05 µs". */
static void sparkline(FILE *f, const json_t *runs, const char *figure, int last_is_this_run)
{
    size_t n = json_array_size(runs), i;
    double *v = xcalloc(n + 1, sizeof *v), lo = INFINITY, hi = -INFINITY;
    const json_t *r;
    json_array_foreach(runs, i, r) {
        v[i] = view_number(r, figure);
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    }
    char first[64], last[64], low[64], high[64], title[256];
    snprintf(title, sizeof title, "%s over the last %zu runs in the history: from %s to %s", figure,
             n, units_time(low, sizeof low, lo), units_time(high, sizeof high, hi));
    fprintf(f, "<div class=\"sparkrow\"><span class=\"fig\">%s</span>", figure);
    plot_sparkline(f, v, n, last_is_this_run, title);
    fprintf(f, "<span>%s → %s</span></div>", units_time(first, sizeof first, v[0]),
            units_time(last, sizeof last, v[n ? n - 1 : 0]));
    free(v);
}

static void history(const struct html_page *p, const json_t *point)
{
    const struct history_series *h = p->r->history;
    if (!h || h->note[0])
        return; /* said once, in the notes */
    const json_t *runs = json_object_get(h->points, view_text(point, "id"));
    size_t past = history_series_past(h, runs);
    FILE *f = p->f;
    fputs("<div class=\"history\"><h4>History</h4>", f);
    if (!past) {
        fputs("<p class=\"none\">No past run of this point in the history.</p></div>", f);
        return;
    }
    size_t measured = 0, i;
    const json_t *run;
    json_array_foreach(runs, i, run)
        measured += isfinite(view_number(run, "p50"));
    if (!measured) {
        fprintf(f, "<p class=\"none\">%zu past run%s in the history, none with figures "
                   "(the point measured nothing).</p></div>", past, past == 1 ? "" : "s");
        return;
    }
    const json_t *last = json_array_get(runs, json_array_size(runs) - 1);
    int now = h->this_run && json_integer_value(json_object_get(last, "run")) == h->this_run;
    sparkline(f, runs, "p50", now);
    sparkline(f, runs, "p99", now);
    fprintf(f, "<p class=\"small\">%zu past run%s%s (medians over each run's repetitions)</p></div>",
            past, past == 1 ? "" : "s", now ? " and this one (marked)" : "");
}

static void metric_row(FILE *f, const char *name, const json_t *m)
{
    const char *kind = view_text(m, "kind");
    char value[64], rate[64], per[64];
    fputs("<tr>", f);
    html_td(f, NULL, name);
    html_td(f, NULL, kind);
    if (kind && strcmp(kind, "unavailable") == 0) {
        fputs("<td colspan=\"3\" class=\"why\">", f);
        escape_html(f, view_text(m, "reason") ? view_text(m, "reason") : "no reason given");
        fputs("</td></tr>", f);
        return;
    }
    html_td(f, "n", units_number(value, sizeof value, view_number(m, "value")));
    html_td(f, "n", json_object_get(m, "per_second") ? units_rate(rate, sizeof rate,
                                                                  view_number(m, "per_second"))
                                                     : "");
    html_td(f, "n", json_object_get(m, "per_iteration")
                        ? units_number(per, sizeof per, view_number(m, "per_iteration"))
                        : "");
    fputs("</tr>", f);
}

/* A metrics object as a table (point or instrument). */
static void metrics(const struct html_page *p, json_t *ms)
{
    size_t n = json_object_size(ms);
    if (!n)
        return;
    FILE *f = p->f;
    fprintf(f, "<details%s><summary>Metrics (%zu)</summary><table class=\"metrics\"><thead><tr>"
               "<th>name</th><th>kind</th><th class=\"n\">value</th><th class=\"n\">per second"
               "</th><th class=\"n\">per iteration</th></tr></thead><tbody>",
            p->v->npoints <= HTML_MANY_POINTS ? " open" : "", n);
    const char *name;
    const json_t *m;
    json_object_foreach(ms, name, m)
        metric_row(f, name, m);
    fputs("</tbody></table></details>\n", f);
}

static void table_cell(FILE *f, const json_t *cell, const json_t *column)
{
    char buf[64];
    if (json_is_string(cell)) {
        html_td(f, NULL, json_string_value(cell));
    } else if (json_is_number(cell)) {
        const char *unit = view_text(column, "unit");
        snprintf(buf, sizeof buf, "%.4g", json_number_value(cell));
        fputs("<td class=\"n\">", f);
        escape_html(f, buf);
        if (unit && *unit) {
            fputc(' ', f);
            escape_html(f, unit);
        }
        fputs("</td>", f);
    } else {
        html_td(f, NULL, "");
    }
}

/* The plugins' tables they asked to show (a profiler's top functions), first rows only. */
static void shown_tables(const struct html_page *p, const json_t *point)
{
    const char *name;
    const json_t *t;
    json_object_foreach(json_object_get(point, "tables"), name, t) {
        if (!json_is_true(json_object_get(t, "show")))
            continue;
        FILE *f = p->f;
        const json_t *columns = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
        fprintf(f, "<details%s><summary>", p->v->npoints <= HTML_MANY_POINTS ? " open" : "");
        escape_html(f, view_text(t, "title") ? view_text(t, "title") : name);
        fputs("</summary><table class=\"tbl\"><thead><tr>", f);
        size_t i, j;
        const json_t *c, *row;
        json_array_foreach(columns, i, c) {
            fputs("<th>", f);
            escape_html(f, view_text(c, "name") ? view_text(c, "name") : "");
            fputs("</th>", f);
        }
        fputs("</tr></thead><tbody>", f);
        json_array_foreach(rows, i, row) {
            if (i == TABLE_ROWS)
                break;
            fputs("<tr>", f);
            json_array_foreach(row, j, c)
                table_cell(f, c, json_array_get(columns, j));
            fputs("</tr>", f);
        }
        fputs("</tbody></table>", f);
        if (json_array_size(rows) > TABLE_ROWS)
            fprintf(f, "<p class=\"small\">The first %d of %zu rows; all are in results.json.</p>",
                    TABLE_ROWS, json_array_size(rows));
        fputs("</details>\n", f);
    }
}

static void failure_reasons(FILE *f, const json_t *point)
{
    const json_t *failures = json_object_get(point, "failures");
    const json_t *reasons = json_object_get(failures, "reasons");
    if (!json_array_size(reasons))
        return;
    char n[32];
    fprintf(f, "<h4>Failed iterations: %s</h4><table class=\"reasons\"><thead><tr><th>reason</th>"
               "<th class=\"n\">count</th></tr></thead><tbody>",
            units_count(n, sizeof n, json_integer_value(json_object_get(failures, "count"))));
    size_t i;
    const json_t *r;
    json_array_foreach(reasons, i, r) {
        fputs("<tr>", f);
        html_td(f, NULL, view_text(r, "reason"));
        html_td(f, "n", units_count(n, sizeof n, json_integer_value(json_object_get(r, "count"))));
        fputs("</tr>", f);
    }
    fputs("</tbody></table>\n", f);
}

static void error(FILE *f, const json_t *point)
{
    const char *err = view_text(point, "error");
    if (!err)
        return;
    fputs("<p class=\"error\"><b>Error:</b> ", f);
    escape_html(f, err);
    fputs("</p>", f);
    char *tail = facts_tail(view_text(point, "stderr_tail"), TAIL_LINES);
    if (tail) {
        fputs("<p class=\"small\">What its process printed last:</p><pre>", f);
        escape_html(f, tail);
        fputs("</pre>", f);
        free(tail);
    }
}

static void notes(FILE *f, const json_t *point)
{
    json_t *ns = json_object_get(point, "notes");
    if (!json_object_size(ns))
        return;
    fputs("<h4>Notes</h4><ul class=\"notes\">", f);
    const char *key;
    const json_t *n;
    json_object_foreach(ns, key, n) {
        fputs("<li><b>", f);
        escape_html(f, key);
        fputs("</b>: ", f);
        escape_html(f, json_string_value(n) ? json_string_value(n) : "");
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
}

static void artifacts(const struct html_page *p, const json_t *point)
{
    const json_t *list = json_object_get(point, "artifacts");
    if (!json_array_size(list))
        return;
    FILE *f = p->f;
    fputs("<h4>Artifacts</h4><ul class=\"artifacts\">", f);
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a) {
        const char *path = view_text(a, "path"), *name = view_text(a, "name");
        if (!path)
            continue;
        fputs("<li><a href=\"", f);
        html_href(f, p->r->run_dir, path);
        fputs("\">", f);
        escape_html(f, name ? name : path);
        fputs("</a> <span class=\"small\">", f);
        escape_html(f, view_text(a, "media_type") ? view_text(a, "media_type") : "");
        const json_t *size = json_object_get(a, "size");
        if (json_is_integer(size)) {
            char n[32];
            fprintf(f, ", %s bytes", units_count(n, sizeof n, json_integer_value(size)));
        } else {
            fputs(", not there", f);
        }
        fputs("</span></li>", f);
    }
    fputs("</ul>\n", f);
}

void html_point(const struct html_page *p, const json_t *point)
{
    FILE *f = p->f;
    char anchor[32];
    html_point_anchor(anchor, sizeof anchor, point);
    fprintf(f, "<section class=\"point\" id=\"%s\"><h3><a href=\"#%s\">", anchor, anchor);
    escape_html(f, view_text(point, "label") ? view_text(point, "label") : "?");
    fputs("</a> ", f);
    html_badge(f, view_text(point, "status"));
    fputs(" <span class=\"id\">", f);
    escape_html(f, view_text(point, "id") ? view_text(point, "id") : "");
    fputs("</span></h3>\n<div class=\"pointbody\">", f);
    distribution(p, point);
    fputs("<div class=\"side\">", f);
    figures(f, point);
    history(p, point);
    fputs("</div><div class=\"more\">", f);
    metrics(p, json_object_get(point, "metrics"));
    fputs("</div></div>\n", f);
    if (p->r->compare)
        html_compare_point(p, point);
    error(f, point);
    failure_reasons(f, point);
    shown_tables(p, point);
    notes(f, point);
    artifacts(p, point);
    fputs("</section>\n", f);
}
