/* history_baseline.c — history_baseline(): the last runs of a spec on this machine pooled
 * into one results document that compare reads. */
#include "history/db.h"
#include "history/history.h"
#include "stats/stats.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const figure_keys[] = {"count", "mean", "min",  "max",   "p50",   "p75",
                                          "p90",   "p95",  "p99",  "p99_9", "p99_99"};

/* The baseline being built: points in the order the newest run has them, and per point
 * what is summed or pooled before it becomes the point's fields. */
struct pool {
    struct history *h;
    sqlite3_stmt *points, *figures, *metrics;
    json_t *points_out; /* the document's points */
    json_t *by_id;      /* id -> that point */
    json_t *acc;        /* id -> {"iterations": n, "metrics": {name: [values]}} */
};

static json_t *new_point(struct pool *p, sqlite3_stmt *s, const char *id)
{
    json_t *pt = json_pack("{s:s, s:o, s:o, s:s, s:i, s:{s:i, s:n, s:[]}, s:{}, s:{}}", "id", id,
                           "label", db_column_json(s, 1), "experiment", db_column_json(s, 2),
                           "status", "ok", "repetitions", 0, "failures", "count", 0,
                           "success_rate", "reasons", "histograms", "metrics");
    /* The newest run's build (runs are pooled newest first): what compare sets B against. */
    if (sqlite3_column_type(s, 6) == SQLITE_TEXT)
        json_object_set_new(pt, "plugin_build_id", db_column_json(s, 6));
    json_array_append_new(p->points_out, pt);
    json_object_set_new(p->by_id, id, json_incref(pt));
    json_object_set_new(p->acc, id, json_pack("{s:I, s:{}}", "iterations", (json_int_t)0,
                                              "metrics"));
    return pt;
}

static int add_figures(struct pool *p, long long run, const char *id, json_t *pt)
{
    sqlite3_stmt *s = p->figures;
    sqlite3_bind_int64(s, 1, run);
    db_bind_text(s, 2, id);
    int rc;
    json_t *hists = json_object_get(pt, "histograms");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = db_column_text(s, 0);
        json_t *hist = json_object_get(hists, name);
        if (!hist) {
            hist = json_pack("{s:o, s:I, s:[]}", "unit", db_column_json(s, 1), "count",
                             (json_int_t)0, "repetitions");
            json_object_set_new(hists, name, hist);
        }
        json_t *rep = json_pack("{s:o}", "unit", db_column_json(s, 1));
        for (size_t k = 0; k < ARRAY_LEN(figure_keys); k++)
            json_object_set_new(rep, figure_keys[k], db_column_json(s, 2 + (int)k));
        json_object_set_new(hist, "count",
                            json_integer(json_integer_value(json_object_get(hist, "count")) +
                                         (json_int_t)sqlite3_column_int64(s, 2)));
        json_array_append_new(json_object_get(hist, "repetitions"), rep);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int add_metrics(struct pool *p, long long run, const char *id, json_t *pt)
{
    sqlite3_stmt *s = p->metrics;
    sqlite3_bind_int64(s, 1, run);
    db_bind_text(s, 2, id);
    int rc;
    json_t *values = json_object_get(json_object_get(p->acc, id), "metrics");
    json_t *metrics = json_object_get(pt, "metrics");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = db_column_text(s, 0);
        /* The kind of the newest run that has the metric. */
        if (!json_object_get(metrics, name)) {
            json_object_set_new(metrics, name, json_pack("{s:o, s:n}", "kind",
                                                         db_column_json(s, 1), "value"));
            json_object_set_new(values, name, json_array());
        }
        if (sqlite3_column_type(s, 2) != SQLITE_NULL)
            json_array_append_new(json_object_get(values, name),
                                  json_real(sqlite3_column_double(s, 2)));
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One run's points into the pool. */
static int add_run(struct pool *p, long long run)
{
    sqlite3_stmt *s = p->points;
    sqlite3_bind_int64(s, 1, run);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = db_column_text(s, 0);
        json_t *pt = json_object_get(p->by_id, id);
        if (!pt)
            pt = new_point(p, s, id);
        const char *status = db_column_text(s, 3);
        /* "ok" only if every run's point was; else the newest status that was not. */
        if (strcmp(json_string_value(json_object_get(pt, "status")), "ok") == 0 && status &&
            strcmp(status, "ok") != 0)
            json_object_set_new(pt, "status", json_string(status));
        json_t *failures = json_object_get(pt, "failures");
        json_object_set_new(failures, "count",
                            json_integer(json_integer_value(json_object_get(failures, "count")) +
                                         (json_int_t)sqlite3_column_int64(s, 4)));
        json_t *acc = json_object_get(p->acc, id);
        json_object_set_new(acc, "iterations",
                            json_integer(json_integer_value(json_object_get(acc, "iterations")) +
                                         (json_int_t)sqlite3_column_int64(s, 5)));
        int rc2 = add_figures(p, run, id, pt);
        if (rc2 == SQLITE_OK)
            rc2 = add_metrics(p, run, id, pt);
        if (rc2 != SQLITE_OK) {
            sqlite3_reset(s);
            return rc2;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* What is pooled becomes the points' fields: success rates, repetitions, metric medians. */
static void finish_points(struct pool *p)
{
    size_t i;
    json_t *pt;
    json_array_foreach(p->points_out, i, pt) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        json_t *acc = json_object_get(p->acc, id);
        json_int_t iterations = json_integer_value(json_object_get(acc, "iterations"));
        json_t *failures = json_object_get(pt, "failures");
        json_int_t failed = json_integer_value(json_object_get(failures, "count"));
        if (iterations > 0)
            json_object_set_new(failures, "success_rate",
                                json_real(1.0 - (double)failed / (double)iterations));
        json_t *iteration = json_object_get(json_object_get(pt, "histograms"), "iteration");
        json_object_set_new(pt, "repetitions",
                            json_integer((json_int_t)json_array_size(
                                json_object_get(iteration, "repetitions"))));
        const char *name;
        json_t *values;
        json_object_foreach(json_object_get(acc, "metrics"), name, values) {
            size_t n = json_array_size(values);
            double *v = xcalloc(n + 1, sizeof *v);
            for (size_t k = 0; k < n; k++)
                v[k] = json_real_value(json_array_get(values, k));
            json_object_set_new(json_object_get(json_object_get(pt, "metrics"), name), "value",
                                n ? json_real(stats_median(v, n)) : json_null());
            free(v);
        }
    }
}

static int pool_runs(struct pool *p, const json_t *numbers)
{
    static const char points_sql[] =
        "SELECT point_id, label, experiment, status, failures, iterations, plugin_build_id"
        " FROM points"
        " WHERE run = ? ORDER BY rowid";
    static const char figures_sql[] =
        "SELECT histogram, unit, count, mean, min, max, p50, p75, p90, p95, p99, p99_9, p99_99"
        " FROM figures WHERE run = ? AND point_id = ? AND repetition >= 0 ORDER BY rowid";
    static const char metrics_sql[] =
        "SELECT name, kind, value FROM metrics WHERE run = ? AND point_id = ? ORDER BY rowid";
    sqlite3 *db = p->h->db;
    int rc = sqlite3_prepare_v2(db, points_sql, -1, &p->points, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, figures_sql, -1, &p->figures, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, metrics_sql, -1, &p->metrics, NULL);
    size_t i;
    json_t *n;
    json_array_foreach(numbers, i, n) {
        if (rc != SQLITE_OK)
            break;
        rc = add_run(p, json_integer_value(n));
    }
    sqlite3_finalize(p->points);
    sqlite3_finalize(p->figures);
    sqlite3_finalize(p->metrics);
    return rc;
}

/* The baseline runs, newest first: their numbers, and the newest one's recorded objects
 * and times into *top. */
static json_t *baseline_runs(struct history *h, const char *spec, const char *fingerprint,
                             const char *own, size_t n, json_t *top, int *rc)
{
    static const char sql[] =
        "SELECT number, started_utc, finished_utc, spec_json, environment_json, bhost_json"
        " FROM runs WHERE spec = ? AND fingerprint = ? AND results_path IS NOT ?"
        " ORDER BY started_utc DESC, number DESC LIMIT ?";
    sqlite3_stmt *s;
    json_t *numbers = json_array();
    *rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
    if (*rc != SQLITE_OK)
        return numbers;
    db_bind_text(s, 1, spec);
    db_bind_text(s, 2, fingerprint);
    db_bind_text(s, 3, own);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)n);
    while ((*rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_array_append_new(numbers, db_column_json(s, 0));
        if (json_array_size(numbers) == 1) {
            static const char *const keys[] = {"spec", "environment", "bhost"};
            for (size_t k = 0; k < 3; k++) {
                json_t *v = json_loads(db_column_text(s, 3 + (int)k), 0, NULL);
                json_object_set_new(top, keys[k], v ? v : json_null());
            }
            json_object_set_new(top, "finished_utc", db_column_json(s, 2));
        }
        json_object_set_new(top, "started_utc", db_column_json(s, 1));
    }
    sqlite3_finalize(s);
    if (*rc == SQLITE_DONE)
        *rc = SQLITE_OK;
    return numbers;
}

/* The document's run section: the baseline's times (oldest start, newest end) and points. */
static json_t *run_section(const json_t *top, const json_t *points)
{
    size_t failed = 0, i;
    json_t *pt;
    json_array_foreach(points, i, pt)
        failed += strcmp(json_string_value(json_object_get(pt, "status")), "ok") != 0;
    return json_pack("{s:O, s:O, s:I, s:I, s:s}", "started_utc",
                     json_object_get(top, "started_utc"), "finished_utc",
                     json_object_get(top, "finished_utc"), "points_run",
                     (json_int_t)json_array_size(points), "points_failed", (json_int_t)failed,
                     "status", failed ? "failed" : "ok");
}

json_t *history_baseline(struct history *h, const json_t *doc, size_t n, char *err,
                         size_t errlen)
{
    const char *spec = json_string_value(json_object_get(json_object_get(doc, "spec"), "name"));
    if (!spec) {
        snprintf(err, errlen, "%s: no baseline for results without spec.name", h->path);
        errno = ENOENT;
        return NULL;
    }
    const char *dir = json_string_value(json_object_get(json_object_get(doc, "run"), "dir"));
    char *results = dir ? xasprintf("%s/results.json", dir) : NULL;
    char *own = results ? db_results_key(results) : NULL;
    free(results);
    char *fingerprint = history_fingerprint(doc);
    json_t *top = json_object();
    int rc;
    json_t *numbers = baseline_runs(h, spec, fingerprint, own, n ? n : 1, top, &rc);
    json_t *out = NULL;
    struct pool p = {.h = h, .points_out = json_array(), .by_id = json_object(),
                     .acc = json_object()};
    if (rc == SQLITE_OK && json_array_size(numbers) > 0)
        rc = pool_runs(&p, numbers);
    if (rc != SQLITE_OK) {
        db_fail(h, rc, "cannot read the baseline", err, errlen);
        errno = EIO;
    } else if (json_array_size(numbers) == 0) {
        snprintf(err, errlen,
                 "%s: no earlier run of spec %s on this machine (fingerprint %s) to make a "
                 "baseline of",
                 h->path, spec, fingerprint);
        errno = ENOENT;
    } else {
        finish_points(&p);
        out = json_pack("{s:s, s:O, s:o, s:O, s:O, s:O, s:[], s:{s:O, s:s}}", "schema",
                        "bhost.result/1", "bhost", json_object_get(top, "bhost"), "run",
                        run_section(top, p.points_out), "spec", json_object_get(top, "spec"),
                        "environment", json_object_get(top, "environment"), "points",
                        p.points_out, "instruments", "baseline", "runs", numbers,
                        "from_history", h->path);
    }
    json_decref(p.points_out);
    json_decref(p.by_id);
    json_decref(p.acc);
    json_decref(numbers);
    json_decref(top);
    free(fingerprint);
    free(own);
    return out;
}
