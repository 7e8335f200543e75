/*
 * stats_shift.c — see stats.h: the Hodges–Lehmann shift of two samples and
 * its Mann–Whitney interval (docs/compare.md, "The interval").
 */
#include "stats/stats.h"
#include "util/mem.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Past this many pairs the exact distribution costs more than it is worth. */
#define EXACT_MAX_PAIRS 2500

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/*
 * The number of orderings of n values of one sample and m of the other
 * that give each U = 0..nm, by the recursion f(i, j, u) = f(i-1, j, u-j) +
 * f(i, j-1, u) (the largest value belongs to one sample or the other). Rows
 * are i = 0..n, updated in place for j = 1..m. Counts are doubles: they pass
 * 2^64 at n = m = 34, and only sums of them are taken, never differences.
 * Returns the cumulative probabilities P(U <= u), u = 0..nm (owned).
 */
static double *mann_whitney_cdf(size_t n, size_t m)
{
    if (n > m) {
        size_t t = n;
        n = m;
        m = t;
    }
    size_t width = n * m + 1;
    double *f = xcalloc((n + 1) * width, sizeof *f);
    for (size_t i = 0; i <= n; i++)
        f[i * width] = 1; /* j = 0: one ordering, U = 0 */
    for (size_t j = 1; j <= m; j++)
        for (size_t i = 1; i <= n; i++) {
            double *row = f + i * width, *above = f + (i - 1) * width;
            for (size_t u = i * j + 1; u-- > j;)
                row[u] += above[u - j];
        }
    double *cdf = xmalloc(width * sizeof *cdf), total = 0, *last = f + n * width;
    for (size_t u = 0; u < width; u++)
        total += last[u];
    double run = 0;
    for (size_t u = 0; u < width; u++) {
        run += last[u];
        cdf[u] = run / total;
    }
    free(f);
    return cdf;
}

/* The standard normal quantile, by bisection on erfc: deterministic and exact enough. */
static double normal_quantile(double p)
{
    double lo = -40, hi = 40;
    for (int k = 0; k < 200; k++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/*
 * The critical count k: the largest with P(U <= k) <= alpha/2, so that
 * [D(k+1), D(nm-k)] covers the shift with probability >= 1 - alpha. -1 when
 * there is none. The normal approximation uses Var U = nm/12 ((N+1) -
 * sum(t^3-t)/(N(N-1))) over the tie groups t of the pooled sample.
 */
static long critical_count(const double *a, size_t na, const double *b, size_t nb,
                           double alpha, int *exact)
{
    size_t pairs = na * nb;
    if (pairs <= EXACT_MAX_PAIRS) {
        *exact = 1;
        double *cdf = mann_whitney_cdf(na, nb);
        long k = -1;
        while ((size_t)(k + 1) <= pairs && cdf[k + 1] <= alpha / 2 * (1 + 1e-12))
            k++;
        free(cdf);
        return k;
    }
    *exact = 0;
    size_t total = na + nb;
    double *pool = xmalloc(total * sizeof *pool);
    for (size_t i = 0; i < na; i++)
        pool[i] = a[i];
    for (size_t j = 0; j < nb; j++)
        pool[na + j] = b[j];
    qsort(pool, total, sizeof *pool, cmp_double);
    double ties = 0;
    for (size_t i = 0; i < total;) {
        size_t e = i + 1;
        while (e < total && pool[e] == pool[i])
            e++;
        double t = (double)(e - i);
        ties += t * t * t - t;
        i = e;
    }
    free(pool);
    double N = (double)total, nm = (double)pairs;
    double var = nm / 12 * ((N + 1) - ties / (N * (N - 1)));
    double z = normal_quantile(1 - alpha / 2);
    /* P(U <= k) ~ Phi((k + 1/2 - nm/2) / sd), with the continuity correction */
    double k = floor(nm / 2 - 0.5 - z * sqrt(var > 0 ? var : 0));
    return k < 0 ? -1 : (long)k;
}

size_t stats_min_per_side(double confidence)
{
    double alpha = 1 - confidence;
    if (!(alpha < 1))
        return 1;
    if (!(alpha > 0))
        return SIZE_MAX;
    /* The most extreme ordering of n and n values has probability 1 / C(2n, n). */
    double c = 2; /* C(2, 1) */
    size_t n = 1;
    while (2 / c > alpha * (1 + 1e-12)) {
        n++;
        c = c * (double)(2 * n) * (double)(2 * n - 1) / ((double)n * (double)n);
    }
    return n;
}

int stats_ratio_interval(const double *a, size_t na, const double *b, size_t nb,
                         double confidence, struct stats_ratio *out)
{
    if (!out || na == 0 || nb == 0 || !a || !b || !(confidence > 0 && confidence < 1))
        return -1;
    for (size_t i = 0; i < na; i++)
        if (!(a[i] > 0) || isinf(a[i]))
            return -1;
    for (size_t j = 0; j < nb; j++)
        if (!(b[j] > 0) || isinf(b[j]))
            return -1;
    double *la = xmalloc(na * sizeof *la), *lb = xmalloc(nb * sizeof *lb);
    for (size_t i = 0; i < na; i++)
        la[i] = log(a[i]);
    for (size_t j = 0; j < nb; j++)
        lb[j] = log(b[j]);
    size_t pairs = na * nb;
    double *d = xmalloc(pairs * sizeof *d);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            d[i * nb + j] = lb[j] - la[i];
    qsort(d, pairs, sizeof *d, cmp_double);
    double shift = pairs % 2 ? d[pairs / 2] : (d[pairs / 2 - 1] + d[pairs / 2]) / 2;
    out->ratio = exp(shift);
    long k = critical_count(la, na, lb, nb, 1 - confidence, &out->exact);
    if (k >= 0 && (size_t)k < pairs - (size_t)k) {
        out->lo = exp(d[k]);
        out->hi = exp(d[pairs - 1 - (size_t)k]);
    } else {
        out->lo = out->hi = NAN;
    }
    free(d);
    free(la);
    free(lb);
    return 0;
}
