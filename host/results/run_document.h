/*
 * run_document.h — a run's results.json written from its head (every
 * top-level member but "points": schema, bhost, run, spec, environment,
 * instruments) and its points taken one at a time from the run's point
 * store: journaled points are copied line for line from the journal, never
 * all in memory.
 */
#ifndef BHOST_RUN_DOCUMENT_H
#define BHOST_RUN_DOCUMENT_H

#include "results/point_store.h"

#include <jansson.h>
#include <stddef.h>

/* Writes path (temporary file + rename): head's members in the schema's order, "points" in
 * sweep order after "environment". 0, or -1 with the reason in err. */
int run_document_write(const char *path, const json_t *head, struct point_store *ps,
                       char *err, size_t errlen);

#endif
