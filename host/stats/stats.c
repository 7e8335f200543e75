/* stats.c — see stats.h. TEMP: only stats_median and stats_pettitt, for the history branch. */
#include "stats/stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of a copy of x[0..n): the caller's series keeps its order. */
static double median_of(const double *x, size_t n)
{
    double *c = malloc(n * sizeof *c);
    if (!c)
        return NAN;
    for (size_t i = 0; i < n; i++)
        c[i] = x[i];
    double m = stats_median(c, n);
    free(c);
    return m;
}

int stats_pettitt(const double *x, size_t n, struct stats_change *out)
{
    if (n < 3)
        return -1;
    /* U_t = sum over i <= t < j of sgn(x_i - x_j) = U_(t-1) + sum over all j of sgn(x_t - x_j). */
    double u = 0, k = -1;
    size_t at = 1;
    for (size_t t = 0; t + 1 < n; t++) {
        for (size_t j = 0; j < n; j++)
            u += (x[t] > x[j]) - (x[t] < x[j]);
        if (fabs(u) > k) {
            k = fabs(u);
            at = t + 1;
        }
    }
    double nn = (double)n;
    double p = 2 * exp(-6 * k * k / (nn * nn * nn + nn * nn));
    out->at = at;
    out->p = p > 1 ? 1 : p;
    out->before = median_of(x, at);
    out->after = median_of(x + at, n - at);
    return 0;
}
