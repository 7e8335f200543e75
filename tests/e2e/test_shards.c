/*
 * test_shards.c — `bhost run --shard` end to end: four shard runs hold
 * exactly the unsharded run's points (ids, indexes, seeds, parameters,
 * iterations) and record the shard in results.json and run.json; a
 * Kubernetes Indexed Job's variables pick the shard; a crafted results
 * file balances the shards exactly as longest-processing-time first; a
 * shard with no points is a run with none; a shard's run resumes as the
 * same shard; and every refusal exits 2 naming what was wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.h"
#include "util/checksum.h"
#include "util/files.h"

/* 9 points: 6 of spin, 3 of noop. */
static const char spec_text[] = "name: shards-e2e\n"
                                "seed: 11\n"
                                "iterations: {warmup: 0, measured: 4}\n"
                                "experiments:\n"
                                "  - experiment: spin\n"
                                "    params: {ns: [100, 200, 300, 400, 500, 600]}\n"
                                "  - experiment: noop\n"
                                "    threads: [1, 2, 3]\n";

static const char *const engine_variables[] = {
    "BHOST_SHARD", "BHOST_SHARD_COUNT", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN", "CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX"};

static char *spec;     /* the spec file */
static char *whole;    /* its unsharded run */
static json_t *all;    /* that run's results */

/* Runs bhost with the arguments (NULL-terminated); fails unless it exits `rc`. */
static void bhost(struct proc *p, int rc, const char *const *args)
{
    e2e_run(p, args);
    if (p->rc != rc)
        fail_msg("bhost %s exited %d, not %d: %s", args[0], p->rc, rc, p->err);
}

/* `bhost run SPEC -q --out DIR` with one or two more arguments; returns DIR. */
static char *run_shard(const char *a, const char *b)
{
    char *dir = e2e_dir("shard");
    struct proc p;
    const char *args[] = {"run", spec, "-q", "--out", dir, a, b, NULL};
    bhost(&p, 0, args);
    e2e_proc_free(&p);
    return dir;
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof engine_variables / sizeof *engine_variables; i++)
        unsetenv(engine_variables[i]);
    char *dir = e2e_dir("spec");
    spec = e2e_write(dir, "shards.yaml", spec_text);
    free(dir);
    whole = run_shard(NULL, NULL);
    all = e2e_results(whole);
    return all ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(all);
    free(whole);
    free(spec);
    return e2e_cleanup(state);
}

static json_t *point_by_id(json_t *doc, const char *id)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (strcmp(json_string_value(json_object_get(pt, "id")), id) == 0)
            return pt;
    return NULL;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The documented digest of a run's point ids: sorted, each followed by "\n". */
static void ids_digest(json_t *doc, char hex[CHECKSUM_HEX_LEN + 1])
{
    json_t *points = json_object_get(doc, "points");
    size_t n = json_array_size(points);
    const char **ids = calloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_object_get(json_array_get(points, i), "id"));
    qsort(ids, n, sizeof *ids, by_text);
    struct checksum c;
    checksum_init(&c);
    for (size_t i = 0; i < n; i++) {
        checksum_update(&c, ids[i], strlen(ids[i]));
        checksum_update(&c, "\n", 1);
    }
    checksum_final_hex(&c, hex);
    free(ids);
}

/* A shard's point is the unsharded run's point: the same index, seed, parameters,
 * iterations and status. */
static void expect_same_point(json_t *pt)
{
    const char *id = json_string_value(json_object_get(pt, "id"));
    json_t *was = point_by_id(all, id);
    if (!was)
        fail_msg("point %s is not in the unsharded run", id);
    static const char *const same[] = {"index", "label", "seed", "params", "iterations",
                                       "repetitions", "status", "threads"};
    for (size_t k = 0; k < sizeof same / sizeof *same; k++)
        if (!json_equal(json_object_get(pt, same[k]), json_object_get(was, same[k])))
            fail_msg("point %s: its %s differs from the unsharded run's", id, same[k]);
    /* Measured iterations too: each histogram counts them. */
    json_t *hists = json_object_get(pt, "histograms");
    const char *name;
    json_t *h;
    assert_int_equal(json_object_size(hists), json_object_size(json_object_get(was,
                                                                                "histograms")));
    json_object_foreach(json_object_get(was, "histograms"), name, h)
        assert_true(json_equal(json_object_get(json_object_get(hists, name), "count"),
                               json_object_get(h, "count")));
}

/* run.shard of a shard's results, field by field. */
static void expect_run_shard(json_t *doc, int index, int count, const char *method,
                             const char *balance_from)
{
    char want[CHECKSUM_HEX_LEN + 1];
    ids_digest(all, want);
    json_t *sh = e2e_at(doc, "run/shard");
    assert_int_equal(e2e_number(sh, "index"), index);
    assert_int_equal(e2e_number(sh, "count"), count);
    assert_string_equal(e2e_text(sh, "method"), method);
    if (balance_from)
        assert_string_equal(e2e_text(sh, "balance_from"), balance_from);
    else
        assert_true(json_is_null(e2e_at(sh, "balance_from")));
    assert_int_equal(e2e_number(sh, "sweep_points"), 9);
    assert_string_equal(e2e_text(sh, "sweep_ids_sha256"), want);
    assert_int_equal(e2e_number(sh, "points"), json_array_size(json_object_get(doc, "points")));
    assert_int_equal(json_object_size(sh), 7);
    /* The whole spec's sweep, not the shard's. */
    assert_int_equal(e2e_number(doc, "run/points_total"), 9);
}

static json_t *run_record(const char *dir)
{
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/run.json", dir);
    json_t *rec = json_load_file(path, 0, NULL);
    free(path);
    assert_non_null(rec);
    return rec;
}

static void four_shards_hold_the_unsharded_run(void **state)
{
    (void)state;
    assert_null(json_object_get(json_object_get(all, "run"), "shard"));
    json_t *seen = json_object(); /* id -> how many shards ran it */
    for (int k = 1; k <= 4; k++) {
        char arg[16];
        snprintf(arg, sizeof arg, "%d/4", k);
        char *dir = run_shard("--shard", arg);
        json_t *doc = e2e_results(dir);
        assert_non_null(doc);
        expect_run_shard(doc, k, 4, "dealt", NULL);
        size_t i;
        json_t *pt;
        json_array_foreach(json_object_get(doc, "points"), i, pt) {
            expect_same_point(pt);
            const char *id = json_string_value(json_object_get(pt, "id"));
            json_t *c = json_object_get(seen, id);
            json_object_set_new(seen, id, json_integer(c ? json_integer_value(c) + 1 : 1));
        }
        /* Dealt: 6 spin points over 4 shards are 1 or 2 each, 3 noop points 0 or 1. */
        assert_in_range(json_array_size(json_object_get(doc, "points")), 1, 3);
        json_t *rec = run_record(dir);
        json_t *want = json_pack("{s:i, s:i, s:s, s:n, s:n}", "index", k, "count", 4,
                                 "method", "dealt", "balance_from", "balance_sha256");
        assert_true(json_equal(json_object_get(rec, "shard"), want));
        json_decref(want);
        json_decref(rec);
        json_decref(doc);
        free(dir);
    }
    /* The union is the unsharded run's points, each run once. */
    assert_int_equal(json_object_size(seen), 9);
    const char *id;
    json_t *c;
    json_object_foreach(seen, id, c)
        assert_int_equal(json_integer_value(c), 1);
    json_decref(seen);
}

/* The shard's point ids, as validate prints them, joined by spaces in sweep order. */
static char *shard_ids(const char *const *args)
{
    struct proc p;
    bhost(&p, 0, args);
    char *ids = calloc(1, 9 * 17 + 1);
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(all, "points"), i, pt) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        if (strstr(p.out, id))
            strcat(strcat(ids, id), " ");
    }
    e2e_proc_free(&p);
    return ids;
}

static void kubernetes_indexed_job_picks_its_shard(void **state)
{
    (void)state;
    const char *explicit[] = {"validate", spec, "--shard", "3/4", NULL};
    char *want = shard_ids(explicit);
    /* JOB_COMPLETION_INDEX is 0-based: 2 is shard 3. */
    setenv("JOB_COMPLETION_INDEX", "2", 1);
    char *dir = run_shard("--shard", "auto/4");
    json_t *doc = e2e_results(dir);
    expect_run_shard(doc, 3, 4, "dealt", NULL);
    char got[9 * 17 + 1] = "";
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        strcat(strcat(got, json_string_value(json_object_get(pt, "id"))), " ");
    assert_string_equal(got, want);
    json_decref(doc);
    free(dir);
    /* The count from BHOST_SHARD_COUNT instead of auto/N. */
    setenv("BHOST_SHARD_COUNT", "4", 1);
    const char *counted[] = {"validate", spec, "--shard", "auto", NULL};
    char *ids = shard_ids(counted);
    assert_string_equal(ids, want);
    free(ids);
    /* Without any count it is refused, naming where a count comes from. */
    unsetenv("BHOST_SHARD_COUNT");
    struct proc p;
    bhost(&p, 2, counted);
    assert_non_null(strstr(p.err, "JOB_COMPLETION_INDEX is set"));
    assert_non_null(strstr(p.err, "BHOST_SHARD_COUNT"));
    e2e_proc_free(&p);
    unsetenv("JOB_COMPLETION_INDEX");
    free(want);
}

/* Writes the unsharded run with crafted wall times (by index; negative: the point left
 * out) to a file; returns its path. */
static char *crafted_run(const double *wall)
{
    json_t *doc = json_deep_copy(all);
    json_t *points = json_object_get(doc, "points");
    for (size_t i = json_array_size(points); i-- > 0;) {
        json_t *pt = json_array_get(points, i);
        size_t index = (size_t)json_integer_value(json_object_get(pt, "index"));
        if (wall[index] < 0)
            json_array_remove(points, i);
        else
            json_object_set_new(pt, "wall_s", json_real(wall[index]));
    }
    char *dir = e2e_dir("crafted");
    char *text = json_dumps(doc, JSON_INDENT(1));
    char *path = e2e_write(dir, "results.json", text);
    free(text);
    free(dir);
    json_decref(doc);
    return path;
}

static void balanced_shards_follow_the_costs(void **state)
{
    (void)state;
    /* Point 7 is not in the file: it costs the median of the others, 5.5. By cost: 9 (0)
     * to shard 1, 8 (2) to 2, 7 (4) to 3, 6 (6) to 3, 5.5 (7) to 2, 5 (8) to 1, 3 (5) to 3,
     * 2 (3) to 2, 1 (1) to 1: loads 15, 15.5, 16. */
    const double wall[9] = {9, 1, 8, 2, 7, 3, 6, -1, 5};
    static const char *const want[3] = {"0 1 8", "2 3 7", "4 5 6"};
    char *file = crafted_run(wall);
    char *real = realpath(file, NULL);
    for (int k = 1; k <= 3; k++) {
        char arg[16];
        snprintf(arg, sizeof arg, "%d/3", k);
        char *dir = e2e_dir("balanced");
        struct proc p;
        const char *args[] = {"run", spec, "-q", "--out", dir, "--shard", arg,
                              "--balance-from", file, NULL};
        bhost(&p, 0, args);
        e2e_proc_free(&p);
        json_t *doc = e2e_results(dir);
        expect_run_shard(doc, k, 3, "balanced", real);
        char got[64] = "";
        size_t i;
        json_t *pt;
        json_array_foreach(json_object_get(doc, "points"), i, pt) {
            expect_same_point(pt);
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? " " : "",
                     (long long)json_integer_value(json_object_get(pt, "index")));
        }
        assert_string_equal(got, want[k - 1]);
        /* run.json keeps the file and its digest, for the resume. */
        size_t len;
        char *bytes = read_file(file, &len);
        char sha[CHECKSUM_HEX_LEN + 1];
        checksum_hex(bytes, len, sha);
        free(bytes);
        json_t *rec = run_record(dir);
        json_t *expect = json_pack("{s:i, s:i, s:s, s:s, s:s}", "index", k, "count", 3,
                                   "method", "balanced", "balance_from", real,
                                   "balance_sha256", sha);
        assert_true(json_equal(json_object_get(rec, "shard"), expect));
        json_decref(expect);
        json_decref(rec);
        json_decref(doc);
        free(dir);
    }
    free(real);
    free(file);
}

static void a_shard_without_points_is_a_run_without_points(void **state)
{
    (void)state;
    /* 9 points on 40 shards: most are empty; find one with validate. */
    char arg[16];
    int found = 0;
    for (int k = 1; k <= 40 && !found; k++) {
        snprintf(arg, sizeof arg, "%d/40", k);
        struct proc p;
        const char *args[] = {"validate", spec, "--shard", arg, NULL};
        bhost(&p, 0, args);
        found = strstr(p.out, "valid, 0 sweep points") != NULL;
        e2e_proc_free(&p);
    }
    assert_true(found);
    char *dir = e2e_dir("empty");
    struct proc p;
    const char *args[] = {"run", spec, "--out", dir, "--shard", arg, NULL};
    bhost(&p, 0, args);
    assert_non_null(strstr(p.err, "has no points"));
    assert_non_null(strstr(p.out, "0 of the sweep's 9 points"));
    e2e_proc_free(&p);
    json_t *doc = e2e_results(dir);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 0);
    assert_string_equal(e2e_text(doc, "run/status"), "ok");
    expect_run_shard(doc, atoi(arg), 40, "dealt", NULL);
    json_decref(doc);
    free(dir);
}

/* Cuts DIR's journal to its first line and removes results.json: a run stopped after
 * its first point. */
static void stop_after_first_point(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    size_t len;
    char *text = read_file(path, &len);
    assert_non_null(text);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_int_equal(write_file_atomic(path, text, (size_t)(nl + 1 - text)), 0);
    free(text);
    snprintf(path, sizeof path, "%s/results.json", dir);
    assert_int_equal(unlink(path), 0);
}

static void a_shard_resumes_as_the_same_shard(void **state)
{
    (void)state;
    /* Shard 1 of 2 has 4 or 5 points: stopped after one, the resume runs the rest. */
    char *dir = run_shard("--shard", "1/2");
    json_t *done = e2e_results(dir);
    size_t n = json_array_size(json_object_get(done, "points"));
    assert_in_range(n, 4, 5);
    stop_after_first_point(dir);
    struct proc p;
    const char *args[] = {"run", "--resume", dir, NULL};
    bhost(&p, 0, args);
    char want[64];
    snprintf(want, sizeof want, "1 of %zu points already done", n);
    assert_non_null(strstr(p.out, want));
    assert_non_null(strstr(p.out, "shard 1/2 (dealt)"));
    e2e_proc_free(&p);
    json_t *again = e2e_results(dir);
    expect_run_shard(again, 1, 2, "dealt", NULL);
    assert_int_equal(json_array_size(json_object_get(again, "points")), n);
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(again, "points"), i, pt) {
        assert_string_equal(json_string_value(json_object_get(pt, "id")),
                            json_string_value(json_object_get(
                                json_array_get(json_object_get(done, "points"), i), "id")));
        expect_same_point(pt);
    }
    json_decref(again);
    json_decref(done);
    /* --shard does not go with --resume: the run's own shard is the one. */
    const char *twice[] = {"run", "--resume", dir, "--shard", "2/2", NULL};
    bhost(&p, 2, twice);
    assert_non_null(strstr(p.err, "--shard"));
    e2e_proc_free(&p);
    free(dir);
}

static void a_balanced_shard_refuses_a_changed_balance_file(void **state)
{
    (void)state;
    const double wall[9] = {9, 1, 8, 2, 7, 3, 6, 4, 5};
    char *file = crafted_run(wall);
    char *dir = e2e_dir("balanced");
    struct proc p;
    const char *args[] = {"run", spec, "-q", "--out", dir, "--shard", "2/3", "--balance-from",
                          file, NULL};
    bhost(&p, 0, args);
    e2e_proc_free(&p);
    stop_after_first_point(dir);
    /* Unchanged, it resumes; changed, the split could differ: refused. */
    const char *resume[] = {"run", "-q", "--resume", dir, NULL};
    bhost(&p, 0, resume);
    e2e_proc_free(&p);
    stop_after_first_point(dir);
    FILE *f = fopen(file, "a");
    fputs("\n", f);
    fclose(f);
    bhost(&p, 2, resume);
    assert_non_null(strstr(p.err, "changed since this shard run began"));
    assert_non_null(strstr(p.err, "results.json"));
    e2e_proc_free(&p);
    free(dir);
    free(file);
}

static void refusals_exit_2_and_say_why(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *says;
    } bad[] = {
        {"0/4", "--shard 0/4: shards count from 1"},
        {"5/4", "--shard 5/4: shard 5 of 4 does not exist"},
        {"2/0", "--shard 2/0: the number of shards must be 1 to 100000"},
        {"two", "--shard two: expected I/N"},
        {"auto", "--shard auto: no shard in the environment; looked at BHOST_SHARD; "
                 "SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT; CI_NODE_INDEX with "
                 "CI_NODE_TOTAL; JOB_COMPLETION_INDEX with auto/N or BHOST_SHARD_COUNT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *dir = e2e_dir("refused");
        char *out = malloc(strlen(dir) + 8);
        sprintf(out, "%s/run", dir);
        struct proc p;
        const char *args[] = {"run", spec, "--out", out, "--shard", bad[i].arg, NULL};
        bhost(&p, 2, args);
        if (!strstr(p.err, bad[i].says))
            fail_msg("--shard %s: \"%s\" does not say \"%s\"", bad[i].arg, p.err, bad[i].says);
        struct stat st;
        assert_int_not_equal(stat(out, &st), 0); /* nothing was run */
        e2e_proc_free(&p);
        free(out);
        free(dir);
    }
    /* Each engine's variables, inconsistent. */
    setenv("SLURM_ARRAY_TASK_ID", "4", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
    struct proc p;
    const char *slurm[] = {"validate", spec, "--shard", "auto", NULL};
    bhost(&p, 2, slurm);
    assert_non_null(strstr(p.err, "SLURM_ARRAY_TASK_ID=4 (shard 5 of 4)"));
    e2e_proc_free(&p);
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    /* And options out of place. */
    const char *no_shard[] = {"run", spec, "--balance-from", whole, NULL};
    bhost(&p, 2, no_shard);
    assert_non_null(strstr(p.err, "--balance-from goes with --shard"));
    e2e_proc_free(&p);
    const char *missing[] = {"validate", spec, "--shard", "1/2", "--balance-from",
                             "/nonexistent/run", NULL};
    bhost(&p, 2, missing);
    assert_non_null(strstr(p.err, "--balance-from /nonexistent/run/results.json") ||
                    strstr(p.err, "--balance-from /nonexistent/run"));
    e2e_proc_free(&p);
    const char *ab[] = {"ab", spec, "--a", "x", "--b", "y", "--shard", "1/2", NULL};
    bhost(&p, 2, ab);
    assert_non_null(strstr(p.err, "--shard and --balance-from go with run and validate"));
    e2e_proc_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_shards_hold_the_unsharded_run),
        cmocka_unit_test(kubernetes_indexed_job_picks_its_shard),
        cmocka_unit_test(balanced_shards_follow_the_costs),
        cmocka_unit_test(a_shard_without_points_is_a_run_without_points),
        cmocka_unit_test(a_shard_resumes_as_the_same_shard),
        cmocka_unit_test(a_balanced_shard_refuses_a_changed_balance_file),
        cmocka_unit_test(refusals_exit_2_and_say_why),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
