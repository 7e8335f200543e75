/* series.c — see series.h. */
#include "artifacts/series.h"
#include "artifacts/doc_fields.h"

/* What every row of a point shares; `repetition` is its number from 1, or 0 for none. */
static json_t *row_of(const json_t *pt, size_t repetition)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "point", doc_copy(pt, "id"), "label",
                     doc_copy(pt, "label"), "experiment", doc_copy(pt, "experiment"), "index",
                     doc_copy(pt, "index"), "repetition",
                     repetition ? json_integer((json_int_t)repetition) : json_null());
}

/* The measured figures of one repetition of the iteration histogram (`rep` NULL: none). */
static void add_measured(json_t *row, const json_t *rep)
{
    json_int_t iterations = json_integer_value(json_object_get(rep, "iterations"));
    json_int_t timed = json_integer_value(json_object_get(rep, "count"));
    json_object_set_new(row, "started_unix_s", doc_copy(rep, "started_unix_s"));
    json_object_set_new(row, "wall_s", doc_copy(rep, "wall_s"));
    json_object_set_new(row, "iterations", doc_copy(rep, "iterations"));
    /* Only successful iterations are timed: the rest of the repetition's iterations failed. */
    json_object_set_new(row, "failed_iterations",
                        rep ? json_integer(iterations - timed) : json_null());
    static const char *const figures[] = {"p50", "p99", "max", "throughput_per_s"};
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
        json_object_set_new(row, figures[i], doc_copy(rep, figures[i]));
}

static void add_outcome(json_t *row, const json_t *pt)
{
    json_object_set_new(row, "status", doc_copy(pt, "status"));
    json_object_set_new(row, "error", doc_copy(pt, "error"));
}

json_t *series_build(const json_t *results)
{
    json_t *doc = doc_head(SERIES_SCHEMA, results);
    json_t *rows = json_array();
    size_t i, k;
    json_t *pt, *rep;
    json_array_foreach(json_object_get(results, "points"), i, pt) {
        json_t *reps = doc_at(pt, "histograms/iteration/repetitions");
        json_array_foreach(reps, k, rep) {
            json_t *row = row_of(pt, k + 1);
            add_measured(row, rep);
            add_outcome(row, pt);
            json_array_append_new(rows, row);
        }
        if (json_array_size(reps) == 0) {
            json_t *row = row_of(pt, 0);
            add_measured(row, NULL);
            add_outcome(row, pt);
            json_array_append_new(rows, row);
        }
    }
    json_object_set_new(doc, "rows", rows);
    return doc;
}
