/*
 * test_gate.c — gates judged on synthetic results: documents built here
 * (pooled histogram summaries, failures, artifacts, metrics) and
 * comparisons built by hand, for every state of checks, max_regression and
 * claims, the points a gate reaches, run-level figures, failed and skipped
 * points, the worst state and what gate_print() shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gate/gate.h"
#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"
#include "../spec/spec_fixture.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>

#define ID_A "00000000000000aa"
#define ID_B "00000000000000bb"
#define ID_C "00000000000000cc"

/* An iteration histogram's pooled summary: p50 and p99 in ns. */
static json_t *histogram(json_int_t count, double p50, double p99)
{
    return json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "unit", "ns",
                     "count", count, "min", p50 * 0.9, "mean", p50 * 1.1, "p50", p50, "p90",
                     p99 * 0.8, "p99", p99, "p99_9", p99 * 1.5, "max", p99 * 2,
                     "throughput_per_s", 1e6, "stddev", 1.0);
}

/* A point of experiment `exp`: its histograms (stolen), failed of measured iterations. */
static json_t *point(const char *id, const char *label, const char *exp, const char *status,
                     const char *error, json_t *histograms, json_int_t failed,
                     json_int_t measured)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:f, s:{s:i, s:I}, s:{s:I, s:o, s:[]}, s:o, "
                     "s:{}, s:[]}", "id", id, "label", label, "experiment", exp, "status",
                     status, "error", error ? json_string(error) : json_null(), "wall_s", 0.5,
                     "iterations", "warmup", 1, "measured", measured, "failures", "count",
                     failed, "success_rate",
                     measured ? json_real(1 - (double)failed / (double)measured) : json_null(),
                     "reasons", "histograms", histograms, "metrics", "artifacts");
}

static json_t *doc_of(json_t *points)
{
    return json_pack("{s:{s:f, s:i}, s:o, s:[]}", "run", "wall_s", 612.0, "points_failed", 1,
                     "points", points, "instruments");
}

/* Three points of `spin` (ns=1000 slow, ns=2000 fast, ns=3000 failed) and one of `other`. */
static json_t *three_spins_and_other(void)
{
    json_t *pts = json_array();
    json_array_append_new(pts, point(ID_A, "spin[ns=1000]", "spin", "ok", NULL,
                                     json_pack("{s:o}", "iteration",
                                               histogram(1000, 1.2e6, 2.41e6)), 3, 1000));
    json_array_append_new(pts, point(ID_B, "spin[ns=2000]", "spin", "ok", NULL,
                                     json_pack("{s:o}", "iteration",
                                               histogram(1000, 0.9e6, 1.5e6)), 0, 1000));
    json_array_append_new(pts, point(ID_C, "spin[ns=3000]", "spin", "failed",
                                     "setup failed: boom", json_object(), 0, 0));
    json_array_append_new(pts, point("00000000000000dd", "other", "other", "ok", NULL,
                                     json_pack("{s:o}", "iteration",
                                               histogram(10, 100, 200)), 0, 10));
    return doc_of(pts);
}

static const char *const two_experiments =
    "experiments:\n"
    "  - {name: spin, experiment: noop}\n"
    "  - {name: other, experiment: noop}\n";

/* Loads `spec` (t.yaml) and judges its gates on doc; the spec is gone after. */
static json_t *judge(const char *spec, const json_t *doc, const json_t *baseline,
                     const struct compare_result *vs, double threshold, enum gate_state *worst)
{
    struct spec s;
    if (load_spec(spec, &s, NULL, 0) != 0)
        fail_msg("%s", err);
    struct gate_input in = {.spec = &s, .doc = doc, .baseline = baseline, .vs = vs,
                            .baseline_name = baseline || vs ? "base.json" : NULL,
                            .threshold = threshold};
    json_t *out = gate_judge(&in, worst);
    spec_free(&s);
    return out;
}

/* The outcome of `gate` at `label` (NULL: the run's); the test fails without one. */
static const json_t *find(const json_t *all, const char *gate, const char *label)
{
    size_t i;
    const json_t *o;
    json_array_foreach(all, i, o) {
        const char *l = json_string_value(json_object_get(o, "label"));
        if (strcmp(json_string_value(json_object_get(o, "gate")), gate) == 0 &&
            (label ? l && strcmp(l, label) == 0 : !l))
            return o;
    }
    fail_msg("no outcome of '%s' at %s", gate, label ? label : "the run");
    return NULL;
}

static void expect(const json_t *all, const char *gate, const char *label, const char *state,
                   const char *why)
{
    const json_t *o = find(all, gate, label);
    const char *s = json_string_value(json_object_get(o, "state"));
    const char *w = json_string_value(json_object_get(o, "why"));
    if (strcmp(s, state) != 0 || (why && strcmp(w, why) != 0))
        fail_msg("'%s' at %s:\n got: %s: %s\nwant: %s: %s", gate, label ? label : "the run", s,
                 w, state, why ? why : "(any)");
}

static double value_of(const json_t *all, const char *gate, const char *label)
{
    const json_t *v = json_object_get(find(all, gate, label), "value");
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void checks_are_met_or_missed_at_each_point(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    json_t *first = json_array_get(json_object_get(doc, "points"), 0);
    json_object_set_new(first, "metrics",
                        json_pack("{s:{s:s, s:f}, s:{s:s, s:n, s:s}}", "rounds", "kind",
                                  "gauge", "value", 397.0, "perf.cycles", "kind", "unavailable",
                                  "value", "reason", "perf_event_open: ENOENT"));
    json_object_set_new(first, "artifacts",
                        json_pack("[{s:I}, {s:I}, {s:n}]", "size", (json_int_t)600, "size",
                                  (json_int_t)500, "size"));
    /* A percentile the summary lacks comes from the histogram's hdr. */
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int64_t v = 1; v <= 1000; v++)
        hdr_record(&h, v);
    char *b64 = hdr_encode_v2_base64(&h);
    hdr_fini(&h);
    json_object_set_new(json_object_get(json_object_get(first, "histograms"), "iteration"), "hdr",
                        json_string(b64));
    free(b64);
    enum gate_state worst;
    json_t *all = judge("experiments:\n"
                        "  - name: spin\n"
                        "    experiment: noop\n"
                        "    gates:\n"
                        "      - p99 < 2ms\n"
                        "      - failures == 0\n"
                        "      - success_rate >= 99.9%\n"
                        "      - wall_s < 1s\n"
                        "      - artifact_bytes < 1KB\n"
                        "      - metric:rounds < 500\n"
                        "      - metric:perf.cycles < 5\n"
                        "      - p97_5 <= 975ns\n"
                        "      - response.p99 < 1ms\n"
                        "      - mean > 1ms\n"
                        "      - throughput >= 1e6\n"
                        "  - {name: other, experiment: noop}\n",
                        doc, NULL, NULL, 0, &worst);
    assert_int_equal(worst, GATE_MISSED);
    const json_t *o = find(all, "p99 < 2ms", "spin[ns=1000]");
    assert_string_equal(json_string_value(json_object_get(o, "where")), "t.yaml:5:9");
    assert_string_equal(json_string_value(json_object_get(o, "point")), ID_A);
    assert_true(value_of(all, "p99 < 2ms", "spin[ns=1000]") == 2.41e6);
    expect(all, "p99 < 2ms", "spin[ns=1000]", "missed", "p99 = 2.41 ms, limit < 2 ms");
    expect(all, "p99 < 2ms", "spin[ns=2000]", "met", "p99 = 1.5 ms, limit < 2 ms");
    expect(all, "failures == 0", "spin[ns=1000]", "missed", "failures = 3, limit == 0");
    expect(all, "failures == 0", "spin[ns=2000]", "met", NULL);
    expect(all, "success_rate >= 99.9%", "spin[ns=1000]", "missed",
           "success_rate = 0.997, limit >= 0.999");
    expect(all, "wall_s < 1s", "spin[ns=1000]", "met", "wall_s = 0.5 s, limit < 1 s");
    expect(all, "artifact_bytes < 1KB", "spin[ns=1000]", "missed",
           "artifact_bytes = 1.1 KB, limit < 1 KB");
    expect(all, "artifact_bytes < 1KB", "spin[ns=2000]", "met", "artifact_bytes = 0 B, limit < "
           "1 KB");
    expect(all, "metric:rounds < 500", "spin[ns=1000]", "met", "metric:rounds = 397, limit < 500");
    expect(all, "metric:rounds < 500", "spin[ns=2000]", "not judged",
           "the point has no metric 'rounds'");
    expect(all, "metric:perf.cycles < 5", "spin[ns=1000]", "not judged",
           "metric 'perf.cycles' is unavailable here: perf_event_open: ENOENT");
    expect(all, "p97_5 <= 975ns", "spin[ns=1000]", "met", "p97_5 = 975 ns, limit <= 975 ns");
    expect(all, "p97_5 <= 975ns", "spin[ns=2000]", "not judged",
           "the iteration histogram has no p97_5, nor an hdr to compute it from");
    expect(all, "response.p99 < 1ms", "spin[ns=2000]", "not judged",
           "the point has no response histogram");
    expect(all, "mean > 1ms", "spin[ns=1000]", "met", "mean = 1.32 ms, limit > 1 ms");
    expect(all, "throughput >= 1e6", "spin[ns=2000]", "met",
           "throughput = 1000000/s, limit >= 1000000/s");
    /* Experiment gates reach only the experiment's points. */
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x)
        assert_string_not_equal(json_string_value(json_object_get(x, "label")), "other");
    json_decref(all);
    json_decref(doc);
}

static void failed_and_skipped_points(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    json_array_append_new(json_object_get(doc, "points"),
                          point("00000000000000ee", "spin[ns=4000]", "spin", "skipped",
                                "time budget used up", json_object(), 0, 0));
    /* A failed point with all its measured iterations failed: an empty histogram. */
    json_array_append_new(json_object_get(doc, "points"),
                          point("00000000000000ff", "spin[ns=5000]", "spin", "failed",
                                "exited with status 1",
                                json_pack("{s:o}", "iteration", histogram(0, 0, 0)), 10, 10));
    enum gate_state worst;
    json_t *all = judge("experiments:\n"
                        "  - name: spin\n"
                        "    experiment: noop\n"
                        "    gates: [p99 < 2ms, success_rate >= 0.5, failures == 0]\n",
                        doc, NULL, NULL, 0, &worst);
    expect(all, "p99 < 2ms", "spin[ns=3000]", "missed",
           "the point failed: no iteration histogram (setup failed: boom)");
    expect(all, "p99 < 2ms", "spin[ns=4000]", "not judged",
           "the point was skipped (time budget used up)");
    expect(all, "p99 < 2ms", "spin[ns=5000]", "missed",
           "the iteration histogram is empty: no measured iteration succeeded");
    expect(all, "success_rate >= 0.5", "spin[ns=3000]", "missed",
           "the point failed before it measured anything (setup failed: boom)");
    expect(all, "success_rate >= 0.5", "spin[ns=5000]", "missed",
           "success_rate = 0, limit >= 0.5");
    /* A point that failed whole is a failure, whatever its failed-iteration count says. */
    expect(all, "failures == 0", "spin[ns=3000]", "missed", "the point failed (setup failed: boom)");
    expect(all, "failures == 0", "spin[ns=4000]", "not judged", NULL);
    json_decref(all);
    json_decref(doc);
}

static void run_level_figures_are_judged_once(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    json_object_set_new(json_array_get(json_object_get(doc, "points"), 1), "artifacts",
                        json_pack("[{s:I}]", "size", (json_int_t)2000000));
    json_array_append_new(json_object_get(doc, "instruments"),
                          json_pack("{s:[{s:I}]}", "artifacts", "size", (json_int_t)500000));
    enum gate_state worst;
    json_t *all = judge("gates:\n"
                        "  - run.wall_s < 10min\n"
                        "  - run.failed_points <= 1\n"
                        "  - run.artifact_bytes < 2.5MB\n"
                        "experiments:\n"
                        "  - name: spin\n"
                        "    experiment: noop\n"
                        "    gates: [run.wall_s < 11min]\n"
                        "  - {name: other, experiment: noop}\n",
                        doc, NULL, NULL, 0, &worst);
    assert_int_equal(json_array_size(all), 4);
    expect(all, "run.wall_s < 10min", NULL, "missed", "run.wall_s = 612 s, limit < 600 s");
    expect(all, "run.failed_points <= 1", NULL, "met", "run.failed_points = 1, limit <= 1");
    expect(all, "run.artifact_bytes < 2.5MB", NULL, "missed",
           "run.artifact_bytes = 2.5 MB, limit < 2.5 MB");
    expect(all, "run.wall_s < 11min", NULL, "met", NULL);
    assert_true(json_is_null(json_object_get(json_array_get(all, 0), "point")));
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    json_decref(doc);
}

static void points_narrow_a_gate(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    enum gate_state worst;
    json_t *all = judge("gates:\n"
                        "  - {check: p99 < 2ms, points: 'spin[ns=2*'}\n"
                        "  - {check: p99 < 1ms, points: " ID_A "}\n"
                        "  - p99 < 1s\n"
                        "  - {check: p99 < 3ms, points: 'spin[ns=1000]'}\n"
                        "experiments:\n"
                        "  - name: spin\n"
                        "    experiment: noop\n"
                        "    gates: [{check: p50 < 1ms, points: 'other*'}]\n"
                        "  - {name: other, experiment: noop}\n",
                        doc, NULL, NULL, 0, &worst);
    /* A glob on the label; an exact id; every point of every experiment. */
    expect(all, "p99 < 2ms", "spin[ns=2000]", "met", NULL);
    expect(all, "p99 < 1ms", "spin[ns=1000]", "missed", NULL);
    expect(all, "p99 < 1s", "other", "met", NULL);
    /* An exact label, as --filter takes it (its '[' is no glob set here). */
    expect(all, "p99 < 3ms", "spin[ns=1000]", "met", NULL);
    size_t n2 = 0, n1 = 0, nall = 0, n3 = 0, i;
    json_t *o;
    json_array_foreach(all, i, o) {
        const char *g = json_string_value(json_object_get(o, "gate"));
        n2 += strcmp(g, "p99 < 2ms") == 0;
        n1 += strcmp(g, "p99 < 1ms") == 0;
        nall += strcmp(g, "p99 < 1s") == 0;
        n3 += strcmp(g, "p99 < 3ms") == 0;
    }
    assert_int_equal(n2, 1);
    assert_int_equal(n1, 1);
    assert_int_equal(nall, 4);
    assert_int_equal(n3, 1);
    /* An experiment's gate whose glob matches none of its points: one note, not silence. */
    expect(all, "p50 < 1ms", NULL, "not judged",
           "no point of this experiment matches 'points: other*'");
    /* In the spec file's order. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "gate")),
                        "p99 < 2ms");
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 7), "gate")),
                        "p50 < 1ms");
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    json_decref(doc);
}

static void new_failure_reasons_need_the_baseline(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other(), *base = three_spins_and_other();
    json_t *now = json_object_get(json_array_get(json_object_get(doc, "points"), 0), "failures");
    json_object_set_new(now, "reasons", json_pack("[{s:s, s:i}, {s:s, s:i}]", "reason",
                                                  "timeout", "count", 2, "reason", "bad reply",
                                                  "count", 1));
    json_t *then = json_object_get(json_array_get(json_object_get(base, "points"), 0),
                                   "failures");
    json_object_set_new(then, "reasons", json_pack("[{s:s, s:i}]", "reason", "timeout", "count",
                                                   7));
    /* A point the baseline lacks. */
    json_array_remove(json_object_get(base, "points"), 1);
    const char *spec = "gates: [new_failure_reasons == 0]\nexperiments:\n"
                       "  - {name: spin, experiment: noop}\n  - {name: other, experiment: noop}\n";
    enum gate_state worst;
    json_t *all = judge(spec, doc, NULL, NULL, 0, &worst);
    expect(all, "new_failure_reasons == 0", "spin[ns=1000]", "not judged",
           "no baseline (--baseline FILE or history)");
    assert_int_equal(worst, GATE_MET);
    json_decref(all);
    all = judge(spec, doc, base, NULL, 0, &worst);
    expect(all, "new_failure_reasons == 0", "spin[ns=1000]", "missed",
           "new_failure_reasons = 1 ('bad reply'), limit == 0");
    expect(all, "new_failure_reasons == 0", "spin[ns=2000]", "not judged",
           "base.json has no point with this id");
    expect(all, "new_failure_reasons == 0", "other", "met",
           "new_failure_reasons = 0, limit == 0");
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    json_decref(doc);
    json_decref(base);
}

/* A comparison figure of the iteration histogram. */
static struct compare_figure fig(const char *id, const char *label, const char *figure,
                                 double ratio, double lo, double hi)
{
    struct compare_figure f = {.point_id = id, .label = label, .histogram = "iteration",
                               .a = 100, .b = 100 * ratio, .na = 10, .nb = 10,
                               .r = {.ratio = ratio, .lo = lo, .hi = hi},
                               .verdict = compare_judge(ratio, lo, hi, COMPARE_DEFAULT_THRESHOLD)};
    snprintf(f.figure, sizeof f.figure, "%s", figure);
    return f;
}

static void max_regression_reads_the_comparison(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    struct compare_figure figs[] = {
        fig(ID_A, "spin[ns=1000]", "p50", 1.10, 1.08, 1.12),
        fig(ID_B, "spin[ns=2000]", "p50", 1.01, 0.99, 1.03),
        fig("00000000000000dd", "other", "p50", 1.03, 0.98, 1.09),
        fig(ID_A, "spin[ns=1000]", "p99", 1.08, 1.01, 1.09),
        fig(ID_B, "spin[ns=2000]", "p99", NAN, NAN, NAN),
    };
    struct compare_result vs = {.figs = figs, .nfigs = ARRAY_LEN(figs)};
    const char *spec = "gates:\n"
                       "  - max_regression: 5%\n"
                       "  - max_regression: {p99: 10%}\n"
                       "experiments:\n"
                       "  - {name: spin, experiment: noop}\n"
                       "  - {name: other, experiment: noop}\n";
    enum gate_state worst;
    json_t *all = judge(spec, doc, NULL, NULL, 0, &worst);
    expect(all, "max_regression: 5%", "spin[ns=1000]", "not judged",
           "no baseline (--baseline FILE or history)");
    assert_int_equal(worst, GATE_MET);
    json_decref(all);
    all = judge(spec, doc, NULL, &vs, 0, &worst);
    expect(all, "max_regression: 5%", "spin[ns=1000]", "missed",
           "p50 is 10.0% slower: p50 ratio 1.100 (interval 1.080..1.120) against base.json, "
           "limit +5%");
    assert_true(value_of(all, "max_regression: 5%", "spin[ns=1000]") == 1.10);
    expect(all, "max_regression: 5%", "spin[ns=2000]", "met",
           "p50 ratio 1.010 (interval 0.990..1.030) against base.json, within +5%");
    expect(all, "max_regression: 5%", "other", "inconclusive",
           "p50 ratio 1.030 (interval 0.980..1.090) against base.json reaches past the limit "
           "1.050 without showing a regression (more repetitions would tell)");
    expect(all, "max_regression: 5%", "spin[ns=3000]", "missed",
           "the point failed: no p50 to compare (setup failed: boom)");
    /* Slower than the threshold of a verdict, but within the gate's own limit. */
    expect(all, "max_regression: {p99: 10%}", "spin[ns=1000]", "met", NULL);
    /* No interval at all: inconclusive, saying so, with no "nan" in the sentence. */
    expect(all, "max_regression: {p99: 10%}", "spin[ns=2000]", "inconclusive",
           "p99 against base.json has no ratio: too few repetitions");
    expect(all, "max_regression: {p99: 10%}", "other", "not judged",
           "the comparison with base.json has no p99 for this point (a new point, or a figure "
           "the comparison did not compute)");
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    json_decref(doc);
}

static void claims_lie_inside_outside_or_across(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    struct compare_figure figs[] = {
        fig(ID_A, "spin[ns=1000]", "p50", 0.65, 0.62, 0.68),
        fig(ID_B, "spin[ns=2000]", "p50", 0.62, 0.55, 0.65),
        fig("00000000000000dd", "other", "p50", 0.85, 0.80, 0.90),
        fig(ID_A, "spin[ns=1000]", "p99", 1.002, 0.995, 1.008),
        fig(ID_B, "spin[ns=2000]", "p99", NAN, NAN, NAN),
    };
    struct compare_result vs = {.figs = figs, .nfigs = ARRAY_LEN(figs)};
    const char *spec = "gates:\n"
                       "  - claim: p50 30%..40% faster\n"
                       "  - {claim: p99 unchanged, points: 'spin*'}\n"
                       "experiments:\n"
                       "  - {name: spin, experiment: noop}\n"
                       "  - {name: other, experiment: noop}\n";
    enum gate_state worst;
    json_t *all = judge(spec, doc, NULL, &vs, 0, &worst);
    expect(all, "claim: p50 30%..40% faster", "spin[ns=1000]", "met",
           "p50 ratio 0.650 against base.json (interval 0.620..0.680) lies inside the claim's "
           "[0.6, 0.7]");
    assert_true(value_of(all, "claim: p50 30%..40% faster", "spin[ns=1000]") == 0.65);
    expect(all, "claim: p50 30%..40% faster", "spin[ns=2000]", "inconclusive",
           "p50 ratio 0.620 against base.json (interval 0.550..0.650) overlaps the claim's "
           "[0.6, 0.7] but is not inside it");
    expect(all, "claim: p50 30%..40% faster", "other", "missed",
           "p50 ratio 0.850 against base.json (interval 0.800..0.900) lies outside the claim's "
           "[0.6, 0.7]");
    /* Unchanged: within the threshold, 2 % by default. */
    expect(all, "claim: p99 unchanged", "spin[ns=1000]", "met", NULL);
    expect(all, "claim: p99 unchanged", "spin[ns=2000]", "inconclusive",
           "p99 ratio nan against base.json (interval nan..nan): no interval to judge the claim "
           "[0.98, 1.02] by");
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    /* A threshold of 0.5 %: the same interval no longer lies inside. */
    all = judge(spec, doc, NULL, &vs, 0.005, &worst);
    expect(all, "claim: p99 unchanged", "spin[ns=1000]", "inconclusive", NULL);
    json_decref(all);
    json_decref(doc);
}

static void failure_and_metric_claims_use_the_baseline(void **state)
{
    (void)state;
    json_t *base = doc_of(json_pack("[o, o, o]",
                                    point(ID_A, "a", "spin", "ok", NULL, json_object(), 100,
                                          10000),
                                    point(ID_B, "b", "spin", "ok", NULL, json_object(), 100,
                                          10000),
                                    point(ID_C, "c", "spin", "ok", NULL, json_object(), 100,
                                          10000)));
    json_t *doc = doc_of(json_pack("[o, o, o]",
                                   point(ID_A, "a", "spin", "ok", NULL, json_object(), 20, 10000),
                                   point(ID_B, "b", "spin", "ok", NULL, json_object(), 45, 10000),
                                   point(ID_C, "c", "spin", "ok", NULL, json_object(), 0, 10000)));
    json_t *p;
    size_t i;
    double cost_then[] = {100, 100, 0}, cost_now[] = {101, 110, 5};
    json_array_foreach(json_object_get(base, "points"), i, p)
        json_object_set_new(p, "metrics", json_pack("{s:{s:s, s:f}}", "cost", "kind", "gauge",
                                                     "value", cost_then[i]));
    json_array_foreach(json_object_get(doc, "points"), i, p)
        json_object_set_new(p, "metrics", json_pack("{s:{s:s, s:f}}", "cost", "kind", "gauge",
                                                    "value", cost_now[i]));
    const char *spec = "gates:\n"
                       "  - claim: failures at least 50% fewer\n"
                       "  - claim: metric:cost unchanged\n"
                       "experiments: [{name: spin, experiment: noop}]\n";
    enum gate_state worst;
    json_t *all = judge(spec, doc, NULL, NULL, 0, &worst);
    expect(all, "claim: failures at least 50% fewer", "a", "not judged",
           "no baseline (--baseline FILE or history)");
    expect(all, "claim: metric:cost unchanged", "a", "not judged",
           "no baseline (--baseline FILE or history)");
    json_decref(all);
    all = judge(spec, doc, base, NULL, 0, &worst);
    /* 20 of 10000 against 100 of 10000: 0.2, Katz interval about 0.124..0.323. */
    expect(all, "claim: failures at least 50% fewer", "a", "met",
           "failure rate ratio 0.200 (95% interval 0.124..0.323; 100 of 10000 failed in "
           "base.json, 20 of 10000 here) lies inside the claim's [0, 0.5]");
    expect(all, "claim: failures at least 50% fewer", "b", "inconclusive", NULL);
    /* No failure now: half an iteration added to each cell. */
    expect(all, "claim: failures at least 50% fewer", "c", "met", NULL);
    assert_true(fabs(value_of(all, "claim: failures at least 50% fewer", "c") - 0.5 / 100.5) <
                1e-12);
    expect(all, "claim: metric:cost unchanged", "a", "met",
           "metric:cost ratio 1.010 (100 in base.json, 101 here) lies inside the claim's "
           "[0.98, 1.02]; one value per run: no interval");
    expect(all, "claim: metric:cost unchanged", "b", "missed", NULL);
    expect(all, "claim: metric:cost unchanged", "c", "not judged",
           "metric 'cost' is 0 in base.json: no ratio");
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    json_decref(doc);
    json_decref(base);
}

static void worst_state_ranks_missed_then_inconclusive(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    struct compare_figure figs[] = {fig("00000000000000dd", "other", "p50", 1.03, 0.98, 1.09)};
    struct compare_result vs = {.figs = figs, .nfigs = 1};
    enum gate_state worst;
    /* Met and not judged: met. */
    json_t *all = judge("gates: [{check: p99 < 1s, points: other}, "
                        "{max_regression: 5%, points: other}]\n"
                        "experiments: [{name: other, experiment: noop}]\n",
                        doc, NULL, NULL, 0, &worst);
    assert_int_equal(worst, GATE_MET);
    json_decref(all);
    all = judge("gates: [{check: p99 < 1s, points: other}, {max_regression: 5%, points: other}]\n"
                "experiments: [{name: other, experiment: noop}]\n",
                doc, NULL, &vs, 0, &worst);
    assert_int_equal(worst, GATE_INCONCLUSIVE);
    json_decref(all);
    all = judge("gates: [{check: p99 < 1ns, points: other}, {max_regression: 5%, points: other}]\n"
                "experiments: [{name: other, experiment: noop}]\n",
                doc, NULL, &vs, 0, &worst);
    assert_int_equal(worst, GATE_MISSED);
    json_decref(all);
    /* No gates at all: nothing to miss. */
    all = judge(two_experiments, doc, NULL, NULL, 0, &worst);
    assert_int_equal(json_array_size(all), 0);
    assert_int_equal(worst, GATE_MET);
    json_decref(all);
    json_decref(doc);
}

static void print_shows_what_failed_and_counts(void **state)
{
    (void)state;
    json_t *doc = three_spins_and_other();
    enum gate_state worst;
    json_t *all = judge("gates:\n"
                        "  - run.wall_s < 10min\n"
                        "  - max_regression: 5%\n"
                        "experiments:\n"
                        "  - name: spin\n"
                        "    experiment: noop\n"
                        "    gates: [p99 < 2ms]\n"
                        "  - {name: other, experiment: noop}\n",
                        doc, NULL, NULL, 0, &worst);
    FILE *f = tmpfile();
    assert_non_null(f);
    gate_print(f, all);
    rewind(f);
    char text[2048];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_string_equal(text,
        "gate missed: run.wall_s < 10min: run.wall_s = 612 s, limit < 600 s (t.yaml:2:5)\n"
        "gate missed: p99 < 2ms at spin[ns=1000]: p99 = 2.41 ms, limit < 2 ms (t.yaml:7:13)\n"
        "gate missed: p99 < 2ms at spin[ns=3000]: the point failed: no iteration histogram "
        "(setup failed: boom) (t.yaml:7:13)\n"
        "gate not judged: max_regression: 5% at spin[ns=1000] and 3 more points: no baseline "
        "(--baseline FILE or history) (t.yaml:3:21)\n"
        "gates: 1 met, 3 missed, 0 inconclusive, 4 not judged\n");
    json_decref(all);
    json_decref(doc);
}

static void the_comparison_must_compute_the_gates_percentiles(void **state)
{
    (void)state;
    struct spec s;
    int rc = load_spec("gates:\n"
                       "  - p97_5 < 1ms\n"
                       "  - max_regression: {p50: 5%, p99_9: 10%, mean: 3%}\n"
                       "experiments:\n"
                       "  - name: spin\n"
                       "    experiment: noop\n"
                       "    gates: [{claim: p99_9 unchanged}, {claim: response.p90 unchanged}]\n",
                       &s, NULL, 0);
    if (rc != 0)
        fail_msg("%s", err);
    double q[COMPARE_MAX_PERCENTILES];
    assert_int_equal(gate_compared_percentiles(&s, q, COMPARE_MAX_PERCENTILES), 3);
    assert_true(q[0] == 50 && fabs(q[1] - 99.9) < 1e-12 && q[2] == 90);
    assert_int_equal(gate_compared_percentiles(&s, q, 1), 1);
    spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checks_are_met_or_missed_at_each_point),
        cmocka_unit_test(failed_and_skipped_points),
        cmocka_unit_test(run_level_figures_are_judged_once),
        cmocka_unit_test(points_narrow_a_gate),
        cmocka_unit_test(new_failure_reasons_need_the_baseline),
        cmocka_unit_test(max_regression_reads_the_comparison),
        cmocka_unit_test(claims_lie_inside_outside_or_across),
        cmocka_unit_test(failure_and_metric_claims_use_the_baseline),
        cmocka_unit_test(worst_state_ranks_missed_then_inconclusive),
        cmocka_unit_test(print_shows_what_failed_and_counts),
        cmocka_unit_test(the_comparison_must_compute_the_gates_percentiles),
    };
    return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
