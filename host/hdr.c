/*
 * hdr.c — HdrHistogram layout, queries, merge and one-pass summary.
 *
 * Counts index i belongs to a "segment" of equally wide buckets: indices
 * [0, sub_bucket_count) are bucket 0 (width 2^unit_magnitude), and each later
 * half-count block of indices is bucket b >= 1 (width 2^(b + unit_magnitude)).
 * Walking segment by segment lets the hot loops step values by a constant
 * instead of recomputing them per index.
 */
#include "hdr.h"

#include <errno.h>
#include <sys/mman.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Smallest m with 2^m >= 2 * 10^sig_figs. */
static int32_t sub_bucket_count_magnitude(int sig_figs)
{
    int64_t largest_single_unit = 2;
    for (int i = 0; i < sig_figs; i++)
        largest_single_unit *= 10;
    int32_t m = 0;
    while ((INT64_C(1) << m) < largest_single_unit)
        m++;
    return m;
}

static int32_t buckets_needed(const struct hdr *h, int64_t value)
{
    int64_t smallest_untrackable = (int64_t)h->sub_bucket_count << h->unit_magnitude;
    int32_t buckets = 1;
    while (smallest_untrackable <= value) {
        if (smallest_untrackable > INT64_MAX / 2)
            return buckets + 1;
        smallest_untrackable <<= 1;
        buckets++;
    }
    return buckets;
}

static size_t counts_bytes(const struct hdr *h)
{
    return (size_t)h->counts_len * sizeof *h->counts;
}

int hdr_init(struct hdr *h, int64_t lowest_discernible, int64_t highest_trackable,
             int sig_figs)
{
    memset(h, 0, sizeof *h);
    if (lowest_discernible < 1 || highest_trackable / 2 < lowest_discernible ||
        sig_figs < 1 || sig_figs > 5) {
        errno = EINVAL;
        return -1;
    }
    int32_t unit = 63 - __builtin_clzll((uint64_t)lowest_discernible);
    int32_t count_magnitude = sub_bucket_count_magnitude(sig_figs);
    int32_t half_magnitude = count_magnitude > 1 ? count_magnitude - 1 : 0;
    /* Beyond this the sub-bucket mask and bucket shifts overflow int64. */
    if (unit + half_magnitude > 61) {
        errno = EINVAL;
        return -1;
    }
    h->lowest_discernible = lowest_discernible;
    h->highest_trackable = highest_trackable;
    h->sig_figs = sig_figs;
    h->unit_magnitude = unit;
    h->sub_bucket_half_count_magnitude = half_magnitude;
    h->sub_bucket_count = INT32_C(1) << (half_magnitude + 1);
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << unit;
    h->bucket_count = buckets_needed(h, highest_trackable);
    h->counts_len = (h->bucket_count + 1) * h->sub_bucket_half_count;
    /* Mapped, not allocated: the kernel's pages come zeroed and only those a
     * histogram touches are ever faulted in (typically a few of its 66). An
     * allocator would zero all 270 KB, and purge and re-zero them per point. */
    void *counts = mmap(NULL, counts_bytes(h), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (counts == MAP_FAILED) {
        h->counts = NULL;
        errno = ENOMEM;
        return -1;
    }
    h->counts = counts;
    h->min_index = h->counts_len;
    h->max_index = -1;
    return 0;
}

int hdr_init_bhost(struct hdr *h)
{
    return hdr_init(h, HDR_BHOST_LOWEST, HDR_BHOST_HIGHEST, HDR_BHOST_SIG_FIGS);
}

void hdr_fini(struct hdr *h)
{
    if (h->counts)
        munmap(h->counts, counts_bytes(h));
    h->counts = NULL;
}

void hdr_reset(struct hdr *h)
{
    /* Outside [min_index, max_index] every count is already zero. */
    if (h->max_index >= h->min_index)
        memset(h->counts + h->min_index, 0,
               (size_t)(h->max_index - h->min_index + 1) * sizeof *h->counts);
    h->min_index = h->counts_len;
    h->max_index = -1;
    h->total_count = 0;
}

static int32_t bucket_of_value(const struct hdr *h, int64_t value)
{
    return 64 - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask)) -
           h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

/* log2 of the bucket width at `value` (negative values count as 0). */
static int32_t width_shift(const struct hdr *h, int64_t value)
{
    return bucket_of_value(h, value < 0 ? 0 : value) + h->unit_magnitude;
}

int64_t hdr_value_at_index(const struct hdr *h, int32_t index)
{
    int32_t bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bucket < 0) {
        sub -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return (int64_t)sub << (bucket + h->unit_magnitude);
}

int64_t hdr_lowest_equivalent(const struct hdr *h, int64_t value)
{
    int32_t shift = width_shift(h, value);
    return value < 0 ? 0 : (value >> shift) << shift;
}

int64_t hdr_equivalent_range(const struct hdr *h, int64_t value)
{
    return INT64_C(1) << width_shift(h, value);
}

int64_t hdr_highest_equivalent(const struct hdr *h, int64_t value)
{
    return hdr_lowest_equivalent(h, value) + (hdr_equivalent_range(h, value) - 1);
}

int64_t hdr_median_equivalent(const struct hdr *h, int64_t value)
{
    return hdr_lowest_equivalent(h, value) + (hdr_equivalent_range(h, value) >> 1);
}

/* One past the last index of the segment holding `index`. */
static int32_t segment_end(const struct hdr *h, int32_t index)
{
    if (index < h->sub_bucket_count)
        return h->sub_bucket_count;
    return ((index >> h->sub_bucket_half_count_magnitude) + 1)
           << h->sub_bucket_half_count_magnitude;
}

static int32_t segment_shift(const struct hdr *h, int32_t index)
{
    if (index < h->sub_bucket_count)
        return h->unit_magnitude;
    return (index >> h->sub_bucket_half_count_magnitude) - 1 + h->unit_magnitude;
}

/* The non-empty index range [*lo, *hi]; false when there is none.
 * min_index/max_index are bounds, so trim any zero counts at their ends. */
static int nonempty_range(const struct hdr *h, int32_t *lo, int32_t *hi)
{
    int32_t a = h->min_index, b = h->max_index;
    while (a <= b && h->counts[a] == 0)
        a++;
    while (b >= a && h->counts[b] == 0)
        b--;
    *lo = a;
    *hi = b;
    return a <= b;
}

static int layouts_match(const struct hdr *dst, const struct hdr *src)
{
    return dst->unit_magnitude == src->unit_magnitude &&
           dst->sub_bucket_count == src->sub_bucket_count &&
           src->highest_trackable <= dst->highest_trackable;
}

void hdr_add(struct hdr *dst, const struct hdr *src)
{
    int32_t lo = src->min_index, hi = src->max_index;
    if (lo > hi)
        return;
    if (!layouts_match(dst, src)) {
        for (int32_t i = lo; i <= hi; i++) {
            if (src->counts[i])
                hdr_record_n(dst, hdr_value_at_index(src, i), src->counts[i]);
        }
        return;
    }
    for (int32_t i = lo; i <= hi; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count += src->total_count;
    if (lo < dst->min_index)
        dst->min_index = lo;
    if (hi > dst->max_index)
        dst->max_index = hi;
}

/* HdrHistogram Java's rank, ceil(p * total / 100) with one ulp taken off p
 * so that rounding noise (0.07 * 100 = 7.000000000000001) cannot push it to
 * the next count. */
static int64_t percentile_rank(double p, int64_t total)
{
    if (!(p > 0.0))
        p = 0.0;
    if (p > 100.0)
        p = 100.0;
    double rank = ceil(nextafter(p, -INFINITY) * (double)total / 100.0);
    if (rank < 1.0)
        return 1;
    if (rank >= (double)total)
        return total;
    return (int64_t)rank;
}

int64_t hdr_value_at_percentile(const struct hdr *h, double p)
{
    int32_t lo, hi;
    if (h->total_count <= 0 || !nonempty_range(h, &lo, &hi))
        return 0;
    int64_t rank = percentile_rank(p, h->total_count);
    int64_t running = 0;
    for (int32_t i = lo; i < hi; i++) {
        running += h->counts[i];
        if (running >= rank)
            return hdr_highest_equivalent(h, hdr_value_at_index(h, i));
    }
    return hdr_highest_equivalent(h, hdr_value_at_index(h, hi));
}

#define HDR_SUMMARY_PERCENTILES 4
/* Summary runs are at most this long, which keeps their third running sum
 * (< count * 2^20) within 64 bits for any realistic count. */
#define HDR_RUN_MAX 1024

/* State of the one-pass summary. */
struct summary_walk {
    const struct hdr *h;
    uint64_t rank[HDR_SUMMARY_PERCENTILES];
    int64_t *value[HDR_SUMMARY_PERCENTILES];
    int next;             /* first percentile not yet resolved */
    uint64_t running;     /* count before the current run */
    double n, mean, m2;   /* Chan et al.'s parallel mean/variance */
};

/* Resolves every pending percentile whose rank the running count `seen`
 * reaches at `index`; returns the next threshold relative to the run. */
static uint64_t resolve_percentiles(struct summary_walk *w, uint64_t seen, int32_t index)
{
    int64_t v = hdr_highest_equivalent(w->h, hdr_value_at_index(w->h, index));
    while (w->next < HDR_SUMMARY_PERCENTILES && w->running + seen >= w->rank[w->next])
        *w->value[w->next++] = v;
    if (w->next == HDR_SUMMARY_PERCENTILES)
        return UINT64_MAX;
    return w->rank[w->next] - w->running;
}

/*
 * Folds counts [a, e) (all in one segment) into the walk. With P, Q, R the
 * first, second and third running sums of the counts c_i, and u_i = e - i,
 * the run's count is P, sum(c u) = Q and sum(c u^2) = 2R - Q: the moments
 * come from additions alone.
 */
static void summarize_run(struct summary_walk *w, int32_t a, int32_t e)
{
    const int64_t *c = w->h->counts;
    uint64_t p = 0, q = 0, r = 0;
    uint64_t threshold = w->next < HDR_SUMMARY_PERCENTILES ? w->rank[w->next] - w->running
                                                           : UINT64_MAX;
    for (int32_t i = a; i < e; i++) {
        p += (uint64_t)c[i];
        q += p;
        r += q;
        if (p >= threshold)
            threshold = resolve_percentiles(w, p, i);
    }
    w->running += p;
    if (p == 0)
        return;

    int64_t width = INT64_C(1) << segment_shift(w->h, a);
    int64_t first_median = hdr_value_at_index(w->h, a) + (width >> 1);
    /* Median equivalent of index i: first_median + (i - a) width = top - u_i width. */
    double step = (double)width;
    double top = (double)first_median + step * (double)(e - a);
    double run_n = (double)p;
    double run_mean = top - step * ((double)q / run_n);
    unsigned __int128 spread = (unsigned __int128)p * (2 * r - q) - (unsigned __int128)q * q;
    double run_m2 = step * step * ((double)spread / run_n);

    double n = w->n + run_n;
    double delta = run_mean - w->mean;
    w->mean += delta * (run_n / n);
    w->m2 += run_m2 + delta * delta * (w->n * run_n / n);
    w->n = n;
}

void hdr_summarize(const struct hdr *h, struct hdr_summary *s)
{
    int32_t lo, hi;
    memset(s, 0, sizeof *s);
    if (h->total_count <= 0 || !nonempty_range(h, &lo, &hi))
        return;
    struct summary_walk w = {
        .h = h,
        .rank = {
            (uint64_t)percentile_rank(50.0, h->total_count),
            (uint64_t)percentile_rank(90.0, h->total_count),
            (uint64_t)percentile_rank(99.0, h->total_count),
            (uint64_t)percentile_rank(99.9, h->total_count),
        },
        .value = { &s->p50, &s->p90, &s->p99, &s->p999 },
    };
    for (int32_t a = lo; a <= hi;) {
        int32_t e = segment_end(h, a);
        if (e > a + HDR_RUN_MAX)
            e = a + HDR_RUN_MAX;
        if (e > hi + 1)
            e = hi + 1;
        summarize_run(&w, a, e);
        a = e;
    }
    s->count = h->total_count;
    s->min = hdr_value_at_index(h, lo);
    s->max = hdr_highest_equivalent(h, hdr_value_at_index(h, hi));
    s->mean = w.mean;
    s->stddev = sqrt(w.m2 / w.n);
    /* Only reachable if total_count exceeds the counts' sum. */
    while (w.next < HDR_SUMMARY_PERCENTILES)
        *w.value[w.next++] = s->max;
}
