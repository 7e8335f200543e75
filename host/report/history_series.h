/*
 * history_series.h — each point's p50 and p99 over the runs the history
 * database holds (history/history.h), for the report's sparklines, and why
 * there are none when there are none. The report never creates or writes
 * the database.
 */
#ifndef BHOST_REPORT_HISTORY_SERIES_H
#define BHOST_REPORT_HISTORY_SERIES_H

#include <jansson.h>
#include <stddef.h>

#define HISTORY_SERIES_RUNS 30 /* the newest runs drawn */

struct history_series {
    json_t *points;    /* point id -> history_point()'s "runs" (oldest first); only points with
                          a run in the history */
    long long this_run; /* the run's own number in the history; 0 when it is not recorded */
    char note[2048];   /* why there is nothing at all ("" when the database was read) */
};

/* Reads the series of every point of `doc` (the results read from `results_path`) from the
 * database `db` (NULL: the history is off). Never fails: what went wrong is in out->note. */
void history_series_load(struct history_series *out, const char *db, const json_t *doc,
                         const char *results_path);
void history_series_free(struct history_series *s);

/* The point's runs before this one (this run left out): how many. */
size_t history_series_past(const struct history_series *s, const json_t *runs);

#endif
