/*
 * test_export.c — `bhost export` end to end on real runs: a sweep with a
 * point that exits (test_exit), one that crashes after measuring (partial),
 * labels holding quotes, markup, a formula and line breaks, failed
 * iterations, a missed gate, inconclusive ones (against a baseline of two
 * repetitions) and one not judged (its points match none), and a run whose
 * points were all skipped. Each format's
 * content is checked against results.json; the reader tests
 * (tests/readers/test_export_readers.sh) open the same kinds of files in
 * the real tools.
 */
#define _GNU_SOURCE /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_MISBEHAVING_PLUGIN_DIR

static const char spec_text[] =
    "name: export-e2e\n"
    "seed: 7\n"
    "iterations: {warmup: 0, measured: 40}\n"
    "repetitions: 2\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [1000, 3000], mode: clock}\n"
    "    instruments: [rusage]\n"
    "  - experiment: test_good\n"
    "    params: {label: ['a,\"b\"', '<x>&y', '=1+2', \"tab\\there\\nline\"], fail_every: 8}\n"
    "  - experiment: test_exit\n"
    "  - experiment: test_crash_teardown\n"
    "    repetitions: 1\n"
    "gates:\n"
    "  - failures == 0\n"
    "  - run.wall_s < 10min\n"
    "  - max_regression: 5%\n"
    "  - {check: \"p99 < 1s\", points: \"nothing*\"}\n";

static char *run_dir, *skipped_dir;
static json_t *doc;

static char *run(const char *spec, const char *extra, const char *value)
{
    char *dir = e2e_dir("run");
    struct proc p;
    const char *args[] = {"--plugin-path", PLUGINS, "run", spec, "--out", dir, "-q",
                          extra, value, NULL};
    e2e_run(&p, args);
    /* Failed points (1), a missed gate (6), or a comparison that cannot tell (5). */
    if (p.rc != 1 && p.rc != 5 && p.rc != 6)
        fail_msg("bhost run exited %d: %s", p.rc, p.err);
    e2e_proc_free(&p);
    return dir;
}

/* The main run is judged against a first run of the same spec: two repetitions a side
 * are too few for an interval, so every max_regression gate it can judge is inconclusive. */
static int setup(void **state)
{
    (void)state;
    char *sdir = e2e_dir("spec");
    char *spec = e2e_write(sdir, "export.yaml", spec_text);
    char *baseline = run(spec, NULL, NULL);
    run_dir = run(spec, "--baseline", baseline);
    skipped_dir = run(spec, "--time-budget", "0.000000001");
    doc = e2e_results(run_dir);
    assert_non_null(doc);
    free(baseline);
    free(spec);
    free(sdir);
    return 0;
}

static int teardown(void **state)
{
    json_decref(doc);
    free(run_dir);
    free(skipped_dir);
    return e2e_cleanup(state);
}

/* bhost export DIR --format FORMAT [more...]: its stdout, after checking it exited 0. */
static char *export_text(const char *dir, const char *format, const char *more, const char *value)
{
    struct proc p;
    const char *args[] = {"export", dir, "--format", format, more, value, NULL};
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost export --format %s exited %d: %s", format, p.rc, p.err);
    char *out = p.out;
    p.out = NULL;
    e2e_proc_free(&p);
    return out;
}

static json_t *export_json(const char *format, const char *more, const char *value)
{
    char *text = export_text(run_dir, format, more, value);
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("--format %s is not JSON: %s\n%s", format, jerr.text, text);
    free(text);
    return j;
}

static json_t *point_labelled(const char *label)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (strcmp(json_string_value(json_object_get(pt, "label")), label) == 0)
            return pt;
    fail_msg("no point %s", label);
    return NULL;
}

/* The gbench entries named `name`, in order. */
static json_t *entries_named(json_t *g, const char *name)
{
    json_t *found = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(g, "benchmarks"), i, e)
        if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
            json_array_append(found, e);
    return found;
}

static size_t count_named(json_t *g, const char *name)
{
    json_t *found = entries_named(g, name);
    size_t n = json_array_size(found);
    json_decref(found);
    return n;
}

static void gbench_has_each_repetition_and_the_aggregates(void **state)
{
    (void)state;
    json_t *g = export_json("gbench", NULL, NULL);
    /* The context, from the run and its environment. */
    char date[64];
    snprintf(date, sizeof date, "%.19s+00:00", e2e_text(doc, "run/started_utc"));
    assert_string_equal(e2e_text(g, "context/date"), date);
    assert_string_equal(e2e_text(g, "context/host_name"), e2e_text(doc, "environment/hostname"));
    assert_int_equal(e2e_number(g, "context/num_cpus"),
                     e2e_number(doc, "environment/cpu/logical_count"));
    assert_true(json_is_array(e2e_at(g, "context/caches")));
    assert_string_equal(e2e_text(g, "context/bhost_spec"), "export-e2e");

    /* An ok point: an entry per repetition, the mean of its iteration times, in ns;
     * cpu_time from rusage, in proportion to each repetition's time; counters per
     * iteration; then four aggregates. */
    json_t *pt = point_labelled("spin[ns=3000]");
    json_t *spin = entries_named(g, "spin/ns:3000");
    assert_int_equal(json_array_size(spin), 2);
    double cpu = (e2e_number(pt, "metrics/rusage.user_cpu_s/per_iteration") +
                  e2e_number(pt, "metrics/rusage.sys_cpu_s/per_iteration")) * 1e9;
    for (size_t k = 0; k < 2; k++) {
        json_t *e = json_array_get(spin, k), *rep = json_array_get(
            e2e_at(pt, "histograms/iteration/repetitions"), k);
        assert_string_equal(e2e_text(e, "run_type"), "iteration");
        assert_string_equal(e2e_text(e, "run_name"), "spin/ns:3000");
        assert_string_equal(e2e_text(e, "time_unit"), "ns");
        assert_string_equal(e2e_text(e, "label"), "spin[ns=3000]");
        assert_int_equal(e2e_number(e, "repetition_index"), k);
        assert_int_equal(e2e_number(e, "repetitions"), 2);
        assert_int_equal(e2e_number(e, "threads"), 1);
        assert_int_equal(e2e_number(e, "family_index"), 0);
        assert_int_equal(e2e_number(e, "per_family_instance_index"), 1);
        assert_int_equal(e2e_number(e, "iterations"), e2e_number(rep, "iterations"));
        assert_true(e2e_number(e, "real_time") == e2e_number(rep, "mean"));
        /* The point's CPU share of its time, applied to the repetition's time. */
        double want = cpu / e2e_number(pt, "histograms/iteration/mean") * e2e_number(rep, "mean");
        assert_true(fabs(e2e_number(e, "cpu_time") - want) <= 1e-9 * want);
        assert_true(e2e_number(e, "rusage.minor_faults") ==
                    e2e_number(pt, "metrics/rusage.minor_faults/per_iteration"));
        assert_null(json_object_get(e, "error_occurred"));
    }
    double m0 = e2e_number(json_array_get(spin, 0), "real_time");
    double m1 = e2e_number(json_array_get(spin, 1), "real_time");
    json_t *mean = entries_named(g, "spin/ns:3000_mean"),
           *stddev = entries_named(g, "spin/ns:3000_stddev");
    assert_int_equal(json_array_size(mean), 1);
    assert_string_equal(e2e_text(mean, "0/run_type"), "aggregate");
    assert_string_equal(e2e_text(mean, "0/aggregate_name"), "mean");
    assert_string_equal(e2e_text(mean, "0/aggregate_unit"), "time");
    assert_int_equal(e2e_number(mean, "0/iterations"), 2);
    assert_true(fabs(e2e_number(mean, "0/real_time") - (m0 + m1) / 2) < 1e-9 * m0);
    /* The sample standard deviation, as Google Benchmark's (n - 1). */
    assert_true(fabs(e2e_number(stddev, "0/real_time") - fabs(m0 - m1) / sqrt(2)) < 1e-9 * m0);
    assert_int_equal(count_named(g, "spin/ns:3000_median"), 1);
    json_t *cv = entries_named(g, "spin/ns:3000_cv");
    assert_string_equal(e2e_text(cv, "0/aggregate_unit"), "percentage");

    /* A swept string goes into the name as it is; a plugin's histogram of times is a
     * family of its own; its counter (per iteration) and gauge are keys. */
    json_t *good = entries_named(g, "test_good/label:<x>&y");
    assert_int_equal(json_array_size(good), 2);
    pt = point_labelled("test_good[label=<x>&y]");
    assert_true(e2e_number(good, "0/iterations_seen") ==
                e2e_number(pt, "metrics/iterations_seen/per_iteration"));
    assert_true(e2e_number(good, "0/count_param") == 3);
    assert_int_equal(count_named(g, "test_good/label:<x>&y/histogram:custom"), 2);

    /* A point that measured nothing: Google Benchmark's errored entries, no aggregates. */
    json_t *exit_entries = entries_named(g, "test_exit");
    assert_int_equal(json_array_size(exit_entries), 2);
    assert_true(json_is_true(e2e_at(exit_entries, "0/error_occurred")));
    assert_string_equal(e2e_text(exit_entries, "0/error_message"), "exited with status 3");
    assert_int_equal(e2e_number(exit_entries, "1/iterations"), 0);
    assert_int_equal(count_named(g, "test_exit_mean"), 0);
    /* A partial point keeps its repetition, marked with the error. */
    json_t *partial = entries_named(g, "test_crash_teardown");
    assert_int_equal(json_array_size(partial), 1);
    assert_true(json_is_true(e2e_at(partial, "0/error_occurred")));
    assert_int_equal(e2e_number(partial, "0/iterations"), 40);
    json_decref(g);
    /* The decrefs above are of arrays holding borrowed entries: free them too. */
    json_decref(spin);
    json_decref(mean);
    json_decref(stddev);
    json_decref(cv);
    json_decref(good);
    json_decref(exit_entries);
    json_decref(partial);
}

static void gbench_time_unit_is_one_for_all_or_per_point(void **state)
{
    (void)state;
    json_t *ns = export_json("gbench", NULL, NULL), *us = export_json("gbench", "--time-unit", "us");
    json_t *a = entries_named(ns, "spin/ns:1000"), *b = entries_named(us, "spin/ns:1000");
    assert_string_equal(e2e_text(b, "0/time_unit"), "us");
    assert_true(fabs(e2e_number(b, "0/real_time") * 1000 - e2e_number(a, "0/real_time")) <
                1e-9 * e2e_number(a, "0/real_time"));
    json_decref(a);
    json_decref(b);
    json_decref(us);
    /* auto: per point and histogram, the largest unit its mean (over all repetitions) is at
     * least 1 in; ns for a point that measured nothing. */
    static const struct {
        const char *name;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    json_t *autos = export_json("gbench", "--time-unit", "auto");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(autos, "benchmarks"), i, e) {
        const char *name = e2e_text(e, "name"), *hist = strstr(name, "/histogram:");
        json_t *h = json_object_get(json_object_get(point_labelled(e2e_text(e, "label")),
                                                    "histograms"),
                                    hist ? hist + strlen("/histogram:") : "iteration");
        double mean = h ? e2e_number(h, "mean") : 0;
        const char *want = "ns";
        for (size_t k = 0; k < sizeof units / sizeof *units; k++)
            if (mean >= units[k].ns)
                want = units[k].name;
        if (strcmp(e2e_text(e, "time_unit"), want) != 0)
            fail_msg("%s: time_unit %s, its mean %g ns makes it %s", name,
                     e2e_text(e, "time_unit"), mean, want);
    }
    /* spin in clock mode spins its 3000 ns at least: never ns. */
    a = entries_named(autos, "spin/ns:3000");
    assert_string_not_equal(e2e_text(a, "0/time_unit"), "ns");
    json_decref(a);
    json_decref(autos);
    json_decref(ns);
}

static void gbench_aggregates_only_names_each_benchmark_once(void **state)
{
    (void)state;
    json_t *g = export_json("gbench", "--aggregates-only", NULL), *names = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(g, "benchmarks"), i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        if (json_object_get(names, name))
            fail_msg("%s comes twice", name);
        json_object_set_new(names, name, json_true());
    }
    /* Aggregates where there are some; else one entry, errored for a failed point. */
    assert_null(json_object_get(names, "spin/ns:1000"));
    assert_non_null(json_object_get(names, "spin/ns:1000_median"));
    json_t *exit_entries = entries_named(g, "test_exit");
    assert_true(json_is_true(e2e_at(exit_entries, "0/error_occurred")));
    assert_non_null(json_object_get(names, "test_crash_teardown"));
    json_decref(exit_entries);
    json_decref(names);
    json_decref(g);
}

static void bmf_measures_each_ok_point_within_its_bounds(void **state)
{
    (void)state;
    struct proc p;
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "bmf", NULL});
    assert_int_equal(p.rc, 0);
    /* What it leaves out, it says. */
    assert_non_null(strstr(p.err, "bmf leaves out test_exit: failed (exited with status 3)"));
    assert_non_null(strstr(p.err, "bmf leaves out test_crash_teardown: partial"));
    json_t *b = json_loads(p.out, 0, NULL);
    assert_non_null(b);
    assert_null(json_object_get(b, "test_exit"));
    assert_null(json_object_get(b, "test_crash_teardown"));
    /* Every measure a number, lower <= value <= upper. */
    const char *name, *slug;
    json_t *bench, *m;
    json_object_foreach(b, name, bench) {
        assert_true(json_object_size(bench) > 0);
        json_object_foreach(bench, slug, m) {
            assert_true(strlen(slug) <= 64);
            assert_true(json_is_number(json_object_get(m, "value")));
            double v = json_number_value(json_object_get(m, "value"));
            json_t *lo = json_object_get(m, "lower_value"), *hi = json_object_get(m, "upper_value");
            assert_true(!lo == !hi);
            if (lo)
                assert_true(json_number_value(lo) <= v && v <= json_number_value(hi));
        }
    }
    /* latency is the p50, bounded by the repetitions' p50s; throughput likewise. */
    json_t *pt = point_labelled("spin[ns=1000]");
    json_t *spin = e2e_at(b, "spin[ns=1000]");
    assert_true(e2e_number(spin, "latency/value") == e2e_number(pt, "histograms/iteration/p50"));
    double r0 = e2e_number(pt, "histograms/iteration/repetitions/0/p50");
    double r1 = e2e_number(pt, "histograms/iteration/repetitions/1/p50");
    assert_true(e2e_number(spin, "latency/lower_value") == fmin(r0, r1));
    assert_true(e2e_number(spin, "latency/upper_value") == fmax(r0, r1));
    assert_true(e2e_number(spin, "latency-p99/value") ==
                e2e_number(pt, "histograms/iteration/p99"));
    assert_true(e2e_number(spin, "throughput/value") ==
                e2e_number(pt, "histograms/iteration/throughput_per_s"));
    /* Metrics as slugs: a counter per iteration, a gauge as it is. */
    assert_true(e2e_number(spin, "rusage-minor-faults/value") ==
                e2e_number(pt, "metrics/rusage.minor_faults/per_iteration"));
    json_t *good = e2e_at(b, "test_good[label=tab\there\nline]");
    assert_true(e2e_number(good, "count-param/value") == 3);
    /* A plugin's histogram of times: a benchmark of its own ('/' in a name: no e2e_at). */
    json_t *custom = json_object_get(b, "test_good[label=tab\there\nline]/custom");
    assert_true(json_is_number(json_object_get(json_object_get(custom, "latency"), "value")));
    json_decref(b);
    e2e_proc_free(&p);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *s = text; (s = strstr(s, what)); s += strlen(what))
        n++;
    return n;
}

/* How many of the run's gates ended in `state`. */
static size_t gates_in(const char *state)
{
    size_t n = 0, i;
    json_t *g;
    json_array_foreach(json_object_get(doc, "gates"), i, g)
        n += strcmp(json_string_value(json_object_get(g, "state")), state) == 0;
    return n;
}

static void junit_has_points_and_gates_as_test_cases(void **state)
{
    (void)state;
    char *x = export_text(run_dir, "junit", NULL, NULL);
    size_t points = json_array_size(json_object_get(doc, "points"));
    size_t gates = json_array_size(json_object_get(doc, "gates"));
    size_t missed = gates_in("missed"), inconclusive = gates_in("inconclusive");
    size_t not_judged = gates_in("not judged");
    /* The run was made to have each: the counts below must mean something. */
    assert_true(missed > 0 && inconclusive > 0 && not_judged > 0);
    char want[256];
    snprintf(want, sizeof want,
             "<testsuites name=\"export-e2e\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
             "skipped=\"%zu\"",
             points + gates, 2 + missed, inconclusive, not_judged);
    assert_non_null(strstr(x, want));
    snprintf(want, sizeof want,
             "<testsuite name=\"export-e2e\" tests=\"%zu\" failures=\"2\" errors=\"0\" "
             "skipped=\"0\"", points);
    assert_non_null(strstr(x, want));
    snprintf(want, sizeof want,
             "<testsuite name=\"gates\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
             "skipped=\"%zu\"", gates, missed, inconclusive, not_judged);
    assert_non_null(strstr(x, want));
    assert_int_equal(count(x, "<testcase "), points + gates);
    /* The failed and the partial point, with their reasons. */
    assert_non_null(strstr(x, "<testcase name=\"test_exit\" classname=\"test_exit\""));
    assert_non_null(strstr(x, "<failure message=\"exited with status 3\" type=\"failed\">"));
    assert_non_null(strstr(x, "<system-err>exiting with 3\n</system-err>"));
    assert_non_null(strstr(x, "type=\"partial\">killed by SIGABRT (Aborted)\nkept 1 of 1 "
                              "repetitions"));
    /* A missed gate fails, an inconclusive one is an error, one not judged is skipped. */
    assert_non_null(strstr(x, "<testcase name=\"failures == 0 at test_exit\" classname=\"gates\""));
    assert_int_equal(count(x, "type=\"missed\">"), missed);
    assert_int_equal(count(x, "<error message="), inconclusive);
    assert_int_equal(count(x, "<skipped message="), not_judged);
    /* Someone else's text, escaped; line breaks in attributes kept as references. */
    assert_non_null(strstr(x, "name=\"test_good[label=&lt;x&gt;&amp;y]\""));
    assert_non_null(strstr(x, "name=\"test_good[label=a,&quot;b&quot;]\""));
    assert_non_null(strstr(x, "name=\"test_good[label=tab&#9;here&#10;line]\""));
    assert_null(strstr(x, "<x>"));
    /* Well-formed, by libxml2. */
    char *dir = e2e_dir("junit");
    char *file = e2e_write(dir, "junit.xml", x), *cmd = NULL;
    assert_true(asprintf(&cmd, "xmllint --noout '%s'", file) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(file);
    free(dir);
    free(x);
}

static void junit_skips_skipped_points(void **state)
{
    (void)state;
    char *x = export_text(skipped_dir, "junit", NULL, NULL);
    assert_non_null(strstr(x, "<testsuite name=\"export-e2e\" tests=\"8\" failures=\"0\" "
                              "errors=\"0\" skipped=\"8\""));
    assert_int_equal(count(x, "<skipped message=\"not run: the --time-budget of 1e-09 s was "
                              "used up\"/>"), 8);
    free(x);
    /* Nothing measured anywhere: a gbench entry each, errored; no bmf benchmark. */
    char *b = export_text(skipped_dir, "bmf", NULL, NULL);
    assert_string_equal(b, "{}\n");
    free(b);
}

static void csv_has_a_row_per_point_and_histogram(void **state)
{
    (void)state;
    char *c = export_text(run_dir, "csv", NULL, NULL);
    /* The swept parameters of every experiment: ns, and test_good's label, kept apart from
     * the label column. */
    static const char header[] = "id,label,experiment,ns,param:label,status,histogram,count,min,"
                                 "mean,stddev,p50,p90,p99,p99_9,max,throughput,unit,error\r\n";
    assert_true(strncmp(c, header, strlen(header)) == 0);
    size_t rows = 0, i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        size_t h = json_object_size(json_object_get(pt, "histograms"));
        rows += h ? h : 1;
    }
    /* A line break inside a quoted field is \n alone: records end in \r\n. */
    assert_int_equal(count(c, "\r\n"), 1 + rows);
    /* Numbers as they read back; a point's empty figures; its error. */
    pt = point_labelled("spin[ns=1000]");
    char want[512];
    snprintf(want, sizeof want, "%s,spin[ns=1000],spin,1000,,ok,iteration,%lld,%lld,",
             e2e_text(pt, "id"), (long long)e2e_number(pt, "histograms/iteration/count"),
             (long long)e2e_number(pt, "histograms/iteration/min"));
    assert_non_null(strstr(c, want));
    assert_non_null(strstr(c, ",test_exit,test_exit,,,failed,,,,,,,,,,,,,exited with status 3\r\n"));
    /* Strings through the escaper: quoted, quotes doubled, a formula defused. */
    assert_non_null(strstr(c, ",\"test_good[label=a,\"\"b\"\"]\",test_good,,\"a,\"\"b\"\"\",ok,"));
    assert_non_null(strstr(c, ",test_good[label==1+2],test_good,,\"'=1+2\",ok,"));
    assert_non_null(strstr(c, ",\"test_good[label=tab\there\nline]\","));
    free(c);
}

static void output_file_and_refusals(void **state)
{
    (void)state;
    char *dir = e2e_dir("out"), *file = NULL, *results = NULL;
    assert_true(asprintf(&file, "%s/export.csv", dir) > 0);
    struct proc p;
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "csv", "-o", file, NULL});
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.out_len, 0);
    e2e_proc_free(&p);
    /* The same bytes as on stdout, from the results file as from its directory. */
    assert_true(asprintf(&results, "%s/results.json", run_dir) > 0);
    char *c = export_text(results, "csv", NULL, NULL);
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    char *written = calloc(1, strlen(c) + 2);
    assert_int_equal(fread(written, 1, strlen(c) + 1, f), strlen(c));
    fclose(f);
    assert_string_equal(written, c);
    free(written);
    free(c);
    /* Cannot write: 3, naming the file. */
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "csv", "-o",
                                 "/nonexistent/dir/x.csv", NULL});
    assert_int_equal(p.rc, 3);
    assert_non_null(strstr(p.err, "cannot write /nonexistent/dir/x.csv"));
    e2e_proc_free(&p);
    /* Never over the results it reads. */
    char *own = NULL;
    assert_true(asprintf(&own, "%s/results.json", skipped_dir) > 0);
    e2e_run(&p, (const char *[]){"export", skipped_dir, "--format", "csv", "-o", own, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "is the results file it reads"));
    e2e_proc_free(&p);
    json_t *kept = e2e_results(skipped_dir);
    assert_non_null(kept);
    json_decref(kept);
    free(own);
    /* An unknown format: the formats, and the likely one. */
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "gbnech", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "unknown format 'gbnech' (did you mean 'gbench'?); the "
                                  "formats: gbench, bmf, junit, csv"));
    e2e_proc_free(&p);
    /* Results that cannot be read: the reader's message. */
    char *bad = e2e_write(dir, "bad.json", "{\"schema\": \"bhost.result/1\",\n");
    e2e_run(&p, (const char *[]){"export", bad, "--format", "junit", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "bad.json:2:"));
    assert_int_equal(p.out_len, 0);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"export", dir, "--format", "junit", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "results.json"));
    e2e_proc_free(&p);
    /* Usage. */
    e2e_run(&p, (const char *[]){"export", run_dir, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "needs --format"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "csv", "--time-unit", "us", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--time-unit goes with --format gbench"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"export", run_dir, "--format", "junit", "--aggregates-only", NULL});
    assert_int_equal(p.rc, 2);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"export", "--help", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "--format FORMAT"));
    e2e_proc_free(&p);
    free(bad);
    free(results);
    free(file);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gbench_has_each_repetition_and_the_aggregates),
        cmocka_unit_test(gbench_time_unit_is_one_for_all_or_per_point),
        cmocka_unit_test(gbench_aggregates_only_names_each_benchmark_once),
        cmocka_unit_test(bmf_measures_each_ok_point_within_its_bounds),
        cmocka_unit_test(junit_has_points_and_gates_as_test_cases),
        cmocka_unit_test(junit_skips_skipped_points),
        cmocka_unit_test(csv_has_a_row_per_point_and_histogram),
        cmocka_unit_test(output_file_and_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
