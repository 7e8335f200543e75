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

struct merge_spool;
struct merge_shards;

/* The inputs, and the first thing that went wrong with them. */
struct merge {
    /* Each input as read; once its points are merged (merge.c), only the members of it that
     * the merged document still needs: run, environment, instruments (and input 0's spec). */
    struct results_file *in;
    size_t nin;
    char err[1024];
    /* The artifact files the merged document lists: [{"from": where an input has it,
     * "to": its path in the merged run directory}], for the caller to copy. */
    json_t *copies;
    /* `bhost merge` only (merge.c): the points merged so far, the inputs as shards, the
     * merged_from entries so far and the runs they are (identity -> input), the output
     * directory, and once written the merged run object. */
    struct merge_spool *spool;
    struct merge_shards *shards;
    json_t *from, *seen_runs;
    char *dir;
    json_t *run;
    int io_error; /* m->err is a failure to read or write a file, not a refused input */
};

/* Records the reason in m->err; returns -1. */
__attribute__((format(printf, 2, 3))) int merge_fail(struct merge *m, const char *fmt, ...);

/*
 * Point `pt` of input `input` merged into `prior`, the same point as merged from the inputs
 * before (NULL when it is the first to hold it; `prior_input` is the first input that held
 * it): a new point, its artifacts noted in m->copies, or NULL with m->err set if they cannot
 * be merged. Merging input by input gives what merging them all at once would.
 */
json_t *merge_point_add(struct merge *m, json_t *prior, size_t prior_input, json_t *pt,
                        size_t input);
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
