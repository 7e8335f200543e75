/*
 * test_compare.c — `bhost compare` end to end: two real runs of `spin`, one
 * spinning twice as long, compared as table, JSON and Markdown with their
 * exit codes; a run compared with itself; inputs that must be refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static const char spec_text[] =
    "name: compare-e2e\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: 20000, mode: clock}\n"
    "    iterations: {warmup: 20, measured: 300}\n"
    "    repetitions: 6\n";

static char *run_a, *run_b;

static char *run_spec(const char *spec, const char *set)
{
    char *dir = e2e_dir("run");
    struct proc p;
    const char *args[] = {"run", spec, "--out", dir, "-q", set ? "--set" : NULL, set, NULL};
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost run exited %d: %s", p.rc, p.err);
    e2e_proc_free(&p);
    return dir;
}

/*
 * A runs ns=20000, B ns=40000. A point's id hashes its parameters, so B's
 * points are given A's ids: the same point, measured twice as slow. In
 * mode=clock an iteration lasts at least its ns however loaded the machine
 * is, so B's p50 stays past A's unless most of A's iterations were delayed.
 */
static int setup(void **state)
{
    (void)state;
    char *sdir = e2e_dir("spec");
    char *spec = e2e_write(sdir, "compare.yaml", spec_text);
    run_a = run_spec(spec, NULL);
    char *slow = run_spec(spec, "ns=40000");
    json_t *a = e2e_results(run_a), *b = e2e_results(slow);
    assert_non_null(a);
    assert_non_null(b);
    json_t *pa = json_object_get(a, "points"), *pb = json_object_get(b, "points");
    assert_int_equal(json_array_size(pa), json_array_size(pb));
    for (size_t i = 0; i < json_array_size(pb); i++)
        json_object_set(json_array_get(pb, i), "id",
                        json_object_get(json_array_get(pa, i), "id"));
    run_b = e2e_dir("slow");
    char *text = json_dumps(b, JSON_INDENT(1));
    free(e2e_write(run_b, "results.json", text));
    free(text);
    json_decref(a);
    json_decref(b);
    free(slow);
    free(spec);
    free(sdir);
    return 0;
}

static int teardown(void **state)
{
    free(run_a);
    free(run_b);
    return e2e_cleanup(state);
}

static void test_slower_table(void **state)
{
    (void)state;
    struct proc p;
    const char *args[] = {"compare", run_a, run_b, NULL};
    e2e_run(&p, args);
    if (p.rc != 4 || !strstr(p.out, "slower"))
        fail_msg("compare exited %d (want 4) with: %s%s", p.rc, p.out, p.err);
    assert_non_null(strstr(p.out, "point"));
    assert_non_null(strstr(p.out, "interval"));
    assert_non_null(strstr(p.out, "figures:"));
    assert_non_null(strstr(p.out, "geometric mean p50 "));
    /* the repetitions of one run shared its process: said on stderr */
    assert_non_null(strstr(p.err, "fresh_process: true"));
    e2e_proc_free(&p);
}

static void test_slower_json(void **state)
{
    (void)state;
    struct proc p;
    const char *args[] = {"compare", run_a, run_b, "--json", NULL};
    e2e_run(&p, args);
    assert_int_equal(p.rc, 4);
    json_error_t e;
    json_t *j = json_loads(p.out, 0, &e);
    if (!j)
        fail_msg("--json is not JSON (%s): %s", e.text, p.out);
    assert_string_equal(e2e_text(j, "outcome"), "regression");
    assert_string_equal(e2e_text(j, "figures/0/figure"), "p50");
    assert_string_equal(e2e_text(j, "figures/0/verdict"), "slower");
    double ratio = e2e_number(j, "figures/0/ratio");
    if (!(ratio > 1.2))
        fail_msg("p50 ratio %g for twice the spin", ratio);
    assert_true(e2e_number(j, "figures/0/lo") > 1);
    assert_int_equal((int)e2e_number(j, "figures/0/na"), 6);
    assert_true(e2e_number(j, "summary/slower") >= 1);
    assert_true(e2e_number(j, "options/threshold") == 0.02);
    assert_string_equal(e2e_text(j, "b"), run_b);
    json_decref(j);
    e2e_proc_free(&p);
}

static void test_markdown(void **state)
{
    (void)state;
    struct proc p;
    const char *args[] = {"compare", run_a, run_b, "--markdown", NULL};
    e2e_run(&p, args);
    assert_int_equal(p.rc, 4);
    assert_non_null(strstr(p.out, "\n| point | figure | A | B | ratio | 95% interval | verdict |\n"));
    assert_non_null(strstr(p.out, "|:--|:--|--:|--:|--:|:--|:--|"));
    assert_non_null(strstr(p.out, "🔴 slower"));
    e2e_proc_free(&p);
}

/*
 * A file against itself: every ratio is 1 and every interval symmetric around
 * it. Only p50, with a 10 % threshold: its repetitions' spread, not chance,
 * decides the interval's width, and that wide a spread would be a broken run.
 */
static void test_itself(void **state)
{
    (void)state;
    struct proc p;
    const char *args[] = {"compare", run_a, run_a, "--percentiles", "50", "--threshold", "10%",
                          NULL};
    e2e_run(&p, args);
    if (p.rc != 0 || !strstr(p.out, "same"))
        fail_msg("compare with itself exited %d (want 0): %s%s", p.rc, p.out, p.err);
    assert_non_null(strstr(p.out, "1.000"));
    e2e_proc_free(&p);
}

static void test_refused(void **state)
{
    (void)state;
    struct proc p;
    const char *missing[] = {"compare", run_a, "/nonexistent/compare-b.json", NULL};
    e2e_run(&p, missing);
    if (p.rc != 2 || !strstr(p.err, "/nonexistent/compare-b.json"))
        fail_msg("a missing file: exit %d, stderr %s", p.rc, p.err);
    e2e_proc_free(&p);
    const char *one[] = {"compare", run_a, NULL};
    e2e_run(&p, one);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "needs two runs"));
    e2e_proc_free(&p);
    const char *bad_threshold[] = {"compare", run_a, run_b, "--threshold", "2", NULL};
    e2e_run(&p, bad_threshold);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--threshold"));
    e2e_proc_free(&p);
    const char *bad_pct[] = {"compare", run_a, run_b, "--percentiles", "50,101", NULL};
    e2e_run(&p, bad_pct);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "percentile 101"));
    e2e_proc_free(&p);
    const char *both[] = {"compare", run_a, run_b, "--json", "--markdown", NULL};
    e2e_run(&p, both);
    assert_int_equal(p.rc, 2);
    e2e_proc_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slower_table),
        cmocka_unit_test(test_slower_json),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_itself),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
