/*
 * fuzz_hdr.c — libFuzzer target for the histogram decoders.
 *
 * The input goes to hdr_decode_v2() and hdr_decode_v0v1() as bytes and,
 * separately, to hdr_decode_any_base64() (V0, V1 or V2, what interval logs
 * hold) as text (a NUL-terminated copy). Whatever decodes
 * must have a summary that agrees with the slow queries (count, percentiles
 * by hdr_value_at_percentile, mean and deviation within [min, max]), and
 * must encode again (in both forms) and decode back to the same layout,
 * counts and summary; anything else aborts, which libFuzzer reports as a
 * crash. The corpus holds both compressed and plain encodings (V2, and V0
 * and V1 from jHiccup's logs and of every word size): the decoders take
 * either, and mutations of a plain one reach the payload reader that
 * deflate would hide.
 */
#include "hdr/hdr.h"
#include "hdr/hdr_v0v1.h"
#include "hdr/hdr_v2.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_hdr: %s\n", what);
    abort();
}

static void expect_same(const struct hdr *a, const struct hdr *b)
{
    if (a->lowest_discernible != b->lowest_discernible ||
        a->highest_trackable != b->highest_trackable || a->sig_figs != b->sig_figs ||
        a->counts_len != b->counts_len)
        fail("round trip changed the layout");
    if (a->total_count != b->total_count)
        fail("round trip changed total_count");
    for (int32_t i = 0; i < a->counts_len; i++)
        if (a->counts[i] != b->counts[i])
            fail("round trip changed a count");
    struct hdr_summary sa, sb;
    hdr_summarize(a, &sa);
    hdr_summarize(b, &sb);
    if (memcmp(&sa, &sb, sizeof sa) != 0)
        fail("round trip changed the summary");
}

static void check_summary(const struct hdr *h)
{
    struct hdr_summary s;
    hdr_summarize(h, &s);
    if (s.count != h->total_count)
        fail("summary count is not total_count");
    if (s.count == 0)
        return;
    if (s.p50 != hdr_value_at_percentile(h, 50.0) ||
        s.p90 != hdr_value_at_percentile(h, 90.0) ||
        s.p99 != hdr_value_at_percentile(h, 99.0) ||
        s.p999 != hdr_value_at_percentile(h, 99.9))
        fail("summary percentiles differ from hdr_value_at_percentile");
    if (!(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.p999 &&
          s.p999 <= s.max))
        fail("summary figures out of order");
    /* Means over median equivalents lie within [min, max]; allow rounding. */
    double slack = 1e-9 * ((double)s.max - (double)s.min) + 1.0;
    if (!isfinite(s.mean) || s.mean < (double)s.min - slack || s.mean > (double)s.max + slack)
        fail("summary mean outside [min, max]");
    if (!isfinite(s.stddev) || s.stddev < 0 || s.stddev > (double)s.max - (double)s.min + slack)
        fail("summary stddev negative or wider than max - min");
}

static void check_round_trip(const struct hdr *h)
{
    check_summary(h);

    uint8_t *buf;
    size_t len;
    struct hdr back;
    if (hdr_encode_v2(h, &buf, &len) != 0)
        fail("hdr_encode_v2 failed on a decoded histogram");
    if (hdr_decode_v2(buf, len, &back) != 0)
        fail("hdr_decode_v2 refused hdr_encode_v2's output");
    free(buf);
    expect_same(h, &back);
    hdr_fini(&back);

    char *text = hdr_encode_v2_base64(h);
    if (!text)
        fail("hdr_encode_v2_base64 failed on a decoded histogram");
    if (hdr_decode_v2_base64(text, &back) != 0)
        fail("hdr_decode_v2_base64 refused hdr_encode_v2_base64's output");
    free(text);
    expect_same(h, &back);
    hdr_fini(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hdr h;
    if (hdr_decode_v2(data, size, &h) == 0) {
        check_round_trip(&h);
        hdr_fini(&h);
    }
    if (hdr_decode_v0v1(data, size, &h) == 0) {
        check_round_trip(&h);
        hdr_fini(&h);
    }

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (hdr_decode_any_base64(text, &h) == 0) {
        check_round_trip(&h);
        hdr_fini(&h);
    }
    free(text);
    return 0;
}
