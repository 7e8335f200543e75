/*
 * test_hdr.c — HDR histogram layout, queries, merge, summary, V2 encoding,
 * the V0 and V1 encodings of older logs, and Base64.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hdr/base64.h"
#include "hdr/hdr_v0v1.h"
#include "hdr/hdr_v2.h"
#include "hdr/hdr.h"

/* 3.6e12 >> 31 = 1676, so 1 h lies in bucket 31 at [1676 << 31, 1677 << 31). */
#define HOUR_LOWEST INT64_C(3599182594048)
#define HOUR_HIGHEST INT64_C(3601330077695)
#define HOUR_INDEX 33420 /* (31 + 1) * 1024 + 1676 - 1024 */

static uint64_t rng_state;

/* splitmix64 */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Values spread log-uniformly over [0, 2^44), a few above 1 h. */
static int64_t rng_wide_value(void)
{
    uint64_t r = rng_next();
    return (int64_t)(r >> (20 + rng_next() % 44));
}

static void record_wide(struct hdr *h, uint64_t seed, int n)
{
    rng_state = seed;
    for (int i = 0; i < n; i++)
        hdr_record(h, rng_wide_value());
}

static void assert_close(double actual, double expected, double rel)
{
    if (!(fabs(actual - expected) <= rel * fabs(expected)))
        fail_msg("%.17g differs from %.17g by more than %g relative", actual, expected, rel);
}

static void assert_summary_equal(const struct hdr_summary *a, const struct hdr_summary *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->min, b->min);
    assert_int_equal(a->max, b->max);
    assert_true(a->mean == b->mean);
    assert_true(a->stddev == b->stddev);
    assert_int_equal(a->p50, b->p50);
    assert_int_equal(a->p75, b->p75);
    assert_int_equal(a->p90, b->p90);
    assert_int_equal(a->p95, b->p95);
    assert_int_equal(a->p99, b->p99);
    assert_int_equal(a->p999, b->p999);
    assert_int_equal(a->p9999, b->p9999);
}

static void assert_same_histogram(const struct hdr *a, const struct hdr *b)
{
    assert_int_equal(a->lowest_discernible, b->lowest_discernible);
    assert_int_equal(a->highest_trackable, b->highest_trackable);
    assert_int_equal(a->sig_figs, b->sig_figs);
    assert_int_equal(a->counts_len, b->counts_len);
    assert_int_equal(a->total_count, b->total_count);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof *a->counts);
    struct hdr_summary sa, sb;
    hdr_summarize(a, &sa);
    hdr_summarize(b, &sb);
    assert_summary_equal(&sa, &sb);
}

/* ---- layout ---------------------------------------------------------- */

static void test_layout_bhost(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    assert_int_equal(h.unit_magnitude, 0);
    assert_int_equal(h.sub_bucket_count, 2048);
    assert_int_equal(h.sub_bucket_half_count, 1024);
    assert_int_equal(h.sub_bucket_half_count_magnitude, 10);
    assert_int_equal(h.sub_bucket_mask, 2047);
    assert_int_equal(h.bucket_count, 32);
    assert_int_equal(h.counts_len, 33792);
    assert_int_equal(h.min_index, 33792);
    assert_int_equal(h.max_index, -1);
    assert_int_equal(h.total_count, 0);
    assert_int_equal(h.highest_trackable, HDR_BHOST_HIGHEST);
    hdr_fini(&h);
}

static void test_layout_other(void **state)
{
    (void)state;
    struct hdr h;
    /* lowest 1000: unit 2^9; 2048 << 9 = 2^20 doubled 22 times passes 3.6e12. */
    assert_int_equal(hdr_init(&h, 1000, HDR_BHOST_HIGHEST, 3), 0);
    assert_int_equal(h.unit_magnitude, 9);
    assert_int_equal(h.sub_bucket_mask, INT64_C(2047) << 9);
    assert_int_equal(h.bucket_count, 23);
    assert_int_equal(h.counts_len, 24 * 1024);
    hdr_fini(&h);
    /* 1 digit: 2*10 -> 32 sub-buckets; 32 > 2 so one bucket. */
    assert_int_equal(hdr_init(&h, 1, 2, 1), 0);
    assert_int_equal(h.sub_bucket_count, 32);
    assert_int_equal(h.bucket_count, 1);
    assert_int_equal(h.counts_len, 32);
    hdr_fini(&h);
    /* 2 digits: 256 sub-buckets; 256 << 22 > 1e9 >= 256 << 21. */
    assert_int_equal(hdr_init(&h, 1, 1000000000, 2), 0);
    assert_int_equal(h.sub_bucket_count, 256);
    assert_int_equal(h.bucket_count, 23);
    assert_int_equal(h.counts_len, 24 * 128);
    hdr_fini(&h);
    /* 5 digits: 2^18 sub-buckets; 2^42 > 3.6e12 >= 2^41. */
    assert_int_equal(hdr_init(&h, 1, HDR_BHOST_HIGHEST, 5), 0);
    assert_int_equal(h.sub_bucket_count, 262144);
    assert_int_equal(h.bucket_count, 25);
    assert_int_equal(h.counts_len, 26 * 131072);
    hdr_fini(&h);
}

static void test_init_rejects(void **state)
{
    (void)state;
    struct hdr h;
    const struct {
        int64_t lo, hi;
        int sig;
    } bad[] = {
        { 0, 100, 3 }, { -1, 100, 3 }, { 10, 19, 3 }, { 1, 1, 3 }, { 1, 100, 0 },
        { 1, 100, 6 }, { INT64_C(1) << 60, INT64_MAX, 3 }, /* unit 60 + 10 > 61 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_int_equal(hdr_init(&h, bad[i].lo, bad[i].hi, bad[i].sig), -1);
        assert_int_equal(errno, EINVAL);
    }
    assert_int_equal(hdr_init(&h, 10, 20, 3), 0);
    hdr_fini(&h);
    assert_int_equal(hdr_init(&h, 1, INT64_MAX, 3), 0);
    hdr_fini(&h);
}

/* ---- indexing and equivalence ------------------------------------------ */

static void test_index_boundaries(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    const struct {
        int64_t value;
        int32_t index;
        int64_t bucket_value;
    } cases[] = {
        { 0, 0, 0 },
        { 1, 1, 1 },
        { 1023, 1023, 1023 },
        { 1024, 1024, 1024 },
        { 2047, 2047, 2047 },
        { 2048, 2048, 2048 },          /* bucket 1: (1+1) << 10 + 1024 - 1024 */
        { 2049, 2048, 2048 },          /* width 2 from here */
        { 4095, 3071, 4094 },          /* 2048 + 2047 - 1024 */
        { 4096, 3072, 4096 },          /* bucket 2 */
        { 1000000, 11169, 999936 },    /* bucket 9: 10 << 10 + (1e6 >> 9) - 1024 */
        { HDR_BHOST_HIGHEST, HOUR_INDEX, HOUR_LOWEST },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hdr_counts_index(&h, cases[i].value), cases[i].index);
        assert_int_equal(hdr_value_at_index(&h, cases[i].index), cases[i].bucket_value);
    }
    /* Every index maps back to itself, and buckets tile the value range. */
    for (int32_t i = 0; i < h.counts_len; i++) {
        int64_t lo = hdr_value_at_index(&h, i);
        int64_t hi = hdr_highest_equivalent(&h, lo);
        assert_int_equal(hdr_counts_index(&h, lo), i);
        assert_int_equal(hdr_counts_index(&h, hi), i);
        if (i + 1 < h.counts_len)
            assert_int_equal(hdr_value_at_index(&h, i + 1), hi + 1);
    }
    hdr_fini(&h);
}

static void test_equivalent_ranges(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    assert_int_equal(hdr_equivalent_range(&h, 1), 1);
    assert_int_equal(hdr_equivalent_range(&h, 2047), 1);
    assert_int_equal(hdr_equivalent_range(&h, 2048), 2);
    assert_int_equal(hdr_equivalent_range(&h, 4096), 4);
    assert_int_equal(hdr_equivalent_range(&h, 1000000), 512);
    assert_int_equal(hdr_equivalent_range(&h, HDR_BHOST_HIGHEST), INT64_C(1) << 31);
    assert_int_equal(hdr_lowest_equivalent(&h, 2049), 2048);
    assert_int_equal(hdr_highest_equivalent(&h, 2048), 2049);
    assert_int_equal(hdr_median_equivalent(&h, 2048), 2049);
    assert_int_equal(hdr_median_equivalent(&h, 1), 1); /* width 1: + (1 >> 1) */
    assert_int_equal(hdr_highest_equivalent(&h, 4096), 4099);
    assert_int_equal(hdr_median_equivalent(&h, 4097), 4098);
    assert_int_equal(hdr_lowest_equivalent(&h, 1000000), 999936);
    assert_int_equal(hdr_highest_equivalent(&h, 1000000), 1000447);
    assert_int_equal(hdr_median_equivalent(&h, 1000000), 1000192);
    assert_int_equal(hdr_lowest_equivalent(&h, HDR_BHOST_HIGHEST), HOUR_LOWEST);
    assert_int_equal(hdr_highest_equivalent(&h, HDR_BHOST_HIGHEST), HOUR_HIGHEST);
    hdr_fini(&h);
    /* With a 2^9 unit, value 0 still has a median inside its bucket. */
    assert_int_equal(hdr_init(&h, 1000, HDR_BHOST_HIGHEST, 3), 0);
    assert_int_equal(hdr_lowest_equivalent(&h, 1000), 512);
    assert_int_equal(hdr_highest_equivalent(&h, 1000), 1023);
    assert_int_equal(hdr_median_equivalent(&h, 0), 256);
    hdr_fini(&h);
}

/* ---- percentiles and summaries ------------------------------------------ */

/* The bhost layout's median equivalent of v < 16384, worked out by hand:
 * widths 1, 2, 4, 8 below 2048, 4096, 8192, 16384. */
static int64_t hand_median(int64_t v)
{
    int64_t width = v < 2048 ? 1 : v < 4096 ? 2 : v < 8192 ? 4 : 8;
    return v - v % width + width / 2;
}

static void test_uniform_1_to_10000(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int64_t v = 1; v <= 10000; v++)
        hdr_record(&h, v);

    /*
     * Each value is recorded once, so the running count at the end of the
     * bucket [lo, hi] is hi (all buckets below 16384 are fully covered).
     * p50: rank 5000; 5000 sits in [5000, 5003] (width 4 from 4096), whose
     * predecessor ends at 4999 < 5000, so the answer is 5003.
     * p90: rank 9000 in [9000, 9007] (width 8 from 8192) -> 9007.
     * p99: rank 9900 in [9896, 9903] -> 9903.
     * p99.9: rank ceil(0.999 * 10000) = 9990 in [9984, 9991] -> 9991.
     * max: 10000 in [10000, 10007] -> 10007.
     */
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.count, 10000);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 10007);
    assert_int_equal(s.p50, 5003);
    assert_int_equal(s.p90, 9007);
    assert_int_equal(s.p99, 9903);
    assert_int_equal(s.p999, 9991);
    assert_int_equal(hdr_value_at_percentile(&h, 50.0), 5003);
    assert_int_equal(hdr_value_at_percentile(&h, 90.0), 9007);
    assert_int_equal(hdr_value_at_percentile(&h, 99.0), 9903);
    assert_int_equal(hdr_value_at_percentile(&h, 99.9), 9991);
    assert_int_equal(hdr_value_at_percentile(&h, 0.0), 1);
    assert_int_equal(hdr_value_at_percentile(&h, 100.0), 10007);

    int64_t sum = 0;
    for (int64_t v = 1; v <= 10000; v++)
        sum += hand_median(v);
    double mean = (double)sum / 10000.0, m2 = 0.0;
    for (int64_t v = 1; v <= 10000; v++)
        m2 += ((double)hand_median(v) - mean) * ((double)hand_median(v) - mean);
    assert_close(s.mean, mean, 1e-13);
    assert_close(s.stddev, sqrt(m2 / 10000.0), 1e-12);
    hdr_fini(&h);
}

static void test_percentile_rank_rounding(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int64_t v = 1; v <= 100; v++)
        hdr_record(&h, v);
    /* 7 / 100.0 * 100 is 7.000000000000001 in doubles; the rank is still 7. */
    assert_int_equal(hdr_value_at_percentile(&h, 7.0), 7);
    assert_int_equal(hdr_value_at_percentile(&h, 50.0), 50);
    assert_int_equal(hdr_value_at_percentile(&h, 50.5), 51);
    assert_int_equal(hdr_value_at_percentile(&h, 99.9), 100);
    assert_int_equal(hdr_value_at_percentile(&h, 250.0), 100);
    assert_int_equal(hdr_value_at_percentile(&h, -3.0), 1);
    assert_int_equal(hdr_value_at_percentile(&h, NAN), 1);
    hdr_fini(&h);
}

static void test_bimodal(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int i = 0; i < 9000; i++)
        hdr_record(&h, 100);
    for (int i = 0; i < 1000; i++)
        hdr_record(&h, 1000000);
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    /* Ranks 5000 and 9000 fall on 100; 9900 and 9990 on 1e6's bucket
     * [999936, 1000447], median 1000192. */
    assert_int_equal(s.count, 10000);
    assert_int_equal(s.min, 100);
    assert_int_equal(s.max, 1000447);
    assert_int_equal(s.p50, 100);
    assert_int_equal(s.p90, 100);
    assert_int_equal(s.p99, 1000447);
    assert_int_equal(s.p999, 1000447);
    /* mean = (9000 * 100 + 1000 * 1000192) / 10000; two points with weights
     * 0.9 / 0.1 have stddev |a - b| * sqrt(0.9 * 0.1) = 1000092 * 0.3. */
    assert_close(s.mean, 100109.2, 1e-14);
    assert_close(s.stddev, 300027.6, 1e-12);
    hdr_fini(&h);
}

static void test_record_n(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 1000, 5);
    hdr_record_n(&h, 3000, 7);
    assert_int_equal(h.counts[1000], 5);
    assert_int_equal(h.counts[hdr_counts_index(&h, 3001)], 7);
    assert_int_equal(h.total_count, 12);
    assert_int_equal(h.min_index, 1000);
    assert_int_equal(h.max_index, 2524); /* 2048 + (3000 >> 1) - 1024 */
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.min, 1000);
    assert_int_equal(s.max, 3001);
    assert_int_equal(s.p50, 3001); /* rank 6 > 5 */
    assert_int_equal(hdr_value_at_percentile(&h, 41.0), 1000); /* rank 5 */
    hdr_fini(&h);
}

static void test_rank_reached_exactly(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 10, 50);
    hdr_record_n(&h, 20, 50);
    /* Rank 50 is reached exactly at 10's bucket, 90 and 99 at 20's. */
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.p50, 10);
    assert_int_equal(s.p90, 20);
    assert_int_equal(hdr_value_at_percentile(&h, 50.0), 10);
    assert_int_equal(hdr_value_at_percentile(&h, 50.01), 20);
    hdr_fini(&h);
}

static void test_empty(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    struct hdr_summary s, zero;
    memset(&zero, 0, sizeof zero);
    memset(&s, 0xa5, sizeof s);
    hdr_summarize(&h, &s);
    assert_memory_equal(&s, &zero, sizeof s);
    assert_int_equal(hdr_value_at_percentile(&h, 50.0), 0);
    /* Zero-count records widen min/max_index but the histogram stays empty. */
    hdr_record_n(&h, 500, 0);
    hdr_summarize(&h, &s);
    assert_memory_equal(&s, &zero, sizeof s);
    hdr_fini(&h);
}

static void test_loose_index_bounds(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 3, 0);
    hdr_record(&h, 100);
    hdr_record_n(&h, 1000000, 0);
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.min, 100);
    assert_int_equal(s.max, 100);
    assert_int_equal(s.p999, 100);
    assert_true(s.mean == 100.0);
    assert_true(s.stddev == 0.0);
    hdr_fini(&h);
}

static void test_saturation_and_negatives(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, -5);
    hdr_record(&h, INT64_MIN);
    assert_int_equal(h.counts[0], 2);
    hdr_record(&h, HDR_BHOST_HIGHEST + 1);
    hdr_record(&h, INT64_MAX);
    hdr_record(&h, HDR_BHOST_HIGHEST);
    assert_int_equal(h.counts[HOUR_INDEX], 3);
    assert_int_equal(h.max_index, HOUR_INDEX);
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.min, 0);
    assert_int_equal(s.max, HOUR_HIGHEST);
    assert_int_equal(s.p50, HOUR_HIGHEST); /* rank 3 of 5 */
    assert_int_equal(hdr_value_at_percentile(&h, 40.0), 0);
    hdr_fini(&h);
}

static void test_reset(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    record_wide(&h, 7, 1000);
    hdr_reset(&h);
    assert_int_equal(h.total_count, 0);
    assert_int_equal(h.min_index, h.counts_len);
    assert_int_equal(h.max_index, -1);
    for (int32_t i = 0; i < h.counts_len; i++)
        assert_int_equal(h.counts[i], 0);
    hdr_record(&h, 42);
    assert_int_equal(hdr_value_at_percentile(&h, 50.0), 42);
    hdr_fini(&h);
}

/* Summary of wide random data against a naive two-pass computation. */
static void test_summary_matches_naive(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    record_wide(&h, 99, 200000);
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    double sum = 0.0, m2 = 0.0;
    int32_t lo = -1, hi = -1;
    for (int32_t i = 0; i < h.counts_len; i++) {
        if (h.counts[i]) {
            sum += (double)h.counts[i] * (double)hdr_median_equivalent(&h, hdr_value_at_index(&h, i));
            hi = i;
            lo = lo < 0 ? i : lo;
        }
    }
    double mean = sum / (double)h.total_count;
    for (int32_t i = lo; i <= hi; i++) {
        double d = (double)hdr_median_equivalent(&h, hdr_value_at_index(&h, i)) - mean;
        m2 += (double)h.counts[i] * d * d;
    }
    assert_int_equal(s.count, 200000);
    assert_int_equal(s.min, hdr_value_at_index(&h, lo));
    assert_int_equal(s.max, hdr_highest_equivalent(&h, hdr_value_at_index(&h, hi)));
    assert_int_equal(s.p50, hdr_value_at_percentile(&h, 50.0));
    assert_int_equal(s.p90, hdr_value_at_percentile(&h, 90.0));
    assert_int_equal(s.p99, hdr_value_at_percentile(&h, 99.0));
    assert_int_equal(s.p999, hdr_value_at_percentile(&h, 99.9));
    assert_close(s.mean, mean, 1e-12);
    assert_close(s.stddev, sqrt(m2 / (double)h.total_count), 1e-9);
    hdr_fini(&h);
}

/* Huge counts far apart in a 5-digit layout's 2^18-wide first bucket. */
static void test_summary_large_counts(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init(&h, 1, HDR_BHOST_HIGHEST, 5), 0);
    hdr_record_n(&h, 1, INT64_C(1) << 33);
    hdr_record_n(&h, 200000, INT64_C(1) << 33);
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.p50, 1);
    assert_int_equal(s.p90, 200000);
    assert_close(s.mean, 100000.5, 1e-15);
    assert_close(s.stddev, 99999.5, 1e-12);
    hdr_fini(&h);
}

/* ---- merge ------------------------------------------------------------- */

static void test_merge_same_layout(void **state)
{
    (void)state;
    struct hdr a, b, all;
    assert_int_equal(hdr_init_bhost(&a), 0);
    assert_int_equal(hdr_init_bhost(&b), 0);
    assert_int_equal(hdr_init_bhost(&all), 0);
    record_wide(&a, 1, 50000);
    record_wide(&b, 2, 70000);
    record_wide(&all, 1, 50000);
    record_wide(&all, 2, 70000);
    assert_int_equal(hdr_add(&a, &b), 0);
    assert_same_histogram(&a, &all);
    assert_int_equal(a.min_index, all.min_index);
    assert_int_equal(a.max_index, all.max_index);

    struct hdr empty;
    assert_int_equal(hdr_init_bhost(&empty), 0);
    assert_int_equal(hdr_add(&a, &empty), 0);
    assert_same_histogram(&a, &all);
    assert_int_equal(hdr_add(&empty, &a), 0);
    assert_same_histogram(&empty, &all);

    assert_int_equal(hdr_add(&a, &a), 0);
    assert_int_equal(hdr_add(&all, &b), 0);
    record_wide(&all, 1, 50000);
    assert_same_histogram(&a, &all);
    hdr_fini(&a);
    hdr_fini(&b);
    hdr_fini(&all);
    hdr_fini(&empty);
}

static void test_merge_different_layouts(void **state)
{
    (void)state;
    struct hdr dst, two_digits, coarse, wider;
    assert_int_equal(hdr_init_bhost(&dst), 0);
    assert_int_equal(hdr_init(&two_digits, 1, 1000000000, 2), 0);
    assert_int_equal(hdr_init(&coarse, 1000, INT64_C(10000000000000), 3), 0);
    assert_int_equal(hdr_init(&wider, 1, INT64_C(10000000000000), 3), 0);

    /* Exact in both layouts: below 256, and 1000 = 250 * 4 in bucket 2. */
    hdr_record(&two_digits, 5);
    hdr_record(&two_digits, 100);
    hdr_record_n(&two_digits, 255, 3);
    hdr_record(&two_digits, 1000);
    /* 2^9 units: 123456 lands on 241 * 512 = 123392; 5e12 exceeds 1 h. */
    hdr_record(&coarse, 123456);
    hdr_record(&coarse, INT64_C(5000000000000));
    hdr_record(&coarse, 0);
    /* Same unit and sub-buckets but a higher ceiling: still saturates. */
    hdr_record_n(&wider, INT64_C(9000000000000), 2);
    hdr_record(&wider, 777);

    assert_int_equal(hdr_add(&dst, &two_digits), 0);
    assert_int_equal(hdr_add(&dst, &coarse), 0);
    assert_int_equal(hdr_add(&dst, &wider), 0);

    assert_int_equal(dst.total_count, 12);
    assert_int_equal(dst.counts[0], 1);
    assert_int_equal(dst.counts[5], 1);
    assert_int_equal(dst.counts[100], 1);
    assert_int_equal(dst.counts[255], 3);
    assert_int_equal(dst.counts[777], 1);
    assert_int_equal(dst.counts[1000], 1);
    /* 123392 in bucket 6 (width 64): 7 << 10 + (123392 >> 6) - 1024. */
    assert_int_equal(dst.counts[8072], 1);
    assert_int_equal(hdr_value_at_index(&dst, 8072), 123392);
    assert_int_equal(dst.counts[HOUR_INDEX], 3);
    int64_t sum = 0;
    for (int32_t i = 0; i < dst.counts_len; i++)
        sum += dst.counts[i];
    assert_int_equal(sum, 12);
    assert_int_equal(dst.min_index, 0);
    assert_int_equal(dst.max_index, HOUR_INDEX);
    hdr_fini(&dst);
    hdr_fini(&two_digits);
    hdr_fini(&coarse);
    hdr_fini(&wider);
}

/* a + b whose total would pass INT64_MAX fails and leaves a as it was. */
static void assert_add_refused(struct hdr *a, const struct hdr *b)
{
    struct hdr before;
    assert_int_equal(hdr_init(&before, a->lowest_discernible, a->highest_trackable,
                              a->sig_figs), 0);
    assert_int_equal(hdr_add(&before, a), 0);
    assert_int_equal(hdr_add(a, b), -1);
    assert_same_histogram(a, &before);
    assert_int_equal(a->min_index, before.min_index);
    assert_int_equal(a->max_index, before.max_index);
    hdr_fini(&before);
}

static void test_merge_overflow(void **state)
{
    (void)state;
    const int64_t big = (INT64_C(1) << 62) + 1;
    struct hdr a, same, other, rest;
    assert_int_equal(hdr_init_bhost(&a), 0);
    assert_int_equal(hdr_init_bhost(&same), 0);
    assert_int_equal(hdr_init(&other, 1, 1000000000, 2), 0);
    assert_int_equal(hdr_init_bhost(&rest), 0);
    hdr_record_n(&a, 1000, big);
    hdr_record_n(&same, 5000, big);
    hdr_record_n(&other, 70000, big);

    assert_add_refused(&a, &same);  /* equal layouts: one vector loop */
    assert_add_refused(&a, &other); /* different layouts: re-recorded */
    assert_add_refused(&a, &a);

    /* Up to INT64_MAX itself is fine. */
    hdr_record_n(&rest, 5000, INT64_MAX - big);
    assert_int_equal(hdr_add(&a, &rest), 0);
    assert_int_equal(a.total_count, INT64_MAX);
    assert_int_equal(a.counts[hdr_counts_index(&a, 5000)], INT64_MAX - big);
    assert_add_refused(&a, &other);
    hdr_fini(&a);
    hdr_fini(&same);
    hdr_fini(&other);
    hdr_fini(&rest);
}

/* Records n values of a kind into one histogram, and also into a or b
 * (chosen by the value's hash), so that a + b must equal `all`. */
static void record_split(struct hdr *a, struct hdr *b, struct hdr *all, int64_t v, int64_t n)
{
    hdr_record_n(((uint64_t)v * UINT64_C(0x9e3779b97f4a7c15)) >> 63 ? a : b, v, n);
    hdr_record_n(all, v, n);
}

/* a + b against all: counts, totals, index bounds and every summary figure. */
static void check_merge(struct hdr *a, struct hdr *b, struct hdr *all)
{
    assert_int_equal(hdr_add(a, b), 0);
    assert_same_histogram(a, all);
    if (all->total_count) {
        int32_t lo = 0, hi = all->counts_len - 1;
        while (all->counts[lo] == 0)
            lo++;
        while (all->counts[hi] == 0)
            hi--;
        assert_true(a->min_index <= lo);
        assert_true(a->max_index >= hi);
    }
}

static void test_merge_equals_recording_all(void **state)
{
    (void)state;
    struct hdr a, b, all;
    assert_int_equal(hdr_init_bhost(&a), 0);
    assert_int_equal(hdr_init_bhost(&b), 0);
    assert_int_equal(hdr_init_bhost(&all), 0);
    /* Random wide data, split value by value. */
    rng_state = 11;
    for (int i = 0; i < 100000; i++)
        record_split(&a, &b, &all, rng_wide_value(), 1 + (int64_t)(rng_next() % 3));
    check_merge(&a, &b, &all);
    hdr_fini(&a);
    hdr_fini(&b);
    hdr_fini(&all);

    /* Edge cases: empty + empty, empty + one value, one value + empty, the
     * extremes, and sources whose index ranges lie below, above, inside and
     * around the destination's. */
    const struct {
        int64_t a[3], b[3];
    } cases[] = {
        {{-1, -1, -1}, {-1, -1, -1}},
        {{-1, -1, -1}, {5, -1, -1}},
        {{5, -1, -1}, {-1, -1, -1}},
        {{0, -1, -1}, {HDR_BHOST_HIGHEST, -1, -1}},
        {{HDR_BHOST_HIGHEST, 0, -1}, {0, HDR_BHOST_HIGHEST, -1}},
        {{1000000, 2000000, -1}, {3, 7, -1}},
        {{3, 7, -1}, {1000000, 2000000, -1}},
        {{3, 123456789, -1}, {4000, 5000, 6000}},
        {{4000, 5000, -1}, {1, 99999999999, 2047}},
        {{2047, 2048, 2049}, {2047, 2048, 2049}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        assert_int_equal(hdr_init_bhost(&a), 0);
        assert_int_equal(hdr_init_bhost(&b), 0);
        assert_int_equal(hdr_init_bhost(&all), 0);
        for (int k = 0; k < 3; k++) {
            if (cases[c].a[k] >= 0) {
                hdr_record(&a, cases[c].a[k]);
                hdr_record(&all, cases[c].a[k]);
            }
            if (cases[c].b[k] >= 0) {
                hdr_record_n(&b, cases[c].b[k], k + 1);
                hdr_record_n(&all, cases[c].b[k], k + 1);
            }
        }
        check_merge(&a, &b, &all);
        if (all.total_count == 0) {
            assert_int_equal(a.min_index, a.counts_len);
            assert_int_equal(a.max_index, -1);
        }
        hdr_fini(&a);
        hdr_fini(&b);
        hdr_fini(&all);
    }
}

/* Decoded histograms merge as the originals do. */
static void test_merge_after_round_trip(void **state)
{
    (void)state;
    struct hdr a, b, all;
    assert_int_equal(hdr_init_bhost(&a), 0);
    assert_int_equal(hdr_init_bhost(&b), 0);
    assert_int_equal(hdr_init_bhost(&all), 0);
    rng_state = 12;
    for (int i = 0; i < 50000; i++)
        record_split(&a, &b, &all, rng_wide_value(), 1);
    char *ta = hdr_encode_v2_base64(&a), *tb = hdr_encode_v2_base64(&b);
    assert_non_null(ta);
    assert_non_null(tb);
    struct hdr da, db;
    assert_int_equal(hdr_decode_v2_base64(ta, &da), 0);
    assert_int_equal(hdr_decode_v2_base64(tb, &db), 0);
    check_merge(&da, &db, &all);
    /* And the merge survives its own round trip. */
    char *tm = hdr_encode_v2_base64(&da);
    struct hdr dm;
    assert_int_equal(hdr_decode_v2_base64(tm, &dm), 0);
    assert_same_histogram(&dm, &all);
    hdr_fini(&dm);
    free(tm);
    free(ta);
    free(tb);
    hdr_fini(&da);
    hdr_fini(&db);
    hdr_fini(&a);
    hdr_fini(&b);
    hdr_fini(&all);
}

/* Huge counts: the mean is the value and the deviation is zero, exactly. */
static void test_summary_huge_counts_exact(void **state)
{
    (void)state;
    struct hdr h;
    struct hdr_summary s;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 1000, INT64_C(1000000000000000));
    hdr_summarize(&h, &s);
    assert_true(s.mean == 1000.0);
    assert_true(s.stddev == 0.0);
    assert_int_equal(s.p50, 1000);
    assert_int_equal(s.p9999, 1000);
    /* Two neighbours with 1e15 each: mean 1000.5, deviation 0.5. */
    hdr_record_n(&h, 1001, INT64_C(1000000000000000));
    hdr_summarize(&h, &s);
    assert_true(s.mean == 1000.5);
    assert_close(s.stddev, 0.5, 1e-15);
    hdr_reset(&h);
    /* A wide value far from 0 with a count near the int64 limit. */
    hdr_record_n(&h, 123456789, INT64_C(1) << 62);
    hdr_summarize(&h, &s);
    assert_true(s.mean == (double)hdr_median_equivalent(&h, 123456789));
    assert_true(s.stddev == 0.0);
    hdr_fini(&h);
}

/* The summary's seven percentiles are hdr_value_at_percentile's. */
static void test_summary_seven_percentiles(void **state)
{
    (void)state;
    static const double pct[] = {50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99};
    const int sizes[] = {1, 2, 7, 100, 9999, 10000, 123457};
    for (size_t n = 0; n < sizeof sizes / sizeof sizes[0]; n++) {
        struct hdr h;
        assert_int_equal(hdr_init_bhost(&h), 0);
        record_wide(&h, 20 + n, sizes[n]);
        struct hdr_summary s;
        hdr_summarize(&h, &s);
        const int64_t got[] = {s.p50, s.p75, s.p90, s.p95, s.p99, s.p999, s.p9999};
        for (size_t k = 0; k < 7; k++)
            if (got[k] != hdr_value_at_percentile(&h, pct[k]))
                fail_msg("%d values: p%g is %lld, hdr_value_at_percentile says %lld", sizes[n],
                         pct[k], (long long)got[k],
                         (long long)hdr_value_at_percentile(&h, pct[k]));
        for (size_t k = 1; k < 7; k++)
            assert_true(got[k - 1] <= got[k]);
        hdr_fini(&h);
    }
}

/* ---- V2 encoding -------------------------------------------------------- */

/* The uncompressed V2 form inside a compressed encoding. */
static uint8_t *inflate_encoding(const uint8_t *enc, size_t len, uLongf *plain_len)
{
    assert_true(len > 8);
    assert_memory_equal(enc, "\x1c\x84\x93\x14", 4);
    uint32_t deflated = (uint32_t)enc[4] << 24 | (uint32_t)enc[5] << 16 |
                        (uint32_t)enc[6] << 8 | enc[7];
    assert_int_equal(deflated, len - 8);
    uint8_t *plain = malloc(1 << 20);
    assert_non_null(plain);
    *plain_len = 1 << 20;
    assert_int_equal(uncompress(plain, plain_len, enc + 8, deflated), Z_OK);
    return plain;
}

/* 0x1c849313, payload length, offset 0, 3 digits, 1, 3.6e12, 1.0. */
#define BHOST_V2_HEADER(payload_len)                                                     \
    0x1c, 0x84, 0x93, 0x13, 0, 0, 0, (payload_len), 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, \
        0, 0, 0, 1, 0x00, 0x00, 0x03, 0x46, 0x30, 0xb8, 0xa0, 0x00, 0x3f, 0xf0, 0, 0, 0, \
        0, 0, 0

static void check_known_vector(const struct hdr *h, const uint8_t *expected, size_t len)
{
    uint8_t *enc;
    size_t enc_len;
    uLongf plain_len;
    assert_int_equal(hdr_encode_v2(h, &enc, &enc_len), 0);
    uint8_t *plain = inflate_encoding(enc, enc_len, &plain_len);
    assert_int_equal(plain_len, len);
    assert_memory_equal(plain, expected, len);

    struct hdr back;
    assert_int_equal(hdr_decode_v2(expected, len, &back), 0);
    assert_same_histogram(&back, h);
    hdr_fini(&back);
    free(plain);
    free(enc);
}

static void test_v2_known_vectors(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    /*
     * Values 1, 1, 5, 2000 (indices = values below 2048). Counts 0..2000:
     * [0] single zero -> 0 -> 0x00; [1] 2 -> zigzag 4 -> 0x04;
     * [2..4] three zeros -> -3 -> zigzag 5 -> 0x05; [5] 1 -> 0x02;
     * [6..1999] 1994 zeros -> -1994 -> zigzag 3987 = 31 * 128 + 19 -> 0x93 0x1f;
     * [2000] 1 -> 0x02.
     */
    hdr_record(&h, 1);
    hdr_record(&h, 1);
    hdr_record(&h, 5);
    hdr_record(&h, 2000);
    static const uint8_t small[] = {
        BHOST_V2_HEADER(7), 0x00, 0x04, 0x05, 0x02, 0x93, 0x1f, 0x02,
    };
    check_known_vector(&h, small, sizeof small);

    /* Empty: Java writes the single (zero) count at index 0. */
    hdr_reset(&h);
    static const uint8_t empty[] = { BHOST_V2_HEADER(1), 0x00 };
    check_known_vector(&h, empty, sizeof empty);

    /* INT64_MAX at index 3: zigzag 2^64 - 2 needs the 9-byte form, whose
     * last byte holds 8 bits. */
    hdr_record_n(&h, 3, INT64_MAX);
    static const uint8_t max_count[] = {
        BHOST_V2_HEADER(10), 0x05, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    check_known_vector(&h, max_count, sizeof max_count);

    /* 2^62 at index 1: zigzag 2^63 is eight 0x80 groups and a last 0x80. */
    hdr_reset(&h);
    hdr_record_n(&h, 1, INT64_C(1) << 62);
    static const uint8_t high_bit[] = {
        BHOST_V2_HEADER(10), 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    };
    check_known_vector(&h, high_bit, sizeof high_bit);
    hdr_fini(&h);
}

static void roundtrip(const struct hdr *h)
{
    uint8_t *enc;
    size_t len;
    struct hdr back;
    assert_int_equal(hdr_encode_v2(h, &enc, &len), 0);
    assert_int_equal(hdr_decode_v2(enc, len, &back), 0);
    assert_same_histogram(&back, h);
    assert_int_equal(back.unit_magnitude, h->unit_magnitude);
    assert_int_equal(back.sub_bucket_count, h->sub_bucket_count);
    assert_int_equal(back.bucket_count, h->bucket_count);
    if (h->total_count) {
        assert_int_equal(back.min_index, h->min_index);
        assert_int_equal(back.max_index, h->max_index);
    } else {
        assert_int_equal(back.min_index, back.counts_len);
        assert_int_equal(back.max_index, -1);
    }
    hdr_fini(&back);
    free(enc);
}

static void test_v2_roundtrip(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    roundtrip(&h);
    hdr_record(&h, 123456789);
    roundtrip(&h);
    hdr_reset(&h);
    hdr_record(&h, 0);
    roundtrip(&h);
    record_wide(&h, 3, 300000);
    roundtrip(&h);
    hdr_fini(&h);

    assert_int_equal(hdr_init(&h, 1000, INT64_C(10000000000000), 2), 0);
    record_wide(&h, 4, 10000);
    roundtrip(&h);
    hdr_fini(&h);
}

static void test_v2_rejects_negative_counts(void **state)
{
    (void)state;
    struct hdr h;
    uint8_t *enc = NULL;
    size_t len;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 10, -1);
    assert_int_equal(hdr_encode_v2(&h, &enc, &len), -1);
    assert_null(hdr_encode_v2_base64(&h));
    hdr_fini(&h);
}

static void assert_decode_fails(const uint8_t *buf, size_t len)
{
    struct hdr h;
    memset(&h, 0x5a, sizeof h);
    assert_int_equal(hdr_decode_v2(buf, len, &h), -1);
    assert_null(h.counts);
}

static void test_v2_decode_truncated(void **state)
{
    (void)state;
    struct hdr h;
    uint8_t *enc;
    size_t len;
    assert_int_equal(hdr_init_bhost(&h), 0);
    record_wide(&h, 5, 2000);
    assert_int_equal(hdr_encode_v2(&h, &enc, &len), 0);
    for (size_t n = 0; n < len; n++)
        assert_decode_fails(enc, n);

    uLongf plain_len;
    uint8_t *plain = inflate_encoding(enc, len, &plain_len);
    for (size_t n = 0; n < plain_len; n++)
        assert_decode_fails(plain, n);
    struct hdr back;
    assert_int_equal(hdr_decode_v2(plain, plain_len, &back), 0);
    assert_same_histogram(&back, &h);
    hdr_fini(&back);
    free(plain);
    free(enc);
    hdr_fini(&h);
}

static void test_v2_decode_cookies(void **state)
{
    (void)state;
    struct hdr h, back;
    uint8_t *enc;
    size_t len;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, 77);
    assert_int_equal(hdr_encode_v2(&h, &enc, &len), 0);

    /* Java masks 0xf0 (the word-size nibble) off V2 cookies. */
    const uint8_t accepted[] = { 0x04, 0x14, 0x24, 0xf4 };
    for (size_t i = 0; i < sizeof accepted; i++) {
        enc[3] = accepted[i];
        assert_int_equal(hdr_decode_v2(enc, len, &back), 0);
        assert_same_histogram(&back, &h);
        hdr_fini(&back);
    }
    /* V1 and V0 compressed cookies, plain/compressed mix-ups, noise. */
    const uint8_t rejected[] = { 0x02, 0x82, 0x09, 0x99, 0x03, 0x13, 0x05, 0x15, 0x1c };
    for (size_t i = 0; i < sizeof rejected; i++) {
        enc[3] = rejected[i];
        assert_decode_fails(enc, len);
    }
    enc[3] = 0x14;
    enc[0] = 0x1d;
    assert_decode_fails(enc, len);
    enc[0] = 0x1c;
    enc[2] = 0x92;
    assert_decode_fails(enc, len);
    free(enc);
    hdr_fini(&h);
}

static void test_v2_decode_corrupt_deflate(void **state)
{
    (void)state;
    struct hdr h;
    uint8_t *enc;
    size_t len;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, 1);
    hdr_record(&h, 5000);
    hdr_record(&h, 123456789);
    assert_int_equal(hdr_encode_v2(&h, &enc, &len), 0);
    for (size_t i = 8; i < len; i++) {
        enc[i] ^= 0xff;
        assert_decode_fails(enc, len);
        enc[i] ^= 0xff;
    }
    /* Trailing bytes, counted in the length or not. */
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, enc, len);
    longer[len] = 0;
    assert_decode_fails(longer, len + 1);
    longer[7]++;
    assert_decode_fails(longer, len + 1);
    free(longer);
    free(enc);
    hdr_fini(&h);
}

/* A plain V2 encoding with the given header fields and payload. */
static size_t make_plain(uint8_t *buf, int32_t payload_len, int32_t offset, int32_t sig,
                         int64_t lowest, int64_t highest, double ratio,
                         const uint8_t *payload, size_t n)
{
    const uint32_t words[] = { 0x1c849313, (uint32_t)payload_len, (uint32_t)offset,
                               (uint32_t)sig };
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    const uint64_t longs[] = { (uint64_t)lowest, (uint64_t)highest, ratio_bits };
    for (int i = 0; i < 16; i++)
        buf[i] = (uint8_t)(words[i / 4] >> (24 - 8 * (i % 4)));
    for (int i = 0; i < 24; i++)
        buf[16 + i] = (uint8_t)(longs[i / 8] >> (56 - 8 * (i % 8)));
    memcpy(buf + 40, payload, n);
    return 40 + n;
}

/* Its compressed form, as Java would write it. */
static size_t make_compressed(uint8_t *out, size_t cap, const uint8_t *plain, size_t n)
{
    uLongf deflated = cap - 8;
    assert_int_equal(compress2(out + 8, &deflated, plain, n, Z_DEFAULT_COMPRESSION), Z_OK);
    const uint32_t words[] = { 0x1c849314, (uint32_t)deflated };
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(words[i / 4] >> (24 - 8 * (i % 4)));
    return 8 + deflated;
}

/* Decodes a plain encoding and its compressed form; both must agree. */
static int decode_both(const uint8_t *plain, size_t n, int64_t *total)
{
    static uint8_t packed[1 << 16];
    struct hdr h;
    size_t packed_len = make_compressed(packed, sizeof packed, plain, n);
    int rc = hdr_decode_v2(plain, n, &h);
    if (rc == 0) {
        *total = h.total_count;
        hdr_fini(&h);
    }
    assert_int_equal(hdr_decode_v2(packed, packed_len, &h), rc);
    if (rc == 0) {
        assert_int_equal(h.total_count, *total);
        hdr_fini(&h);
    }
    return rc;
}

static void test_v2_decode_malformed(void **state)
{
    (void)state;
    static uint8_t buf[1 << 16];
    int64_t total = 0;
    const int64_t hour = HDR_BHOST_HIGHEST;
    const uint8_t one[] = { 0x02 };
    size_t n;

    /* Control: a (1, 2, 1) layout has 32 counts. */
    uint8_t counts32[33];
    memset(counts32, 0x02, sizeof counts32);
    n = make_plain(buf, 32, 0, 1, 1, 2, 1.0, counts32, 32);
    assert_int_equal(decode_both(buf, n, &total), 0);
    assert_int_equal(total, 32);
    /* One count too many for the layout. */
    n = make_plain(buf, 33, 0, 1, 1, 2, 1.0, counts32, 33);
    assert_int_equal(decode_both(buf, n, &total), -1);
    /* Zero runs: up to the end is fine, past it is not; -2^63 neither. */
    const uint8_t run32[] = { 0x3f }, run33[] = { 0x41 };
    const uint8_t run_min[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    n = make_plain(buf, 1, 0, 1, 1, 2, 1.0, run32, 1);
    assert_int_equal(decode_both(buf, n, &total), 0);
    assert_int_equal(total, 0);
    n = make_plain(buf, 1, 0, 1, 1, 2, 1.0, run33, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 9, 0, 1, 1, 2, 1.0, run_min, 9);
    assert_int_equal(decode_both(buf, n, &total), -1);
    /* Counts summing past INT64_MAX. */
    const uint8_t huge_counts[] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
    n = make_plain(buf, 10, 0, 3, 1, hour, 1.0, huge_counts, 10);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 9, 0, 3, 1, hour, 1.0, huge_counts, 9);
    assert_int_equal(decode_both(buf, n, &total), 0);
    assert_int_equal(total, INT64_MAX);
    /* A varint cut short by the payload's end. */
    const uint8_t cut[] = { 0x02, 0x80 };
    n = make_plain(buf, 2, 0, 3, 1, hour, 1.0, cut, 2);
    assert_int_equal(decode_both(buf, n, &total), -1);

    /* Header fields bhost does not write or HdrHistogram would refuse; those it
     * cannot hold (an offset, a DoubleHistogram's ratio) say so with ENOTSUP. */
    struct hdr unread;
    n = make_plain(buf, 1, 5, 3, 1, hour, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    assert_int_equal(hdr_decode_v2(buf, n, &unread), -1);
    assert_int_equal(errno, ENOTSUP);
    n = make_plain(buf, 1, 0, 3, 1, hour, 2.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    assert_int_equal(hdr_decode_v2(buf, n, &unread), -1);
    assert_int_equal(errno, ENOTSUP);
    n = make_plain(buf, 1, 0, 0, 1, hour, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 1, 0, 6, 1, hour, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 1, 0, 3, 0, hour, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 1, 0, 3, 100, 150, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), -1);
    n = make_plain(buf, 1, 0, 3, 1, hour, 1.0, one, 1);
    assert_int_equal(decode_both(buf, n, &total), 0);

    /* Payload length fields that do not match the payload. */
    const int32_t lengths[] = { 0, 2, -1, 100, 304128, 64 << 20, INT32_MAX };
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        n = make_plain(buf, lengths[i], 0, 3, 1, hour, 1.0, one, 1);
        assert_int_equal(decode_both(buf, n, &total), -1);
    }
}

static void test_v2_decode_payload_cap(void **state)
{
    (void)state;
    /* A header announcing more payload than 9 bytes per count of its layout
     * is refused before anything is inflated or allocated for it. */
    static uint8_t plain[40 + 33 * 9 + 16], packed[1 << 12];
    uint8_t payload[33 * 9 + 1];
    memset(payload, 0x80, sizeof payload);
    for (size_t i = 8; i < sizeof payload; i += 9)
        payload[i] = 0;
    /* 32 counts of 9 bytes each fill a (1, 2, 1) layout exactly... */
    size_t n = make_plain(plain, 32 * 9, 0, 1, 1, 2, 1.0, payload, 32 * 9);
    struct hdr h;
    assert_int_equal(hdr_decode_v2(plain, n, &h), 0);
    hdr_fini(&h);
    size_t m = make_compressed(packed, sizeof packed, plain, n);
    assert_int_equal(hdr_decode_v2(packed, m, &h), 0);
    hdr_fini(&h);
    /* ...one more byte is over the cap, however it is padded. */
    n = make_plain(plain, 32 * 9 + 1, 0, 1, 1, 2, 1.0, payload, 32 * 9 + 1);
    assert_decode_fails(plain, n);
    m = make_compressed(packed, sizeof packed, plain, n);
    assert_decode_fails(packed, m);
}

/* ---- Base64 ------------------------------------------------------------- */

static void test_base64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10. */
    const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char *text = b64_encode((const uint8_t *)plain[i], strlen(plain[i]));
        assert_non_null(text);
        assert_string_equal(text, coded[i]);
        free(text);
        uint8_t *bin;
        size_t len;
        assert_int_equal(b64_decode(coded[i], &bin, &len), 0);
        assert_non_null(bin);
        assert_int_equal(len, strlen(plain[i]));
        assert_memory_equal(bin, plain[i], len);
        free(bin);
    }
    uint8_t all[256 * 3];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)(i * 7);
    for (size_t n = sizeof all - 3; n <= sizeof all; n++) {
        char *text = b64_encode(all, n);
        uint8_t *bin;
        size_t len;
        assert_int_equal(strlen(text), (n + 2) / 3 * 4);
        assert_int_equal(b64_decode(text, &bin, &len), 0);
        assert_int_equal(len, n);
        assert_memory_equal(bin, all, n);
        free(bin);
        free(text);
    }
}

static void test_base64_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "Zg=", "Zg", "Z", "Z===", "====", "=Zm9", "Zm=v", "Zg==Zg==", "Zm9v=",
        "Zh==",  /* 'h' leaves a non-zero bit after the single byte */
        "Zm9=",  /* '9' likewise after two bytes */
        "Zm 9v", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Zm9\x80", "Zm9v====",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *bin = NULL;
        size_t len = 12345;
        errno = 0;
        if (b64_decode(bad[i], &bin, &len) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(errno, EINVAL);
        assert_int_equal(len, 12345);
        assert_null(bin);
    }
}

static void test_v2_base64(void **state)
{
    (void)state;
    struct hdr h, back;
    assert_int_equal(hdr_init_bhost(&h), 0);
    record_wide(&h, 6, 5000);
    char *text = hdr_encode_v2_base64(&h);
    assert_non_null(text);
    /* The compressed cookie 1c 84 93 14 opens every encoding. */
    assert_memory_equal(text, "HISTF", 5);
    assert_int_equal(hdr_decode_v2_base64(text, &back), 0);
    assert_same_histogram(&back, &h);
    hdr_fini(&back);

    size_t len = strlen(text);
    text[len / 2] = '*';
    assert_int_equal(hdr_decode_v2_base64(text, &back), -1);
    assert_null(back.counts);
    text[len / 2] = 'A';
    text[len - 1] = '\0';
    assert_int_equal(hdr_decode_v2_base64(text, &back), -1);
    assert_int_equal(hdr_decode_v2_base64("", &back), -1);
    assert_int_equal(hdr_decode_v2_base64("HISTFAAAAAA=", &back), -1);
    free(text);
    hdr_fini(&h);
}

/* ---- V0 and V1 ---------------------------------------------------------- */

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

/* A layout for the legacy encodings: lowest, highest, digits. */
struct legacy_layout {
    int64_t lowest, highest;
    int32_t sig;
};

/* Plain V1: header (payload length `payload_len`, or the counts' bytes when
 * negative), then `n` counts of `word` bytes each. */
static size_t make_v1(uint8_t *buf, int word, int32_t payload_len, int32_t offset,
                      struct legacy_layout l, double ratio, const int64_t *counts, size_t n)
{
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    put_be(buf, 0x1c849301u | (uint32_t)word << 4, 4);
    put_be(buf + 4, (uint32_t)(payload_len < 0 ? (int32_t)(n * (size_t)word) : payload_len), 4);
    put_be(buf + 8, (uint32_t)offset, 4);
    put_be(buf + 12, (uint32_t)l.sig, 4);
    put_be(buf + 16, (uint64_t)l.lowest, 8);
    put_be(buf + 24, (uint64_t)l.highest, 8);
    put_be(buf + 32, ratio_bits, 8);
    for (size_t i = 0; i < n; i++)
        put_be(buf + 40 + i * (size_t)word, (uint64_t)counts[i], word);
    return 40 + n * (size_t)word;
}

/* Plain V0: header with a total count (which readers ignore), then the counts. */
static size_t make_v0(uint8_t *buf, int word, struct legacy_layout l, int64_t total,
                      const int64_t *counts, size_t n)
{
    put_be(buf, 0x1c849308u | (uint32_t)word << 4, 4);
    put_be(buf + 4, (uint32_t)l.sig, 4);
    put_be(buf + 8, (uint64_t)l.lowest, 8);
    put_be(buf + 16, (uint64_t)l.highest, 8);
    put_be(buf + 24, (uint64_t)total, 8);
    for (size_t i = 0; i < n; i++)
        put_be(buf + 32 + i * (size_t)word, (uint64_t)counts[i], word);
    return 32 + n * (size_t)word;
}

/* Deflated, behind a compressed cookie (V1 0x1c849302, V0 0x1c849309), as
 * HdrHistogram Java before 2.1.5 wrote them into logs. */
static size_t deflate_legacy(uint8_t *out, size_t cap, uint32_t cookie, const uint8_t *plain,
                             size_t n)
{
    uLongf deflated = cap - 8;
    assert_int_equal(compress2(out + 8, &deflated, plain, n, Z_DEFAULT_COMPRESSION), Z_OK);
    put_be(out, cookie, 4);
    put_be(out + 4, deflated, 4);
    return 8 + deflated;
}

/* Decodes with hdr_decode_v0v1 and hdr_decode_any; both must agree. 0 or errno. */
static int decode_legacy(const uint8_t *buf, size_t n, struct hdr *h)
{
    struct hdr other;
    errno = 0;
    int rc = hdr_decode_v0v1(buf, n, h);
    int err = rc ? errno : 0;
    if (rc != 0)
        assert_null(h->counts);
    errno = 0;
    assert_int_equal(hdr_decode_any(buf, n, &other), rc);
    if (rc == 0) {
        assert_same_histogram(&other, h);
        hdr_fini(&other);
    } else {
        assert_int_equal(errno, err);
    }
    return err;
}

static void test_v0v1_decode_words(void **state)
{
    (void)state;
    static uint8_t plain[1 << 16], packed[1 << 16];
    const struct legacy_layout l = {1000, INT64_C(3600000000000), 2};
    struct hdr want, got;
    assert_int_equal(hdr_init(&want, l.lowest, l.highest, l.sig), 0);
    /* Counts at indexes 0, 5, 300 and 1000: value 0, 5 units, and two in later buckets. */
    int64_t counts[1001] = {0};
    const int32_t at[] = {0, 5, 300, 1000};
    const int64_t n[] = {3, 7, 1, 12000};
    for (size_t i = 0; i < 4; i++) {
        counts[at[i]] = n[i];
        hdr_record_n(&want, hdr_value_at_index(&want, at[i]), n[i]);
    }
    const int words[] = {2, 4, 8};
    for (size_t w = 0; w < 3; w++) {
        size_t len = make_v1(plain, words[w], -1, 0, l, 1.0, counts, 1001);
        assert_int_equal(decode_legacy(plain, len, &got), 0);
        assert_same_histogram(&got, &want);
        hdr_fini(&got);
        size_t packed_len = deflate_legacy(packed, sizeof packed, 0x1c849302u | (uint32_t)words[w] << 4,
                                           plain, len);
        assert_int_equal(decode_legacy(packed, packed_len, &got), 0);
        assert_same_histogram(&got, &want);
        hdr_fini(&got);
        /* In Base64, as a log holds it. */
        char *text = b64_encode(packed, packed_len);
        assert_int_equal(hdr_decode_any_base64(text, &got), 0);
        assert_same_histogram(&got, &want);
        hdr_fini(&got);
        free(text);
        /* Not V2: the V2 decoder refuses it. */
        assert_decode_fails(packed, packed_len);

        len = make_v0(plain, words[w], l, 999, counts, 1001);
        assert_int_equal(decode_legacy(plain, len, &got), 0);
        assert_same_histogram(&got, &want);
        hdr_fini(&got);
        packed_len = deflate_legacy(packed, sizeof packed, 0x1c849309u, plain, len);
        assert_int_equal(decode_legacy(packed, packed_len, &got), 0);
        assert_same_histogram(&got, &want);
        hdr_fini(&got);
    }
    /* A V0 payload may stop short of the layout's end, or be empty. */
    size_t len = make_v0(plain, 8, l, 0, counts, 0);
    assert_int_equal(decode_legacy(plain, len, &got), 0);
    assert_int_equal(got.total_count, 0);
    hdr_fini(&got);
    hdr_fini(&want);
}

/* The first interval of each of HdrHistogram's jHiccup test logs
 * (tests/interop/data/), as HdrHistogram Java and HdrHistogram_c read them. */
static void test_v0v1_real_intervals(void **state)
{
    (void)state;
    static const struct {
        const char *b64;
        int64_t count, max, p50, p99;
    } known[] = {
        {"HISTiQAAAG542pNpmdzBwMDAxAAGfgoMDMxuBjsWQLgMTI+gDFYozQmlOaA0M5Rmg9LsUJoFjc+GZg4rmjkwdU"
         "xofG4obQeldaG0LJTmR1PvCKXVIRQjzL2BUFoYTT0jwyjABkbDZTSeR8FofI+CEQ4AUBEGxA==",
         738, 3047423, 393215, 442367},
        {"HISTIgAAAFd42pNpmazIwMAYxgABTBDKT4GBgdnNYMcCBvsPUBkeBkYGZqA8MwMbAzsDC5DFBCTZgJCDQY1Bjk"
         "GLQZRBlUEPCB8zWDCYMxgDZZkZhgJgHDibAY8JB/A=",
         724, 2801663, 360447, 425983},
    };
    for (size_t i = 0; i < 2; i++) {
        struct hdr h;
        assert_int_equal(hdr_decode_any_base64(known[i].b64, &h), 0);
        assert_int_equal(h.lowest_discernible, 20000);
        assert_int_equal(h.highest_trackable, INT64_C(3600000000000));
        assert_int_equal(h.sig_figs, 2);
        struct hdr_summary s;
        hdr_summarize(&h, &s);
        assert_int_equal(s.count, known[i].count);
        assert_int_equal(s.max, known[i].max);
        assert_int_equal(s.p50, known[i].p50);
        assert_int_equal(s.p99, known[i].p99);
        assert_int_equal(hdr_max_value(&h), known[i].max);
        hdr_fini(&h);
        /* The V2 decoder alone does not read them. */
        assert_int_equal(hdr_decode_v2_base64(known[i].b64, &h), -1);
    }
}

static void test_v0v1_rejects(void **state)
{
    (void)state;
    static uint8_t plain[1 << 16], packed[1 << 16];
    const struct legacy_layout small = {1, 2, 1}; /* 32 counts */
    const struct legacy_layout hour = {1, INT64_C(3600000000000), 3};
    int64_t counts[40];
    for (size_t i = 0; i < 40; i++)
        counts[i] = 1;
    struct hdr h;
    size_t n;

    /* Control: 32 counts fill the small layout; one more does not fit. */
    n = make_v1(plain, 4, -1, 0, small, 1.0, counts, 32);
    assert_int_equal(decode_legacy(plain, n, &h), 0);
    assert_int_equal(h.total_count, 32);
    hdr_fini(&h);
    n = make_v1(plain, 4, -1, 0, small, 1.0, counts, 33);
    assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    n = make_v0(plain, 4, small, 0, counts, 33);
    assert_int_equal(decode_legacy(plain, n, &h), EINVAL);

    /* A negative count, in each word size. */
    const int words[] = {2, 4, 8};
    for (size_t w = 0; w < 3; w++) {
        counts[3] = -1;
        n = make_v1(plain, words[w], -1, 0, hour, 1.0, counts, 5);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
        n = make_v0(plain, words[w], hour, 0, counts, 5);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
        counts[3] = 1;
    }
    /* Word sizes other than 2, 4 and 8 (the cookie's bits 0xf0, bit 0 cleared). */
    const int bad_words[] = {0, 6, 10, 12, 14};
    for (size_t w = 0; w < 5; w++) {
        n = make_v1(plain, 8, -1, 0, hour, 1.0, counts, 5);
        plain[3] = (uint8_t)(0x01 | bad_words[w] << 4);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    }
    /* Bit 0 of the word size does not count: 9 reads as 8. */
    n = make_v1(plain, 8, -1, 0, hour, 1.0, counts, 5);
    plain[3] = 0x91;
    assert_int_equal(decode_legacy(plain, n, &h), 0);
    assert_int_equal(h.total_count, 5);
    hdr_fini(&h);

    /* A payload length that is not the payload's, or not whole words. */
    const int32_t lengths[] = {0, 8, 12, 39, 41, 48, INT32_MAX};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        n = make_v1(plain, 8, lengths[i], 0, hour, 1.0, counts, 5);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    }
    n = make_v1(plain, 8, -1, 0, hour, 1.0, counts, 5);
    put_be(plain + 4, (uint32_t)-40, 4); /* a negative length */
    assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    n = make_v0(plain, 8, hour, 0, counts, 5);
    assert_int_equal(decode_legacy(plain, n - 3, &h), EINVAL);

    /* What bhost's histograms cannot hold: ENOTSUP, so a log reader can say so. */
    n = make_v1(plain, 8, -1, 4, hour, 1.0, counts, 5);
    assert_int_equal(decode_legacy(plain, n, &h), ENOTSUP);
    n = make_v1(plain, 8, -1, 0, hour, 0.001, counts, 5);
    assert_int_equal(decode_legacy(plain, n, &h), ENOTSUP);
    size_t m = deflate_legacy(packed, sizeof packed, 0x1c849302u, plain, n);
    assert_int_equal(decode_legacy(packed, m, &h), ENOTSUP);

    /* Layouts HdrHistogram refuses. */
    const struct legacy_layout bad_layouts[] = {{0, 100, 3}, {100, 150, 3}, {1, 100, 0},
                                                {1, 100, 6}, {-5, 100, 2}};
    for (size_t i = 0; i < sizeof bad_layouts / sizeof bad_layouts[0]; i++) {
        n = make_v1(plain, 8, -1, 0, bad_layouts[i], 1.0, counts, 1);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
        n = make_v0(plain, 8, bad_layouts[i], 0, counts, 1);
        assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    }

    /* Counts whose sum passes INT64_MAX. */
    int64_t huge[2] = {INT64_MAX, 1};
    n = make_v0(plain, 8, hour, 0, huge, 2);
    assert_int_equal(decode_legacy(plain, n, &h), EINVAL);
    n = make_v0(plain, 8, hour, 0, huge, 1);
    assert_int_equal(decode_legacy(plain, n, &h), 0);
    assert_int_equal(h.total_count, INT64_MAX);
    hdr_fini(&h);

    /* Every prefix of a plain V1 and of a deflated V0 and V1; a stream with
     * bytes after its end; a wrapper of one version around the other. */
    n = make_v1(plain, 2, -1, 0, hour, 1.0, counts, 20);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(decode_legacy(plain, k, &h), EINVAL);
    m = deflate_legacy(packed, sizeof packed, 0x1c849302u, plain, n);
    for (size_t k = 0; k < m; k++)
        assert_int_equal(decode_legacy(packed, k, &h), EINVAL);
    assert_int_equal(decode_legacy(packed, m, &h), 0);
    hdr_fini(&h);
    packed[m] = 0;
    put_be(packed + 4, m - 8 + 1, 4);
    assert_int_equal(decode_legacy(packed, m + 1, &h), EINVAL);
    m = deflate_legacy(packed, sizeof packed, 0x1c849309u, plain, n);
    assert_int_equal(decode_legacy(packed, m, &h), EINVAL);
    n = make_v0(plain, 4, hour, 0, counts, 20);
    m = deflate_legacy(packed, sizeof packed, 0x1c849309u, plain, n);
    for (size_t k = 0; k < m; k++)
        assert_int_equal(decode_legacy(packed, k, &h), EINVAL);
    assert_int_equal(decode_legacy(packed, m, &h), 0);
    hdr_fini(&h);
    m = deflate_legacy(packed, sizeof packed, 0x1c849302u, plain, n);
    assert_int_equal(decode_legacy(packed, m, &h), EINVAL);

    /* Other cookies: V2 goes to the V2 decoder, anything else nowhere. */
    struct hdr v2;
    assert_int_equal(hdr_init_bhost(&v2), 0);
    hdr_record(&v2, 42);
    uint8_t *enc;
    size_t enc_len;
    assert_int_equal(hdr_encode_v2(&v2, &enc, &enc_len), 0);
    assert_int_equal(hdr_decode_v0v1(enc, enc_len, &h), -1);
    assert_int_equal(hdr_decode_any(enc, enc_len, &h), 0);
    assert_same_histogram(&h, &v2);
    hdr_fini(&h);
    enc[3] = 0x05;
    assert_int_equal(hdr_decode_any(enc, enc_len, &h), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(hdr_decode_any_base64("not base64!", &h), -1);
    assert_null(h.counts);
    free(enc);
    hdr_fini(&v2);
}

/* Java's getMaxValue(): bucket 0 has a top other than 0 when the lowest
 * discernible value is 2 or more. */
static void test_max_value(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init(&h, 1000, INT64_C(3600000000000), 3), 0);
    assert_int_equal(hdr_max_value(&h), 0);
    hdr_record(&h, 5);
    hdr_record(&h, 300);
    assert_int_equal(hdr_max_value(&h), 511); /* unit magnitude 9 */
    struct hdr_summary s;
    hdr_summarize(&h, &s);
    assert_int_equal(s.max, 511);
    hdr_record(&h, 5000000);
    assert_int_equal(hdr_max_value(&h), hdr_highest_equivalent(&h, 5000000));
    hdr_fini(&h);
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, 0);
    assert_int_equal(hdr_max_value(&h), 0);
    hdr_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_bhost),
        cmocka_unit_test(test_layout_other),
        cmocka_unit_test(test_init_rejects),
        cmocka_unit_test(test_index_boundaries),
        cmocka_unit_test(test_equivalent_ranges),
        cmocka_unit_test(test_uniform_1_to_10000),
        cmocka_unit_test(test_percentile_rank_rounding),
        cmocka_unit_test(test_bimodal),
        cmocka_unit_test(test_record_n),
        cmocka_unit_test(test_rank_reached_exactly),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_loose_index_bounds),
        cmocka_unit_test(test_saturation_and_negatives),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_summary_matches_naive),
        cmocka_unit_test(test_summary_large_counts),
        cmocka_unit_test(test_merge_same_layout),
        cmocka_unit_test(test_merge_different_layouts),
        cmocka_unit_test(test_merge_overflow),
        cmocka_unit_test(test_merge_equals_recording_all),
        cmocka_unit_test(test_merge_after_round_trip),
        cmocka_unit_test(test_summary_huge_counts_exact),
        cmocka_unit_test(test_summary_seven_percentiles),
        cmocka_unit_test(test_v2_known_vectors),
        cmocka_unit_test(test_v2_roundtrip),
        cmocka_unit_test(test_v2_rejects_negative_counts),
        cmocka_unit_test(test_v2_decode_truncated),
        cmocka_unit_test(test_v2_decode_cookies),
        cmocka_unit_test(test_v2_decode_corrupt_deflate),
        cmocka_unit_test(test_v2_decode_malformed),
        cmocka_unit_test(test_v2_decode_payload_cap),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_rejects),
        cmocka_unit_test(test_v2_base64),
        cmocka_unit_test(test_v0v1_decode_words),
        cmocka_unit_test(test_v0v1_real_intervals),
        cmocka_unit_test(test_v0v1_rejects),
        cmocka_unit_test(test_max_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
