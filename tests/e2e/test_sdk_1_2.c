/*
 * test_sdk_1_2.c — SDK 1.2 end to end: an instrument (test_sdk12) attached
 * to spin on one and two threads reports a metric it cannot measure, notes
 * and tables; results.json holds them as docs/results.md says, the
 * terminal says once per run what is unavailable and prints the shown
 * table under the run's summary, merge keeps them, and each misuse of the
 * table API fails the point naming the call.
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
#include <unistd.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR

static json_t *at(json_t *v, const char *path)
{
    char copy[256], *save = NULL;
    snprintf(copy, sizeof copy, "%s", path);
    for (char *k = strtok_r(copy, "/", &save); k && v; k = strtok_r(NULL, "/", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
    if (!v)
        fail_msg("no %s", path);
    return v;
}

static const char *text(json_t *v, const char *path)
{
    const char *s = json_string_value(at(v, path));
    return s ? s : "(not a string)";
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char *spec_with(const char *dir, const char *misuse)
{
    char text[512];
    snprintf(text, sizeof text,
             "iterations: {warmup: 10, measured: 1000}\n"
             "repetitions: 3\n"
             "threads: [1, 2]\n"
             "experiments:\n"
             "  - experiment: spin\n"
             "    params: {ns: 100}\n"
             "    instruments:\n"
             "      - instrument: test_sdk12\n"
             "        params: {misuse: %s}\n",
             misuse);
    return e2e_write(dir, "s12.yaml", text);
}

static void reports_reach_results_and_the_terminal(void **state)
{
    (void)state;
    char *dir = e2e_dir("sdk12"), *out = e2e_dir("out");
    char *spec = spec_with(dir, "none");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    for (size_t i = 0; i < 2; i++) {
        json_t *pt = at(at(doc, "points"), i == 0 ? "0" : "1");
        assert_string_equal(text(pt, "status"), "ok");
        /* Unavailable: a reason and no value, whatever was added to it afterwards. */
        json_t *cycles = at(pt, "metrics/test_sdk12.cycles");
        assert_string_equal(text(cycles, "kind"), "unavailable");
        assert_true(json_is_null(at(cycles, "value")));
        assert_string_equal(text(cycles, "reason"), "no PMU in this test");
        assert_true(json_number_value(at(pt, "metrics/test_sdk12.calls/value")) == 1.0);
        /* The note: the point's label. */
        assert_string_equal(text(pt, "notes/test_sdk12.label"), text(pt, "label"));
        /* The shown table: columns with units (null for text), rows in order. */
        json_t *top = at(pt, "tables/test_sdk12.top");
        assert_string_equal(text(top, "title"), "Top functions");
        assert_true(json_is_true(at(top, "show")));
        assert_true(json_is_false(at(top, "series")));
        assert_true(json_is_null(at(top, "columns/0/unit")));
        assert_string_equal(text(top, "columns/1/unit"), "%");
        assert_string_equal(text(top, "columns/2/name"), "samples");
        assert_int_equal(json_array_size(at(top, "rows")), 3);
        assert_string_equal(text(top, "rows/0/0"), "hot_loop");
        assert_true(json_number_value(at(top, "rows/0/1")) == 75.0);
        assert_true(json_is_null(at(top, "rows/2/0")));
        assert_int_equal(json_integer_value(at(top, "rows_dropped")), 0);
        /* The series. */
        json_t *series = at(pt, "tables/test_sdk12.series");
        assert_true(json_is_true(at(series, "series")));
        assert_true(json_is_false(at(series, "show")));
        assert_int_equal(json_array_size(at(series, "rows")), 5);
        assert_true(json_number_value(at(series, "rows/4/0")) == 400.0);
        assert_true(json_number_value(at(series, "rows/4/1")) == 20480.0);
        /* A row from each thread's thread_start. */
        json_int_t threads = json_integer_value(at(pt, "threads"));
        assert_int_equal(json_array_size(at(pt, "tables/test_sdk12.threads/rows")), threads);
        /* Paused after each of the 3 repetitions on every thread, resumed before the 2 later
         * ones, and thread_end found every thread paused. */
        assert_true(json_number_value(at(pt, "metrics/test_sdk12.pauses/value")) == 3.0 * threads);
        assert_true(json_number_value(at(pt, "metrics/test_sdk12.resumes/value")) == 2.0 * threads);
        assert_null(json_object_get(at(pt, "metrics"), "test_sdk12.out_of_order"));
    }
    /* The run's own: in the instrument's entry, without a prefix. */
    json_t *entry = at(doc, "instruments/0");
    assert_string_equal(text(entry, "notes/scope"), "the run");
    assert_int_equal(json_array_size(at(entry, "tables/runs/rows")), 1);
    /* The terminal: unavailable told once for the run, the shown table under the summary. */
    assert_int_equal(count_of(p.err, "unavailable here"), 1);
    expect_in(p.err, "bhost: unavailable here: test_sdk12.cycles (no PMU in this test)\n");
    assert_null(strstr(p.out, "cycles")); /* not in the summary's metrics line without -v */
    assert_int_equal(count_of(p.out, "\nTop functions: spin["), 2);
    expect_in(p.out, "  hot_loop ");
    expect_in(p.out, "75.0%");
    expect_in(p.out, "a_function_whose_name_is_far_too_long_to_print_in_full..");
    json_decref(doc);
    e2e_proc_free(&p);

    /* -q: neither. -v: the whole name, and the metric in each point's lines. */
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 0);
    assert_null(strstr(p.out, "Top functions"));
    assert_null(strstr(p.err, "unavailable"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-v",
                                 NULL});
    assert_int_equal(p.rc, 0);
    expect_in(p.out, "a_function_whose_name_is_far_too_long_to_print_in_full_here_and_goes_on_"
                     "past_one_hundred_and_twenty_eight_bytes_as_template_names_do_END ");
    expect_in(p.out, "test_sdk12.cycles unavailable: no PMU in this test");
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* bhost merge and bhost hdr read results with unavailable metrics, notes and tables; a
 * merged point keeps the later input's notes and tables, and stays unavailable. */
static void merge_keeps_reports(void **state)
{
    (void)state;
    char *dir = e2e_dir("m12"), *a = e2e_dir("a"), *b = e2e_dir("b"), *m = e2e_dir("m");
    char *spec = spec_with(dir, "none");
    struct proc p;
    const char *outs[] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", outs[i],
                                     "-q", NULL});
        assert_int_equal(p.rc, 0);
        e2e_proc_free(&p);
    }
    e2e_run(&p, (const char *[]){"merge", a, b, "-o", m, NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    json_t *doc = e2e_results(m);
    json_t *pt = at(doc, "points/0");
    assert_string_equal(text(pt, "metrics/test_sdk12.cycles/kind"), "unavailable");
    assert_true(json_number_value(at(pt, "metrics/test_sdk12.calls/value")) == 2.0);
    assert_int_equal(json_array_size(at(pt, "tables/test_sdk12.top/rows")), 3);
    assert_string_equal(text(pt, "notes/test_sdk12.label"), text(pt, "label"));
    assert_string_equal(text(doc, "instruments/0/notes/scope"), "the run");
    json_decref(doc);
    free(spec);
    free(dir);
    free(a);
    free(b);
    free(m);
}

/* A results file whose table is not one (a hand edit) is refused with the field named. */
static void a_damaged_table_is_refused(void **state)
{
    (void)state;
    char *dir = e2e_dir("bad12"), *a = e2e_dir("a"), *b = e2e_dir("b"), *m = e2e_dir("m");
    char *spec = spec_with(dir, "none");
    struct proc p;
    const char *outs[] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", outs[i],
                                     "-q", NULL});
        assert_int_equal(p.rc, 0);
        e2e_proc_free(&p);
    }
    json_t *doc = e2e_results(b);
    json_array_append_new(at(doc, "points/0/tables/test_sdk12.top/rows/0"), json_integer(1));
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", b);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    e2e_run(&p, (const char *[]){"merge", a, b, "-o", m, NULL});
    assert_int_equal(p.rc, 2);
    expect_in(p.err, "tables.test_sdk12.top.rows[0]: not one cell per column");
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(a);
    free(b);
    free(m);
}

/* Each misuse of the table API fails the point, naming the call and what is wrong. */
static void table_misuse_fails_the_point(void **state)
{
    (void)state;
    static const struct {
        const char *misuse, *error;
    } cases[] = {
        {"text_in_number", "bhost_table_row(\"test_sdk12.top\"): column 'self' holds numbers, "
                           "not text"},
        {"no_options", "bhost_table_get(\"top\"): give options filled with BHOST_TABLE_OPTIONS"},
        {"other_columns", "bhost_table_get(\"top\"): the table was made with other columns"},
        {"bad_column", "bhost_table_get(\"top\"): a column's name is [a-z][a-z0-9_]*"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = e2e_dir("mis12"), *out = e2e_dir("out");
        char *spec = spec_with(dir, cases[i].misuse);
        struct proc p;
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                     NULL});
        assert_int_equal(p.rc, 1);
        json_t *doc = e2e_results(out);
        json_t *pt = at(doc, "points/0");
        assert_string_equal(text(pt, "status"), "failed");
        expect_in(text(pt, "error"), "instrument 'test_sdk12' point_end: plugin bug: ");
        expect_in(text(pt, "error"), cases[i].error);
        json_decref(doc);
        e2e_proc_free(&p);
        free(spec);
        free(dir);
        free(out);
    }
}

/* check() (ABI 1.2): bhost validate and bhost run refuse the first point a plugin's check
 * refuses, at the experiment's line, naming the point; a check that crashes, exits, hangs
 * or uses a service it may not costs only the check, with a message saying which. */
static void checks_refuse_points_before_anything_runs(void **state)
{
    (void)state;
    static const struct {
        const char *misbehave, *says;
    } cases[] = {
        {"none", "point test_check[n=2,threads=2]: n = 2 is refused (on 2 threads, at "
                 "test_check[n=2,threads=2])\n"},
        {"crash", "point test_check[n=1,threads=2]: check() was killed by SIGSEGV"},
        {"exit", "point test_check[n=1,threads=2]: check() ended the process (exit status 0)"},
        {"hang", "point test_check[n=1,threads=2]: check() did not return in 0.3 s"},
        {"misuse", "point test_check[n=1,threads=2]: plugin bug: bhost_counter_add() in "
                   "check()"},
    };
    setenv("BHOST_CHECK_TIMEOUT", "0.3", 1);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = e2e_dir("check"), text[512];
        snprintf(text, sizeof text,
                 "experiments:\n"
                 "  - experiment: test_check\n"
                 "    params: {n: [1, 2, 3], refuse_at: 2, misbehave: %s}\n"
                 "    threads: [2, 1]\n", cases[i].misbehave);
        char *spec = e2e_write(dir, "check.yaml", text);
        char want[1024];
        snprintf(want, sizeof want, "%s:2:17: experiment 'test_check', %s", spec, cases[i].says);
        for (int run = 0; run < 2; run++) {
            struct proc p;
            char *run_out = e2e_dir("none");
            rmdir(run_out);
            if (run)
                e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out",
                                             run_out, NULL});
            else
                e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
            assert_int_equal(p.rc, 2);
            if (!strstr(p.err, want))
                fail_msg("expected \"%s\" in:\n%s", want, p.err);
            assert_int_equal(access(run_out, F_OK), -1); /* nothing ran, nothing was made */
            e2e_proc_free(&p);
            free(run_out);
        }
        if (strcmp(cases[i].misbehave, "none") == 0) { /* only the points kept are checked */
            struct proc p;
            e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, "--filter",
                                         "n=3", NULL});
            assert_int_equal(p.rc, 0);
            e2e_proc_free(&p);
        }
        free(spec);
        free(dir);
    }
    unsetenv("BHOST_CHECK_TIMEOUT");
}

/* The sampler's check: perf samples CPU time only, so mode wall with method perf is refused
 * when the spec is loaded, at the instrument's entry. */
static void the_samplers_check(void **state)
{
    (void)state;
    char *dir = e2e_dir("sampler_check");
    char *spec = e2e_write(dir, "pw.yaml",
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    instruments:\n"
                           "      - {instrument: sampler, params: {method: perf, mode: wall}}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    char want[512];
    snprintf(want, sizeof want, "%s:4:9: instrument 'sampler' of experiment 'spin': method perf "
             "samples CPU time only", spec);
    if (!strstr(p.err, want))
        fail_msg("expected \"%s\" in:\n%s", want, p.err);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_reach_results_and_the_terminal),
        cmocka_unit_test(merge_keeps_reports),
        cmocka_unit_test(a_damaged_table_is_refused),
        cmocka_unit_test(table_misuse_fails_the_point),
        cmocka_unit_test(checks_refuse_points_before_anything_runs),
        cmocka_unit_test(the_samplers_check),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
