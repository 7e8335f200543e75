/*
 * ratios.h — a comparison's figures (compare/compare.h) in words, the same
 * in both reports: the ratio, its interval, which figure, the summary. The
 * texts are raw (a histogram's name comes from the results): each writer
 * escapes them.
 */
#ifndef BHOST_REPORT_RATIOS_H
#define BHOST_REPORT_RATIOS_H

#include "compare/compare.h"

#include <stddef.h>

/* "1.012"; "–" when there is none. */
char *ratios_ratio(char *buf, size_t n, double ratio);
/* "0.980–1.040"; "none" when there is none. */
char *ratios_interval(char *buf, size_t n, const struct stats_ratio *r);
/* "p50" for the iteration histogram, "response p99" for another. */
char *ratios_figure(char *buf, size_t n, const struct compare_figure *f);
/* "42 figures: 3 slower, 1 faster, 36 same, 2 inconclusive; geometric mean of the ratios:
 * p50 1.012, p99 0.998". */
void ratios_summary(char *buf, size_t n, const struct compare_result *r);

#endif
