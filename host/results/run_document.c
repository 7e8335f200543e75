/* run_document.c — see run_document.h. */
#include "results/run_document.h"
#include "results/results_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The members before "points", in the order results_document() gives them. */
static const char *const before_points[] = {"schema", "bhost", "run", "spec", "environment"};

static int is_before_points(const char *key)
{
    for (size_t k = 0; k < sizeof before_points / sizeof before_points[0]; k++)
        if (strcmp(key, before_points[k]) == 0)
            return 1;
    return 0;
}

int run_document_write(const char *path, const json_t *head, struct point_store *ps,
                       char *err, size_t errlen)
{
    struct results_stream *s = results_stream_open(path, err, errlen);
    if (!s)
        return -1;
    for (size_t k = 0; k < sizeof before_points / sizeof before_points[0]; k++) {
        const json_t *v = json_object_get(head, before_points[k]);
        if (v)
            results_stream_member(s, before_points[k], v);
    }
    results_stream_begin_array(s, "points");
    struct point_source src;
    point_store_source(ps, &src);
    for (size_t i = 0; i < src.n; i++) {
        if (!point_store_status(ps, i))
            continue;
        char *text;
        size_t len;
        int journaled = point_store_text(ps, i, &text, &len);
        if (journaled == 1) {
            results_stream_item_text(s, text, len);
            free(text);
            continue;
        }
        json_t *pt = journaled == 0 ? point_source_get(&src, i) : NULL;
        if (!pt) {
            snprintf(err, errlen, "%s: cannot read point %zu back from the journal: %s", path,
                     i, journaled < 0 ? strerror(errno) : "not JSON");
            results_stream_abort(s);
            return -1;
        }
        results_stream_item(s, pt);
        json_decref(pt);
    }
    results_stream_end_array(s);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)head, key, v)
        if (!is_before_points(key))
            results_stream_member(s, key, v);
    return results_stream_close(s, err, errlen);
}
