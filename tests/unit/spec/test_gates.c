/*
 * test_gates.c — a spec's `gates:` read into the model: every form of
 * gate with its units converted, and one case per kind of bad gate with
 * its message and file:line:column (at the offending token).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spec/spec_json.h"
#include "spec_fixture.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>

static int near_equal(double a, double b)
{
    if (isinf(b))
        return isinf(a) && (a > 0) == (b > 0);
    return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

/* A spec with one experiment whose gates are `items` (YAML list items, one a line). */
static int load_gates(const char *items, struct spec *s)
{
    char text[4096];
    snprintf(text, sizeof text, "experiments:\n  - experiment: noop\n    gates:\n%s", items);
    return load_spec(text, s, NULL, 0);
}

struct good_check {
    const char *text;
    enum spec_gate_figure figure;
    const char *histogram; /* NULL: none */
    double percentile;
    const char *metric;
    enum spec_gate_op op;
    double value;
};

static void checks_read_with_their_units(void **state)
{
    (void)state;
    static const struct good_check good[] = {
        {"p99 < 2ms", SPEC_FIG_PERCENTILE, "iteration", 99, NULL, SPEC_GATE_LT, 2e6},
        {"p99_9 <= 500us", SPEC_FIG_PERCENTILE, "iteration", 99.9, NULL, SPEC_GATE_LE, 5e5},
        {"p99_99<=1.5µs", SPEC_FIG_PERCENTILE, "iteration", 99.99, NULL, SPEC_GATE_LE, 1500},
        {"p97_5 > 1 ns", SPEC_FIG_PERCENTILE, "iteration", 97.5, NULL, SPEC_GATE_GT, 1},
        {"response.p99 < 1s", SPEC_FIG_PERCENTILE, "response", 99, NULL, SPEC_GATE_LT, 1e9},
        {"mean != 3min", SPEC_FIG_MEAN, "iteration", 0, NULL, SPEC_GATE_NE, 180e9},
        {"min >= 10ns", SPEC_FIG_MIN, "iteration", 0, NULL, SPEC_GATE_GE, 10},
        {"max == 0.5ms", SPEC_FIG_MAX, "iteration", 0, NULL, SPEC_GATE_EQ, 5e5},
        {"throughput > 1000", SPEC_FIG_THROUGHPUT, "iteration", 0, NULL, SPEC_GATE_GT, 1000},
        {"throughput > 5e6/s", SPEC_FIG_THROUGHPUT, "iteration", 0, NULL, SPEC_GATE_GT, 5e6},
        /* A plugin's own histogram (its name may hold dots) is in its own unit. */
        {"probe.depth.p50 <= 7", SPEC_FIG_PERCENTILE, "probe.depth", 50, NULL, SPEC_GATE_LE, 7},
        {"failures == 0", SPEC_FIG_FAILURES, NULL, 0, NULL, SPEC_GATE_EQ, 0},
        {"success_rate >= 0.99", SPEC_FIG_SUCCESS_RATE, NULL, 0, NULL, SPEC_GATE_GE, 0.99},
        {"success_rate >= 99.5%", SPEC_FIG_SUCCESS_RATE, NULL, 0, NULL, SPEC_GATE_GE, 0.995},
        {"wall_s < 30s", SPEC_FIG_WALL_S, NULL, 0, NULL, SPEC_GATE_LT, 30},
        {"wall_s < 1500ms", SPEC_FIG_WALL_S, NULL, 0, NULL, SPEC_GATE_LT, 1.5},
        {"artifact_bytes < 50MB", SPEC_FIG_ARTIFACT_BYTES, NULL, 0, NULL, SPEC_GATE_LT, 50e6},
        {"artifact_bytes <= 2KiB", SPEC_FIG_ARTIFACT_BYTES, NULL, 0, NULL, SPEC_GATE_LE, 2048},
        {"artifact_bytes < 100", SPEC_FIG_ARTIFACT_BYTES, NULL, 0, NULL, SPEC_GATE_LT, 100},
        {"metric:rusage.max_rss_kib < 200000", SPEC_FIG_METRIC, NULL, 0, "rusage.max_rss_kib",
         SPEC_GATE_LT, 200000},
        {"metric:drift > -3.5", SPEC_FIG_METRIC, NULL, 0, "drift", SPEC_GATE_GT, -3.5},
        {"new_failure_reasons == 0", SPEC_FIG_NEW_FAILURE_REASONS, NULL, 0, NULL, SPEC_GATE_EQ,
         0},
        {"run.wall_s < 10min", SPEC_FIG_RUN_WALL_S, NULL, 0, NULL, SPEC_GATE_LT, 600},
        {"run.failed_points == 0", SPEC_FIG_RUN_FAILED_POINTS, NULL, 0, NULL, SPEC_GATE_EQ, 0},
        {"run.artifact_bytes < 1GiB", SPEC_FIG_RUN_ARTIFACT_BYTES, NULL, 0, NULL, SPEC_GATE_LT,
         1073741824.0},
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        char items[256];
        snprintf(items, sizeof items, "      - %s\n", good[i].text);
        struct spec s;
        if (load_gates(items, &s) != 0)
            fail_msg("'%s': %s", good[i].text, err);
        const struct spec_gate *g = &s.experiments[0].gates.items[0];
        assert_int_equal(s.experiments[0].gates.n, 1);
        assert_int_equal(g->kind, SPEC_GATE_CHECK);
        assert_string_equal(g->text, good[i].text);
        assert_int_equal(g->line, 4);
        assert_int_equal(g->column, 9);
        assert_null(g->points);
        assert_int_equal(g->figure, good[i].figure);
        if (good[i].histogram)
            assert_string_equal(g->histogram, good[i].histogram);
        else
            assert_null(g->histogram);
        if (good[i].figure == SPEC_FIG_PERCENTILE && !near_equal(g->percentile, good[i].percentile))
            fail_msg("'%s': percentile %g", good[i].text, g->percentile);
        if (good[i].metric)
            assert_string_equal(g->metric, good[i].metric);
        assert_int_equal(g->op, good[i].op);
        if (!near_equal(g->value, good[i].value))
            fail_msg("'%s': value %.17g, want %.17g", good[i].text, g->value, good[i].value);
        spec_free(&s);
    }
}

struct good_claim {
    const char *text;
    enum spec_gate_figure figure;
    enum spec_claim claim;
    double lo, hi;
};

static void claims_read_as_ranges_of_the_ratio(void **state)
{
    (void)state;
    static const struct good_claim good[] = {
        {"p50 30%..40% faster", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0.6, 0.7},
        {"p50 30-40% faster", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0.6, 0.7},
        {"p50 30..40% faster", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0.6, 0.7},
        {"p99 10%..20% slower", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 1.1, 1.2},
        {"p99 at least 10% faster", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0, 0.9},
        {"p99 at least 10% slower", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 1.1, INFINITY},
        {"p50 at most 5% slower", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0, 1.05},
        {"p50 at most 5% faster", SPEC_FIG_PERCENTILE, SPEC_CLAIM_RANGE, 0.95, INFINITY},
        {"mean unchanged", SPEC_FIG_MEAN, SPEC_CLAIM_UNCHANGED, 1, 1},
        {"failures at least 50% fewer", SPEC_FIG_FAILURES, SPEC_CLAIM_RANGE, 0, 0.5},
        {"failures 0%..100% more", SPEC_FIG_FAILURES, SPEC_CLAIM_RANGE, 1, 2},
        {"metric:cost unchanged", SPEC_FIG_METRIC, SPEC_CLAIM_UNCHANGED, 1, 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        char items[256];
        snprintf(items, sizeof items, "      - claim: %s\n        points: 'noop*'\n",
                 good[i].text);
        struct spec s;
        if (load_gates(items, &s) != 0)
            fail_msg("'%s': %s", good[i].text, err);
        const struct spec_gate *g = &s.experiments[0].gates.items[0];
        char text[256];
        snprintf(text, sizeof text, "claim: %s", good[i].text);
        assert_int_equal(g->kind, SPEC_GATE_CLAIM);
        assert_string_equal(g->text, text);
        assert_int_equal(g->line, 4);
        assert_int_equal(g->column, 16);
        assert_string_equal(g->points, "noop*");
        assert_int_equal(g->figure, good[i].figure);
        assert_int_equal(g->claim, good[i].claim);
        if (!near_equal(g->lo, good[i].lo) || !near_equal(g->hi, good[i].hi))
            fail_msg("'%s': [%g, %g], want [%g, %g]", good[i].text, g->lo, g->hi, good[i].lo,
                     good[i].hi);
        spec_free(&s);
    }
    struct spec s;
    assert_int_equal(load_gates("      - {claim: 'response.p99_9 unchanged'}\n", &s), 0);
    assert_string_equal(s.experiments[0].gates.items[0].histogram, "response");
    assert_true(near_equal(s.experiments[0].gates.items[0].percentile, 99.9));
    spec_free(&s);
}

static void max_regression_is_p50_or_one_gate_per_figure(void **state)
{
    (void)state;
    struct spec s;
    int rc = load_spec("gates:\n"
                       "  - max_regression: 5%\n"
                       "  - max_regression: {p99_9: 10%, response.mean: 2.5%}\n"
                       "    points: 'noop'\n"
                       "experiments: [{experiment: noop}]\n",
                       &s, NULL, 0);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(s.gates.n, 3);
    assert_int_equal(s.experiments[0].gates.n, 0);
    const struct spec_gate *g = s.gates.items;
    assert_int_equal(g[0].kind, SPEC_GATE_MAX_REGRESSION);
    assert_string_equal(g[0].text, "max_regression: 5%");
    assert_int_equal(g[0].figure, SPEC_FIG_PERCENTILE);
    assert_true(g[0].percentile == 50);
    assert_string_equal(g[0].histogram, "iteration");
    assert_true(near_equal(g[0].limit, 0.05));
    assert_int_equal(g[0].line, 2);
    assert_int_equal(g[0].column, 21);
    assert_null(g[0].points);
    assert_string_equal(g[1].text, "max_regression: {p99_9: 10%}");
    assert_true(near_equal(g[1].percentile, 99.9));
    assert_true(near_equal(g[1].limit, 0.10));
    assert_int_equal(g[1].line, 3);
    assert_int_equal(g[1].column, 22);
    assert_string_equal(g[1].points, "noop");
    assert_string_equal(g[2].text, "max_regression: {response.mean: 2.5%}");
    assert_int_equal(g[2].figure, SPEC_FIG_MEAN);
    assert_string_equal(g[2].histogram, "response");
    assert_true(near_equal(g[2].limit, 0.025));
    assert_int_equal(g[2].column, 34);
    assert_string_equal(g[2].points, "noop");
    spec_free(&s);
}

struct bad_gate {
    const char *items;   /* list items under an experiment's `gates:` (line 4 on) */
    const char *message; /* t.yaml:line:col: ... */
};

static void bad_gates_name_the_token(void **state)
{
    (void)state;
    static const struct bad_gate bad[] = {
        {"      - p99.9 < 2ms\n", "t.yaml:4:9: unknown figure 'p99.9' (did you mean 'p99_9'?)"},
        {"      - response.p99.9 < 2ms\n",
         "t.yaml:4:9: unknown figure 'response.p99.9' (did you mean 'response.p99_9'?)"},
        {"      - sucess_rate >= 0.9\n",
         "t.yaml:4:9: unknown figure 'sucess_rate' (did you mean 'success_rate'?)"},
        {"      - metrics:cost < 3\n",
         "t.yaml:4:9: unknown figure 'metrics:cost' (did you mean 'metric:cost'?)"},
        {"      - latency < 3ms\n",
         "t.yaml:4:9: unknown figure 'latency'; figures are a histogram's pN, mean, min, max and "
         "throughput, failures, success_rate, wall_s, artifact_bytes, new_failure_reasons, "
         "metric:NAME, run.wall_s, run.failed_points and run.artifact_bytes"},
        {"      - p100 < 2ms\n",
         "t.yaml:4:9: percentile 'p100' is out of range: pN or pN_M with 0 < N < 100 (p99_9 is "
         "the 99.9th)"},
        {"      - 'metric: < 3'\n",
         "t.yaml:4:10: 'metric:' needs a metric's name, as in metric:rusage.max_rss_kib"},
        /* A time without a unit: at the number; quoted, one column further. */
        {"      - p99 < 2\n", "t.yaml:4:15: p99 is a time: give the value a unit (ns, us, µs, ms, "
                              "s or min), as in 2ms"},
        {"      - \"p99 < 2\"\n", "t.yaml:4:16: p99 is a time: give the value a unit (ns, us, µs, "
                                  "ms, s or min), as in 2ms"},
        {"      - wall_s < 30\n", "t.yaml:4:18: wall_s is a time: give the value a unit (ns, us, "
                                  "µs, ms, s or min), as in 2ms"},
        /* Columns count characters: 'é' is two bytes and one column. */
        {"      - metric:é < 3 X\n",
         "t.yaml:4:22: metric:é is compared in its own unit: give a number without one"},
        {"      - p99 < 2mss\n",
         "t.yaml:4:16: unknown unit 'mss' for a time (did you mean 'ms'?)"},
        {"      - artifact_bytes < 5 MiBs\n",
         "t.yaml:4:28: unknown unit 'MiBs' for bytes (did you mean 'MiB'?)"},
        {"      - p99 < 2ms at once\n", "t.yaml:4:19: unexpected 'at once' after the value"},
        {"      - p99 < fast\n", "t.yaml:4:15: expected a number, got 'fast'"},
        {"      - p99 < -2ms\n", "t.yaml:4:15: p99 cannot be negative"},
        {"      - p99 =< 2ms\n", "t.yaml:4:13: unknown operator '=<' (did you mean '<='?)"},
        {"      - failures = 0\n", "t.yaml:4:18: unknown operator '=' (did you mean '=='?)"},
        {"      - p99 2ms\n",
         "t.yaml:4:13: expected an operator after 'p99': <, <=, >, >=, == or !="},
        {"      - failures == 0.5\n",
         "t.yaml:4:21: failures is a count: a whole number without a unit"},
        {"      - success_rate >= 150%\n",
         "t.yaml:4:25: success_rate is at most 1 (100%), got '150%'"},
        {"      - success_rate >= 99 percent\n",
         "t.yaml:4:28: success_rate is a fraction: 0.99, or 99%"},
        {"      - throughput > 5 ms\n",
         "t.yaml:4:24: throughput is per second: give a number, or a number and '/s'"},
        {"      - metric:cost < 3 EUR\n",
         "t.yaml:4:25: metric:cost is compared in its own unit: give a number without one"},
        /* Percentages. */
        {"      - max_regression: 5\n",
         "t.yaml:4:25: expected a percentage, as in 5%, got '5'"},
        {"      - max_regression: -5%\n", "t.yaml:4:25: a percentage cannot be negative"},
        {"      - max_regression: {p99: 5 %}\n",
         "t.yaml:4:31: expected a percentage, as in 5%, got '5 %'"},
        {"      - max_regression: {p99.9: 5%}\n",
         "t.yaml:4:26: unknown figure 'p99.9' (did you mean 'p99_9'?)"},
        {"      - max_regression: {failures: 5%}\n",
         "t.yaml:4:26: max_regression compares a histogram's figure (p50, p99, mean, ...): for "
         "failures, write a claim ('failures at most 5% more')"},
        {"      - max_regression: {wall_s: 5%}\n",
         "t.yaml:4:26: max_regression compares a figure between two runs: 'wall_s' cannot be "
         "compared; use a histogram's figure (p50, p99, mean, ...), or write a check"},
        {"      - max_regression: {}\n",
         "t.yaml:4:25: max_regression is empty: give a percentage (5%) or {FIGURE: PERCENT, ...}"},
        {"      - max_regression: [5%]\n",
         "t.yaml:4:25: expected a percentage (5%) or {FIGURE: PERCENT, ...}, got a list"},
        /* Claims. */
        {"      - claim: p50 30% faster\n",
         "t.yaml:4:20: a claim gives a range ('30%..40% faster') or a bound ('at least 30% "
         "faster'), not one percentage"},
        {"      - claim: p50 40%..30% faster\n",
         "t.yaml:4:23: the range goes from the smaller percentage to the larger, as in 30%..40%"},
        {"      - claim: p50 30%..40% fastr\n",
         "t.yaml:4:29: unknown direction 'fastr' (did you mean 'faster'?)"},
        {"      - claim: p50 30%..40%\n",
         "t.yaml:4:28: expected faster, slower, fewer or more after the percentage"},
        {"      - claim: p50 at lest 10% faster\n",
         "t.yaml:4:23: expected 'at least' or 'at most', got 'at lest' (did you mean 'at "
         "least'?)"},
        {"      - claim: p50 30%..140% faster\n",
         "t.yaml:4:25: nothing can be more than 100% faster or fewer: the ratio would be below 0"},
        {"      - claim: p50 at least 10 faster\n",
         "t.yaml:4:29: expected a percentage, as in 5%, got '10 faster'"},
        {"      - claim: p50\n",
         "t.yaml:4:19: expected what the claim promises after 'p50': a range ('30%..40% "
         "faster'), a bound ('at least 10% faster') or 'unchanged'"},
        {"      - claim: p50 unchanged please\n",
         "t.yaml:4:30: unexpected 'please' after the claim"},
        {"      - claim: wall_s unchanged\n",
         "t.yaml:4:16: a claim compares a figure between two runs: 'wall_s' cannot be compared; "
         "use a histogram's figure (p50, p99, mean, ...), or write a check"},
        {"      - claim: throughput unchanged\n",
         "t.yaml:4:16: a claim takes a figure that is lower when faster: gate throughput with a "
         "check (throughput > N)"},
        /* The YAML around the text. */
        {"      - {check: p99 < 2ms, claim: p50 unchanged}\n",
         "t.yaml:4:28: a gate is one of check, max_regression or claim: this one has both "
         "'check' and 'claim' (write two gates)"},
        {"      - {chek: p99 < 2ms}\n",
         "t.yaml:4:10: unknown key 'chek' in a gate (did you mean 'check'?)"},
        {"      - {points: 'noop*'}\n",
         "t.yaml:4:9: a gate needs one of 'check:', 'max_regression:' or 'claim:'"},
        {"      - {check: p99 < 2ms, points: ''}\n",
         "t.yaml:4:36: points is empty: give a label glob or a point id"},
        {"      - {check: run.wall_s < 1min, points: 'noop*'}\n",
         "t.yaml:4:44: 'run.wall_s < 1min' is judged once for the whole run: 'points:' does not "
         "apply to it"},
        {"      - {check: [p99 < 2ms]}\n",
         "t.yaml:4:17: expected a check, as in 'p99 < 2ms', got a list"},
        {"      - [p99 < 2ms]\n",
         "t.yaml:4:9: expected a gate: a check ('p99 < 2ms') or a mapping with check, "
         "max_regression or claim, got a list"},
        {"      -\n", "t.yaml:4:8: expected a check, as in 'p99 < 2ms', got no value"},
        {"      p99 < 2ms\n", "t.yaml:4:7: expected a list of gates, got a scalar"},
    };
    size_t wrong = 0;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct spec s;
        if (load_gates(bad[i].items, &s) == 0) {
            spec_free(&s);
            print_error("bad gate #%zu was accepted:\n%s", i, bad[i].items);
            wrong++;
        } else if (strcmp(err, bad[i].message) != 0) {
            print_error("bad gate #%zu:\n got: %s\nwant: %s\n", i, err, bad[i].message);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void gates_are_in_the_spec_json_only_when_given(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments: [{experiment: noop}]\n", &s, NULL, 0), 0);
    json_t *j = spec_to_json(&s);
    assert_null(json_object_get(j, "gates"));
    assert_null(json_object_get(json_array_get(json_object_get(j, "experiments"), 0), "gates"));
    json_decref(j);
    spec_free(&s);

    int rc = load_spec("gates: [run.failed_points == 0]\n"
                       "experiments:\n"
                       "  - experiment: noop\n"
                       "    gates:\n"
                       "      - p99 < 2ms\n"
                       "      - {claim: p50 unchanged, points: 'noop*'}\n",
                       &s, NULL, 0);
    if (rc != 0)
        fail_msg("%s", err);
    j = spec_to_json(&s);
    json_t *top = json_object_get(j, "gates");
    assert_int_equal(json_array_size(top), 1);
    json_t *g = json_array_get(top, 0);
    assert_string_equal(json_string_value(json_object_get(g, "gate")), "run.failed_points == 0");
    assert_string_equal(json_string_value(json_object_get(g, "where")), "1:9");
    assert_true(json_is_null(json_object_get(g, "points")));
    json_t *eg = json_object_get(json_array_get(json_object_get(j, "experiments"), 0), "gates");
    assert_int_equal(json_array_size(eg), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(eg, 0), "where")),
                        "5:9");
    g = json_array_get(eg, 1);
    assert_string_equal(json_string_value(json_object_get(g, "gate")), "claim: p50 unchanged");
    assert_string_equal(json_string_value(json_object_get(g, "where")), "6:17");
    assert_string_equal(json_string_value(json_object_get(g, "points")), "noop*");
    json_decref(j);
    spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checks_read_with_their_units),
        cmocka_unit_test(claims_read_as_ranges_of_the_ratio),
        cmocka_unit_test(max_regression_is_p50_or_one_gate_per_figure),
        cmocka_unit_test(bad_gates_name_the_token),
        cmocka_unit_test(gates_are_in_the_spec_json_only_when_given),
    };
    return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
