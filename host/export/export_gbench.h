/*
 * export_gbench.h — a run as Google Benchmark's JSON (--benchmark_format=json,
 * as its 1.7 and 1.8 releases write it): a context, then per point and
 * histogram one entry per repetition and the mean, median, stddev and cv
 * aggregates, for compare.py and the trackers that read that format
 * (docs/export.md, "gbench").
 */
#ifndef BHOST_EXPORT_GBENCH_H
#define BHOST_EXPORT_GBENCH_H

#include <jansson.h>
#include <stdio.h>

/* Whether `unit` is "ns", "us", "ms", "s" or "auto". */
int gbench_time_unit_ok(const char *unit);

/* Writes doc (results_read() accepted it) to f, every time in `time_unit`. */
void export_gbench(FILE *f, const json_t *doc, const char *time_unit);

#endif
