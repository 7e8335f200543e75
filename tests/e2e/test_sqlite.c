/*
 * test_sqlite.c — the SQLite experiments (issue 5), run by the real bhost:
 * memory_db writes every row in every mode and its files reopen with all of
 * them; sqlite_pragma's profiles and overrides are what SQLite reports; a
 * pragma SQLite does not apply fails its point; bad values are refused at
 * their line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- reading results.json ---------------------------------------------------------- */

static json_t *run_spec(const char *name, const char *text, int want_rc)
{
    char *dir = e2e_dir(name), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "spec.yaml", text);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    if (p.rc != want_rc)
        fail_msg("bhost run exited %d, expected %d; stderr:\n%s", p.rc, want_rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(out);
    free(dir);
    return doc;
}

static json_t *point_labelled(json_t *doc, const char *label)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        const char *l = json_string_value(json_object_get(pt, "label"));
        if (l && strcmp(l, label) == 0)
            return pt;
    }
    fail_msg("no point labelled %s", label);
    return NULL;
}

static const char *text_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(null)";
}

static void expect_ok(json_t *pt)
{
    if (strcmp(text_of(pt, "status"), "ok") != 0)
        fail_msg("%s: %s: %s", text_of(pt, "label"), text_of(pt, "status"),
                 text_of(pt, "error"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pt, "failures"),
                                                        "count")), 0);
}

static double metric(json_t *pt, const char *name)
{
    json_t *m = json_object_get(json_object_get(pt, "metrics"), name);
    if (!m)
        fail_msg("%s has no metric %s", text_of(pt, "label"), name);
    return json_number_value(json_object_get(m, "value"));
}

/* The histogram's count, or -1 if the point has no such histogram. */
static long long hist_count(json_t *pt, const char *name)
{
    json_t *h = json_object_get(json_object_get(pt, "histograms"), name);
    return h ? (long long)json_integer_value(json_object_get(h, "count")) : -1;
}

/* --- reading a database file -------------------------------------------------------- */

static sqlite3 *open_file(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    return db;
}

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void expect_text(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
    sqlite3_finalize(st);
}

/* The file memory_db kept for a point in db_dir. */
static char *kept_file(const char *db_dir, json_t *pt)
{
    char *path = malloc(strlen(db_dir) + 32);
    sprintf(path, "%s/%s.db", db_dir, text_of(pt, "id"));
    return path;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* --- memory_db ----------------------------------------------------------------------- */

#define AGENTS 20
#define STEPS 7
#define SIMULATIONS 4 /* measured: 2, repetitions: 2 */

/* A database memory_db left: every agent at the last step, every log row there. */
static void expect_simulation_file(const char *path, int logged)
{
    sqlite3 *db = open_file(path);
    expect_text(db, "PRAGMA integrity_check", "ok");
    assert_int_equal(query_int(db, "SELECT count(*) FROM agent"), AGENTS);
    assert_int_equal(query_int(db, "SELECT count(*) FROM agent WHERE step = 7"), AGENTS);
    assert_int_equal(query_int(db, "SELECT count(*) FROM action_log"),
                     logged ? AGENTS * STEPS : 0);
    if (logged) {
        /* One row per agent and step: the log is whole, not just long enough. */
        assert_int_equal(query_int(db, "SELECT count(*) FROM (SELECT DISTINCT step, agent"
                                       " FROM action_log)"), AGENTS * STEPS);
        assert_int_equal(query_int(db, "SELECT max(step) FROM action_log"), STEPS);
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void memory_db_modes_write_every_row(void **state)
{
    (void)state;
    char *db_dir = e2e_dir("dbs");
    char spec[1024];
    snprintf(spec, sizeof spec,
             "iterations: {warmup: 1, measured: 2}\n"
             "repetitions: 2\n"
             "experiments:\n"
             "  - experiment: memory_db\n"
             "    params:\n"
             "      mode: [disk, memory, memory_persist]\n"
             "      log_actions: [true, false]\n"
             "      agents: %d\n"
             "      steps: %d\n"
             "      commit_every: 3\n"
             "      db_dir: %s\n", AGENTS, STEPS, db_dir);
    json_t *doc = run_spec("modes", spec, 0);
    static const char *const modes[] = {"disk", "memory", "memory_persist"};
    for (int m = 0; m < 3; m++) {
        for (int logged = 0; logged < 2; logged++) {
            char label[128];
            snprintf(label, sizeof label, "memory_db[mode=%s,log_actions=%s]", modes[m],
                     logged ? "true" : "false");
            json_t *pt = point_labelled(doc, label);
            expect_ok(pt);
            assert_int_equal(hist_count(pt, "step"), STEPS * SIMULATIONS);
            assert_int_equal(hist_count(pt, "total"), SIMULATIONS);
            assert_int_equal(hist_count(pt, "persist"), m == 2 ? SIMULATIONS : -1);
            assert_true(metric(pt, "rows_written") ==
                        (double)(AGENTS * STEPS * (1 + logged) * SIMULATIONS));
            assert_true(metric(pt, "db_rows") == AGENTS + (logged ? AGENTS * STEPS : 0));
            char *file = kept_file(db_dir, pt);
            if (m == 1) {
                assert_true(metric(pt, "db_bytes") == 0);
                assert_false(exists(file));
            } else {
                assert_true(metric(pt, "db_bytes") > 0);
                expect_simulation_file(file, logged);
            }
            free(file);
        }
    }
    /* Two files per mode with one, and no journal or WAL left beside them. */
    assert_int_equal(files_in(db_dir), 4);
    json_decref(doc);
    free(db_dir);
}

static void persisted_wal_database_survives_reopen(void **state)
{
    (void)state;
    char *db_dir = e2e_dir("wal");
    char spec[1024];
    snprintf(spec, sizeof spec,
             "iterations: {warmup: 0, measured: 1}\n"
             "experiments:\n"
             "  - experiment: memory_db\n"
             "    params:\n"
             "      mode: memory_persist\n"
             "      journal_mode: wal\n"
             "      synchronous: normal\n"
             "      page_size: 8192\n"
             "      agents: %d\n"
             "      steps: %d\n"
             "      db_dir: %s\n", AGENTS, STEPS, db_dir);
    json_t *doc = run_spec("wal", spec, 0);
    json_t *pt = point_labelled(doc, "memory_db");
    expect_ok(pt);
    char *file = kept_file(db_dir, pt);
    expect_simulation_file(file, 1);
    /* The copy carries the file's settings: WAL and the page size are in its header. */
    sqlite3 *db = open_file(file);
    expect_text(db, "PRAGMA journal_mode", "wal");
    assert_int_equal(query_int(db, "PRAGMA page_size"), 8192);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    free(file);
    json_decref(doc);
    free(db_dir);
}

static void memory_db_refuses_a_missing_db_dir(void **state)
{
    (void)state;
    json_t *doc = run_spec("nodir",
                           "iterations: {warmup: 0, measured: 1}\n"
                           "experiments:\n"
                           "  - experiment: memory_db\n"
                           "    params: {db_dir: /nonexistent/bhost-dbs}\n", 1);
    json_t *pt = point_labelled(doc, "memory_db");
    assert_string_equal(text_of(pt, "status"), "failed");
    assert_string_equal(text_of(pt, "error"),
                        "setup failed: db_dir /nonexistent/bhost-dbs: No such file or directory");
    json_decref(doc);
}

/* --- sqlite_pragma ------------------------------------------------------------------- */

/* What each profile must leave in force: journal mode (as its position in
 * delete, truncate, persist, memory, wal, off), synchronous, temp_store,
 * cache KiB, mmap bytes. */
static struct {
    const char *profile;
    double journal, sync, temp, cache_kib, mmap;
} expected_profiles[] = {
    {"none", 0, 2, 0, 2000, 0}, /* SQLite's stock defaults; read from the library below */
    {"safety", 0, 3, 0, 2000, 0},
    {"balanced", 4, 1, 2, 16384, 0},
    {"performance", 3, 0, 2, 65536, 268435456},
};

#define PRAGMA_ROWS 50
#define WARMUP 2
#define MEASURED 20 /* measured: 10, repetitions: 2 */

static void expect_workload_counts(json_t *pt, const char *workload)
{
    static const char *const ops[] = {"insert", "select", "update"};
    long long sum = 0;
    for (int i = 0; i < 3; i++) {
        long long n = hist_count(pt, ops[i]);
        if (strcmp(workload, "mixed") == 0)
            assert_true(n >= 0);
        else
            assert_int_equal(n, strcmp(workload, ops[i]) == 0 ? MEASURED : -1);
        sum += n > 0 ? n : 0;
    }
    assert_int_equal(sum, MEASURED);
    /* Every row inserted is in the table, and nothing else was added. */
    assert_true(metric(pt, "table_rows") == PRAGMA_ROWS + metric(pt, "inserted_rows"));
    if (strcmp(workload, "insert") == 0)
        assert_true(metric(pt, "inserted_rows") == WARMUP + MEASURED);
    if (strcmp(workload, "select") == 0 || strcmp(workload, "update") == 0)
        assert_true(metric(pt, "inserted_rows") == 0);
}

/*
 * What "none" leaves in force is whatever this machine's SQLite was built
 * with: read it from a fresh file database rather than assume the stock
 * defaults. Also returns its default page size.
 */
static double sqlite_defaults(void)
{
    static const char *const modes[] = {"delete", "truncate", "persist", "memory", "wal", "off"};
    char *dir = e2e_dir("defaults"), *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/fresh.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    for (int i = 0; i < 6; i++)
        if (strcasecmp(mode, modes[i]) == 0)
            expected_profiles[0].journal = i;
    sqlite3_finalize(st);
    double page = (double)query_int(db, "PRAGMA page_size");
    long long cache = query_int(db, "PRAGMA cache_size"); /* < 0: KiB; else pages */
    expected_profiles[0].sync = (double)query_int(db, "PRAGMA synchronous");
    expected_profiles[0].temp = (double)query_int(db, "PRAGMA temp_store");
    expected_profiles[0].cache_kib = cache < 0 ? (double)-cache : (double)cache * page / 1024;
    expected_profiles[0].mmap = (double)query_int(db, "PRAGMA mmap_size");
    sqlite3_close(db);
    free(path);
    free(dir);
    return page;
}

static void pragma_profiles_are_in_force(void **state)
{
    (void)state;
    double default_page_size = sqlite_defaults();
    json_t *doc = run_spec("profiles",
                           "iterations: {warmup: 2, measured: 10}\n"
                           "repetitions: 2\n"
                           "experiments:\n"
                           "  - experiment: sqlite_pragma\n"
                           "    params:\n"
                           "      profile: [none, safety, balanced, performance]\n"
                           "      workload: [insert, select, update, mixed]\n"
                           "      rows: 50\n"
                           "      value_size: 16\n", 0);
    static const char *const workloads[] = {"insert", "select", "update", "mixed"};
    for (size_t p = 0; p < sizeof expected_profiles / sizeof *expected_profiles; p++) {
        for (int w = 0; w < 4; w++) {
            char label[128];
            snprintf(label, sizeof label, "sqlite_pragma[profile=%s,workload=%s]",
                     expected_profiles[p].profile, workloads[w]);
            json_t *pt = point_labelled(doc, label);
            expect_ok(pt);
            assert_true(metric(pt, "journal_mode") == expected_profiles[p].journal);
            assert_true(metric(pt, "synchronous") == expected_profiles[p].sync);
            assert_true(metric(pt, "temp_store") == expected_profiles[p].temp);
            assert_true(metric(pt, "cache_size_kib") == expected_profiles[p].cache_kib);
            assert_true(metric(pt, "mmap_size") == expected_profiles[p].mmap);
            assert_true(metric(pt, "page_size") == default_page_size);
            expect_workload_counts(pt, workloads[w]);
        }
    }
    json_decref(doc);
}

static void explicit_pragmas_override_the_profile(void **state)
{
    (void)state;
    json_t *doc = run_spec("override",
                           "iterations: {warmup: 1, measured: 5}\n"
                           "experiments:\n"
                           "  - experiment: sqlite_pragma\n"
                           "    params:\n"
                           "      profile: performance\n"
                           "      journal_mode: wal\n"
                           "      synchronous: full\n"
                           "      temp_store: file\n"
                           "      cache_size: 1024\n"
                           "      page_size: 1024\n"
                           "      value_size: 0\n"
                           "      workload: mixed\n", 0);
    json_t *pt = point_labelled(doc, "sqlite_pragma");
    expect_ok(pt);
    assert_true(metric(pt, "journal_mode") == 4);
    assert_true(metric(pt, "synchronous") == 2);
    assert_true(metric(pt, "temp_store") == 1);
    assert_true(metric(pt, "cache_size_kib") == 1024);
    assert_true(metric(pt, "page_size") == 1024);
    /* Not overridden: still the profile's. */
    assert_true(metric(pt, "mmap_size") == 268435456);
    json_decref(doc);
}

static void a_pragma_sqlite_does_not_apply_fails_the_point(void **state)
{
    (void)state;
    /* SQLite caps mmap_size at its build's SQLITE_MAX_MMAP_SIZE, far below 1 TiB. */
    json_t *doc = run_spec("mmap",
                           "iterations: {warmup: 0, measured: 1}\n"
                           "experiments:\n"
                           "  - experiment: sqlite_pragma\n"
                           "    params: {mmap_size: 1099511627776}\n", 1);
    json_t *pt = point_labelled(doc, "sqlite_pragma");
    assert_string_equal(text_of(pt, "status"), "failed");
    static const char want[] = "setup failed: pragma mmap_size = 1099511627776 did not take "
                               "effect: SQLite reports ";
    if (strncmp(text_of(pt, "error"), want, sizeof want - 1) != 0)
        fail_msg("error: %s", text_of(pt, "error"));
    assert_true(metric(pt, "mmap_size") < 1099511627776.0);
    json_decref(doc);
}

/* --- validation ----------------------------------------------------------------------- */

static void expect_refused(const char *experiment, const char *param_line, const char *message)
{
    char *dir = e2e_dir("bad");
    char text[512];
    snprintf(text, sizeof text,
             "experiments:\n"
             "  - experiment: %s\n"
             "    params:\n"
             "      %s\n", experiment, param_line);
    char *spec = e2e_write(dir, "bad.yaml", text);
    struct proc p;
    e2e_run(&p, (const char *[]){"validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    char want[1024];
    snprintf(want, sizeof want, "%s:%s\n", spec, message);
    if (!strstr(p.err, want))
        fail_msg("expected \"%s\" in:\n%s", want, p.err);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

static void invalid_values_are_refused_at_line_and_column(void **state)
{
    (void)state;
    /* The value starts after "      name: ", on line 4. */
    expect_refused("memory_db", "mode: ram",
                   "4:13: mode: 'ram' is not one of: disk, memory, memory_persist");
    expect_refused("memory_db", "agents: 0",
                   "4:15: agents = 0 is out of range: expected >= 1 and <= 1000000");
    expect_refused("memory_db", "commit_every: often",
                   "4:21: commit_every: expected an integer, got 'often'");
    expect_refused("memory_db", "log_actions: maybe",
                   "4:20: log_actions: expected true or false, got 'maybe'");
    expect_refused("memory_db", "page_size: 3000",
                   "4:18: page_size: '3000' is not one of: 512, 1024, 2048, 4096, 8192, "
                   "16384, 32768, 65536");
    expect_refused("sqlite_pragma", "journal_mode: walk",
                   "4:21: journal_mode: 'walk' is not one of: profile, delete, truncate, "
                   "persist, memory, wal, off (did you mean 'wal'?)");
    expect_refused("sqlite_pragma", "synchronous: fulll",
                   "4:20: synchronous: 'fulll' is not one of: profile, off, normal, full, "
                   "extra (did you mean 'full'?)");
    expect_refused("sqlite_pragma", "profile: fast",
                   "4:16: profile: 'fast' is not one of: none, safety, balanced, "
                   "performance");
    expect_refused("sqlite_pragma", "cache_size: -2",
                   "4:19: cache_size = -2 is out of range: expected >= -1 and <= 16777216");
    expect_refused("sqlite_pragma", "workload: delete",
                   "4:17: workload: 'delete' is not one of: insert, select, update, mixed");
}

/* One SQLite connection per point: threads above 1 are refused when the spec is loaded, and
 * `bhost list` says so. */
static void sqlite_experiments_run_on_one_thread(void **state)
{
    (void)state;
    static const char *const experiments[] = {"memory_db", "sqlite_pragma"};
    for (size_t i = 0; i < 2; i++) {
        char *dir = e2e_dir("threads");
        char text[256];
        snprintf(text, sizeof text, "experiments:\n  - experiment: %s\n    threads: [1, 2]\n",
                 experiments[i]);
        char *spec = e2e_write(dir, "threads.yaml", text);
        struct proc p;
        e2e_run(&p, (const char *[]){"validate", spec, NULL});
        assert_int_equal(p.rc, 2);
        char want[1024];
        snprintf(want, sizeof want, "%s:3:14: '%s' runs on one thread only (its iterations "
                 "share state that is not safe to share); threads = 2 cannot be used\n", spec,
                 experiments[i]);
        if (!strstr(p.err, want))
            fail_msg("expected \"%s\" in:\n%s", want, p.err);
        e2e_proc_free(&p);
        e2e_run(&p, (const char *[]){"list", experiments[i], NULL});
        assert_int_equal(p.rc, 0);
        assert_non_null(strstr(p.out, "Runs on one thread only"));
        e2e_proc_free(&p);
        free(spec);
        free(dir);
    }
}

int main(void)
{
    /* Only bhost's own defaults decide where plugins come from. */
    unsetenv("BHOST_PLUGIN_PATH");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_db_modes_write_every_row),
        cmocka_unit_test(persisted_wal_database_survives_reopen),
        cmocka_unit_test(memory_db_refuses_a_missing_db_dir),
        cmocka_unit_test(pragma_profiles_are_in_force),
        cmocka_unit_test(explicit_pragmas_override_the_profile),
        cmocka_unit_test(a_pragma_sqlite_does_not_apply_fails_the_point),
        cmocka_unit_test(invalid_values_are_refused_at_line_and_column),
        cmocka_unit_test(sqlite_experiments_run_on_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
