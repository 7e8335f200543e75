/*
 * markdown.c — report_markdown() of report.h: the run as a RESULTS.md
 * (docs/report.md): title, summary, a table per experiment, the gates,
 * the comparison, failures, notes and the environment. Every string from
 * the results goes through escape_markdown().
 */
#include "report/facts.h"
#include "report/ratios.h"
#include "report/report.h"
#include "report/units.h"
#include "report/view.h"
#include "util/escape.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gate judgements listed one by one up to this many; beyond, only those not met. */
#define ALL_JUDGEMENTS 60
#define TAIL_LINES 5

static void cell(FILE *f, const char *s)
{
    fputc(' ', f);
    escape_markdown(f, s ? s : "");
    fputs(" |", f);
}

static void title(FILE *f, const struct report *r, const struct view *v)
{
    const json_t *run = json_object_get(r->doc, "run");
    const char *name = view_text(json_object_get(r->doc, "spec"), "name");
    const char *status = view_text(run, "status");
    fputs("# ", f);
    escape_markdown(f, name ? name : "bhost run");
    fputs(": results\n\n", f);
    fputs("Run of ", f);
    escape_markdown(f, view_text(run, "started_utc") ? view_text(run, "started_utc") : "?");
    fputs(", status **", f);
    escape_markdown(f, status ? status : "?");
    fputs("**", f);
    const char *verdict = view_gates_verdict(v);
    if (verdict)
        fprintf(f, ", gates **%s**", verdict);
    fputs(".\n\n", f);
}

static void summary(FILE *f, const struct report *r, const struct view *v)
{
    const json_t *run = json_object_get(r->doc, "run");
    const json_t *fails = json_object_get(run, "failures");
    char line[512], a[64];
    fputs("## Summary\n\n| | |\n|:--|:--|\n", f);
    facts_points_line(line, sizeof line, v, r->doc);
    fprintf(f, "| points | %s |\n", line);
    fprintf(f, "| wall time | %s |\n", units_seconds(a, sizeof a, view_number(run, "wall_s")));
    facts_gates_line(line, sizeof line, v);
    const char *verdict = view_gates_verdict(v);
    if (verdict)
        fprintf(f, "| gates | **%s**: %s |\n", verdict, line);
    else
        fprintf(f, "| gates | %s |\n", line);
    double rate = view_number(fails, "success_rate");
    fprintf(f, "| failed iterations | %s", units_count(a, sizeof a,
                                                       json_integer_value(json_object_get(fails, "count"))));
    if (isfinite(rate))
        fprintf(f, " (success rate %.4g %%)", rate * 100);
    fputs(" |\n", f);
    if (r->compare) {
        ratios_summary(line, sizeof line, r->compare->result);
        fputs("| compared with |", f);
        cell(f, r->compare->base_name);
        fputs("\n| comparison |", f);
        cell(f, line);
        fputc('\n', f);
    }
    fputc('\n', f);
}

/* The parameters an experiment's spec sets to one value, "name=value, ..." (malloc'd). */
static char *fixed_params(const json_t *spec)
{
    char *out = xstrdup("");
    const char *key;
    const json_t *value;
    json_object_foreach(json_object_get(spec, "params"), key, value) {
        if (json_is_array(value))
            continue;
        char *text = view_value_text(value);
        char *next = xasprintf("%s%s%s=%s", out, *out ? ", " : "", key, text);
        free(text);
        free(out);
        out = next;
    }
    return out;
}

/* The histogram names of an experiment's points, "iteration" first, each once. */
static json_t *histogram_names(const struct view_experiment *e)
{
    json_t *names = json_array();
    json_array_append_new(names, json_string("iteration"));
    for (size_t p = 0; p < e->npoints; p++) {
        const char *key;
        const json_t *h;
        json_object_foreach(json_object_get(e->points[p], "histograms"), key, h) {
            size_t i, seen = 0;
            const json_t *n;
            json_array_foreach(names, i, n)
                seen |= strcmp(json_string_value(n), key) == 0;
            if (!seen)
                json_array_append_new(names, json_string(key));
        }
    }
    return names;
}

static void figures_row(FILE *f, const json_t *h)
{
    static const char *const keys[] = {"p50", "p90", "p99", "max"};
    const char *unit = view_text(h, "unit");
    char buf[64];
    fprintf(f, " %s |", h ? units_count(buf, sizeof buf,
                                        json_integer_value(json_object_get(h, "count")))
                          : "–");
    /* A histogram's unit comes from its plugin: escaped with the figure. */
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        cell(f, units_figure(buf, sizeof buf, view_number(h, keys[k]), unit));
    fprintf(f, " %s |", units_rate(buf, sizeof buf, view_number(h, "throughput_per_s")));
}

/* The point's cells for the experiment's swept parameters (or its label), after the '|'. */
static void axis_cells(FILE *f, const struct view_experiment *e, const json_t *pt)
{
    if (!e->naxes)
        cell(f, view_text(pt, "label"));
    for (size_t a = 0; a < e->naxes; a++) {
        char *text = view_value_text(view_axis_value(pt, e->axes[a].name));
        cell(f, text);
        free(text);
    }
}

static void experiment_table(FILE *f, const struct view_experiment *e, const char *histogram)
{
    fputc('|', f);
    if (!e->naxes)
        fputs(" point |", f);
    for (size_t a = 0; a < e->naxes; a++)
        cell(f, e->axes[a].name);
    fputs(" count | p50 | p90 | p99 | max | throughput | status |\n|", f);
    for (size_t a = 0; a < (e->naxes ? e->naxes : 1); a++)
        fputs(e->naxes && e->axes[a].numeric ? "--:|" : ":--|", f);
    fputs("--:|--:|--:|--:|--:|--:|:--|\n", f);
    for (size_t p = 0; p < e->npoints; p++) {
        const json_t *pt = e->points[p];
        fputc('|', f);
        axis_cells(f, e, pt);
        const char *status = view_text(pt, "status");
        figures_row(f, view_histogram(pt, histogram));
        int bad = status && strcmp(status, "ok") != 0;
        fputs(bad ? " **" : " ", f);
        escape_markdown(f, status ? status : "?");
        fputs(bad ? "** |\n" : " |\n", f);
    }
    fputc('\n', f);
}

#define MAX_METRIC_COLUMNS 8

/* The experiment's own metrics (an instrument's are named "instrument.name"), in the order
 * first seen: the figures a plugin or a command reports of its work (tokens, calls). */
static json_t *own_metric_names(const struct view_experiment *e)
{
    json_t *names = json_array(), *seen = json_object();
    for (size_t p = 0; p < e->npoints; p++) {
        const char *key;
        const json_t *m;
        json_object_foreach(json_object_get(e->points[p], "metrics"), key, m) {
            const char *kind = view_text(m, "kind");
            if (strchr(key, '.') || !kind || json_object_get(seen, key) ||
                (strcmp(kind, "counter") != 0 && strcmp(kind, "gauge") != 0))
                continue;
            json_object_set_new(seen, key, json_true());
            json_array_append_new(names, json_string(key));
        }
    }
    json_decref(seen);
    return names;
}

static void metrics_table(FILE *f, const struct view_experiment *e)
{
    json_t *names = own_metric_names(e);
    size_t n = json_array_size(names), shown = n < MAX_METRIC_COLUMNS ? n : MAX_METRIC_COLUMNS;
    if (n == 0) {
        json_decref(names);
        return;
    }
    fputs("Metrics (a counter per iteration, a gauge as measured):\n\n|", f);
    if (!e->naxes)
        fputs(" point |", f);
    for (size_t a = 0; a < e->naxes; a++)
        cell(f, e->axes[a].name);
    for (size_t k = 0; k < shown; k++)
        cell(f, json_string_value(json_array_get(names, k)));
    fputs("\n|", f);
    for (size_t a = 0; a < (e->naxes ? e->naxes : 1); a++)
        fputs(e->naxes && e->axes[a].numeric ? "--:|" : ":--|", f);
    for (size_t k = 0; k < shown; k++)
        fputs("--:|", f);
    fputc('\n', f);
    for (size_t p = 0; p < e->npoints; p++) {
        const json_t *metrics = json_object_get(e->points[p], "metrics");
        fputc('|', f);
        axis_cells(f, e, e->points[p]);
        for (size_t k = 0; k < shown; k++) {
            const json_t *m = json_object_get(metrics, json_string_value(json_array_get(names, k)));
            const char *kind = view_text(m, "kind");
            double x = view_number(m, kind && strcmp(kind, "counter") == 0 ? "per_iteration"
                                                                           : "value");
            char buf[64];
            cell(f, m && isfinite(x) ? units_number(buf, sizeof buf, x) : "–");
        }
        fputc('\n', f);
    }
    if (n > shown)
        fprintf(f, "\n%zu more metric%s in results.json and the HTML report.\n", n - shown,
                n - shown == 1 ? "" : "s");
    fputc('\n', f);
    json_decref(names);
}

static void experiments(FILE *f, const struct view *v)
{
    fputs("## Results\n\nTimes per iteration; throughput in successful iterations per second "
          "of measured loop.\n\n", f);
    for (size_t k = 0; k < v->nexperiments; k++) {
        const struct view_experiment *e = &v->experiments[k];
        fputs("### ", f);
        escape_markdown(f, e->name);
        fputs("\n\n", f);
        const char *plugin = view_text(e->spec, "experiment");
        char *fixed = fixed_params(e->spec);
        if ((plugin && strcmp(plugin, e->name) != 0) || *fixed) {
            if (plugin && strcmp(plugin, e->name) != 0) {
                fputs("Experiment plugin ", f);
                escape_markdown(f, plugin);
                fputs(*fixed ? "; fixed parameters: " : ".", f);
            } else {
                fputs("Fixed parameters: ", f);
            }
            escape_markdown(f, fixed);
            fputs(*fixed ? ".\n\n" : "\n\n", f);
        }
        free(fixed);
        if (!e->npoints) {
            fputs("No point of this experiment ran.\n\n", f);
            continue;
        }
        json_t *names = histogram_names(e);
        size_t i;
        const json_t *name;
        json_array_foreach(names, i, name) {
            if (json_array_size(names) > 1) {
                fputs("Histogram ", f);
                escape_markdown(f, json_string_value(name));
                fputs(":\n\n", f);
            }
            experiment_table(f, e, json_string_value(name));
        }
        json_decref(names);
        metrics_table(f, e);
    }
}

static void gates(FILE *f, const struct report *r, const struct view *v)
{
    const json_t *list = json_object_get(r->doc, "gates");
    if (!v->ngates)
        return;
    fputs("## Gates\n\n| gate | where | met | missed | inconclusive | not judged |\n"
          "|:--|:--|--:|--:|--:|--:|\n", f);
    json_t *groups = facts_gate_groups(list);
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g) {
        const json_t *counts = json_object_get(g, "counts");
        long long n[GATE_STATES];
        for (int k = 0; k < GATE_STATES; k++)
            n[k] = json_integer_value(json_array_get(counts, (size_t)k));
        fputc('|', f);
        cell(f, view_text(g, "gate"));
        cell(f, view_text(g, "where"));
        fprintf(f, " %lld | %s%lld%s | %lld | %lld |\n", n[GATE_MET], n[GATE_MISSED] ? "**" : "",
                n[GATE_MISSED], n[GATE_MISSED] ? "**" : "", n[GATE_INCONCLUSIVE],
                n[GATE_NOT_JUDGED]);
    }
    json_decref(groups);
    int all = v->ngates <= ALL_JUDGEMENTS;
    if (!all && v->gates[GATE_MET] == v->ngates) {
        fputs("\nEvery judgement met its gate.\n\n", f);
        return;
    }
    fputs(all ? "\nEach judgement:\n\n" : "\nThe judgements that did not meet their gate:\n\n",
          f);
    fputs("| gate | point | state | figure and limit |\n|:--|:--|:--|:--|\n", f);
    json_array_foreach(list, i, g) {
        enum view_gate_state s = view_gate_state_of(g);
        if (!all && s == GATE_MET)
            continue;
        fputc('|', f);
        cell(f, view_text(g, "gate"));
        cell(f, view_text(g, "label") ? view_text(g, "label") : "(the run)");
        fprintf(f, s == GATE_MET ? " %s |" : " **%s** |", view_gate_state_name(s));
        cell(f, view_text(g, "why"));
        fputc('\n', f);
    }
    if (!all)
        fprintf(f, "\n%zu judgements met their gate and are not listed.\n", v->gates[GATE_MET]);
    fputc('\n', f);
}

static void comparison(FILE *f, const struct report_compare *c)
{
    const struct compare_result *r = c->result;
    char line[1024], a[64], b[64], ratio[32], interval[64], figure[160];
    fputs("## Comparison\n\nThis run (B) against ", f);
    escape_markdown(f, c->base_name);
    fprintf(f, " (A): each side's median over its repetitions; the ratio B/A, estimated from "
               "every pair of repetitions (the Hodges-Lehmann shift, so it can differ from "
               "the ratio of the two medians), its %g %% interval and the verdict, with a "
               "noise threshold of %g %%.\n\n",
            c->options->confidence * 100, c->options->threshold * 100);
    ratios_summary(line, sizeof line, r);
    fputs("**", f);
    escape_markdown(f, line);
    fputs("**\n\n", f);
    fputs("| point | figure | A | B | ratio | interval | verdict |\n"
          "|:--|:--|--:|--:|--:|:--|:--|\n", f);
    for (size_t k = 0; k < r->nfigs; k++) {
        const struct compare_figure *x = &r->figs[k];
        fputc('|', f);
        cell(f, x->label);
        cell(f, ratios_figure(figure, sizeof figure, x));
        cell(f, units_figure(a, sizeof a, x->a, x->unit));
        cell(f, units_figure(b, sizeof b, x->b, x->unit));
        fprintf(f, " %s | %s |", ratios_ratio(ratio, sizeof ratio, x->r.ratio),
                ratios_interval(interval, sizeof interval, &x->r));
        int loud = x->verdict == VERDICT_SLOWER || x->verdict == VERDICT_FASTER;
        fprintf(f, loud ? " **%s**" : " %s", verdict_name(x->verdict));
        if (x->why[0]) {
            fputs(": ", f);
            escape_markdown(f, x->why);
        }
        fputs(" |\n", f);
    }
    size_t i;
    const json_t *w;
    if (json_array_size(r->warnings))
        fputs("\nWarnings:\n\n", f);
    json_array_foreach(r->warnings, i, w) {
        fputs("- ", f);
        escape_markdown(f, json_string_value(w) ? json_string_value(w) : "");
        fputc('\n', f);
    }
    json_array_foreach(r->environment, i, w) {
        fputs(i ? "" : "\nWhat differs between the two environments:\n\n", f);
        fputs("- ", f);
        escape_markdown(f, view_text(w, "field") ? view_text(w, "field") : "?");
        fputs(": ", f);
        char *x = view_value_text(json_object_get(w, "a")), *y = view_value_text(json_object_get(w, "b"));
        escape_markdown(f, x);
        fputs(" → ", f);
        escape_markdown(f, y);
        free(x);
        free(y);
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void failures(FILE *f, const json_t *doc)
{
    const json_t *points = json_object_get(doc, "points"), *pt;
    size_t i, failed = 0, failing = 0;
    json_array_foreach(points, i, pt) {
        failed += view_text(pt, "status") && strcmp(view_text(pt, "status"), "ok") != 0;
        failing += json_integer_value(json_object_get(json_object_get(pt, "failures"), "count")) > 0;
    }
    if (!failed && !failing)
        return;
    fputs("## Failures\n\n", f);
    if (failed)
        fputs("| point | status | error | output (last lines) |\n|:--|:--|:--|:--|\n", f);
    json_array_foreach(points, i, pt) {
        const char *status = view_text(pt, "status");
        if (!status || strcmp(status, "ok") == 0)
            continue;
        char *tail = facts_tail(view_text(pt, "stderr_tail"), TAIL_LINES);
        fputc('|', f);
        cell(f, view_text(pt, "label"));
        cell(f, status);
        cell(f, view_text(pt, "error"));
        cell(f, tail);
        fputc('\n', f);
        free(tail);
    }
    if (!failing) {
        fputc('\n', f);
        return;
    }
    fputs(failed ? "\nFailed iterations, by reason:\n\n" : "Failed iterations, by reason:\n\n", f);
    fputs("| point | reason | count |\n|:--|:--|--:|\n", f);
    json_array_foreach(points, i, pt) {
        size_t j;
        const json_t *reason;
        json_array_foreach(json_object_get(json_object_get(pt, "failures"), "reasons"), j, reason) {
            char n[32];
            fputc('|', f);
            cell(f, view_text(pt, "label"));
            cell(f, view_text(reason, "reason"));
            fprintf(f, " %s |\n", units_count(n, sizeof n,
                                             json_integer_value(json_object_get(reason, "count"))));
        }
    }
    fputc('\n', f);
}

static void notes(FILE *f, const json_t *doc)
{
    struct facts notes = {0};
    facts_notes(&notes, doc);
    if (notes.n)
        fputs("## Notes\n\n", f);
    for (size_t k = 0; k < notes.n; k++) {
        fputs(notes.items[k].warning ? "- ⚠️ **" : "- **", f);
        escape_markdown(f, notes.items[k].name);
        fputs("**: ", f);
        escape_markdown(f, notes.items[k].text);
        fputc('\n', f);
    }
    if (notes.n)
        fputc('\n', f);
    facts_free(&notes);
}

static void environment(FILE *f, const json_t *doc)
{
    struct facts env = {0};
    facts_environment(&env, doc);
    fputs("## Environment\n\n| | |\n|:--|:--|\n", f);
    for (size_t k = 0; k < env.n; k++) {
        fputc('|', f);
        cell(f, env.items[k].name);
        cell(f, env.items[k].text);
        fputc('\n', f);
    }
    facts_free(&env);
}

void report_markdown(FILE *f, const struct report *r)
{
    struct view v;
    view_init(&v, r->doc);
    title(f, r, &v);
    summary(f, r, &v);
    experiments(f, &v);
    gates(f, r, &v);
    if (r->compare)
        comparison(f, r->compare);
    failures(f, r->doc);
    notes(f, r->doc);
    environment(f, r->doc);
    view_free(&v);
}
