/*
 * stats.h — the statistics bhost's comparisons rest on (docs/compare.md):
 * medians, the Hodges–Lehmann shift of two samples with its distribution-
 * free (Mann–Whitney) confidence interval, used on log times so that a
 * shift is a ratio, and Pettitt's change-point test for a series.
 *
 * Nothing here keeps state or draws random numbers: the same samples always
 * give the same answer. The interval allocates its na*nb pairwise
 * differences (and, up to 2500 pairs, the exact null distribution).
 */
#ifndef BHOST_STATS_H
#define BHOST_STATS_H

#include <stddef.h>

/* The median of v[0..n) (v is reordered); NAN for n == 0. */
double stats_median(double *v, size_t n);

/*
 * The smallest sample size, the same on both sides, for which a two-sided
 * interval at `confidence` exists at all (4 at 0.95: with 3 and 3 the most
 * extreme ordering still has probability 0.1).
 */
size_t stats_min_per_side(double confidence);

/* B relative to A: b/a as a ratio of times, and its interval. */
struct stats_ratio {
    double ratio;   /* exp(Hodges–Lehmann shift of log b vs log a) */
    double lo, hi;  /* the interval at the confidence asked; NAN when there is none */
    int exact;      /* 1: exact Mann–Whitney null distribution; 0: normal approximation */
};

/*
 * The ratio of b's values to a's (all > 0), and its interval: the order
 * statistics of the na*nb pairwise differences log b_j - log a_i whose ranks
 * come from the Mann–Whitney distribution (exact up to na*nb <= 2500, else
 * its normal approximation with ties corrected). Returns 0, or -1 when a
 * value is not > 0 or a side is empty; lo/hi are NAN when the samples are too
 * small for an interval at that confidence.
 */
int stats_ratio_interval(const double *a, size_t na, const double *b, size_t nb,
                         double confidence, struct stats_ratio *out);

/* Pettitt's test: the most likely single change in the series' level. */
struct stats_change {
    size_t at;      /* the first index after the change (1..n-1) */
    double p;       /* its approximate p-value, 2 exp(-6 K^2 / (n^3 + n^2)) */
    double before, after; /* the medians of x[0..at) and x[at..n) */
};

/* 0 and *out for n >= 3; -1 otherwise. */
int stats_pettitt(const double *x, size_t n, struct stats_change *out);

/* The geometric mean of v[0..n) (all > 0); NAN if n == 0 or a value is not > 0. */
double stats_geomean(const double *v, size_t n);

#endif
