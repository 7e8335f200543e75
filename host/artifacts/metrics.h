/*
 * metrics.h — the set's metrics.json (schema "bhost.metrics/1",
 * docs/artifacts.md): per point, its latency figures, throughput, success
 * rate, counters and gauges; per experiment, the same rolled up over its
 * points (their histograms added, which loses nothing).
 */
#ifndef BHOST_METRICS_H
#define BHOST_METRICS_H

#include <jansson.h>

#define METRICS_SCHEMA "bhost.metrics/1"

/* The rollups of a results document (checked by results_read()). */
json_t *metrics_build(const json_t *results);

#endif
