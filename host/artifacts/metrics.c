/* metrics.c — see metrics.h. */
#include "artifacts/metrics.h"
#include "artifacts/doc_fields.h"
#include "hdr/hdr.h"
#include "results/results.h"
#include "results/results_read.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* The figures a rollup keeps of a histogram's summary. */
static const char *const figures[] = {"unit", "count", "mean", "p50", "p90", "p99", "max",
                                      "throughput_per_s"};

/* Those figures of `summary`, into `into` (null where the summary has none). */
static void add_figures(json_t *into, const json_t *summary)
{
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
        json_object_set_new(into, figures[i], doc_copy(summary, figures[i]));
}

/* A point's metrics split by kind: counters with their rates, gauges, unavailable ones. */
static void add_point_metrics(json_t *row, json_t *metrics)
{
    json_t *counters = json_object(), *gauges = json_object(), *unavailable = json_object();
    const char *name;
    json_t *m;
    json_object_foreach(metrics, name, m) {
        const char *kind = doc_text(m, "kind");
        if (kind && strcmp(kind, "counter") == 0)
            json_object_set_new(counters, name,
                                json_pack("{s:o, s:o, s:o}", "value", doc_copy(m, "value"),
                                          "per_iteration", doc_copy(m, "per_iteration"),
                                          "per_second", doc_copy(m, "per_second")));
        else if (kind && strcmp(kind, "gauge") == 0)
            json_object_set_new(gauges, name, doc_copy(m, "value"));
        else
            json_object_set_new(unavailable, name, doc_copy(m, "reason"));
    }
    json_object_set_new(row, "counters", counters);
    json_object_set_new(row, "gauges", gauges);
    json_object_set_new(row, "unavailable", unavailable);
}

static json_t *point_rollup(const json_t *pt)
{
    static const char *const copied[] = {"index", "id", "label", "experiment", "plugin",
                                         "params", "status", "error", "repetitions", "wall_s"};
    json_t *row = json_object();
    for (size_t i = 0; i < sizeof copied / sizeof *copied; i++)
        json_object_set_new(row, copied[i], doc_copy(pt, copied[i]));
    json_object_set_new(row, "iterations", doc_copy(pt, "iterations/measured"));
    json_object_set_new(row, "failed_iterations", doc_copy(pt, "failures/count"));
    json_object_set_new(row, "success_rate", doc_copy(pt, "failures/success_rate"));
    const json_t *iteration = doc_at(pt, "histograms/iteration");
    add_figures(row, iteration); /* all null when nothing was measured */
    json_object_del(row, "unit");
    json_object_del(row, "count");
    json_t *histograms = json_object();
    const char *name;
    json_t *h;
    json_object_foreach(json_object_get(pt, "histograms"), name, h) {
        json_t *f = json_object();
        add_figures(f, h);
        json_object_set_new(histograms, name, f);
    }
    json_object_set_new(row, "histograms", histograms);
    add_point_metrics(row, json_object_get(pt, "metrics"));
    return row;
}

/* One experiment's totals as its points are added. */
struct rollup {
    const char *name;
    json_int_t statuses[4], iterations, failures;
    struct hdr latency;   /* every point's iteration histogram, added */
    double wall_s;        /* the measured loops' time of those histograms */
    int broken;           /* a histogram did not decode or add: no latency figures */
};

static const char *const statuses[4] = {"ok", "failed", "partial", "skipped"};

static void rollup_add(struct rollup *r, const json_t *pt)
{
    for (size_t s = 0; s < 4; s++)
        r->statuses[s] += strcmp(doc_text(pt, "status"), statuses[s]) == 0;
    r->iterations += json_integer_value(doc_at(pt, "iterations/measured"));
    r->failures += json_integer_value(doc_at(pt, "failures/count"));
    const json_t *iteration = doc_at(pt, "histograms/iteration");
    if (!iteration)
        return;
    struct hdr h;
    if (r->broken || results_hdr(iteration, &h) != 0) {
        r->broken = 1;
        return;
    }
    r->broken |= hdr_add(&r->latency, &h) != 0;
    hdr_fini(&h);
    size_t k;
    json_t *rep;
    json_array_foreach(json_object_get(iteration, "repetitions"), k, rep)
        r->wall_s += json_number_value(json_object_get(rep, "wall_s"));
}

static json_t *rollup_json(const struct rollup *r)
{
    json_t *out = json_pack("{s:s, s:I}", "name", r->name, "points",
                            r->statuses[0] + r->statuses[1] + r->statuses[2] + r->statuses[3]);
    for (size_t s = 0; s < 4; s++)
        json_object_set_new(out, statuses[s], json_integer(r->statuses[s]));
    json_object_set_new(out, "iterations", json_integer(r->iterations));
    json_object_set_new(out, "failed_iterations", json_integer(r->failures));
    json_object_set_new(out, "success_rate",
                        r->iterations ? json_real(1.0 - (double)r->failures /
                                                            (double)r->iterations)
                                      : json_null());
    json_t *summary = r->broken ? json_null() : results_summary(&r->latency, r->wall_s, "ns");
    add_figures(out, summary);
    json_decref(summary);
    return out;
}

/* The experiments in spec order (then any other a point names), each rolled up. */
static json_t *experiment_rollups(const json_t *results)
{
    struct rollup *rs = NULL;
    size_t n = 0;
    size_t i;
    json_t *e, *pt;
    json_t *names = json_array();
    json_array_foreach(doc_at(results, "spec/experiments"), i, e)
        if (doc_text(e, "name"))
            json_array_append(names, json_object_get(e, "name"));
    json_array_foreach(json_object_get(results, "points"), i, pt)
        json_array_append(names, json_object_get(pt, "experiment"));
    rs = xcalloc(json_array_size(names), sizeof *rs);
    json_array_foreach(names, i, e) {
        size_t k = 0;
        while (k < n && strcmp(rs[k].name, json_string_value(e)) != 0)
            k++;
        if (k == n) {
            rs[n].name = json_string_value(e);
            rs[n].broken = hdr_init_bhost(&rs[n].latency) != 0;
            n++;
        }
    }
    json_array_foreach(json_object_get(results, "points"), i, pt)
        for (size_t k = 0; k < n; k++)
            if (strcmp(rs[k].name, doc_text(pt, "experiment")) == 0)
                rollup_add(&rs[k], pt);
    json_t *out = json_array();
    for (size_t k = 0; k < n; k++) {
        json_array_append_new(out, rollup_json(&rs[k]));
        hdr_fini(&rs[k].latency);
    }
    free(rs);
    json_decref(names);
    return out;
}

json_t *metrics_build(const json_t *results)
{
    json_t *doc = doc_head(METRICS_SCHEMA, results);
    json_t *points = json_array();
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(results, "points"), i, pt)
        json_array_append_new(points, point_rollup(pt));
    json_object_set_new(doc, "points", points);
    json_object_set_new(doc, "experiments", experiment_rollups(results));
    return doc;
}
