/*
 * baseline.h — the baseline a run or a comparison is judged against: a
 * results file or run directory, or "history", the rolling baseline of the
 * history database (docs/history.md).
 */
#ifndef BHOST_BASELINE_H
#define BHOST_BASELINE_H

#include <jansson.h>
#include <stddef.h>

/*
 * The baseline `what` names for `doc`: a results file or run directory, or "history" (the
 * last HISTORY_DEFAULT_BASELINE_RUNS runs of doc's spec on this machine in the database
 * `history_file`). NULL, with the reason in `why`, if there is none; *none_yet is set when
 * that is because the history holds no earlier run of the spec on this machine yet, or a
 * results file shares no point with doc (its spec changed every point): for a run, a note,
 * not an error (the first run of a CI job, or the first after a spec's change).
 */
json_t *baseline_load(const char *what, const char *history_file, const json_t *doc,
                      int *none_yet, char *why, size_t whylen);

#endif
