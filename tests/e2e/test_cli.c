/*
 * test_cli.c — end-to-end tests: the real bhost executable, run as a child
 * process against the test plugins, its exit status, its stdout and stderr,
 * and the results.json it writes.
 *
 * Every child runs in a directory of its own under one mkdtemp root, with its
 * stdout and stderr captured into files there; the root is removed at the end.
 * The headline spec is tests/specs/e2e_sweep.yaml; the others are written
 * from the tests so that the line:column each error names sits beside its text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bhost/bhost.h>
#include <jansson.h>

#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"

#define SWEEP_SPEC BHOST_TEST_SPEC_DIR "/e2e_sweep.yaml"

/* Exit status a sanitizer report gets in the children, so it cannot pass for 1. */
#define SANITIZER_EXIT 86

static char root[4096]; /* the mkdtemp directory everything goes under */

/* --- what a test allocates ------------------------------------------------------ */

/*
 * A failed assertion leaves the test by longjmp, past any free() below it,
 * so the tests do not free as they go: what they allocate is recorded here
 * and released after each test, passed or failed (the test runs under LSan).
 */
static void *allocs[4096];
static size_t nallocs;
static json_t *docs[32];
static size_t ndocs;

static void *track(void *p)
{
    if (!p || nallocs == sizeof allocs / sizeof *allocs) {
        free(p);
        fail_msg("out of memory, or of allocation slots");
    }
    return allocs[nallocs++] = p;
}

static json_t *track_json(json_t *doc)
{
    if (ndocs == sizeof docs / sizeof *docs) {
        json_decref(doc);
        fail_msg("out of document slots");
    }
    return docs[ndocs++] = doc;
}

static int release(void **state)
{
    (void)state;
    while (nallocs > 0)
        free(allocs[--nallocs]);
    while (ndocs > 0)
        json_decref(docs[--ndocs]);
    return 0;
}

/* --- small helpers ---------------------------------------------------------- */

__attribute__((format(printf, 1, 2)))
/* The ABI this SDK's plugins are built for, "1.1": tests survive a minor bump. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define ABI_TEXT STR(BHOST_ABI_MAJOR) "." STR(BHOST_ABI_MINOR)

static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *s = track(malloc((size_t)n + 1));
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* A new empty directory under the root. */
static char *fresh_dir(const char *what)
{
    char *dir = fmt("%s/%s-XXXXXX", root, what);
    assert_non_null(mkdtemp(dir));
    return dir;
}

/* The whole file as a NUL-terminated string. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    size_t cap = 4096, n = 0, got;
    char *s = malloc(cap);
    while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(s, cap *= 2);
            if (!bigger)
                free(s);
            s = bigger;
        }
    }
    fclose(f);
    track(s);
    s[n] = '\0';
    return s;
}

/* Writes `text` to dir/name and returns the path. */
static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = fmt("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    return path;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in dir besides . and ..; the first one's name in *first if asked. */
static int dir_entries(const char *dir, char **first)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n++ == 0 && first)
            *first = e->d_name[0] ? fmt("%s", e->d_name) : NULL;
    }
    closedir(d);
    return n;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* --- running bhost -------------------------------------------------------------- */

struct proc {
    int rc;    /* exit status */
    char *out; /* what it printed on stdout */
    char *err; /* and on stderr */
};

/*
 * Runs `bhost --plugin-path BHOST_TEST_PLUGIN_DIR ARGS...` (NULL-terminated)
 * in `cwd` (a fresh empty directory if NULL), stdin from /dev/null, stdout and
 * stderr into files of a fresh directory. Returns the exit status; a death by
 * signal or a sanitizer's report fails the test with the child's stderr.
 */
static int run_bhost(struct proc *p, const char *cwd, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, cwd);
    while (va_arg(ap, const char *))
        n++;
    va_end(ap);
    char **argv = track(calloc(n + 4, sizeof *argv));
    argv[0] = fmt("%s", BHOST_EXE);
    argv[1] = fmt("--plugin-path");
    argv[2] = fmt("%s", BHOST_TEST_PLUGIN_DIR);
    va_start(ap, cwd);
    for (size_t i = 0; i < n; i++)
        argv[3 + i] = fmt("%s", va_arg(ap, const char *));
    va_end(ap);

    char *capture = fresh_dir("proc");
    char *own_cwd = cwd ? NULL : fresh_dir("cwd");
    char *out_path = fmt("%s/stdout", capture), *err_path = fmt("%s/stderr", capture);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (in < 0 || out < 0 || err < 0 || chdir(cwd ? cwd : own_cwd) != 0 ||
            dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    p->out = read_text(out_path);
    p->err = read_text(err_path);
    if (!WIFEXITED(status))
        fail_msg("bhost died of signal %d; stderr:\n%s", WTERMSIG(status), p->err);
    p->rc = WEXITSTATUS(status);
    if (p->rc == SANITIZER_EXIT || p->rc >= 126)
        fail_msg("bhost exited with %d; stderr:\n%s", p->rc, p->err);
    return p->rc;
}

/* Asserts the exit status, showing the child's output when it is not the expected one. */
static void expect_rc(const struct proc *p, int rc)
{
    if (p->rc != rc)
        fail_msg("bhost exited with %d, expected %d\nstdout:\n%s\nstderr:\n%s", p->rc, rc,
                 p->out, p->err);
}

static void expect_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, text);
}

/* --- reading results.json ---------------------------------------------------------- */

static json_t *load_results(const char *dir)
{
    char *path = fmt("%s/results.json", dir);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        fail_msg("%s: %s (line %d)", path, e.text, e.line);
    return track_json(doc);
}

/*
 * The value at `path` under v: keys and array indices separated by '/'
 * ("points/0/histograms/iteration/count"); keys may hold dots. Fails if absent.
 */
static json_t *jget(json_t *v, const char *path)
{
    char copy[256], *save = NULL;
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
        fail_msg("path too long: %s", path);
    for (char *k = strtok_r(copy, "/", &save); k && v; k = strtok_r(NULL, "/", &save))
        v = json_is_array(v) ? json_array_get(v, strtoul(k, NULL, 10)) : json_object_get(v, k);
    if (!v)
        fail_msg("results have no '%s'", path);
    return v;
}

static long long jint(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (!json_is_integer(x))
        fail_msg("'%s' is not an integer", path);
    return (long long)json_integer_value(x);
}

static double jreal(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (!json_is_number(x))
        fail_msg("'%s' is not a number", path);
    return json_number_value(x);
}

static const char *jstr(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (!json_is_string(x))
        fail_msg("'%s' is not a string", path);
    return json_string_value(x);
}

static size_t jsize(json_t *v, const char *path)
{
    json_t *x = jget(v, path);
    if (json_is_array(x))
        return json_array_size(x);
    if (json_is_object(x))
        return json_object_size(x);
    fail_msg("'%s' is neither an array nor an object", path);
    return 0;
}

static void expect_null(json_t *v, const char *path)
{
    if (!json_is_null(jget(v, path)))
        fail_msg("'%s' is not null", path);
}

/* A counter or gauge of a point or instrument: its kind and exact value. */
static void expect_metric(json_t *metrics, const char *name, const char *kind, double value)
{
    json_t *m = json_object_get(metrics, name);
    if (!m)
        fail_msg("no metric '%s'", name);
    assert_string_equal(jstr(m, "kind"), kind);
    if (jreal(m, "value") != value)
        fail_msg("metric '%s' is %g, expected %g", name, jreal(m, "value"), value);
}

/* A histogram's "hdr" decodes to counts whose summary is the JSON's own figures. */
static void expect_hdr_agrees(json_t *h)
{
    struct hdr d;
    assert_int_equal(hdr_decode_v2_base64(jstr(h, "hdr"), &d), 0);
    struct hdr_summary s;
    hdr_summarize(&d, &s);
    hdr_fini(&d);
    assert_int_equal(d.lowest_discernible, HDR_BHOST_LOWEST);
    assert_int_equal(d.highest_trackable, HDR_BHOST_HIGHEST);
    assert_int_equal(d.sig_figs, HDR_BHOST_SIG_FIGS);
    assert_int_equal(s.count, jint(h, "count"));
    assert_int_equal(s.min, jint(h, "min"));
    assert_int_equal(s.max, jint(h, "max"));
    assert_int_equal(s.p50, jint(h, "p50"));
    assert_int_equal(s.p90, jint(h, "p90"));
    assert_int_equal(s.p99, jint(h, "p99"));
    assert_int_equal(s.p999, jint(h, "p99_9"));
    assert_true(s.mean == jreal(h, "mean"));
    assert_true(s.stddev == jreal(h, "stddev"));
}

static int is_hex16(const char *s)
{
    return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

/* docs/specs.md: id = FNV-1a-64(name "\n" + "param=value\n" for set params by name). */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

/* docs/specs.md: seed = splitmix64(experiment seed XOR id). */
static uint64_t splitmix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* --- the headline sweep ------------------------------------------------------------ */

/* e2e_sweep.yaml's points, in sweep order: count (the first axis) turns slowest. */
static const struct {
    int count;
    const char *color;
    int color_index; /* in test_good's choices red|green|blue */
} grid[6] = {
    {2, "red", 0}, {2, "green", 1}, {2, "blue", 2},
    {5, "red", 0}, {5, "green", 1}, {5, "blue", 2},
};

/* The label, id and seed docs/specs.md gives grid point i. */
static void expect_grid_identity(json_t *pt, size_t i)
{
    char *label = fmt("grid[count=%d,color=%s]", grid[i].count, grid[i].color);
    char *key = fmt("grid\ncolor=%s\ncount=%d\n", grid[i].color, grid[i].count);
    uint64_t id = fnv1a(key);
    char *hex_id = fmt("%016llx", (unsigned long long)id);
    char *hex_seed = fmt("%016llx", (unsigned long long)splitmix64(UINT64_C(7) ^ id));
    assert_string_equal(jstr(pt, "label"), label);
    assert_string_equal(jstr(pt, "id"), hex_id);
    assert_string_equal(jstr(pt, "seed"), hex_seed);
}

static void expect_grid_point(json_t *pt, size_t i)
{
    assert_int_equal(jint(pt, "index"), i);
    expect_grid_identity(pt, i);
    assert_true(is_hex16(jstr(pt, "id")));
    assert_string_equal(jstr(pt, "experiment"), "grid");
    assert_string_equal(jstr(pt, "plugin"), "test_good");
    assert_string_equal(jstr(pt, "plugin_version"), "1.0");
    assert_string_equal(jstr(pt, "status"), "ok");
    expect_null(pt, "error");

    /* Every parameter of test_good: the swept values, the others at their defaults. */
    assert_int_equal(jsize(pt, "params"), 6);
    assert_int_equal(jint(pt, "params/count"), grid[i].count);
    assert_string_equal(jstr(pt, "params/color"), grid[i].color);
    assert_true(jreal(pt, "params/ratio") == 0.5);
    assert_true(json_is_false(jget(pt, "params/flag")));
    assert_string_equal(jstr(pt, "params/label"), "hello");
    assert_int_equal(jint(pt, "params/fail_every"), 0);

    assert_int_equal(jint(pt, "iterations/warmup"), 2);
    assert_int_equal(jint(pt, "iterations/measured"), 100);
    assert_int_equal(jint(pt, "iterations/batch"), 1);
    assert_int_equal(jint(pt, "repetitions"), 2);
    assert_int_equal(jint(pt, "failures/count"), 0);
    assert_true(jreal(pt, "failures/success_rate") == 1.0);
    assert_int_equal(jsize(pt, "failures/reasons"), 0);

    /* The host's own histogram, test_good's "custom" and the instrument's "hook"
     * (named after the instrument, like its metrics; one value per point_end). */
    assert_int_equal(jsize(pt, "histograms"), 3);
    assert_int_equal(jint(pt, "histograms/test_instrument.hook/count"), 1);
    assert_int_equal(jint(pt, "histograms/test_instrument.hook/p50"), 5);
    json_t *it = jget(pt, "histograms/iteration");
    assert_string_equal(jstr(it, "unit"), "ns");
    assert_int_equal(jint(it, "count"), 100);
    assert_true(jint(it, "min") <= jint(it, "p50"));
    assert_true(jint(it, "p50") <= jint(it, "p99"));
    assert_true(jint(it, "p99") <= jint(it, "max"));
    expect_hdr_agrees(it);
    assert_int_equal(jsize(it, "repetitions"), 2);
    for (size_t r = 0; r < 2; r++) {
        json_t *rep = json_array_get(jget(it, "repetitions"), r);
        assert_int_equal(jint(rep, "count"), 50);
        assert_int_equal(jint(rep, "iterations"), 50);
        expect_hdr_agrees(rep);
    }

    /* test_good records count*100 ns per iteration into "custom"; below 2048
     * a 3-digit HDR histogram is exact, so its highest equivalent is itself. */
    struct hdr probe;
    assert_int_equal(hdr_init_bhost(&probe), 0);
    int64_t v = grid[i].count * 100, highest = hdr_highest_equivalent(&probe, v);
    hdr_fini(&probe);
    assert_int_equal(highest, v);
    json_t *custom = jget(pt, "histograms/custom");
    assert_int_equal(jint(custom, "count"), 100);
    assert_int_equal(jint(custom, "p50"), v);
    assert_int_equal(jint(custom, "min"), v);
    assert_int_equal(jint(custom, "max"), v);
    assert_int_equal(jint(custom, "p99_9"), v);
    assert_true(jreal(custom, "mean") == (double)v);
    expect_hdr_agrees(custom);
    assert_int_equal(jsize(custom, "repetitions"), 2);
    for (size_t r = 0; r < 2; r++) {
        json_t *rep = json_array_get(jget(custom, "repetitions"), r);
        assert_int_equal(jint(rep, "count"), 50);
        assert_int_equal(jint(rep, "p50"), v);
        expect_hdr_agrees(rep);
    }

    json_t *m = jget(pt, "metrics");
    assert_int_equal(json_object_size(m), 5);
    /*
     * iterate() also runs for the 2 warm-up iterations, but counters return
     * to their pre-warm-up values after it: iterations_seen = 50 x 2.
     */
    expect_metric(m, "iterations_seen", "counter", 100);
    expect_metric(m, "count_param", "gauge", grid[i].count);
    expect_metric(m, "choice_index", "gauge", grid[i].color_index);
    /* Each isolated point runs in a child that starts from run_start's state,
     * so the instrument's running count is 1 in every point (docs/sdk.md). */
    expect_metric(m, "test_instrument.points_seen", "gauge", 1);
    expect_metric(m, "test_instrument.ends", "counter", 1);
}

/* Runs the headline sweep into a fresh directory: its results. */
static json_t *run_sweep(void)
{
    struct proc p;
    char *out = fresh_dir("sweep");
    run_bhost(&p, NULL, "run", SWEEP_SPEC, "--out", out, (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.err, "");
    for (size_t i = 0; i < 6; i++) {
        char *line = fmt("[%zu/6] grid[count=%d,color=%s] ok", i + 1, grid[i].count,
                         grid[i].color);
        expect_contains(p.out, line);
    }
    char *summary = fmt("6 of 6 points run, 0 failed; results: %s/results.json\n", out);
    expect_contains(p.out, summary);
    json_t *doc = load_results(out);
    assert_string_equal(jstr(doc, "run/dir"), out);
    return doc;
}

static json_t *run_with(const char *spec, const char *opt, const char *value);

static void sweep_runs_and_reports_everything(void **state)
{
    (void)state;
    json_t *doc = run_sweep();
    assert_string_equal(jstr(doc, "schema"), "bhost.result/1");

    assert_int_equal(jint(doc, "run/points_total"), 6);
    assert_int_equal(jint(doc, "run/points_run"), 6);
    assert_int_equal(jint(doc, "run/points_failed"), 0);
    assert_string_equal(jstr(doc, "run/status"), "ok");
    expect_null(doc, "run/filter");
    assert_string_equal(jstr(doc, "run/argv/0"), BHOST_EXE);
    assert_string_equal(jstr(doc, "run/argv/3"), "run");
    assert_string_equal(jstr(doc, "run/argv/4"), SWEEP_SPEC);

    assert_int_equal(jsize(doc, "points"), 6);
    for (size_t i = 0; i < 6; i++)
        expect_grid_point(json_array_get(jget(doc, "points"), i), i);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(jstr(json_array_get(jget(doc, "points"), i), "id"),
                                    jstr(json_array_get(jget(doc, "points"), j), "id"));

    /* The run-level instrument entry: run_end runs in the host, whose state the
     * isolated points never changed. */
    assert_int_equal(jsize(doc, "instruments"), 1);
    json_t *inst = jget(doc, "instruments/0");
    assert_string_equal(jstr(inst, "instrument"), "test_instrument");
    assert_string_equal(jstr(inst, "experiment"), "grid");
    assert_string_equal(jstr(inst, "params/tag"), "t");
    assert_int_equal(jsize(inst, "metrics"), 1);
    expect_metric(jget(inst, "metrics"), "run_points", "gauge", 0);
    expect_null(inst, "error");

    /* In the host (--isolate none), the instrument's state lives across the run. */
    json_t *inproc = run_with(SWEEP_SPEC, "--isolate", "none");
    for (size_t i = 0; i < 6; i++)
        expect_metric(jget(json_array_get(jget(inproc, "points"), i), "metrics"),
                      "test_instrument.points_seen", "gauge", (double)i + 1);
    expect_metric(jget(inproc, "instruments/0/metrics"), "run_points", "gauge", 6);

    char host[256] = "";
    assert_int_equal(gethostname(host, sizeof host), 0);
    assert_string_equal(jstr(doc, "environment/hostname"), host);
    assert_int_equal(jint(doc, "environment/cpu/logical_count"), sysconf(_SC_NPROCESSORS_ONLN));
    assert_true(jreal(doc, "environment/clock/read_ns") > 0);

    /* The spec as resolved: axes as arrays, settings inherited from the top level. */
    assert_string_equal(jstr(doc, "spec/name"), "e2e_sweep");
    assert_int_equal(jint(doc, "spec/seed"), 7);
    json_t *e = jget(doc, "spec/experiments/0");
    assert_string_equal(jstr(e, "name"), "grid");
    assert_string_equal(jstr(e, "experiment"), "test_good");
    assert_int_equal(jsize(e, "params"), 2);
    assert_int_equal(jsize(e, "params/count"), 2);
    assert_int_equal(jint(e, "params/count/0"), 2);
    assert_int_equal(jint(e, "params/count/1"), 5);
    assert_int_equal(jsize(e, "params/color"), 3);
    assert_string_equal(jstr(e, "params/color/0"), "red");
    assert_string_equal(jstr(e, "params/color/1"), "green");
    assert_string_equal(jstr(e, "params/color/2"), "blue");
    assert_int_equal(jint(e, "iterations/warmup"), 2);
    assert_int_equal(jint(e, "iterations/measured"), 50);
    assert_int_equal(jint(e, "repetitions"), 2);
    assert_int_equal(jint(e, "seed"), 7);
    assert_string_equal(jstr(e, "instruments/0/instrument"), "test_instrument");

    /* A second run of the same spec: the same ids and seeds, point by point. */
    json_t *again = run_sweep();
    assert_int_equal(jsize(again, "points"), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *a = json_array_get(jget(doc, "points"), i);
        json_t *b = json_array_get(jget(again, "points"), i);
        assert_string_equal(jstr(a, "id"), jstr(b, "id"));
        assert_string_equal(jstr(a, "seed"), jstr(b, "seed"));
        assert_string_equal(jstr(a, "label"), jstr(b, "label"));
    }
}

/* --- failures ------------------------------------------------------------------------ */

static void failed_iterations_are_counted_not_timed(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec"), *out = fresh_dir("out");
    /*
     * test_good fails its 5th, 10th... call. Warm-up makes 5 calls, so call 5
     * fails during warm-up and must be forgotten; the 50 measured calls are
     * 6..55, of which 10, 15 ... 55 fail: 10 failures, 40 timed iterations.
     */
    char *spec = write_file(dir, "fail_every.yaml",
                            "iterations: {warmup: 5, measured: 50}\n"
                            "repetitions: 1\n"
                            "experiments:\n"
                            "  - experiment: test_good\n"
                            "    params:\n"
                            "      fail_every: 5\n");
    struct proc p;
    run_bhost(&p, NULL, "run", spec, "--out", out, "-q", (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.out, "");
    assert_string_equal(p.err, "");
    json_t *doc = load_results(out);
    json_t *pt = jget(doc, "points/0");
    /* fail_every is fixed, not an axis: the label is the bare experiment name. */
    assert_string_equal(jstr(pt, "label"), "test_good");
    assert_string_equal(jstr(pt, "status"), "ok");
    assert_int_equal(jint(pt, "failures/count"), 10);
    assert_true(jreal(pt, "failures/success_rate") == 0.8);
    assert_int_equal(jsize(pt, "failures/reasons"), 1);
    assert_string_equal(jstr(pt, "failures/reasons/0/reason"), "planned failure");
    assert_int_equal(jint(pt, "failures/reasons/0/count"), 10);
    assert_int_equal(jint(pt, "iterations/warmup"), 5);
    assert_int_equal(jint(pt, "iterations/measured"), 50);
    assert_int_equal(jint(pt, "histograms/iteration/count"), 40);
    assert_int_equal(jint(pt, "histograms/iteration/repetitions/0/count"), 40);
    assert_int_equal(jint(pt, "histograms/iteration/repetitions/0/iterations"), 50);
    expect_hdr_agrees(jget(pt, "histograms/iteration"));
    /* test_good records into "custom" before it fails, so all 50 calls count there. */
    assert_int_equal(jint(pt, "histograms/custom/count"), 50);
    assert_int_equal(jint(pt, "histograms/custom/p50"), 300);
    expect_metric(jget(pt, "metrics"), "iterations_seen", "counter", 50);
    assert_int_equal(jint(doc, "run/points_failed"), 0);
    assert_string_equal(jstr(doc, "run/status"), "ok");
    /* Without -q, the summary says that a point had failed iterations. */
    char *out2 = fresh_dir("out");
    run_bhost(&p, NULL, "run", spec, "--out", out2, (char *)NULL);
    expect_rc(&p, 0);
    expect_contains(p.out, "1 of 1 points run, 0 failed, 1 with failed iterations; results: ");
}

static void failed_setup_fails_its_point_only(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec"), *out = fresh_dir("out");
    char *spec = write_file(dir, "fail_setup.yaml",
                            "iterations: {warmup: 1, measured: 10}\n"
                            "experiments:\n"
                            "  - experiment: test_good\n"
                            "    params:\n"
                            "      label: [ok, fail-setup]\n");
    struct proc p;
    run_bhost(&p, NULL, "run", spec, "--out", out, (char *)NULL);
    expect_rc(&p, 1);
    expect_contains(p.out, "[1/2] test_good[label=ok] ok");
    expect_contains(p.out, "[2/2] test_good[label=fail-setup] FAILED: setup failed: "
                           "setup refused: label=fail-setup\n");
    expect_contains(p.out, "2 of 2 points run, 1 failed; results: ");
    json_t *doc = load_results(out);
    assert_int_equal(jint(doc, "run/points_total"), 2);
    assert_int_equal(jint(doc, "run/points_run"), 2);
    assert_int_equal(jint(doc, "run/points_failed"), 1);
    assert_string_equal(jstr(doc, "run/status"), "failed");

    json_t *ok = jget(doc, "points/0");
    assert_string_equal(jstr(ok, "label"), "test_good[label=ok]");
    assert_string_equal(jstr(ok, "status"), "ok");
    expect_null(ok, "error");
    assert_string_equal(jstr(ok, "params/label"), "ok");
    assert_int_equal(jint(ok, "iterations/measured"), 10);
    assert_int_equal(jint(ok, "histograms/iteration/count"), 10);
    assert_int_equal(jint(ok, "histograms/custom/count"), 10);
    assert_int_equal(jint(ok, "histograms/custom/p50"), 300);
    expect_hdr_agrees(jget(ok, "histograms/iteration"));
    expect_metric(jget(ok, "metrics"), "iterations_seen", "counter", 10);

    json_t *bad = jget(doc, "points/1");
    assert_string_equal(jstr(bad, "label"), "test_good[label=fail-setup]");
    assert_string_equal(jstr(bad, "status"), "failed");
    assert_string_equal(jstr(bad, "error"), "setup failed: setup refused: label=fail-setup");
    assert_int_equal(jint(bad, "iterations/measured"), 0);
    assert_true(json_is_null(jget(bad, "failures/success_rate")));
    assert_int_equal(jsize(bad, "histograms"), 0);
    assert_int_equal(jsize(bad, "metrics"), 0);
}

/* --- bad specs ------------------------------------------------------------------------ */

/*
 * `bhost run` of `text` exits 2, its stderr beginning with "SPEC:MESSAGE"
 * (MESSAGE starts with line:col; a trailing newline in it means the whole
 * line), and leaves its working directory as empty as it found it.
 */
static void expect_bad_spec(const char *text, const char *message)
{
    char *dir = fresh_dir("spec"), *cwd = fresh_dir("cwd");
    char *spec = write_file(dir, "bad.yaml", text);
    struct proc p;
    run_bhost(&p, cwd, "run", spec, (char *)NULL);
    expect_rc(&p, 2);
    assert_string_equal(p.out, "");
    char *want = fmt("%s:%s", spec, message);
    if (strncmp(p.err, want, strlen(want)) != 0)
        fail_msg("expected stderr to begin with\n  %s\ngot\n%s", want, p.err);
    assert_int_equal(dir_entries(cwd, NULL), 0);
    assert_int_equal(dir_entries(dir, NULL), 1);
}

static void bad_specs_exit_2_at_line_and_column(void **state)
{
    (void)state;
    /* The key starts line 2. */
    expect_bad_spec("name: t\n"
                    "iteratons: {warmup: 1, measured: 5}\n"
                    "experiments:\n"
                    "  - experiment: test_good\n",
                    "2:1: unknown key 'iteratons' in the spec (did you mean 'iterations'?)\n");
    /* "      cont" puts the key at column 7. */
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      cont: 3\n",
                    "4:7: experiment 'test_good' has no parameter 'cont' "
                    "(did you mean 'count'?)\n");
    /* "  - experiment: " is 16 characters: the name starts at column 17. */
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_god\n",
                    "2:17: unknown experiment 'test_god' (did you mean 'test_good'?)\n");
    /* "      count: " is 13 characters: values start at column 14. */
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      count: abc\n",
                    "4:14: count: expected an integer, got 'abc'\n");
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      count: 1000\n",
                    "4:14: count = 1000 is out of range: expected >= 1 and <= 100\n");
    /* In a list the item is the node: "      count: [1, " puts 1000 at column 18. */
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      count: [1, 1000]\n",
                    "4:18: count = 1000 is out of range: expected >= 1 and <= 100\n");
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      color: purple\n",
                    "4:14: color: 'purple' is not one of: red, green, blue\n");
    /* The bracket never closes: libyaml notices at the end of input, line 5, column 1. */
    expect_bad_spec("experiments:\n"
                    "  - experiment: test_good\n"
                    "    params:\n"
                    "      count: [1, 2\n",
                    "5:1: invalid YAML: did not find expected ',' or ']'");
}

/* --- validate --------------------------------------------------------------------------- */

static void validate_lists_points_and_runs_nothing(void **state)
{
    (void)state;
    char *cwd = fresh_dir("cwd");
    struct proc p;
    run_bhost(&p, cwd, "validate", SWEEP_SPEC, (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.err, "");
    assert_int_equal(dir_entries(cwd, NULL), 0);

    char *lines[9];
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(p.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        assert_true(n < 9);
        lines[n++] = l;
    }
    assert_int_equal(n, 8);
    assert_string_equal(lines[0], SWEEP_SPEC ": valid, 6 sweep points");
    assert_string_equal(lines[1], "experiment grid (plugin test_good): warmup 2, measured 50, "
                                  "min_time 0 s, repetitions 2, instruments: test_instrument");

    /* Each point line: index, id, label; the ids those a run writes. */
    json_t *doc = run_sweep();
    for (size_t i = 0; i < 6; i++) {
        size_t index;
        char id[17], label[64];
        assert_int_equal(sscanf(lines[2 + i], " %zu %16s %63s", &index, id, label), 3);
        json_t *pt = json_array_get(jget(doc, "points"), i);
        assert_int_equal(index, i);
        assert_true(is_hex16(id));
        assert_string_equal(id, jstr(pt, "id"));
        assert_string_equal(label, jstr(pt, "label"));
        char *line = fmt("  %6zu  %s  %s", i, id, label);
        assert_string_equal(lines[2 + i], line);
    }
}

/* --- overrides and filters -------------------------------------------------------------- */

static const char two_experiments[] = "iterations: {warmup: 0, measured: 5}\n"
                                      "experiments:\n"
                                      "  - name: grid\n"
                                      "    experiment: test_good\n"
                                      "    params:\n"
                                      "      count: 4\n"
                                      "      color: [red, blue]\n"
                                      "  - name: other\n"
                                      "    experiment: test_good\n";

/* Runs `spec` quietly with one extra option pair; its results. */
static json_t *run_with(const char *spec, const char *opt, const char *value)
{
    char *out = fresh_dir("out");
    struct proc p;
    run_bhost(&p, NULL, "run", spec, "--out", out, "-q", opt, value, (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.err, "");
    json_t *doc = load_results(out);
    return doc;
}

static void expect_point(json_t *doc, size_t i, const char *label, int count)
{
    json_t *pt = json_array_get(jget(doc, "points"), i);
    if (!pt)
        fail_msg("no point %zu", i);
    assert_string_equal(jstr(pt, "label"), label);
    assert_int_equal(jint(pt, "params/count"), count);
    assert_int_equal(jint(pt, "histograms/custom/p50"), count * 100);
}

static void set_overrides_and_filter(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec");
    char *spec = write_file(dir, "two.yaml", two_experiments);

    /* Unscoped: count becomes an axis of 3 in both experiments. */
    json_t *doc = run_with(spec, "--set", "count=[1,2,3]");
    assert_int_equal(jint(doc, "run/points_total"), 9);
    assert_int_equal(jsize(doc, "points"), 9);
    static const int counts[] = {1, 1, 2, 2, 3, 3};
    for (size_t i = 0; i < 6; i++) {
        /* count was fixed in the file: now an axis, it enters the label in its place. */
        char *full = fmt("grid[count=%d,color=%s]", counts[i], i % 2 ? "blue" : "red");
        expect_point(doc, i, full, counts[i]);
    }
    expect_point(doc, 6, "other[count=1]", 1);
    expect_point(doc, 7, "other[count=2]", 2);
    expect_point(doc, 8, "other[count=3]", 3);
    assert_int_equal(jsize(doc, "spec/experiments/0/params/count"), 3);
    assert_int_equal(jint(doc, "spec/experiments/1/params/count/2"), 3);

    /* Scoped to one experiment: the other keeps its default count of 3. */
    doc = run_with(spec, "--set", "grid.count=9");
    assert_int_equal(jint(doc, "run/points_total"), 3);
    expect_point(doc, 0, "grid[color=red]", 9);
    expect_point(doc, 1, "grid[color=blue]", 9);
    expect_point(doc, 2, "other", 3);

    /* A key nothing has is an error, not a silent no-op. */
    struct proc p;
    char *cwd = fresh_dir("cwd");
    run_bhost(&p, cwd, "run", spec, "--set", "nosuch=1", (char *)NULL);
    expect_rc(&p, 2);
    assert_string_equal(p.err, "--set nosuch=1: no experiment has a parameter or setting "
                               "'nosuch'\n");
    assert_int_equal(dir_entries(cwd, NULL), 0);
    run_bhost(&p, cwd, "run", spec, "--set", "nosuch.count=1", (char *)NULL);
    expect_rc(&p, 2);
    assert_string_equal(p.err, "--set nosuch.count=1: the spec has no experiment named "
                               "'nosuch', and no experiment has an instrument of that name "
                               "attached\n");
    assert_int_equal(dir_entries(cwd, NULL), 0);

    /* A filter keeps the matching points with their sweep indices. */
    doc = run_with(SWEEP_SPEC, "--filter", "grid[count=5*");
    assert_int_equal(jint(doc, "run/points_total"), 6);
    assert_int_equal(jint(doc, "run/points_run"), 3);
    assert_string_equal(jstr(doc, "run/filter"), "grid[count=5*");
    assert_int_equal(jsize(doc, "points"), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *pt = json_array_get(jget(doc, "points"), i);
        assert_int_equal(jint(pt, "index"), 3 + i);
        expect_grid_identity(pt, 3 + i);
    }

    /* A filter that matches nothing runs nothing. */
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--filter", "nomatch", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "no sweep point matches --filter 'nomatch' (of 6 points)");
    assert_int_equal(dir_entries(cwd, NULL), 0);
}

/* --- limits ----------------------------------------------------------------------------- */

static void max_points_refuses_large_sweeps(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec"), *cwd = fresh_dir("cwd");
    char *spec = write_file(dir, "big.yaml",
                            "max_points: 4\n"
                            "iterations: {warmup: 0, measured: 5}\n"
                            "experiments:\n"
                            "  - name: grid\n"
                            "    experiment: test_good\n"
                            "    params:\n"
                            "      count: [2, 5]\n"
                            "      color: [red, green, blue]\n");
    struct proc p;
    run_bhost(&p, cwd, "run", spec, (char *)NULL);
    expect_rc(&p, 2);
    char *want = fmt("%s: the sweep expands to more than 4 points (experiment 'grid': "
                     "count (2) x color (3))", spec);
    expect_contains(p.err, want);
    assert_int_equal(dir_entries(cwd, NULL), 0);

    /* --max-points overrides the spec's limit, both ways. */
    run_bhost(&p, cwd, "validate", spec, "--max-points", "6", (char *)NULL);
    expect_rc(&p, 0);
    want = fmt("%s: valid, 6 sweep points\n", spec);
    expect_contains(p.out, want);
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--max-points", "5", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "more than 5 points");
    assert_int_equal(dir_entries(cwd, NULL), 0);
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--max-points", "0", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "--max-points needs a number from 1 to 1000000, got '0'");
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--max-points", "5000000", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "--max-points needs a number from 1 to 1000000, got '5000000'");

    json_t *doc = run_with(spec, "--max-points", "6");
    assert_int_equal(jint(doc, "run/points_run"), 6);
    assert_int_equal(jint(doc, "spec/max_points"), 6); /* the limit the run had */
}

/* --- batch mode and plugin bugs ------------------------------------------------------------ */

static void batch_mode_times_batches_and_counts_their_iterations(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec"), *out = fresh_dir("out");
    char *spec = write_file(dir, "batch.yaml",
                            "iterations: {warmup: 1000, measured: 200000}\n"
                            "experiments:\n"
                            "  - experiment: test_batch\n"
                            "    params: {fail_every: 3}\n");
    struct proc p;
    run_bhost(&p, NULL, "run", spec, "--out", out, "-q", (char *)NULL);
    expect_rc(&p, 0);
    json_t *pt = jget(load_results(out), "points/0");
    long long measured = jint(pt, "iterations/measured"), batch = jint(pt, "iterations/batch");
    /* Batches grow in powers of two until one takes 10 us; the last one is cut to fit. How
     * far they grow is the machine's to say: under a sanitizer on a loaded machine one call
     * may take 10 us already (batch 1 failed this test once), so only the shape is checked. */
    assert_true(batch >= 1 && (batch & (batch - 1)) == 0);
    assert_int_equal(measured, 200000);
    /* A failing batch fails all its iterations: timed + failed = measured. */
    long long failed = jint(pt, "failures/count"), timed = jint(pt, "histograms/iteration/count");
    assert_true(failed > 0);
    assert_int_equal(timed + failed, measured);
    assert_true(jreal(pt, "failures/success_rate") == (double)timed / (double)measured);
    assert_string_equal(jstr(pt, "failures/reasons/0/reason"), "planned batch failure");
    assert_int_equal(jint(pt, "failures/reasons/0/count"), failed);
    /* Counters count measured work only; warm-up and calibration are forgotten. */
    assert_true(jreal(pt, "metrics/iterations/value") == (double)measured);
    /* JSON has no NaN: a NaN gauge is reported as null. */
    expect_null(pt, "metrics/not_a_number/value");
    expect_hdr_agrees(jget(pt, "histograms/iteration"));
}

static void plugin_misuse_fails_the_point_and_still_tears_down(void **state)
{
    (void)state;
    char *dir = fresh_dir("spec"), *out = fresh_dir("out");
    char *spec = write_file(dir, "misuse.yaml",
                            "iterations: {warmup: 0, measured: 10}\n"
                            "experiments:\n"
                            "  - experiment: test_misuse\n"
                            "    params: {where: [setup, iterate, teardown]}\n");
    struct proc p;
    run_bhost(&p, NULL, "run", spec, "--out", out, "-q", (char *)NULL);
    expect_rc(&p, 1);
    json_t *doc = load_results(out);
    static const char *const hooks[] = {"setup", "iterate", "teardown"};
    for (size_t i = 0; i < 3; i++) {
        json_t *pt = json_array_get(jget(doc, "points"), i);
        assert_string_equal(jstr(pt, "status"), "failed");
        char *want = fmt("%s: plugin bug: bhost_param_int(\"undeclared\"): 'test_misuse' "
                         "declares no such parameter", hooks[i]);
        assert_string_equal(jstr(pt, "error"), want);
    }
    /* Measured before the misuse was seen: kept. */
    assert_int_equal(jint(doc, "points/2/histograms/iteration/count"), 10);
    assert_int_equal(jint(doc, "run/points_failed"), 3);
}

/* --- list, version, usage ------------------------------------------------------------------ */

/* The line of `param` in `plugin`'s table of `bhost --list`, with its runs of blanks
 * squeezed to one space; NULL if there is none. */
static char *param_row(const char *text, const char *plugin, const char *param)
{
    char *head = fmt("experiment %s ", plugin);
    const char *at = strstr(text, head);
    if (!at)
        return NULL;
    for (const char *line = strchr(at + 1, '\n'); line && line[1] != '\n' && line[1];
         line = strchr(line + 1, '\n')) {
        const char *s = line + 1, *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        size_t plen = strlen(param);
        while (*s == ' ')
            s++;
        if (strncmp(s, param, plen) != 0 || s[plen] != ' ')
            continue;
        char *row = track(malloc(len + 1)), *o = row;
        for (const char *c = s; c < line + 1 + len; c++)
            if (*c != ' ' || (o > row && o[-1] != ' '))
                *o++ = *c;
        while (o > row && o[-1] == ' ')
            o--;
        *o = '\0';
        return row;
    }
    return NULL;
}

/* text with every run of spaces made one space: table columns, whatever their widths. */
static char *squeeze(const char *text)
{
    char *out = track(malloc(strlen(text) + 1)), *o = out;
    for (const char *c = text; *c; c++)
        if (*c != ' ' || o == out || o[-1] != ' ')
            *o++ = *c;
    *o = '\0';
    return out;
}

static void expect_row(const char *text, const char *param, const char *want)
{
    char *row = param_row(text, "test_good", param);
    if (!row)
        fail_msg("no row for test_good's '%s' in\n%s", param, text);
    assert_string_equal(row, want);
}

static json_t *find_named(json_t *array, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            return v;
    fail_msg("no '%s'", name);
    return NULL;
}

static void list_shows_plugins_and_refusals(void **state)
{
    (void)state;
    struct proc p;
    /* The index: one line per plugin, the refused files below it, all on stdout. */
    run_bhost(&p, NULL, "--list", "-v", (char *)NULL);
    expect_rc(&p, 0);
    expect_contains(p.out, "first match wins: " BHOST_TEST_PLUGIN_DIR ", ");
    expect_contains(squeeze(p.out), "\ntest_good experiment 1.0 " ABI_TEXT " test plugin: one parameter of each "
                           "type, custom metrics\n " BHOST_TEST_PLUGIN_DIR "/test_good.so (build-id ");
    expect_contains(p.out, "\nrefused (");
    expect_contains(p.out, "\n  " BHOST_TEST_PLUGIN_DIR "/test_bad_magic.so: refused: bad "
                           "descriptor magic");
    assert_null(strstr(p.out, "fail_every")); /* parameters only when asked for */
    /* A plugin's page: its file, docs and parameter table. */
    run_bhost(&p, NULL, "list", "test_good", (char *)NULL);
    expect_rc(&p, 0);
    expect_contains(p.out, "experiment test_good 1.0 (ABI " ABI_TEXT ") - test plugin: one parameter of "
                           "each type, custom metrics\n  " BHOST_TEST_PLUGIN_DIR "/test_good.so\n");
    expect_row(p.out, "parameter", "parameter type default range/choices unit doc");
    expect_row(p.out, "count", "count int 3 1..100 items items per iteration");
    expect_row(p.out, "ratio", "ratio float 0.5 0..1 a fraction");
    expect_row(p.out, "flag", "flag bool false a switch");
    expect_row(p.out, "label", "label string hello free text; \"fail-setup\" makes setup fail");
    expect_row(p.out, "color", "color enum green red|green|blue one of three");
    expect_row(p.out, "fail_every", "fail_every int 0 0.. every Nth iteration fails, 0 never");
    /* A plugin of a newer minor that also runs on this host says so. */
    run_bhost(&p, NULL, "list", "test_newer_minor_compat", (char *)NULL);
    expect_rc(&p, 0);
    char compat[128];
    snprintf(compat, sizeof compat, "experiment test_newer_minor_compat 1.0 (ABI %d.%d, runs on "
             "hosts of ABI " ABI_TEXT " and later)", BHOST_ABI_MAJOR, BHOST_ABI_MINOR + 1);
    expect_contains(p.out, compat);
    /* A name that is not there gets a suggestion and exit 2. */
    run_bhost(&p, NULL, "list", "test_godo", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "no plugin 'test_godo' (did you mean 'test_good'?)");

    run_bhost(&p, NULL, "list", "--json", (char *)NULL);
    expect_rc(&p, 0);
    json_error_t e;
    json_t *doc = json_loads(p.out, 0, &e);
    if (!doc)
        fail_msg("list --json: %s (line %d)\n%s", e.text, e.line, p.out);
    track_json(doc);
    assert_string_equal(jstr(doc, "search_path/0"), BHOST_TEST_PLUGIN_DIR);
    json_t *good = find_named(jget(doc, "plugins"), "test_good");
    assert_string_equal(jstr(good, "kind"), "experiment");
    assert_string_equal(jstr(good, "version"), "1.0");
    assert_string_equal(jstr(good, "abi"), ABI_TEXT);
    assert_string_equal(jstr(good, "oldest_host_abi"), ABI_TEXT);
    assert_string_equal(jstr(good, "path"), BHOST_TEST_PLUGIN_DIR "/test_good.so");
    assert_int_equal(jsize(good, "params"), 6);
    static const char *const order[] = {"count", "ratio", "flag", "label", "color",
                                        "fail_every"};
    for (size_t i = 0; i < 6; i++) {
        json_t *pd = json_array_get(jget(good, "params"), i);
        assert_string_equal(jstr(pd, "name"), order[i]);
        assert_true(json_is_false(jget(pd, "required")));
        assert_non_null(jget(pd, "doc"));
    }
    json_t *count = jget(good, "params/0");
    assert_string_equal(jstr(count, "type"), "int");
    assert_int_equal(jint(count, "default"), 3);
    assert_int_equal(jint(count, "min"), 1);
    assert_int_equal(jint(count, "max"), 100);
    assert_int_equal(jsize(count, "choices"), 0);
    assert_string_equal(jstr(count, "unit"), "items");
    assert_string_equal(jstr(count, "doc"), "items per iteration");
    json_t *ratio = jget(good, "params/1");
    assert_string_equal(jstr(ratio, "type"), "float");
    assert_true(jreal(ratio, "default") == 0.5);
    assert_true(jreal(ratio, "min") == 0.0);
    assert_true(jreal(ratio, "max") == 1.0);
    expect_null(ratio, "unit");
    json_t *flag = jget(good, "params/2");
    assert_string_equal(jstr(flag, "type"), "bool");
    assert_true(json_is_false(jget(flag, "default")));
    json_t *label = jget(good, "params/3");
    assert_string_equal(jstr(label, "type"), "string");
    assert_string_equal(jstr(label, "default"), "hello");
    json_t *color = jget(good, "params/4");
    assert_string_equal(jstr(color, "type"), "enum");
    assert_string_equal(jstr(color, "default"), "green");
    expect_null(color, "min");
    expect_null(color, "max");
    assert_int_equal(jsize(color, "choices"), 3);
    assert_string_equal(jstr(color, "choices/0"), "red");
    assert_string_equal(jstr(color, "choices/1"), "green");
    assert_string_equal(jstr(color, "choices/2"), "blue");
    assert_string_equal(jstr(color, "doc"), "one of three");
    json_t *fail_every = jget(good, "params/5");
    assert_int_equal(jint(fail_every, "min"), 0);
    expect_null(fail_every, "max");
    assert_string_equal(jstr(find_named(jget(doc, "plugins"), "test_instrument"), "kind"),
                        "instrument");

    /* Every refused test plugin, by file name; none of them listed as a plugin. */
    static const char *const refused[] = {"test_bad_magic.so", "test_bad_default.so",
                                          "test_newer_major.so", "test_newer_minor.so",
                                          "test_short_size.so", "test_one_thread_compat.so",
                                          "test_open_compat.so", "test_open_instrument.so"};
    json_t *why = jget(doc, "refused");
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char *prefix = fmt("%s/%s: refused: ", BHOST_TEST_PLUGIN_DIR, refused[i]);
        int found = 0;
        size_t k;
        json_t *r;
        json_array_foreach(why, k, r)
            found += strncmp(json_string_value(r), prefix, strlen(prefix)) == 0;
        if (found != 1)
            fail_msg("'%s' appears %d times in refused", prefix, found);
    }
    size_t k;
    json_t *pl;
    json_array_foreach(jget(doc, "plugins"), k, pl) {
        const char *name = jstr(pl, "name");
        assert_true(strcmp(name, "test_bad_magic") != 0 && strcmp(name, "test_newer_major") != 0 &&
                    strcmp(name, "test_newer_minor") != 0 && strcmp(name, "test_bad_default") != 0);
    }

    /* --version agrees with list --json. */
    char *version = fmt("bhost %s (plugin ABI %d.%d)\n", jstr(doc, "bhost"), BHOST_ABI_MAJOR,
                        BHOST_ABI_MINOR);
    run_bhost(&p, NULL, "--version", (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.out, version);
    assert_string_equal(p.err, "");

    run_bhost(&p, NULL, "rn", (char *)NULL);
    expect_rc(&p, 2);
    assert_string_equal(p.out, "");
    assert_string_equal(p.err, "bhost: unknown command 'rn' (did you mean 'run'?)\n"
                               "Try 'bhost help'.\n");
    run_bhost(&p, NULL, "run", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "bhost: run needs a spec file\n");
    run_bhost(&p, NULL, "validate", SWEEP_SPEC, "--bogus", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "bhost: unknown option '--bogus'\n");
}

/* --- the run directory ---------------------------------------------------------------------- */

static void run_dir_holds_only_results(void **state)
{
    (void)state;
    /* No --out: results/<spec name>-<UTC stamp>/ under the working directory. */
    unsetenv("BHOST_HISTORY"); /* the history in its default place */
    char *cwd = fresh_dir("cwd");
    struct proc p;
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "-q", (char *)NULL);
    expect_rc(&p, 0);
    assert_string_equal(p.out, "");
    assert_string_equal(p.err, "");
    char *name = NULL;
    assert_int_equal(dir_entries(cwd, &name), 1);
    assert_string_equal(name, "results");
    char *results = fmt("%s/results", cwd);
    /* The run, and the history it was recorded in (its default place). */
    assert_int_equal(dir_entries(results, NULL), 2);
    assert_true(exists(fmt("%s/history.sqlite", results)));
    assert_int_equal(rename(fmt("%s/history.sqlite", results), fmt("%s/history", cwd)), 0);
    name = NULL;
    assert_int_equal(dir_entries(results, &name), 1);
    /* e2e_sweep-YYYYmmddTHHMMSSZ */
    assert_int_equal(strlen(name), strlen("e2e_sweep-") + 16);
    assert_int_equal(strncmp(name, "e2e_sweep-", 10), 0);
    assert_int_equal(name[18], 'T');
    assert_int_equal(name[25], 'Z');
    char *run = fmt("%s/%s", results, name);
    /* The results file was renamed into place (no *.tmp.* left) and the
     * scratch directory the points used is gone: the results, their interval
     * log, the journal and the run's record for --resume. */
    assert_int_equal(dir_entries(run, NULL), 4);
    assert_true(exists(fmt("%s/results.json", run)));
    assert_true(exists(fmt("%s/run.hlog", run)));
    json_t *record = track_json(json_load_file(fmt("%s/run.json", run), 0, NULL));
    assert_non_null(record);
    assert_string_equal(jstr(record, "schema"), "bhost.run/1");
    char *scratch = fmt("%s/scratch", run);
    assert_false(exists(scratch));
    json_t *doc = load_results(run);
    /* The journal holds each finished point, one JSON line each, in order. */
    FILE *journal = fopen(fmt("%s/journal.jsonl", run), "r");
    assert_non_null(journal);
    char line[1 << 16];
    size_t lines = 0;
    while (fgets(line, sizeof line, journal)) {
        json_t *pt = track_json(json_loads(line, 0, NULL));
        assert_non_null(pt);
        assert_string_equal(jstr(pt, "id"), jstr(json_array_get(jget(doc, "points"), lines), "id"));
        lines++;
    }
    fclose(journal);
    assert_int_equal(lines, 6);
    /* Absolute, so that a plugin changing its working directory cannot lose it. */
    char *abs = realpath(run, NULL);
    assert_non_null(abs);
    assert_string_equal(jstr(doc, "run/dir"), abs);
    free(abs);
    assert_int_equal(jint(doc, "run/points_run"), 6);

    /* With --out, into an existing directory: the same, beside what was there. */
    char *out = fresh_dir("out");
    char *keep = write_file(out, "keep.txt", "mine\n");
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "-q", "--out", out, (char *)NULL);
    expect_rc(&p, 0);
    assert_int_equal(dir_entries(out, NULL), 5);
    char *json = fmt("%s/results.json", out);
    assert_true(exists(json));
    assert_true(exists(keep));

    /* A run directory that cannot be made is an internal error, and nothing runs. */
    char *blocked = fmt("%s/keep.txt/run", out);
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--out", blocked, (char *)NULL);
    expect_rc(&p, 3);
    expect_contains(p.err, "bhost: cannot create the run directory: ");
    assert_string_equal(p.out, "");
    setenv("BHOST_HISTORY", "off", 1);
}

/*
 * --out naming an existing regular file is refused like any run directory
 * that cannot be made: exit 3 before any point runs.
 */
static void out_onto_a_file_is_refused(void **state)
{
    (void)state;
    char *cwd = fresh_dir("cwd");
    char *file = write_file(cwd, "taken", "not a directory\n");
    struct proc p;
    run_bhost(&p, cwd, "run", SWEEP_SPEC, "--out", file, (char *)NULL);
    /* Refused before anything runs: mkdir_p must not take EEXIST on a file for success. */
    expect_rc(&p, 3);
    expect_contains(p.err, "bhost: cannot create the run directory: Not a directory\n");
    assert_string_equal(p.out, "");
}

/* hdr and merge parse their own options: after a global option they are refused, not run. */
static void hdr_and_merge_come_first(void **state)
{
    (void)state;
    char *cwd = fresh_dir("cwd");
    struct proc p;
    run_bhost(&p, cwd, "-q", "merge", "a.json", "b.json", "-o", "c", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "bhost: 'merge' takes no options before it: write 'bhost merge ...'");
    run_bhost(&p, cwd, "--plugin-path", cwd, "hdr", "x.hlog", (char *)NULL);
    expect_rc(&p, 2);
    expect_contains(p.err, "bhost: 'hdr' takes no options before it: write 'bhost hdr ...'");
}

/* --- main ------------------------------------------------------------------------------------ */

/* Appends exitcode=SANITIZER_EXIT to a sanitizer's options for the children. */
static void child_sanitizer_exit(const char *var)
{
    const char *old = getenv(var);
    char v[4096];
    snprintf(v, sizeof v, "%s%sexitcode=%d", old ? old : "", old && *old ? ":" : "",
             SANITIZER_EXIT);
    setenv(var, v, 1);
}

static int make_root(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/bhost-e2e-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    int rc = nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    root[0] = '\0';
    return rc;
}

int main(void)
{
    /* Only --plugin-path and bhost's own defaults decide where plugins come from. */
    unsetenv("BHOST_PLUGIN_PATH");
    setenv("BHOST_HISTORY", "off", 1); /* runs record nothing, but where a test says */
    child_sanitizer_exit("ASAN_OPTIONS");
    child_sanitizer_exit("UBSAN_OPTIONS");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(sweep_runs_and_reports_everything, release),
        cmocka_unit_test_teardown(failed_iterations_are_counted_not_timed, release),
        cmocka_unit_test_teardown(failed_setup_fails_its_point_only, release),
        cmocka_unit_test_teardown(bad_specs_exit_2_at_line_and_column, release),
        cmocka_unit_test_teardown(validate_lists_points_and_runs_nothing, release),
        cmocka_unit_test_teardown(set_overrides_and_filter, release),
        cmocka_unit_test_teardown(max_points_refuses_large_sweeps, release),
        cmocka_unit_test_teardown(batch_mode_times_batches_and_counts_their_iterations, release),
        cmocka_unit_test_teardown(plugin_misuse_fails_the_point_and_still_tears_down, release),
        cmocka_unit_test_teardown(list_shows_plugins_and_refusals, release),
        cmocka_unit_test_teardown(run_dir_holds_only_results, release),
        cmocka_unit_test_teardown(out_onto_a_file_is_refused, release),
        cmocka_unit_test_teardown(hdr_and_merge_come_first, release),
    };
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
