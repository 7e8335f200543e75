/*
 * export_bmf.h — a run in Bencher Metric Format JSON, for `bencher run
 * --adapter json` (docs/export.md, "bmf"): a benchmark per ok point and
 * histogram, with latency percentiles, throughput and the point's metrics as
 * measures, each bounded by the spread of its repetitions.
 */
#ifndef BHOST_EXPORT_BMF_H
#define BHOST_EXPORT_BMF_H

#include <jansson.h>
#include <stdio.h>

/* Writes doc to f; each point left out (not ok) gets a line on `notes` (may be NULL). */
void export_bmf(FILE *f, const json_t *doc, FILE *notes);

#endif
