/*
 * point_source.h — a run's points handed out one at a time, by position in
 * sweep order, from wherever they are kept (a document's array, or a running
 * run's journal: point_store.h), so that what reads every point need not
 * hold them all at once.
 */
#ifndef BHOST_POINT_SOURCE_H
#define BHOST_POINT_SOURCE_H

#include <jansson.h>
#include <stddef.h>

struct point_source {
    size_t n;                               /* positions 0 .. n-1 */
    /* The point at position i, a new reference; NULL when the run has no point there (or
     * it cannot be read back: then the source's `failed` is set). */
    json_t *(*get)(struct point_source *src, size_t i);
    /* Point i's status without reading the point back ("ok", "failed", "partial",
     * "skipped"), or NULL: no point there. */
    const char *(*status)(struct point_source *src, size_t i);
    void *ctx;
    int failed;                             /* a point could not be read back */
};

/* The points of a document's "points" array (which must outlive the source). */
void point_source_of_array(struct point_source *ps, const json_t *points);
/* The point at i (NULL: none there). */
json_t *point_source_get(struct point_source *ps, size_t i);
/* The status of the point at i (NULL: none there). */
const char *point_source_status(struct point_source *ps, size_t i);

#endif
