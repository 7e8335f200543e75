/* history_record.c — history_record(): a results document into the database, in one
 * transaction. */
#include "history/db.h"
#include "history/history.h"
#include "results/point_source.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The figures a histogram summary has, in the figures table's column order. */
static const char *const figure_keys[] = {"count", "mean", "min",  "max",   "p50",   "p75",
                                          "p90",   "p95",  "p99",  "p99_9", "p99_99"};

/* The statements of one recording, prepared once. */
struct recorder {
    struct history *h;
    sqlite3_stmt *point, *figure, *metric;
    long long run;
};

static const json_t *get(const json_t *v, const char *a, const char *b)
{
    v = json_object_get(v, a);
    return b ? json_object_get(v, b) : v;
}

static long long existing_run(struct history *h, const char *path, int *rc)
{
    sqlite3_stmt *s;
    long long number = 0;
    *rc = sqlite3_prepare_v2(h->db, "SELECT number FROM runs WHERE results_path = ?", -1, &s,
                             NULL);
    if (*rc != SQLITE_OK)
        return 0;
    db_bind_text(s, 1, path);
    *rc = sqlite3_step(s);
    if (*rc == SQLITE_ROW)
        number = sqlite3_column_int64(s, 0);
    if (*rc == SQLITE_ROW || *rc == SQLITE_DONE)
        *rc = SQLITE_OK;
    sqlite3_finalize(s);
    return number;
}

static int insert_run(struct history *h, const json_t *doc, const char *path, long long *number)
{
    static const char sql[] =
        "INSERT INTO runs (results_path, spec, spec_file, started_utc, finished_utc, git_commit,"
        " git_dirty, status, points_run, points_failed, fingerprint, bhost_version,"
        " recorded_utc, spec_json, environment_json, bhost_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    const json_t *run = json_object_get(doc, "run"), *env = json_object_get(doc, "environment");
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    char *fingerprint = history_fingerprint(doc);
    db_bind_text(s, 1, path);
    db_bind_json(s, 2, get(doc, "spec", "name"));
    db_bind_json(s, 3, get(doc, "spec", "file"));
    db_bind_json(s, 4, json_object_get(run, "started_utc"));
    db_bind_json(s, 5, json_object_get(run, "finished_utc"));
    db_bind_json(s, 6, get(env, "git", "commit"));
    db_bind_json(s, 7, get(env, "git", "dirty"));
    db_bind_json(s, 8, json_object_get(run, "status"));
    db_bind_json(s, 9, json_object_get(run, "points_run"));
    db_bind_json(s, 10, json_object_get(run, "points_failed"));
    db_bind_text(s, 11, fingerprint);
    db_bind_json(s, 12, get(doc, "bhost", "version"));
    db_bind_text(s, 13, now);
    db_bind_json(s, 14, json_object_get(doc, "spec"));
    db_bind_json(s, 15, env);
    db_bind_json(s, 16, json_object_get(doc, "bhost"));
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    free(fingerprint);
    *number = sqlite3_last_insert_rowid(h->db);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Steps a prepared insert and makes it ready for the next row. */
static int step_reset(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int insert_figures(struct recorder *r, const char *id, const char *name,
                          const json_t *summary, long long repetition)
{
    sqlite3_stmt *s = r->figure;
    sqlite3_bind_int64(s, 1, r->run);
    db_bind_text(s, 2, id);
    db_bind_text(s, 3, name);
    sqlite3_bind_int64(s, 4, repetition);
    db_bind_json(s, 5, json_object_get(summary, "unit"));
    for (size_t k = 0; k < ARRAY_LEN(figure_keys); k++)
        db_bind_json(s, 6 + (int)k, json_object_get(summary, figure_keys[k]));
    return step_reset(s);
}

static int insert_point(struct recorder *r, const json_t *p)
{
    const char *id = json_string_value(json_object_get(p, "id"));
    sqlite3_stmt *s = r->point;
    sqlite3_bind_int64(s, 1, r->run);
    db_bind_text(s, 2, id);
    db_bind_json(s, 3, json_object_get(p, "label"));
    db_bind_json(s, 4, json_object_get(p, "experiment"));
    db_bind_json(s, 5, json_object_get(p, "status"));
    db_bind_json(s, 6, get(p, "failures", "count"));
    db_bind_json(s, 7, get(p, "failures", "success_rate"));
    db_bind_json(s, 8, get(p, "iterations", "measured"));
    db_bind_json(s, 9, json_object_get(p, "wall_s"));
    db_bind_json(s, 10, json_object_get(p, "repetitions"));
    db_bind_json(s, 11, json_object_get(p, "plugin_build_id"));
    int rc = step_reset(s);
    const char *name;
    json_t *hist, *m;
    json_object_foreach(json_object_get(p, "histograms"), name, hist) {
        if (rc == SQLITE_OK)
            rc = insert_figures(r, id, name, hist, -1);
        size_t k;
        json_t *rep;
        json_array_foreach(json_object_get(hist, "repetitions"), k, rep) {
            if (rc == SQLITE_OK)
                rc = insert_figures(r, id, name, rep, (long long)k);
        }
    }
    json_object_foreach(json_object_get(p, "metrics"), name, m) {
        if (rc != SQLITE_OK)
            break;
        sqlite3_bind_int64(r->metric, 1, r->run);
        db_bind_text(r->metric, 2, id);
        db_bind_text(r->metric, 3, name);
        db_bind_json(r->metric, 4, json_object_get(m, "kind"));
        db_bind_json(r->metric, 5, json_object_get(m, "value"));
        rc = step_reset(r->metric);
    }
    return rc;
}

static int insert_points(struct recorder *r, struct point_source *src)
{
    static const char point_sql[] =
        "INSERT INTO points (run, point_id, label, experiment, status, failures, success_rate,"
        " iterations, wall_s, repetitions, plugin_build_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?)";
    static const char figure_sql[] =
        "INSERT INTO figures (run, point_id, histogram, repetition, unit, count, mean, min, max,"
        " p50, p75, p90, p95, p99, p99_9, p99_99)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char metric_sql[] =
        "INSERT INTO metrics (run, point_id, name, kind, value) VALUES (?, ?, ?, ?, ?)";
    int rc = sqlite3_prepare_v2(r->h->db, point_sql, -1, &r->point, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(r->h->db, figure_sql, -1, &r->figure, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(r->h->db, metric_sql, -1, &r->metric, NULL);
    for (size_t i = 0; i < src->n && rc == SQLITE_OK; i++) {
        json_t *p = point_source_get(src, i); /* one at a time: a large run's points are many */
        if (p)
            rc = insert_point(r, p);
        json_decref(p);
    }
    sqlite3_finalize(r->point);
    sqlite3_finalize(r->figure);
    sqlite3_finalize(r->metric);
    return rc;
}

/* What the tables need of a document (its points aside); a message for what is missing. */
static const char *missing_head_field(const json_t *doc)
{
    if (!json_is_string(get(doc, "spec", "name")))
        return "spec.name";
    if (!json_is_object(json_object_get(doc, "run")))
        return "run";
    if (!json_is_object(json_object_get(doc, "environment")))
        return "environment";
    return NULL;
}

/* What the tables need of a document; a message for what is missing. */
static const char *missing_field(const json_t *doc)
{
    const char *missing = missing_head_field(doc);
    if (missing)
        return missing;
    if (!json_is_array(json_object_get(doc, "points")))
        return "points";
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(doc, "points"), i, p)
        if (!json_is_string(json_object_get(p, "id")))
            return "points[].id";
    return NULL;
}

/* Records head's run with src's points: head has been checked. */
static long long record(struct history *h, const json_t *head, struct point_source *src,
                        const char *results_path, char *err, size_t errlen);

long long history_record(struct history *h, const json_t *doc, const char *results_path,
                         char *err, size_t errlen)
{
    const char *missing = missing_field(doc);
    if (missing) {
        snprintf(err, errlen, "%s: cannot record %s: the results have no %s", h->path,
                 results_path ? results_path : "a run", missing);
        return -1;
    }
    struct point_source src;
    point_source_of_array(&src, json_object_get(doc, "points"));
    return record(h, doc, &src, results_path, err, errlen);
}

long long history_record_points(struct history *h, const json_t *head, struct point_source *src,
                                const char *results_path, char *err, size_t errlen)
{
    const char *missing = missing_head_field(head);
    if (missing) {
        snprintf(err, errlen, "%s: cannot record %s: the results have no %s", h->path,
                 results_path ? results_path : "a run", missing);
        return -1;
    }
    return record(h, head, src, results_path, err, errlen);
}

static long long record(struct history *h, const json_t *doc, struct point_source *src,
                        const char *results_path, char *err, size_t errlen)
{
    if (!results_path) {
        snprintf(err, errlen, "%s: cannot record a run without its results file", h->path);
        return -1;
    }
    char *path = db_results_key(results_path);
    /* BEGIN IMMEDIATE takes the write lock now, waiting up to the busy timeout for another
     * writer: a deferred transaction could fail midway instead, when it first wrote. */
    int rc = db_exec(h, "BEGIN IMMEDIATE");
    long long number = 0;
    if (rc == SQLITE_OK)
        number = existing_run(h, path, &rc);
    if (rc == SQLITE_OK && number == 0) {
        struct recorder r = {.h = h};
        rc = insert_run(h, doc, path, &r.run);
        if (rc == SQLITE_OK)
            rc = insert_points(&r, src);
        number = r.run;
    }
    if (rc == SQLITE_OK)
        rc = db_exec(h, "COMMIT");
    if (rc != SQLITE_OK) {
        char what[512];
        snprintf(what, sizeof what, "cannot record %s", path);
        db_fail(h, rc, what, err, errlen);
        db_rollback(h);
        number = -1;
    }
    free(path);
    return number;
}
