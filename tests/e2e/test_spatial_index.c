/*
 * test_spatial_index — the spatial_index experiment through bhost: every
 * index built into it runs every op on every distribution; indexes answer
 * alike (the same radius results on the same data, k per k-NN query); the
 * counters and gauges are there; an index that disagrees with brute force
 * fails its point with the first differing query; check() refuses what no
 * point could run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "spatial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR

/* Runs `spec_text`; the results (owned) of a run that must succeed. */
static json_t *run(const char *spec_text)
{
    char *dir = e2e_dir("spatial"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "spatial.yaml", spec_text);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    if (p.rc != 0)
        fail_msg("bhost run exited %d:\n%s", p.rc, p.err);
    json_t *doc = e2e_results(out);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

static void every_index_runs_every_op(void **state)
{
    (void)state;
    char impls[256] = "";
    for (size_t i = 0; spatial_impls[i]; i++)
        snprintf(impls + strlen(impls), sizeof impls - strlen(impls), "%s%s", i ? ", " : "",
                 spatial_impls[i]->name);
    char spec[1024];
    snprintf(spec, sizeof spec,
             "iterations: {warmup: 1, measured: 3}\n"
             "experiments:\n"
             "  - experiment: spatial_index\n"
             "    params:\n"
             "      impl: [%s]\n"
             "      points: 3000\n"
             "      distribution: [uniform, dense]\n"
             "      op: [build, radius, knn, update]\n"
             "      queries: 40\n"
             "      radius: 30\n"
             "      k: 7\n"
             "      check_queries: 50\n", impls);
    json_t *doc = run(spec);
    json_t *points = e2e_at(doc, "points");
    size_t nimpls = 0;
    while (spatial_impls[nimpls])
        nimpls++;
    assert_int_equal(json_array_size(points), nimpls * 2 * 4);
    double radius_results[2] = {-1, -1};
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *label = e2e_text(pt, "label");
        if (strcmp(e2e_text(pt, "status"), "ok") != 0)
            fail_msg("%s: %s", label, e2e_text(pt, "error"));
        int dense = strstr(label, "distribution=dense") != NULL;
        assert_true(e2e_number(pt, "metrics/bytes_per_point/value") > 0 ||
                    strcmp(e2e_text(pt, "metrics/bytes_per_point/kind"), "unavailable") == 0);
        if (strstr(label, "op=build")) {
            assert_int_equal((json_integer_value(e2e_at(pt, "histograms/build/count"))), 3);
            continue;
        }
        double queries = e2e_number(pt, "metrics/queries/value");
        double results = e2e_number(pt, "metrics/results/value");
        assert_true(queries == 3 * 40);
        assert_int_equal(json_integer_value(e2e_at(pt, "histograms/query/count")), 3 * 40);
        if (strstr(label, "op=radius")) { /* the same data: the same answers, whatever index */
            if (radius_results[dense] < 0)
                radius_results[dense] = results;
            else if (results != radius_results[dense])
                fail_msg("%s: %g results, another index found %g", label, results,
                         radius_results[dense]);
        } else {
            assert_true(results == 3 * 40 * 7); /* k each */
            assert_int_equal(json_integer_value(e2e_at(pt, "histograms/results_per_query/p50")), 7);
        }
        if (strstr(label, "op=update"))
            assert_true(e2e_number(pt, "metrics/moves/value") == 3 * 30); /* 1 % of 3000 */
        if (!strstr(label, "impl=brute"))
            assert_true(e2e_number(pt, "metrics/candidates_checked/value") < 3 * 40 * 3000);
    }
    assert_true(radius_results[0] > 0 && radius_results[1] > radius_results[0]);
    json_decref(doc);
}

/* threads: 2 on queries: each thread its own queries, the index shared. */
static void queries_run_on_threads(void **state)
{
    (void)state;
    json_t *doc = run("iterations: {warmup: 1, measured: 4}\n"
                      "experiments:\n"
                      "  - experiment: spatial_index\n"
                      "    params: {impl: brute, points: 2000, op: knn, queries: 30, k: 5}\n"
                      "    threads: 2\n");
    json_t *pt = e2e_at(doc, "points/0");
    assert_string_equal(e2e_text(pt, "status"), "ok");
    assert_true(e2e_number(pt, "metrics/results/value") == 2 * 4 * 30 * 5);
    json_decref(doc);
}

/* An index wrong on purpose (test_spatial_index's "broken" forgets a tie): its point fails in
 * setup with the query that differs; the other point runs. */
static void a_broken_index_fails_its_point(void **state)
{
    (void)state;
    char *dir = e2e_dir("broken"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "broken.yaml",
                           "iterations: {warmup: 1, measured: 2}\n"
                           "experiments:\n"
                           "  - experiment: test_spatial_index\n"
                           "    params: {impl: [brute, broken], points: 500, world: 10, "
                           "distribution: dense, queries: 10, k: 6}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    assert_string_equal(e2e_text(doc, "points/0/status"), "ok");
    assert_string_equal(e2e_text(doc, "points/1/status"), "failed");
    const char *error = e2e_text(doc, "points/1/error");
    if (!strstr(error, "setup failed: broken disagrees with brute force: ") ||
        !strstr(error, "knn query ") ||
        !strstr(error, "k 6: brute force finds 6 points, broken 5: it misses point "))
        fail_msg("the error does not name the query: %s", error);
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* What no point could run is refused before anything runs. */
static void check_refuses_what_cannot_run(void **state)
{
    (void)state;
    static const struct {
        const char *line, *says;
    } cases[] = {
        {"    params: {op: build}\n    threads: 2\n",
         "op build changes the index: it runs on one thread"},
        {"    params: {impl: rtree, op: knn}\n    threads: 2\n",
         "impl rtree runs on one thread"},
        {"    params: {impl: grid, cell: 0.01}\n", "makes 10000000000 cells; at most 16,000,000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = e2e_dir("refused"), text_[512];
        snprintf(text_, sizeof text_, "experiments:\n  - experiment: spatial_index\n%s",
                 cases[i].line);
        char *spec = e2e_write(dir, "refused.yaml", text_);
        struct proc p;
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
        assert_int_equal(p.rc, 2);
        if (!strstr(p.err, cases[i].says) || !strstr(p.err, ":2:17: experiment 'spatial_index'"))
            fail_msg("expected \"%s\" in:\n%s", cases[i].says, p.err);
        e2e_proc_free(&p);
        free(spec);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_index_runs_every_op),
        cmocka_unit_test(queries_run_on_threads),
        cmocka_unit_test(a_broken_index_fails_its_point),
        cmocka_unit_test(check_refuses_what_cannot_run),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
