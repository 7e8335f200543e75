/* artifacts.c — see artifacts.h. */
#include "artifacts/artifacts.h"
#include "artifacts/manifest.h"
#include "artifacts/metrics.h"
#include "artifacts/series.h"
#include "artifacts/summary.h"
#include "results/results_read.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes doc (taken over) to run_dir/rel as indented JSON: 0, or -1 with why in err. */
static int write_json(const char *run_dir, const char *rel, json_t *doc, char *err,
                      size_t errlen)
{
    char *path = xasprintf("%s/%s", run_dir, rel);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    json_decref(doc);
    int rc = -1;
    if (!text) {
        snprintf(err, errlen, "%s: cannot serialise it", path);
    } else {
        char *line = xasprintf("%s\n", text);
        rc = write_file_atomic(path, line, strlen(line));
        if (rc != 0)
            snprintf(err, errlen, "%s: cannot write it: %s", path, strerror(errno));
        free(line);
    }
    free(text);
    free(path);
    return rc;
}

int artifacts_write(const char *run_dir, struct artifacts_totals *t, char *err, size_t errlen)
{
    struct results_file rf;
    if (results_read(run_dir, &rf, err, errlen) != 0)
        return -1;
    static const struct manifest_entry own[] = {{ARTIFACTS_SUMMARY, "summary"},
                                                {ARTIFACTS_METRICS, "metrics"},
                                                {ARTIFACTS_SERIES, "series"}};
    char *dir = xasprintf("%s/artifacts", run_dir);
    int rc = -1;
    if (mkdir_p(dir, 0755) != 0)
        snprintf(err, errlen, "%s: cannot create it: %s", dir, strerror(errno));
    else if (write_json(run_dir, ARTIFACTS_SUMMARY, summary_build(rf.doc), err, errlen) == 0 &&
             write_json(run_dir, ARTIFACTS_METRICS, metrics_build(rf.doc), err, errlen) == 0 &&
             write_json(run_dir, ARTIFACTS_SERIES, series_build(rf.doc), err, errlen) == 0) {
        json_t *manifest = manifest_build(run_dir, rf.doc, own, sizeof own / sizeof *own,
                                          ARTIFACTS_MANIFEST, err, errlen);
        if (manifest) {
            t->files = json_array_size(json_object_get(manifest, "files"));
            t->bytes = (uint64_t)json_integer_value(
                json_object_get(json_object_get(manifest, "totals"), "bytes"));
            t->left_out = json_array_size(json_object_get(manifest, "not_included"));
            rc = write_json(run_dir, ARTIFACTS_MANIFEST, manifest, err, errlen);
        }
    }
    free(dir);
    results_file_free(&rf);
    return rc;
}
