/*
 * html.c — report_html() of report.h: the page (docs/report.md). Its head
 * forbids every script, request and font (Content-Security-Policy); its
 * body is the summary, the contents, each experiment's table and parameter
 * plots, the gates, the comparison, failures, notes, every point's
 * details, the instruments and the environment. Every string from the
 * results goes through escape_html().
 */
#include "report/facts.h"
#include "report/html_compare.h"
#include "report/html_parts.h"
#include "report/html_point.h"
#include "report/html_style.h"
#include "report/plot_params.h"
#include "report/report.h"
#include "report/units.h"
#include "util/escape.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALL_JUDGEMENTS 60 /* judgements listed one by one up to this many */
#define TAIL_LINES 5

static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

static const char *spec_name(const json_t *doc)
{
    const char *name = view_text(json_object_get(doc, "spec"), "name");
    return name ? name : "bhost run";
}

static void head(FILE *f, const json_t *doc)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"bhost report\">\n<title>",
            csp);
    escape_html(f, spec_name(doc));
    fprintf(f, ": results</title>\n<style>\n%s</style>\n</head>\n", html_style);
}

static void card(FILE *f, const char *name, const char *value, const char *badge)
{
    fprintf(f, "<div><dt>%s</dt><dd>", name);
    if (badge) {
        html_badge(f, badge);
        fputc(' ', f);
    }
    escape_html(f, value);
    fputs("</dd></div>", f);
}

static void header(const struct html_page *p)
{
    FILE *f = p->f;
    const json_t *doc = p->r->doc, *run = json_object_get(doc, "run");
    const json_t *fails = json_object_get(run, "failures");
    char line[512], a[64], b[64];
    fputs("<header>\n<h1>", f);
    escape_html(f, spec_name(doc));
    fputs("</h1>\n<p class=\"meta\">Run of ", f);
    escape_html(f, view_text(run, "started_utc") ? view_text(run, "started_utc") : "?");
    fputs(" &middot; ", f);
    html_badge(f, view_text(run, "status"));
    fputs(" &middot; results from <code>", f);
    escape_html(f, p->r->results_path);
    fputs("</code></p>\n<dl class=\"cards\" id=\"summary\">", f);
    facts_points_line(line, sizeof line, p->v, doc);
    card(f, "Points", line, NULL);
    card(f, "Wall time", units_seconds(a, sizeof a, view_number(run, "wall_s")), NULL);
    facts_gates_line(line, sizeof line, p->v);
    card(f, "Gates", line, view_gates_verdict(p->v));
    double rate = view_number(fails, "success_rate");
    snprintf(line, sizeof line, "%s%s%s%s",
             units_count(a, sizeof a, json_integer_value(json_object_get(fails, "count"))),
             isfinite(rate) ? " (success rate " : "",
             isfinite(rate) ? units_number(b, sizeof b, rate * 100) : "",
             isfinite(rate) ? " %)" : "");
    card(f, "Failed iterations", line, NULL);
    if (p->r->compare) {
        const json_t *s = p->r->compare->result->summary;
        snprintf(line, sizeof line, "%lld slower, %lld faster, %lld same, %lld inconclusive",
                 (long long)json_integer_value(json_object_get(s, "slower")),
                 (long long)json_integer_value(json_object_get(s, "faster")),
                 (long long)json_integer_value(json_object_get(s, "same")),
                 (long long)json_integer_value(json_object_get(s, "inconclusive")));
        card(f, "Against the baseline", line, NULL);
    }
    fputs("</dl>\n</header>\n", f);
}

static int has_failures(const json_t *doc)
{
    size_t i;
    const json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if ((view_text(pt, "status") && strcmp(view_text(pt, "status"), "ok") != 0) ||
            json_integer_value(json_object_get(json_object_get(pt, "failures"), "count")) > 0)
            return 1;
    return 0;
}

static void point_link(FILE *f, const json_t *pt, const char *text)
{
    char anchor[32];
    html_point_anchor(anchor, sizeof anchor, pt);
    fprintf(f, "<a href=\"#%s\">", anchor);
    escape_html(f, text ? text : "?");
    fputs("</a>", f);
}

static void contents(const struct html_page *p, size_t nnotes)
{
    FILE *f = p->f;
    const struct view *v = p->v;
    fputs("<nav id=\"contents\"><h2>Contents</h2><ol>"
          "<li><a href=\"#results\">Results</a><ol>", f);
    for (size_t k = 0; k < v->nexperiments; k++) {
        fprintf(f, "<li><a href=\"#e%zu\">", k);
        escape_html(f, v->experiments[k].name);
        fprintf(f, "</a> <span class=\"small\">%zu point%s</span></li>", v->experiments[k].npoints,
                v->experiments[k].npoints == 1 ? "" : "s");
    }
    fputs("</ol></li>", f);
    if (v->ngates)
        fputs("<li><a href=\"#gates\">Gates</a></li>", f);
    if (p->r->compare)
        fputs("<li><a href=\"#comparison\">Comparison</a></li>", f);
    if (has_failures(p->r->doc))
        fputs("<li><a href=\"#failures\">Failures</a></li>", f);
    if (nnotes)
        fputs("<li><a href=\"#notes\">Notes and warnings</a></li>", f);
    fputs("<li><a href=\"#points\">Points</a>", f);
    int fold = v->npoints > HTML_MANY_POINTS;
    if (fold)
        fprintf(f, "<details><summary>all %zu points</summary>", v->npoints);
    fputs("<ol class=\"points\">", f);
    for (size_t k = 0; k < v->nexperiments; k++) {
        for (size_t i = 0; i < v->experiments[k].npoints; i++) {
            const json_t *pt = v->experiments[k].points[i];
            const char *status = view_text(pt, "status");
            const char *dot = !status                       ? "other"
                              : strcmp(status, "ok") == 0      ? "ok"
                              : strcmp(status, "failed") == 0  ? "failed"
                              : strcmp(status, "partial") == 0 ? "partial"
                                                               : "skipped";
            fprintf(f, "<li><span class=\"dot %s\"></span>", dot);
            point_link(f, pt, view_text(pt, "label"));
            fputs("</li>", f);
        }
    }
    fputs(fold ? "</ol></details></li>" : "</ol></li>", f);
    if (json_array_size(json_object_get(p->r->doc, "instruments")))
        fputs("<li><a href=\"#instruments\">Instruments</a></li>", f);
    fputs("<li><a href=\"#environment\">Environment</a></li></ol></nav>\n", f);
}

static void fixed_params(FILE *f, const struct view_experiment *e)
{
    const char *key;
    json_t *value;
    int any = 0;
    json_object_foreach(json_object_get(e->spec, "params"), key, value) {
        if (json_is_array(value))
            continue;
        char *text = view_value_text(value);
        fputs(any++ ? ", " : "<p class=\"small\">Fixed parameters: ", f);
        escape_html(f, key);
        fputc('=', f);
        escape_html(f, text);
        free(text);
    }
    if (any)
        fputs("</p>\n", f);
}

static void experiment_table(FILE *f, const struct view_experiment *e)
{
    char buf[64];
    /* A long table scrolls in a box of its own, its header kept in view. */
    fprintf(f, "<div class=\"scroll%s\"><table class=\"results\"><thead><tr>",
            e->npoints > HTML_MANY_POINTS ? " tall" : "");
    if (!e->naxes)
        fputs("<th>point</th>", f);
    for (size_t a = 0; a < e->naxes; a++) {
        fprintf(f, "<th%s>", e->axes[a].numeric ? " class=\"n\"" : "");
        escape_html(f, e->axes[a].name);
        fputs("</th>", f);
    }
    fputs("<th class=\"n\">count</th><th class=\"n\">p50</th><th class=\"n\">p90</th>"
          "<th class=\"n\">p99</th><th class=\"n\">max</th><th class=\"n\">throughput</th>"
          "<th>status</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < e->npoints; i++) {
        const json_t *pt = e->points[i];
        const json_t *h = view_histogram(pt, "iteration");
        const char *status = view_text(pt, "status"), *unit = view_text(h, "unit");
        fputs(status && strcmp(status, "ok") != 0 ? "<tr class=\"bad\">" : "<tr>", f);
        if (!e->naxes) {
            fputs("<td>", f);
            point_link(f, pt, view_text(pt, "label"));
            fputs("</td>", f);
        }
        for (size_t a = 0; a < e->naxes; a++) {
            char *text = view_value_text(view_axis_value(pt, e->axes[a].name));
            fputs(e->axes[a].numeric ? "<td class=\"n\">" : "<td>", f);
            if (a == 0)
                point_link(f, pt, text);
            else
                escape_html(f, text);
            fputs("</td>", f);
            free(text);
        }
        html_td(f, "n", h ? units_count(buf, sizeof buf,
                                        json_integer_value(json_object_get(h, "count")))
                          : "–");
        static const char *const keys[] = {"p50", "p90", "p99", "max"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            html_td(f, "n", units_figure(buf, sizeof buf, view_number(h, keys[k]), unit));
        html_td(f, "n", units_rate(buf, sizeof buf, view_number(h, "throughput_per_s")));
        fputs("<td>", f);
        html_badge(f, status);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void results(const struct html_page *p)
{
    FILE *f = p->f;
    html_heading(f, "results", "Results");
    fputs("<p class=\"small\">Times per iteration (the <code>iteration</code> histogram, all "
          "repetitions); throughput in successful iterations per second of measured loop. Each "
          "swept parameter has a plot of p50 and p99 against its values, above the table.</p>\n", f);
    for (size_t k = 0; k < p->v->nexperiments; k++) {
        const struct view_experiment *e = &p->v->experiments[k];
        fprintf(f, "<h3 id=\"e%zu\">", k);
        escape_html(f, e->name);
        const char *plugin = view_text(e->spec, "experiment");
        if (plugin && strcmp(plugin, e->name) != 0) {
            fputs(" <span class=\"small\">(", f);
            escape_html(f, plugin);
            fputs(")</span>", f);
        }
        fputs("</h3>\n", f);
        fixed_params(f, e);
        if (!e->npoints) {
            fputs("<p class=\"none\">No point of this experiment ran.</p>\n", f);
            continue;
        }
        if (e->naxes)
            fputs("<div class=\"plots\">", f);
        for (size_t a = 0; a < e->naxes; a++)
            plot_param(f, e, a);
        if (e->naxes)
            fputs("</div>\n", f);
        experiment_table(f, e);
    }
}

static void gates(const struct html_page *p)
{
    FILE *f = p->f;
    const json_t *list = json_object_get(p->r->doc, "gates");
    html_heading(f, "gates", "Gates");
    fputs("<div class=\"scroll\"><table><thead><tr><th>gate</th><th>where</th>"
          "<th class=\"n\">met</th><th class=\"n\">missed</th><th class=\"n\">inconclusive</th>"
          "<th class=\"n\">not judged</th></tr></thead><tbody>\n", f);
    json_t *groups = facts_gate_groups(list);
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g) {
        fputs("<tr>", f);
        html_td(f, NULL, view_text(g, "gate"));
        html_td(f, "small", view_text(g, "where"));
        for (size_t s = 0; s < GATE_STATES; s++)
            fprintf(f, "<td class=\"n\">%lld</td>",
                    (long long)json_integer_value(json_array_get(json_object_get(g, "counts"), s)));
        fputs("</tr>\n", f);
    }
    json_decref(groups);
    fputs("</tbody></table></div>\n", f);
    int all = p->v->ngates <= ALL_JUDGEMENTS;
    if (!all && p->v->gates[GATE_MET] == p->v->ngates) {
        fputs("<p>Every judgement met its gate.</p>\n", f);
        return;
    }
    fprintf(f, "<p>%s</p><div class=\"scroll\"><table><thead><tr><th>gate</th><th>point</th>"
               "<th>state</th><th>figure and limit</th></tr></thead><tbody>\n",
            all ? "Each judgement:" : "The judgements that did not meet their gate:");
    json_array_foreach(list, i, g) {
        enum view_gate_state s = view_gate_state_of(g);
        if (!all && s == GATE_MET)
            continue;
        fputs(s == GATE_MISSED ? "<tr class=\"bad\">" : "<tr>", f);
        html_td(f, NULL, view_text(g, "gate"));
        const json_t *pt = view_text(g, "point") ? json_object_get(p->run_points,
                                                                   view_text(g, "point"))
                                                 : NULL;
        fputs("<td>", f);
        if (pt)
            point_link(f, pt, view_text(g, "label"));
        else
            escape_html(f, view_text(g, "label") ? view_text(g, "label") : "(the run)");
        fputs("</td><td>", f);
        html_badge(f, view_gate_state_name(s));
        fputs("</td>", f);
        html_td(f, NULL, view_text(g, "why"));
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (!all)
        fprintf(f, "<p class=\"small\">%zu judgements met their gate and are not listed.</p>\n",
                p->v->gates[GATE_MET]);
}

static void failures(const struct html_page *p)
{
    FILE *f = p->f;
    const json_t *points = json_object_get(p->r->doc, "points"), *pt;
    size_t i, failed = 0, failing = 0;
    json_array_foreach(points, i, pt) {
        failed += view_text(pt, "status") && strcmp(view_text(pt, "status"), "ok") != 0;
        failing += json_integer_value(json_object_get(json_object_get(pt, "failures"), "count")) > 0;
    }
    html_heading(f, "failures", "Failures");
    if (failed)
        fputs("<div class=\"scroll\"><table class=\"failures\"><thead><tr><th>point</th>"
              "<th>status</th><th>error</th><th>output (last lines)</th></tr></thead><tbody>\n", f);
    json_array_foreach(points, i, pt) {
        const char *status = view_text(pt, "status");
        if (!status || strcmp(status, "ok") == 0)
            continue;
        char *tail = facts_tail(view_text(pt, "stderr_tail"), TAIL_LINES);
        fputs("<tr><td>", f);
        point_link(f, pt, view_text(pt, "label"));
        fputs("</td><td>", f);
        html_badge(f, status);
        fputs("</td>", f);
        html_td(f, NULL, view_text(pt, "error"));
        fputs("<td>", f);
        if (tail) {
            fputs("<pre>", f);
            escape_html(f, tail);
            fputs("</pre>", f);
        }
        fputs("</td></tr>\n", f);
        free(tail);
    }
    if (failed)
        fputs("</tbody></table></div>\n", f);
    if (!failing)
        return;
    fputs("<p>Failed iterations, by reason:</p><div class=\"scroll\"><table><thead><tr>"
          "<th>point</th><th>reason</th><th class=\"n\">count</th></tr></thead><tbody>\n", f);
    json_array_foreach(points, i, pt) {
        size_t j;
        const json_t *reason;
        json_array_foreach(json_object_get(json_object_get(pt, "failures"), "reasons"), j, reason) {
            char n[32];
            fputs("<tr><td>", f);
            point_link(f, pt, view_text(pt, "label"));
            fputs("</td>", f);
            html_td(f, NULL, view_text(reason, "reason"));
            html_td(f, "n", units_count(n, sizeof n,
                                        json_integer_value(json_object_get(reason, "count"))));
            fputs("</tr>\n", f);
        }
    }
    fputs("</tbody></table></div>\n", f);
}

static void notes(FILE *f, const struct facts *notes)
{
    html_heading(f, "notes", "Notes and warnings");
    fputs("<ul class=\"notes\">", f);
    for (size_t k = 0; k < notes->n; k++) {
        fputs(notes->items[k].warning ? "<li class=\"warning\"><b>" : "<li><b>", f);
        escape_html(f, notes->items[k].name);
        fputs("</b>: ", f);
        escape_html(f, notes->items[k].text);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void points(const struct html_page *p)
{
    FILE *f = p->f;
    html_heading(f, "points", "Points");
    fputs("<p class=\"small\">Each point's percentile distribution: the iteration time against "
          "the percentile, each &ldquo;nine&rdquo; (90 %, 99 %, 99.9 %, ...) the same width, as "
          "HdrHistogram plots it.", f);
    if (p->r->compare)
        fputs(" The baseline's distribution is dashed, where its results hold the histogram.", f);
    if (p->r->history && !p->r->history->note[0])
        fputs(" History: each point's p50 and p99 over the runs recorded, oldest first.", f);
    fputs("</p>\n", f);
    for (size_t k = 0; k < p->v->nexperiments; k++) {
        const struct view_experiment *e = &p->v->experiments[k];
        if (p->v->nexperiments > 1 && e->npoints) {
            fputs("<p class=\"group\">", f);
            escape_html(f, e->name);
            fputs("</p>\n", f);
        }
        for (size_t i = 0; i < e->npoints; i++)
            html_point(p, e->points[i]);
    }
}

static void instruments(const struct html_page *p)
{
    FILE *f = p->f;
    const json_t *list = json_object_get(p->r->doc, "instruments");
    html_heading(f, "instruments", "Instruments");
    fputs("<p class=\"small\">What each instrument measured over the whole run.</p>\n", f);
    size_t i, j;
    const json_t *x, *a;
    json_array_foreach(list, i, x) {
        fputs("<h3>", f);
        escape_html(f, view_text(x, "instrument") ? view_text(x, "instrument") : "?");
        fputs(" <span class=\"small\">on ", f);
        escape_html(f, view_text(x, "experiment") ? view_text(x, "experiment") : "?");
        fputs("</span></h3>\n", f);
        if (view_text(x, "error")) {
            fputs("<p class=\"error\">", f);
            escape_html(f, view_text(x, "error"));
            fputs("</p>", f);
        }
        const char *name;
        json_t *m;
        int any = 0;
        json_object_foreach(json_object_get(x, "metrics"), name, m) {
            char value[64];
            if (!any++)
                fputs("<table class=\"metrics\"><thead><tr><th>name</th><th>kind</th>"
                      "<th class=\"n\">value</th></tr></thead><tbody>", f);
            fputs("<tr>", f);
            html_td(f, NULL, name);
            html_td(f, NULL, view_text(m, "kind"));
            if (view_text(m, "reason"))
                html_td(f, "why", view_text(m, "reason"));
            else
                html_td(f, "n", units_number(value, sizeof value, view_number(m, "value")));
            fputs("</tr>", f);
        }
        if (any)
            fputs("</tbody></table>\n", f);
        int listed = 0;
        json_array_foreach(json_object_get(x, "artifacts"), j, a) {
            if (!view_text(a, "path"))
                continue;
            fputs(listed++ ? "<li><a href=\"" : "<ul class=\"artifacts\"><li><a href=\"", f);
            html_href(f, p->r->run_dir, view_text(a, "path"));
            fputs("\">", f);
            escape_html(f, view_text(a, "name") ? view_text(a, "name") : view_text(a, "path"));
            fputs("</a></li>", f);
        }
        if (listed)
            fputs("</ul>\n", f);
    }
}

static void environment(FILE *f, const json_t *doc)
{
    struct facts env = {0};
    facts_environment(&env, doc);
    html_heading(f, "environment", "Environment");
    fputs("<table class=\"env\"><tbody>\n", f);
    for (size_t k = 0; k < env.n; k++) {
        fputs("<tr><th>", f);
        escape_html(f, env.items[k].name);
        fputs("</th>", f);
        html_td(f, NULL, env.items[k].text);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    facts_free(&env);
}

/* A document's points by id. */
static json_t *points_by_id(const json_t *doc)
{
    json_t *map = json_object();
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (view_text(pt, "id"))
            json_object_set(map, view_text(pt, "id"), pt);
    return map;
}

void report_html(FILE *f, const struct report *r)
{
    struct view v;
    view_init(&v, r->doc);
    struct html_page p = {.f = f, .r = r, .v = &v, .run_points = points_by_id(r->doc),
                          .base_points = r->compare ? points_by_id(r->compare->base) : NULL};
    struct facts ns = {0};
    facts_notes(&ns, r->doc);
    if (r->history && r->history->note[0])
        facts_add(&ns, 0, "history", r->history->note);
    head(f, r->doc);
    fputs("<body>\n<div class=\"page\">\n", f);
    header(&p);
    contents(&p, ns.n);
    fputs("<main>\n", f);
    results(&p);
    if (v.ngates)
        gates(&p);
    if (r->compare)
        html_compare_section(&p);
    if (has_failures(r->doc))
        failures(&p);
    if (ns.n)
        notes(f, &ns);
    points(&p);
    if (json_array_size(json_object_get(r->doc, "instruments")))
        instruments(&p);
    environment(f, r->doc);
    fputs("</main>\n<footer class=\"small\"><p>Written by <code>bhost report</code> from the "
          "results file; every figure is in it, losslessly.</p></footer>\n</div>\n</body>\n"
          "</html>\n", f);
    facts_free(&ns);
    json_decref(p.base_points);
    json_decref(p.run_points);
    view_free(&v);
}
