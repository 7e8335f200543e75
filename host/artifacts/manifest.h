/*
 * manifest.h — the set's manifest.json (schema "bhost.manifest/1",
 * docs/artifacts.md): the run descriptor (times, points, jobs, timeouts,
 * the spec and its hash, instruments, bhost, the machine) and every file
 * of the run the set covers, with its size and SHA-256.
 */
#ifndef BHOST_MANIFEST_H
#define BHOST_MANIFEST_H

#include <jansson.h>
#include <stddef.h>

#define MANIFEST_SCHEMA "bhost.manifest/1"

/* One file the set's other writers made (path relative to the run directory). */
struct manifest_entry {
    const char *path;
    const char *kind;
};

/*
 * The manifest of the run in run_dir, whose results document is `results`: `own` lists the
 * set's files written before it, which come first in "files", then results.json, run.hlog
 * and every artifact results.json lists, hashed as they are now. `self` is the manifest's
 * own path, never listed (a results file naming it is ignored). NULL with a message naming
 * the file when one of those the run must have cannot be read.
 */
json_t *manifest_build(const char *run_dir, const json_t *results,
                       const struct manifest_entry *own, size_t nown, const char *self,
                       char *err, size_t errlen);

#endif
