/*
 * test_reference_plugins.c — the plugins bhost ships as its reference
 * (noop, spin, rusage), through the real bhost: what --list says of them,
 * and what they report when run; the host runs on jemalloc outside
 * sanitizer builds; and every service the SDK promises a plugin, as the
 * test plugin test_services sees it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include <bhost/bhost.h>
#include "hdr/hdr.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The ABI this SDK's plugins are built for, "1.1": tests survive a minor bump. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define ABI_TEXT STR(BHOST_ABI_MAJOR) "." STR(BHOST_ABI_MINOR)

static json_t *plugin_entry(json_t *list, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(list, "plugins"), i, p)
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return p;
    fail_msg("--list --json lacks plugin '%s'", name);
    return NULL;
}

static json_t *param(json_t *plugin, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(plugin, "params"), i, p)
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return p;
    fail_msg("plugin lacks parameter '%s'", name);
    return NULL;
}

static const char *s(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "(null)";
}

static void list_shows_the_three_with_their_parameters(void **state)
{
    (void)state;
    struct proc p;
    e2e_run(&p, (const char *[]){"list", "--json", NULL});
    assert_int_equal(p.rc, 0);
    json_t *list = json_loads(p.out, 0, NULL);
    assert_non_null(list);
    json_t *noop = plugin_entry(list, "noop"), *spin = plugin_entry(list, "spin");
    json_t *rusage = plugin_entry(list, "rusage");
    assert_string_equal(s(noop, "kind"), "experiment");
    assert_int_equal(json_array_size(json_object_get(noop, "params")), 0);
    assert_string_equal(s(spin, "kind"), "experiment");
    json_t *ns = param(spin, "ns"), *mode = param(spin, "mode");
    assert_string_equal(s(ns, "type"), "int");
    assert_int_equal(json_integer_value(json_object_get(ns, "default")), 1000);
    assert_int_equal(json_integer_value(json_object_get(ns, "min")), 0);
    assert_string_equal(s(ns, "unit"), "ns");
    assert_string_equal(s(mode, "type"), "enum");
    assert_int_equal(json_array_size(json_object_get(mode, "choices")), 2);
    assert_string_equal(s(rusage, "kind"), "instrument");
    assert_string_equal(s(param(rusage, "scope"), "default"), "process");
    json_decref(list);
    e2e_proc_free(&p);
    /* The text listing names them with their parameters' docs too. */
    e2e_run(&p, (const char *[]){"list", "noop", "spin", "rusage", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "noop 1.0 (ABI " ABI_TEXT ")"));
    assert_non_null(strstr(p.out, "spin 1.0 (ABI " ABI_TEXT ")"));
    assert_non_null(strstr(p.out, "rusage 1.0 (ABI " ABI_TEXT ")"));
    assert_non_null(strstr(p.out, "how long one iteration spins"));
    e2e_proc_free(&p);
}

static double metric(json_t *pt, const char *name, const char *kind)
{
    json_t *m = json_object_get(json_object_get(pt, "metrics"), name);
    if (!m)
        fail_msg("point %s lacks metric %s", s(pt, "label"), name);
    assert_string_equal(s(m, "kind"), kind);
    return json_number_value(json_object_get(m, "value"));
}

static json_int_t figure(json_t *pt, const char *hist, const char *key)
{
    return json_integer_value(
        json_object_get(json_object_get(json_object_get(pt, "histograms"), hist), key));
}

static void spin_noop_and_rusage_report_what_they_say(void **state)
{
    (void)state;
    char *dir = e2e_dir("ref"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "ref.yaml",
                           "iterations: {warmup: 2, measured: 20}\n"
                           "instruments: [rusage]\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params: {ns: 200000, mode: clock}\n"
                           "  - experiment: noop\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    json_t *points = json_object_get(doc, "points");
    json_t *spin = json_array_get(points, 0), *noop = json_array_get(points, 1);
    /* mode=clock spins until ns have passed: no iteration can be shorter. A
     * histogram's min is its bucket's lowest value (docs/results.md), so a true
     * minimum of 200,000-200,063 ns reads 199,936: compare bucket to bucket. */
    struct hdr probe;
    assert_int_equal(hdr_init_bhost(&probe), 0);
    int64_t floor_ns = hdr_lowest_equivalent(&probe, 200000);
    hdr_fini(&probe);
    assert_true(floor_ns < 200000);
    assert_true(figure(spin, "iteration", "min") >= floor_ns);
    assert_int_equal(figure(spin, "iteration", "count"), 20);
    assert_true(figure(noop, "iteration", "p50") < figure(spin, "iteration", "min"));
    /* rusage, attached to both: CPU seconds and faults as counters, the peak RSS a gauge. */
    assert_true(metric(spin, "rusage.user_cpu_s", "counter") +
                    metric(spin, "rusage.sys_cpu_s", "counter") > 0);
    assert_true(metric(spin, "rusage.minor_faults", "counter") >= 0);
    assert_true(metric(spin, "rusage.voluntary_ctx_switches", "counter") >= 0);
    assert_true(metric(noop, "rusage.max_rss_kib", "gauge") > 0);
    /* The run's figures cover the points' own processes, which did the work. */
    double points_cpu = 0, run_cpu = 0;
    json_t *pts[] = {spin, noop};
    for (size_t i = 0; i < 2; i++)
        points_cpu += metric(pts[i], "rusage.user_cpu_s", "counter") +
                      metric(pts[i], "rusage.sys_cpu_s", "counter");
    size_t k;
    json_t *inst;
    json_array_foreach(json_object_get(doc, "instruments"), k, inst)
        run_cpu += metric(inst, "user_cpu_s", "counter") + metric(inst, "sys_cpu_s", "counter");
    assert_true(points_cpu > 0.003); /* 20 x 200 us of spinning, at least */
    assert_true(run_cpu >= points_cpu);
    /* The host's allocator is jemalloc, except where the sanitizers own malloc. */
    json_t *build = json_object_get(json_object_get(doc, "environment"), "build");
    assert_string_equal(s(build, "allocator"),
                        json_is_true(json_object_get(build, "sanitized")) ? "libc" : "jemalloc");
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* Every host service, as a plugin sees it, checked against what the results say. */
static void services_reach_the_plugin_as_documented(void **state)
{
    (void)state;
    char *dir = e2e_dir("services"), *out = e2e_dir("out"), *out2 = e2e_dir("out");
    char *spec = e2e_write(dir, "services.yaml",
                           "seed: 11\n"
                           "iterations: {warmup: 1, measured: 10}\n"
                           "repetitions: 2\n"
                           "experiments:\n"
                           "  - experiment: test_services\n"
                           "    params: {per_iteration: [3, 5]}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out, NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    for (size_t i = 0; i < 2; i++) {
        json_t *pt = json_array_get(json_object_get(doc, "points"), i);
        /* bhost_seed() is the point's seed in the results. */
        unsigned long long seed = strtoull(s(pt, "seed"), NULL, 16);
        assert_true(metric(pt, "seed_hi", "gauge") == (double)(seed >> 32));
        assert_true(metric(pt, "seed_lo", "gauge") == (double)(seed & 0xffffffffu));
        assert_true(metric(pt, "clock_ok", "gauge") == 1);
        /* The scratch directory lasts the point, and is gone after it. */
        assert_true(metric(pt, "scratch_kept", "gauge") == 1);
        /* bhost_record_n: per_iteration values a measured iteration, warm-up dropped. */
        assert_int_equal(figure(pt, "values", "count"), (i ? 5 : 3) * 10 * 2);
        /* bhost_point_id() and bhost_scratch_dir() in an info line, labelled by the point. */
        char line[1024];
        snprintf(line, sizeof line, "%s: info: point %s scratch %s/scratch/%s\n", s(pt, "label"),
                 s(pt, "id"), out, s(pt, "id"));
        if (!strstr(p.err, line))
            fail_msg("stderr lacks \"%s\": %s", line, p.err);
    }
    char scratch[4200];
    snprintf(scratch, sizeof scratch, "%s/scratch", out);
    assert_int_equal(access(scratch, F_OK), -1);
    /* Debug lines only with -v; with -q not even info lines. */
    assert_null(strstr(p.err, ": debug: "));
    json_decref(doc);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out2, "-v", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.err, "test_services[per_iteration=3]: debug: a debug line for point "));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out2, "-q", NULL});
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.err, "");
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    free(out2);
}

/* What a careless plugin can do to the API: each is harmless or fails its own point. */
static void api_misuse_is_contained(void **state)
{
    (void)state;
    char *dir = e2e_dir("misuse"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "misuse.yaml",
                           "iterations: {warmup: 0, measured: 3}\n"
                           "instruments: [rusage]\n"
                           "experiments:\n"
                           "  - experiment: test_services\n"
                           "    params: {misuse: [null_handles, odd_level, null_format, "
                           "instrument_space]}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out, "-q", NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    json_t *points = json_object_get(doc, "points");
    /* NULL handles record nothing; the point's own histogram is untouched. */
    json_t *nulls = json_array_get(points, 0);
    assert_string_equal(s(nulls, "status"), "ok");
    assert_int_equal(figure(nulls, "values", "count"), 5 * 3);
    /* A level out of range is an info line, which -q hides like any other. */
    assert_string_equal(s(json_array_get(points, 1), "status"), "ok");
    assert_null(strstr(p.err, "a line at level -1"));
    /* No format at all is a plugin bug: its point fails and says so. */
    json_t *nofmt = json_array_get(points, 2);
    assert_string_equal(s(nofmt, "status"), "failed");
    assert_non_null(strstr(s(nofmt, "error"), "plugin bug: bhost_log() needs a format"));
    /* An experiment cannot add to an attached instrument's figures. */
    json_t *space = json_array_get(points, 3);
    assert_string_equal(s(space, "status"), "failed");
    assert_non_null(strstr(s(space, "error"), "plugin bug: 'rusage.user_cpu_s' belongs to an "
                                              "attached instrument; name it otherwise"));
    assert_true(metric(space, "rusage.user_cpu_s", "counter") < 1e9);
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_shows_the_three_with_their_parameters),
        cmocka_unit_test(spin_noop_and_rusage_report_what_they_say),
        cmocka_unit_test(services_reach_the_plugin_as_documented),
        cmocka_unit_test(api_misuse_is_contained),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
