/*
 * test_interop.c — bhost's interval logs against the reference HdrHistogram
 * (Debian's libhdrhistogram-java): Java reads what `bhost run` writes to the
 * figures bhost reports, bhost reads what Java writes to the figures Java
 * reports, and `bhost hdr` prints what HistogramLogProcessor prints, byte for
 * byte, for bhost's logs, Java's, and jHiccup's logs of older HdrHistogram
 * versions (V0 and V1 encodings, tests/interop/data/). Java missing is a
 * failure, not a skip: CI installs it (scripts/install-deps.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../e2e/e2e.h"

#define DEFAULT_JAR "/usr/share/java/hdrhistogram.jar"

static const char *jar;
static char *classes;     /* where HlogCheck.class is */
static char *classpath;   /* classes:jar */

/* Runs argv[0] from PATH; its stdout (owned) and exit code. stderr passes through. */
static char *run_tool(const char *const *argv, int *rc)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], (char *const *)(uintptr_t)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    ssize_t n;
    while ((n = read(fds[0], out + len, cap - len - 1)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n > 0);
        len += (size_t)n;
        if (cap - len < 2)
            out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return out;
}

/* stdout of a tool that must succeed. */
static char *run_ok(const char *const *argv)
{
    int rc;
    char *out = run_tool(argv, &rc);
    if (rc != 0)
        fail_msg("%s %s %s exited with %d", argv[0], argv[1] ? argv[1] : "",
                 argv[1] && argv[2] ? argv[2] : "", rc);
    return out;
}

/* stdout of bhost with these arguments, which must succeed. */
static char *bhost_ok(const char *const *args)
{
    struct proc p;
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost %s %s exited with %d: %s", args[0], args[1] ? args[1] : "", p.rc,
                 p.err);
    free(p.err);
    return p.out;
}

static int group_setup(void **state)
{
    (void)state;
    jar = getenv("BHOST_HDRHISTOGRAM_JAR");
    if (!jar)
        jar = DEFAULT_JAR;
    if (access(jar, R_OK) != 0) {
        fprintf(stderr, "test_interop: %s is missing: install libhdrhistogram-java "
                        "(scripts/install-deps.sh) or set BHOST_HDRHISTOGRAM_JAR\n", jar);
        return -1;
    }
    classes = e2e_dir("classes");
    const char *javac[] = {"javac", "-d", classes, "-cp", jar,
                           BHOST_INTEROP_DIR "/HlogCheck.java", NULL};
    int rc;
    free(run_tool(javac, &rc));
    if (rc != 0) {
        fprintf(stderr, "test_interop: javac failed (%d): install default-jdk-headless "
                        "(scripts/install-deps.sh)\n", rc);
        return -1;
    }
    size_t len = strlen(classes) + strlen(jar) + 2;
    classpath = malloc(len);
    snprintf(classpath, len, "%s:%s", classes, jar);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(classes);
    free(classpath);
    e2e_cleanup(NULL);
    return 0;
}

/* --- lines of "key=value key=value ..." ------------------------------------------ */

/* The line of `text` that starts with `head` followed by a space, or NULL. */
static const char *line_of(const char *text, const char *head)
{
    size_t n = strlen(head);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, head, n) == 0 && p[n] == ' ')
            return p;
    return NULL;
}

/* The value of `key` on `line` (up to the next space or newline). */
static char *field(const char *line, const char *key)
{
    char want[64];
    snprintf(want, sizeof want, " %s=", key);
    const char *end = strchr(line, '\n');
    const char *p = strstr(line, want);
    if (!p || (end && p > end))
        fail_msg("no %s in: %.200s", key, line);
    p += strlen(want);
    size_t n = strcspn(p, " \n");
    char *v = malloc(n + 1);
    memcpy(v, p, n);
    v[n] = '\0';
    return v;
}

static long long int_field(const char *line, const char *key)
{
    char *v = field(line, key), *end;
    long long n = strtoll(v, &end, 10);
    if (*end)
        fail_msg("%s=%s is not an integer", key, v);
    free(v);
    return n;
}

static double real_field(const char *line, const char *key)
{
    char *v = field(line, key);
    double d = strtod(v, NULL);
    free(v);
    return d;
}

static size_t count_lines(const char *text, const char *head)
{
    size_t n = 0, len = strlen(head);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, head, len) == 0;
    return n;
}

static void assert_close(double a, double b, const char *what)
{
    if (!(fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)))))
        fail_msg("%s: %.17g and %.17g differ", what, a, b);
}

/* Java's line and bhost's line for one tag agree on every figure. */
static void assert_same_figures(const char *java, const char *bhost, const char *tag)
{
    static const char *const exact[] = {"intervals", "count", "min", "max", "p50", "p90", "p99",
                                        "p99.9"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        long long j = int_field(java, exact[i]), b = int_field(bhost, exact[i]);
        if (j != b)
            fail_msg("tag %s: Java says %s=%lld, bhost %lld", tag, exact[i], j, b);
    }
    assert_close(real_field(java, "mean"), real_field(bhost, "mean"), tag);
}

/* `bhost hdr LOG --tag T --unit-ratio R` and HistogramLogProcessor print the same text. */
static void assert_same_distribution(const char *log, const char *tag, const char *ratio)
{
    const char *java[] = {"java", "-cp", jar, "org.HdrHistogram.HistogramLogProcessor", "-i",
                          log, "-tag", tag, "-outputValueUnitRatio", ratio, NULL};
    char *reference = run_ok(java);
    const char *args[] = {"hdr", log, "--tag", tag, "--unit-ratio", ratio, NULL};
    char *ours = bhost_ok(args);
    /* HistogramLogProcessor starts with the log's StartTime line; the layout follows. */
    const char *table = strstr(reference, "       Value     Percentile");
    assert_non_null(table);
    if (strcmp(table, ours) != 0)
        fail_msg("tag %s, ratio %s: bhost hdr printed\n%s\nHistogramLogProcessor printed\n%s",
                 tag, ratio, ours, table);
    free(reference);
    free(ours);
}

/* The same for an untagged log: HistogramLogProcessor without -tag, and
 * `bhost hdr LOG` after its "#[Untagged, intervals: N]" heading. */
static void assert_same_untagged_distribution(const char *log, const char *ratio)
{
    const char *java[] = {"java", "-cp", jar, "org.HdrHistogram.HistogramLogProcessor", "-i",
                          log, "-outputValueUnitRatio", ratio, NULL};
    char *reference = run_ok(java);
    const char *args[] = {"hdr", log, "--unit-ratio", ratio, NULL};
    char *ours = bhost_ok(args);
    const char *table = strstr(reference, "       Value     Percentile");
    assert_non_null(table);
    assert_true(strncmp(ours, "#[Untagged, intervals: ", 23) == 0);
    const char *our_table = strchr(ours, '\n') + 1;
    if (strcmp(table, our_table) != 0)
        fail_msg("%s, ratio %s: bhost hdr printed\n%s\nHistogramLogProcessor printed\n%s", log,
                 ratio, our_table, table);
    free(reference);
    free(ours);
}

/* --- bhost writes, Java reads ----------------------------------------------------- */

static const char spec_text[] =
    "name: interop\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [1000, 20000]}\n"
    "    iterations: {warmup: 10, measured: 3000}\n"
    "    repetitions: 2\n"
    "  - experiment: noop\n"
    "    iterations: {warmup: 10, measured: 20000}\n"
    "    repetitions: 2\n";

static void test_java_reads_bhost_run_log(void **state)
{
    (void)state;
    char *dir = e2e_dir("run");
    char *spec = e2e_write(dir, "interop.yaml", spec_text);
    char out[512], log[600];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(log, sizeof log, "%s/run.hlog", out);
    const char *run[] = {"run", spec, "--out", out, "-q", NULL};
    free(bhost_ok(run));
    json_t *doc = e2e_results(out);
    assert_non_null(doc);

    const char *check[] = {"java", "-cp", classpath, "HlogCheck", "read", log, NULL};
    char *java = run_ok(check);
    const char *summary[] = {"hdr", log, "--summary", NULL};
    char *bhost = bhost_ok(summary);

    /* One tag per point, histogram and repetition, each read by Java to the
     * figures results.json reports for that repetition. */
    size_t i, tags = 0;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        json_t *reps = json_object_get(json_object_get(json_object_get(pt, "histograms"),
                                                       "iteration"), "repetitions");
        assert_int_equal(json_array_size(reps), 2);
        for (size_t r = 0; r < 2; r++) {
            json_t *rep = json_array_get(reps, r);
            char head[128];
            snprintf(head, sizeof head, "tag=%s/iteration/%zu", id, r + 1);
            const char *j = line_of(java, head), *b = line_of(bhost, head);
            if (!j || !b)
                fail_msg("no line %s from %s:\n%s", head, j ? "bhost" : "Java", j ? bhost : java);
            assert_int_equal(int_field(j, "intervals"), 1);
            static const char *const keys[][2] = {{"count", "count"}, {"min", "min"},
                                                  {"max", "max"}, {"p50", "p50"},
                                                  {"p90", "p90"}, {"p99", "p99"},
                                                  {"p99.9", "p99_9"}};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                long long want = json_integer_value(json_object_get(rep, keys[k][1]));
                if (int_field(j, keys[k][0]) != want)
                    fail_msg("%s: Java read %s=%lld, results.json says %lld", head, keys[k][0],
                             int_field(j, keys[k][0]), want);
            }
            assert_close(real_field(j, "mean"), json_real_value(json_object_get(rep, "mean")),
                         head);
            assert_same_figures(j, b, head);
            /* Java places the interval where the repetition started (ms, truncated). */
            double started = json_real_value(json_object_get(rep, "started_unix_s"));
            long long start_ms = int_field(j, "start_ms");
            if (llabs(start_ms - (long long)(started * 1000.0)) > 1)
                fail_msg("%s: Java starts it at %lld ms, results.json at %.6f s", head,
                         start_ms, started);
            tags++;
            if (i == 0 || r == 1) {
                assert_same_distribution(log, head + 4, "1");
                assert_same_distribution(log, head + 4, "1000000");
            }
        }
        /* A point's repetitions merged (--tag ID/iteration) are its merged summary. */
        char tag[96], head[128];
        snprintf(tag, sizeof tag, "%s/iteration", id);
        const char *merged[] = {"hdr", log, "--tag", tag, "--summary", NULL};
        char *m = bhost_ok(merged);
        snprintf(head, sizeof head, "tag=%s", tag);
        assert_non_null(line_of(m, head));
        json_t *all = json_object_get(json_object_get(pt, "histograms"), "iteration");
        assert_int_equal(int_field(m, "intervals"), 2);
        assert_int_equal(int_field(m, "count"), json_integer_value(json_object_get(all, "count")));
        assert_int_equal(int_field(m, "p99"), json_integer_value(json_object_get(all, "p99")));
        assert_int_equal(int_field(m, "max"), json_integer_value(json_object_get(all, "max")));
        free(m);
    }
    assert_int_equal(tags, 6);
    assert_int_equal(count_lines(java, "tag="), tags);
    assert_int_equal(count_lines(bhost, "tag="), tags);

    json_decref(doc);
    free(java);
    free(bhost);
    free(spec);
    free(dir);
}

/* --- Java writes, bhost reads ----------------------------------------------------- */

static void test_bhost_reads_java_log(void **state)
{
    (void)state;
    char *dir = e2e_dir("java");
    char log[512];
    snprintf(log, sizeof log, "%s/java.hlog", dir);
    const char *write[] = {"java", "-cp", classpath, "HlogCheck", "write", log, NULL};
    free(run_ok(write));
    const char *read[] = {"java", "-cp", classpath, "HlogCheck", "read", log, NULL};
    char *java = run_ok(read);
    const char *summary[] = {"hdr", log, "--summary", NULL};
    char *bhost = bhost_ok(summary);

    /* Four tags in four layouts (3 digits from 1, auto-resizing, 2 digits,
     * from 1000) and an untagged interval: the same figures, in the same order.
     * Then, from 1000, only bucket 0 ("zero") and nothing ("empty"): the Max of
     * both tables is bucket 0's top, 511, as Java prints it. */
    static const char *const tags[] = {"alpha", "beta", "gamma", "delta", "-", "zero", "empty"};
    assert_int_equal(count_lines(java, "tag="), 7);
    assert_int_equal(count_lines(bhost, "tag="), 7);
    const char *jline = java, *bline = bhost;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        char head[64];
        snprintf(head, sizeof head, "tag=%s", tags[i]);
        assert_ptr_equal(line_of(java, head), jline);
        assert_ptr_equal(line_of(bhost, head), bline);
        if (i < 6) {
            assert_same_figures(jline, bline, tags[i]);
        } else {
            /* --summary gives an empty histogram's figures as results.json does
             * (max 0), where Java's accumulated histogram has a max of 511. */
            assert_int_equal(int_field(jline, "count"), 0);
            assert_int_equal(int_field(bline, "count"), 0);
            assert_int_equal(int_field(jline, "max"), 511);
        }
        assert_true(i >= 5 || int_field(jline, "count") > 1000);
        if (i < 4 || i >= 5) {
            assert_same_distribution(log, tags[i], "1");
            assert_same_distribution(log, tags[i], "1000");
        }
        jline = strchr(jline, '\n') + 1;
        bline = strchr(bline, '\n') + 1;
    }
    assert_int_equal(int_field(line_of(bhost, "tag=zero"), "max"), 511);
    free(java);
    free(bhost);
    free(dir);
}

/* --- older logs: V0 and V1 encodings ----------------------------------------------- */

static void test_bhost_reads_v0_v1_logs(void **state)
{
    (void)state;
    static const char *const logs[] = {BHOST_INTEROP_DIR "/data/jHiccup-2.0.1.logV0.hlog",
                                       BHOST_INTEROP_DIR "/data/jHiccup-2.0.6.logV1.hlog"};
    static const long long intervals[] = {81, 88};
    for (size_t i = 0; i < 2; i++) {
        const char *read[] = {"java", "-cp", classpath, "HlogCheck", "read", logs[i], NULL};
        char *java = run_ok(read);
        const char *summary[] = {"hdr", logs[i], "--summary", NULL};
        char *bhost = bhost_ok(summary);
        assert_int_equal(count_lines(java, "tag="), 1);
        assert_int_equal(count_lines(bhost, "tag="), 1);
        assert_int_equal(int_field(java, "intervals"), intervals[i]);
        assert_same_figures(java, bhost, logs[i]);
        assert_same_untagged_distribution(logs[i], "1");
        assert_same_untagged_distribution(logs[i], "1000000");
        free(java);
        free(bhost);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_java_reads_bhost_run_log),
        cmocka_unit_test(test_bhost_reads_java_log),
        cmocka_unit_test(test_bhost_reads_v0_v1_logs),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
