/*
 * test_sdk_1_1.c — SDK 1.1 end to end (issue 12): a plugin built against the
 * frozen 1.0 header and one that uses every 1.1 service run in one sweep
 * with threads [1, 2], and manual time, paused timers, batch failures, a
 * histogram of values that are not times, items and bytes per second and
 * an artifact each show in results.json, the table, run.hlog and bhost hdr.
 * Also: bhost_do_not_optimize keeps a loop -O2 would delete, and both
 * clocks time a spin of known length within 1 %.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "hdr/hdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR

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

static json_int_t num(json_t *v, const char *path)
{
    return json_integer_value(at(v, path));
}

static double real(json_t *v, const char *path)
{
    return json_number_value(at(v, path));
}

static const char *text(json_t *v, const char *path)
{
    const char *s = json_string_value(at(v, path));
    return s ? s : "(not a string)";
}

static json_t *point_labelled(json_t *doc, const char *label)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (strcmp(json_string_value(json_object_get(pt, "label")), label) == 0)
            return pt;
    fail_msg("no point %s", label);
    return NULL;
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void every_1_1_service_shows_beside_a_1_0_plugin(void **state)
{
    (void)state;
    char *dir = e2e_dir("sdk11"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "s11.yaml",
                           "iterations: {warmup: 1000, measured: 200000}\n"
                           "repetitions: 2\n"
                           "threads: [1, 2]\n"
                           "experiments:\n"
                           "  - experiment: test_sdk11\n"
                           "  - experiment: test_abi10\n"
                           "    iterations: {warmup: 10, measured: 1000}\n"
                           "  - experiment: test_timing\n"
                           "    params: {mode: [manual, paused]}\n"
                           "    iterations: {warmup: 2, measured: 100}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 8);
    for (json_int_t threads = 1; threads <= 2; threads++) {
        char label[64];
        snprintf(label, sizeof label, "test_sdk11[threads=%lld]", (long long)threads);
        json_t *pt = point_labelled(doc, label);
        json_int_t measured = 200000 * 2 * threads;
        assert_int_equal(num(pt, "threads"), threads);
        assert_int_equal(num(pt, "iterations/measured"), measured);
        /* bhost_failed(): each thread's every 1000th lookup missed, and the batch still counts. */
        json_int_t failed = num(pt, "failures/count");
        assert_true(failed >= measured / 1000 - threads && failed <= measured / 1000 + threads);
        assert_string_equal(text(pt, "failures/reasons/0/reason"), "key not found");
        /* Timed are the iterations that did not fail: together they make up the measured. */
        assert_int_equal(num(pt, "histograms/iteration/count") + failed, measured);
        /* A histogram of probes: its unit, its values, no throughput. */
        json_t *probes = at(pt, "histograms/probes");
        assert_string_equal(text(probes, "unit"), "probes");
        assert_int_equal(num(probes, "count"), measured);
        assert_int_equal(num(probes, "min"), 1);
        assert_int_equal(num(probes, "max"), 4);
        assert_true(json_is_null(json_object_get(probes, "throughput_per_s")));
        assert_string_equal(text(pt, "histograms/iteration/unit"), "ns");
        /* Items and bytes: totals, per iteration, per second. */
        assert_true(real(pt, "metrics/items_processed/per_iteration") == 1.0);
        assert_true(real(pt, "metrics/bytes_processed/per_iteration") == 64.0);
        assert_true(real(pt, "metrics/items_processed/per_second") > 0);
        /* Thread hooks ran on every thread; the gauge says the count. */
        assert_true(real(pt, "metrics/thread_starts/value") == (double)threads);
        assert_true(real(pt, "metrics/thread_ends/value") == (double)threads);
        assert_true(real(pt, "metrics/threads/value") == (double)threads);
        /* Batch calibration, like every call of a thread, comes after its thread_start(). */
        assert_null(json_object_get(json_object_get(pt, "metrics"), "calls_before_thread_start"));
        /* The artifact: listed with its type and size, and there. */
        json_t *a = at(pt, "artifacts/0");
        assert_string_equal(text(a, "name"), "summary.txt");
        assert_string_equal(text(a, "media_type"), "text/plain");
        assert_true(num(a, "size") > 0);
        char path[4096], want[32];
        snprintf(path, sizeof path, "%s/%s", out, text(a, "path"));
        char *content = read_whole(path);
        snprintf(want, sizeof want, "threads=%lld\n", (long long)threads);
        assert_string_equal(content, want);
        free(content);
        /* The 1.0 plugin, on one and two threads. */
        snprintf(label, sizeof label, "test_abi10[threads=%lld]", (long long)threads);
        pt = point_labelled(doc, label);
        assert_string_equal(text(pt, "status"), "ok");
        assert_int_equal(num(pt, "iterations/measured"), 2000 * threads);
        assert_true(real(pt, "metrics/calls/value") == (double)(2000 * threads));
    }
    /* Manual time: what the plugin said, to the nanosecond (exact below 2048 at 3 digits). */
    json_t *one = at(point_labelled(doc, "test_timing[mode=manual,threads=1]"),
                     "histograms/iteration");
    assert_int_equal(num(one, "min"), 1000);
    assert_int_equal(num(one, "max"), 1000);
    json_t *two = at(point_labelled(doc, "test_timing[mode=manual,threads=2]"),
                     "histograms/iteration");
    assert_int_equal(num(two, "p50"), 1000);
    assert_int_equal(num(two, "max"), 2000);
    assert_int_equal(num(two, "count"), 400);
    /* Paused: 200 us of each iteration left out, 5 us counted. */
    json_t *paused = at(point_labelled(doc, "test_timing[mode=paused,threads=1]"),
                        "histograms/iteration");
    assert_true(num(paused, "p50") >= 4990 && num(paused, "p50") < 100000);
    /* Each point says which clock timed it; the run says what it costs. */
    const char *clock = text(point_labelled(doc, "test_abi10[threads=1]"), "clock");
    assert_string_equal(clock, text(doc, "environment/timer/source"));
    assert_true(real(doc, "environment/timer/read_ns") > 0);
    /* The table: the unit, the rates, the failure rate. */
    expect_in(p.out, " probes\n");
    expect_in(p.out, " items/s");
    expect_in(p.out, "B/s");
    expect_in(p.out, "failed");
    /* run.hlog and bhost hdr say the unit of probes. */
    const char *id = text(point_labelled(doc, "test_sdk11[threads=1]"), "id");
    char hlog[4096], line[128];
    snprintf(hlog, sizeof hlog, "%s/run.hlog", out);
    char *log = read_whole(hlog);
    snprintf(line, sizeof line, "#[Unit %s/probes probes]\n", id);
    expect_in(log, line);
    free(log);
    e2e_proc_free(&p);
    /* (Given the run directory, bhost hdr reads its results.json.) */
    e2e_run(&p, (const char *[]){"hdr", out, "--point", id, "--histogram", "probes", NULL});
    assert_int_equal(p.rc, 0);
    expect_in(p.out, "#[Unit: probes]\n");
    e2e_proc_free(&p);
    json_decref(doc);
    free(spec);
    free(dir);
    free(out);
}

/* Every artifact of `pt` is in `run`, at a path of its own, of the size listed, holding
 * `content`. */
static void check_artifacts(const char *run, json_t *pt, size_t want, const char *content)
{
    json_t *arts = at(pt, "artifacts");
    assert_int_equal(json_array_size(arts), want);
    for (size_t i = 0; i < want; i++) {
        json_t *a = json_array_get(arts, i);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", run, text(a, "path"));
        char *have = read_whole(path);
        assert_string_equal(have, content);
        assert_int_equal(num(a, "size"), strlen(have));
        free(have);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(text(json_array_get(arts, j), "path"), text(a, "path"));
    }
}

/* bhost merge carries the artifacts over: every input's files, under paths of their own,
 * also when a merged run is merged again with a run whose files have the same names. */
static void merge_keeps_artifacts(void **state)
{
    (void)state;
    char *dir = e2e_dir("art"), *a = e2e_dir("a"), *b = e2e_dir("b"), *c = e2e_dir("c"),
         *ab = e2e_dir("ab");
    char *spec = e2e_write(dir, "art.yaml", "iterations: {warmup: 10, measured: 1000}\n"
                                            "experiments:\n  - experiment: test_sdk11\n");
    struct proc p;
    const char *outs[] = {a, b, c};
    for (size_t i = 0; i < 3; i++) {
        e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", outs[i],
                                     "-q", NULL});
        assert_int_equal(p.rc, 0);
        e2e_proc_free(&p);
    }
    char merged[4096], again[4096];
    snprintf(merged, sizeof merged, "%s/m", ab);
    snprintf(again, sizeof again, "%s/m2", ab);
    e2e_run(&p, (const char *[]){"merge", a, b, "-o", merged, NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    json_t *doc = e2e_results(merged);
    check_artifacts(merged, at(doc, "points/0"), 2, "threads=1\n");
    /* The merged run has its interval log, as a run does: the point's two repetitions. */
    char hlog[4200], tag[64];
    snprintf(hlog, sizeof hlog, "%s/run.hlog", merged);
    char *log = read_whole(hlog);
    snprintf(tag, sizeof tag, "Tag=%s/iteration/2,", text(doc, "points/0/id"));
    expect_in(log, tag);
    free(log);
    json_decref(doc);

    e2e_run(&p, (const char *[]){"merge", merged, c, "-o", again, NULL});
    assert_int_equal(p.rc, 0);
    doc = e2e_results(again);
    check_artifacts(again, at(doc, "points/0"), 3, "threads=1\n");
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(a);
    free(b);
    free(c);
    free(ab);
}

/* bhost_failed() cannot count more iterations than the call ran: a plugin bug that fails
 * the point, naming the call, instead of a success rate below zero. */
static void failed_counts_no_more_than_ran(void **state)
{
    (void)state;
    char *dir = e2e_dir("over"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "over.yaml", "iterations: {warmup: 10, measured: 1000}\n"
                                             "experiments:\n  - experiment: test_sdk11\n"
                                             "    params: {over_count: 2}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    json_t *pt = at(doc, "points/0");
    assert_string_equal(text(pt, "status"), "failed");
    expect_in(text(pt, "error"), "plugin bug: bhost_failed(");
    expect_in(text(pt, "error"), "of which 0 had failed already");
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* One thread is what every point had before threads: the same id. */
static void one_thread_keeps_a_points_id(void **state)
{
    (void)state;
    char *dir = e2e_dir("ids");
    char *a = e2e_write(dir, "a.yaml", "experiments:\n  - experiment: spin\n");
    char *b = e2e_write(dir, "b.yaml", "threads: [1, 4]\nexperiments:\n  - experiment: spin\n");
    struct proc pa, pb;
    e2e_run(&pa, (const char *[]){"validate", a, NULL});
    e2e_run(&pb, (const char *[]){"validate", b, NULL});
    assert_int_equal(pa.rc, 0);
    assert_int_equal(pb.rc, 0);
    char id[17] = "";
    const char *line = strstr(pa.out, "\n       0  ");
    assert_non_null(line);
    memcpy(id, line + 11, 16);
    char want[64];
    snprintf(want, sizeof want, "%s  spin[threads=1]\n", id);
    expect_in(pb.out, want);
    expect_in(pb.out, "spin[threads=4]\n");
    e2e_proc_free(&pa);
    e2e_proc_free(&pb);
    free(a);
    free(b);
    free(dir);
}

/* A loop -O2 may delete survives bhost_do_not_optimize: its time grows with its work. */
static void do_not_optimize_keeps_the_work(void **state)
{
    (void)state;
    char *dir = e2e_dir("opt"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "opt.yaml",
                           "iterations: {warmup: 5, measured: 200}\n"
                           "experiments:\n"
                           "  - experiment: test_optimize\n"
                           "    params: {n: [1000, 100000], keep: true}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    double small = real(doc, "points/0/histograms/iteration/p50");
    double large = real(doc, "points/1/histograms/iteration/p50");
    /* 100 x the work: far more than 20 x the time, unless the loop was deleted. */
    if (!(large > 20 * small))
        fail_msg("p50 %g ns for n=1000, %g ns for n=100000: the loop was not kept", small, large);
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* A spin of 1 ms on the host's clock, timed by the loops' clock: within 1 % under both. */
static void both_clocks_time_a_known_spin_within_one_percent(void **state)
{
    (void)state;
    char *dir = e2e_dir("clock");
    char *spec = e2e_write(dir, "spin.yaml",
                           "iterations: {warmup: 5, measured: 100}\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params: {ns: 1000000, mode: clock}\n");
    const char *clocks[] = {"tsc", "monotonic"};
    struct hdr probe;
    assert_int_equal(hdr_init_bhost(&probe), 0);
    int64_t floor_ns = hdr_lowest_equivalent(&probe, 1000000);
    hdr_fini(&probe);
    for (size_t i = 0; i < 2; i++) {
        char *out = e2e_dir("out");
        struct proc p;
        e2e_run(&p, (const char *[]){"run", spec, "--out", out, "-q", "--clock", clocks[i],
                                     NULL});
        assert_int_equal(p.rc, 0);
        json_t *doc = e2e_results(out);
        json_t *timer = at(doc, "environment/timer");
        const char *source = text(timer, "source");
        if (i == 0 && strcmp(source, "tsc") != 0) {
            /* No invariant TSC here: the fallback must say why. */
            assert_true(json_is_string(json_object_get(timer, "fallback")));
            expect_in(p.err, "--clock tsc: ");
        }
        if (i == 1)
            assert_string_equal(source, "CLOCK_MONOTONIC");
        json_int_t p50 = num(doc, "points/0/histograms/iteration/p50");
        if (p50 < floor_ns || p50 > 1010000)
            fail_msg("--clock %s: p50 %lld ns for a 1 ms spin", clocks[i], (long long)p50);
        assert_string_equal(text(doc, "points/0/clock"), source);
        json_decref(doc);
        e2e_proc_free(&p);
        free(out);
    }
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_1_1_service_shows_beside_a_1_0_plugin),
        cmocka_unit_test(one_thread_keeps_a_points_id),
        cmocka_unit_test(merge_keeps_artifacts),
        cmocka_unit_test(failed_counts_no_more_than_ran),
        cmocka_unit_test(do_not_optimize_keeps_the_work),
        cmocka_unit_test(both_clocks_time_a_known_spin_within_one_percent),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
