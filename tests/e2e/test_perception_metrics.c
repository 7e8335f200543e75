/*
 * test_perception_metrics — the perception_metrics experiment through bhost:
 * both forms on every lookup run, perceive the same world alike (the same
 * counters and distributions), and count what they should (one step an
 * iteration, every agent once a step); fewer channels change what is seen as
 * perception.h says; a form that perceives wrongly (the test build's sparse)
 * fails its point in setup with the step, the agent and both perceptions.
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

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR

/* Runs `spec_text`: its results (owned), and bhost's exit code in *rc. */
static json_t *run(const char *spec_text, int *rc)
{
    char *dir = e2e_dir("perception"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "perception.yaml", spec_text);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    *rc = p.rc;
    if (p.rc != 0 && p.rc != 1)
        fail_msg("bhost run exited %d:\n%s", p.rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

/* What must be the same wherever the world is: the perceptions' sums and distributions. */
static const char *const same_everywhere[] = {
    "metrics/agents_seeing_enemies/value", "metrics/visible_allies/value",
    "metrics/visible_enemies/value", "metrics/visible_resources/value",
    "histograms/nearest_enemy/count", "histograms/nearest_enemy/mean",
    "histograms/local_density/mean", "histograms/coverage/mean",
};
#define NSAME (sizeof same_everywhere / sizeof *same_everywhere)

static void every_form_and_lookup_perceives_alike(void **state)
{
    (void)state;
    int rc;
    json_t *doc = run("iterations: {warmup: 2, measured: 5}\n"
                      "experiments:\n"
                      "  - experiment: perception_metrics\n"
                      "    params:\n"
                      "      form: [dense, sparse]\n"
                      "      lookup: [brute, kdtree, quadtree, grid]\n"
                      "      agents: 150\n"
                      "      world: 40\n"
                      "      teams: 3\n"
                      "      radius: 4\n"
                      "      check_steps: 4\n", &rc);
    assert_int_equal(rc, 0);
    json_t *points = e2e_at(doc, "points");
    assert_int_equal(json_array_size(points), 2 * 4);
    double first[NSAME];
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *label = e2e_text(pt, "label");
        if (strcmp(e2e_text(pt, "status"), "ok") != 0)
            fail_msg("%s: %s", label, e2e_text(pt, "error"));
        assert_int_equal(json_integer_value(e2e_at(pt, "histograms/step/count")), 5);
        assert_int_equal(json_integer_value(e2e_at(pt, "histograms/metrics/count")), 5 * 150);
        assert_int_equal(json_integer_value(e2e_at(pt, "histograms/visible_enemies/count")),
                         5 * 150);
        assert_true(e2e_number(pt, "metrics/agents_perceived/value") == 5 * 150);
        assert_string_equal(e2e_text(pt, "histograms/visible_enemies/unit"), "cells");
        assert_string_equal(e2e_text(pt, "histograms/nearest_enemy/unit"), "cells/100");
        assert_string_equal(e2e_text(pt, "histograms/coverage/unit"), "permille");
        /* an agent with an enemy in sight has a nearest one, and no other agent does */
        assert_true(e2e_number(pt, "histograms/nearest_enemy/count") ==
                    e2e_number(pt, "metrics/agents_seeing_enemies/value"));
        /* nothing seen is farther than the window's corner, 4 sqrt(2) */
        assert_true(e2e_number(pt, "histograms/nearest_enemy/max") <= 566);
        assert_true(e2e_number(pt, "histograms/coverage/max") <= 1000);
        assert_true(e2e_number(pt, "metrics/visible_enemies/value") > 0);
        for (size_t k = 0; k < NSAME; k++) {
            double v = e2e_number(pt, same_everywhere[k]);
            if (i == 0)
                first[k] = v;
            else if (v != first[k])
                fail_msg("%s: %s is %g, %s's %g", label, same_everywhere[k], v,
                         e2e_text(doc, "points/0/label"), first[k]);
        }
    }
    json_decref(doc);
}

/* Without VISIBLE every cell is seen (coverage 1000 permille); without RESOURCES none is
 * counted; with only SELF and ALLIES, no enemy. */
static void fewer_channels(void **state)
{
    (void)state;
    int rc;
    json_t *doc = run("iterations: {warmup: 1, measured: 3}\n"
                      "experiments:\n"
                      "  - experiment: perception_metrics\n"
                      "    params: {form: [dense, sparse], channels: [2, 3, 5, 6], "
                      "agents: 100, world: 30, radius: 3}\n", &rc);
    assert_int_equal(rc, 0);
    size_t i;
    json_t *pt;
    json_array_foreach(e2e_at(doc, "points"), i, pt) {
        const char *label = e2e_text(pt, "label");
        if (strcmp(e2e_text(pt, "status"), "ok") != 0)
            fail_msg("%s: %s", label, e2e_text(pt, "error"));
        int channels = (int)json_integer_value(e2e_at(pt, "params/channels"));
        double coverage_min = e2e_number(pt, "histograms/coverage/min");
        double enemies = e2e_number(pt, "metrics/visible_enemies/value");
        double resources = e2e_number(pt, "metrics/visible_resources/value");
        if (channels < 6)
            assert_true(coverage_min == 1000);
        else
            assert_true(coverage_min < 1000);
        assert_true(channels < 3 ? enemies == 0 : enemies > 0);
        assert_true(channels < 4 ? resources == 0 : resources > 0);
        assert_true(e2e_number(pt, "metrics/visible_allies/value") > 0);
    }
    json_decref(doc);
}

/* The test build's sparse form misses a resource from the second step on: its point fails
 * in setup, naming the step, the agent and both perceptions; the dense point runs. */
static void a_wrong_form_fails_its_point(void **state)
{
    (void)state;
    int rc;
    json_t *doc = run("iterations: {warmup: 1, measured: 2}\n"
                      "experiments:\n"
                      "  - experiment: test_perception_metrics\n"
                      "    params: {form: [dense, sparse], agents: 50, world: 20}\n", &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(e2e_text(doc, "points/0/status"), "ok");
    assert_string_equal(e2e_text(doc, "points/1/status"), "failed");
    const char *error = e2e_text(doc, "points/1/error");
    if (!strstr(error, "setup failed: grid, sparse disagrees with brute, dense: step 2, "
                       "agent ") ||
        !strstr(error, ": brute, dense perceives {allies ") ||
        !strstr(error, "; grid, sparse {allies "))
        fail_msg("the error does not name the difference: %s", error);
    json_decref(doc);
}

/* Not checked in setup past the start, the wrong form is caught at the end (thread_end),
 * against a reference stepped as far; without check_end it is not. */
static void the_end_check_catches_it(void **state)
{
    (void)state;
    int rc;
    json_t *doc = run("iterations: {warmup: 1, measured: 3}\n"
                      "experiments:\n"
                      "  - experiment: test_perception_metrics\n"
                      "    params: {form: sparse, agents: 50, world: 20, check_steps: 0, "
                      "check_end: [true, false]}\n", &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(e2e_text(doc, "points/0/status"), "failed");
    const char *error = e2e_text(doc, "points/0/error");
    if (!strstr(error, "at the end: grid, sparse disagrees with brute, dense: step 4, agent "))
        fail_msg("the error does not say the end check found it: %s", error);
    assert_string_equal(e2e_text(doc, "points/1/status"), "ok");
    json_decref(doc);
}

/* Only one thread: the world is stepped by every iteration. */
static void threads_are_refused(void **state)
{
    (void)state;
    char *dir = e2e_dir("threads");
    char *spec = e2e_write(dir, "threads.yaml", "experiments:\n"
                                                "  - experiment: perception_metrics\n"
                                                "    threads: 2\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    if (!strstr(p.err, "'perception_metrics' runs on one thread only"))
        fail_msg("not refused for its threads:\n%s", p.err);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_form_and_lookup_perceives_alike),
        cmocka_unit_test(fewer_channels),
        cmocka_unit_test(a_wrong_form_fails_its_point),
        cmocka_unit_test(the_end_check_catches_it),
        cmocka_unit_test(threads_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
