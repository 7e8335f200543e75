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

struct gbench_options {
    const char *time_unit; /* "ns", "us", "ms", "s", or "auto": per point and histogram */
    int aggregates_only;   /* each name once: the aggregates where there are some (Google
                              Benchmark's --benchmark_report_aggregates_only), else the
                              first repetition */
};

/* Writes doc (results_read() accepted it) to f. */
void export_gbench(FILE *f, const json_t *doc, const struct gbench_options *o);

#endif
