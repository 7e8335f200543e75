/*
 * test_compare.c — compare_docs() on synthetic results documents whose
 * per-repetition values are set by hand, so that every verdict and outcome
 * is known in advance: slower, same, faster, too few repetitions, too
 * noisy, figures from "hdr", environments that differ, more failures, and
 * the inputs it must refuse; and the printed table's width.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"

static const struct compare_options defaults = {.threshold = COMPARE_DEFAULT_THRESHOLD,
                                                .confidence = COMPARE_DEFAULT_CONFIDENCE};

/* Ten repetitions' p50s within +-0.5 % of 1000 ns. */
static const double steady[] = {1000, 1003, 997, 1001, 999, 1005, 995, 1002, 998, 1000};

static json_t *doc_new(int fresh)
{
    return json_pack("{s:s, s:{s:s}, s:{s:[{s:s, s:b}]}, s:{s:s, s:{s:s}, s:{s:s, s:i}, "
                     "s:{s:s}}, s:[]}",
                     "schema", "bhost.result/1", "bhost", "version", "0.1.0", "spec",
                     "experiments", "name", "spin", "fresh_process", fresh, "environment",
                     "hostname", "vm", "os", "kernel", "6.1", "cpu", "model", "AMD EPYC",
                     "logical_count", 2, "build", "build_type", "Release", "points");
}

/* A repetition with the figures as keys: p90 and p99 a fixed step above p50. */
static json_t *rep_keys(double p50, long long iterations)
{
    return json_pack("{s:f, s:f, s:f, s:I}", "p50", p50, "p90", p50 * 1.1, "p99", p50 * 1.2,
                     "iterations", (json_int_t)iterations);
}

/* A repetition with only an "hdr", as results encode it: `value` recorded 2000 times. */
static json_t *rep_hdr(int64_t value)
{
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, value, 2000);
    char *text = hdr_encode_v2_base64(&h);
    assert_non_null(text);
    json_t *rep = json_pack("{s:s, s:i}", "hdr", text, "iterations", 2000);
    free(text);
    hdr_fini(&h);
    return rep;
}

/* Adds point `id` with the p50s v[0..n) times `scale`, one repetition each. */
static json_t *add_point(json_t *doc, const char *id, const double *v, size_t n, double scale)
{
    json_t *reps = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(reps, rep_keys(v[k] * scale, 5000));
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:i, s:f}, s:{s:{s:s, s:o}}, "
                          "s:{s:{s:s, s:f}}}",
                          "id", id, "label", id, "experiment", "spin", "plugin", "spin",
                          "plugin_build_id", "de17d0618d345703", "status", "ok", "repetitions",
                          (json_int_t)n, "failures", "count", 0, "success_rate", 1.0,
                          "histograms", "iteration", "unit", "ns", "repetitions", reps,
                          "metrics", "rounds", "kind", "gauge", "value", 397.0);
    json_array_append_new(json_object_get(doc, "points"), p);
    return p;
}

static json_t *one_point_doc(const double *v, size_t n, double scale)
{
    json_t *d = doc_new(1);
    add_point(d, "aaaa000000000001", v, n, scale);
    return d;
}

/* Compares and checks every figure's verdict and the outcome. */
static void expect(json_t *a, json_t *b, enum verdict v, enum compare_outcome outcome)
{
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(r.nfigs, 3);
    for (size_t k = 0; k < r.nfigs; k++)
        if (r.figs[k].verdict != v)
            fail_msg("%s: %s (ratio %g, %g-%g), not %s: %s", r.figs[k].figure,
                     verdict_name(r.figs[k].verdict), r.figs[k].r.ratio, r.figs[k].r.lo,
                     r.figs[k].r.hi, verdict_name(v), r.figs[k].why);
    assert_int_equal(r.outcome, outcome);
    compare_result_free(&r);
}

static void test_slower(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1.10);
    expect(a, b, VERDICT_SLOWER, COMPARE_REGRESSION);
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_true(fabs(r.figs[0].r.ratio - 1.10) < 1e-9);
    assert_true(r.figs[0].a == 1000 && fabs(r.figs[0].b - 1100) < 1e-9);
    assert_int_equal(r.figs[0].na, 10);
    assert_string_equal(r.figs[0].figure, "p50");
    assert_int_equal(json_integer_value(json_object_get(r.summary, "slower")), 3);
    assert_true(fabs(json_real_value(json_object_get(json_object_get(r.summary, "geomean"),
                                                     "p99")) - 1.10) < 1e-9);
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_same_and_faster(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1);
    json_t *fast = one_point_doc(steady, 10, 0.8);
    expect(a, b, VERDICT_SAME, COMPARE_NO_REGRESSION);
    expect(a, fast, VERDICT_FASTER, COMPARE_NO_REGRESSION);
    json_decref(a);
    json_decref(b);
    json_decref(fast);
}

static int has_warning(const struct compare_result *r, const char *text)
{
    size_t i;
    json_t *w;
    json_array_foreach(r->warnings, i, w)
        if (strstr(json_string_value(w), text))
            return 1;
    return 0;
}

static void test_too_few_repetitions(void **state)
{
    (void)state;
    /* three and three: no 95 % interval exists, however clear the slowdown */
    json_t *a = one_point_doc(steady, 3, 1), *b = one_point_doc(steady, 3, 1.5);
    expect(a, b, VERDICT_INCONCLUSIVE, COMPARE_INCONCLUSIVE);
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_non_null(strstr(r.figs[0].why, "3 repetitions in A, 3 in B"));
    assert_true(isnan(r.figs[0].r.lo));
    assert_true(fabs(r.figs[0].r.ratio - 1.5) < 1e-9);
    assert_true(has_warning(&r, "fewer than 4 repetitions"));
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_wide_interval(void **state)
{
    (void)state;
    static const double noisy[] = {100, 150, 80, 120, 90, 130, 70, 110, 140, 60};
    json_t *a = one_point_doc(noisy, 10, 1), *b = one_point_doc(noisy, 10, 1.03);
    expect(a, b, VERDICT_INCONCLUSIVE, COMPARE_INCONCLUSIVE);
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_true(r.figs[0].r.lo < 1 && r.figs[0].r.hi > 1.02);
    assert_non_null(strstr(r.figs[0].why, "too noisy"));
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

/* Repetitions with an "hdr" and no keys: the figures come from the histogram. */
static void test_figures_from_hdr(void **state)
{
    (void)state;
    json_t *a = doc_new(1), *b = doc_new(1);
    json_t *pa = add_point(a, "aaaa000000000001", steady, 6, 1);
    json_t *pb = add_point(b, "aaaa000000000001", steady, 6, 1);
    json_t *ra = json_object_get(json_object_get(json_object_get(pa, "histograms"), "iteration"),
                                 "repetitions");
    json_t *rb = json_object_get(json_object_get(json_object_get(pb, "histograms"), "iteration"),
                                 "repetitions");
    for (size_t k = 0; k < 6; k++) {
        json_array_set_new(ra, k, rep_hdr(20000 + 10 * (int64_t)k));
        json_array_set_new(rb, k, rep_hdr(30000 + 10 * (int64_t)k));
    }
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, 20020);
    double want = (double)hdr_value_at_percentile(&h, 50);
    hdr_fini(&h);
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(r.nfigs, 3);
    assert_int_equal(r.figs[0].na, 6);
    /* the median of six: the mean of the third and fourth values' buckets */
    assert_true(r.figs[0].a > want - 16 && r.figs[0].a < want + 16);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(r.figs[k].verdict, VERDICT_SLOWER);
    assert_false(has_warning(&r, "unreliable")); /* 2000 iterations are enough for p99 */
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_environment(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1);
    json_t *env = json_object_get(b, "environment");
    json_object_set_new(env, "hostname", json_string("ci-runner"));
    json_object_set_new(json_object_get(env, "cpu"), "model", json_string("Intel Xeon"));
    json_object_set_new(json_array_get(json_object_get(b, "points"), 0), "plugin_build_id",
                        json_string("0a1b2c3d4e5f6071"));
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(json_array_size(r.environment), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r.environment, 0),
                                                          "field")), "hostname");
    assert_string_equal(json_string_value(json_object_get(json_array_get(r.environment, 1),
                                                          "b")), "Intel Xeon");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r.environment, 2),
                                                        "points")), 1);
    assert_true(has_warning(&r, "cpu.model is \"AMD EPYC\" in A, \"Intel Xeon\" in B"));
    assert_true(has_warning(&r, "plugin build differs at 1 point (spin: de17d061… vs 0a1b2c3d…)"));
    assert_int_equal(r.outcome, COMPARE_NO_REGRESSION); /* flagged, not refused */
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_more_failures(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1);
    json_t *pb = json_array_get(json_object_get(b, "points"), 0);
    json_object_set_new(json_object_get(pb, "failures"), "count", json_integer(3));
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(r.figs[0].verdict, VERDICT_SAME);
    json_t *p = json_array_get(r.points, 0);
    assert_true(json_is_true(json_object_get(p, "more_failures")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "failures"), "b")), 3);
    assert_true(json_is_object(json_object_get(json_object_get(p, "metrics"), "rounds")));
    assert_int_equal(r.outcome, COMPARE_REGRESSION);
    compare_result_free(&r);
    /* ok in A, failed in B */
    json_object_set_new(json_object_get(pb, "failures"), "count", json_integer(0));
    json_object_set_new(pb, "status", json_string("failed"));
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(r.outcome, COMPARE_REGRESSION);
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_warnings(void **state)
{
    (void)state;
    /* repetitions in one process, and 200 iterations each: p99 needs 1000 */
    json_t *a = doc_new(0), *b = doc_new(1);
    add_point(a, "aaaa000000000001", steady, 10, 1);
    add_point(b, "aaaa000000000001", steady, 10, 1);
    json_t *rep = json_array_get(json_object_get(json_object_get(json_object_get(
                      json_array_get(json_object_get(b, "points"), 0), "histograms"),
                      "iteration"), "repetitions"), 4);
    json_object_set_new(rep, "iterations", json_integer(200));
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_true(has_warning(&r, "A: the repetitions of spin shared one process"));
    assert_false(has_warning(&r, "B: the repetitions"));
    assert_true(has_warning(&r, "p99 is unreliable at 1 point: a repetition's p99 needs 1000 "
                                "iterations (10/(1-q)), and aaaa000000000001 had a repetition of 200"));
    assert_false(has_warning(&r, "p50 is unreliable"));
    compare_result_free(&r);
    /* A second point with shorter repetitions still: the warning names the shortest. */
    add_point(a, "aaaa000000000002", steady, 10, 1);
    json_t *p2 = add_point(b, "aaaa000000000002", steady, 10, 1);
    json_object_set_new(json_array_get(json_object_get(json_object_get(json_object_get(
                            p2, "histograms"), "iteration"), "repetitions"), 2),
                        "iterations", json_integer(100));
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_true(has_warning(&r, "p99 is unreliable at 2 points: a repetition's p99 needs 1000 "
                                "iterations (10/(1-q)), and aaaa000000000002 had a repetition "
                                "of 100"));
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

/* Tails of runs made at different times are flagged; the two sides of one `bhost ab`, or
 * a run compared with itself, are not. */
static void test_separate_tails(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1);
    json_object_set_new(a, "run", json_pack("{s:s}", "started_utc", "2026-12-07T08:00:00Z"));
    json_object_set_new(b, "run", json_pack("{s:s}", "started_utc", "2026-12-07T09:00:00Z"));
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_true(has_warning(&r, "p90, p99 compared across runs made at different times"));
    compare_result_free(&r);
    /* Only the median asked: nothing to flag. */
    struct compare_options median = defaults;
    median.percentiles[0] = 50;
    median.npercentiles = 1;
    assert_int_equal(compare_docs(a, b, &median, &r, err, sizeof err), 0);
    assert_false(has_warning(&r, "compared across runs"));
    compare_result_free(&r);
    /* The two sides of one A/B run. */
    json_object_set_new(json_object_get(a, "run"), "ab",
                        json_pack("{s:s, s:s}", "side", "a", "run", "/r/x-ab"));
    json_object_set_new(json_object_get(b, "run"), "ab",
                        json_pack("{s:s, s:s}", "side", "b", "run", "/r/x-ab"));
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_false(has_warning(&r, "compared across runs"));
    compare_result_free(&r);
    /* A run with itself. */
    assert_int_equal(compare_docs(a, a, &defaults, &r, err, sizeof err), 0);
    assert_false(has_warning(&r, "compared across runs"));
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

static void test_refused(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = doc_new(1);
    add_point(b, "bbbb000000000002", steady, 10, 1);
    struct compare_result r;
    char err[256];
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "no point in common"));
    struct compare_options o = defaults;
    o.npercentiles = 1;
    o.percentiles[0] = 0;
    assert_int_equal(compare_docs(a, a, &o, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "percentile 0 lies outside (0, 100]"));
    o.percentiles[0] = 99.5; /* keys only, no hdr: nobody can give p99_5 */
    assert_int_equal(compare_docs(a, a, &o, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "neither run can give p99_5"));
    o.npercentiles = 0;
    o.histogram = "response";
    assert_int_equal(compare_docs(a, a, &o, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "histogram 'response'"));
    json_decref(a);
    json_decref(b);
}

/* Unmatched points are listed; the table fits 100 columns with a long label cut short. */
static void test_table(void **state)
{
    (void)state;
    json_t *a = one_point_doc(steady, 10, 1), *b = one_point_doc(steady, 10, 1.1);
    add_point(a, "aaaa000000000009", steady, 10, 1);
    json_t *pb = json_array_get(json_object_get(b, "points"), 0);
    json_object_set_new(pb, "label", json_string("spin[ns=20000,mode=calibrated,payload=a-very-"
                                                 "long-parameter-value-indeed,threads=1]"));
    /* Metrics that differ, too many for one line: each gets a line of its own, whole. */
    json_t *pa = json_array_get(json_object_get(a, "points"), 0);
    const char *const names[] = {"rusage.involuntary_ctx_switches", "rusage.minor_faults",
                                 "rusage.voluntary_ctx_switches", "rusage.max_rss_kib"};
    for (int m = 0; m < 4; m++) {
        json_object_set_new(json_object_get(pa, "metrics"), names[m],
                            json_pack("{s:s, s:f}", "kind", "counter", "value", 1000.0));
        json_object_set_new(json_object_get(pb, "metrics"), names[m],
                            json_pack("{s:s, s:f}", "kind", "counter", "value", 2000.0 + m));
    }
    struct compare_result r;
    char err[256], *text = NULL;
    size_t len = 0;
    assert_int_equal(compare_docs(a, b, &defaults, &r, err, sizeof err), 0);
    assert_int_equal(json_array_size(json_object_get(r.unmatched, "only_a")), 1);
    FILE *f = open_memstream(&text, &len);
    compare_print_table(f, &r, &defaults);
    fclose(f);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        size_t cols = 0;
        for (char *c = line; *c; c++)
            cols += ((unsigned char)*c & 0xC0) != 0x80;
        if (cols > 100)
            fail_msg("a line of %zu columns: %s", cols, line);
    }
    free(text);
    text = NULL;
    f = open_memstream(&text, &len);
    compare_print_table(f, &r, &defaults);
    fclose(f);
    assert_non_null(strstr(text, "\n    rusage.max_rss_kib 1000 → 2003 (×2)\n"));
    free(text);
    text = NULL;
    f = open_memstream(&text, &len);
    compare_print_markdown(f, &r, &defaults);
    fclose(f);
    assert_non_null(strstr(text, "| point | figure | A | B | ratio | 95% interval | verdict |"));
    assert_non_null(strstr(text, "🔴 slower"));
    free(text);
    json_t *j = compare_to_json(&r, &defaults);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "regression");
    json_t *fig = json_array_get(json_object_get(j, "figures"), 0);
    assert_string_equal(json_string_value(json_object_get(fig, "verdict")), "slower");
    assert_int_equal(json_integer_value(json_object_get(fig, "na")), 10);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "options"),
                                                     "percentiles")), 3);
    json_decref(j);
    compare_result_free(&r);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slower),
        cmocka_unit_test(test_same_and_faster),
        cmocka_unit_test(test_too_few_repetitions),
        cmocka_unit_test(test_wide_interval),
        cmocka_unit_test(test_figures_from_hdr),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_more_failures),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_separate_tails),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
