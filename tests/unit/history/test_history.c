/*
 * test_history.c — the history database: documents recorded and read back
 * as runs, a point's series and a rolling baseline; the same file recorded
 * once; fingerprints; Pettitt's step found and a flat series left alone;
 * corrupt, newer and locked databases refused with their reason; two
 * processes recording at once losing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../e2e/e2e.h"
#include "history/history.h"

static char err[4096];

/* A results document of spec `spec`, run directory `dir`, started `minute` minutes into
 * 2026, on CPU `cpu`: `npoints` points whose iteration repetitions have p50 p50, p50 + 1,
 * p50 + 2 (and p99 twice that). */
static json_t *make_doc(const char *spec, const char *dir, int minute, const char *cpu,
                        double p50, int npoints)
{
    char started[32];
    snprintf(started, sizeof started, "2026-01-01T%02d:%02d:00Z", minute / 60, minute % 60);
    json_t *points = json_array();
    for (int i = 0; i < npoints; i++) {
        json_t *reps = json_array();
        for (int k = 0; k < 3; k++)
            json_array_append_new(
                reps, json_pack("{s:s, s:i, s:f, s:I, s:I, s:I, s:I, s:s, s:I}", "unit", "ns",
                                "count", 100, "mean", p50 + k, "min", (json_int_t)(p50 + k) - 5,
                                "max", (json_int_t)(3 * p50), "p50", (json_int_t)(p50 + k),
                                "p99", (json_int_t)(2 * (p50 + k)), "hdr", "HISTFAAAA",
                                "iterations", (json_int_t)100));
        char id[32], label[64];
        snprintf(id, sizeof id, "%016x", 0xabc0 + i);
        snprintf(label, sizeof label, "spin[ns=%d]", 1000 * (i + 1));
        json_array_append_new(
            points,
            json_pack("{s:s, s:s, s:s, s:s, s:{s:I}, s:i, s:f, s:{s:i, s:f, s:[]},"
                      " s:{s:{s:s, s:i, s:I, s:s, s:o}}, s:{s:{s:s, s:f}}}",
                      "id", id, "label", label, "experiment", "spin", "status", "ok",
                      "iterations", "measured", (json_int_t)300, "repetitions", 3, "wall_s", 0.1,
                      "failures", "count", i, "success_rate", 1.0 - i / 300.0, "reasons",
                      "histograms", "iteration", "unit", "ns", "count", 300, "p50",
                      (json_int_t)p50, "hdr", "HISTFAAAA", "repetitions", reps, "metrics",
                      "rounds", "kind", "gauge", "value", (double)(minute + 1)));
    }
    return json_pack(
        "{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:i, s:i, s:s}, s:{s:s, s:s},"
        " s:{s:s, s:{s:s}, s:{s:s, s:i}, s:{s:s, s:s, s:b}, s:{s:s, s:b}}, s:o}",
        "schema", "bhost.result/1", "bhost", "version", "0.1.0", "abi", "1.0", "run",
        "started_utc", started, "finished_utc", started, "status", "ok", "points_run",
        npoints, "points_failed", 0, "dir", dir, "spec", "name", spec, "file", "spec.yaml",
        "environment", "hostname", "host", "os", "kernel", "6.1", "cpu", "model", cpu,
        "logical_count", 2, "build", "build_type", "Release", "compiler", "GNU 12", "sanitized",
        0, "git", "commit", "0123456789abcdef", "dirty", minute % 2, "points", points);
}

/* A run directory path under the test's root (not created: only its name is recorded). */
static char *run_dir(const char *root, int n)
{
    char *dir = malloc(strlen(root) + 32);
    sprintf(dir, "%s/run-%d", root, n);
    return dir;
}

/* Records make_doc(...) with results dir/results.json; returns the run number. */
static long long record(struct history *h, const char *root, int n, const char *spec,
                        const char *cpu, double p50)
{
    char *dir = run_dir(root, n);
    json_t *doc = make_doc(spec, dir, n, cpu, p50, 2);
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/results.json", dir);
    long long number = history_record(h, doc, path, err, sizeof err);
    if (number < 1)
        fail_msg("record %d: %s", n, err);
    json_decref(doc);
    free(path);
    free(dir);
    return number;
}

static struct history *open_new(const char *root, const char *name)
{
    char *path = malloc(strlen(root) + strlen(name) + 2);
    sprintf(path, "%s/%s", root, name);
    struct history *h;
    if (history_open(path, 1, &h, err, sizeof err) != 0)
        fail_msg("open %s: %s", path, err);
    free(path);
    return h;
}

static void test_path(void **state)
{
    (void)state;
    unsetenv(HISTORY_ENV);
    assert_string_equal(history_path(NULL), HISTORY_DEFAULT_PATH);
    assert_string_equal(history_path("x.sqlite"), "x.sqlite");
    assert_null(history_path("off"));
    setenv(HISTORY_ENV, "env.sqlite", 1);
    assert_string_equal(history_path(NULL), "env.sqlite");
    assert_string_equal(history_path("x.sqlite"), "x.sqlite");
    setenv(HISTORY_ENV, "off", 1);
    assert_null(history_path(NULL));
    assert_string_equal(history_path("x.sqlite"), "x.sqlite"); /* the option decides */
    unsetenv(HISTORY_ENV);
}

static void test_record_and_read_back(void **state)
{
    (void)state;
    char *root = e2e_dir("read");
    /* A folder that does not exist yet: history_open makes it. */
    struct history *h = open_new(root, "deep/er/history.sqlite");
    long long a = record(h, root, 1, "demo", "cpu X", 1000);
    long long b = record(h, root, 2, "demo", "cpu X", 1100);
    long long c = record(h, root, 3, "other", "cpu X", 1200);
    assert_true(a >= 1 && b > a && c > b);

    json_t *runs = history_runs(h, NULL, 0, err, sizeof err);
    assert_non_null(runs);
    assert_int_equal(json_array_size(runs), 3);
    json_t *newest = json_array_get(runs, 0);
    assert_int_equal(json_integer_value(json_object_get(newest, "run")), c);
    assert_string_equal(json_string_value(json_object_get(newest, "spec")), "other");
    assert_string_equal(json_string_value(json_object_get(newest, "git_commit")),
                        "0123456789abcdef");
    assert_true(json_is_true(json_object_get(newest, "git_dirty")));
    assert_string_equal(json_string_value(json_object_get(newest, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(newest, "points_run")), 2);
    assert_int_equal(strlen(json_string_value(json_object_get(newest, "fingerprint"))), 16);
    assert_non_null(strstr(json_string_value(json_object_get(newest, "results")),
                           "/run-3/results.json"));
    json_decref(runs);
    runs = history_runs(h, "demo", 1, err, sizeof err);
    assert_int_equal(json_array_size(runs), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0), "run")), b);
    json_decref(runs);

    /* By exact label, within one spec: oldest first, medians over repetitions. */
    json_t *pt = history_point(h, "demo", "spin[ns=1000]", 0, 0.02, err, sizeof err);
    if (!pt)
        fail_msg("%s", err);
    assert_string_equal(json_string_value(json_object_get(pt, "point")), "000000000000abc0");
    assert_string_equal(json_string_value(json_object_get(pt, "spec")), "demo");
    json_t *series = json_object_get(pt, "runs");
    assert_int_equal(json_array_size(series), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(series, 0), "run")), a);
    assert_true(json_real_value(json_object_get(json_array_get(series, 0), "p50")) == 1001);
    assert_true(json_real_value(json_object_get(json_array_get(series, 1), "p50")) == 1101);
    assert_true(json_real_value(json_object_get(json_array_get(series, 1), "p99")) == 2202);
    assert_true(json_is_null(json_object_get(pt, "change")));
    json_decref(pt);

    /* By id; a glob; and names that match nothing or too much. */
    pt = history_point(h, "other", "000000000000abc1", 0, 0.02, err, sizeof err);
    assert_non_null(pt);
    assert_string_equal(json_string_value(json_object_get(pt, "label")), "spin[ns=2000]");
    json_decref(pt);
    pt = history_point(h, "demo", "*ns=2000*", 0, 0.02, err, sizeof err);
    assert_non_null(pt);
    json_decref(pt);
    errno = 0;
    assert_null(history_point(h, NULL, "spin[ns=1000]", 0, 0.02, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "matches 2 points"));
    assert_non_null(strstr(err, "(spec other)"));
    errno = 0;
    assert_null(history_point(h, "demo", "ns=", 0, 0.02, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "spin[ns=2000]"));
    errno = 0;
    assert_null(history_point(h, NULL, "nothing-like-it", 0, 0.02, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "no point 'nothing-like-it'"));
    history_close(h);
    free(root);
}

static void test_same_file_twice_is_one_run(void **state)
{
    (void)state;
    char *root = e2e_dir("twice");
    struct history *h = open_new(root, "h.sqlite");
    long long a = record(h, root, 1, "demo", "cpu X", 1000);
    assert_int_equal(record(h, root, 1, "demo", "cpu X", 1000), a);
    /* The run directory names the same file as its results.json. */
    char *dir = run_dir(root, 1);
    json_t *doc = make_doc("demo", dir, 1, "cpu X", 1000, 2);
    mkdir(dir, 0755);
    char *file = malloc(strlen(dir) + 16);
    sprintf(file, "%s/results.json", dir);
    assert_int_equal(json_dump_file(doc, file, 0), 0);
    assert_int_equal(history_record(h, doc, dir, err, sizeof err), a);
    json_t *runs = history_runs(h, NULL, 0, err, sizeof err);
    assert_int_equal(json_array_size(runs), 1);
    json_decref(runs);
    json_decref(doc);
    free(file);
    free(dir);
    history_close(h);
    free(root);
}

static void test_fingerprint_and_baseline(void **state)
{
    (void)state;
    json_t *x = make_doc("demo", "/r", 1, "cpu X", 1000, 1);
    json_t *y = make_doc("demo", "/r", 1, "cpu Y", 1000, 1);
    json_t *x2 = make_doc("demo", "/other", 7, "cpu X", 2000, 3); /* times, points: not hashed */
    char *fx = history_fingerprint(x), *fy = history_fingerprint(y), *fx2 = history_fingerprint(x2);
    assert_int_equal(strlen(fx), 16);
    assert_string_not_equal(fx, fy);
    assert_string_equal(fx, fx2);
    free(fx);
    free(fy);
    free(fx2);
    json_decref(x);
    json_decref(y);
    json_decref(x2);

    char *root = e2e_dir("baseline");
    struct history *h = open_new(root, "h.sqlite");
    long long a1 = record(h, root, 1, "demo", "cpu X", 1000);
    long long a2 = record(h, root, 2, "demo", "cpu X", 1010);
    long long a3 = record(h, root, 3, "demo", "cpu X", 1020);
    record(h, root, 4, "demo", "cpu Y", 5000);  /* another machine */
    record(h, root, 5, "other", "cpu X", 5000); /* another spec */
    record(h, root, 6, "demo", "cpu X", 9000);  /* the current run, recorded */
    char *dir = run_dir(root, 6);
    json_t *cur = make_doc("demo", dir, 6, "cpu X", 9000, 2);

    json_t *base = history_baseline(h, cur, 5, err, sizeof err);
    if (!base)
        fail_msg("%s", err);
    json_t *nums = e2e_at(base, "baseline/runs");
    assert_int_equal(json_array_size(nums), 3);
    assert_int_equal(json_integer_value(json_array_get(nums, 0)), a3);
    assert_int_equal(json_integer_value(json_array_get(nums, 1)), a2);
    assert_int_equal(json_integer_value(json_array_get(nums, 2)), a1);
    assert_non_null(strstr(e2e_text(base, "baseline/from_history"), "h.sqlite"));
    assert_string_equal(e2e_text(base, "spec/name"), "demo");
    assert_string_equal(e2e_text(base, "environment/cpu/model"), "cpu X");
    assert_string_equal(e2e_text(base, "bhost/version"), "0.1.0");
    assert_string_equal(e2e_text(base, "run/started_utc"), "2026-01-01T00:01:00Z");
    json_t *points = json_object_get(base, "points");
    assert_int_equal(json_array_size(points), 2);
    json_t *p1 = json_array_get(points, 1);
    assert_string_equal(e2e_text(p1, "id"), "000000000000abc1");
    assert_string_equal(e2e_text(p1, "status"), "ok");
    assert_int_equal(e2e_number(p1, "repetitions"), 9);
    assert_int_equal(e2e_number(p1, "failures/count"), 3);
    assert_true(fabs(e2e_number(p1, "failures/success_rate") - (1 - 3.0 / 900)) < 1e-12);
    assert_int_equal(json_array_size(e2e_at(p1, "failures/reasons")), 0);
    json_t *reps = e2e_at(p1, "histograms/iteration/repetitions");
    assert_int_equal(json_array_size(reps), 9);
    assert_int_equal(e2e_number(p1, "histograms/iteration/count"), 900);
    assert_int_equal(e2e_number(reps, "0/p50"), 1020); /* the newest run first */
    assert_int_equal(e2e_number(reps, "0/count"), 100);
    assert_int_equal(e2e_number(reps, "8/p99"), 2004);
    assert_null(json_object_get(json_array_get(reps, 0), "hdr"));
    assert_null(json_object_get(e2e_at(p1, "histograms/iteration"), "hdr"));
    /* The median of the gauges 2, 3 and 4 (runs at minutes 1, 2, 3). */
    assert_string_equal(e2e_text(p1, "metrics/rounds/kind"), "gauge");
    assert_true(e2e_number(p1, "metrics/rounds/value") == 3.0);
    json_decref(base);

    /* n limits it; another machine has no runs to go by. */
    base = history_baseline(h, cur, 2, err, sizeof err);
    assert_int_equal(json_array_size(e2e_at(base, "baseline/runs")), 2);
    json_decref(base);
    json_t *z = make_doc("demo", dir, 6, "cpu Z", 9000, 2);
    errno = 0;
    assert_null(history_baseline(h, z, 5, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "no earlier run of spec demo"));
    json_decref(z);
    json_decref(cur);
    free(dir);
    history_close(h);
    free(root);
}

/* Records one run per value of p50s[0..n) and returns history_point's change. */
static json_t *change_of(const double *p50s, size_t n)
{
    char *root = e2e_dir("step");
    struct history *h = open_new(root, "h.sqlite");
    for (size_t i = 0; i < n; i++)
        record(h, root, (int)i + 1, "demo", "cpu X", p50s[i]);
    json_t *pt = history_point(h, NULL, "000000000000abc0", 0, 0.02, err, sizeof err);
    if (!pt)
        fail_msg("%s", err);
    assert_int_equal(json_array_size(json_object_get(pt, "runs")), n);
    json_t *change = json_incref(json_object_get(pt, "change"));
    json_decref(pt);
    history_close(h);
    free(root);
    return change;
}

static void test_step_change(void **state)
{
    (void)state;
    /* 10 runs at 1000 ns, then 10 at 1200, each with a fixed wobble of under 1 %. */
    static const int wobble[20] = {3, -5, 8, 0, -2, 6, -7, 1, 4, -3,
                                   -6, 2, 7, -1, 5, -4, 0, 3, -8, 6};
    double x[20];
    for (int i = 0; i < 20; i++)
        x[i] = (i < 10 ? 1000 : 1200) + wobble[i];
    json_t *c = change_of(x, 20);
    assert_true(json_is_object(c));
    assert_string_equal(e2e_text(c, "figure"), "p50");
    /* Runs are numbered 1..20 in this fresh database: the 11th is the first after. */
    assert_int_equal(e2e_number(c, "at_run"), 11);
    assert_true(e2e_number(c, "p") < 0.01);
    assert_true(fabs(e2e_number(c, "ratio") - 1.2) < 0.02);
    assert_true(fabs(e2e_number(c, "before") - 1000) < 10);
    json_decref(c);

    /* Flat with the same wobble: no step. */
    for (int i = 0; i < 20; i++)
        x[i] = 1000 + wobble[i];
    c = change_of(x, 20);
    assert_true(json_is_null(c));
    json_decref(c);
}

static void test_corrupt_file(void **state)
{
    (void)state;
    char *root = e2e_dir("corrupt");
    char bytes[8192];
    uint32_t r = 12345;
    for (size_t i = 0; i < sizeof bytes; i++) {
        r = r * 1103515245u + 12345u;
        bytes[i] = (char)(r >> 16);
    }
    char *path = malloc(strlen(root) + 32);
    sprintf(path, "%s/random.sqlite", root);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, sizeof bytes, f), sizeof bytes);
    fclose(f);
    struct history *h = (struct history *)1;
    assert_int_equal(history_open(path, 1, &h, err, sizeof err), -1);
    assert_null(h);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "file is not a database"));
    /* A folder that cannot be made (a file is in the way). */
    char *under_file = malloc(strlen(path) + 32);
    sprintf(under_file, "%s/sub/h.sqlite", path);
    assert_int_equal(history_open(under_file, 1, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, under_file));
    assert_non_null(strstr(err, "cannot create its folder"));
    free(under_file);
    /* And a missing file, without create. */
    sprintf(path, "%s/none.sqlite", root);
    errno = 0;
    assert_int_equal(history_open(path, 0, &h, err, sizeof err), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "none.sqlite"));
    free(path);
    free(root);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char *root = e2e_dir("newer");
    char *path = malloc(strlen(root) + 32);
    sprintf(path, "%s/newer.sqlite", root);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct history *h;
    assert_int_equal(history_open(path, 1, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "schema version 2 is newer"));
    free(path);
    free(root);
}

static void test_locked(void **state)
{
    (void)state;
    char *root = e2e_dir("locked");
    struct history *h = open_new(root, "h.sqlite");
    history_close(h);
    char *path = malloc(strlen(root) + 32);
    sprintf(path, "%s/h.sqlite", root);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    setenv("BHOST_HISTORY_BUSY_MS", "200", 1);
    h = open_new(root, "h.sqlite"); /* reading goes on beside a writer (WAL) */
    char *dir = run_dir(root, 1);
    json_t *doc = make_doc("demo", dir, 1, "cpu X", 1000, 1);
    assert_int_equal(history_record(h, doc, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "database is locked after 200 ms"));
    /* Once the other lets go, the same connection records. */
    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_true(history_record(h, doc, dir, err, sizeof err) >= 1);
    unsetenv("BHOST_HISTORY_BUSY_MS");
    sqlite3_close(other);
    json_decref(doc);
    history_close(h);
    free(dir);
    free(path);
    free(root);
}

/* Two processes, each recording 50 runs of its own into one database at once. */
static void test_two_writers_lose_nothing(void **state)
{
    (void)state;
    char *root = e2e_dir("concurrent");
    char *path = malloc(strlen(root) + 32);
    sprintf(path, "%s/h.sqlite", root);
    fflush(NULL);
    pid_t kids[2];
    for (int w = 0; w < 2; w++) {
        kids[w] = fork();
        assert_true(kids[w] >= 0);
        if (kids[w] == 0) {
            struct history *h;
            int bad = 0;
            for (int i = 0; i < 50 && !bad; i++) {
                /* Each run opens the database anew, as each bhost run would. */
                if (history_open(path, 1, &h, err, sizeof err) != 0) {
                    fprintf(stderr, "writer %d: %s\n", w, err);
                    _exit(1);
                }
                char *dir = run_dir(root, 1000 * (w + 1) + i);
                json_t *doc = make_doc("demo", dir, i, "cpu X", 1000 + i, 2);
                if (history_record(h, doc, dir, err, sizeof err) < 1) {
                    fprintf(stderr, "writer %d: %s\n", w, err);
                    bad = 1;
                }
                json_decref(doc);
                free(dir);
                history_close(h);
            }
            _exit(bad);
        }
    }
    for (int w = 0; w < 2; w++) {
        int status;
        assert_int_equal(waitpid(kids[w], &status, 0), kids[w]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    struct history *h;
    assert_int_equal(history_open(path, 0, &h, err, sizeof err), 0);
    json_t *runs = history_runs(h, NULL, 0, err, sizeof err);
    assert_int_equal(json_array_size(runs), 100);
    json_decref(runs);
    history_close(h);
    /* Every run with its 2 points, 2 x 4 figure rows and 2 metrics. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    static const char *const checks[] = {
        "SELECT count(*) FROM runs WHERE (SELECT count(*) FROM points p WHERE p.run = number) = 2"
        " AND (SELECT count(*) FROM figures f WHERE f.run = number) = 8"
        " AND (SELECT count(*) FROM metrics m WHERE m.run = number) = 2",
        "SELECT count(DISTINCT results_path) FROM runs"};
    for (size_t k = 0; k < 2; k++) {
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(db, checks[k], -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(s, 0), 100);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    free(path);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_record_and_read_back),
        cmocka_unit_test(test_same_file_twice_is_one_run),
        cmocka_unit_test(test_fingerprint_and_baseline),
        cmocka_unit_test(test_step_change),
        cmocka_unit_test(test_corrupt_file),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_two_writers_lose_nothing),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_cleanup(NULL);
    return failed;
}
