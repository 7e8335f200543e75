/*
 * summary.h — the set's summary.json (schema "bhost.summary/1",
 * docs/artifacts.md): a run's totals for a quick review: points by status,
 * failures grouped by reason, the longest point, the plugins' artifact
 * bytes and the gates' outcomes.
 */
#ifndef BHOST_SUMMARY_H
#define BHOST_SUMMARY_H

#include <jansson.h>

#define SUMMARY_SCHEMA "bhost.summary/1"

/* The summary of a results document (checked by results_read()). */
json_t *summary_build(const json_t *results);

#endif
