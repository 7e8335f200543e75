/*
 * test_isolation.c — runs that survive misbehaving plugins (issue 3):
 * crashing, aborting, exiting, hanging, junk-printing and leaking plugins
 * each fail (or pass) their own point with the exact reason while the other
 * points keep their results; stop signals, SIGKILL + --resume, and the time
 * budget keep every finished point.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_MISBEHAVING_PLUGIN_DIR
#define SWEEP_SPEC BHOST_TEST_SPEC_DIR "/e2e_sweep.yaml"

static json_t *point(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "points"), i);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(null)";
}

static void expect_point(json_t *doc, size_t i, const char *label, const char *status,
                         const char *error, const char *tail)
{
    json_t *pt = point(doc, i);
    assert_string_equal(str(pt, "label"), label);
    assert_string_equal(str(pt, "status"), status);
    if (error)
        assert_string_equal(str(pt, "error"), error);
    else
        assert_true(json_is_null(json_object_get(pt, "error")));
    if (tail && !strstr(str(pt, "stderr_tail"), tail))
        fail_msg("point %zu's stderr_tail lacks \"%s\": %s", i, tail, str(pt, "stderr_tail"));
}

/* The mixed spec, run with `jobs` points at once: the outcome must not depend on it. */
static void misbehaving_points_fail_alone_with(const char *jobs)
{
    char *dir = e2e_dir("mixed"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "mixed.yaml",
                           "iterations: {warmup: 0, measured: 20}\n"
                           "timeout: 2\n"
                           "experiments:\n"
                           "  - experiment: test_good\n"
                           "  - experiment: test_segv\n"
                           "  - experiment: test_abort\n"
                           "  - experiment: test_exit\n"
                           "  - experiment: test_hang\n"
                           "  - experiment: test_stdout_junk\n"
                           "  - experiment: test_leak\n"
                           "  - experiment: test_crash_setup\n"
                           "  - experiment: test_crash_teardown\n"
                           "  - experiment: noop\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "--jobs",
                                 jobs, NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "run"), "jobs")),
                     atoi(jobs));
    expect_point(doc, 0, "test_good", "ok", NULL, NULL);
    expect_point(doc, 1, "test_segv", "failed", "killed by SIGSEGV (Segmentation fault)", NULL);
    expect_point(doc, 2, "test_abort", "failed", "killed by SIGABRT (Aborted)", "about to abort");
    expect_point(doc, 3, "test_exit", "failed", "exited with status 3", "exiting with 3");
    expect_point(doc, 4, "test_hang", "failed", "timeout after 2 s", NULL);
    expect_point(doc, 5, "test_stdout_junk", "ok", NULL, NULL);
    expect_point(doc, 6, "test_leak", "ok", NULL, NULL);
    expect_point(doc, 7, "test_crash_setup", "failed", "killed by SIGSEGV (Segmentation fault)",
                 NULL);
    /* Nothing measured: no repetition ran. */
    assert_int_equal(json_integer_value(json_object_get(point(doc, 7), "repetitions")), 0);
    /* Crashed after measuring: it keeps its repetition, marked partial. */
    expect_point(doc, 8, "test_crash_teardown", "partial", "killed by SIGABRT (Aborted)", NULL);
    json_t *partial = json_object_get(point(doc, 8), "partial");
    assert_int_equal(json_integer_value(json_object_get(partial, "repetitions_kept")), 1);
    assert_int_equal(json_integer_value(json_object_get(partial, "repetitions_planned")), 1);
    assert_int_equal(json_integer_value(json_object_get(partial, "iterations_cut_short")), 0);
    for (size_t i = 0; i < 8; i++)
        assert_true(json_is_null(json_object_get(point(doc, i), "partial")));
    expect_point(doc, 9, "noop", "ok", NULL, NULL);
    /* The good points, and the partial one, kept everything they measured. */
    for (size_t i = 0; i < 10; i += i == 0 ? 8 : 1)
        assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
                             point(doc, i), "histograms"), "iteration"), "count")), 20);
    json_t *run = json_object_get(doc, "run");
    assert_int_equal(json_integer_value(json_object_get(run, "points_failed")), 6);
    assert_int_equal(json_integer_value(json_object_get(run, "points_partial")), 1);
    assert_string_equal(str(run, "status"), "failed");
    /* A plugin's stdout never reaches bhost's: the junk went to stderr. */
    static const char marker[] = "{\"points\":[]}";
    assert_null(memmem(p.out, p.out_len, marker, sizeof marker - 1));
    assert_non_null(memmem(p.err, p.err_len, marker, sizeof marker - 1));
    /* Several at once: each line a point prints is prefixed with its label. */
    /* memmem, not strstr: test_stdout_junk's lines hold NUL bytes, and with two jobs
     * they may come before test_abort's. */
    static const char prefixed[] = "[test_abort] about to abort\n";
    if (strcmp(jobs, "1") == 0)
        assert_null(memmem(p.err, p.err_len, "[test_abort] ", 13));
    else if (!memmem(p.err, p.err_len, prefixed, sizeof prefixed - 1)) {
        for (size_t i = 0; i < p.err_len; i++)
            p.err[i] = p.err[i] ? p.err[i] : '?';
        fail_msg("no \"[test_abort] about to abort\" in bhost's stderr:\n%s", p.err);
    }
    /* Progress counts points as they finish: in sweep order only one at a time. */
    assert_non_null(strstr(p.out, strcmp(jobs, "1") == 0
                                      ? "[2/10] test_segv FAILED: killed by SIGSEGV"
                                      : "] test_segv FAILED: killed by SIGSEGV"));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

static void misbehaving_points_fail_alone(void **state)
{
    (void)state;
    misbehaving_points_fail_alone_with("1");
}

/* Three at once: the hanging point's timeout runs beside the others. */
static void misbehaving_points_fail_alone_in_parallel(void **state)
{
    (void)state;
    misbehaving_points_fail_alone_with("3");
}

static size_t cpus_to_run_on(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? (size_t)CPU_COUNT(&set) : 1;
}

/* Counters' rates per second are timings too: left out of what must be equal. */
static void drop_rates(json_t *metrics)
{
    const char *name;
    json_t *m;
    json_object_foreach(metrics, name, m)
        json_object_del(m, "per_second");
}

/* Everything but the timings: what --jobs must not change. */
static void expect_same_point(json_t *a, json_t *b)
{
    drop_rates(json_object_get(a, "metrics"));
    drop_rates(json_object_get(b, "metrics"));
    static const char *const same[] = {"index", "id",         "label",    "status",
                                       "seed",  "params",     "failures", "metrics",
                                       "error", "iterations", "repetitions"};
    for (size_t k = 0; k < sizeof same / sizeof *same; k++)
        if (!json_equal(json_object_get(a, same[k]), json_object_get(b, same[k])))
            fail_msg("point %s: '%s' differs between --jobs 1 and --jobs 2", str(a, "label"),
                     same[k]);
    json_t *ha = json_object_get(a, "histograms"), *hb = json_object_get(b, "histograms");
    assert_int_equal(json_object_size(ha), json_object_size(hb));
    const char *name;
    json_t *h;
    json_object_foreach(ha, name, h) {
        assert_non_null(json_object_get(hb, name));
        assert_true(json_equal(json_object_get(h, "count"),
                               json_object_get(json_object_get(hb, name), "count")));
    }
}

static void jobs_give_the_same_points_in_the_same_order(void **state)
{
    (void)state;
    char *one = e2e_dir("one"), *two = e2e_dir("two");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", SWEEP_SPEC, "--out", one, "-q",
                                 NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", SWEEP_SPEC, "--out", two, "-j",
                                 "2", "-q", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    json_t *a = e2e_results(one), *b = e2e_results(two);
    assert_int_equal(json_array_size(json_object_get(a, "points")), 6);
    assert_int_equal(json_array_size(json_object_get(b, "points")), 6);
    for (size_t i = 0; i < 6; i++)
        expect_same_point(point(a, i), point(b, i));
    /* On a machine with two CPUs or more, each of the two jobs has its own. */
    json_t *run = json_object_get(b, "run");
    assert_int_equal(json_integer_value(json_object_get(run, "jobs")), 2);
    if (cpus_to_run_on() >= 2) {
        assert_string_equal(str(run, "pinning"), "one CPU per job");
        for (size_t i = 0; i < 6; i++)
            assert_true(json_is_integer(json_object_get(point(b, i), "cpu")));
    } else {
        assert_string_equal(str(run, "pinning"), "none: 2 jobs, 1 CPU to run on");
    }
    assert_string_equal(str(json_object_get(a, "run"), "pinning"), "none: one job at a time");
    assert_null(json_object_get(point(a, 0), "cpu"));
    json_decref(a);
    json_decref(b);
    free(one);
    free(two);
}

static void jobs_beyond_the_cpus_are_not_pinned(void **state)
{
    (void)state;
    char *out = e2e_dir("many");
    char jobs[16], pinning[64];
    size_t n = cpus_to_run_on() + 1;
    snprintf(jobs, sizeof jobs, "%zu", n);
    snprintf(pinning, sizeof pinning, "none: %zu jobs, %zu CPU%s to run on", n, n - 1,
             n - 1 == 1 ? "" : "s");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", SWEEP_SPEC, "--out", out,
                                 "--jobs", jobs, "-q", NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    assert_string_equal(str(json_object_get(doc, "run"), "pinning"), pinning);
    assert_null(json_object_get(point(doc, 0), "cpu"));
    json_decref(doc);
    e2e_proc_free(&p);
    /* In the host there is nothing to run beside: refused, as is a bad count. */
    e2e_run(&p, (const char *[]){"run", SWEEP_SPEC, "--jobs", "2", "--isolate", "none", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--jobs runs points in child processes; it does not go with "
                                  "--isolate none"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"run", SWEEP_SPEC, "-j0", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--jobs needs a number of points to run at once (1 to 1024), "
                                  "got '0'"));
    e2e_proc_free(&p);
    free(out);
}

static void broken_files_are_refused_by_name(void **state)
{
    (void)state;
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_MISBEHAVING_PLUGIN_DIR, "--list", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "test_no_entry.so: refused: not a bhost plugin (no "
                                  "bhost_plugin_v1 symbol"));
    assert_non_null(strstr(p.out, "test_truncated.so: refused: cannot load: truncated: "));
    assert_non_null(strstr(p.out, "test_segv"));
    e2e_proc_free(&p);
}

/* A long sweep: six points of 150 ms each, so that a signal lands mid-run. */
static char *slow_spec(const char *dir)
{
    return e2e_write(dir, "slow.yaml",
                     "iterations: {warmup: 0, measured: 1}\n"
                     "experiments:\n"
                     "  - experiment: spin\n"
                     "    params:\n"
                     "      mode: clock\n"
                     "      ns: {from: 150000000, to: 150000005, step: 1}\n");
}

/* dir/name's text (at most 64 KiB), malloc'd. */
static char *read_text(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 65537);
    size_t n = fread(text, 1, 65536, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void expect_stop(int sig, int rc)
{
    char *dir = e2e_dir("stop"), *out = e2e_dir("out");
    char *spec = slow_spec(dir), *journal = malloc(strlen(out) + 20);
    sprintf(journal, "%s/journal.jsonl", out);
    pid_t pid = e2e_start(dir, (const char *[]){"run", spec, "--out", out, NULL});
    assert_true(e2e_wait_lines(journal, 1, 20));
    kill(pid, sig);
    assert_int_equal(e2e_wait(pid), rc);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    json_t *run = json_object_get(doc, "run");
    assert_string_equal(str(run, "status"), "interrupted");
    json_int_t ran = json_integer_value(json_object_get(run, "points_run"));
    assert_true(ran >= 1 && ran < 6);
    assert_int_equal(json_array_size(json_object_get(doc, "points")), (size_t)ran);
    /* The summary counts the points the run reached, not the sweep's. */
    char *said = read_text(dir, "stdout");
    char want[64];
    snprintf(want, sizeof want, "%lld of 6 points run, ", (long long)ran);
    if (!strstr(said, want) || !strstr(said, "(interrupted)") ||
        !strstr(said, "to finish it: bhost run --resume "))
        fail_msg("no '%s ... (interrupted)' in: %s", want, said);
    free(said);
    json_decref(doc);
    free(journal);
    free(spec);
    free(dir);
    free(out);
}

static void sigint_and_sigterm_keep_finished_points(void **state)
{
    (void)state;
    expect_stop(SIGINT, 130);
    expect_stop(SIGTERM, 143);
}

static void ids(json_t *doc, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        strncat(buf, str(pt, "id"), n - strlen(buf) - 1);
        strncat(buf, " ", n - strlen(buf) - 1);
    }
}

static void sigkill_then_resume_equals_an_uninterrupted_run(void **state)
{
    (void)state;
    char *dir = e2e_dir("kill"), *killed = e2e_dir("killed"), *whole = e2e_dir("whole");
    char *spec = slow_spec(dir), *journal = malloc(strlen(killed) + 20);
    sprintf(journal, "%s/journal.jsonl", killed);
    pid_t pid = e2e_start(dir, (const char *[]){"run", spec, "--out", killed, "-q", NULL});
    assert_true(e2e_wait_lines(journal, 2, 20));
    kill(pid, SIGKILL);
    assert_int_equal(e2e_wait(pid), 128 + SIGKILL);
    /* A kill mid-write leaves half a line: it must be dropped, not trusted. */
    FILE *j = fopen(journal, "a");
    fputs("{\"index\":5,\"id\":\"half", j);
    fclose(j);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", "--resume", killed, NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "points already done"));
    e2e_proc_free(&p);
    /* The resume wrote after the last whole line, not onto the torn one: every line is a
       point, and the run resumes again as cleanly. */
    FILE *lines = fopen(journal, "r");
    char line[1 << 16];
    int nlines = 0;
    while (fgets(line, sizeof line, lines)) {
        json_t *pt = json_loads(line, 0, NULL);
        if (!pt)
            fail_msg("journal line %d is not JSON after the resume", nlines + 1);
        json_decref(pt);
        nlines++;
    }
    fclose(lines);
    assert_int_equal(nlines, 6);
    e2e_run(&p, (const char *[]){"run", "--resume", killed, NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"run", spec, "--out", whole, "-q", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    json_t *a = e2e_results(killed), *b = e2e_results(whole);
    char ia[512], ib[512];
    ids(a, ia, sizeof ia);
    ids(b, ib, sizeof ib);
    assert_string_equal(ia, ib);
    assert_int_equal(json_array_size(json_object_get(a, "points")), 6);
    assert_string_equal(str(json_object_get(a, "run"), "status"), "ok");
    /* Seeds are the same too: the same points, not merely the same names. */
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(str(point(a, i), "seed"), str(point(b, i), "seed"));
    json_decref(a);
    json_decref(b);
    /* A spec that changed since is refused, not silently mixed. */
    free(e2e_write(dir, "slow.yaml", "experiments: [{experiment: noop}]\n"));
    e2e_run(&p, (const char *[]){"run", "--resume", killed, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "the spec no longer resolves as it did"));
    e2e_proc_free(&p);
    free(journal);
    free(spec);
    free(dir);
    free(killed);
    free(whole);
}

/* A journal damaged by hand or by a disk is an error naming its line, never a crash. */
static void damaged_journal_is_refused_by_line(void **state)
{
    (void)state;
    char *dir = e2e_dir("damaged"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "two.yaml", "iterations: {warmup: 0, measured: 5}\n"
                                            "experiments: [{experiment: spin, params: "
                                            "{ns: [100, 200]}}]\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    json_t *doc = e2e_results(out);
    char *journal = malloc(strlen(out) + 20), line[256];
    sprintf(journal, "%s/journal.jsonl", out);
    /* A whole line that names a point of the sweep but is no result. */
    snprintf(line, sizeof line, "{\"id\":\"%s\",\"status\":\"ok\"}\n",
             str(point(doc, 0), "id"));
    FILE *j = fopen(journal, "a");
    fputs(line, j);
    fclose(j);
    e2e_run(&p, (const char *[]){"run", "--resume", out, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "/journal.jsonl:3: not a point result (label: not a string); "
                                  "the journal is damaged"));
    e2e_proc_free(&p);
    json_decref(doc);
    free(journal);
    free(spec);
    free(dir);
    free(out);
}

static pid_t read_pid(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

/* Whether pid is gone (or a zombie) within `seconds`. */
static int gone_within(pid_t pid, double seconds)
{
    for (double waited = 0; waited < seconds; waited += 0.02) {
        char path[64], state = '?';
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return 1;
        int matched = fscanf(f, "%*d %*s %c", &state);
        fclose(f);
        if (matched == 1 && state == 'Z')
            return 1;
        usleep(20000);
    }
    return 0;
}

/* Every pid of DIR/NAME (one a line) into pids[]; how many. */
static size_t read_pids(const char *dir, const char *name, pid_t *pids, size_t max)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int pid;
    while (f && n < max && fscanf(f, "%d", &pid) == 1)
        pids[n++] = (pid_t)pid;
    if (f)
        fclose(f);
    return n;
}

static json_int_t int_of(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/*
 * Processes a point forked and left holding its pipes, in its process group or out
 * of it (setsid), as children or as orphaned grandchildren (double fork): the point
 * still ends when its own process does and keeps what it measured, but it fails,
 * saying how many it left, and none of them outlives it.
 */
static void nothing_a_point_starts_outlives_it(void **state)
{
    (void)state;
    char *dir = e2e_dir("forked"), *out = e2e_dir("out");
    char *pids[3] = {e2e_dir("pids"), e2e_dir("pids"), e2e_dir("pids")};
    char text[8192];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 3}\n"
             "timeout: 20\n"
             "experiments:\n"
             "  - name: grouped\n"
             "    experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 60}\n"
             "  - name: own_sessions\n"
             "    experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 300, setsid: true, double_fork: true, "
             "count: 20}\n"
             "  - name: clean\n"
             "    experiment: test_fork\n"
             "    params: {pid_dir: %s}\n",
             pids[0], pids[1], pids[2]);
    char *spec = e2e_write(dir, "forked.yaml", text);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    expect_point(doc, 0, "grouped", "failed", "left 1 process running after teardown (killed)",
                 NULL);
    expect_point(doc, 1, "own_sessions", "failed",
                 "left 20 processes running after teardown (killed)", NULL);
    expect_point(doc, 2, "clean", "ok", NULL, NULL);
    assert_int_equal(int_of(point(doc, 0), "processes_left"), 1);
    assert_int_equal(int_of(point(doc, 1), "processes_left"), 20);
    assert_int_equal(int_of(point(doc, 2), "processes_left"), 0);
    /* What they measured is kept. */
    json_t *it = json_object_get(json_object_get(point(doc, 1), "histograms"), "iteration");
    assert_int_equal(int_of(it, "count"), 3);
    /* bhost did not wait out the sleepers, and none of them is left. */
    pid_t grouped[1] = {0}, detached[20] = {0};
    assert_int_equal(read_pids(pids[0], "forked.pid", grouped, 1), 1);
    assert_int_equal(read_pids(pids[1], "forked.pid", detached, 20), 20);
    assert_true(gone_within(grouped[0], 5));
    for (size_t i = 0; i < 20; i++)
        assert_true(gone_within(detached[i], 5));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    for (size_t i = 0; i < 3; i++)
        free(pids[i]);
}

/*
 * A point whose process dies (a crash) or stops itself (SIGSTOP, no timeout set)
 * fails alone with that reason; what it left running is killed by the host, and
 * the next point runs.
 */
static void points_that_crash_or_stop_leave_nothing(void **state)
{
    (void)state;
    char *dir = e2e_dir("crash-stop"), *out = e2e_dir("out");
    char *pids[2] = {e2e_dir("pids"), e2e_dir("pids")};
    char text[8192];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 3}\n"
             "experiments:\n"
             "  - name: crashes\n"
             "    experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 300, setsid: true, double_fork: true, "
             "count: 3, crash: true}\n"
             "  - name: stops\n"
             "    experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 300, setsid: true, stop: true}\n"
             "  - experiment: test_good\n",
             pids[0], pids[1]);
    char *spec = e2e_write(dir, "crash-stop.yaml", text);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
                                 NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    expect_point(doc, 0, "crashes", "failed",
                 "killed by SIGSEGV (Segmentation fault)", NULL);
    expect_point(doc, 1, "stops", "failed",
                 "its process was stopped by SIGSTOP, so it could never finish; killed", NULL);
    assert_string_equal(str(point(doc, 2), "status"), "ok");
    assert_int_equal(int_of(point(doc, 0), "processes_left"), 3);
    assert_int_equal(int_of(point(doc, 1), "processes_left"), 1);
    pid_t left[4] = {0};
    assert_int_equal(read_pids(pids[0], "forked.pid", left, 3), 3);
    assert_int_equal(read_pids(pids[1], "forked.pid", left + 3, 1), 1);
    for (size_t i = 0; i < 4; i++)
        assert_true(gone_within(left[i], 5));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    free(pids[0]);
    free(pids[1]);
}

/*
 * A point killed at its timeout in its third repetition keeps the two it
 * finished and the count of iterations of the third, marked partial; a
 * resume needs no option to find the plugins again, and runs it again.
 */
static void a_point_cut_short_keeps_what_it_finished(void **state)
{
    (void)state;
    char *dir = e2e_dir("partial"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "partial.yaml",
                           "iterations: {warmup: 0, measured: 50}\n"
                           "repetitions: 3\n"
                           "timeout: 2\n"
                           "experiments:\n"
                           "  - experiment: test_fork\n"
                           "    params: {hang_after: 149}\n"
                           "  - experiment: noop\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 1);
    assert_non_null(strstr(p.out, "[1/2] test_fork PARTIAL: timeout after 2 s (2 of 3 "
                                  "repetitions kept)"));
    json_t *doc = e2e_results(out);
    json_t *pt = point(doc, 0);
    assert_string_equal(str(pt, "status"), "partial");
    assert_string_equal(str(pt, "error"), "timeout after 2 s");
    json_t *partial = json_object_get(pt, "partial");
    assert_int_equal(int_of(partial, "repetitions_kept"), 2);
    assert_int_equal(int_of(partial, "repetitions_planned"), 3);
    assert_int_equal(int_of(partial, "iterations_cut_short"), 49);
    assert_int_equal(int_of(pt, "repetitions"), 2);
    assert_int_equal(int_of(json_object_get(pt, "iterations"), "measured"), 100);
    json_t *it = json_object_get(json_object_get(pt, "histograms"), "iteration");
    assert_int_equal(int_of(it, "count"), 100);
    assert_int_equal(json_array_size(json_object_get(it, "repetitions")), 2);
    assert_string_equal(str(point(doc, 1), "status"), "ok");
    assert_int_equal(int_of(json_object_get(doc, "run"), "points_partial"), 1);
    assert_int_equal(int_of(json_object_get(doc, "run"), "points_failed"), 1);
    json_decref(doc);
    e2e_proc_free(&p);
    /* No --plugin-path: run.json knows it. The partial point runs again, noop does not. */
    e2e_run(&p, (const char *[]){"run", "--resume", out, "--jobs", "2", NULL});
    assert_int_equal(p.rc, 1);
    assert_non_null(strstr(p.out, "1 of 2 points already done"));
    assert_non_null(strstr(p.err, "note: --jobs 2 given; the run began with 1"));
    doc = e2e_results(out);
    assert_string_equal(str(point(doc, 0), "status"), "partial");
    assert_int_equal(int_of(json_object_get(doc, "run"), "jobs"), 2);
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* Cut short in its only repetition, a point has nothing whole to keep: failed, not partial. */
static void a_point_with_no_whole_repetition_fails(void **state)
{
    (void)state;
    char *dir = e2e_dir("nowhole"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "nowhole.yaml",
                           "iterations: {warmup: 0, measured: 50}\n"
                           "timeout: 1\n"
                           "experiments:\n"
                           "  - experiment: test_fork\n"
                           "    params: {hang_after: 10}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    json_t *pt = point(doc, 0);
    assert_string_equal(str(pt, "status"), "failed");
    assert_string_equal(str(pt, "error"), "timeout after 1 s (10 iterations ran, none in a "
                                          "whole repetition)");
    assert_true(json_is_null(json_object_get(pt, "partial")));
    assert_non_null(strstr(p.out, "[1/1] test_fork FAILED: timeout after 1 s"));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* A point's process dies with the host, even when the host is killed with SIGKILL. */
static void points_die_with_a_killed_host(void **state)
{
    (void)state;
    char *dir = e2e_dir("orphan"), *out = e2e_dir("out"), *pids = e2e_dir("pids");
    char text[4096], pidfile[4200];
    snprintf(text, sizeof text,
             "experiments:\n"
             "  - experiment: test_fork\n"
             "    params: {pid_dir: %s, hang: true}\n",
             pids);
    snprintf(pidfile, sizeof pidfile, "%s/point.pid", pids);
    char *spec = e2e_write(dir, "orphan.yaml", text);
    pid_t host = e2e_start(dir, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out",
                                                 out, "-q", NULL});
    assert_true(e2e_wait_lines(pidfile, 1, 20));
    pid_t point = read_pid(pids, "point.pid");
    assert_true(point > 0);
    assert_false(gone_within(point, 0.1));
    kill(host, SIGKILL);
    assert_int_equal(e2e_wait(host), 128 + SIGKILL);
    assert_true(gone_within(point, 5));
    free(spec);
    free(dir);
    free(out);
    free(pids);
}

static void time_budget_reports_what_did_not_fit(void **state)
{
    (void)state;
    char *dir = e2e_dir("budget"), *out = e2e_dir("out");
    char *spec = slow_spec(dir);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--out", out, "--time-budget", "0.2", NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    json_t *run = json_object_get(doc, "run");
    assert_string_equal(str(run, "status"), "incomplete");
    json_int_t ran = json_integer_value(json_object_get(run, "points_run"));
    json_int_t skipped = json_integer_value(json_object_get(run, "points_skipped"));
    assert_true(ran >= 1 && ran < 6);
    assert_int_equal(ran + skipped, 6);
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 6);
    expect_point(doc, 5, "spin[ns=150000005]", "skipped",
                 "not run: the --time-budget of 0.2 s was used up", NULL);
    assert_non_null(strstr(p.out, "skipped; results: "));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

static void timeout_from_the_command_line(void **state)
{
    (void)state;
    char *dir = e2e_dir("timeout"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "hang.yaml", "experiments: [{experiment: test_hang}]\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out,
                                 "--timeout", "0.5", "-q", NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    expect_point(doc, 0, "test_hang", "failed", "timeout after 0.5 s", NULL);
    json_decref(doc);
    e2e_proc_free(&p);
    /* In the host nothing can be killed: the run says the timeout will not hold. */
    char *quick = e2e_write(dir, "quick.yaml", "experiments: [{experiment: noop}]\n");
    e2e_run(&p, (const char *[]){"run", quick, "--out", out, "--timeout", "5", "--isolate",
                                 "none", "-q", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.err, "bhost: note: timeouts are not enforced with --isolate none"));
    free(quick);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

int main(void)
{
    /* Under ASan, crashes must stay crashes: the tests check their signals. */
    setenv("ASAN_OPTIONS", "handle_segv=0:handle_abort=0:detect_leaks=0", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(misbehaving_points_fail_alone),
        cmocka_unit_test(misbehaving_points_fail_alone_in_parallel),
        cmocka_unit_test(jobs_give_the_same_points_in_the_same_order),
        cmocka_unit_test(jobs_beyond_the_cpus_are_not_pinned),
        cmocka_unit_test(broken_files_are_refused_by_name),
        cmocka_unit_test(sigint_and_sigterm_keep_finished_points),
        cmocka_unit_test(sigkill_then_resume_equals_an_uninterrupted_run),
        cmocka_unit_test(damaged_journal_is_refused_by_line),
        cmocka_unit_test(nothing_a_point_starts_outlives_it),
        cmocka_unit_test(points_that_crash_or_stop_leave_nothing),
        cmocka_unit_test(a_point_cut_short_keeps_what_it_finished),
        cmocka_unit_test(a_point_with_no_whole_repetition_fails),
        cmocka_unit_test(points_die_with_a_killed_host),
        cmocka_unit_test(time_budget_reports_what_did_not_fit),
        cmocka_unit_test(timeout_from_the_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
