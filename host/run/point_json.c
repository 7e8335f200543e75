/*
 * point_json.c — a point's state as the result object results.json holds
 * (docs/results.md): what it measured, how it went, and the results of
 * points that ran no code of their own (lost with their process, skipped).
 */
#include "run/point_json.h"
#include "hdr/hdr_v2.h"
#include "plugin/plugin_json.h"
#include "results/results.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

json_t *metrics_json(const struct metrics *m, uint64_t measured, double measured_s)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n; i++) {
        if (m->v[i].kind == METRIC_UNAVAILABLE) {
            json_object_set_new(o, m->v[i].name,
                                json_pack("{s:s, s:n, s:s}", "kind", "unavailable", "value",
                                          "reason", m->v[i].reason ? m->v[i].reason : "?"));
            continue;
        }
        /* JSON has no NaN or infinity: such a value is reported as null. */
        double v = m->v[i].value;
        json_t *one = json_pack("{s:s, s:o}", "kind",
                                m->v[i].kind == METRIC_COUNTER ? "counter" : "gauge", "value",
                                isfinite(v) ? json_real(v) : json_null());
        /* A point's counters also per measured iteration and per second of measuring. */
        if (m->v[i].kind == METRIC_COUNTER && (measured || measured_s > 0)) {
            double per_it = measured ? v / (double)measured : NAN;
            double per_s = measured_s > 0 ? v / measured_s : NAN;
            json_object_set_new(one, "per_iteration",
                                isfinite(per_it) ? json_real(per_it) : json_null());
            json_object_set_new(one, "per_second", isfinite(per_s) ? json_real(per_s) : json_null());
        }
        json_object_set_new(o, m->v[i].name, one);
    }
    return o;
}

static json_t *number_json(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Tables as results hold them: columns, then rows of cells (docs/results.md, table). */
static json_t *tables_json(const struct tables *all)
{
    json_t *o = json_object();
    for (size_t i = 0; i < all->n; i++) {
        const struct bhost_table *t = all->v[i];
        json_t *cols = json_array(), *rows = json_array();
        for (uint32_t c = 0; c < t->ncolumns; c++)
            json_array_append_new(cols, json_pack("{s:s, s:o}", "name", t->columns[c].name,
                                                  "unit", t->columns[c].unit
                                                              ? json_string(t->columns[c].unit)
                                                              : json_null()));
        for (size_t r = 0; r < t->nrows; r++) {
            json_t *row = json_array();
            for (uint32_t c = 0; c < t->ncolumns; c++) {
                const struct table_cell *cell = &t->cells[r * t->ncolumns + c];
                json_array_append_new(row, t->columns[c].unit ? number_json(cell->number)
                                           : cell->text ? json_string(cell->text)
                                                        : json_null());
            }
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, t->name,
                            json_pack("{s:s, s:b, s:b, s:o, s:o, s:I}", "title",
                                      t->title ? t->title : t->name, "show",
                                      (t->flags & BHOST_TABLE_SHOW) != 0, "series",
                                      (t->flags & BHOST_TABLE_SERIES) != 0, "columns", cols,
                                      "rows", rows, "rows_dropped", (json_int_t)t->rows_dropped));
    }
    return o;
}

static json_t *notes_json(const struct notes *n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n->n; i++)
        json_object_set_new(o, n->v[i].name, json_string(n->v[i].text));
    return o;
}

/* A point's artifacts: what the plugin named, where it is, and how big it came out. */
static json_t *artifacts_json(const struct artifacts *a)
{
    json_t *list = json_array();
    for (size_t i = 0; i < a->n; i++) {
        struct stat st;
        int there = stat(a->v[i].path, &st) == 0 && S_ISREG(st.st_mode);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "name", a->v[i].name,
                                              "path", a->v[i].rel, "media_type",
                                              a->v[i].media_type, "size",
                                              there ? json_integer((json_int_t)st.st_size)
                                                    : json_null()));
    }
    return list;
}

static json_t *failures_json(const struct failures *f, uint64_t measured)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:I}", "reason", f->v[i].text, "count",
                                                 (json_int_t)f->v[i].count));
    /* Nothing measured (the point failed first): no rate, rather than a false 0. */
    json_t *rate = measured ? json_real(1.0 - (double)f->count / (double)measured) : json_null();
    return json_pack("{s:I, s:o, s:o}", "count", (json_int_t)f->count, "success_rate", rate,
                     "reasons", reasons);
}

/* An open-loop point's schedule; how late it ran is null when nothing was measured. */
static json_t *schedule_json(const struct spec_experiment *e, const struct point_run *pr,
                             uint64_t measured)
{
    return json_pack("{s:f, s:s, s:o, s:o}", "rate", e->rate, "arrival",
                     spec_arrival_name(e->arrival), "late",
                     measured ? json_integer((json_int_t)pr->late) : json_null(), "max_lag_ns",
                     measured ? json_integer((json_int_t)pr->max_lag_ns) : json_null());
}

/* Each repetition's start in seconds since the epoch: run.hlog places intervals by it. */
static void add_rep_starts(json_t *hists, const uint64_t *started_ns, uint32_t nreps)
{
    const char *name;
    json_t *h;
    json_object_foreach(hists, name, h) {
        json_t *reps = json_object_get(h, "repetitions");
        for (uint32_t r = 0; r < nreps && r < json_array_size(reps); r++)
            json_object_set_new(json_array_get(reps, r), "started_unix_s",
                                started_ns && started_ns[r]
                                    ? json_real((double)started_ns[r] / 1e9) : json_null());
    }
}

json_t *point_json(const struct point *pt, const struct point_state *ps,
                   const struct point_run *pr)
{
    const struct spec_experiment *e = pt->exp;
    uint64_t measured = 0;
    uint32_t reps_run = 0; /* repetitions whose measured loop ran */
    for (uint32_t r = 0; r < ps->nreps; r++) {
        measured += pr->rep_iterations[r];
        reps_run += pr->rep_started_ns && pr->rep_started_ns[r] != 0;
    }
    char seed[19];
    snprintf(seed, sizeof seed, "%016llx", (unsigned long long)pt->seed);
    /* What was measured is kept, even when a later hook failed the point. */
    json_t *hists = json_object();
    const char *too_many = NULL;
    if (measured > 0)
        for (size_t i = 0; i < ps->nhists; i++) {
            const struct bhost_hist *h = ps->hists[i];
            int overflow = 0;
            json_object_set_new(hists, h->name,
                                results_histogram(h->reps, ps->nreps, pr->rep_iterations,
                                                  pr->rep_wall_ns, h->encoded, h->cfg.unit,
                                                  &overflow));
            if (overflow && !too_many)
                too_many = ps->hists[i]->name;
        }
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:{s:I, s:I, s:I}, "
                  "s:i, s:f}",
                  "index", (json_int_t)pt->index, "id", pt->id, "label", pt->label, "experiment",
                  e->name, "plugin", e->plugin->desc.name, "plugin_version",
                  e->plugin->desc.version ? e->plugin->desc.version : "", "plugin_file",
                  e->plugin->path, "plugin_build_id", e->plugin->build_id, "params",
                  params_json(e->defs, e->ndefs, pt->values), "status", pr->error ? "failed" : "ok",
                  "seed", seed, "iterations", "warmup", (json_int_t)pr->warmup_done, "measured",
                  (json_int_t)measured, "batch", (json_int_t)pr->batch, "repetitions",
                  (int)reps_run, "wall_s", (double)pr->wall_ns / 1e9);
    int capped = 0;
    for (uint32_t r = 0; r < ps->nreps; r++)
        capped |= pr->rep_iterations[r] >= POINT_MAX_ITERATIONS;
    json_object_set_new(json_object_get(o, "iterations"), "capped", json_boolean(capped));
    json_object_set_new(o, "error", pr->error ? json_string(pr->error) : json_null());
    if (too_many && !pr->error) {
        char *why = xasprintf("histogram \"%s\": its repetitions hold more than 2^63-1 values "
                              "in all; its summary stops before the repetition that overflowed",
                              too_many);
        json_object_set_new(o, "status", json_string("failed"));
        json_object_set_new(o, "error", json_string(why));
        free(why);
    }
    json_object_set_new(o, "stderr_tail", json_null());
    json_object_set_new(o, "processes_left", json_integer(0));
    json_object_set_new(o, "threads", json_integer(ps->nthreads));
    json_object_set_new(o, "clock", pr->clock ? json_string(pr->clock) : json_null());
    json_object_set_new(o, "partial", json_null());
    json_object_set_new(o, "failures", failures_json(&ps->lanes[0].fails, measured));
    add_rep_starts(hists, pr->rep_started_ns, ps->nreps);
    json_object_set_new(o, "histograms", hists);
    uint64_t measured_ns = 0;
    for (uint32_t r = 0; r < ps->nreps; r++)
        measured_ns += pr->rep_wall_ns[r];
    json_object_set_new(o, "metrics",
                        metrics_json(&ps->lanes[0].metrics, measured, (double)measured_ns / 1e9));
    json_object_set_new(o, "notes", notes_json(&ps->notes));
    json_object_set_new(o, "tables", tables_json(&ps->tables));
    json_object_set_new(o, "artifacts", artifacts_json(&ps->artifacts));
    if (e->rate > 0)
        json_object_set_new(o, "schedule", schedule_json(e, pr, measured));
    return o;
}

json_t *point_json_lost(const struct point *pt, const char *error, const char *stderr_tail,
                        uint64_t wall_ns)
{
    struct point_state ps;
    point_state_init(&ps, pt->exp->repetitions, pt->threads, pt->id, NULL);
    uint64_t *zeros = xcalloc(pt->exp->repetitions, sizeof *zeros);
    struct point_run pr = {.error = xstrdup(error), .batch = 1, .rep_iterations = zeros,
                           .rep_wall_ns = zeros, .wall_ns = wall_ns};
    json_t *o = point_json(pt, &ps, &pr);
    if (stderr_tail)
        json_object_set_new(o, "stderr_tail", json_string(stderr_tail));
    free(pr.error);
    free(zeros);
    point_state_fini(&ps);
    return o;
}

json_t *point_json_skipped(const struct point *pt, const char *why)
{
    json_t *o = point_json_lost(pt, why, NULL, 0);
    json_object_set_new(o, "status", json_string("skipped"));
    return o;
}

json_t *instrument_json(const struct instrument_run *ir)
{
    const struct plugin *p = ir->si->plugin;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "instrument", p->desc.name,
                          "plugin_file", p->path, "plugin_build_id", p->build_id, "experiment",
                          ir->exp->name, "params", plugin_params_json(p, ir->si->values), "metrics",
                          metrics_json(&ir->metrics, 0, 0));
    json_object_set_new(o, "notes", notes_json(&ir->notes));
    json_object_set_new(o, "tables", tables_json(&ir->tables));
    json_object_set_new(o, "artifacts", artifacts_json(&ir->artifacts));
    json_object_set_new(o, "error", ir->error ? json_string(ir->error) : json_null());
    return o;
}

void point_json_left(json_t *point, size_t killed)
{
    json_object_set_new(point, "processes_left", json_integer((json_int_t)killed));
    const char *status = json_string_value(json_object_get(point, "status"));
    if (killed == 0 || !status || strcmp(status, "ok") != 0)
        return;
    char *why = xasprintf("left %zu process%s running after teardown (killed)", killed,
                          killed == 1 ? "" : "es");
    json_object_set_new(point, "status", json_string("failed"));
    json_object_set_new(point, "error", json_string(why));
    free(why);
}

json_t *point_json_repetition(struct point_state *ps, const struct point_run *pr, uint32_t rep)
{
    json_t *hists = json_object();
    for (size_t i = 0; i < ps->nhists; i++) {
        struct bhost_hist *h = ps->hists[i];
        /* Kept: the point's result has this repetition's encoding too, and need not redo it. */
        free(h->encoded[rep]);
        h->encoded[rep] = hdr_encode_v2_base64(&h->reps[rep]);
        json_object_set_new(hists, h->name,
                            json_pack("{s:o, s:s}", "hdr",
                                      h->encoded[rep] ? json_string(h->encoded[rep]) : json_null(),
                                      "unit", h->cfg.unit));
    }
    json_t *artifacts = json_array();
    for (size_t i = 0; i < ps->artifacts.n; i++) {
        const struct artifact *a = &ps->artifacts.v[i];
        json_array_append_new(artifacts, json_pack("{s:s, s:s, s:s, s:s}", "name", a->name,
                                                   "media_type", a->media_type, "path", a->path,
                                                   "rel", a->rel));
    }
    json_t *record = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "repetition",
                     (int)rep, "iterations", (json_int_t)pr->rep_iterations[rep], "wall_ns",
                     (json_int_t)pr->rep_wall_ns[rep], "started_ns",
                     (json_int_t)pr->rep_started_ns[rep], "warmup",
                     (json_int_t)pr->warmup_done, "batch", (json_int_t)pr->batch, "late",
                     (json_int_t)pr->late, "max_lag_ns", (json_int_t)pr->max_lag_ns,
                     "histograms", hists, "metrics", metrics_json(&ps->lanes[0].metrics, 0, 0),
                     "failures", failures_json(&ps->lanes[0].fails, 1));
    json_object_set_new(record, "artifacts", artifacts);
    return record;
}

/* A record's counters, gauges and failures become the state's: they are running totals. */
static void take_totals(struct point_state *ps, json_t *record)
{
    const char *name;
    json_t *m;
    struct metrics *mine = &ps->lanes[0].metrics;
    json_object_foreach(json_object_get(record, "metrics"), name, m) {
        grow(&mine->v, &mine->cap, mine->n, sizeof *mine->v);
        const char *kind = json_string_value(json_object_get(m, "kind"));
        const char *reason = json_string_value(json_object_get(m, "reason"));
        mine->v[mine->n++] = (struct metric){
            .name = xstrdup(name),
            .kind = !kind                               ? METRIC_COUNTER
                    : strcmp(kind, "gauge") == 0        ? METRIC_GAUGE
                    : strcmp(kind, "unavailable") == 0 ? METRIC_UNAVAILABLE
                                                        : METRIC_COUNTER,
            .value = json_is_number(json_object_get(m, "value"))
                         ? json_number_value(json_object_get(m, "value")) : NAN,
            .reason = reason ? xstrdup(reason) : NULL};
    }
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(json_object_get(record, "failures"), "reasons"), i, r) {
        const char *text = json_string_value(json_object_get(r, "reason"));
        json_int_t n = json_integer_value(json_object_get(r, "count"));
        if (text && n > 0)
            failures_add(&ps->lanes[0].fails, xstrdup(text), (uint64_t)n);
    }
}

/* Rebuilds what the records say into ps and pr; the number of repetitions whole. */
static uint32_t rebuild(json_t *records, struct point_state *ps, struct point_run *pr)
{
    uint32_t kept = 0;
    for (; kept < json_array_size(records); kept++) {
        json_t *rec = json_array_get(records, kept);
        if (json_integer_value(json_object_get(rec, "repetition")) != (json_int_t)kept)
            break;
        const char *name;
        json_t *one;
        json_object_foreach(json_object_get(rec, "histograms"), name, one) {
            json_t *b64 = json_object_get(one, "hdr");
            const char *unit = json_string_value(json_object_get(one, "unit"));
            struct hdr decoded;
            if (!json_is_string(b64) || hdr_decode_v2_base64(json_string_value(b64), &decoded))
                continue;
            /* The encoding says the range; the record says the unit. */
            struct hist_config cfg = {.lowest = decoded.lowest_discernible,
                                      .highest = decoded.highest_trackable,
                                      .digits = decoded.sig_figs};
            snprintf(cfg.unit, sizeof cfg.unit, "%s", unit ? unit : "ns");
            struct bhost_hist *h = point_histogram(ps, name, &cfg);
            hdr_fini(&h->reps[kept]);
            h->reps[kept] = decoded;
        }
        pr->rep_iterations[kept] = (uint64_t)json_integer_value(json_object_get(rec,
                                                                               "iterations"));
        pr->rep_wall_ns[kept] = (uint64_t)json_integer_value(json_object_get(rec, "wall_ns"));
        pr->rep_started_ns[kept] = (uint64_t)json_integer_value(json_object_get(rec,
                                                                               "started_ns"));
        pr->warmup_done = (uint64_t)json_integer_value(json_object_get(rec, "warmup"));
        pr->batch = (uint64_t)json_integer_value(json_object_get(rec, "batch"));
        pr->late = (uint64_t)json_integer_value(json_object_get(rec, "late"));
        pr->max_lag_ns = (uint64_t)json_integer_value(json_object_get(rec, "max_lag_ns"));
    }
    if (kept > 0) {
        json_t *last = json_array_get(records, kept - 1);
        take_totals(ps, last);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(last, "artifacts"), i, a) {
            const char *fields[4];
            static const char *const keys[] = {"name", "media_type", "path", "rel"};
            int ok = 1;
            for (size_t k = 0; k < 4; k++)
                ok &= (fields[k] = json_string_value(json_object_get(a, keys[k]))) != NULL;
            if (!ok)
                continue;
            grow(&ps->artifacts.v, &ps->artifacts.cap, ps->artifacts.n, sizeof *ps->artifacts.v);
            ps->artifacts.v[ps->artifacts.n++] = (struct artifact){
                .name = xstrdup(fields[0]), .media_type = xstrdup(fields[1]),
                .path = xstrdup(fields[2]), .rel = xstrdup(fields[3])};
        }
    }
    return kept;
}

json_t *point_json_partial(const struct point *pt, json_t *records, uint64_t cut_short,
                           const char *error, const char *stderr_tail, uint64_t wall_ns)
{
    uint32_t planned = pt->exp->repetitions;
    struct point_state ps;
    point_state_init(&ps, planned, 1, pt->id, NULL);
    struct point_run pr = {.error = xstrdup(error), .batch = 1, .wall_ns = wall_ns};
    pr.rep_iterations = xcalloc(planned, sizeof *pr.rep_iterations);
    pr.rep_wall_ns = xcalloc(planned, sizeof *pr.rep_wall_ns);
    pr.rep_started_ns = xcalloc(planned, sizeof *pr.rep_started_ns);
    uint32_t kept = rebuild(records, &ps, &pr);
    json_t *o;
    if (kept == 0 && cut_short == 0) {
        o = point_json_lost(pt, error, stderr_tail, wall_ns);
    } else {
        uint32_t all = ps.nreps;
        ps.nreps = kept; /* what point_json reports: the repetitions that are whole */
        o = point_json(pt, &ps, &pr);
        ps.nreps = all;
        json_object_set_new(o, "status", json_string("partial"));
        json_object_set_new(o, "error", json_string(error));
        if (stderr_tail)
            json_object_set_new(o, "stderr_tail", json_string(stderr_tail));
        json_object_set_new(o, "partial",
                            json_pack("{s:i, s:i, s:I}", "repetitions_kept", (int)kept,
                                      "repetitions_planned", (int)planned,
                                      "iterations_cut_short", (json_int_t)cut_short));
    }
    point_state_fini(&ps);
    free(pr.error);
    free(pr.rep_iterations);
    free(pr.rep_wall_ns);
    free(pr.rep_started_ns);
    return o;
}
