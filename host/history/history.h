/*
 * history.h — the history database (docs/compare.md, "History"): every
 * run's figures recorded in one SQLite file, so that a CI job can list past
 * runs, follow a point over time, compare with a rolling baseline and see a
 * step change.
 *
 * Several bhost processes may record into one file at once: each record is
 * one transaction, retried while the database is busy (WAL mode, a busy
 * timeout), so nothing is lost. A corrupt, unreadable or locked-for-too-long
 * database is an error with its reason; the caller's run results are not
 * affected by it.
 */
#ifndef BHOST_HISTORY_H
#define BHOST_HISTORY_H

#include "results/point_source.h"

#include <jansson.h>
#include <stddef.h>

#define HISTORY_ENV "BHOST_HISTORY"               /* a path, or "off" */
#define HISTORY_DEFAULT_PATH "results/history.sqlite"
#define HISTORY_DEFAULT_BASELINE_RUNS 5            /* the rolling baseline's N */

struct history;

/*
 * Where the history goes: `option` (--history; may be NULL), else
 * $BHOST_HISTORY, else HISTORY_DEFAULT_PATH. NULL when the one that decides
 * is "off" (recording opted out).
 */
const char *history_path(const char *option);

/* Opens (and with `create`, creates with its folder and schema) the database. 0, or -1
 * with err set (errno ENOENT when, without `create`, there is no file; else EIO). */
int history_open(const char *path, int create, struct history **out, char *err, size_t errlen);
void history_close(struct history *h);

/*
 * Records a finished run: its results document and where it was written.
 * Returns the new run's number (>= 1), or -1 with err set. Recording the
 * same results file twice records it once (returns the existing number).
 */
long long history_record(struct history *h, const json_t *doc, const char *results_path,
                         char *err, size_t errlen);
/* history_record() of a document given as its head (every member but "points") and its
 * points, read one at a time from src: a large run is never all in memory. */
long long history_record_points(struct history *h, const json_t *head, struct point_source *src,
                                const char *results_path, char *err, size_t errlen);

/*
 * The machine fingerprint runs are matched by for baselines: a hash of the
 * environment fields that change timings (hostname, CPU model and count,
 * kernel, build type, compiler, sanitized), 16 hex digits; a new string.
 */
char *history_fingerprint(const json_t *doc);

/* Runs, newest first (at most `limit`, 0: all), of one spec (NULL: all):
 * [{"run", "spec", "started_utc", "git_commit", "git_dirty", "status",
 *   "points_run", "points_failed", "fingerprint", "results"}]. */
json_t *history_runs(struct history *h, const char *spec, size_t limit, char *err,
                     size_t errlen);

/*
 * One point's figures over time, oldest first: the point is an id or a
 * label (of spec `spec`, or of any spec if NULL and it is unambiguous).
 * {"point", "label", "spec", "runs": [{"run", "started_utc", "git_commit",
 * "status", "p50", "p99", ...medians over repetitions}], "change": null or
 * {"at_run", "p", "before", "after", "ratio", "figure"}} — the change is
 * Pettitt's test on the series' p50 (and p99), flagged when p < 0.05 and
 * the step is larger than `threshold`. NULL with err set; errno ENOENT when
 * no point, or more than one, matches (err lists them), EIO on a database
 * error, so that a caller can tell a wrong name from a broken database.
 */
json_t *history_point(struct history *h, const char *spec, const char *point, size_t limit,
                      double threshold, char *err, size_t errlen);

/*
 * The rolling baseline for `doc`: the last `n` recorded runs of the same
 * spec with the same fingerprint, `doc`'s own run left out. A results
 * document compare.h reads: per point, every histogram's repetitions of
 * those runs pooled (figures only, no "hdr"), failures summed, metrics'
 * medians; "baseline": {"runs": [numbers], "from_history": path}. NULL with
 * err set if there is none (errno ENOENT) or on a database error (EIO).
 */
json_t *history_baseline(struct history *h, const json_t *doc, size_t n, char *err,
                         size_t errlen);

#endif
