/* baseline.c — see baseline.h. */
#include "cli/baseline.h"
#include "history/history.h"
#include "results/results_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Whether doc has a point of the results file rf (found by id, as compare matches them). */
static int shares_a_point(const struct results_file *rf, const json_t *doc)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(doc, "points"), i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (id && json_object_get(rf->by_id, id))
            return 1;
    }
    return 0;
}

json_t *baseline_load(const char *what, const char *history_file, const json_t *doc,
                      int *none_yet, char *why, size_t whylen)
{
    *none_yet = 0;
    if (strcmp(what, "history") != 0) {
        struct results_file rf;
        if (results_read(what, &rf, why, whylen) != 0)
            return NULL;
        /* A spec whose points all changed (a parameter added, a value renamed): every
         * point is new, as on a first run. */
        if (json_array_size(json_object_get(doc, "points")) && !shares_a_point(&rf, doc)) {
            snprintf(why, whylen, "%s holds none of this run's points (points are matched by "
                     "id, and every point changed with the spec)", what);
            *none_yet = 1;
            results_file_free(&rf);
            return NULL;
        }
        json_t *out = json_incref(rf.doc);
        results_file_free(&rf);
        return out;
    }
    if (!history_file) {
        snprintf(why, whylen, "the history is off (--history off or %s=off)", HISTORY_ENV);
        return NULL;
    }
    struct history *h;
    char err[2048];
    if (history_open(history_file, 0, &h, err, sizeof err) != 0) {
        if ((*none_yet = errno == ENOENT))
            snprintf(why, whylen, "no history database at %s yet", history_file);
        else
            snprintf(why, whylen, "%s", err);
        return NULL;
    }
    json_t *out = history_baseline(h, doc, HISTORY_DEFAULT_BASELINE_RUNS, err, sizeof err);
    *none_yet = !out && errno == ENOENT;
    if (!out)
        snprintf(why, whylen, "%s", err);
    history_close(h);
    return out;
}
