/*
 * merge_points.h — the inside of `bhost merge`: points (and instrument
 * entries) found in several inputs, merged into one (merge_points.c), for
 * merge.c to put into a results document.
 */
#ifndef BHOST_MERGE_POINTS_H
#define BHOST_MERGE_POINTS_H

#include "results/results_read.h"

#include <jansson.h>
#include <stddef.h>

/* The inputs, and the first thing that went wrong with them. */
struct merge {
    struct results_file *in;
    size_t nin;
    char err[1024];
    /* The artifact files the merged document lists: [{"from": where an input has it,
     * "to": its path in the merged run directory}], for the caller to copy. */
    json_t *copies;
};

/* Records the reason in m->err; returns -1. */
__attribute__((format(printf, 2, 3))) int merge_fail(struct merge *m, const char *fmt, ...);

/* Every point of the inputs, a point found in several merged, in sweep order; NULL with
 * m->err set if they cannot be merged. */
json_t *merge_points(struct merge *m);
/*
 * The results of one point run repetition by repetition (each part a point result of its
 * own, in repetition order, all from the run directory `run_dir`) as one point, merged as
 * `bhost merge` merges; NULL with err set if they cannot be.
 */
json_t *merge_point_parts(json_t *const *parts, size_t n, const char *run_dir, char *err,
                          size_t errlen);
/* The instrument entries, matched by instrument and experiment, merged as points are. */
json_t *merge_instruments(struct merge *m);

static inline json_int_t merge_int_at(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static inline double merge_number_at(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static inline const char *merge_status_of(json_t *pt)
{
    return json_string_value(json_object_get(pt, "status"));
}

#endif
