/*
 * test_sampler.c — the sampler instrument, run by the real bhost on
 * test_hotspots, whose CPU time splits 75/25 between hot_75() and
 * warm_25() (built -O2 -fomit-frame-pointer, so only DWARF unwinding finds
 * them): each method attributes both within 5 percentage points; the
 * collapsed stacks, the speedscope file and the flame graph say the same
 * (JSON with the schema's fields and weights that sum to the samples, an
 * SVG that parses as XML); every thread of a two-thread point is sampled;
 * the top table, notes and metrics are in results.json; and it works in
 * the host's own process (--isolate none) and on wall-clock time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR

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

static double number(json_t *v, const char *path)
{
    return json_number_value(at(v, path));
}

static const char *text(json_t *v, const char *path)
{
    const char *s = json_string_value(at(v, path));
    return s ? s : "(not a string)";
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

/* The artifact `name` of point `pt`, as a path in run `dir`. */
static void artifact(const char *dir, json_t *pt, const char *name, char *path, size_t n)
{
    size_t i;
    json_t *a;
    json_array_foreach(at(pt, "artifacts"), i, a)
        if (strcmp(text(a, "name"), name) == 0) {
            snprintf(path, n, "%s/%s", dir, text(a, "path"));
            return;
        }
    fail_msg("no artifact %s", name);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Shares of the samples whose stack holds hot_75 and warm_25, from the collapsed stacks;
 * the samples in all. */
static uint64_t collapsed_shares(const char *path, double *hot, double *warm)
{
    char *all = read_all(path), *save = NULL;
    uint64_t total = 0, h = 0, w = 0;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *space = strrchr(line, ' ');
        assert_non_null(space);
        uint64_t count = strtoull(space + 1, NULL, 10);
        *space = '\0';
        total += count;
        h += strstr(line, ";hot_75") ? count : 0;
        w += strstr(line, ";warm_25") ? count : 0;
    }
    free(all);
    *hot = total ? (double)h / (double)total : 0;
    *warm = total ? (double)w / (double)total : 0;
    return total;
}

/* The speedscope file: the schema's fields, one sampled profile per thread, frame indices
 * in range, and weights that sum to each thread's samples and to `samples` in all. */
static void check_speedscope(const char *path, uint64_t samples, size_t min_threads)
{
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        fail_msg("%s: %s (line %d)", path, e.text, e.line);
    assert_string_equal(text(doc, "$schema"), "https://www.speedscope.app/file-format-schema.json");
    size_t nframes = json_array_size(at(doc, "shared/frames"));
    assert_true(nframes > 0);
    json_t *profiles = at(doc, "profiles");
    assert_true(json_array_size(profiles) >= min_threads);
    uint64_t sum = 0;
    size_t i, k;
    json_t *p, *v;
    json_array_foreach(profiles, i, p) {
        assert_string_equal(text(p, "type"), "sampled");
        assert_string_equal(text(p, "unit"), "none");
        json_t *stacks = at(p, "samples"), *weights = at(p, "weights");
        assert_int_equal(json_array_size(stacks), json_array_size(weights));
        uint64_t mine = 0;
        json_array_foreach(weights, k, v)
            mine += (uint64_t)json_integer_value(v);
        json_array_foreach(stacks, k, v) {
            size_t j;
            json_t *f;
            json_array_foreach(v, j, f)
                assert_true(json_integer_value(f) >= 0 && (size_t)json_integer_value(f) < nframes);
        }
        assert_true(number(p, "endValue") == (double)mine);
        sum += mine;
    }
    assert_int_equal(sum, samples);
    json_decref(doc);
}

static void check_xml(const char *path)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    assert_int_equal(system(cmd), 0);
}

/* A spec of test_hotspots: `measured` iterations per thread, `extra` settings, the sampler
 * with `sampler_params` and then the instruments in `others` ("      - name\n" lines). */
static char *spec_with(const char *dir, int measured, const char *extra,
                       const char *sampler_params, const char *others)
{
    char body[1024];
    snprintf(body, sizeof body,
             "min_time: 0\n"
             "iterations: {warmup: 2, measured: %d}\n"
             "%s"
             "experiments:\n"
             "  - experiment: test_hotspots\n"
             "    params: {work: 100000}\n"
             "    instruments:\n"
             "      - instrument: sampler\n"
             "        params: {top: 1000, %s}\n"
             "%s",
             measured, extra, sampler_params, others);
    return e2e_write(dir, "sampled.yaml", body);
}

static char *spec(const char *dir, int measured, const char *extra, const char *sampler_params)
{
    return spec_with(dir, measured, extra, sampler_params, "");
}

/* Runs the spec; the point's result (its results document through *doc, to free). */
static json_t *run(const char *spec_path, const char *out, const char *isolate, json_t **doc)
{
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec_path, "--out", out,
                                 "--isolate", isolate, NULL});
    if (p.rc != 0)
        fail_msg("bhost run exited %d:\n%s\n%s", p.rc, p.out, p.err);
    expect_in(p.out, "Top functions by self time (sampler, ");
    e2e_proc_free(&p);
    *doc = e2e_results(out);
    json_t *pt = at(*doc, "points/0");
    assert_string_equal(text(pt, "status"), "ok");
    return pt;
}

/* 75/25 within 5 points, in the collapsed stacks and the top table; the other files agree.
 * `measured` and `extra` go into the spec. */
static void attributes(const char *method, const char *isolate, int measured, const char *extra)
{
    char *dir = e2e_dir("sampler"), *out = e2e_dir("out"), params[64];
    snprintf(params, sizeof params, "method: %s", method);
    char *path = spec(dir, measured, extra, params);
    json_t *doc;
    json_t *pt = run(path, out, isolate, &doc);
    expect_in(text(pt, "notes/sampler.method"),
              strcmp(method, "signal") == 0 ? "timer signals" : "perf_event");
    expect_in(text(pt, "notes/sampler.unwinder"), "libunwind");
    expect_in(text(pt, "notes/sampler.symbols"), "libdw");
    uint64_t samples = (uint64_t)number(pt, "metrics/sampler.samples/value");
    /* About 1.5 s of CPU time at 997 Hz: the work is fixed, and so is the CPU time, however
     * busy the machine; 5 points are then over 4 standard errors. Timer signals come on the
     * kernel's tick (250 Hz here), each standing for several periods: two threads of 8000
     * iterations give about 2000 of them, for 5 standard errors. */
    assert_true(samples >= 1000);
    if (strcmp(method, "signal") == 0)
        expect_in(text(pt, "notes/sampler.method"), "timer signals");
    char file[8300];
    artifact(out, pt, "sampler.profile.collapsed.txt", file, sizeof file);
    double hot, warm;
    assert_int_equal(collapsed_shares(file, &hot, &warm), samples);
    if (hot < 0.70 || hot > 0.80 || warm < 0.20 || warm > 0.30)
        fail_msg("%s: hot_75 %.1f %%, warm_25 %.1f %% of %llu samples", method, 100 * hot,
                 100 * warm, (unsigned long long)samples);
    /* The top table (every function: top 1000): both, their total shares as the stacks say. */
    json_t *rows = at(pt, "tables/sampler.top/rows");
    int seen = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_array_get(row, 0));
        double total = json_number_value(json_array_get(row, 2)) / 100;
        if (name && strcmp(name, "hot_75") == 0) {
            assert_true(total > hot - 0.001 && total < hot + 0.001);
            seen |= 1;
        } else if (name && strcmp(name, "warm_25") == 0) {
            assert_true(total > warm - 0.001 && total < warm + 0.001);
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    artifact(out, pt, "sampler.profile.speedscope.json", file, sizeof file);
    check_speedscope(file, samples, strstr(extra, "threads") ? 2 : 1);
    artifact(out, pt, "sampler.flamegraph.svg", file, sizeof file);
    check_xml(file);
    char *svg = read_all(file);
    expect_in(svg, "hot_75");
    expect_in(svg, "warm_25");
    free(svg);
    json_decref(doc);
    free(path);
    free(dir);
    free(out);
}

static void perf_events_attribute_75_25(void **state)
{
    (void)state;
    attributes("auto", "fork", 3000, "");
}

static void timer_signals_attribute_75_25(void **state)
{
    (void)state;
    attributes("signal", "fork", 8000, "threads: 2\n");
}

static void in_the_hosts_process_too(void **state)
{
    (void)state;
    attributes("auto", "none", 3000, "");
}

/* A speedscope profile's name: the thread's name and its id, once ("point-t1 (tid 42)"). */
static void expect_thread_name(const char *name)
{
    const char *tid = strstr(name, " (tid ");
    assert_non_null(tid);
    assert_true(tid > name);
    assert_null(strstr(tid + 2, "(tid"));
    assert_null(strstr(name, "bhost-")); /* instruments' threads are left out */
}

/* threads: 2 — both threads are sampled, each a profile of its own in speedscope, and
 * nothing else: not the resources instrument's thread, and in the top table none of the
 * harness's frames that each thread runs under. */
static void every_thread_is_sampled(void **state)
{
    (void)state;
    static const char *const methods[] = {"auto", "signal"};
    static const char *const harness[] = {"main", "worker_main", "run_thread", "start_thread",
                                          "cli_main"};
    for (size_t m = 0; m < 2; m++) {
        char *dir = e2e_dir("threads"), *out = e2e_dir("out"), params[64];
        snprintf(params, sizeof params, "method: %s", methods[m]);
        char *path = spec_with(dir, 1000, "threads: 2\n", params, "      - resources\n");
        json_t *doc;
        json_t *pt = run(path, out, "fork", &doc);
        assert_true(number(pt, "metrics/sampler.threads/value") == 2);
        uint64_t samples = (uint64_t)number(pt, "metrics/sampler.samples/value");
        char file[8300];
        artifact(out, pt, "sampler.profile.speedscope.json", file, sizeof file);
        check_speedscope(file, samples, 2);
        json_error_t e;
        json_t *ss = json_load_file(file, 0, &e);
        assert_int_equal(json_array_size(at(ss, "profiles")), 2);
        size_t i;
        json_t *p;
        int worker_named = 0;
        json_array_foreach(at(ss, "profiles"), i, p) {
            expect_thread_name(text(p, "name"));
            worker_named |= strncmp(text(p, "name"), "point-t1 (tid ", 14) == 0;
        }
        assert_true(worker_named);
        /* In the order the threads started: the point's first thread (the process's) first. */
        assert_int_equal(strncmp(text(json_array_get(at(ss, "profiles"), 0), "name"), "bhost (tid ",
                                 11), 0);
        json_decref(ss);
        json_t *row;
        json_array_foreach(at(pt, "tables/sampler.top/rows"), i, row) {
            const char *name = json_string_value(json_array_get(row, 0));
            for (size_t h = 0; name && h < sizeof harness / sizeof *harness; h++)
                if (strcmp(name, harness[h]) == 0)
                    fail_msg("%s: the harness's %s is in the top table", methods[m], name);
        }
        json_decref(doc);
        free(path);
        free(dir);
        free(out);
    }
}

/* Three iterations of noop take microseconds: no sample, a note saying why, and an empty
 * table that the terminal shows as such. */
static void too_short_to_sample(void **state)
{
    (void)state;
    char *dir = e2e_dir("empty"), *out = e2e_dir("out");
    char *path = e2e_write(dir, "empty.yaml",
                           "iterations: {warmup: 1, measured: 3}\n"
                           "experiments:\n"
                           "  - experiment: noop\n"
                           "    instruments: [{instrument: sampler, params: {rate_hz: 1}}]\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", path, "--out", out, NULL});
    if (p.rc != 0)
        fail_msg("bhost run exited %d:\n%s\n%s", p.rc, p.out, p.err);
    expect_in(p.out, "Top functions by self time (sampler, 0 samples): noop\n  (no rows)\n");
    json_t *doc = e2e_results(out);
    json_t *pt = at(doc, "points/0");
    assert_true(number(pt, "metrics/sampler.samples/value") == 0);
    expect_in(text(pt, "notes/sampler.empty"), "less CPU time than one sampling period (1 s)");
    json_decref(doc);
    e2e_proc_free(&p);
    free(path);
    free(dir);
    free(out);
}

/* mode: wall samples by the clock on the wall, through timer signals, and says so. */
static void wall_clock_mode(void **state)
{
    (void)state;
    char *dir = e2e_dir("wall"), *out = e2e_dir("out");
    char *path = spec(dir, 3000, "", "mode: wall");
    json_t *doc;
    json_t *pt = run(path, out, "fork", &doc);
    expect_in(text(pt, "notes/sampler.method"), "wall-clock time");
    assert_true(number(pt, "metrics/sampler.samples/value") >= 1000);
    json_decref(doc);
    free(path);
    free(dir);
    free(out);
}

/* Between repetitions the host adds up and records what was measured: with 300 short
 * repetitions that is a tenth of the time, and none of it is the point's. The sampler
 * leaves it out, says how many samples it left out, and no stack shows the host's work. */
static void the_hosts_work_between_repetitions_is_left_out(void **state)
{
    (void)state;
    char *dir = e2e_dir("reps"), *out = e2e_dir("out");
    char *path = e2e_write(dir, "reps.yaml",
                           "min_time: 0\n"
                           "iterations: {warmup: 2, measured: 5}\n"
                           "repetitions: 300\n"
                           "experiments:\n"
                           "  - experiment: test_hotspots\n"
                           "    params: {work: 20000}\n"
                           "    instruments: [{instrument: sampler, params: {top: 0}}]\n");
    json_t *doc;
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", path, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    doc = e2e_results(out);
    json_t *pt = at(doc, "points/0");
    expect_in(text(pt, "notes/sampler.left_out"), "samples taken while the host worked");
    char file[8300];
    artifact(out, pt, "sampler.profile.collapsed.txt", file, sizeof file);
    char *stacks = read_all(file);
    static const char *const host_work[] = {"repetition_done", "send_repetition",
                                            "point_merge_threads", "point_json_repetition"};
    for (size_t i = 0; i < sizeof host_work / sizeof host_work[0]; i++)
        if (strstr(stacks, host_work[i]))
            fail_msg("a sample of the host's work (%s) is in the profile", host_work[i]);
    expect_in(stacks, "hot_75");
    free(stacks);
    json_decref(doc);
    free(path);
    free(dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perf_events_attribute_75_25),
        cmocka_unit_test(timer_signals_attribute_75_25),
        cmocka_unit_test(in_the_hosts_process_too),
        cmocka_unit_test(every_thread_is_sampled),
        cmocka_unit_test(too_short_to_sample),
        cmocka_unit_test(wall_clock_mode),
        cmocka_unit_test(the_hosts_work_between_repetitions_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
