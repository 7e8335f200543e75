/*
 * hdr_text.h — a histogram as text, in the layout of HdrHistogram Java's
 * outputPercentileDistribution(), character for character.
 */
#ifndef BHOST_HDR_TEXT_H
#define BHOST_HDR_TEXT_H

#include "hdr/hdr.h"

#include <stddef.h>
#include <stdio.h>

#define HDR_TEXT_TICKS_PER_HALF 5

/*
 * The percentile distribution: a header, one row per percentile tick (the
 * ticks halve their step each time half the remaining distance to 100% is
 * covered, `ticks_per_half` ticks per half), the 100% row, and the Mean/
 * StdDeviation, Max/Total count and Buckets/SubBuckets footer. Values are
 * divided by `unit_ratio` and shown with the histogram's significant digits
 * as decimals. Mean and standard deviation are computed as Java computes
 * them (bucket medians, summed in index order).
 */
void hdr_text_percentiles(FILE *f, const struct hdr *h, int ticks_per_half, double unit_ratio);

/*
 * The same with the footer's Max given rather than hdr_max_value(h): Java
 * prints its histogram's getMaxValue(), which for a histogram made by adding
 * others (HistogramLogProcessor's) is not always what the counts say.
 */
void hdr_text_percentiles_max(FILE *f, const struct hdr *h, int ticks_per_half,
                              double unit_ratio, int64_t max);

/*
 * Java's String.format("%<width>.<prec>f", v): the shortest decimal form of
 * v that reads back as v, rounded half up to `prec` decimals, right-aligned
 * in `width`. (C's printf rounds the exact binary value half to even, so
 * 0.125 and 2.5625 print differently.)
 */
void hdr_text_java_fixed(char *buf, size_t size, double v, int width, int prec);

#endif
