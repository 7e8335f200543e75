/*
 * hdr.c — HdrHistogram layout, queries, merge and one-pass summary.
 *
 * Counts index i belongs to a "segment" of equally wide buckets: indices
 * [0, sub_bucket_count) are bucket 0 (width 2^unit_magnitude), and each later
 * half-count block of indices is bucket b >= 1 (width 2^(b + unit_magnitude)).
 * Walking segment by segment lets the hot loops step values by a constant
 * instead of recomputing them per index.
 */
#include "hdr/hdr.h"

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

/*
 * One finished counts mapping, zeroed, kept for the next hdr_init of its
 * size: decoding or merging one histogram after another would otherwise
 * fault in every page afresh, which costs more than all the decoding. Its
 * first word holds its size while it waits (the only non-zero word).
 */
static int64_t *spare;

static void *take_spare(size_t bytes)
{
    int64_t *m = __atomic_exchange_n(&spare, NULL, __ATOMIC_ACQ_REL);
    if (m && (size_t)m[0] == bytes) {
        m[0] = 0;
        return m;
    }
    if (m)
        munmap(m, (size_t)m[0]);
    return NULL;
}

static void put_spare(int64_t *counts, size_t bytes)
{
    int64_t *expected = NULL;
    counts[0] = (int64_t)bytes;
    if (!__atomic_compare_exchange_n(&spare, &expected, counts, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        munmap(counts, bytes);
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
    void *counts = take_spare(counts_bytes(h));
    if (!counts) {
        /* Mapped, not allocated: the kernel's pages come zeroed and only those
         * a histogram touches are ever faulted in (typically a few of its 66).
         * An allocator would zero all 270 KB, and purge and re-zero them per
         * point. */
        counts = mmap(NULL, counts_bytes(h), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
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
    if (h->counts) {
        hdr_reset(h);
        put_spare(h->counts, counts_bytes(h));
    }
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

/* log2 of the bucket width in the segment holding `index`. */
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

/* GCC/Clang vectors: SSE2 on any x86-64, wider where the target allows. The
 * -O2 auto-vectoriser gives up on loops that need a runtime alias check, as
 * dst[i] += src[i] does. */
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static void add_counts(int64_t *dst, const int64_t *src, int32_t lo, int32_t hi)
{
    int32_t i = lo;
    for (; i + 3 <= hi; i += 4) {
        u64x2 d0, d1, s0, s1;
        memcpy(&d0, dst + i, sizeof d0);
        memcpy(&d1, dst + i + 2, sizeof d1);
        memcpy(&s0, src + i, sizeof s0);
        memcpy(&s1, src + i + 2, sizeof s1);
        d0 += s0;
        d1 += s1;
        memcpy(dst + i, &d0, sizeof d0);
        memcpy(dst + i + 2, &d1, sizeof d1);
    }
    for (; i <= hi; i++)
        dst[i] = (int64_t)((uint64_t)dst[i] + (uint64_t)src[i]);
}

int hdr_add(struct hdr *dst, const struct hdr *src)
{
    int32_t lo = src->min_index, hi = src->max_index;
    int64_t total;
    if (lo > hi)
        return 0;
    if (__builtin_add_overflow(dst->total_count, src->total_count, &total))
        return -1;
    if (!layouts_match(dst, src)) {
        for (int32_t i = lo; i <= hi; i++) {
            if (src->counts[i])
                hdr_record_n(dst, hdr_value_at_index(src, i), src->counts[i]);
        }
        return 0;
    }
    add_counts(dst->counts, src->counts, lo, hi);
    dst->total_count = total;
    if (lo < dst->min_index)
        dst->min_index = lo;
    if (hi > dst->max_index)
        dst->max_index = hi;
    return 0;
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

int64_t hdr_max_value(const struct hdr *h)
{
    int32_t lo, hi;
    if (h->total_count <= 0 || !nonempty_range(h, &lo, &hi))
        return 0;
    return hdr_highest_equivalent(h, hdr_value_at_index(h, hi));
}

#define HDR_SUMMARY_PERCENTILES 7
#define HDR_LANES 4

/* State of the one-pass summary. */
struct summary_walk {
    const struct hdr *h;
    uint64_t rank[HDR_SUMMARY_PERCENTILES];
    int64_t *value[HDR_SUMMARY_PERCENTILES];
    int next;               /* first percentile not yet resolved */
    uint64_t running;       /* count before the current block */
    unsigned __int128 sum;  /* sum of count * median equivalent, exact */
    double n, mean, m2;     /* Chan et al.'s parallel mean/variance */
};

/*
 * Blocks are a power of two long and lie within one segment. Within a block
 * the lane sums below stay under 2^64 and its moments under 2^128 if
 * total * L^2 < 2^63; at bhost's counts (< 2^43) a block is a whole segment.
 */
static int32_t block_shift(const struct hdr *h, uint64_t total)
{
    int32_t bits = 64 - __builtin_clzll(total);
    int32_t shift = (63 - bits) / 2;
    return shift < h->sub_bucket_half_count_magnitude ? shift
                                                       : h->sub_bucket_half_count_magnitude;
}

/*
 * Per lane j (element k = W t + j of a block, t < T = L / W), the running sums
 * p += c; q += p; r += q leave P = sum c, Q = sum c u and R = sum c u (u + 1) / 2
 * with u = T - t: the block's moments without a multiplication in the loop.
 */
static int lane_sums(const int64_t *c, int32_t len, uint64_t P[HDR_LANES],
                     uint64_t Q[HDR_LANES], uint64_t R[HDR_LANES])
{
    if (len < HDR_LANES) {
        uint64_t p = 0, q = 0, r = 0;
        for (int32_t i = 0; i < len; i++) {
            p += (uint64_t)c[i];
            q += p;
            r += q;
        }
        P[0] = p, Q[0] = q, R[0] = r;
        return 1;
    }
    u64x2 p0 = {0, 0}, p1 = p0, q0 = p0, q1 = p0, r0 = p0, r1 = p0;
    for (int32_t i = 0; i < len; i += HDR_LANES) {
        u64x2 c0, c1;
        memcpy(&c0, c + i, sizeof c0);
        memcpy(&c1, c + i + 2, sizeof c1);
        p0 += c0;
        p1 += c1;
        q0 += p0;
        q1 += p1;
        r0 += q0;
        r1 += q1;
    }
    for (int j = 0; j < 2; j++) {
        P[j] = p0[j], P[j + 2] = p1[j];
        Q[j] = q0[j], Q[j + 2] = q1[j];
        R[j] = r0[j], R[j + 2] = r1[j];
    }
    return HDR_LANES;
}

/*
 * Resolves every pending percentile whose rank falls in block [a, a + len),
 * which holds n counts: 8 counts at a time up to the rank's neighbourhood,
 * then one at a time.
 */
static void resolve_percentiles(struct summary_walk *w, int32_t a, int32_t len, uint64_t n)
{
    const int64_t *c = w->h->counts;
    uint64_t seen = w->running, end = w->running + n;
    int32_t i = a, last = a + len - 1;
    while (w->next < HDR_SUMMARY_PERCENTILES && w->rank[w->next] <= end && i <= last) {
        uint64_t rank = w->rank[w->next];
        for (; i + 8 <= last; i += 8) {
            uint64_t eight = 0;
            for (int k = 0; k < 8; k++)
                eight += (uint64_t)c[i + k];
            if (seen + eight >= rank)
                break;
            seen += eight;
        }
        while (i < last && seen + (uint64_t)c[i] < rank)
            seen += (uint64_t)c[i++];
        seen += (uint64_t)c[i];
        int64_t v = hdr_highest_equivalent(w->h, hdr_value_at_index(w->h, i++));
        while (w->next < HDR_SUMMARY_PERCENTILES && w->rank[w->next] <= seen)
            *w->value[w->next++] = v;
    }
}

/*
 * Folds block [a, a + len) into the walk. With k = i - a, the block holds
 * N = sum c, S1 = sum c k and S2 = sum c k^2 (exact, mod 2^128 on the way);
 * its values are first_median + width k, so its squared deviations sum to
 * width^2 (N S2 - S1^2) / N, computed exactly before the one rounding.
 */
static void summarize_block(struct summary_walk *w, int32_t a, int32_t len)
{
    typedef unsigned __int128 u128;
    uint64_t P[HDR_LANES], Q[HDR_LANES], R[HDR_LANES];
    int lanes = lane_sums(w->h->counts + a, len, P, Q, R);
    uint64_t n = 0;
    u128 s1 = 0, s2 = 0;
    for (int j = 0; j < lanes; j++) {
        /* k = K - W u for lane j, K = len + j. */
        u128 k = (u128)(len + j), lw = (u128)lanes, sq = 2 * (u128)R[j] - Q[j];
        n += P[j];
        s1 += k * P[j] - lw * Q[j];
        s2 += k * k * P[j] - 2 * lw * k * Q[j] + lw * lw * sq;
    }
    if (n == 0)
        return;
    if (w->next < HDR_SUMMARY_PERCENTILES && w->running + n >= w->rank[w->next])
        resolve_percentiles(w, a, len, n);
    w->running += n;

    int64_t width = INT64_C(1) << segment_shift(w->h, a);
    int64_t first_median = hdr_value_at_index(w->h, a) + (width >> 1);
    w->sum += (u128)n * (uint64_t)first_median + (u128)(uint64_t)width * s1;
    double block_n = (double)n, step = (double)width;
    double block_mean = (double)first_median + step * ((double)s1 / block_n);
    double block_m2 = step * step * ((double)(n * s2 - s1 * s1) / block_n);

    double total = w->n + block_n;
    double delta = block_mean - w->mean;
    w->mean += delta * (block_n / total);
    w->m2 += block_m2 + delta * delta * (w->n * block_n / total);
    w->n = total;
}

static const double summary_percentiles[HDR_SUMMARY_PERCENTILES] = {
    50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99,
};

void hdr_summarize(const struct hdr *h, struct hdr_summary *s)
{
    int32_t lo, hi;
    memset(s, 0, sizeof *s);
    if (h->total_count <= 0 || !nonempty_range(h, &lo, &hi))
        return;
    struct summary_walk w = {
        .h = h,
        .value = { &s->p50, &s->p75, &s->p90, &s->p95, &s->p99, &s->p999, &s->p9999 },
    };
    for (int k = 0; k < HDR_SUMMARY_PERCENTILES; k++)
        w.rank[k] = (uint64_t)percentile_rank(summary_percentiles[k], h->total_count);
    int32_t len = INT32_C(1) << block_shift(h, (uint64_t)h->total_count);
    /* Counts outside [min_index, max_index] are zero, and blocks tile the
     * counts array, so whole blocks around [lo, hi] can be read. */
    for (int32_t a = lo & ~(len - 1); a <= hi; a += len)
        summarize_block(&w, a, len);
    s->count = h->total_count;
    s->min = hdr_value_at_index(h, lo);
    s->max = hdr_highest_equivalent(h, hdr_value_at_index(h, hi));
    s->mean = (double)w.sum / w.n;
    s->stddev = sqrt(w.m2 / w.n);
    /* Only reachable if total_count exceeds the counts' sum. */
    while (w.next < HDR_SUMMARY_PERCENTILES)
        *w.value[w.next++] = s->max;
}
