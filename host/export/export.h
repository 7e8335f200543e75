/*
 * export.h — a finished run in the formats other tools read (docs/export.md):
 * Google Benchmark JSON for its compare.py and the trackers that take it,
 * Bencher Metric Format, JUnit XML for CI test reports, and CSV.
 */
#ifndef BHOST_EXPORT_H
#define BHOST_EXPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

enum export_format { EXPORT_GBENCH, EXPORT_BMF, EXPORT_JUNIT, EXPORT_CSV };

/* The formats' names, in enum order: "gbench", "bmf", "junit", "csv". */
extern const char *const export_format_names[];
#define EXPORT_FORMATS 4

/* The format named `name`: 0 and *format, or -1. */
int export_format_find(const char *name, enum export_format *format);

struct export_options {
    enum export_format format;
    /* gbench: the time unit of every entry, "ns", "us", "ms" or "s"; or "auto": per
     * point, the largest unit its mean is at least 1 in. NULL: "ns". */
    const char *time_unit;
    /* gbench: only the aggregates of a point that has them (as Google Benchmark's
     * --benchmark_report_aggregates_only), the first repetition of one that has none:
     * each name once, for trackers that take every entry as a benchmark. */
    int aggregates_only;
    /* Where to say what a format leaves out (bmf: the points that are not ok); may be NULL. */
    FILE *notes;
};

/* Whether `unit` is one export_options.time_unit takes. */
int export_time_unit_ok(const char *unit);

/*
 * Writes `doc`, a results document that results_read() accepted, to f in the
 * options' format. Every string from the document goes through the format's
 * escaping (jansson for JSON, escape_xml, escape_csv). Write errors show in
 * ferror(f).
 */
void export_write(FILE *f, const json_t *doc, const struct export_options *o);

#endif
