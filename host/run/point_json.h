/*
 * point_json.h — a sweep point's outcome as its result object in
 * results.json and the journal (docs/results.md, "point").
 */
#ifndef BHOST_POINT_JSON_H
#define BHOST_POINT_JSON_H

#include "run/point_state.h"
#include "spec/sweep.h"

#include <jansson.h>

/* A point that ran: what `ps` measured and how `pr` says it went. */
json_t *point_json(const struct point *pt, const struct point_state *ps,
                   const struct point_run *pr);
/* A point that produced no result of its own (its process died): failed, with
 * `error` and the tail of what it printed (may be NULL). */
json_t *point_json_lost(const struct point *pt, const char *error, const char *stderr_tail,
                        uint64_t wall_ns);
/*
 * What one finished repetition measured, and the running totals after it: the
 * record an isolated point's process sends the host after each repetition, so
 * that a point that dies later keeps it.
 */
json_t *point_json_repetition(struct point_state *ps, const struct point_run *pr, uint32_t rep);
/*
 * A point whose process died after sending `records` (point_json_repetition()s,
 * in order) and ran `cut_short` iterations of the repetition it did not finish:
 * status "partial" with the whole repetitions, or point_json_lost() if it kept
 * nothing at all.
 */
json_t *point_json_partial(const struct point *pt, json_t *records, uint64_t cut_short,
                           const char *error, const char *stderr_tail, uint64_t wall_ns);
/* A point that was not run (the time budget ran out): status "skipped". */
json_t *point_json_skipped(const struct point *pt, const char *why);
/* An instrument's run-level entry: its parameters, metrics and error. */
json_t *instrument_json(const struct instrument_run *ir);
/* Records that `killed` processes the point started outlived it; a point that was ok
 * fails for it. */
void point_json_left(json_t *point, size_t killed);
/* Counters and gauges: name -> {kind, value}; a point's counters also per_iteration (over
 * `measured` iterations) and per_second (over `measured_s` of measuring), when given. */
json_t *metrics_json(const struct metrics *m, uint64_t measured, double measured_s);

#endif
