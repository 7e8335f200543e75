/*
 * test_open_loop.c — open-loop runs (issue 4): with `rate:`, a stall shows in
 * the response-time tail of the iterations queued behind it, while the
 * service-time tail and a closed-loop run of the same point hide it. Also the
 * schedule itself: fixed times are exact, Poisson arrivals reproducible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "run/schedule.h"

#include <stdlib.h>
#include <string.h>

#define MS INT64_C(1000000)

/* 2000 iterations at 1000/s, the 501st of which sleeps 100 ms. */
#define STALL_EXPERIMENT(name)                                                               \
    "  - name: " name "\n"                                                                   \
    "    experiment: test_stall\n"                                                           \
    "    params: {stall_at: 500, stall_ms: 100}\n"

static json_t *point_named(json_t *doc, const char *label)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (strcmp(json_string_value(json_object_get(pt, "label")), label) == 0)
            return pt;
    fail_msg("no point '%s'", label);
    return NULL;
}

static json_t *histogram(json_t *pt, const char *name)
{
    return json_object_get(json_object_get(pt, "histograms"), name);
}

static json_int_t field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("'%s' is not an integer", key);
    return json_integer_value(v);
}

/* Runs `spec_text` (plus one --set, or NULL) and returns its results. */
static json_t *run_spec(const char *spec_text, const char *set)
{
    char *dir = e2e_dir("open"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "open.yaml", spec_text);
    struct proc p;
    const char *plain[] = {"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out", out,
                           "-q", NULL};
    const char *with_set[] = {"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out", out,
                              "-q", "--set", set, NULL};
    e2e_run(&p, set ? with_set : plain);
    if (p.rc != 0)
        fail_msg("bhost exited with %d: %s", p.rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

static void stall_shows_in_response_time_only(void **state)
{
    (void)state;
    json_t *doc = run_spec("iterations: {warmup: 0, measured: 2000}\n"
                           "experiments:\n"
                           STALL_EXPERIMENT("open")
                           "    rate: 1000\n"
                           "    arrival: fixed\n"
                           STALL_EXPERIMENT("closed"),
                           NULL);
    json_t *open = point_named(doc, "open"), *closed = point_named(doc, "closed");
    json_t *service = histogram(open, "iteration"), *response = histogram(open, "response");
    assert_non_null(response);
    assert_int_equal(field(service, "count"), 2000);
    assert_int_equal(field(response, "count"), 2000);
    assert_int_equal(field(json_object_get(open, "iterations"), "batch"), 1);
    /*
     * Iteration 500 is due at 500 ms and ends at >= 600 ms; iteration 500 + k
     * is due at (500 + k) ms and cannot start before 600 ms, so its response
     * is >= (100 - k) ms: at least 51 iterations (k = 0..50) answer in
     * >= 50 ms. p99 of 2000 values is the 1980th smallest, so it reaches
     * 50 ms as soon as 21 do. The service time is long for iteration 500 alone.
     */
    assert_true(field(response, "p99") >= 50 * MS);
    assert_true(field(response, "max") >= 100 * MS);
    assert_true(field(service, "p99") < 50 * MS);
    assert_true(field(service, "max") >= 100 * MS);
    /* Iterations 501..599 all started after 600 ms: 99 late, the first by >= 99 ms. */
    json_t *schedule = json_object_get(open, "schedule");
    assert_true(json_real_value(json_object_get(schedule, "rate")) == 1000.0);
    assert_string_equal(json_string_value(json_object_get(schedule, "arrival")), "fixed");
    assert_true(field(schedule, "late") >= 99);
    assert_true(field(schedule, "max_lag_ns") >= 99 * MS);
    /* The same point closed-loop: the stall is one slow iteration among 2000. */
    assert_null(histogram(closed, "response"));
    assert_null(json_object_get(closed, "schedule"));
    assert_int_equal(field(histogram(closed, "iteration"), "count"), 2000);
    assert_true(field(histogram(closed, "iteration"), "p99") < 50 * MS);
    assert_true(field(histogram(closed, "iteration"), "max") >= 100 * MS);
    /* The spec as it ran says which experiment had a schedule. */
    json_t *exps = json_object_get(json_object_get(doc, "spec"), "experiments");
    assert_string_equal(json_string_value(json_object_get(json_array_get(exps, 0), "arrival")),
                        "fixed");
    assert_null(json_object_get(json_array_get(exps, 1), "rate"));
    json_decref(doc);
}

static void poisson_arrivals_keep_count_and_rate(void **state)
{
    (void)state;
    /* --set rate wins over the file's 500/s, as other settings do. */
    const char *text = "seed: 7\n"
                       "iterations: {warmup: 0, measured: 2000}\n"
                       "experiments:\n"
                       STALL_EXPERIMENT("poisson")
                       "    rate: 500\n"
                       "    arrival: poisson\n";
    json_t *a = run_spec(text, "rate=1000"), *b = run_spec(text, "rate=1000");
    for (int i = 0; i < 2; i++) {
        json_t *pt = point_named(i ? b : a, "poisson");
        json_t *schedule = json_object_get(pt, "schedule");
        assert_string_equal(json_string_value(json_object_get(schedule, "arrival")), "poisson");
        assert_true(json_real_value(json_object_get(schedule, "rate")) == 1000.0);
        assert_int_equal(field(histogram(pt, "iteration"), "count"), 2000);
        assert_int_equal(field(histogram(pt, "response"), "count"), 2000);
        /* About 50 arrivals fall in the stall's first 50 ms; p99 needs 21 (see above). */
        assert_true(field(histogram(pt, "response"), "p99") >= 50 * MS);
    }
    /* Two runs of one spec draw the same arrivals (schedule.c's tests check the times):
       here only the counts and the schedule can be compared, timings aside. */
    json_decref(a);
    json_decref(b);
}

/* "response" is the host's on a schedule only: closed-loop plugins keep the name (ABI 1.0). */
static void plugins_may_not_claim_response_on_a_schedule(void **state)
{
    (void)state;
    char *dir = e2e_dir("claim"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "claim.yaml",
                           "iterations: {warmup: 0, measured: 5}\n"
                           "experiments:\n"
                           "  - name: open\n"
                           "    experiment: test_stall\n"
                           "    params: {claim_response: true, stall_ms: 0}\n"
                           "    rate: 1000\n"
                           "  - name: closed\n"
                           "    experiment: test_stall\n"
                           "    params: {claim_response: true, stall_ms: 0}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out, "-q", NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(point_named(doc, "open"), "error")),
                        "setup: plugin bug: bhost_histogram(\"response\"): that name is the "
                        "host's own on a schedule (rate:)");
    json_t *closed = point_named(doc, "closed");
    assert_string_equal(json_string_value(json_object_get(closed, "status")), "ok");
    assert_non_null(histogram(closed, "response"));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

static void fixed_schedule_is_exact(void **state)
{
    (void)state;
    struct open_loop ol = {.rate = 3};
    struct schedule s;
    schedule_start(&s, &ol, 1, 1000);
    assert_int_equal(schedule_next(&s), 1000);
    assert_int_equal(schedule_next(&s), 1000 + 333333333);
    assert_int_equal(schedule_next(&s), 1000 + 666666667);
    assert_int_equal(schedule_next(&s), 1000 + 1000000000);
    /* i * gap, not a running sum: no drift after a million iterations at 1000/s. */
    ol.rate = 1000;
    schedule_start(&s, &ol, 1, 0);
    uint64_t t = 0;
    for (int i = 0; i <= 1000000; i++)
        t = schedule_next(&s);
    assert_int_equal(t, UINT64_C(1000000000000));
}

static void poisson_schedule_is_reproducible(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct open_loop ol = {.rate = 1000, .poisson = 1, .seed = 42};
    struct schedule a, b, other_phase, other_seed;
    schedule_start(&a, &ol, 1, 5);
    schedule_start(&b, &ol, 1, 5);
    schedule_start(&other_phase, &ol, 2, 5);
    struct open_loop ol2 = ol;
    ol2.seed = 43;
    schedule_start(&other_seed, &ol2, 1, 5);
    uint64_t prev = 0, last = 0;
    int same_phase = 0, same_seed = 0;
    for (int i = 0; i < N; i++) {
        uint64_t t = schedule_next(&a);
        assert_int_equal(t, schedule_next(&b));
        same_phase += t == schedule_next(&other_phase);
        same_seed += t == schedule_next(&other_seed);
        if (i == 0)
            assert_int_equal(t, 5); /* the first arrival starts the phase */
        assert_true(t >= prev);
        prev = last = t;
    }
    /* Only the first arrival, at t0, is shared by other streams. */
    assert_int_equal(same_phase, 1);
    assert_int_equal(same_seed, 1);
    /* The mean gap of 99,999 exponential draws is 1 ms within 1% (3 sigma). */
    double mean = (double)(last - 5) / (N - 1);
    assert_true(mean > 0.99e6 && mean < 1.01e6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_schedule_is_exact),
        cmocka_unit_test(poisson_schedule_is_reproducible),
        cmocka_unit_test(stall_shows_in_response_time_only),
        cmocka_unit_test(poisson_arrivals_keep_count_and_rate),
        cmocka_unit_test(plugins_may_not_claim_response_on_a_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
