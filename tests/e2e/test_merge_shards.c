/*
 * test_merge_shards.c — `bhost merge` of the shards of one sweep (docs/scale-out.md): the
 * shards merge into the unsharded run, a missing, duplicated or foreign shard and a point
 * in two shards are named and refused, the merged run says how long each shard took and
 * how uneven they were, and which environment fields differ between the machines (which
 * `bhost compare` flags). The shard runs are runs of one spec filtered to a part of it,
 * with the run.shard a `--shard` run records written into their results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static const char spec_text[] =
    "name: shards-e2e\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [500, 2000]}\n"
    "    iterations: {warmup: 5, measured: 100}\n"
    "  - experiment: noop\n"
    "    iterations: {warmup: 5, measured: 200}\n";

/* The unsharded run and two parts of it standing for its shards 1/2 and 2/2. */
static char *whole, *spin, *noop;
static char digest[65];

static char *run_spec(const char *spec, const char *filter)
{
    char *dir = e2e_dir("run");
    struct proc p;
    const char *args[] = {"run", spec, "--out", dir, "-q", filter ? "--filter" : NULL, filter,
                          NULL};
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost run exited %d: %s", p.rc, p.err);
    e2e_proc_free(&p);
    return dir;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* run.shard.sweep_ids_sha256 of a run's points: their ids sorted, each followed by "\n". */
static void ids_sha256(json_t *doc, char hex[65])
{
    json_t *points = json_object_get(doc, "points"), *pt;
    size_t n = json_array_size(points), i;
    const char **ids = calloc(n + 1, sizeof *ids);
    json_array_foreach(points, i, pt)
        ids[i] = json_string_value(json_object_get(pt, "id"));
    qsort(ids, n, sizeof *ids, by_text);
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    for (i = 0; i < n; i++) {
        sha256_update(&ctx, strlen(ids[i]), (const uint8_t *)ids[i]);
        sha256_update(&ctx, 1, (const uint8_t *)"\n");
    }
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    free(ids);
}

static int setup(void **state)
{
    (void)state;
    char *dir = e2e_dir("spec");
    char *spec = e2e_write(dir, "shards.yaml", spec_text);
    whole = run_spec(spec, NULL);
    spin = run_spec(spec, "spin*");
    noop = run_spec(spec, "noop");
    json_t *w = e2e_results(whole);
    ids_sha256(w, digest);
    json_decref(w);
    free(spec);
    free(dir);
    return 0;
}

static int teardown(void **state)
{
    free(whole);
    free(spin);
    free(noop);
    return e2e_cleanup(state);
}

/* A copy of run `src` as shard index/count of the whole sweep, written to a fresh directory
 * as another run (its own run.dir); returns the directory. `edit` may change it first. */
static char *shard(const char *src, int index, int count, void (*edit)(json_t *doc))
{
    json_t *doc = e2e_results(src), *run = json_object_get(doc, "run");
    char *dir = e2e_dir("shard");
    json_object_set_new(run, "dir", json_string(dir));
    json_object_set_new(run, "shard",
                        json_pack("{s:i, s:i, s:s, s:n, s:i, s:s, s:I}", "index", index, "count",
                                  count, "method", "dealt", "balance_from", "sweep_points", 3,
                                  "sweep_ids_sha256", digest, "points",
                                  (json_int_t)json_array_size(json_object_get(doc, "points"))));
    if (edit)
        edit(doc);
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", dir);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    return dir;
}

static int merge3(struct proc *p, const char *a, const char *b, const char *c, const char *out)
{
    const char *args[] = {"merge", a, b, c ? c : "-o", c ? "-o" : out, c ? out : NULL, NULL};
    e2e_run(p, args);
    return p->rc;
}

/* Merging a and b (and c) exits 2 naming `what`, and leaves no output directory. */
static void assert_refused(const char *a, const char *b, const char *c, const char *what)
{
    char *dir = e2e_dir("refused");
    char out[600];
    snprintf(out, sizeof out, "%s/never/merged", dir);
    struct proc p;
    int rc = merge3(&p, a, b, c, out);
    if (rc != 2 || !strstr(p.err, what))
        fail_msg("merge exited %d, not 2 with \"%s\": %s", rc, what, p.err);
    e2e_proc_free(&p);
    snprintf(out, sizeof out, "%s/never", dir);
    if (access(out, F_OK) == 0)
        fail_msg("%s exists after a refused merge", out);
    free(dir);
}

static json_int_t jint(json_t *v, const char *path)
{
    return json_integer_value(e2e_at(v, path));
}

static void test_shards_merge_into_the_whole(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL), *s2 = shard(noop, 2, 2, NULL);
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge3(&p, s2, s1, NULL, out), 0);
    json_t *w = e2e_results(whole), *m = e2e_results(out), *d1 = e2e_results(s1),
           *d2 = e2e_results(s2);
    /* Each shard's points and wall time, and how uneven they were, on stdout too. */
    char line[128];
    snprintf(line, sizeof line, "shard 1/2: 2 points, %.2f s", e2e_number(d1, "run/wall_s"));
    assert_non_null(strstr(p.out, line));
    snprintf(line, sizeof line, "shard 2/2: 1 point, %.2f s", e2e_number(d2, "run/wall_s"));
    assert_non_null(strstr(p.out, line));
    assert_non_null(strstr(p.out, "× the mean wall time"));
    e2e_proc_free(&p);

    json_t *run = json_object_get(m, "run");
    assert_null(json_object_get(run, "shard"));
    assert_int_equal(jint(run, "shards/count"), 2);
    assert_true(e2e_number(run, "shards/wall_s/0") == e2e_number(d1, "run/wall_s"));
    assert_true(e2e_number(run, "shards/wall_s/1") == e2e_number(d2, "run/wall_s"));
    assert_int_equal(jint(run, "shards/points/0"), 2);
    assert_int_equal(jint(run, "shards/points/1"), 1);
    double a = e2e_number(d1, "run/wall_s"), b = e2e_number(d2, "run/wall_s");
    double want = (a > b ? a : b) / ((a + b) / 2);
    assert_true(fabs(e2e_number(run, "shards/slowest_over_mean") - want) < 1e-9 * want);
    assert_null(json_object_get(run, "environments_differ"));
    assert_int_equal(json_array_size(json_object_get(m, "merged_from")), 2);

    /* The unsharded run's points, in its order, with its ids, parameters, seeds and counts. */
    json_t *points = json_object_get(m, "points"), *pt;
    size_t i;
    assert_int_equal(json_array_size(points), 3);
    json_array_foreach(points, i, pt) {
        json_t *wp = json_array_get(json_object_get(w, "points"), i);
        static const char *const same[] = {"id", "index", "label", "params", "seed", "plugin"};
        for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
            if (!json_equal(json_object_get(pt, same[k]), json_object_get(wp, same[k])))
                fail_msg("point %zu: \"%s\" is not the unsharded run's", i, same[k]);
        assert_true(json_equal(json_object_get(pt, "iterations"),
                               json_object_get(wp, "iterations")));
        assert_int_equal(jint(pt, "histograms/iteration/count"),
                         jint(wp, "histograms/iteration/count"));
    }
    assert_int_equal(jint(run, "points_run"), 3);
    assert_string_equal(e2e_text(run, "status"), "ok");

    /* Merged again with a run that is not a shard: run.shards was that merge's, not this. */
    char *again = e2e_dir("again");
    assert_int_equal(merge3(&p, out, whole, NULL, again), 0);
    assert_null(strstr(p.out, "shard 1/2"));
    e2e_proc_free(&p);
    json_t *ma = e2e_results(again);
    assert_null(json_object_get(json_object_get(ma, "run"), "shards"));
    assert_int_equal(json_array_size(json_object_get(ma, "merged_from")), 3);
    json_decref(ma);
    free(again);
    json_decref(w);
    json_decref(m);
    json_decref(d1);
    json_decref(d2);
    free(s1);
    free(s2);
    free(out);
}

static void test_missing_shard_named(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 3, NULL), *s2 = shard(noop, 2, 3, NULL);
    assert_refused(s1, s2, NULL, "shard 3/3 is missing");
    free(s1);
    free(s2);
}

static void test_duplicated_shard_named(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL), *again = shard(spin, 1, 2, NULL);
    char *s2 = shard(noop, 2, 2, NULL);
    char what[1200];
    snprintf(what, sizeof what, "shard 1/2 is given twice: %s/results.json and %s/results.json",
             s1, again);
    assert_refused(s1, again, s2, what);
    free(s1);
    free(again);
    free(s2);
}

static void other_digest(json_t *doc)
{
    json_object_set_new(json_object_get(json_object_get(doc, "run"), "shard"),
                        "sweep_ids_sha256", json_string("00"));
}

static void other_count(json_t *doc)
{
    json_object_set_new(json_object_get(json_object_get(doc, "run"), "shard"), "sweep_points",
                        json_integer(4));
}

static void test_other_sweep_refused(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL), *s2 = shard(noop, 2, 2, other_digest);
    assert_refused(s1, s2, NULL, "run.shard.sweep_ids_sha256 differs");
    free(s2);
    s2 = shard(noop, 2, 2, other_count);
    assert_refused(s1, s2, NULL, "run.shard.sweep_points differs");
    free(s2);
    free(s1);
}

/* A spin point in shard 2 too. */
static char *spin_point_id;
static void add_spin_point(json_t *doc)
{
    json_t *s = e2e_results(spin), *pt = json_array_get(json_object_get(s, "points"), 0);
    free(spin_point_id);
    spin_point_id = strdup(json_string_value(json_object_get(pt, "id")));
    json_array_append(json_object_get(doc, "points"), pt);
    json_decref(s);
}

static void drop_a_point(json_t *doc)
{
    json_array_remove(json_object_get(doc, "points"), 1);
}

static void test_point_in_two_shards_named(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL), *s2 = shard(noop, 2, 2, add_spin_point);
    char what[256];
    snprintf(what, sizeof what, "point %s is in two shards", spin_point_id);
    assert_refused(s1, s2, NULL, what);
    free(s2);
    /* A point none of the shards has: their ids are not the sweep's. */
    char *short1 = shard(spin, 1, 2, drop_a_point);
    s2 = shard(noop, 2, 2, NULL);
    assert_refused(short1, s2, NULL, "the shards' points are not their sweep's: they hold 2");
    free(short1);
    free(s2);
    free(s1);
    free(spin_point_id);
    spin_point_id = NULL;
}

static void test_shards_and_runs_not_mixed(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL);
    char what[600];
    snprintf(what, sizeof what, "%s/results.json is a shard (run.shard) and %s/results.json is "
                                "not", s1, noop);
    assert_refused(noop, s1, NULL, what);
    free(s1);
}

static void on_another_machine(json_t *doc)
{
    json_t *env = json_object_get(doc, "environment");
    json_object_set_new(env, "hostname", json_string("another-host"));
    json_object_set_new(json_object_get(env, "cpu"), "model", json_string("Another CPU"));
}

static void test_environments_differ(void **state)
{
    (void)state;
    char *s1 = shard(spin, 1, 2, NULL), *s2 = shard(noop, 2, 2, on_another_machine);
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge3(&p, s1, s2, NULL, out), 0);
    assert_non_null(strstr(p.out, "environments differ between the merged runs in: hostname, "
                                  "cpu.model"));
    e2e_proc_free(&p);
    json_t *m = e2e_results(out);
    json_t *differ = e2e_at(m, "run/environments_differ");
    assert_int_equal(json_array_size(differ), 2);
    assert_string_equal(e2e_text(differ, "0"), "hostname");
    assert_string_equal(e2e_text(differ, "1"), "cpu.model");
    /* Each shard's environment is kept. */
    assert_string_equal(e2e_text(m, "merged_from/1/environment/hostname"), "another-host");
    json_decref(m);

    /* compare flags a merged side whose machines differ, on either side. */
    const char *args[] = {"compare", whole, out, NULL};
    e2e_run(&p, args);
    assert_non_null(strstr(p.err, "warning: B is a merge of runs whose environments differ "
                                  "(hostname, cpu.model)"));
    e2e_proc_free(&p);
    const char *json_args[] = {"compare", out, whole, "--json", NULL};
    e2e_run(&p, json_args);
    json_t *c = json_loads(p.out, 0, NULL);
    assert_non_null(c);
    json_t *env = e2e_at(c, "environment"), *e;
    size_t i;
    int flagged = 0;
    json_array_foreach(env, i, e) {
        if (strcmp(e2e_text(e, "field"), "run.environments_differ") != 0)
            continue;
        flagged = 1;
        assert_int_equal(json_array_size(e2e_at(e, "a")), 2);
        assert_true(json_is_null(e2e_at(e, "b")));
    }
    assert_true(flagged);
    json_decref(c);
    e2e_proc_free(&p);
    free(out);
    free(s1);
    free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_merge_into_the_whole),
        cmocka_unit_test(test_missing_shard_named),
        cmocka_unit_test(test_duplicated_shard_named),
        cmocka_unit_test(test_other_sweep_refused),
        cmocka_unit_test(test_point_in_two_shards_named),
        cmocka_unit_test(test_shards_and_runs_not_mixed),
        cmocka_unit_test(test_environments_differ),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
