/* baseline.c — see baseline.h. */
#include "cli/baseline.h"
#include "history/history.h"
#include "results/results_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

json_t *baseline_load(const char *what, const char *history_file, const json_t *doc,
                      int *none_yet)
{
    char err[2048];
    *none_yet = 0;
    if (strcmp(what, "history") != 0) {
        struct results_file rf;
        if (results_read(what, &rf, err, sizeof err) != 0) {
            fprintf(stderr, "bhost: baseline: %s\n", err);
            return NULL;
        }
        json_t *out = json_incref(rf.doc);
        results_file_free(&rf);
        return out;
    }
    if (!history_file) {
        fprintf(stderr, "bhost: baseline history: the history is off (--history off or "
                "%s=off)\n", HISTORY_ENV);
        return NULL;
    }
    struct history *h;
    if (history_open(history_file, 0, &h, err, sizeof err) != 0) {
        if ((*none_yet = errno == ENOENT)) {
            fprintf(stderr, "bhost: note: no baseline yet: no history database at %s; nothing "
                    "to compare with\n", history_file);
            return NULL;
        }
        fprintf(stderr, "bhost: baseline history: %s\n", err);
        return NULL;
    }
    json_t *out = history_baseline(h, doc, HISTORY_DEFAULT_BASELINE_RUNS, err, sizeof err);
    *none_yet = !out && errno == ENOENT;
    if (*none_yet)
        fprintf(stderr, "bhost: note: no baseline yet: %s; nothing to compare with\n", err);
    else if (!out)
        fprintf(stderr, "bhost: baseline history: %s\n", err);
    history_close(h);
    return out;
}
