/* history_query.c — history_runs() and history_point(): recorded runs listed, and one
 * point's figures over time with Pettitt's test for a step. */
#include "history/db.h"
#include "history/history.h"
#include "stats/stats.h"
#include "util/mem.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Newest first by start time; runs recorded later (imports) fall into place by it. */
#define NEWEST_FIRST "ORDER BY r.started_utc DESC, r.number DESC"

json_t *history_runs(struct history *h, const char *spec, size_t limit, char *err,
                     size_t errlen)
{
    static const char sql[] =
        "SELECT r.number, r.spec, r.started_utc, r.git_commit, r.git_dirty, r.status,"
        " r.points_run, r.points_failed, r.fingerprint, r.results_path"
        " FROM runs r WHERE ?1 IS NULL OR r.spec = ?1 " NEWEST_FIRST " LIMIT ?2";
    static const char *const keys[] = {"run",        "spec",          "started_utc", "git_commit",
                                       "git_dirty",  "status",        "points_run",
                                       "points_failed", "fingerprint", "results"};
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        db_fail(h, rc, "cannot list runs", err, errlen);
        return NULL;
    }
    db_bind_text(s, 1, spec);
    sqlite3_bind_int64(s, 2, limit ? (sqlite3_int64)limit : -1);
    json_t *runs = json_array();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *run = json_object();
        for (size_t k = 0; k < ARRAY_LEN(keys); k++)
            json_object_set_new(run, keys[k], db_column_json(s, (int)k));
        json_t *dirty = json_object_get(run, "git_dirty");
        if (json_is_integer(dirty))
            json_object_set_new(run, "git_dirty", json_boolean(json_integer_value(dirty)));
        json_array_append_new(runs, run);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        db_fail(h, rc, "cannot list runs", err, errlen);
        json_decref(runs);
        return NULL;
    }
    return runs;
}

/* ---- which point ----------------------------------------------------------- */

/* The (spec, id, label) triples recorded, each (spec, id) once: [[spec, id, label], ...]. */
static json_t *recorded_points(struct history *h, const char *spec, int *rc)
{
    static const char sql[] =
        "SELECT r.spec, p.point_id, max(p.label) FROM points p JOIN runs r ON r.number = p.run"
        " WHERE ?1 IS NULL OR r.spec = ?1 GROUP BY r.spec, p.point_id ORDER BY r.spec, 3";
    sqlite3_stmt *s;
    json_t *all = json_array();
    *rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
    if (*rc != SQLITE_OK)
        return all;
    db_bind_text(s, 1, spec);
    while ((*rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(all, json_pack("[ooo]", db_column_json(s, 0),
                                             db_column_json(s, 1), db_column_json(s, 2)));
    sqlite3_finalize(s);
    if (*rc == SQLITE_DONE)
        *rc = SQLITE_OK;
    return all;
}

enum match { MATCH_ID, MATCH_LABEL, MATCH_GLOB, MATCH_SUBSTRING, MATCH_KINDS };

static int matches(const json_t *c, const char *want, enum match how)
{
    const char *id = json_string_value(json_array_get(c, 1));
    const char *label = json_string_value(json_array_get(c, 2));
    label = label ? label : "";
    switch (how) {
    case MATCH_ID:
        return strcmp(id, want) == 0;
    case MATCH_LABEL:
        return strcmp(label, want) == 0;
    case MATCH_GLOB:
        return fnmatch(want, label, 0) == 0 || fnmatch(want, id, 0) == 0;
    default:
        return strstr(label, want) != NULL;
    }
}

/* The candidates of the first way of matching that finds any (an exact id, an exact label,
 * a glob, a substring of the label). */
static json_t *find_point(const json_t *all, const char *want)
{
    json_t *found = json_array();
    for (int how = MATCH_ID; how < MATCH_KINDS && json_array_size(found) == 0; how++) {
        size_t i;
        json_t *c;
        json_array_foreach(all, i, c)
            if (matches(c, want, (enum match)how))
                json_array_append(found, c);
    }
    return found;
}

/* errno ENOENT and a message: no such point, or several (listed, the first ten). */
static void unresolved(struct history *h, const char *spec, const char *want,
                       const json_t *found, char *err, size_t errlen)
{
    size_t n = json_array_size(found);
    if (n == 0) {
        snprintf(err, errlen, "no point '%s' in %s%s%s", want, h->path, spec ? " for spec " : "",
                 spec ? spec : "");
    } else {
        int len = snprintf(err, errlen, "'%s' matches %zu points; give one of them exactly%s:",
                           want, n, spec ? "" : " (or --spec)");
        for (size_t i = 0; i < n && i < 10 && len >= 0 && (size_t)len < errlen; i++) {
            const json_t *c = json_array_get(found, i);
            len += snprintf(err + len, errlen - (size_t)len, "\n  %s  %s (spec %s)",
                            json_string_value(json_array_get(c, 1)),
                            json_string_value(json_array_get(c, 2)),
                            json_string_value(json_array_get(c, 0)));
        }
        if (n > 10 && len >= 0 && (size_t)len < errlen)
            snprintf(err + len, errlen - (size_t)len, "\n  ... and %zu more", n - 10);
    }
    errno = ENOENT;
}

/* ---- the series ------------------------------------------------------------ */

/* The medians over a run's iteration-histogram repetitions of p50, p90 and p99 into entry. */
static int add_medians(sqlite3_stmt *s, long long run, const char *id, json_t *entry)
{
    static const char *const figures[] = {"p50", "p90", "p99"};
    double *v[3] = {NULL, NULL, NULL};
    size_t cap[3] = {0, 0, 0}, n = 0;
    sqlite3_bind_int64(s, 1, run);
    db_bind_text(s, 2, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (size_t f = 0; f < 3; f++) {
            grow(&v[f], &cap[f], n, sizeof *v[f]);
            v[f][n] = sqlite3_column_double(s, (int)f);
        }
        n++;
    }
    sqlite3_reset(s);
    for (size_t f = 0; f < 3; f++) {
        json_object_set_new(entry, figures[f], n ? json_real(stats_median(v[f], n)) : json_null());
        free(v[f]);
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The series of one point of one spec, newest `limit` runs, oldest first. */
static json_t *series(struct history *h, const char *spec, const char *id, size_t limit,
                      int *rc)
{
    static const char runs_sql[] =
        "SELECT r.number, r.started_utc, r.git_commit, r.git_dirty, p.status, p.repetitions"
        " FROM points p JOIN runs r ON r.number = p.run WHERE p.point_id = ?1 AND r.spec = ?2 "
        NEWEST_FIRST " LIMIT ?3";
    static const char figures_sql[] =
        "SELECT p50, p90, p99 FROM figures WHERE run = ?1 AND point_id = ?2"
        " AND histogram = 'iteration' AND repetition >= 0 AND p50 IS NOT NULL AND p99 IS NOT NULL";
    static const char *const keys[] = {"run", "started_utc", "git_commit", "git_dirty",
                                       "status", "repetitions"};
    sqlite3_stmt *s = NULL, *f = NULL;
    json_t *out = json_array();
    *rc = sqlite3_prepare_v2(h->db, runs_sql, -1, &s, NULL);
    if (*rc == SQLITE_OK)
        *rc = sqlite3_prepare_v2(h->db, figures_sql, -1, &f, NULL);
    if (*rc == SQLITE_OK) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, spec);
        sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
        while ((*rc = sqlite3_step(s)) == SQLITE_ROW) {
            json_t *e = json_object();
            for (size_t k = 0; k < ARRAY_LEN(keys); k++)
                json_object_set_new(e, keys[k], db_column_json(s, (int)k));
            json_t *dirty = json_object_get(e, "git_dirty");
            if (json_is_integer(dirty))
                json_object_set_new(e, "git_dirty", json_boolean(json_integer_value(dirty)));
            json_array_insert_new(out, 0, e);
        }
        if (*rc == SQLITE_DONE)
            *rc = SQLITE_OK;
    }
    size_t i;
    json_t *e;
    json_array_foreach(out, i, e) {
        if (*rc != SQLITE_OK)
            break;
        *rc = add_medians(f, json_integer_value(json_object_get(e, "run")), id, e);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(f);
    return out;
}

/* Pettitt's test on one figure of the series (runs without it left out): the change, if
 * p < 0.05 and the step is larger than the threshold, else NULL. */
static json_t *step_in(const json_t *runs, const char *figure, double threshold)
{
    size_t n = json_array_size(runs), m = 0;
    double *x = xcalloc(n + 1, sizeof *x);
    json_t **at = xcalloc(n + 1, sizeof *at);
    size_t i;
    json_t *e;
    json_array_foreach(runs, i, e) {
        json_t *v = json_object_get(e, figure);
        if (json_is_number(v)) {
            x[m] = json_number_value(v);
            at[m++] = e;
        }
    }
    struct stats_change c;
    json_t *change = NULL;
    if (stats_pettitt(x, m, &c) == 0 && c.p < 0.05 && c.before > 0 &&
        fabs(c.after / c.before - 1) > threshold)
        change = json_pack("{s:O, s:f, s:f, s:f, s:f, s:s}", "at_run",
                           json_object_get(at[c.at], "run"), "p", c.p, "before", c.before,
                           "after", c.after, "ratio", c.after / c.before, "figure", figure);
    free(x);
    free(at);
    return change;
}

json_t *history_point(struct history *h, const char *spec, const char *point, size_t limit,
                      double threshold, char *err, size_t errlen)
{
    int rc;
    json_t *all = recorded_points(h, spec, &rc);
    json_t *found = rc == SQLITE_OK ? find_point(all, point) : NULL;
    json_t *out = NULL;
    if (rc != SQLITE_OK) {
        db_fail(h, rc, "cannot read points", err, errlen);
        errno = EIO;
    } else if (json_array_size(found) != 1) {
        unresolved(h, spec, point, found, err, errlen);
    } else {
        const json_t *c = json_array_get(found, 0);
        const char *the_spec = json_string_value(json_array_get(c, 0));
        const char *id = json_string_value(json_array_get(c, 1));
        json_t *runs = series(h, the_spec, id, limit, &rc);
        if (rc != SQLITE_OK) {
            db_fail(h, rc, "cannot read the point's runs", err, errlen);
            errno = EIO;
            json_decref(runs);
        } else {
            json_t *change = step_in(runs, "p50", threshold);
            if (!change)
                change = step_in(runs, "p99", threshold);
            out = json_pack("{s:s, s:O, s:s, s:o, s:o}", "point", id, "label",
                            json_array_get(c, 2), "spec", the_spec, "runs", runs, "change",
                            change ? change : json_null());
        }
    }
    json_decref(found);
    json_decref(all);
    return out;
}
