/*
 * test_observation_flow — the observation_flow experiment through bhost:
 * every lookup x storage runs at small sizes, re-checked against brute,
 * dense every iteration; its counters, histograms and gauge are there and
 * agree across lookups and storages (the same world from data_seed); a
 * storage path wrong on purpose (the test build) fails its point in setup
 * with the step, the agent and the cell, and fails iterations when only
 * verify_every can see it; threads are refused.
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

/* Runs `spec_text`, expecting exit code `rc`; the results (owned). */
static json_t *run(const char *spec_text, int rc)
{
    char *dir = e2e_dir("observation"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "observation.yaml", spec_text);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    if (p.rc != rc)
        fail_msg("bhost run exited %d, not %d:\n%s", p.rc, rc, p.err);
    json_t *doc = e2e_results(out);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

static void every_lookup_and_storage_runs(void **state)
{
    (void)state;
    json_t *doc = run("iterations: {warmup: 1, measured: 3}\n"
                      "experiments:\n"
                      "  - experiment: observation_flow\n"
                      "    params:\n"
                      "      lookup: [brute, kdtree, quadtree, grid]\n"
                      "      storage: [dense, sparse]\n"
                      "      agents: [50, 300]\n"
                      "      world: 40\n"
                      "      radius: 3\n"
                      "      steps: 2\n"
                      "      check_steps: 4\n"
                      "      verify_every: 1\n", 0);
    json_t *points = e2e_at(doc, "points");
    assert_int_equal(json_array_size(points), 4 * 2 * 2);
    double entities[2] = {-1, -1}, cells[2][2] = {{-1, -1}, {-1, -1}};
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *label = e2e_text(pt, "label");
        if (strcmp(e2e_text(pt, "status"), "ok") != 0)
            fail_msg("%s: %s", label, e2e_text(pt, "error"));
        int big = strstr(label, "agents=300") != NULL;
        int sparse = strstr(label, "storage=sparse") != NULL;
        double agents = big ? 300 : 50;
        assert_true(e2e_number(pt, "failures/count") == 0);
        assert_true(e2e_number(pt, "metrics/agents_observed/value") == 3 * 2 * agents);
        assert_true(e2e_number(pt, "histograms/step/count") == 3 * 2);
        assert_true(e2e_number(pt, "histograms/observation/count") == 3 * 2 * agents);
        assert_true(e2e_number(pt, "metrics/candidates_checked/value") > 0);
        e2e_at(pt, "metrics/nodes_visited/value");
        /* the same world, whatever the lookup: the same agents found, the same cells */
        double e = e2e_number(pt, "metrics/entities_visited/value");
        double c = e2e_number(pt, "metrics/cells_written/value");
        assert_true(e > 3 * 2 * agents); /* at least itself, each */
        if (entities[big] < 0)
            entities[big] = e;
        else if (e != entities[big])
            fail_msg("%s: entities_visited %g, another point %g", label, e, entities[big]);
        if (cells[big][sparse] < 0)
            cells[big][sparse] = c;
        else if (c != cells[big][sparse])
            fail_msg("%s: cells_written %g, another point %g", label, c, cells[big][sparse]);
        double bytes = e2e_number(pt, "metrics/observation_bytes/value");
        if (sparse)
            assert_true(bytes > 0 && bytes < 6 * 49 * 4);
        else
            assert_true(bytes == 6 * 49 * 4);
    }
    assert_true(cells[0][0] == 3 * 2 * 50 * 6 * 49);
    assert_true(cells[0][1] < cells[0][0]);
    json_decref(doc);
}

/* The test build's sparse path gets agent 5's last entry wrong from step 2: setup's
 * cross-check names step 2, agent 5 and the cell; the dense point runs. */
static void a_broken_storage_fails_its_point(void **state)
{
    (void)state;
    json_t *doc = run("iterations: {warmup: 1, measured: 2}\n"
                      "experiments:\n"
                      "  - experiment: test_observation_flow\n"
                      "    params: {storage: [dense, sparse], agents: 40, world: 20, "
                      "lookup: kdtree}\n", 1);
    assert_string_equal(e2e_text(doc, "points/0/status"), "ok");
    assert_string_equal(e2e_text(doc, "points/1/status"), "failed");
    const char *error = e2e_text(doc, "points/1/error");
    if (!strstr(error, "setup failed: kdtree, sparse disagrees with brute, dense: step 2, "
                       "agent 5: checksum ") ||
        !strstr(error, "; first differing cell (channel 5 VISIBLE, row "))
        fail_msg("the error does not name the step, agent and cell: %s", error);
    json_decref(doc);
}

/* Checked in setup only at the start, the broken path is caught by verify_every: every
 * iteration from step 2 on fails, naming the step. */
static void verify_every_catches_it_later(void **state)
{
    (void)state;
    json_t *doc = run("iterations: {warmup: 1, measured: 4}\n"
                      "experiments:\n"
                      "  - experiment: test_observation_flow\n"
                      "    params: {storage: sparse, agents: 40, world: 20, check_steps: 0, "
                      "verify_every: 1}\n", 1);
    json_t *pt = e2e_at(doc, "points/0");
    assert_true(e2e_number(pt, "failures/count") == 4);
    const char *reason = e2e_text(pt, "failures/reasons/0/reason");
    if (!strstr(reason, "grid, sparse disagrees with brute, dense: step ") ||
        !strstr(reason, ", agent 5: "))
        fail_msg("the reason does not name the step and agent: %s", reason);
    json_decref(doc);
}

/* Checked in setup only at the start and not during the run, the broken path is caught at
 * the end (thread_end), against a reference stepped as far; without check_end it is not. */
static void the_end_check_catches_it(void **state)
{
    (void)state;
    json_t *doc = run("iterations: {warmup: 1, measured: 4}\n"
                      "experiments:\n"
                      "  - experiment: test_observation_flow\n"
                      "    params: {storage: sparse, agents: 40, world: 20, check_steps: 0, "
                      "check_end: [true, false]}\n", 1);
    json_t *pt = e2e_at(doc, "points/0");
    assert_string_equal(e2e_text(pt, "status"), "failed");
    const char *error = e2e_text(pt, "error");
    if (!strstr(error, "at the end: grid, sparse disagrees with brute, dense: step 5, agent 5: "))
        fail_msg("the error does not say the end check found it: %s", error);
    assert_string_equal(e2e_text(e2e_at(doc, "points/1"), "status"), "ok");
    json_decref(doc);
}

static void threads_are_refused(void **state)
{
    (void)state;
    char *dir = e2e_dir("refused");
    char *spec = e2e_write(dir, "refused.yaml", "experiments:\n"
                                                "  - experiment: observation_flow\n"
                                                "    threads: 2\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    if (!strstr(p.err, "observation_flow"))
        fail_msg("no refusal naming the experiment:\n%s", p.err);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_lookup_and_storage_runs),
        cmocka_unit_test(a_broken_storage_fails_its_point),
        cmocka_unit_test(verify_every_catches_it_later),
        cmocka_unit_test(the_end_check_catches_it),
        cmocka_unit_test(threads_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
