/*
 * artifacts.h — the seed harness's artifact set of a finished run
 * (docs/artifacts.md): RUN_DIR/artifacts/summary.json, metrics.json and
 * series.json, made from its results.json, and manifest.json, which
 * describes the run and lists every file of it with its size and SHA-256.
 * `bhost run --artifacts` writes the set when the run ends (failed and
 * interrupted runs too); any finished run directory can have its set
 * written later. bundle.h packs it into one zip archive.
 */
#ifndef BHOST_ARTIFACTS_H
#define BHOST_ARTIFACTS_H

#include <stddef.h>
#include <stdint.h>

/* The set's files, relative to the run directory. Points' own artifacts live in
 * artifacts/<16 hex digits>/ and instruments' in artifacts/run/: no name here is one. */
#define ARTIFACTS_MANIFEST "artifacts/manifest.json"
#define ARTIFACTS_SUMMARY "artifacts/summary.json"
#define ARTIFACTS_METRICS "artifacts/metrics.json"
#define ARTIFACTS_SERIES "artifacts/series.json"

/* What a writer wrote, for the line the run prints. */
struct artifacts_totals {
    size_t files;      /* files listed in the manifest (or held by the archive) */
    uint64_t bytes;    /* their bytes (the archive's own size for a bundle) */
    size_t left_out;   /* files results.json names that the manifest could not include */
};

/*
 * Writes the set of the run in run_dir from its results.json, each file atomically, the
 * manifest last. 0, or -1 with a message naming the file in err: a results file that
 * does not read (results_read()), or a file of the set that cannot be written.
 */
int artifacts_write(const char *run_dir, struct artifacts_totals *t, char *err,
                    size_t errlen);

#endif
