/*
 * bundle.h — a run's artifact set in one zip archive (docs/artifacts.md):
 * RUN_DIR/<run directory's name>.zip holds the manifest and every file it
 * lists (the set, results.json, run.hlog, the plugins' artifacts), each at
 * its path relative to the run directory, deflated, with its modification
 * time. The archive is written under a temporary name and renamed: there
 * is a whole archive or none.
 */
#ifndef BHOST_BUNDLE_H
#define BHOST_BUNDLE_H

#include "artifacts/artifacts.h"

#include <stddef.h>

/*
 * Bundles the set artifacts_write() wrote in run_dir. Each file's bytes are checked against
 * the manifest's size and SHA-256 as they are packed: a file changed since is an error, not
 * an archive that disagrees with its manifest. 0 and the archive's path in *zip_path
 * (malloc'd), or -1 with a message naming the file in err.
 */
int artifacts_bundle(const char *run_dir, char **zip_path, struct artifacts_totals *t,
                     char *err, size_t errlen);

#endif
