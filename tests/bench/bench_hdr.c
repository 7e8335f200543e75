/*
 * bench_hdr.c — speed of the histogram core (host/hdr.c, host/hdr_v2.c),
 * each figure set against a reference timed in the same run:
 *
 *   record   against one clock_gettime(CLOCK_MONOTONIC) read;
 *   merge    against a generic merge, written here the way the reference
 *            HdrHistogram C library does it (walk every index, work out its
 *            value through the general layout maths, record_n it into the
 *            destination), and against memcpy of the counts (the floor);
 *   summary  against the generic way: mean, stddev and the percentiles in
 *            three walks over every index, value by value;
 *   encode,  against a generic V2 codec (a fresh zlib stream per call at the
 *   decode   default level, every index visited, counts totalled afresh).
 *
 * The histogram: values log-uniform over 1 ns .. 1 h from a fixed seed,
 * recorded until about 13,500 buckets are non-empty. Each figure is the best
 * (minimum) of several runs of many repetitions: the machines are small
 * noisy VMs, and the minimum is the least disturbed run. Prints figures
 * only; it asserts nothing about time.
 */
#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"

#include "hdr/base64.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define TARGET_BUCKETS 13500
#define RUNS 15

static uint64_t rng_state = 42;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Log-uniform over [1 ns, 1 h]. */
static int64_t log_uniform_value(void)
{
    double u = (double)(rng_next() >> 11) / 9007199254740992.0;
    return (int64_t)exp(u * log((double)HDR_BHOST_HIGHEST));
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the compiler from dropping work whose result is unused. */
static volatile int64_t sink;

/* Best over RUNS runs of the ns one call of fn takes, each run `reps` calls. */
static double best_ns(void (*fn)(void *), void *arg, int reps)
{
    double best = INFINITY;
    for (int run = 0; run < RUNS; run++) {
        int64_t t0 = now_ns();
        for (int i = 0; i < reps; i++)
            fn(arg);
        double per = (double)(now_ns() - t0) / reps;
        if (per < best)
            best = per;
    }
    return best;
}

/* ---- the generic reference ---------------------------------------------- */

/* A histogram as the reference C library holds one: layout fields, counts,
 * tracked min/max; every query goes through functions that are not inlined
 * into their callers, as calls into a library are not. */
struct gen {
    int64_t unit_magnitude, sub_bucket_half_count_magnitude, sub_bucket_half_count;
    int64_t sub_bucket_mask, sub_bucket_count, counts_len, highest;
    int64_t total, min_value, max_value;
    int64_t *counts;
};

static void gen_init(struct gen *g, const struct hdr *layout)
{
    g->unit_magnitude = layout->unit_magnitude;
    g->sub_bucket_half_count_magnitude = layout->sub_bucket_half_count_magnitude;
    g->sub_bucket_half_count = layout->sub_bucket_half_count;
    g->sub_bucket_mask = layout->sub_bucket_mask;
    g->sub_bucket_count = layout->sub_bucket_count;
    g->counts_len = layout->counts_len;
    g->highest = layout->highest_trackable;
    g->total = 0;
    g->min_value = INT64_MAX;
    g->max_value = 0;
    g->counts = calloc((size_t)g->counts_len, sizeof *g->counts);
}

static void gen_from(struct gen *g, const struct hdr *h)
{
    gen_init(g, h);
    memcpy(g->counts, h->counts, (size_t)h->counts_len * sizeof *h->counts);
    g->total = h->total_count;
    g->min_value = hdr_value_at_index(h, h->min_index);
    g->max_value = hdr_value_at_index(h, h->max_index);
}

__attribute__((noinline)) static int64_t gen_bucket_index(const struct gen *g, int64_t v)
{
    int64_t pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | g->sub_bucket_mask));
    return pow2ceiling - g->unit_magnitude - (g->sub_bucket_half_count_magnitude + 1);
}

__attribute__((noinline)) static int64_t gen_counts_index(const struct gen *g, int64_t v)
{
    int64_t bucket = gen_bucket_index(g, v);
    int64_t sub = v >> (bucket + g->unit_magnitude);
    int64_t bucket_base = (bucket + 1) << g->sub_bucket_half_count_magnitude;
    return bucket_base + (sub - g->sub_bucket_half_count);
}

__attribute__((noinline)) static int64_t gen_value_at_index(const struct gen *g, int64_t i)
{
    int64_t bucket = (i >> g->sub_bucket_half_count_magnitude) - 1;
    int64_t sub = (i & (g->sub_bucket_half_count - 1)) + g->sub_bucket_half_count;
    if (bucket < 0) {
        sub -= g->sub_bucket_half_count;
        bucket = 0;
    }
    return sub << (bucket + g->unit_magnitude);
}

__attribute__((noinline)) static int64_t gen_range(const struct gen *g, int64_t v)
{
    int64_t bucket = gen_bucket_index(g, v);
    int64_t sub = v >> (bucket + g->unit_magnitude);
    int64_t adjusted = sub >= g->sub_bucket_count ? bucket + 1 : bucket;
    return INT64_C(1) << (g->unit_magnitude + adjusted);
}

static int64_t gen_lowest(const struct gen *g, int64_t v)
{
    int64_t bucket = gen_bucket_index(g, v);
    int64_t sub = v >> (bucket + g->unit_magnitude);
    return sub << (bucket + g->unit_magnitude);
}

static int64_t gen_median(const struct gen *g, int64_t v)
{
    return gen_lowest(g, v) + (gen_range(g, v) >> 1);
}

static int64_t gen_highest(const struct gen *g, int64_t v)
{
    return gen_lowest(g, v) + gen_range(g, v) - 1;
}

__attribute__((noinline)) static int gen_record_n(struct gen *g, int64_t v, int64_t n)
{
    if (v < 0)
        return 0;
    int64_t i = gen_counts_index(g, v);
    if (i < 0 || i >= g->counts_len)
        return 0;
    g->counts[i] += n;
    g->total += n;
    if (v < g->min_value && v != 0)
        g->min_value = v;
    if (v > g->max_value)
        g->max_value = v;
    return 1;
}

/* The reference library's iterator: one step per index, every field of the
 * step worked out whether the caller needs it or not. */
struct gen_iter {
    const struct gen *g;
    int64_t index, count, cumulative, value, highest_equivalent;
};

__attribute__((noinline)) static int gen_iter_next(struct gen_iter *it)
{
    while (++it->index < it->g->counts_len) {
        it->count = it->g->counts[it->index];
        it->cumulative += it->count;
        it->value = gen_value_at_index(it->g, it->index);
        it->highest_equivalent = gen_highest(it->g, it->value);
        if (it->count)
            return 1;
    }
    return 0;
}

static struct gen_iter gen_iter_begin(const struct gen *g)
{
    return (struct gen_iter){.g = g, .index = -1};
}

static void gen_add(struct gen *dst, const struct gen *src)
{
    struct gen_iter it = gen_iter_begin(src);
    while (gen_iter_next(&it))
        gen_record_n(dst, it.value, it.count);
}

static void gen_summary(const struct gen *g, struct hdr_summary *s)
{
    static const double pct[7] = {50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99};
    int64_t *out[7] = {&s->p50, &s->p75, &s->p90, &s->p95, &s->p99, &s->p999, &s->p9999};
    double total = 0;
    struct gen_iter it = gen_iter_begin(g);
    while (gen_iter_next(&it))
        total += (double)it.count * (double)gen_median(g, it.value);
    s->mean = total / (double)g->total;
    double dev = 0;
    it = gen_iter_begin(g);
    while (gen_iter_next(&it)) {
        double d = (double)gen_median(g, it.value) - s->mean;
        dev += d * d * (double)it.count;
    }
    s->stddev = sqrt(dev / (double)g->total);
    int k = 0;
    it = gen_iter_begin(g);
    while (k < 7 && gen_iter_next(&it)) {
        while (k < 7 && (double)it.cumulative >= ceil(pct[k] / 100.0 * (double)g->total))
            *out[k++] = it.highest_equivalent;
    }
    s->count = g->total;
    s->min = gen_lowest(g, g->min_value);
    s->max = gen_highest(g, g->max_value);
}

/* ZigZag LEB128 one byte at a time, into a buffer grown as it fills. */
static size_t gen_put_varint(uint8_t *p, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    do {
        uint8_t b = z & 0x7f;
        z >>= 7;
        p[n++] = (uint8_t)(b | (z ? 0x80 : 0));
    } while (z && n < 9);
    return n;
}

static char *gen_encode(const struct gen *g)
{
    uint8_t *plain = malloc(40 + (size_t)g->counts_len * 9);
    size_t n = 40;
    memset(plain, 0, 40);
    int64_t zeros = 0;
    for (int64_t i = 0; i < g->counts_len; i++) {
        int64_t c = g->counts[i];
        if (c == 0) {
            zeros++;
            continue;
        }
        if (zeros)
            n += gen_put_varint(plain + n, zeros > 1 ? -zeros : 0);
        zeros = 0;
        n += gen_put_varint(plain + n, c);
    }
    uLongf packed_len = compressBound(n);
    uint8_t *packed = malloc(8 + packed_len);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit(&zs, Z_DEFAULT_COMPRESSION);
    zs.next_in = plain;
    zs.avail_in = (uInt)n;
    zs.next_out = packed + 8;
    zs.avail_out = (uInt)packed_len;
    deflate(&zs, Z_FINISH);
    packed_len = zs.total_out;
    deflateEnd(&zs);
    memset(packed, 0, 8);
    char *text = b64_encode(packed, 8 + packed_len);
    free(plain);
    free(packed);
    return text;
}

static void gen_decode(const char *text, const struct hdr *layout, struct gen *g)
{
    uint8_t *packed;
    size_t packed_len;
    b64_decode(text, &packed, &packed_len);
    uLongf plain_len = 40 + (uLongf)layout->counts_len * 9;
    uint8_t *plain = malloc(plain_len);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    inflateInit(&zs);
    zs.next_in = packed + 8;
    zs.avail_in = (uInt)(packed_len - 8);
    zs.next_out = plain;
    zs.avail_out = (uInt)plain_len;
    inflate(&zs, Z_FINISH);
    plain_len = zs.total_out;
    inflateEnd(&zs);
    gen_init(g, layout);
    int64_t index = 0;
    for (size_t p = 40; p < plain_len;) {
        uint64_t z = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            uint8_t b = plain[p++];
            z |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        int64_t v = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        if (v < 0)
            index -= v;
        else
            g->counts[index++] = v;
    }
    /* As the reference library does after decoding: totals from every count. */
    for (int64_t i = 0; i < g->counts_len; i++) {
        if (g->counts[i]) {
            g->total += g->counts[i];
            int64_t v = gen_value_at_index(g, i);
            g->min_value = v < g->min_value ? v : g->min_value;
            g->max_value = v > g->max_value ? v : g->max_value;
        }
    }
    free(plain);
    free(packed);
}

/* ---- the timed operations ------------------------------------------------- */

#define RECORD_VALUES 4096

struct ctx {
    struct hdr h, dst, scratch;
    struct gen gh, gdst;
    int64_t values[RECORD_VALUES];
    int64_t *copy;
    char *text;
};

static void op_clock(void *arg)
{
    (void)arg;
    struct timespec ts;
    int64_t acc = 0;
    for (int i = 0; i < RECORD_VALUES; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        acc += ts.tv_nsec;
    }
    sink = acc;
}

static void op_record(void *arg)
{
    struct ctx *c = arg;
    struct hdr_recorder r = hdr_recorder_begin(&c->scratch);
    for (int i = 0; i < RECORD_VALUES; i++)
        hdr_recorder_record(&r, c->values[i]);
    hdr_recorder_end(&r, &c->scratch);
}

static void op_record_n(void *arg)
{
    struct ctx *c = arg;
    for (int i = 0; i < RECORD_VALUES; i++)
        hdr_record(&c->scratch, c->values[i]);
}

static void op_merge(void *arg)
{
    struct ctx *c = arg;
    /* Far from INT64_MAX: 400 adds of a few million values. */
    (void)hdr_add(&c->dst, &c->h);
}

static void op_gen_merge(void *arg)
{
    struct ctx *c = arg;
    gen_add(&c->gdst, &c->gh);
}

static void op_memcpy(void *arg)
{
    struct ctx *c = arg;
    memcpy(c->copy, c->h.counts, (size_t)c->h.counts_len * sizeof *c->copy);
    sink = c->copy[c->h.counts_len / 2];
}

static void op_summary(void *arg)
{
    struct ctx *c = arg;
    struct hdr_summary s;
    hdr_summarize(&c->h, &s);
    sink = s.p9999;
}

static void op_gen_summary(void *arg)
{
    struct ctx *c = arg;
    struct hdr_summary s;
    gen_summary(&c->gh, &s);
    sink = s.p9999;
}

static void op_encode(void *arg)
{
    struct ctx *c = arg;
    char *text = hdr_encode_v2_base64(&c->h);
    sink = text[10];
    free(text);
}

static void op_gen_encode(void *arg)
{
    struct ctx *c = arg;
    char *text = gen_encode(&c->gh);
    sink = text[10];
    free(text);
}

static void op_decode(void *arg)
{
    struct ctx *c = arg;
    struct hdr back;
    if (hdr_decode_v2_base64(c->text, &back) == 0) {
        sink = back.total_count;
        hdr_fini(&back);
    }
}

static void op_gen_decode(void *arg)
{
    struct ctx *c = arg;
    struct gen back;
    gen_decode(c->text, &c->h, &back);
    sink = back.total;
    free(back.counts);
}

static void row(const char *figure, double value, const char *unit, double target,
                const char *reference, double ref_value)
{
    char fig[32], tgt[32], ref[32];
    snprintf(fig, sizeof fig, "%.3g %s", value, unit);
    snprintf(tgt, sizeof tgt, target > 0 ? "<= %.3g %s" : "-", target, unit);
    snprintf(ref, sizeof ref, "%.3g %s", ref_value, unit);
    printf("| %-19s | %-12s | %-12s | %-26s | %-12s | %6.3f | %s |\n", figure, fig, tgt,
           reference, ref, value / ref_value,
           target <= 0 ? "-" : value <= target ? "met" : "NOT met");
}

int main(void)
{
    static struct ctx c;
    if (hdr_init_bhost(&c.h) || hdr_init_bhost(&c.dst) || hdr_init_bhost(&c.scratch))
        return 3;
    int64_t recorded = 0, buckets = 0;
    while (buckets < TARGET_BUCKETS) {
        int64_t v = log_uniform_value();
        buckets += c.h.counts[hdr_counts_index(&c.h, v)] == 0;
        hdr_record(&c.h, v);
        recorded++;
    }
    for (int i = 0; i < RECORD_VALUES; i++)
        c.values[i] = log_uniform_value();
    if (hdr_add(&c.dst, &c.h) != 0)
        return 3;
    gen_from(&c.gh, &c.h);
    gen_from(&c.gdst, &c.h);
    c.copy = malloc((size_t)c.h.counts_len * sizeof *c.copy);
    c.text = hdr_encode_v2_base64(&c.h);
    char *gen_text = gen_encode(&c.gh);

    /* The generic summary must agree, or the comparison means nothing. */
    struct hdr_summary s, gs;
    hdr_summarize(&c.h, &s);
    gen_summary(&c.gh, &gs);
    if (s.p50 != gs.p50 || s.p9999 != gs.p9999 || s.count != gs.count || s.max != gs.max ||
        fabs(s.mean - gs.mean) > 1e-6 * s.mean) {
        fprintf(stderr, "bench_hdr: the generic summary disagrees with hdr_summarize\n");
        return 3;
    }

    printf("histogram: 1 ns .. 1 h, 3 digits; %lld values log-uniform (seed 42), "
           "%lld non-empty buckets of %d, indices %d..%d\n",
           (long long)recorded, (long long)buckets, c.h.counts_len, c.h.min_index,
           c.h.max_index);
    printf("encoded: %zu base64 characters (generic codec: %zu)\n", strlen(c.text),
           strlen(gen_text));
    free(gen_text);

    double clock_ns = best_ns(op_clock, &c, 50) / RECORD_VALUES;
    double record_ns = best_ns(op_record, &c, 500) / RECORD_VALUES;
    double record1_ns = best_ns(op_record_n, &c, 500) / RECORD_VALUES;
    double merge_ns = best_ns(op_merge, &c, 400);
    double gen_merge_ns = best_ns(op_gen_merge, &c, 40);
    double memcpy_ns = best_ns(op_memcpy, &c, 400);
    double summary_ns = best_ns(op_summary, &c, 400);
    double gen_summary_ns = best_ns(op_gen_summary, &c, 40);
    double encode_ns = best_ns(op_encode, &c, 40);
    double gen_encode_ns = best_ns(op_gen_encode, &c, 20);
    double decode_ns = best_ns(op_decode, &c, 40);
    double gen_decode_ns = best_ns(op_gen_decode, &c, 20);

    printf("\nbest of %d runs each\n\n", RUNS);
    printf("| %-19s | %-12s | %-12s | %-26s | %-12s | %6s | %s |\n", "figure", "bhost",
           "target", "reference", "reference", "ratio", "target");
    printf("|%s|%s|%s|%s|%s|%s|%s|\n", "---------------------", "--------------",
           "--------------", "----------------------------", "--------------", "--------",
           "--------");
    row("record (recorder)", record_ns, "ns", 3.0, "one clock_gettime read", clock_ns);
    row("record (hdr_record)", record1_ns, "ns", 3.0, "one clock_gettime read", clock_ns);
    row("merge", merge_ns / 1e3, "us", 15.0, "generic merge", gen_merge_ns / 1e3);
    row("merge", merge_ns / 1e3, "us", 15.0, "memcpy of the counts", memcpy_ns / 1e3);
    row("summary", summary_ns / 1e3, "us", 15.0, "generic summary", gen_summary_ns / 1e3);
    row("encode (base64)", encode_ns / 1e6, "ms", 0.7, "generic encode", gen_encode_ns / 1e6);
    row("decode (base64)", decode_ns / 1e6, "ms", 0.35, "generic decode", gen_decode_ns / 1e6);

    free(c.copy);
    free(c.text);
    free(c.gh.counts);
    free(c.gdst.counts);
    hdr_fini(&c.h);
    hdr_fini(&c.dst);
    hdr_fini(&c.scratch);
    return 0;
}
