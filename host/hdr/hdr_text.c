/* hdr_text.c — outputPercentileDistribution's layout; see hdr_text.h. */
#include "hdr/hdr_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIXED_PRECISION 30
#define MAX_FIXED_EXPONENT 330

/* The shortest "%.Ne" form of v that reads back as v: its digits and
 * decimal exponent (v = d0.d1d2... x 10^exp). */
static int shortest_digits(double v, char *digits, int *exp10)
{
    char sci[40];
    for (int n = 1; n <= 17; n++) {
        snprintf(sci, sizeof sci, "%.*e", n - 1, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    int nd = 0;
    const char *p = sci;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
    return nd;
}

void hdr_text_java_fixed(char *buf, size_t size, double v, int width, int prec)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%*s", width, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (prec < 0 || prec > MAX_FIXED_PRECISION || fabs(v) >= 1e300) {
        snprintf(buf, size, "%*.*f", width, prec < 0 ? 0 : prec, v);
        return;
    }
    char digits[24];
    int exp10 = 0, nd = v == 0 ? 0 : shortest_digits(fabs(v), digits, &exp10);
    int top = exp10 > 0 ? exp10 : 0;
    /* out[0] takes a carry; out[1 + j] is the digit of 10^(top - j), down to 10^-prec. */
    int total = top + prec + 1;
    char out[MAX_FIXED_EXPONENT + MAX_FIXED_PRECISION + 4];
    out[0] = '0';
    for (int j = 0; j < total; j++) {
        int k = exp10 - (top - j);
        out[1 + j] = k >= 0 && k < nd ? digits[k] : '0';
    }
    int k_round = exp10 + prec + 1; /* the first digit dropped: half up */
    if (k_round >= 0 && k_round < nd && digits[k_round] >= '5') {
        int j = total;
        while (out[j] == '9')
            out[j--] = '0';
        out[j]++;
    }
    char text[sizeof out + 3];
    size_t t = 0;
    if (v < 0)
        text[t++] = '-';
    int first = out[0] == '0' ? 1 : 0;
    for (int j = first; j <= total; j++) {
        if (j == top + 2)
            text[t++] = '.';
        text[t++] = out[j];
    }
    text[t] = '\0';
    snprintf(buf, size, "%*s", width, text);
}

/* Java's getMean() and getStdDeviation(): bucket medians, in index order. */
static void java_mean_stddev(const struct hdr *h, double *mean, double *stddev)
{
    *mean = *stddev = 0;
    if (h->total_count <= 0)
        return;
    double total = 0;
    for (int32_t i = h->min_index; i <= h->max_index; i++)
        if (h->counts[i])
            total += (double)hdr_median_equivalent(h, hdr_value_at_index(h, i)) *
                     (double)h->counts[i];
    *mean = total / (double)h->total_count;
    double squares = 0;
    for (int32_t i = h->min_index; i <= h->max_index; i++) {
        if (h->counts[i]) {
            double d = (double)hdr_median_equivalent(h, hdr_value_at_index(h, i)) - *mean;
            squares += d * d * (double)h->counts[i];
        }
    }
    *stddev = sqrt(squares / (double)h->total_count);
}

/* The next percentile level: PercentileIterator's tick, which halves each
 * time half the distance left to 100% is covered. In double, not Java's long:
 * the tick count overflows int64 near (and at) 100%. */
static double next_level(double level, int ticks_per_half)
{
    double halvings = floor(log(100.0 / (100.0 - level)) / log(2.0));
    if (!(halvings < 61.0)) /* level 100 */
        halvings = 61.0;
    double ticks = (double)ticks_per_half * ldexp(1.0, (int)halvings + 1);
    return level + 100.0 / ticks;
}

static void print_row(FILE *f, const struct hdr *h, int64_t value, double level, int64_t running,
                      double unit_ratio)
{
    char v[64], p[64], inv[64];
    hdr_text_java_fixed(v, sizeof v, (double)value / unit_ratio, 12, h->sig_figs);
    hdr_text_java_fixed(p, sizeof p, level / 100.0, 2, 12);
    if (level == 100.0) {
        fprintf(f, "%s %s %10lld\n", v, p, (long long)running);
        return;
    }
    hdr_text_java_fixed(inv, sizeof inv, 1.0 / (1.0 - level / 100.0), 14, 2);
    fprintf(f, "%s %s %10lld %s\n", v, p, (long long)running, inv);
}

/*
 * PercentileIterator: walk the counts; at each non-empty index, emit a row
 * for every level the running percentile has reached, then one last row at
 * 100% once every count is seen. Near 100% a tick can round to no step at
 * all or to 100 itself in double precision (Java then loops for ever or
 * fails): the rows go straight on to that last row.
 */
static void print_rows(FILE *f, const struct hdr *h, int ticks_per_half, double unit_ratio)
{
    int64_t total = h->total_count, running = 0;
    int32_t i = 0;
    int counted = 0, last_row = 0;
    double level = 0.0;
    if (total <= 0)
        return;
    for (;;) {
        if (running >= total) {
            level = 100.0;
            last_row = 1;
        }
        for (;;) {
            if (i >= h->counts_len)
                return;
            if (!counted) {
                running += h->counts[i];
                counted = 1;
            }
            if (h->counts[i] != 0 &&
                (last_row ? running >= total : 100.0 * (double)running / (double)total >= level))
                break;
            i++;
            counted = 0;
        }
        print_row(f, h, hdr_highest_equivalent(h, hdr_value_at_index(h, i)), level, running,
                  unit_ratio);
        if (last_row)
            return;
        double next = next_level(level, ticks_per_half);
        if (next > level && next < 100.0) {
            level = next;
        } else {
            level = 100.0;
            last_row = 1;
        }
    }
}

void hdr_text_percentiles_max(FILE *f, const struct hdr *h, int ticks_per_half,
                              double unit_ratio, int64_t max)
{
    fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
            "1/(1-Percentile)");
    print_rows(f, h, ticks_per_half, unit_ratio);
    double mean, stddev;
    java_mean_stddev(h, &mean, &stddev);
    char a[64], b[64];
    hdr_text_java_fixed(a, sizeof a, mean / unit_ratio, 12, h->sig_figs);
    hdr_text_java_fixed(b, sizeof b, stddev / unit_ratio, 12, h->sig_figs);
    fprintf(f, "#[Mean    = %s, StdDeviation   = %s]\n", a, b);
    hdr_text_java_fixed(a, sizeof a, (double)max / unit_ratio, 12, h->sig_figs);
    fprintf(f, "#[Max     = %s, Total count    = %12lld]\n", a, (long long)h->total_count);
    fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count,
            h->sub_bucket_count);
}

void hdr_text_percentiles(FILE *f, const struct hdr *h, int ticks_per_half, double unit_ratio)
{
    hdr_text_percentiles_max(f, h, ticks_per_half, unit_ratio, hdr_max_value(h));
}
