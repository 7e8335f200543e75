/*
 * plot_percentiles.h — a histogram's percentile distribution drawn as
 * HdrHistogram's plotter draws it: the value against the percentile, on an
 * axis where each "nine" takes the same width (0 %, 90 %, 99 %, 99.9 %,
 * ...), that is log10(1 / (1 - q)), so the tail is as readable as the body.
 */
#ifndef BHOST_REPORT_PLOT_PERCENTILES_H
#define BHOST_REPORT_PLOT_PERCENTILES_H

#include "hdr/hdr.h"

#include <stdio.h>

struct plot_distribution {
    const struct hdr *h; /* a histogram with at least one value */
    const char *name;    /* for the legend */
    const char *cls;     /* the line's class in the page's stylesheet */
};

/* One <svg> of class "dist": the distributions (values in `unit`, "ns" for times), their
 * legend, and `title` for screen readers. */
void plot_percentiles(FILE *f, const struct plot_distribution *d, size_t n, const char *title,
                      const char *unit);

#endif
