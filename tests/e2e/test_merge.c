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

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "hdr/hdr_v2.h"
#include "hdr/hdr.h"
#include "results/results.h"

static const char spec_text[] =
    "name: merge-e2e\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [500, 2000]}\n"
    "    iterations: {warmup: 10, measured: 300}\n"
    "    repetitions: 2\n"
    "    instruments: [rusage]\n"
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

/* The first point of a results document. */
static json_t *first_point(json_t *doc)
{
    return json_array_get(json_object_get(doc, "points"), 0);
}

/* Writes doc to dir/name; returns the path (owned). */
static char *write_doc(const char *dir, const char *name, json_t *doc)
{
    char *text = json_dumps(doc, 0);
    char *path = e2e_write(dir, name, text);
    free(text);
    return path;
}

/* A hand-edited copy of a run stands for another run: another run.dir. */
static void as_other_run(json_t *doc, const char *dir)
{
    json_object_set_new(json_object_get(doc, "run"), "dir", json_string(dir));
}

/* A refused merge writes nothing: not even its -o directory. */
static void assert_absent(const char *path)
{
    if (access(path, F_OK) == 0)
        fail_msg("%s exists after a refused merge", path);
}

/*
 * `bhost merge a doc -o DIR/never` with doc written to DIR/name must exit 2
 * with `message` on stderr and leave no DIR/never. Takes over doc.
 */
static void assert_refused(const char *a, json_t *doc, const char *name, const char *message)
{
    char *dir = e2e_dir("refused");
    char *path = write_doc(dir, name, doc);
    char *out = malloc(strlen(dir) + 8);
    sprintf(out, "%s/never", dir);
    struct proc p;
    int rc = merge(&p, a, path, out);
    if (rc != 2 || !strstr(p.err, message))
        fail_msg("merge with %s exited %d, not 2 with \"%s\": %s", name, rc, message, p.err);
    e2e_proc_free(&p);
    assert_absent(out);
    json_decref(doc);
    free(out);
    free(path);
    free(dir);
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
static double rep_seconds(json_t *pt)
{
    double s = 0;
    size_t k;
    json_t *rep;
    json_array_foreach(json_object_get(json_object_get(json_object_get(pt, "histograms"),
                                                       "iteration"), "repetitions"), k, rep)
        s += json_number_value(json_object_get(rep, "wall_s"));
    return s;
}

/* Counters add up, and their rates are the merged point's: over all its measured iterations
 * and all its repetitions' seconds. */
static void check_counters(json_t *pt, json_t *pa, json_t *pb)
{
    const char *name;
    json_t *m;
    int seen = 0;
    double measured = (double)jint(json_object_get(pt, "iterations"), "measured");
    json_object_foreach(json_object_get(pt, "metrics"), name, m) {
        if (strcmp(json_string_value(json_object_get(m, "kind")), "counter") != 0)
            continue;
        double v = json_number_value(json_object_get(m, "value"));
        double va = json_number_value(json_object_get(json_object_get(
                        json_object_get(pa, "metrics"), name), "value"));
        double vb = json_number_value(json_object_get(json_object_get(
                        json_object_get(pb, "metrics"), name), "value"));
        assert_true(fabs(v - (va + vb)) <= 1e-9 * fabs(v) + 1e-12);
        double per_it = json_number_value(json_object_get(m, "per_iteration"));
        double per_s = json_number_value(json_object_get(m, "per_second"));
        double secs = rep_seconds(pa) + rep_seconds(pb);
        if (fabs(per_it - v / measured) > 1e-9 * fabs(v / measured) + 1e-15 ||
            fabs(per_s - v / secs) > 1e-9 * fabs(v / secs) + 1e-15)
            fail_msg("%s: per_iteration %g (want %g), per_second %g (want %g)", name, per_it,
                     v / measured, per_s, v / secs);
        seen++;
    }
    if (strncmp(json_string_value(json_object_get(pt, "label")), "spin", 4) == 0)
        assert_true(seen >= 5); /* rusage's */
}

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
        check_counters(pt, pa, pb);
    }
}

static void test_merge_two_runs(void **state)
{
    (void)state;
    char *spec = spec_path();
    /* Two jobs: where there are two CPUs the points carry the CPU they ran on. */
    char *a = run_spec(spec, "--jobs", "2"), *b = run_spec(spec, "--jobs", "2");
    char *out = e2e_dir("merged");
    struct proc p;
    assert_int_equal(merge(&p, a, b, out), 0);
    e2e_proc_free(&p);

    json_t *da = e2e_results(a), *db = e2e_results(b), *dm = e2e_results(out);
    assert_non_null(dm);
    /* A merged point ran on the CPUs of two runs: it names none. */
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(dm, "points"), i, pt)
        assert_null(json_object_get(pt, "cpu"));
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
    as_other_run(doc, "/elsewhere");
    char *text = json_dumps(doc, 0);
    char *corrupt = e2e_write(dir, "corrupt.json", text);
    char *fresh = malloc(strlen(out) + 8);
    sprintf(fresh, "%s/fresh", out);
    assert_int_equal(merge(&p, a, corrupt, fresh), 2);
    assert_non_null(strstr(p.err, "corrupt.json: point "));
    assert_non_null(strstr(p.err, "its hdr cannot be decoded"));
    e2e_proc_free(&p);
    assert_absent(fresh);
    free(fresh);

    assert_int_equal(merge(&p, a, a, a), 2); /* would overwrite its input */
    e2e_proc_free(&p);
    const char *one[] = {"merge", a, "-o", out, NULL};
    e2e_run(&p, one);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "needs at least two results files, or the one shard of a "
                                  "--shard 1/1 run"));
    e2e_proc_free(&p);
    const char *no_out[] = {"merge", a, a, NULL};
    e2e_run(&p, no_out);
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "bhost merge: no output directory (-o DIR)"));
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

/* Hand-edited inputs: negative counts and an hdr that is not Base64 are
 * refused by point_check, with the field named. */
static void test_merge_refuses_bad_fields(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, "--filter", "noop");

    json_t *doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_t *f = json_object_get(first_point(doc), "failures");
    json_t *edited = json_pack("{s:s, s:I}", "reason", "edited", "count", (json_int_t)-5);
    json_array_append_new(json_object_get(f, "reasons"), edited);
    assert_refused(a, doc, "negative-reason.json",
                   "failures.reasons[0].count: not a count");

    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_object_set_new(json_object_get(first_point(doc), "iterations"), "warmup",
                        json_integer(-1));
    assert_refused(a, doc, "negative-warmup.json", "iterations.warmup: not a count");

    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_object_set_new(first_point(doc), "repetitions", json_integer(-2));
    assert_refused(a, doc, "negative-reps.json", ": repetitions: not a count");

    /* An hdr goes into run.hlog as it is: a newline would add lines to it. */
    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_t *h = json_object_get(json_object_get(first_point(doc), "histograms"), "iteration");
    char *text = malloc(strlen(json_string_value(json_object_get(h, "hdr"))) + 32);
    sprintf(text, "%s\nTag=x,0.0,1.0,1.0,HISTF", json_string_value(json_object_get(h, "hdr")));
    json_object_set_new(h, "hdr", json_string(text));
    assert_refused(a, doc, "newline-hdr.json",
                   "histograms.iteration.hdr: not a Base64 string");

    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    h = json_object_get(json_object_get(first_point(doc), "histograms"), "iteration");
    json_object_set_new(json_array_get(json_object_get(h, "repetitions"), 0), "hdr",
                        json_string(text));
    assert_refused(a, doc, "newline-rep-hdr.json",
                   "histograms.iteration.repetitions[0].hdr: not a Base64 string");
    free(text);
    free(a);
    free(spec);
}

/* Sums that do not fit in an int64 are refused, not wrapped (or UB). */
static void test_merge_refuses_overflowing_counts(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, "--filter", "noop");

    json_t *doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_object_set_new(json_object_get(first_point(doc), "iterations"), "warmup",
                        json_integer(INT64_MAX));
    /* Both inputs hand-edited alike: the first is a copy of a with a new run.dir. */
    char *dir = e2e_dir("big");
    char *first = write_doc(dir, "first.json", doc);
    as_other_run(doc, "/elsewhere/too");
    assert_refused(first, doc, "warmup.json",
                   "iterations.warmup: counts too large to add");
    free(first);

    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_t *f = json_object_get(first_point(doc), "failures");
    json_t *edited = json_pack("{s:s, s:I}", "reason", "edited", "count", (json_int_t)INT64_MAX);
    json_array_append_new(json_object_get(f, "reasons"), edited);
    first = write_doc(dir, "first.json", doc);
    as_other_run(doc, "/elsewhere/too");
    assert_refused(first, doc, "reasons.json",
                   "failures.reasons[].count: counts too large to add");
    free(first);

    /* Histograms of 2^62 + 1 values each: their sum passes 2^63 - 1. */
    struct hdr big;
    assert_int_equal(hdr_init_bhost(&big), 0);
    hdr_record_n(&big, 1000, (INT64_C(1) << 62) + 1);
    char *b64 = hdr_encode_v2_base64(&big);
    assert_non_null(b64);
    doc = e2e_results(a);
    as_other_run(doc, "/elsewhere");
    json_t *h = json_object_get(json_object_get(first_point(doc), "histograms"), "iteration");
    json_object_set_new(h, "hdr", json_string(b64));
    json_object_set_new(h, "count", json_integer(big.total_count));
    first = write_doc(dir, "first.json", doc);
    as_other_run(doc, "/elsewhere/too");
    assert_refused(first, doc, "histogram.json",
                   ", histogram \"iteration\": counts exceed 2^63-1");
    free(first);
    free(b64);
    hdr_fini(&big);

    free(dir);
    free(a);
    free(spec);
}

/* run.failures saturates at INT64_MAX rather than overflow: a resumed run
 * whose journal was edited must still write its results. */
static void test_run_failures_saturate(void **state)
{
    (void)state;
    json_t *points = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(
            points, json_pack("{s:{s:I}, s:{s:I, s:[{s:s, s:I}]}}", "iterations", "measured",
                              (json_int_t)INT64_MAX, "failures", "count",
                              (json_int_t)(INT64_MAX - 1), "reasons", "reason", "x", "count",
                              (json_int_t)INT64_MAX));
    json_t *f = results_run_failures(points);
    assert_int_equal(jint(f, "count"), INT64_MAX);
    assert_int_equal(json_array_size(json_object_get(f, "reasons")), 1);
    assert_int_equal(jint(json_array_get(json_object_get(f, "reasons"), 0), "count"), INT64_MAX);
    json_decref(f);
    json_decref(points);
}

/* The same run twice would count its points twice, whatever its path. */
static void test_merge_refuses_same_run_twice(void **state)
{
    (void)state;
    char *spec = spec_path();
    char *a = run_spec(spec, "--filter", "noop"), *b = run_spec(spec, "--filter", "noop");
    char *out = e2e_dir("merged");
    char *never = malloc(strlen(out) + 8);
    sprintf(never, "%s/never", out);
    struct proc p;

    assert_int_equal(merge(&p, a, a, never), 2);
    assert_non_null(strstr(p.err, "both hold the run started"));
    assert_non_null(strstr(p.err, "would count its points twice"));
    e2e_proc_free(&p);
    assert_absent(never);

    /* A copy elsewhere is still the same run. */
    char *copies = e2e_dir("copy");
    json_t *doc = e2e_results(a);
    char *copy = write_doc(copies, "copy.json", doc);
    json_decref(doc);
    assert_int_equal(merge(&p, a, copy, never), 2);
    assert_non_null(strstr(p.err, "copy.json both hold the run started"));
    e2e_proc_free(&p);
    assert_absent(never);

    /* (a + b) + a: a is in the first input's merged_from. */
    assert_int_equal(merge(&p, a, b, out), 0);
    e2e_proc_free(&p);
    assert_int_equal(merge(&p, out, a, never), 2);
    assert_non_null(strstr(p.err, out));
    assert_non_null(strstr(p.err, a));
    assert_non_null(strstr(p.err, "both hold the run started"));
    e2e_proc_free(&p);
    assert_absent(never);

    /* A merge whose merged_from lists one run twice (edited by hand). */
    doc = e2e_results(out);
    json_t *from = json_object_get(doc, "merged_from");
    json_array_append(from, json_array_get(from, 0));
    char *twice = write_doc(copies, "twice.json", doc);
    json_decref(doc);
    char *c = run_spec(spec, "--filter", "noop");
    assert_int_equal(merge(&p, c, twice, never), 2);
    assert_non_null(strstr(p.err, "twice.json holds the run started"));
    e2e_proc_free(&p);
    assert_absent(never);

    free(c);
    free(twice);
    free(copy);
    free(copies);
    free(never);
    free(out);
    free(a);
    free(b);
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
        cmocka_unit_test(test_merge_refuses_bad_fields),
        cmocka_unit_test(test_merge_refuses_overflowing_counts),
        cmocka_unit_test(test_run_failures_saturate),
        cmocka_unit_test(test_merge_refuses_same_run_twice),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_cleanup(NULL);
    return rc;
}
