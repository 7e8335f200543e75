/*
 * test_instruments.c — the instruments alloc, perf and resources, run by
 * the real bhost on experiments that do known work (test_alloc, test_touch,
 * test_hold), on one and two threads, with points in processes of their own
 * (one and two at once) and in the host's (--isolate none): each reports
 * what the experiment did, or says why it cannot, and no point fails.
 *
 * alloc needs the host to run on jemalloc, which sanitizer builds leave
 * out: BHOST_TEST_JEMALLOC says which build this is, and the test expects
 * figures or "unavailable" accordingly, never zeros.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_BUILD_PLUGIN_DIR
#define MIB (1024.0 * 1024.0)

/* The ways a spec is run: each instrument must work in all of them. */
static const char *const modes[][3] = {
    {"--isolate", "fork", NULL}, {"--isolate", "none", NULL}, {"--jobs", "2", NULL}};
#define NMODES (sizeof modes / sizeof modes[0])

static json_t *get(json_t *v, const char *path)
{
    char copy[256], *save = NULL;
    snprintf(copy, sizeof copy, "%s", path);
    for (char *k = strtok_r(copy, "/", &save); k && v; k = strtok_r(NULL, "/", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
    return v;
}

static json_t *at(json_t *v, const char *path)
{
    json_t *r = get(v, path);
    if (!r)
        fail_msg("no %s", path);
    return r;
}

static const char *text(json_t *v, const char *path)
{
    const char *s = json_string_value(at(v, path));
    return s ? s : "(not a string)";
}

static double number(json_t *v, const char *path)
{
    json_t *n = at(v, path);
    if (!json_is_number(n))
        fail_msg("%s is not a number", path);
    return json_number_value(n);
}

/* The metric `name` of point `pt`. */
static json_t *metric(json_t *pt, const char *name)
{
    json_t *m = json_object_get(at(pt, "metrics"), name);
    if (!m)
        fail_msg("%s has no metric %s", text(pt, "label"), name);
    return m;
}

static double value(json_t *pt, const char *name, const char *kind)
{
    json_t *m = metric(pt, name);
    if (strcmp(text(m, "kind"), kind) != 0)
        fail_msg("%s: %s is %s (%s), not a %s", text(pt, "label"), name, text(m, "kind"),
                 json_string_value(json_object_get(m, "reason")), kind);
    return number(m, "value");
}

static void expect_between(const char *what, double v, double low, double high)
{
    if (!(v >= low && v <= high))
        fail_msg("%s = %.17g, expected %.17g to %.17g", what, v, low, high);
}

/* Unavailable, with no value and a reason holding `because`. */
static void expect_unavailable(json_t *pt, const char *name, const char *because)
{
    json_t *m = metric(pt, name);
    assert_string_equal(text(m, "kind"), "unavailable");
    assert_true(json_is_null(at(m, "value")));
    const char *reason = text(m, "reason");
    if (!strstr(reason, because))
        fail_msg("%s: the reason '%s' does not say '%s'", name, reason, because);
}

/* A counter, or unavailable with a reason: what a machine with or without a PMU gives. Some
 * counts cannot be 0 for any work (cycles); others may be (cache misses of a small loop). */
static void counted_or_unavailable(json_t *pt, const char *name, int positive)
{
    json_t *m = metric(pt, name);
    const char *kind = text(m, "kind");
    if (strcmp(kind, "unavailable") == 0) {
        assert_true(json_is_null(at(m, "value")));
        assert_true(strlen(text(m, "reason")) > 10);
    } else if (strcmp(kind, "counter") != 0 ||
               !(positive ? number(m, "value") > 0 : number(m, "value") >= 0)) {
        fail_msg("%s: %s is %s %g: neither counted nor unavailable", text(pt, "label"), name,
                 kind, number(m, "value"));
    }
}

/* Runs `spec` one way, expects every point ok, and returns the results. */
static json_t *run(const char *spec, const char *const *mode, struct proc *p)
{
    char *out = e2e_dir("out");
    e2e_run(p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out, mode[0],
                                mode[1], NULL});
    if (p->rc != 0)
        fail_msg("bhost run %s %s exited %d:\n%s", mode[0], mode[1], p->rc, p->err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    size_t i;
    json_t *pt;
    json_array_foreach(at(doc, "points"), i, pt)
        assert_string_equal(text(pt, "status"), "ok");
    free(out);
    return doc;
}

/* ---- alloc ------------------------------------------------------------------ */

#define BLOCK 4096.0 /* a jemalloc size class: its usable size is what is asked */
#define PER_ITERATION 8.0
#define KEPT 1.0
#define REPETITIONS 2.0
/* What the host itself may allocate on a measured thread during a point: each
 * repetition's results, sent to the host as it ends (about 26 KB in 65 calls when this
 * was written), and a few strings around the hooks. Bounds, not timings. */
#define HOST_BYTES (REPETITIONS * 256 * 1024.0 + 16 * 1024.0)
#define HOST_CALLS (REPETITIONS * 1000.0 + 64)

static char *alloc_spec(const char *dir, const char *count_calls)
{
    char text[512];
    snprintf(text, sizeof text,
             "iterations: {warmup: 10, measured: 500}\n"
             "repetitions: %d\n"
             "threads: [1, 2]\n"
             "experiments:\n"
             "  - experiment: test_alloc\n"
             "    params: {size: %d, count: %d, keep: %d}\n"
             "    instruments: [{instrument: alloc, params: {count_calls: %s}}]\n",
             (int)REPETITIONS, (int)BLOCK, (int)PER_ITERATION, (int)KEPT, count_calls);
    return e2e_write(dir, "alloc.yaml", text);
}

static void expect_alloc_figures(json_t *pt, int count_calls)
{
    double n = number(pt, "iterations/measured"); /* every thread's */
    double allocated = BLOCK * PER_ITERATION * n, kept = BLOCK * KEPT * n;
    expect_between("bytes_allocated", value(pt, "alloc.bytes_allocated", "counter"), allocated,
                   allocated + HOST_BYTES);
    expect_between("bytes_freed", value(pt, "alloc.bytes_freed", "counter"), allocated - kept,
                   allocated - kept + HOST_BYTES);
    expect_between("net_bytes", value(pt, "alloc.net_bytes", "counter"), kept - HOST_BYTES,
                   kept + HOST_BYTES);
    expect_between("bytes_allocated per iteration",
                   number(metric(pt, "alloc.bytes_allocated"), "per_iteration"),
                   BLOCK * PER_ITERATION, BLOCK * PER_ITERATION + HOST_BYTES / n);
    if (!count_calls) {
        expect_unavailable(pt, "alloc.allocations", "count_calls is false");
        expect_unavailable(pt, "alloc.deallocations", "count_calls is false");
        return;
    }
    expect_between("allocations", value(pt, "alloc.allocations", "counter"), PER_ITERATION * n,
                   PER_ITERATION * n + HOST_CALLS);
    expect_between("deallocations", value(pt, "alloc.deallocations", "counter"),
                   (PER_ITERATION - KEPT) * n, (PER_ITERATION - KEPT) * n + HOST_CALLS);
    if (!strstr(text(pt, "notes/alloc.jemalloc"), "."))
        fail_msg("the jemalloc note is not a version: %s", text(pt, "notes/alloc.jemalloc"));
}

static void alloc_counts_what_the_experiment_allocates(void **state)
{
    (void)state;
    char *dir = e2e_dir("alloc");
    const char *flags[] = {"true", "false"};
    for (size_t f = 0; f < 2; f++) {
        char *spec = alloc_spec(dir, flags[f]);
        for (size_t m = 0; m < (f == 0 ? NMODES : 1); m++) {
            struct proc p;
            json_t *doc = run(spec, modes[m], &p);
            assert_string_equal(text(doc, "environment/build/allocator"),
                                BHOST_TEST_JEMALLOC ? "jemalloc" : "libc");
            for (size_t i = 0; i < 2; i++) {
                json_t *pt = at(at(doc, "points"), i == 0 ? "0" : "1");
                if (BHOST_TEST_JEMALLOC) {
                    expect_alloc_figures(pt, f == 0);
                    continue;
                }
                /* No jemalloc: every figure unavailable, never a zero. */
                static const char *const names[] = {"alloc.bytes_allocated", "alloc.bytes_freed",
                                                    "alloc.net_bytes", "alloc.allocations",
                                                    "alloc.deallocations"};
                for (size_t k = 0; k < 5; k++)
                    expect_unavailable(pt, names[k], "jemalloc is not in this process");
            }
            if (!BHOST_TEST_JEMALLOC)
                assert_non_null(strstr(p.err, "bhost: unavailable here: alloc.bytes_allocated"));
            json_decref(doc);
            e2e_proc_free(&p);
        }
        free(spec);
    }
    free(dir);
}

/* ---- perf ------------------------------------------------------------------- */

static const char *const hardware[] = {"perf.cycles", "perf.instructions", "perf.branches",
                                       "perf.branch_misses", "perf.cache_references",
                                       "perf.cache_misses"};

static char *perf_spec(const char *dir, const char *events)
{
    char text[512];
    snprintf(text, sizeof text,
             "iterations: {warmup: 5, measured: 100}\n"
             "repetitions: 2\n"
             "threads: [1, 2]\n"
             "experiments:\n"
             "  - experiment: test_touch\n"
             "    params: {pages: 64}\n"
             "    instruments: [{instrument: perf, params: {events: %s}}]\n",
             events);
    return e2e_write(dir, "perf.yaml", text);
}

static void expect_perf_figures(json_t *pt)
{
    double n = number(pt, "iterations/measured");
    double threads = number(pt, "threads");
    /* Each iteration writes 64 pages it has just mapped: a fault each at least. */
    if (value(pt, "perf.page_faults", "counter") < 64 * n)
        fail_msg("%s: %g page faults for %g iterations of 64 fresh pages", text(pt, "label"),
                 value(pt, "perf.page_faults", "counter"), n);
    /* On the CPU for some time, and no longer than its threads existed: the point's wall
     * time runs from setup to teardown, around every thread's window. */
    expect_between("task_clock_ns", value(pt, "perf.task_clock_ns", "counter"), 1,
                   threads * number(pt, "wall_s") * 1e9);
    json_t *cs = metric(pt, "perf.context_switches");
    if (strcmp(text(cs, "kind"), "counter") == 0)
        assert_true(number(cs, "value") >= 0);
    else
        expect_unavailable(pt, "perf.context_switches", "kernel mode");
    for (size_t k = 0; k < 6; k++)
        counted_or_unavailable(pt, hardware[k], k < 3); /* cycles, instructions, branches */
    /* A ratio is there exactly when both of its counts are. */
    int both = strcmp(text(metric(pt, "perf.cycles"), "kind"), "counter") == 0 &&
               strcmp(text(metric(pt, "perf.instructions"), "kind"), "counter") == 0;
    if (both)
        assert_true(value(pt, "perf.ipc", "gauge") > 0);
    else
        assert_string_equal(text(metric(pt, "perf.ipc"), "kind"), "unavailable");
    /* The PMU's share of the time: a figure when a hardware event was counted, else
     * unavailable. */
    int any_hardware = 0;
    for (size_t k = 0; k < 6; k++)
        any_hardware |= strcmp(text(metric(pt, hardware[k]), "kind"), "counter") == 0;
    assert_string_equal(text(metric(pt, "perf.hardware_running_pct"), "kind"),
                        any_hardware ? "gauge" : "unavailable");
    assert_non_null(strstr(text(pt, "notes/perf.mode"), "mode"));
    assert_non_null(strstr(text(pt, "notes/perf.groups"), "task_clock_ns"));
}

static void perf_counts_faults_and_cpu_time(void **state)
{
    (void)state;
    char *dir = e2e_dir("perf");
    char *spec = perf_spec(dir, "all");
    for (size_t m = 0; m < NMODES; m++) {
        struct proc p;
        json_t *doc = run(spec, modes[m], &p);
        expect_perf_figures(at(doc, "points/0"));
        expect_perf_figures(at(doc, "points/1"));
        /* What this machine lacks, the terminal says once. */
        if (strcmp(text(at(doc, "points/0"), "metrics/perf.cycles/kind"), "unavailable") == 0)
            assert_non_null(strstr(p.err, "bhost: unavailable here: perf.cycles"));
        json_decref(doc);
        e2e_proc_free(&p);
    }
    free(spec);
    free(dir);
}

static void perf_software_only_leaves_hardware_out(void **state)
{
    (void)state;
    char *dir = e2e_dir("perfsw");
    char *spec = perf_spec(dir, "software");
    struct proc p;
    json_t *doc = run(spec, modes[0], &p);
    json_t *pt = at(doc, "points/1");
    assert_true(value(pt, "perf.page_faults", "counter") >= 64 * number(pt, "iterations/measured"));
    for (size_t k = 0; k < 6; k++)
        assert_null(json_object_get(at(pt, "metrics"), hardware[k]));
    assert_null(json_object_get(at(pt, "metrics"), "perf.ipc"));
    assert_null(strstr(p.err, "unavailable here: perf.cycles"));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

/* bhost run SPEC --out OUT in a process where perf_event_open() fails with ENOSYS, as a
 * seccomp filter (a container's) makes it: its exit code. */
static int run_without_perf_events(const char *spec, const char *out)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct sock_filter code[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_perf_event_open, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog filter = {.len = sizeof code / sizeof code[0], .filter = code};
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0)
            _exit(126);
        setenv("BHOST_HISTORY", "off", 1); /* it records nothing */
        execl(BHOST_EXE, BHOST_EXE, "--plugin-path", PLUGINS, "run", spec, "--out", out, "-q",
              (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void perf_refused_entirely_fails_no_point(void **state)
{
    (void)state;
    char *dir = e2e_dir("noperf"), *out = e2e_dir("out");
    char *spec = perf_spec(dir, "all");
    assert_int_equal(run_without_perf_events(spec, out), 0);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    static const char *const all[] = {"perf.cycles", "perf.instructions", "perf.branches",
                                      "perf.branch_misses", "perf.cache_references",
                                      "perf.cache_misses", "perf.task_clock_ns",
                                      "perf.page_faults", "perf.context_switches",
                                      "perf.cpu_migrations", "perf.ipc"};
    for (size_t i = 0; i < 2; i++) {
        json_t *pt = at(at(doc, "points"), i == 0 ? "0" : "1");
        assert_string_equal(text(pt, "status"), "ok");
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            expect_unavailable(pt, all[k], "perf_event_open: Function not implemented");
    }
    json_decref(doc);
    free(spec);
    free(dir);
    free(out);
}

/* ---- resources -------------------------------------------------------------- */

#define HELD_MIB 64
#define HELD_FDS 8
#define WRITE_KIB 16

static char *resources_spec(const char *dir)
{
    char text[512];
    snprintf(text, sizeof text,
             "iterations: {warmup: 1, measured: 5}\n"
             "threads: [1, 2]\n"
             "experiments:\n"
             "  - experiment: test_hold\n"
             "    params: {mib: %d, fds: %d, spin_ms: 20, write_kib: %d}\n"
             "    instruments: [{instrument: resources, params: {interval_ms: 10}}]\n",
             HELD_MIB, HELD_FDS, WRITE_KIB);
    return e2e_write(dir, "resources.yaml", text);
}

/* The column `name` of the series, by its position. */
static size_t column(json_t *series, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(at(series, "columns"), i, c)
        if (strcmp(text(c, "name"), name) == 0)
            return i;
    fail_msg("the series has no column %s", name);
    return 0;
}

static void expect_series(json_t *pt)
{
    double threads = number(pt, "threads");
    json_t *series = at(pt, "tables/resources.series");
    assert_true(json_is_true(at(series, "series")));
    assert_string_equal(text(series, "columns/0/name"), "t_ms");
    assert_string_equal(text(series, "columns/0/unit"), "ms");
    json_t *rows = at(series, "rows");
    /* A sample when the point's measuring starts and one when it ends, whatever the load. */
    size_t n = json_array_size(rows);
    assert_true(n >= 2);
    assert_int_equal(n, (size_t)value(pt, "resources.samples", "gauge"));
    size_t rss = column(series, "rss"), nthreads = column(series, "threads");
    double peak = 0, before = -1;
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        double t = json_number_value(json_array_get(row, 0));
        if (i == 0 ? t != 0 : !(t > before))
            fail_msg("row %zu: t_ms %g after %g", i, t, before);
        before = t;
        double r = json_number_value(json_array_get(row, rss));
        peak = r > peak ? r : peak;
        /* The point's threads run from before its measuring until after it. */
        assert_true(json_number_value(json_array_get(row, nthreads)) >= threads);
    }
    assert_true(peak >= HELD_MIB * MIB);
    /* The first row has no interval before it: no CPU figure, not a zero. */
    assert_true(json_is_null(json_array_get(json_array_get(rows, 0), column(series, "cpu_user"))));
}

static void expect_resources_summary(json_t *pt)
{
    double n = number(pt, "iterations/measured");
    assert_true(value(pt, "resources.rss_peak_bytes", "gauge") >= HELD_MIB * MIB);
    assert_true(value(pt, "resources.rss_mean_bytes", "gauge") >= HELD_MIB * MIB);
    assert_true(value(pt, "resources.threads_peak", "gauge") >= number(pt, "threads"));
    assert_true(value(pt, "resources.fds_peak", "gauge") >= HELD_FDS);
    /* It spun for 20 ms an iteration: CPU time was used. */
    assert_true(value(pt, "resources.cpu_user_pct_mean", "gauge") +
                    value(pt, "resources.cpu_system_pct_mean", "gauge") > 0);
    assert_true(value(pt, "resources.voluntary_ctx_switches", "counter") >= 0);
    assert_true(value(pt, "resources.involuntary_ctx_switches", "counter") >= 0);
    json_t *io = metric(pt, "resources.io_write_chars");
    if (strcmp(text(io, "kind"), "unavailable") == 0)
        expect_unavailable(pt, "resources.io_write_chars", "/proc/self/io");
    else
        assert_true(number(io, "value") >= WRITE_KIB * 1024.0 * n);
}

static void resources_samples_the_point(void **state)
{
    (void)state;
    char *dir = e2e_dir("resources");
    char *spec = resources_spec(dir);
    for (size_t m = 0; m < NMODES; m++) {
        struct proc p;
        json_t *doc = run(spec, modes[m], &p);
        for (size_t i = 0; i < 2; i++) {
            json_t *pt = at(at(doc, "points"), i == 0 ? "0" : "1");
            expect_series(pt);
            expect_resources_summary(pt);
        }
        json_decref(doc);
        e2e_proc_free(&p);
    }
    free(spec);
    free(dir);
}

/* ---- all four at once ------------------------------------------------------- */

/* The sampler's and resources' own threads keep no jemalloc thread cache: their calls
 * reach the arenas' counts whole, and deallocations stays in bounds (it went negative
 * when their caches took objects from the arenas while measuring). */
static void the_four_together(void **state)
{
    (void)state;
    char *dir = e2e_dir("three");
    char *spec = e2e_write(dir, "three.yaml",
                           "iterations: {warmup: 1, measured: 50}\n"
                           "threads: 2\n"
                           "experiments:\n"
                           "  - experiment: test_alloc\n"
                           "    instruments: [alloc, perf, {instrument: resources, params: "
                           "{interval_ms: 1}}, sampler]\n"
                           "  - experiment: test_touch\n"
                           "    instruments: [sampler, resources, perf, alloc]\n");
    for (size_t m = 0; m < NMODES; m++) {
        struct proc p;
        json_t *doc = run(spec, modes[m], &p);
        for (size_t i = 0; i < 2; i++) {
            json_t *pt = at(at(doc, "points"), i == 0 ? "0" : "1");
            double n = number(pt, "iterations/measured");
            assert_true(value(pt, "perf.page_faults", "counter") >= 0);
            assert_true(json_array_size(at(pt, "tables/resources.series/rows")) >= 2);
            if (!BHOST_TEST_JEMALLOC)
                continue;
            double allocated = i == 0 ? BLOCK * PER_ITERATION * n : 0;
            expect_between("bytes_allocated", value(pt, "alloc.bytes_allocated", "counter"),
                           allocated, allocated + HOST_BYTES);
            /* The other instruments' allocations are the whole process's calls, in bounds. */
            expect_between("allocations", value(pt, "alloc.allocations", "counter"),
                           i == 0 ? PER_ITERATION * n : 0,
                           (i == 0 ? PER_ITERATION * n : 0) + HOST_CALLS);
            expect_between("deallocations", value(pt, "alloc.deallocations", "counter"),
                           i == 0 ? (PER_ITERATION - KEPT) * n : 0,
                           (i == 0 ? (PER_ITERATION - KEPT) * n : 0) + HOST_CALLS);
        }
        json_decref(doc);
        e2e_proc_free(&p);
    }
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_counts_what_the_experiment_allocates),
        cmocka_unit_test(perf_counts_faults_and_cpu_time),
        cmocka_unit_test(perf_software_only_leaves_hardware_out),
        cmocka_unit_test(perf_refused_entirely_fails_no_point),
        cmocka_unit_test(resources_samples_the_point),
        cmocka_unit_test(the_four_together),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
