/*
 * test_seed_form — specs in the seed suite's own form run unchanged: its
 * documented single-run and sweep examples (tests/specs/seed/), and what a
 * spec of that form gets wrong is said at its line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR

/* The one run folder under dir (owned), which the spec's output_dir named. */
static char *only_run(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("no %s: output_dir was not used", dir);
    struct dirent *e;
    char *found = NULL;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            assert_null(found);
            found = malloc(strlen(dir) + strlen(e->d_name) + 2);
            sprintf(found, "%s/%s", dir, e->d_name);
        }
    closedir(d);
    assert_non_null(found);
    return found;
}

/* Runs spec (a file of tests/specs/seed/) from a fresh directory; its results (owned). */
static json_t *run_seed_spec(const char *name, const char *output_dir)
{
    char spec[512], cwd[4096];
    snprintf(spec, sizeof spec, "%s/seed/%s", BHOST_TEST_SPEC_DIR, name);
    char *dir = e2e_dir("seed");
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "-q", NULL});
    if (p.rc != 0)
        fail_msg("%s: bhost run exited %d:\n%s", name, p.rc, p.err);
    char *run = only_run(output_dir);
    json_t *doc = e2e_results(run);
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(run);
    free(dir);
    return doc;
}

static void the_single_run_example_runs(void **state)
{
    (void)state;
    json_t *doc = run_seed_spec("my_new_benchmark_baseline.yaml",
                                "benchmarks/results/my_new_benchmark");
    assert_int_equal(json_array_size(e2e_at(doc, "points")), 1);
    json_t *pt = e2e_at(doc, "points/0");
    assert_string_equal(json_string_value(e2e_at(pt, "status")), "ok");
    assert_int_equal(json_integer_value(e2e_at(pt, "iterations/measured")), 3);
    /* parameters.custom_setting reached the plugin; psutil is the resources instrument. */
    assert_true(json_number_value(e2e_at(pt, "metrics/custom_runs/value")) == 3);
    assert_true(json_number_value(e2e_at(pt, "metrics/resources.samples/value")) >= 1);
    assert_string_equal(json_string_value(e2e_at(doc, "spec/notes")),
                        "Baseline test for my new benchmark");
    assert_int_equal(json_integer_value(e2e_at(doc, "spec/seed")), 42);
    json_decref(doc);
}

static void the_sweep_example_runs(void **state)
{
    (void)state;
    json_t *doc = run_seed_spec("my_new_benchmark_sweep.yaml",
                                "benchmarks/results/my_new_benchmark_sweep");
    assert_int_equal(json_array_size(e2e_at(doc, "points")), 4 * 3);
    size_t i;
    json_t *pt;
    json_array_foreach(e2e_at(doc, "points"), i, pt)
        assert_string_equal(json_string_value(e2e_at(pt, "status")), "ok");
    assert_non_null(strstr(json_string_value(e2e_at(doc, "points/11/label")),
                           "param1=500,param2=option3"));
    json_decref(doc);
}

static void mistakes_point_into_the_file(void **state)
{
    (void)state;
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"experiment: my_new_benchmark\nexperiments: []\n",
         "2:1: a spec has 'experiment:' (one experiment, the seed suite's form) or "
         "'experiments:' (a list), not both"},
        {"experiment: my_new_benchmark\ninstrumentation: [timing, psutill]\n",
         "2:27: unknown instrument 'psutill'"},
        {"experiment: my_new_benchmark\nparams:\n  parameters:\n    custom_setting: maybe\n",
         "4:21: custom_setting: expected true or false, got 'maybe'"},
        {"experiment: my_new_bench\n", "1:13: unknown experiment 'my_new_bench'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = e2e_dir("bad");
        char *spec = e2e_write(dir, "bad.yaml", cases[i].text);
        struct proc p;
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
        assert_int_equal(p.rc, 2);
        char want[512];
        snprintf(want, sizeof want, "%s:%s", spec, cases[i].says);
        if (!strstr(p.err, want))
            fail_msg("expected \"%s\" in:\n%s", want, p.err);
        e2e_proc_free(&p);
        free(spec);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_single_run_example_runs),
        cmocka_unit_test(the_sweep_example_runs),
        cmocka_unit_test(mistakes_point_into_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
