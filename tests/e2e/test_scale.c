/*
 * test_scale.c — a run whose finished points live in its journal (issue 18):
 * results.json streamed from the journal holds every point, in sweep order,
 * each the same as its journal line, with run's summary what the points say
 * (as it was when the document was built from points in memory), plainly,
 * with --jobs 2, with repetitions in fresh processes, after an interrupt and
 * a resume, and from a run directory begun by an older bhost; and a large run
 * without a terminal prints progress lines and its failures, not a line a
 * point, and a summarised table.
 */
#define _GNU_SOURCE /* memmem, strndup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "results/results.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_MISBEHAVING_PLUGIN_DIR

/* Points that pass, fail some iterations, and fail whole. */
static const char mixed_spec[] =
    "iterations: {warmup: 0, measured: 12}\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {mode: clock, ns: [1000, 2000, 3000]}\n"
    "  - experiment: test_good\n"
    "    params: {fail_every: [0, 3, 4]}\n"
    "  - experiment: test_exit\n"
    "  - name: later\n"
    "    experiment: spin\n"
    "    params: {mode: clock, ns: [1500, 2500]}\n";
#define MIXED_POINTS 9

/* DIR/journal.jsonl as id -> point (the last line of an id wins, as a resume reads it). */
static json_t *journal_points(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    json_t *by_id = json_object();
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *pt = json_loads(line, 0, NULL);
        assert_non_null(pt);
        json_object_set_new(by_id, json_string_value(json_object_get(pt, "id")), pt);
    }
    free(line);
    fclose(f);
    return by_id;
}

/* What a results document built from its points in memory said: the summary recomputed
 * from the points the streamed document holds. */
static void expect_consistent(const char *dir, size_t npoints, int journaled_all)
{
    json_t *doc = e2e_results(dir);
    assert_non_null(doc);
    json_t *points = json_object_get(doc, "points"), *run = json_object_get(doc, "run");
    assert_int_equal(json_array_size(points), npoints);
    json_t *journal = journal_points(dir);
    size_t i;
    json_t *pt;
    json_int_t last = -1;
    json_array_foreach(points, i, pt) {
        json_int_t index = json_integer_value(json_object_get(pt, "index"));
        assert_true(index > last); /* sweep order */
        last = index;
        json_t *line = json_object_get(journal, json_string_value(json_object_get(pt, "id")));
        if (journaled_all || line)
            assert_true(json_equal(pt, line));
    }
    size_t partial = results_count_status(points, "partial");
    size_t skipped = results_count_status(points, "skipped");
    assert_int_equal(json_integer_value(json_object_get(run, "points_run")),
                     (json_int_t)(npoints - skipped));
    assert_int_equal(json_integer_value(json_object_get(run, "points_failed")),
                     (json_int_t)(results_count_status(points, "failed") + partial));
    assert_int_equal(json_integer_value(json_object_get(run, "points_partial")),
                     (json_int_t)partial);
    assert_int_equal(json_integer_value(json_object_get(run, "points_skipped")),
                     (json_int_t)skipped);
    json_t *failures = results_run_failures(points);
    assert_true(json_equal(failures, json_object_get(run, "failures")));
    json_decref(failures);
    json_decref(journal);
    json_decref(doc);
}

/* The point ids of DIR's results, in order, space-separated (owned). */
static char *ids_of(const char *dir)
{
    json_t *doc = e2e_results(dir);
    assert_non_null(doc);
    size_t i, n = 0;
    json_t *pt;
    char *out = calloc(1, 17 * json_array_size(json_object_get(doc, "points")) + 1);
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        n += (size_t)sprintf(out + n, "%s ", json_string_value(json_object_get(pt, "id")));
    json_decref(doc);
    return out;
}

static void run_ok(const char *const *args, int want_rc)
{
    struct proc p;
    e2e_run(&p, args);
    if (p.rc != want_rc)
        fail_msg("bhost exited with %d, not %d: %s", p.rc, want_rc, p.err);
    e2e_proc_free(&p);
}

static void streamed_results_match_the_journal(void **state)
{
    (void)state;
    char *dir = e2e_dir("mixed"), *plain = e2e_dir("plain"), *jobs = e2e_dir("jobs");
    char *reps = e2e_dir("reps");
    char *spec = e2e_write(dir, "mixed.yaml", mixed_spec);
    run_ok((const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", plain, "-q", NULL},
           1);
    expect_consistent(plain, MIXED_POINTS, 1);
    run_ok((const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", jobs, "--jobs", "2",
                            "-q", NULL}, 1);
    expect_consistent(jobs, MIXED_POINTS, 1);
    char *a = ids_of(plain), *b = ids_of(jobs);
    assert_string_equal(a, b);
    free(b);
    /* Repetitions in fresh processes: each point merged from its parts, then journaled. */
    run_ok((const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", reps, "--set",
                            "repetitions=3", "--set", "fresh_process=true", "-q", NULL}, 1);
    expect_consistent(reps, MIXED_POINTS, 1);
    b = ids_of(reps);
    assert_string_equal(a, b);
    json_t *doc = e2e_results(reps);
    assert_int_equal(json_integer_value(e2e_at(doc, "points/0/repetitions")), 3);
    /* The failed iterations of fail_every 3 and 4, summed over their points. */
    assert_int_equal(json_array_size(e2e_at(doc, "run/failures/reasons")), 1);
    assert_true(e2e_number(doc, "run/failures/count") > 0);
    json_decref(doc);
    free(a);
    free(b);
    free(spec);
    free(dir);
    free(plain);
    free(jobs);
    free(reps);
}

static void interrupted_then_resumed(void **state)
{
    (void)state;
    char *dir = e2e_dir("stop"), *out = e2e_dir("out"), *whole = e2e_dir("whole");
    char *spec = e2e_write(dir, "slow.yaml",
                           "iterations: {warmup: 0, measured: 1}\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params:\n"
                           "      mode: clock\n"
                           "      ns: {from: 150000000, to: 150000005, step: 1}\n");
    char journal[4096];
    snprintf(journal, sizeof journal, "%s/journal.jsonl", out);
    pid_t pid = e2e_start(dir, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    assert_true(e2e_wait_lines(journal, 2, 20));
    kill(pid, SIGINT);
    assert_int_equal(e2e_wait(pid), 130);
    json_t *doc = e2e_results(out);
    assert_string_equal(e2e_text(doc, "run/status"), "interrupted");
    size_t kept = json_array_size(json_object_get(doc, "points"));
    assert_true(kept >= 2 && kept < 6);
    json_decref(doc);
    expect_consistent(out, kept, 1);
    run_ok((const char *[]){"run", "--resume", out, "-q", NULL}, 0);
    expect_consistent(out, 6, 1);
    run_ok((const char *[]){"run", spec, "--out", whole, "-q", NULL}, 0);
    char *a = ids_of(out), *b = ids_of(whole);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(spec);
    free(dir);
    free(out);
    free(whole);
}

/* A run directory as an older bhost left it: run.json with only the members it wrote then,
 * and a journal of some points. It resumes, and keeps those points as they were. */
static void an_old_run_dir_resumes(void **state)
{
    (void)state;
    char *dir = e2e_dir("old"), *first = e2e_dir("first"), *old = e2e_dir("olddir");
    char *spec = e2e_write(dir, "four.yaml",
                           "iterations: {warmup: 0, measured: 5}\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params: {mode: clock, ns: [1000, 2000, 3000, 4000]}\n");
    run_ok((const char *[]){"run", spec, "--out", first, "-q", NULL}, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/run.json", first);
    json_t *rec = json_load_file(path, 0, NULL);
    assert_non_null(rec);
    json_t *older = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "schema",
                              json_object_get(rec, "schema"), "spec_file",
                              json_object_get(rec, "spec_file"), "sets",
                              json_object_get(rec, "sets"), "started_utc",
                              json_object_get(rec, "started_utc"), "spec",
                              json_object_get(rec, "spec"), "filter",
                              json_object_get(rec, "filter"));
    snprintf(path, sizeof path, "%s/run.json", old);
    assert_int_equal(json_dump_file(older, path, JSON_INDENT(1)), 0);
    json_decref(older);
    json_decref(rec);
    /* Two of its four points done: the journal's first two lines. */
    snprintf(path, sizeof path, "%s/journal.jsonl", first);
    FILE *in = fopen(path, "r");
    snprintf(path, sizeof path, "%s/journal.jsonl", old);
    FILE *out = fopen(path, "w");
    char *line = NULL;
    size_t cap = 0;
    for (int n = 0; n < 2 && getline(&line, &cap, in) > 0; n++)
        fputs(line, out);
    free(line);
    fclose(in);
    fclose(out);
    json_t *kept = journal_points(old);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", "--resume", old, NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "2 of 4 points already done"));
    e2e_proc_free(&p);
    expect_consistent(old, 4, 1);
    json_t *doc = e2e_results(old);
    const char *id;
    json_t *pt;
    size_t found = 0, i;
    json_t *q;
    json_object_foreach(kept, id, pt)
        json_array_foreach(json_object_get(doc, "points"), i, q)
            if (json_equal(q, pt))
                found++;
    assert_int_equal(found, 2); /* the points done before, as they were */
    char *a = ids_of(old), *b = ids_of(first);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(doc);
    json_decref(kept);
    free(spec);
    free(dir);
    free(first);
    free(old);
}

static size_t count_lines(const char *text, const char *containing)
{
    size_t n = 0;
    for (const char *at = text; at && *at;) {
        const char *end = strchr(at, '\n');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        if (!containing || (memmem(at, len, containing, strlen(containing)) != NULL))
            n++;
        at = end ? end + 1 : NULL;
    }
    return n;
}

/* 300 points without a terminal: progress lines, a line per failure, a summarised table. */
static void a_large_run_prints_few_lines(void **state)
{
    (void)state;
    char *dir = e2e_dir("large"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "large.yaml",
                           "iterations: {warmup: 0, measured: 1}\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params: {mode: clock, ns: {from: 1, to: 297, step: 1}}\n"
                           "  - experiment: test_exit\n"
                           "  - name: later\n"
                           "    experiment: test_good\n"
                           "    params: {label: [hello, fail-setup]}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 1);
    /* Before the table: progress lines (a tenth of the run each, at most) and the failures. */
    const char *table = strstr(p.out, "\npoint ");
    assert_non_null(table);
    char *before = strndup(p.out, (size_t)(table - p.out) + 1);
    assert_int_equal(count_lines(before, " FAILED: "), 2);
    assert_true(strncmp(before, "running 300 points: a progress line at every tenth", 50) == 0);
    assert_non_null(strstr(before, "[298/300] test_exit FAILED: "));
    assert_non_null(strstr(before, "[300/300] later[label=fail-setup] FAILED: "));
    assert_null(strstr(before, " ok (p50 "));
    assert_true(count_lines(before, "% done, ") >= 1);
    assert_true(count_lines(before, NULL) <= 2 + 10 + 5);
    assert_non_null(strstr(before, "[300/300] 100% done, 2 failed; elapsed "));
    free(before);
    /* The table: the first 50 points, then the failures after them, then how many are not
     * shown; the whole table with -v. */
    assert_non_null(strstr(table, "\nspin[ns=50] "));
    assert_null(strstr(table, "\nspin[ns=51] "));
    assert_non_null(strstr(table, "\ntest_exit "));
    assert_non_null(strstr(table, "\nlater[label=fail-setup] "));
    assert_null(strstr(table, "\nlater[label=hello] "));
    assert_non_null(strstr(table, "\n... 248 more points not shown (the first 50 and every "
                                  "failure are)"));
    assert_non_null(strstr(table, "300 of 300 points run, 2 failed"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"run", "--resume", out, "-v", NULL});
    assert_int_equal(p.rc, 1);
    assert_non_null(strstr(p.out, "\nlater[label=hello] "));
    assert_null(strstr(p.out, " more points not shown"));
    /* A resume that finds everything done says so in one line, not one a point, and no
     * progress line passes the earlier points off as this session's. */
    assert_null(strstr(p.out, "done before the resume"));
    assert_null(strstr(p.out, "% done, "));
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* A new run given an old run's --out replaces it: nothing of the old journal or artifacts
 * passes for the new run's. */
static void a_new_run_replaces_an_old_one(void **state)
{
    (void)state;
    char *dir = e2e_dir("replace"), *out = e2e_dir("out");
    char *big = e2e_write(dir, "big.yaml", mixed_spec);
    char *small = e2e_write(dir, "small.yaml",
                            "iterations: {warmup: 0, measured: 5}\n"
                            "experiments:\n"
                            "  - experiment: spin\n"
                            "    params: {mode: clock, ns: [10, 20]}\n");
    run_ok((const char *[]){"--plugin-path", PLUGINS, "run", big, "--out", out, "-q", NULL}, 1);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", small, "--out", out, NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.err, "held a run; this one replaces it"));
    e2e_proc_free(&p);
    expect_consistent(out, 2, 1);
    json_t *journal = journal_points(out);
    assert_int_equal(json_object_size(journal), 2);
    json_decref(journal);
    free(big);
    free(small);
    free(dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streamed_results_match_the_journal),
        cmocka_unit_test(interrupted_then_resumed),
        cmocka_unit_test(an_old_run_dir_resumes),
        cmocka_unit_test(a_large_run_prints_few_lines),
        cmocka_unit_test(a_new_run_replaces_an_old_one),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
