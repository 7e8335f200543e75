/*
 * test_plan.c — the order of a run's work (run/plan.h): repetitions in a
 * process of their own with `fresh_process`, interleaved in seeded rounds
 * with `interleave`, and what a run cut short keeps. The test_pid plugin's
 * iteration "time" is its process id, so each repetition's p50 says which
 * process ran it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs `spec_text` with extra arguments (NULL-terminated, up to 4); its results. */
static json_t *run_spec(const char *spec_text, int want_rc, const char *x1, const char *x2)
{
    char *dir = e2e_dir("plan"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "plan.yaml", spec_text);
    const char *args[] = {"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out", out,
                          "-q", x1, x2, NULL};
    struct proc p;
    e2e_run(&p, args);
    if (p.rc != want_rc)
        fail_msg("bhost exited with %d, not %d: %s", p.rc, want_rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

/* The process ids that ran each repetition of point `i`, and how many. */
static size_t pids_of(json_t *doc, size_t i, json_int_t *pids, size_t max)
{
    char path[128];
    snprintf(path, sizeof path, "points/%zu/histograms/iteration/repetitions", i);
    json_t *reps = e2e_at(doc, path);
    size_t n = json_array_size(reps);
    assert_true(n <= max);
    for (size_t k = 0; k < n; k++) {
        json_t *r = json_array_get(reps, k);
        pids[k] = json_integer_value(json_object_get(r, "p50"));
        /* One process per repetition: min and max are the same id. */
        assert_int_equal(json_integer_value(json_object_get(r, "min")),
                         json_integer_value(json_object_get(r, "max")));
    }
    return n;
}

static size_t distinct(const json_int_t *v, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && v[j] != v[i])
            j++;
        d += j == i;
    }
    return d;
}

#define ONE_POINT(extra)                                                                     \
    "iterations: {warmup: 1, measured: 20}\n"                                                \
    "repetitions: 4\n" extra                                                                 \
    "experiments:\n"                                                                         \
    "  - experiment: test_pid\n"                                                             \
    "    instruments: [rusage]\n"

static void repetitions_share_the_point_process_by_default(void **state)
{
    (void)state;
    json_t *doc = run_spec(ONE_POINT(""), 0, NULL, NULL);
    json_int_t pids[8];
    assert_int_equal(pids_of(doc, 0, pids, 8), 4);
    assert_int_equal(distinct(pids, 4), 1);
    assert_null(json_object_get(e2e_at(doc, "spec/experiments/0"), "fresh_process"));
    json_decref(doc);
}

static void fresh_process_runs_each_repetition_in_its_own(void **state)
{
    (void)state;
    json_t *doc = run_spec(ONE_POINT("fresh_process: true\n"), 0, NULL, NULL);
    json_int_t pids[8];
    assert_int_equal(pids_of(doc, 0, pids, 8), 4);
    assert_int_equal(distinct(pids, 4), 4);
    /* The point reads as one: four repetitions of 20 iterations, each warmed up. */
    assert_int_equal((json_int_t)e2e_number(doc, "points/0/repetitions"), 4);
    assert_int_equal((json_int_t)e2e_number(doc, "points/0/iterations/measured"), 80);
    assert_int_equal((json_int_t)e2e_number(doc, "points/0/histograms/iteration/count"), 80);
    assert_string_equal(e2e_text(doc, "points/0/status"), "ok");
    assert_true(json_is_true(e2e_at(doc, "spec/experiments/0/fresh_process")));
    /* The instruments ran in every repetition's process: their metrics are the point's. */
    assert_true(e2e_number(doc, "points/0/metrics/rusage.minor_faults/value") > 0);
    json_decref(doc);
    /* --set turns it on too; --isolate none runs them one by one in the host. */
    doc = run_spec(ONE_POINT(""), 0, "--set", "fresh_process=true");
    assert_int_equal(pids_of(doc, 0, pids, 8), 4);
    assert_int_equal(distinct(pids, 4), 4);
    json_decref(doc);
    doc = run_spec(ONE_POINT("fresh_process: true\n"), 0, "--isolate", "none");
    assert_int_equal(pids_of(doc, 0, pids, 8), 4);
    assert_int_equal(distinct(pids, 4), 1);
    json_decref(doc);
}

#define ROUNDS 4
#define POINTS 3

static void interleave_runs_seeded_rounds(void **state)
{
    (void)state;
    const char *text = "seed: 7\n"
                       "interleave: true\n"
                       "iterations: {warmup: 1, measured: 20}\n"
                       "repetitions: 4\n"
                       "experiments:\n"
                       "  - experiment: test_pid\n"
                       "    params: {level: [1, 2, 3]}\n";
    json_t *doc = run_spec(text, 0, NULL, NULL), *again = run_spec(text, 0, NULL, NULL);
    assert_true(json_is_true(e2e_at(doc, "spec/interleave")));
    double start[POINTS][ROUNDS];
    json_int_t pids[POINTS * ROUNDS];
    for (size_t i = 0; i < POINTS; i++) {
        assert_int_equal(pids_of(doc, i, pids + i * ROUNDS, ROUNDS), ROUNDS);
        for (size_t k = 0; k < ROUNDS; k++) {
            char path[128];
            snprintf(path, sizeof path,
                     "points/%zu/histograms/iteration/repetitions/%zu/started_unix_s", i, k);
            start[i][k] = e2e_number(doc, path);
        }
    }
    assert_int_equal(distinct(pids, POINTS * ROUNDS), POINTS * ROUNDS);
    /* Round k's repetitions all start before any of round k + 1's. */
    for (size_t k = 0; k + 1 < ROUNDS; k++)
        for (size_t i = 0; i < POINTS; i++)
            for (size_t j = 0; j < POINTS; j++)
                assert_true(start[i][k] < start[j][k + 1]);
    /* Within a round the order is shuffled, and the seed makes it the same every time:
     * the rounds are not all in sweep order, and the second run's order is the first's. */
    int shuffled = 0;
    for (size_t k = 0; k < ROUNDS; k++) {
        shuffled |= !(start[0][k] < start[1][k] && start[1][k] < start[2][k]);
        for (size_t i = 0; i < POINTS; i++)
            for (size_t j = 0; j < POINTS; j++) {
                char a[128], b[128];
                snprintf(a, sizeof a,
                         "points/%zu/histograms/iteration/repetitions/%zu/started_unix_s", i, k);
                snprintf(b, sizeof b,
                         "points/%zu/histograms/iteration/repetitions/%zu/started_unix_s", j, k);
                assert_true((start[i][k] < start[j][k]) ==
                            (e2e_number(again, a) < e2e_number(again, b)));
            }
    }
    assert_true(shuffled);
    json_decref(doc);
    json_decref(again);
}

static void a_budget_keeps_the_repetitions_that_ran(void **state)
{
    (void)state;
    /* The first repetition starts at once and takes 300 ms (its setup); the budget is used
     * up by then, so nothing else starts: one point keeps one repetition, two are skipped. */
    json_t *doc = run_spec("seed: 7\n"
                           "interleave: true\n"
                           "iterations: {warmup: 1, measured: 20}\n"
                           "repetitions: 3\n"
                           "experiments:\n"
                           "  - experiment: test_pid\n"
                           "    params: {level: [1, 2, 3], setup_ms: 300}\n",
                           1, "--time-budget", "0.1");
    size_t partial = 0, skipped = 0;
    for (size_t i = 0; i < POINTS; i++) {
        char path[64];
        snprintf(path, sizeof path, "points/%zu/status", i);
        const char *status = e2e_text(doc, path);
        if (strcmp(status, "partial") == 0) {
            partial++;
            snprintf(path, sizeof path, "points/%zu/partial/repetitions_kept", i);
            assert_int_equal((json_int_t)e2e_number(doc, path), 1);
            snprintf(path, sizeof path, "points/%zu/partial/repetitions_planned", i);
            assert_int_equal((json_int_t)e2e_number(doc, path), 3);
            snprintf(path, sizeof path, "points/%zu/histograms/iteration/count", i);
            assert_int_equal((json_int_t)e2e_number(doc, path), 20);
        } else {
            assert_string_equal(status, "skipped");
            skipped++;
        }
    }
    assert_int_equal(partial, 1);
    assert_int_equal(skipped, 2);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(repetitions_share_the_point_process_by_default),
        cmocka_unit_test(fresh_process_runs_each_repetition_in_its_own),
        cmocka_unit_test(interleave_runs_seeded_rounds),
        cmocka_unit_test(a_budget_keeps_the_repetitions_that_ran),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
