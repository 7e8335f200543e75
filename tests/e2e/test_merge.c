/*
 * test_merge.c — `bhost merge` end to end: runs of one spec merged point by
 * point (histograms added losslessly, repetitions concatenated, counts
 * summed), shards of one sweep merged into the whole, and inputs that must
 * be refused.
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
#include "hdr.h"

static const char spec_text[] =
    "name: merge-e2e\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [500, 2000]}\n"
    "    iterations: {warmup: 10, measured: 300}\n"
    "    repetitions: 2\n"
    "  - experiment: noop\n"
    "    iterations: {warmup: 10, measured: 2000}\n";

static char *spec_path(void)
{
    char *dir = e2e_dir("spec");
    char *path = e2e_write(dir, "merge.yaml", spec_text);
    free(dir);
    return path;
}

/* Runs the spec (extra arguments may follow) into a fresh directory. */
static char *run_spec(const char *spec, const char *extra1, const char *extra2)
{
    char *dir = e2e_dir("run");
    struct proc p;
    const char *args[] = {"run", spec, "--out", dir, "-q", extra1, extra2, NULL};
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost run exited %d: %s", p.rc, p.err);
    e2e_proc_free(&p);
    return dir;
}

static int merge(struct proc *p, const char *a, const char *b, const char *out)
{
    const char *args[] = {"merge", a, b, "-o", out, NULL};
    e2e_run(p, args);
    return p->rc;
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

static json_int_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static void decode(json_t *hist, struct hdr *h)
{
    const char *text = json_string_value(json_object_get(hist, "hdr"));
    assert_non_null(text);
    assert_int_equal(hdr_decode_v2_base64(text, h), 0);
}

/* Every point of `merged` is the sum of the same point in a and b. */
static void check_sums(json_t *a, json_t *b, json_t *merged)
{
    json_t *points = json_object_get(merged, "points"), *pt;
    size_t i;
    assert_int_equal(json_array_size(points), json_array_size(json_object_get(a, "points")));
    json_array_foreach(points, i, pt) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        json_t *pa = point_by_id(a, id), *pb = point_by_id(b, id);
        assert_non_null(pa);
        assert_non_null(pb);
        assert_string_equal(json_string_value(json_object_get(pt, "status")), "ok");
        assert_int_equal(jint(pt, "repetitions"), jint(pa, "repetitions") + jint(pb, "repetitions"));
        json_t *it = json_object_get(pt, "iterations");
        assert_int_equal(jint(it, "measured"),
                         jint(json_object_get(pa, "iterations"), "measured") +
                             jint(json_object_get(pb, "iterations"), "measured"));
        json_t *hm = json_object_get(json_object_get(pt, "histograms"), "iteration");
        json_t *ha = json_object_get(json_object_get(pa, "histograms"), "iteration");
        json_t *hb = json_object_get(json_object_get(pb, "histograms"), "iteration");
        assert_non_null(hm);
        assert_int_equal(jint(hm, "count"), jint(ha, "count") + jint(hb, "count"));
        assert_int_equal(json_array_size(json_object_get(hm, "repetitions")),
                         json_array_size(json_object_get(ha, "repetitions")) +
                             json_array_size(json_object_get(hb, "repetitions")));

        struct hdr dm, da, db;
        decode(hm, &dm);
        decode(ha, &da);
        decode(hb, &db);
        assert_int_equal(dm.total_count, da.total_count + db.total_count);
        for (int32_t k = 0; k < dm.counts_len; k++)
            if (dm.counts[k] != da.counts[k] + db.counts[k])
                fail_msg("point %s: bucket %d holds %lld, not %lld + %lld", id, k,
                         (long long)dm.counts[k], (long long)da.counts[k],
                         (long long)db.counts[k]);
        /* The figures are the merged histogram's own. */
        struct hdr_summary s;
        hdr_summarize(&dm, &s);
        assert_int_equal(jint(hm, "min"), s.min);
        assert_int_equal(jint(hm, "p50"), s.p50);
        assert_int_equal(jint(hm, "p99_99"), s.p9999);
        assert_int_equal(jint(hm, "max"), s.max);
        hdr_fini(&dm);
        hdr_fini(&da);
        hdr_fini(&db);
    }
}

static void test_merge_two_runs(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, NULL, NULL), *b = run_spec(spec, NULL, NULL);
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge(&p, a, b, out), 0);
    e2e_proc_free(&p);

    json_t *da = e2e_results(a), *db = e2e_results(b), *dm = e2e_results(out);
    assert_non_null(dm);
    assert_string_equal(json_string_value(json_object_get(dm, "schema")), "bhost.result/1");
    check_sums(da, db, dm);
    json_t *from = json_object_get(dm, "merged_from");
    assert_int_equal(json_array_size(from), 2);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(from, 1), "path")),
                           b));
    json_t *run = json_object_get(dm, "run");
    assert_string_equal(json_string_value(json_object_get(run, "status")), "ok");
    assert_int_equal(jint(run, "points_run"), 3);
    assert_true(json_equal(json_object_get(dm, "spec"), json_object_get(da, "spec")));
    json_decref(da);
    json_decref(db);
    json_decref(dm);
    free(a);
    free(b);
    free(out);
    free(spec);
}

static void test_merge_shards(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *whole = run_spec(spec, NULL, NULL);
    char *spin = run_spec(spec, "--filter", "spin*"), *noop = run_spec(spec, "--filter", "noop");
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge(&p, noop, spin, out), 0);
    e2e_proc_free(&p);

    json_t *dw = e2e_results(whole), *dm = e2e_results(out);
    json_t *ds = e2e_results(spin), *dn = e2e_results(noop);
    json_t *points = json_object_get(dm, "points"), *pt;
    size_t i;
    /* The union, in sweep order, each point as its shard has it. */
    assert_int_equal(json_array_size(points), 3);
    json_array_foreach(points, i, pt) {
        json_t *wpt = json_array_get(json_object_get(dw, "points"), i);
        assert_string_equal(json_string_value(json_object_get(pt, "id")),
                            json_string_value(json_object_get(wpt, "id")));
        assert_int_equal(jint(pt, "index"), (json_int_t)i);
        const char *id = json_string_value(json_object_get(pt, "id"));
        json_t *src = point_by_id(ds, id) ? point_by_id(ds, id) : point_by_id(dn, id);
        assert_true(json_equal(pt, src));
    }
    assert_true(json_is_null(json_object_get(json_object_get(dm, "run"), "filter")));
    json_decref(dw);
    json_decref(dm);
    json_decref(ds);
    json_decref(dn);
    free(whole);
    free(spin);
    free(noop);
    free(out);
    free(spec);
}

/* Open-loop points keep their schedule: late iterations summed, the largest lag kept. */
static void test_merge_open_loop(void **state)
{
    (void)state;
    char *dir = e2e_dir("open");
    char *spec = e2e_write(dir, "open.yaml", "experiments:\n"
                                             "  - experiment: noop\n"
                                             "    iterations: {warmup: 0, measured: 200}\n"
                                             "    rate: 20000\n");
    char *a = run_spec(spec, NULL, NULL), *b = run_spec(spec, NULL, NULL);
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge(&p, a, b, out), 0);
    e2e_proc_free(&p);
    json_t *da = e2e_results(a), *db = e2e_results(b), *dm = e2e_results(out);
    json_t *sa = json_object_get(json_array_get(json_object_get(da, "points"), 0), "schedule");
    json_t *sb = json_object_get(json_array_get(json_object_get(db, "points"), 0), "schedule");
    json_t *sm = json_object_get(json_array_get(json_object_get(dm, "points"), 0), "schedule");
    assert_non_null(sm);
    assert_int_equal(jint(sm, "late"), jint(sa, "late") + jint(sb, "late"));
    json_int_t la = jint(sa, "max_lag_ns"), lb = jint(sb, "max_lag_ns");
    assert_int_equal(jint(sm, "max_lag_ns"), la > lb ? la : lb);
    assert_string_equal(json_string_value(json_object_get(sm, "arrival")), "fixed");
    json_t *resp = json_object_get(json_object_get(json_array_get(json_object_get(dm, "points"),
                                                                  0), "histograms"), "response");
    assert_int_equal(jint(resp, "count"), 400);
    json_decref(da);
    json_decref(db);
    json_decref(dm);
    free(a);
    free(b);
    free(out);
    free(spec);
    free(dir);
}

static void test_merge_refuses_other_spec(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, NULL, NULL), *b = run_spec(spec, "--set", "seed=7");
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge(&p, a, b, out), 2);
    assert_non_null(strstr(p.err, "is a run of another spec than"));
    assert_non_null(strstr(p.err, "\"seed\" differs"));
    e2e_proc_free(&p);
    assert_null(e2e_results(out));
    free(a);
    free(b);
    free(out);
    free(spec);
}

static void test_merge_refuses_bad_input(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, "--filter", "noop");
    char *dir = e2e_dir("bad");
    char *out = e2e_dir("merged");
    struct proc p;

    char *broken = e2e_write(dir, "broken.json", "{\"schema\": \"bhost.result/1\",\n  \"run\": }\n");
    assert_int_equal(merge(&p, a, broken, out), 2);
    assert_non_null(strstr(p.err, "broken.json:2:"));
    assert_non_null(strstr(p.err, "not valid JSON"));
    e2e_proc_free(&p);

    char *other = e2e_write(dir, "other.json", "{\"schema\": \"bhost.result/9\"}\n");
    assert_int_equal(merge(&p, a, other, out), 2);
    assert_non_null(strstr(p.err, "other.json: not a bhost results file: schema is"));
    e2e_proc_free(&p);

    /* A results file whose hdr is not a histogram. */
    json_t *doc = e2e_results(a);
    json_t *h = json_object_get(
        json_object_get(json_object_get(json_array_get(json_object_get(doc, "points"), 0),
                                        "histograms"),
                        "iteration"),
        "hdr");
    json_string_set(h, "HISTFAAAAAA=");
    char *text = json_dumps(doc, 0);
    char *corrupt = e2e_write(dir, "corrupt.json", text);
    assert_int_equal(merge(&p, a, corrupt, out), 2);
    assert_non_null(strstr(p.err, "corrupt.json: point "));
    assert_non_null(strstr(p.err, "its hdr cannot be decoded"));
    e2e_proc_free(&p);

    assert_int_equal(merge(&p, a, a, a), 2); /* would overwrite its input */
    e2e_proc_free(&p);
    const char *one[] = {"merge", a, "-o", out, NULL};
    e2e_run(&p, one);
    assert_int_equal(p.rc, 2);
    e2e_proc_free(&p);
    assert_null(e2e_results(out));

    free(text);
    json_decref(doc);
    free(broken);
    free(other);
    free(corrupt);
    free(a);
    free(dir);
    free(out);
    free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_two_runs),
        cmocka_unit_test(test_merge_shards),
        cmocka_unit_test(test_merge_open_loop),
        cmocka_unit_test(test_merge_refuses_other_spec),
        cmocka_unit_test(test_merge_refuses_bad_input),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_cleanup();
    return rc;
}
