/* history_series.c — see history_series.h. */
#include "report/history_series.h"
#include "history/history.h"
#include "report/view.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number the history gave the results file at `results_path`, or 0. */
static long long own_number(struct history *h, const char *spec, const char *results_path)
{
    char err[1024], *real = realpath(results_path, NULL);
    json_t *runs = real ? history_runs(h, spec, 0, err, sizeof err) : NULL;
    long long number = 0;
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        const char *path = view_text(r, "results");
        if (path && strcmp(path, real) == 0)
            number = json_integer_value(json_object_get(r, "run"));
    }
    json_decref(runs);
    free(real);
    return number;
}

void history_series_load(struct history_series *out, const char *db, const json_t *doc,
                         const char *results_path)
{
    *out = (struct history_series){.points = json_object()};
    if (!db) {
        snprintf(out->note, sizeof out->note, "the history is off (--history off or %s=off)",
                 HISTORY_ENV);
        return;
    }
    struct history *h;
    char err[1024];
    if (history_open(db, 0, &h, err, sizeof err) != 0) {
        if (errno == ENOENT)
            snprintf(out->note, sizeof out->note, "no history database at %s", db);
        else
            snprintf(out->note, sizeof out->note, "%s", err);
        return;
    }
    const char *spec = view_text(json_object_get(doc, "spec"), "name");
    out->this_run = spec ? own_number(h, spec, results_path) : 0;
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        const char *id = view_text(pt, "id");
        if (!spec || !id)
            continue;
        json_t *series = history_point(h, spec, id, HISTORY_SERIES_RUNS, 0.02, err, sizeof err);
        if (!series && errno != ENOENT) {
            snprintf(out->note, sizeof out->note, "%s", err);
            break;
        }
        json_t *runs = json_object_get(series, "runs");
        if (json_array_size(runs))
            json_object_set(out->points, id, runs);
        json_decref(series);
    }
    history_close(h);
}

size_t history_series_past(const struct history_series *s, const json_t *runs)
{
    size_t n = 0, i;
    const json_t *r;
    json_array_foreach(runs, i, r)
        n += !s->this_run || json_integer_value(json_object_get(r, "run")) != s->this_run;
    return n;
}

void history_series_free(struct history_series *s)
{
    json_decref(s->points);
    s->points = NULL;
}
