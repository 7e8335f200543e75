/*
 * results.h — the results file, schema "bhost.result/1" (docs/results.md).
 */
#ifndef BHOST_RESULTS_H
#define BHOST_RESULTS_H

#include "hdr/hdr.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define RESULTS_SCHEMA "bhost.result/1"

/* A histogram's summary (unit, count, figures, throughput over wall_s seconds, hdr) as the
 * file holds it; every figure null when it is empty, the throughput null unless the unit is
 * "ns" (NULL: "ns"). */
json_t *results_summary(const struct hdr *h, double wall_s, const char *unit);
/*
 * One histogram of a point: its summary over the `nreps` repetitions merged, and each
 * repetition's, with its iterations and wall time. `encoded` (may be NULL, or hold
 * NULLs) gives repetitions' V2 Base64 encodings already made, which are used rather
 * than made again. *overflow is set when the repetitions' counts do not fit in one
 * int64 total: the summary then stops at the repetition that overflowed.
 */
json_t *results_histogram(const struct hdr *reps, uint32_t nreps, const uint64_t *rep_iterations,
                          const uint64_t *rep_wall_ns, char *const *encoded, const char *unit,
                          int *overflow);
/* run.failures: failed iterations over points, counts and reasons summed across them. */
json_t *results_run_failures(json_t *points);
/* How many of `points` have this status. */
size_t results_count_status(json_t *points, const char *status);

/* Facts about this run that results_document() records. */
struct run_info {
    int argc;
    char **argv;
    char started_utc[32], finished_utc[32];
    uint64_t wall_ns;
    const char *run_dir;
    const char *filter;
    uint64_t points_total;   /* in the sweep, before --filter */
    int stop_signal;         /* the signal that stopped the run early, or 0 */
    size_t jobs;             /* points run at once (--jobs) */
    const char *pinning;     /* how points were placed on CPUs */
    json_t *shard;           /* run.shard of a shard's run (the caller's), or NULL */
};

/* The whole document; takes over spec (the spec as it ran, spec_to_json()), env
 * (env_capture() before the first point), points and instruments. */
json_t *results_document(json_t *spec, const struct run_info *info, json_t *env,
                         json_t *points, json_t *instruments);
/* Writes doc to path atomically (temporary file + rename). */
int results_write(const json_t *doc, const char *path, char *err, size_t errlen);

#endif
