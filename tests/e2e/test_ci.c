/*
 * test_ci.c — what a CI job does with bhost (docs/ci.md), end to end with
 * the real binary: `bhost ab` on two builds of a plugin (B's iterations take
 * 35 % less time) with its repetitions alternated ABBA, a claim
 * met and the same claim missed; `bhost run` failing on a gate, comparing
 * with a baseline (a file, or the history) and failing on a regression, each
 * with its exit code; the history taking two runs at once, and a broken
 * history that costs the run nothing but its record.
 */
#define _GNU_SOURCE /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Two builds of test_fixed: every iteration of A's "takes" 1000 ns, of B's 650 ns, however
 * loaded the machine is, so that no verdict here can be noise. */
#define BUILD_A BHOST_TEST_PLUGIN_DIR "/fixed-a"
#define BUILD_B BHOST_TEST_PLUGIN_DIR "/fixed-b"

/* Five repetitions a side, each in a fresh process (B's ratio to A is 0.65). */
static const char ab_spec[] =
    "name: ci-ab\n"
    "seed: 3\n"
    "iterations: {warmup: 50, measured: 0}\n"
    "min_time: 0.01\n"
    "repetitions: 5\n"
    "experiments:\n"
    "  - experiment: test_fixed\n"
    "gates:\n"
    "  - claim: p50 20%..50% faster\n"
    "  - failures == 0\n";

static char *write_spec(const char *name, const char *text)
{
    char *dir = e2e_dir("spec");
    char *path = e2e_write(dir, name, text);
    free(dir);
    return path;
}

/* The outcome of the gate whose text starts with `text` (the first one). */
static const char *gate_state(json_t *doc, const char *text)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(doc, "gates"), i, g)
        if (strncmp(json_string_value(json_object_get(g, "gate")), text, strlen(text)) == 0)
            return json_string_value(json_object_get(g, "state"));
    fail_msg("no gate '%s' in the results", text);
    return NULL;
}

static double started(json_t *doc, size_t rep)
{
    char path[128];
    snprintf(path, sizeof path, "points/0/histograms/iteration/repetitions/%zu/started_unix_s",
             rep);
    return e2e_number(doc, path);
}

static void ab_alternates_the_builds_and_judges_the_claim(void **state)
{
    (void)state;
    char *spec = write_spec("ab.yaml", ab_spec), *out = e2e_dir("ab");
    struct proc p;
    const char *args[] = {"ab", spec, "--a", BUILD_A, "--b", BUILD_B, "--out", out, "-q",
                          "--json", "--percentiles", "50", NULL};
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost ab exited %d: %s", p.rc, p.err);
    json_error_t jerr;
    json_t *cmp = json_loads(p.out, 0, &jerr);
    if (!cmp)
        fail_msg("ab --json printed no JSON: %s\n%s", jerr.text, p.out);
    assert_string_equal(e2e_text(cmp, "figures/0/figure"), "p50");
    assert_string_equal(e2e_text(cmp, "figures/0/verdict"), "faster");
    assert_true(e2e_number(cmp, "figures/0/ratio") < 0.8);
    char *a_dir = NULL, *b_dir = NULL;
    assert_true(asprintf(&a_dir, "%s/a", out) > 0 && asprintf(&b_dir, "%s/b", out) > 0);
    json_t *a = e2e_results(a_dir), *b = e2e_results(b_dir);
    assert_non_null(a);
    assert_non_null(b);
    /* Each side measured its own build, every repetition in a fresh process. */
    assert_non_null(strstr(e2e_text(a, "points/0/plugin_file"), "fixed-a/test_fixed.so"));
    assert_non_null(strstr(e2e_text(b, "points/0/plugin_file"), "fixed-b/test_fixed.so"));
    assert_true(json_is_true(e2e_at(b, "spec/experiments/0/fresh_process")));
    /* ABBA: A1 B1, B2 A2, A3 B3, B4 A4, A5 B5; and one repetition after the other. */
    for (size_t k = 0; k < 5; k++) {
        if (k % 2 == 0)
            assert_true(started(a, k) < started(b, k));
        else
            assert_true(started(b, k) < started(a, k));
        if (k > 0)
            assert_true(started(a, k - 1) < started(a, k) && started(b, k - 1) < started(b, k));
    }
    /* B's gates, judged with A as the baseline, are in B's results. */
    assert_string_equal(gate_state(b, "claim: p50"), "met");
    assert_string_equal(gate_state(b, "failures == 0"), "met");
    assert_null(json_object_get(a, "gates"));
    json_decref(a);
    json_decref(b);
    json_decref(cmp);
    e2e_proc_free(&p);
    /* The builds swapped: A is now 1.5 times faster, the claim is missed (exit 6, over the
     * regression's 4), and the comparison's table says slower. */
    char *swapped = e2e_dir("swapped");
    const char *again[] = {"ab", spec, "--a", BUILD_B, "--b", BUILD_A, "--out", swapped,
                           "--percentiles", "50", NULL};
    e2e_run(&p, again);
    assert_int_equal(p.rc, 6);
    assert_non_null(strstr(p.out, "slower"));
    assert_non_null(strstr(p.out, "gate missed: claim: p50 20%..50% faster"));
    b = e2e_results(swapped);
    assert_null(b); /* the runs are in a/ and b/ */
    free(b_dir);
    assert_true(asprintf(&b_dir, "%s/b", swapped) > 0);
    b = e2e_results(b_dir);
    assert_string_equal(gate_state(b, "claim: p50"), "missed");
    json_decref(b);
    e2e_proc_free(&p);
    free(swapped);
    free(a_dir);
    free(b_dir);
    free(spec);
    free(out);
}

static void ab_refuses_what_it_cannot_run(void **state)
{
    (void)state;
    char *spec = write_spec("ab.yaml", ab_spec);
    struct proc p;
    const char *no_b[] = {"ab", spec, "--a", BUILD_A, NULL};
    e2e_run(&p, no_b);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--a DIR and --b DIR"));
    e2e_proc_free(&p);
    const char *missing[] = {"ab", spec, "--a", BUILD_A, "--b", "/nonexistent/builds", NULL};
    e2e_run(&p, missing);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "/nonexistent/builds"));
    e2e_proc_free(&p);
    const char *baseline[] = {"ab", spec, "--a", BUILD_A, "--b", BUILD_B, "--baseline", "x",
                              NULL};
    e2e_run(&p, baseline);
    assert_int_equal(p.rc, 2);
    e2e_proc_free(&p);
    free(spec);
}

#define RUN_SPEC_NO_GATES                                                                    \
    "name: ci-run\n"                                                                         \
    "iterations: {warmup: 50, measured: 0}\n"                                                \
    "min_time: 0.01\n"                                                                       \
    "repetitions: 5\n"                                                                       \
    "fresh_process: true\n"                                                                  \
    "experiments:\n"                                                                         \
    "  - experiment: test_fixed\n"

static const char run_spec_text[] =
    RUN_SPEC_NO_GATES
    "gates:\n"
    "  - failures == 0\n"
    "  - max_regression: 5%\n";

/* bhost run SPEC with the build in `plugins`, extra arguments; its exit code, and its run
 * directory in *dir. */
static int run(const char *spec, const char *plugins, char **dir, const char *x1,
               const char *x2, const char *x3, const char *x4, struct proc *p)
{
    *dir = e2e_dir("run");
    const char *args[] = {"--plugin-path", plugins, "run", spec, "--out", *dir, "-q",
                          "--percentiles", "50", x1, x2, x3, x4, NULL};
    e2e_run(p, args);
    return p->rc;
}

static void a_run_fails_on_a_gate_and_on_a_regression(void **state)
{
    (void)state;
    char *spec = write_spec("run.yaml", run_spec_text);
    struct proc p;
    char *fast, *slow;
    /* No baseline: the regression gate is not judged, the run passes. */
    assert_int_equal(run(spec, BUILD_B, &fast, NULL, NULL, NULL, NULL, &p), 0);
    json_t *doc = e2e_results(fast);
    assert_string_equal(gate_state(doc, "max_regression"), "not judged");
    assert_string_equal(gate_state(doc, "failures == 0"), "met");
    json_decref(doc);
    e2e_proc_free(&p);
    /* The 1.5 times slower build: the regression gate is missed, exit 6 (over 4). */
    assert_int_equal(run(spec, BUILD_A, &slow, "--baseline", fast, NULL, NULL, &p), 6);
    assert_non_null(strstr(p.out, "gate missed: max_regression: 5%"));
    doc = e2e_results(slow);
    assert_string_equal(gate_state(doc, "max_regression"), "missed");
    json_decref(doc);
    e2e_proc_free(&p);
    free(slow);
    /* Without gates, a regression against the baseline is exit 4; -q prints the
     * comparison's summary line, not its table. */
    char *plain = write_spec("plain.yaml", RUN_SPEC_NO_GATES);
    assert_int_equal(run(plain, BUILD_A, &slow, "--baseline", fast, NULL, NULL, &p), 4);
    assert_non_null(strstr(p.out, "1 figure: 1 slower, 0 faster"));
    assert_null(strstr(p.out, "compared with the baseline"));
    e2e_proc_free(&p);
    free(slow);
    /* A baseline that shares no point with the run (its spec changed every point): a note,
     * the baseline gates not judged, as on a first run; not a refusal. */
    char *other = write_spec("other.yaml", "name: ci-run\n"
                                           "iterations: {warmup: 5, measured: 100}\n"
                                           "experiments:\n"
                                           "  - experiment: noop\n"
                                           "gates:\n"
                                           "  - failures == 0\n"
                                           "  - max_regression: 5%\n");
    assert_int_equal(run(other, BUILD_A, &slow, "--baseline", fast, NULL, NULL, &p), 0);
    assert_non_null(strstr(p.err, "holds none of this run's points"));
    doc = e2e_results(slow);
    assert_string_equal(gate_state(doc, "max_regression"), "not judged");
    json_decref(doc);
    e2e_proc_free(&p);
    free(slow);
    free(other);
    /* A check missed: exit 6, the gate named with its point, figure and place. */
    char *strict = write_spec("strict.yaml", "iterations: {warmup: 50, measured: 0}\n"
                                             "min_time: 0.01\n"
                                             "experiments:\n"
                                             "  - experiment: test_fixed\n"
                                             "gates:\n"
                                             "  - p50 < 1us\n");
    assert_int_equal(run(strict, BUILD_A, &slow, NULL, NULL, NULL, NULL, &p), 6);
    assert_non_null(strstr(p.out, "gate missed: p50 < 1us at test_fixed"));
    assert_non_null(strstr(p.out, "strict.yaml:6:5"));
    e2e_proc_free(&p);
    free(slow);
    free(strict);
    free(plain);
    free(fast);
    free(spec);
}

static void the_history_gives_a_baseline(void **state)
{
    (void)state;
    char *spec = write_spec("run.yaml", run_spec_text), *hdir = e2e_dir("history");
    char *db = NULL;
    assert_true(asprintf(&db, "%s/h.sqlite", hdir) > 0);
    struct proc p;
    char *dir;
    /* The first run of a CI job: nothing to compare with yet, not an error. */
    assert_int_equal(run(spec, BUILD_B, &dir, "--history", db, "--baseline", "history", &p), 0);
    assert_non_null(strstr(p.err, "no baseline yet"));
    e2e_proc_free(&p);
    free(dir);
    /* Two runs at once into one database: both recorded. */
    char *d1 = e2e_dir("run"), *d2 = e2e_dir("run"), *l1 = e2e_dir("log"), *l2 = e2e_dir("log");
    const char *a1[] = {"--plugin-path", BUILD_B, "run", spec, "--out", d1, "-q",
                        "--history", db, NULL};
    const char *a2[] = {"--plugin-path", BUILD_B, "run", spec, "--out", d2, "-q",
                        "--history", db, NULL};
    pid_t p1 = e2e_start(l1, a1), p2 = e2e_start(l2, a2);
    assert_int_equal(e2e_wait(p1), 0);
    assert_int_equal(e2e_wait(p2), 0);
    const char *list[] = {"history", "--history", db, "--json", NULL};
    e2e_run(&p, list);
    assert_int_equal(p.rc, 0);
    json_t *runs = json_loads(p.out, 0, NULL);
    assert_int_equal(json_array_size(runs), 3);
    json_decref(runs);
    e2e_proc_free(&p);
    /* The slower build against the history's rolling baseline: exit 6, the gate missed. */
    assert_int_equal(run(spec, BUILD_A, &dir, "--history", db, "--baseline", "history", &p), 6);
    assert_non_null(strstr(p.out, "gate missed: max_regression: 5%"));
    /* The history knows which build its runs measured: another one is flagged. */
    assert_non_null(strstr(p.err, "plugin build differs"));
    e2e_proc_free(&p);
    free(dir);
    /* run.json keeps the history and the baseline, so a resume records where the run
     * would have: the database removed, resuming the run makes it again. */
    char *again_db = NULL;
    assert_true(asprintf(&again_db, "%s/again.sqlite", hdir) > 0);
    assert_int_equal(run(spec, BUILD_B, &dir, "--history", again_db, NULL, NULL, &p), 0);
    e2e_proc_free(&p);
    assert_int_equal(remove(again_db), 0);
    const char *resume[] = {"run", "--resume", dir, "-q", NULL};
    e2e_run(&p, resume);
    assert_int_equal(p.rc, 0);
    struct stat st;
    assert_int_equal(stat(again_db, &st), 0);
    e2e_proc_free(&p);
    free(dir);
    free(again_db);
    /* A history that is not a database: the run's results are written, exit 3. */
    char *bad = e2e_write(hdir, "bad.sqlite", "this is not an SQLite database, not at all\n");
    assert_int_equal(run(spec, BUILD_B, &dir, "--history", bad, NULL, NULL, &p), 3);
    assert_non_null(strstr(p.err, "bad.sqlite"));
    json_t *doc = e2e_results(dir);
    assert_non_null(doc);
    json_decref(doc);
    e2e_proc_free(&p);
    free(dir);
    free(bad);
    free(d1);
    free(d2);
    free(l1);
    free(l2);
    free(db);
    free(hdir);
    free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ab_alternates_the_builds_and_judges_the_claim),
        cmocka_unit_test(ab_refuses_what_it_cannot_run),
        cmocka_unit_test(a_run_fails_on_a_gate_and_on_a_regression),
        cmocka_unit_test(the_history_gives_a_baseline),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
