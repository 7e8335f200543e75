/*
 * hdr.h — HDR latency histograms with HdrHistogram's bucket layout.
 *
 * Values are int64 (nanoseconds in bhost). A histogram covers
 * [lowest_discernible, highest_trackable] with `sig_figs` significant decimal
 * digits; bhost uses 1 ns .. 1 h at 3 digits (HDR_BHOST_*). Counts are int64.
 * The layout (unit magnitude, sub-bucket count, bucket count, counts index)
 * is the one every HdrHistogram implementation uses, so encoded histograms
 * interoperate with them.
 *
 * Summaries derive from the counts alone (not from raw min/max tracking), so
 * a histogram and its encode/decode round trip or any merge that produced
 * the same counts report identical figures.
 */
#ifndef BHOST_HDR_H
#define BHOST_HDR_H

#include <stddef.h>
#include <stdint.h>

#define HDR_BHOST_LOWEST 1
#define HDR_BHOST_HIGHEST INT64_C(3600000000000) /* 1 h in ns */
#define HDR_BHOST_SIG_FIGS 3

struct hdr {
    int64_t lowest_discernible;
    int64_t highest_trackable;
    int32_t sig_figs;
    int32_t unit_magnitude;
    int32_t sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count;
    int32_t sub_bucket_half_count;
    int32_t bucket_count;
    int64_t sub_bucket_mask;
    int32_t counts_len;
    int32_t min_index;      /* lowest non-zero counts index, counts_len if empty */
    int32_t max_index;      /* highest non-zero counts index, -1 if empty */
    int64_t total_count;
    int64_t *counts;
};

/* 0, or -1 with errno EINVAL (bad range/digits) or ENOMEM. */
int hdr_init(struct hdr *h, int64_t lowest_discernible, int64_t highest_trackable,
             int sig_figs);
/* hdr_init with 1 ns .. 1 h, 3 digits. */
int hdr_init_bhost(struct hdr *h);
void hdr_fini(struct hdr *h);
void hdr_reset(struct hdr *h);

/*
 * The counts index of `value` (>= 0) for a layout. With m the value's top bit
 * (at least unit + half magnitude, thanks to the mask), its bucket is
 * b = m - unit - half magnitude, and bucket b's sub-buckets start at index
 * b * half count: ((b + 1) << half magnitude) - half count, as HdrHistogram
 * writes it. One variable shift, as a multiply is cheaper than a second.
 */
static inline int32_t hdr_index_for(int64_t value, int64_t sub_bucket_mask,
                                    int32_t unit_magnitude,
                                    int32_t sub_bucket_half_count_magnitude,
                                    int32_t sub_bucket_half_count)
{
    int32_t top = 63 - __builtin_clzll((uint64_t)(value | sub_bucket_mask));
    int32_t bucket = top - unit_magnitude - sub_bucket_half_count_magnitude;
    return bucket * sub_bucket_half_count + (int32_t)(value >> (bucket + unit_magnitude));
}

/* Index of the bucket holding `value` (value must be >= 0). */
static inline int32_t hdr_counts_index(const struct hdr *h, int64_t value)
{
    return hdr_index_for(value, h->sub_bucket_mask, h->unit_magnitude,
                         h->sub_bucket_half_count_magnitude, h->sub_bucket_half_count);
}

/*
 * Records `count` occurrences of `value`. Negative values record as 0;
 * values above highest_trackable record as highest_trackable (bhost's range
 * is an hour, so saturation means the measurement itself is broken).
 */
static inline void hdr_record_n(struct hdr *h, int64_t value, int64_t count)
{
    if (value < 0)
        value = 0;
    if (value > h->highest_trackable)
        value = h->highest_trackable;
    int32_t i = hdr_counts_index(h, value);
    h->counts[i] += count;
    h->total_count += count;
    if (i < h->min_index)
        h->min_index = i;
    if (i > h->max_index)
        h->max_index = i;
}

static inline void hdr_record(struct hdr *h, int64_t value)
{
    hdr_record_n(h, value, 1);
}

/*
 * A histogram's layout and running totals copied into locals, for a loop
 * that records many values: the compiler can keep them in registers, which
 * it cannot do through `struct hdr *` because each counts store might alias
 * the struct. Between begin and end, record only through the recorder.
 */
struct hdr_recorder {
    int64_t *counts;
    int64_t sub_bucket_mask, highest_trackable, total_count;
    int32_t unit_magnitude, sub_bucket_half_count_magnitude, sub_bucket_half_count;
    int32_t min_index, max_index;
};

static inline struct hdr_recorder hdr_recorder_begin(const struct hdr *h)
{
    return (struct hdr_recorder){
        .counts = h->counts, .sub_bucket_mask = h->sub_bucket_mask,
        .highest_trackable = h->highest_trackable, .total_count = h->total_count,
        .unit_magnitude = h->unit_magnitude,
        .sub_bucket_half_count_magnitude = h->sub_bucket_half_count_magnitude,
        .sub_bucket_half_count = h->sub_bucket_half_count, .min_index = h->min_index,
        .max_index = h->max_index};
}

/* hdr_record(), on the recorder's copy. */
static inline void hdr_recorder_record(struct hdr_recorder *r, int64_t value)
{
    if (value < 0)
        value = 0;
    if (value > r->highest_trackable)
        value = r->highest_trackable;
    int32_t i = hdr_index_for(value, r->sub_bucket_mask, r->unit_magnitude,
                              r->sub_bucket_half_count_magnitude, r->sub_bucket_half_count);
    r->counts[i]++;
    r->total_count++;
    if (i < r->min_index)
        r->min_index = i;
    if (i > r->max_index)
        r->max_index = i;
}

static inline void hdr_recorder_end(const struct hdr_recorder *r, struct hdr *h)
{
    h->total_count = r->total_count;
    h->min_index = r->min_index;
    h->max_index = r->max_index;
}

/* The value a counts index stands for, and its equivalence range. */
int64_t hdr_value_at_index(const struct hdr *h, int32_t index);
int64_t hdr_lowest_equivalent(const struct hdr *h, int64_t value);
int64_t hdr_highest_equivalent(const struct hdr *h, int64_t value);
int64_t hdr_median_equivalent(const struct hdr *h, int64_t value);
/* Size of the range of values that record into the same bucket as `value`. */
int64_t hdr_equivalent_range(const struct hdr *h, int64_t value);

/*
 * Adds every count of `src` to `dst`. Values of `src` beyond dst's range
 * saturate as in hdr_record_n. Lossless when the layouts are equal (same
 * lowest discernible unit and digits, src's range within dst's): then it is
 * one vector loop over src's [min_index, max_index], and the result equals
 * recording every value of both into one histogram. dst may be src.
 * 0, or -1 with dst unchanged when the sum's total count would exceed
 * INT64_MAX (counts are never negative, so no bucket can overflow then).
 */
int hdr_add(struct hdr *dst, const struct hdr *src);

/*
 * The value at percentile p (0..100), HdrHistogram Java's rule:
 * rank = max(1, ceil(p/100 * total_count)); the answer is the highest
 * equivalent value of the bucket where the running count reaches rank.
 * 0 for an empty histogram.
 */
int64_t hdr_value_at_percentile(const struct hdr *h, double p);

/*
 * HdrHistogram Java's getMaxValue() of a decoded histogram: the highest
 * equivalent value of the highest non-empty bucket, bucket 0 included (whose
 * top is 2^unit_magnitude - 1, not 0, when the lowest discernible value is 2
 * or more); 0 for an empty histogram. The same as hdr_summarize's max.
 */
int64_t hdr_max_value(const struct hdr *h);

struct hdr_summary {
    int64_t count;
    int64_t min;       /* lowest equivalent of the lowest non-empty bucket */
    int64_t max;       /* highest equivalent of the highest non-empty bucket */
    double mean;       /* over median equivalents, as HdrHistogram does */
    double stddev;     /* population standard deviation, same convention */
    /* hdr_value_at_percentile at 50, 75, 90, 95, 99, 99.9 and 99.99 */
    int64_t p50, p75, p90, p95, p99, p999, p9999;
};

/*
 * Everything above in one pass over the non-empty range of counts. The mean
 * is the exact sum over the count, rounded once; stddev is exact per block
 * of counts and combined with Chan et al.'s update, so a single huge count
 * gives mean = its value and stddev = 0.
 */
void hdr_summarize(const struct hdr *h, struct hdr_summary *s);

#endif /* BHOST_HDR_H */
