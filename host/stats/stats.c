/* stats.c — see stats.h: medians, the geometric mean and Pettitt's change point. */
#include "stats/stats.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double stats_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double stats_geomean(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] > 0) || isinf(v[i]))
            return NAN;
        sum += log(v[i]);
    }
    return exp(sum / (double)n);
}

static double median_of(const double *x, size_t n)
{
    double *copy = xmalloc(n * sizeof *copy);
    memcpy(copy, x, n * sizeof *copy);
    double m = stats_median(copy, n);
    free(copy);
    return m;
}

/*
 * U_t = sum over i < t <= j of sgn(x_j - x_i), built up as t moves right:
 * x_{t-1} leaves the right part and joins the left one, which adds its signs
 * against every other value.
 */
int stats_pettitt(const double *x, size_t n, struct stats_change *out)
{
    if (n < 3 || !out)
        return -1;
    double u = 0, best = -1;
    size_t at = 1;
    for (size_t t = 1; t < n; t++) {
        for (size_t j = 0; j < n; j++)
            u += (x[j] > x[t - 1]) - (x[j] < x[t - 1]);
        if (fabs(u) > best) {
            best = fabs(u);
            at = t;
        }
    }
    double nn = (double)n;
    double p = 2 * exp(-6 * best * best / (nn * nn * nn + nn * nn));
    out->at = at;
    out->p = p > 1 ? 1 : p;
    out->before = median_of(x, at);
    out->after = median_of(x + at, n - at);
    return 0;
}
