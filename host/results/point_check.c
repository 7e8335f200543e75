/* point_check.c — see point_check.h. */
#include "results/point_check.h"

#include <stdio.h>
#include <string.h>

#define BAD(...) (snprintf(why, n, __VA_ARGS__), -1)

static int string_or_null(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return !v || json_is_string(v) || json_is_null(v);
}

static int number_or_null(const json_t *v)
{
    return !v || json_is_number(v) || json_is_null(v);
}

/* An integer >= 0: what is summed when runs merge must never be negative. */
static int is_count(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/*
 * A string of Base64 characters, or null (or absent, if `required` is 0).
 * An hdr is copied into run.hlog as it is, so a newline in a hand-edited
 * journal would otherwise become lines of the log.
 */
static int base64_or_null(const json_t *o, const char *key, int required)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return !required;
    if (json_is_null(v))
        return 1;
    if (!json_is_string(v))
        return 0;
    const char *text = json_string_value(v);
    size_t len = json_string_length(v);
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return 0;
    }
    return 1;
}

static int check_failures(const json_t *f, char *why, size_t n)
{
    if (!json_is_object(f))
        return BAD("failures: not an object");
    if (!is_count(f, "count"))
        return BAD("failures.count: not a count (an integer >= 0)");
    const json_t *reasons = json_object_get(f, "reasons");
    if (!json_is_array(reasons))
        return BAD("failures.reasons: not an array");
    size_t i;
    const json_t *r;
    json_array_foreach(reasons, i, r) {
        if (!json_is_string(json_object_get(r, "reason")))
            return BAD("failures.reasons[%zu]: not a reason with a count", i);
        if (!is_count(r, "count"))
            return BAD("failures.reasons[%zu].count: not a count (an integer >= 0)", i);
    }
    return 0;
}

static int check_histogram(const char *name, const json_t *h, char *why, size_t n)
{
    static const char *const figures[] = {"min", "mean", "stddev", "p50", "p90",
                                          "p99", "p99_9", "max", "throughput_per_s"};
    if (!json_is_object(h))
        return BAD("histograms.%s: not an object", name);
    if (!is_count(h, "count"))
        return BAD("histograms.%s.count: not a count (an integer >= 0)", name);
    for (size_t k = 0; k < sizeof figures / sizeof *figures; k++)
        if (!number_or_null(json_object_get(h, figures[k])))
            return BAD("histograms.%s.%s: not a number", name, figures[k]);
    if (!base64_or_null(h, "hdr", 1))
        return BAD("histograms.%s.hdr: not a Base64 string", name);
    const json_t *unit = json_object_get(h, "unit");
    if (unit && !json_is_string(unit))
        return BAD("histograms.%s.unit: not a string", name);
    const json_t *reps = json_object_get(h, "repetitions");
    if (reps && !json_is_array(reps))
        return BAD("histograms.%s.repetitions: not an array", name);
    size_t i;
    const json_t *r;
    json_array_foreach(reps, i, r) {
        if (!json_is_object(r) || !number_or_null(json_object_get(r, "iterations")) ||
            !number_or_null(json_object_get(r, "wall_s")))
            return BAD("histograms.%s.repetitions[%zu]: not a repetition", name, i);
        if (!base64_or_null(r, "hdr", 0))
            return BAD("histograms.%s.repetitions[%zu].hdr: not a Base64 string", name, i);
    }
    return 0;
}

int metrics_check(json_t *metrics, char *why, size_t n)
{
    if (!json_is_object(metrics))
        return BAD("metrics: not an object");
    const char *name;
    json_t *m;
    json_object_foreach(metrics, name, m) {
        const char *kind = json_string_value(json_object_get(m, "kind"));
        if (kind && strcmp(kind, "unavailable") == 0) {
            if (!json_is_string(json_object_get(m, "reason")))
                return BAD("metrics.%s.reason: not a string", name);
            continue;
        }
        if (!kind || (strcmp(kind, "counter") != 0 && strcmp(kind, "gauge") != 0))
            return BAD("metrics.%s.kind: neither counter, gauge nor unavailable", name);
        if (!json_object_get(m, "value") || !number_or_null(json_object_get(m, "value")))
            return BAD("metrics.%s.value: not a number", name);
    }
    return 0;
}

/* A table: columns of a name and a unit (null: text), rows of one cell per column, text
 * (or null) in text columns, numbers (or null) in the others. */
static int check_table(const char *name, const json_t *t, char *why, size_t n)
{
    const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
    if (!json_is_object(t) || !json_is_array(cols) || json_array_size(cols) == 0 ||
        !json_is_array(rows) || !json_is_string(json_object_get(t, "title")))
        return BAD("tables.%s: not a table with a title, columns and rows", name);
    size_t i, k;
    const json_t *col, *row, *cell;
    json_array_foreach(cols, i, col)
        if (!json_is_string(json_object_get(col, "name")) ||
            !string_or_null(col, "unit") || !json_object_get(col, "unit"))
            return BAD("tables.%s.columns[%zu]: not a name and a unit", name, i);
    json_array_foreach(rows, i, row) {
        if (!json_is_array(row) || json_array_size(row) != json_array_size(cols))
            return BAD("tables.%s.rows[%zu]: not one cell per column", name, i);
        json_array_foreach(row, k, cell) {
            int text = json_is_null(json_object_get(json_array_get(cols, k), "unit"));
            if (!json_is_null(cell) && (text ? !json_is_string(cell) : !json_is_number(cell)))
                return BAD("tables.%s.rows[%zu][%zu]: not %s", name, i, k,
                           text ? "text" : "a number");
        }
    }
    return 0;
}

int reports_check(json_t *o, char *why, size_t n)
{
    json_t *notes = json_object_get(o, "notes"), *tables = json_object_get(o, "tables");
    const char *name;
    json_t *v;
    if (notes && !json_is_object(notes))
        return BAD("notes: not an object");
    json_object_foreach(notes, name, v)
        if (!json_is_string(v))
            return BAD("notes.%s: not a string", name);
    if (tables && !json_is_object(tables))
        return BAD("tables: not an object");
    json_object_foreach(tables, name, v)
        if (check_table(name, v, why, n) != 0)
            return -1;
    return 0;
}

int point_check(json_t *pt, char *why, size_t n)
{
    static const char *const strings[] = {"id", "label", "experiment", "plugin", "status"};
    if (!json_is_object(pt))
        return BAD("not an object");
    for (size_t k = 0; k < sizeof strings / sizeof *strings; k++)
        if (!json_is_string(json_object_get(pt, strings[k])))
            return BAD("%s: not a string", strings[k]);
    const char *status = json_string_value(json_object_get(pt, "status"));
    if (strcmp(status, "ok") != 0 && strcmp(status, "failed") != 0 &&
        strcmp(status, "partial") != 0 && strcmp(status, "skipped") != 0)
        return BAD("status: '%s' is not ok, failed, partial or skipped", status);
    json_t *partial = json_object_get(pt, "partial");
    if (partial && !json_is_null(partial) &&
        (!json_is_object(partial) ||
         !json_is_integer(json_object_get(partial, "repetitions_kept")) ||
         !json_is_integer(json_object_get(partial, "repetitions_planned")) ||
         !json_is_integer(json_object_get(partial, "iterations_cut_short")) ||
         json_integer_value(json_object_get(partial, "repetitions_kept")) < 0 ||
         json_integer_value(json_object_get(partial, "iterations_cut_short")) < 0))
        return BAD("partial: not null or an object of non-negative repetitions_kept, "
                   "repetitions_planned and iterations_cut_short");
    json_t *left = json_object_get(pt, "processes_left");
    if (left && (!json_is_integer(left) || json_integer_value(left) < 0))
        return BAD("processes_left: not a non-negative integer");
    if (!string_or_null(pt, "error") || !string_or_null(pt, "stderr_tail"))
        return BAD("error, stderr_tail: not strings");
    if (!json_is_object(json_object_get(pt, "params")))
        return BAD("params: not an object");
    static const char *const counts[] = {"index", "repetitions"};
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
        if (!is_count(pt, counts[k]))
            return BAD("%s: not a count (an integer >= 0)", counts[k]);
    static const char *const iterations[] = {"warmup", "measured", "batch"};
    const json_t *it = json_object_get(pt, "iterations");
    if (!json_is_object(it))
        return BAD("iterations: not an object with warmup, measured and batch counts");
    for (size_t k = 0; k < sizeof iterations / sizeof *iterations; k++)
        if (!is_count(it, iterations[k]))
            return BAD("iterations.%s: not a count (an integer >= 0)", iterations[k]);
    if (!number_or_null(json_object_get(pt, "wall_s")))
        return BAD("wall_s: not a number");
    if (check_failures(json_object_get(pt, "failures"), why, n) != 0)
        return -1;
    static const char *const lags[] = {"late", "max_lag_ns"};
    const json_t *schedule = json_object_get(pt, "schedule");
    for (size_t k = 0; json_is_object(schedule) && k < sizeof lags / sizeof *lags; k++) {
        const json_t *v = json_object_get(schedule, lags[k]);
        if (v && !json_is_null(v) && !is_count(schedule, lags[k]))
            return BAD("schedule.%s: not a count (an integer >= 0) or null", lags[k]);
    }
    json_t *hists = json_object_get(pt, "histograms"), *h;
    if (!json_is_object(hists))
        return BAD("histograms: not an object");
    const char *name;
    json_object_foreach(hists, name, h)
        if (check_histogram(name, h, why, n) != 0)
            return -1;
    if (reports_check(pt, why, n) != 0)
        return -1;
    return metrics_check(json_object_get(pt, "metrics"), why, n);
}
