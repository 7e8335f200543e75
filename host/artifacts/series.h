/*
 * series.h — the set's series.json (schema "bhost.series/1",
 * docs/artifacts.md): one row per point and repetition, in sweep order,
 * for charts and for spotting a spike, a cluster of failures or a drift
 * over the run. A point that measured nothing has one row of its own.
 */
#ifndef BHOST_SERIES_H
#define BHOST_SERIES_H

#include <jansson.h>

#define SERIES_SCHEMA "bhost.series/1"

/* The rows of a results document (checked by results_read()). */
json_t *series_build(const json_t *results);

#endif
