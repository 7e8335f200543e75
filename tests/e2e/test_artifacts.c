/*
 * test_artifacts.c — bhost run --artifacts and --bundle on real runs: a run
 * with failed, crashed, partial and gated points and plugins that write
 * artifacts; an interrupted run; a killed run finished with --resume. Each
 * file of the set is checked against the run's results.json and files
 * (sizes and SHA-256 by sha256sum), and the archive against the system's
 * unzip (-t, -l, -Z -v, extraction) and bsdtar (-tf, -xf): the same names,
 * bytes and modification times as the run directory.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_MISBEHAVING_PLUGIN_DIR

/* ---- reading what a run wrote ---- */

static json_t *load(const char *dir, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("%s: %s", path, jerr.text);
    return doc;
}

/* A command's stdout (owned) and exit code. */
static char *command_output(const char *cmd, int *rc)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2)
            out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    int status = pclose(p);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

static void sha256sum(const char *path, char out[65])
{
    char cmd[1200];
    int rc;
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    char *text = command_output(cmd, &rc);
    assert_int_equal(rc, 0);
    snprintf(out, 65, "%s", text);
    free(text);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(*len + 1);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

static void expect_same_file(const char *want, const char *got)
{
    size_t a, b;
    char *x = slurp(want, &a), *y = slurp(got, &b);
    if (a != b || memcmp(x, y, a) != 0)
        fail_msg("%s (%zu bytes) differs from %s (%zu bytes)", got, b, want, a);
    struct stat sa, sb;
    assert_int_equal(stat(want, &sa), 0);
    assert_int_equal(stat(got, &sb), 0);
    if (sa.st_mtime != sb.st_mtime)
        fail_msg("%s: modified %lld, the run's file %lld", got, (long long)sb.st_mtime,
                 (long long)sa.st_mtime);
    free(x);
    free(y);
}

static void expect_equal(json_t *want, json_t *got, const char *what, const char *where)
{
    if (!json_equal(want, got)) {
        char *a = json_dumps(want, JSON_ENCODE_ANY), *b = json_dumps(got, JSON_ENCODE_ANY);
        fail_msg("%s of %s: %s, results.json says %s", what, where, b ? b : "(none)",
                 a ? a : "(none)");
    }
}

/* v[key], JSON null when absent (the set writes null where results have nothing). */
static json_t *get(json_t *v, const char *key)
{
    static json_t *null;
    if (!null)
        null = json_null();
    json_t *found = json_object_get(v, key);
    return found ? found : null;
}

static json_int_t integer(json_t *v, const char *path)
{
    return json_integer_value(e2e_at(v, path));
}

/* ---- each file of the set against results.json ---- */

static void check_summary(json_t *results, json_t *s)
{
    json_t *points = e2e_at(results, "points");
    assert_string_equal(e2e_text(s, "schema"), "bhost.summary/1");
    assert_string_equal(e2e_text(s, "run/dir"), e2e_text(results, "run/dir"));
    assert_string_equal(e2e_text(s, "run/status"), e2e_text(results, "run/status"));
    expect_equal(e2e_at(results, "run/wall_s"), e2e_at(s, "run/wall_s"), "wall_s", "the run");
    assert_int_equal(integer(s, "points/sweep"), integer(results, "run/points_total"));
    assert_int_equal(integer(s, "points/listed"), json_array_size(points));
    static const char *const statuses[] = {"ok", "failed", "partial", "skipped"};
    json_int_t measured = 0, failed_iterations = 0, bytes = 0;
    double max_wall = -1;
    const char *longest = NULL;
    for (size_t k = 0; k < 4; k++) {
        json_int_t n = 0;
        size_t i;
        json_t *pt;
        json_array_foreach(points, i, pt)
            n += strcmp(e2e_text(pt, "status"), statuses[k]) == 0;
        char path[64];
        snprintf(path, sizeof path, "points/%s", statuses[k]);
        assert_int_equal(integer(s, path), n);
    }
    assert_int_equal(integer(s, "failed_points"), integer(results, "run/points_failed"));
    size_t i, k;
    json_t *pt, *a, *ins;
    json_array_foreach(points, i, pt) {
        measured += integer(pt, "iterations/measured");
        failed_iterations += integer(pt, "failures/count");
        if (e2e_number(pt, "wall_s") > max_wall) {
            max_wall = e2e_number(pt, "wall_s");
            longest = e2e_text(pt, "id");
        }
        json_array_foreach(json_object_get(pt, "artifacts"), k, a)
            bytes += json_integer_value(json_object_get(a, "size"));
    }
    json_array_foreach(e2e_at(results, "instruments"), i, ins)
        json_array_foreach(json_object_get(ins, "artifacts"), k, a)
            bytes += json_integer_value(json_object_get(a, "size"));
    assert_int_equal(integer(s, "iterations/measured"), measured);
    assert_int_equal(integer(s, "iterations/failed"), failed_iterations);
    assert_int_equal(integer(s, "iterations/failed"), integer(results, "run/failures/count"));
    assert_true(e2e_number(s, "max_wall_s") == max_wall);
    assert_string_equal(e2e_text(s, "longest_point/id"), longest);
    assert_int_equal(integer(s, "artifacts/bytes"), bytes);

    /* Failed points, grouped by their error: every failed or partial point once, under its
     * own error. */
    json_int_t grouped = 0;
    json_t *g, *ref;
    json_array_foreach(e2e_at(s, "failure_reasons/points"), i, g) {
        assert_int_equal(integer(g, "count"), json_array_size(e2e_at(g, "points")));
        grouped += integer(g, "count");
        json_array_foreach(e2e_at(g, "points"), k, ref) {
            size_t j;
            json_array_foreach(points, j, pt)
                if (strcmp(e2e_text(pt, "id"), e2e_text(ref, "id")) == 0)
                    break;
            assert_true(j < json_array_size(points));
            assert_string_equal(e2e_text(pt, "error"), e2e_text(g, "reason"));
            assert_string_equal(e2e_text(pt, "status"), e2e_text(ref, "status"));
        }
    }
    assert_int_equal(grouped, integer(results, "run/points_failed"));
    /* Failed iterations by reason: the same counts as run.failures, and per point the
     * point's own. */
    json_t *reasons = e2e_at(results, "run/failures/reasons");
    assert_int_equal(json_array_size(e2e_at(s, "failure_reasons/iterations")),
                     json_array_size(reasons));
    json_array_foreach(reasons, i, a) {
        g = json_array_get(e2e_at(s, "failure_reasons/iterations"), i);
        assert_string_equal(e2e_text(g, "reason"), e2e_text(a, "reason"));
        assert_int_equal(integer(g, "count"), integer(a, "count"));
        json_int_t sum = 0;
        json_array_foreach(e2e_at(g, "points"), k, ref)
            sum += integer(ref, "count");
        assert_int_equal(sum, integer(a, "count"));
    }
    /* The gates' outcomes, counted by state. */
    json_t *gates = json_object_get(results, "gates");
    if (!gates) {
        assert_true(json_is_null(e2e_at(s, "gates")));
        return;
    }
    json_int_t met = 0, missed = 0, inconclusive = 0, not_judged = 0;
    json_array_foreach(gates, i, g) {
        met += strcmp(e2e_text(g, "state"), "met") == 0;
        missed += strcmp(e2e_text(g, "state"), "missed") == 0;
        inconclusive += strcmp(e2e_text(g, "state"), "inconclusive") == 0;
        not_judged += strcmp(e2e_text(g, "state"), "not judged") == 0;
    }
    assert_int_equal(integer(s, "gates/met"), met);
    assert_int_equal(integer(s, "gates/missed"), missed);
    assert_int_equal(integer(s, "gates/inconclusive"), inconclusive);
    assert_int_equal(integer(s, "gates/not_judged"), not_judged);
    json_t *failing = e2e_at(s, "gates/missed_or_inconclusive");
    assert_int_equal(json_array_size(failing), (size_t)(missed + inconclusive));
    json_array_foreach(failing, i, g)
        assert_string_not_equal(e2e_text(g, "state"), "met");
}

static void check_metrics(json_t *results, json_t *m)
{
    json_t *points = e2e_at(results, "points");
    assert_string_equal(e2e_text(m, "schema"), "bhost.metrics/1");
    assert_int_equal(json_array_size(e2e_at(m, "points")), json_array_size(points));
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        json_t *row = json_array_get(e2e_at(m, "points"), i);
        const char *label = e2e_text(pt, "label");
        assert_string_equal(e2e_text(row, "id"), e2e_text(pt, "id"));
        expect_equal(get(pt, "status"), get(row, "status"), "status", label);
        expect_equal(get(pt, "error"), get(row, "error"), "error", label);
        expect_equal(e2e_at(pt, "iterations/measured"), get(row, "iterations"), "iterations",
                     label);
        expect_equal(e2e_at(pt, "failures/count"), get(row, "failed_iterations"),
                     "failed iterations", label);
        expect_equal(e2e_at(pt, "failures/success_rate"), get(row, "success_rate"),
                     "success_rate", label);
        json_t *iteration = json_object_get(e2e_at(pt, "histograms"), "iteration");
        static const char *const figures[] = {"p50", "p90", "p99", "max", "mean",
                                              "throughput_per_s"};
        for (size_t f = 0; f < sizeof figures / sizeof *figures; f++)
            expect_equal(get(iteration, figures[f]), get(row, figures[f]), figures[f], label);
        const char *name;
        json_t *h, *metric;
        assert_int_equal(json_object_size(e2e_at(row, "histograms")),
                         json_object_size(e2e_at(pt, "histograms")));
        json_object_foreach(e2e_at(pt, "histograms"), name, h) {
            json_t *mine = e2e_at(e2e_at(row, "histograms"), name);
            expect_equal(get(h, "p99"), get(mine, "p99"), name, label);
            expect_equal(get(h, "unit"), get(mine, "unit"), name, label);
        }
        json_object_foreach(e2e_at(pt, "metrics"), name, metric) {
            const char *kind = e2e_text(metric, "kind");
            if (strcmp(kind, "counter") == 0) {
                json_t *c = e2e_at(e2e_at(row, "counters"), name);
                expect_equal(get(metric, "value"), get(c, "value"), name, label);
                expect_equal(get(metric, "per_second"), get(c, "per_second"), name, label);
            } else if (strcmp(kind, "gauge") == 0) {
                expect_equal(get(metric, "value"), e2e_at(e2e_at(row, "gauges"), name), name,
                             label);
            } else {
                expect_equal(get(metric, "reason"),
                             e2e_at(e2e_at(row, "unavailable"), name), name, label);
            }
        }
    }
    /* Per experiment: its points' iteration histograms added, so the count is the sum of
     * theirs and the max the largest of theirs. */
    json_t *e;
    json_array_foreach(e2e_at(m, "experiments"), i, e) {
        json_int_t count = 0, measured = 0, max = -1, npoints = 0;
        size_t k;
        json_array_foreach(points, k, pt) {
            if (strcmp(e2e_text(pt, "experiment"), e2e_text(e, "name")) != 0)
                continue;
            npoints++;
            measured += integer(pt, "iterations/measured");
            json_t *h = json_object_get(e2e_at(pt, "histograms"), "iteration");
            count += json_integer_value(json_object_get(h, "count"));
            json_int_t hmax = json_integer_value(json_object_get(h, "max"));
            max = hmax > max ? hmax : max;
        }
        assert_int_equal(integer(e, "points"), npoints);
        assert_int_equal(integer(e, "iterations"), measured);
        assert_int_equal(integer(e, "count"), count);
        if (count)
            assert_int_equal(integer(e, "max"), max);
    }
}

static void check_series(json_t *results, json_t *s)
{
    assert_string_equal(e2e_text(s, "schema"), "bhost.series/1");
    json_t *rows = e2e_at(s, "rows");
    size_t r = 0, i, k;
    json_t *pt, *rep;
    json_array_foreach(e2e_at(results, "points"), i, pt) {
        const char *label = e2e_text(pt, "label");
        json_t *iteration = json_object_get(e2e_at(pt, "histograms"), "iteration");
        json_t *reps = json_object_get(iteration, "repetitions");
        json_array_foreach(reps, k, rep) {
            json_t *row = json_array_get(rows, r++);
            assert_non_null(row);
            assert_string_equal(e2e_text(row, "point"), e2e_text(pt, "id"));
            assert_int_equal(integer(row, "repetition"), (json_int_t)k + 1);
            assert_int_equal(integer(row, "index"), integer(pt, "index"));
            static const char *const same[] = {"started_unix_s", "wall_s", "iterations", "p50",
                                               "p99", "max", "throughput_per_s"};
            for (size_t f = 0; f < sizeof same / sizeof *same; f++)
                expect_equal(get(rep, same[f]), get(row, same[f]), same[f], label);
            assert_int_equal(integer(row, "failed_iterations"),
                             integer(rep, "iterations") - integer(rep, "count"));
            expect_equal(get(pt, "status"), get(row, "status"), "status", label);
            expect_equal(get(pt, "error"), get(row, "error"), "error", label);
        }
        if (json_array_size(reps) == 0) {
            json_t *row = json_array_get(rows, r++);
            assert_non_null(row);
            assert_string_equal(e2e_text(row, "point"), e2e_text(pt, "id"));
            assert_true(json_is_null(e2e_at(row, "repetition")));
            assert_true(json_is_null(e2e_at(row, "wall_s")));
            expect_equal(get(pt, "status"), get(row, "status"), "status", label);
            expect_equal(get(pt, "error"), get(row, "error"), "error", label);
        }
    }
    assert_int_equal(json_array_size(rows), r);
}

/* The files the manifest must list, in its order: the set, results.json, run.hlog, then
 * every artifact results.json lists. */
static json_t *expected_files(json_t *results)
{
    json_t *paths = json_pack("[s, s, s, s, s]", "artifacts/summary.json",
                              "artifacts/metrics.json", "artifacts/series.json",
                              "results.json", "run.hlog");
    size_t i, k;
    json_t *pt, *a, *ins;
    json_array_foreach(e2e_at(results, "points"), i, pt)
        json_array_foreach(json_object_get(pt, "artifacts"), k, a)
            json_array_append(paths, e2e_at(a, "path"));
    json_array_foreach(e2e_at(results, "instruments"), i, ins)
        json_array_foreach(json_object_get(ins, "artifacts"), k, a)
            json_array_append(paths, e2e_at(a, "path"));
    return paths;
}

static void check_manifest(const char *dir, json_t *results, json_t *m, const char *spec)
{
    assert_string_equal(e2e_text(m, "schema"), "bhost.manifest/1");
    static const char *const run_fields[] = {"dir", "status", "started_utc", "finished_utc",
                                             "wall_s", "argv"};
    for (size_t i = 0; i < sizeof run_fields / sizeof *run_fields; i++)
        expect_equal(e2e_at(e2e_at(results, "run"), run_fields[i]),
                     e2e_at(e2e_at(m, "run"), run_fields[i]), run_fields[i], "the run");
    assert_int_equal(integer(m, "points/sweep"), integer(results, "run/points_total"));
    assert_int_equal(integer(m, "points/run"), integer(results, "run/points_run"));
    assert_int_equal(integer(m, "jobs"), integer(results, "run/jobs"));
    assert_string_equal(e2e_text(m, "bhost/version"), e2e_text(results, "bhost/version"));
    assert_string_equal(e2e_text(m, "spec/name"), e2e_text(results, "spec/name"));
    assert_string_equal(e2e_text(m, "spec/file"), e2e_text(results, "spec/file"));
    char hex[65];
    sha256sum(spec, hex);
    assert_string_equal(e2e_text(m, "spec/file_sha256"), hex);
    assert_int_equal(strlen(e2e_text(m, "spec/sha256")), 64);
    assert_string_equal(e2e_text(m, "environment/hostname"),
                        e2e_text(results, "environment/hostname"));
    size_t i;
    json_t *e;
    json_array_foreach(e2e_at(results, "spec/experiments"), i, e) {
        json_t *t = json_array_get(e2e_at(m, "timeouts"), i);
        assert_string_equal(e2e_text(t, "experiment"), e2e_text(e, "name"));
        expect_equal(get(e, "timeout"), get(t, "timeout_s"), "timeout", e2e_text(e, "name"));
    }
    /* Every file, with the size on disk and what sha256sum says of it. */
    json_t *want = expected_files(results), *files = e2e_at(m, "files");
    assert_int_equal(json_array_size(files), json_array_size(want));
    json_int_t total = 0;
    json_t *f;
    json_array_foreach(files, i, f) {
        const char *path = e2e_text(f, "path");
        assert_string_equal(path, json_string_value(json_array_get(want, i)));
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", dir, path);
        struct stat st;
        assert_int_equal(stat(full, &st), 0);
        assert_int_equal(integer(f, "size"), st.st_size);
        sha256sum(full, hex);
        if (strcmp(e2e_text(f, "sha256"), hex) != 0)
            fail_msg("%s: the manifest's sha256 %s, sha256sum's %s", path,
                     e2e_text(f, "sha256"), hex);
        total += st.st_size;
    }
    assert_int_equal(integer(m, "totals/files"), json_array_size(files));
    assert_int_equal(integer(m, "totals/bytes"), total);
    assert_int_equal(json_array_size(e2e_at(m, "not_included")), 0);
    json_decref(want);
}

/* ---- the archive, through the system's tools ---- */

static char *zip_of(const char *dir)
{
    const char *base = strrchr(dir, '/') + 1;
    size_t n = strlen(dir) + strlen(base) + 8;
    char *zip = malloc(n);
    snprintf(zip, n, "%s/%s.zip", dir, base);
    return zip;
}

/* The names the archive must hold: the manifest, then every file it lists. */
static json_t *bundled_names(json_t *manifest)
{
    json_t *names = json_pack("[s]", "artifacts/manifest.json");
    size_t i;
    json_t *f;
    json_array_foreach(e2e_at(manifest, "files"), i, f)
        json_array_append(names, e2e_at(f, "path"));
    return names;
}

/* `unzip -l`: each row's length and name, in order. */
static void check_unzip_list(const char *dir, const char *zip, json_t *names)
{
    char cmd[1200];
    int rc;
    snprintf(cmd, sizeof cmd, "unzip -l '%s'", zip);
    char *out = command_output(cmd, &rc);
    assert_int_equal(rc, 0);
    size_t row = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long length;
        char date[16], time_of_day[16];
        int name_at = 0;
        if (sscanf(line, " %llu %15s %15s %n", &length, date, time_of_day, &name_at) != 3 ||
            !name_at || !strchr(date, '-'))
            continue;
        const char *name = line + name_at;
        const char *want = json_string_value(json_array_get(names, row++));
        if (!want || strcmp(name, want) != 0)
            fail_msg("unzip -l: row %zu is '%s', expected '%s'", row, name,
                     want ? want : "(none)");
        char full[1024];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, name);
        assert_int_equal(stat(full, &st), 0);
        assert_int_equal(length, (unsigned long long)st.st_size);
    }
    assert_int_equal(row, json_array_size(names));
    free(out);
}

static void check_bsdtar_list(const char *zip, json_t *names)
{
    char cmd[1200];
    int rc;
    snprintf(cmd, sizeof cmd, "bsdtar -tf '%s'", zip);
    char *out = command_output(cmd, &rc);
    assert_int_equal(rc, 0);
    size_t row = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        const char *want = json_string_value(json_array_get(names, row++));
        if (!want || strcmp(line, want) != 0)
            fail_msg("bsdtar -tf: entry %zu is '%s', expected '%s'", row, line,
                     want ? want : "(none)");
    }
    assert_int_equal(row, json_array_size(names));
    free(out);
}

/*
 * `unzip -Z -v`: every entry deflated, from Unix, rw-r--r--, and its times right: the
 * MS-DOS time in the writer's local time (even seconds) and the extended timestamp in UTC,
 * both the file's modification time.
 */
static void check_zipinfo(const char *dir, const char *zip)
{
    char cmd[1200];
    int rc;
    snprintf(cmd, sizeof cmd, "unzip -Z -v '%s'", zip);
    char *out = command_output(cmd, &rc);
    assert_int_equal(rc, 0);
    char *name = NULL;
    int expect_name = 0;
    size_t entries = 0, dos_seen = 0, utc_seen = 0, deflated = 0, unix_mode = 0;
    time_t mtime = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        const char *v;
        if (strstr(line, "Central directory entry #")) {
            expect_name = 2; /* after the dashes */
            continue;
        }
        if (expect_name && --expect_name == 0) {
            name = line + strspn(line, " ");
            char full[1024];
            struct stat st;
            snprintf(full, sizeof full, "%s/%s", dir, name);
            assert_int_equal(stat(full, &st), 0);
            mtime = st.st_mtime;
            entries++;
            continue;
        }
        if ((v = strstr(line, "(DOS date/time):"))) {
            struct tm tm = {0}, want;
            assert_non_null(strptime(v + 16 + strspn(v + 16, " "), "%Y %b %d %H:%M:%S", &tm));
            localtime_r(&mtime, &want);
            if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
                tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour ||
                tm.tm_min != want.tm_min || tm.tm_sec != (want.tm_sec & ~1))
                fail_msg("%s: MS-DOS time %s, the file's local time %02d:%02d:%02d", name,
                         v, want.tm_hour, want.tm_min, want.tm_sec);
            dos_seen++;
        } else if ((v = strstr(line, "(UT extra field modtime):")) && strstr(line, "UTC")) {
            struct tm tm = {0}, want;
            assert_non_null(strptime(v + 25 + strspn(v + 25, " "), "%Y %b %d %H:%M:%S", &tm));
            gmtime_r(&mtime, &want);
            if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
                tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour ||
                tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec)
                fail_msg("%s: extended timestamp %s, the file's UTC time %02d:%02d:%02d", name,
                         v, want.tm_hour, want.tm_min, want.tm_sec);
            utc_seen++;
        } else if (strstr(line, "compression method:")) {
            deflated += strstr(line, "deflated") != NULL;
        } else if (strstr(line, "Unix file attributes (100644 octal)")) {
            unix_mode++;
        }
    }
    assert_true(entries > 0);
    assert_int_equal(dos_seen, entries);
    assert_int_equal(utc_seen, entries);
    assert_int_equal(deflated, entries);
    assert_int_equal(unix_mode, entries);
    free(out);
}

/* Extracted by `tool` into a fresh folder: every file the run's, byte for byte, with its
 * modification time. Another time zone than the writer's: the times must not move. */
static void check_extraction(const char *dir, const char *zip, json_t *names, const char *tool)
{
    char *into = e2e_dir(tool);
    char cmd[2400];
    snprintf(cmd, sizeof cmd,
             strcmp(tool, "unzip") == 0 ? "TZ=WST+7 unzip -q '%s' -d '%s'"
                                        : "TZ=WST+7 bsdtar -xf '%s' -C '%s'",
             zip, into);
    assert_int_equal(system(cmd), 0);
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name) {
        char want[1024], got[1024];
        snprintf(want, sizeof want, "%s/%s", dir, json_string_value(name));
        snprintf(got, sizeof got, "%s/%s", into, json_string_value(name));
        expect_same_file(want, got);
    }
    free(into);
}

static void check_bundle(const char *dir, json_t *manifest)
{
    char *zip = zip_of(dir);
    char cmd[1200];
    int rc;
    snprintf(cmd, sizeof cmd, "unzip -t '%s'", zip);
    char *out = command_output(cmd, &rc);
    if (rc != 0 || !strstr(out, "No errors detected"))
        fail_msg("unzip -t %s: exit %d\n%s", zip, rc, out);
    free(out);
    json_t *names = bundled_names(manifest);
    check_unzip_list(dir, zip, names);
    check_bsdtar_list(zip, names);
    check_zipinfo(dir, zip);
    check_extraction(dir, zip, names, "unzip");
    check_extraction(dir, zip, names, "bsdtar");
    /* Only the archive itself: no temporary file left beside it. */
    DIR *d = opendir(dir);
    struct dirent *ent;
    while ((ent = readdir(d)))
        if (strstr(ent->d_name, ".tmp."))
            fail_msg("%s/%s left behind", dir, ent->d_name);
    closedir(d);
    json_decref(names);
    free(zip);
}

/* Every file of the set in `dir`, checked against its results.json. */
static void check_set(const char *dir, const char *spec)
{
    json_t *results = e2e_results(dir);
    assert_non_null(results);
    json_t *summary = load(dir, "artifacts/summary.json");
    json_t *metrics = load(dir, "artifacts/metrics.json");
    json_t *series = load(dir, "artifacts/series.json");
    json_t *manifest = load(dir, "artifacts/manifest.json");
    check_summary(results, summary);
    check_metrics(results, metrics);
    check_series(results, series);
    check_manifest(dir, results, manifest, spec);
    check_bundle(dir, manifest);
    json_decref(results);
    json_decref(summary);
    json_decref(metrics);
    json_decref(series);
    json_decref(manifest);
}

/* ---- the runs ---- */

static void a_failed_run_writes_a_set_that_matches_its_results(void **state)
{
    (void)state;
    char *dir = e2e_dir("mixed"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "mixed.yaml",
                           "name: mixed\n"
                           "iterations: {warmup: 0, measured: 3000}\n"
                           "repetitions: 2\n"
                           "timeout: 10\n"
                           "gates:\n"
                           "  - failures == 0\n"
                           "  - run.wall_s < 10min\n"
                           "experiments:\n"
                           "  - experiment: test_sdk11\n"      /* an artifact; failures */
                           "  - experiment: test_segv\n"       /* killed: failed */
                           "  - experiment: test_exit\n"       /* exit(3): failed */
                           "  - experiment: test_crash_teardown\n" /* partial */
                           "  - experiment: spin\n"
                           "    iterations: {warmup: 10, measured: 200}\n"
                           "    params: {ns: 100000}\n"
                           "    instruments: [sampler]\n"); /* three files per point */
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", out,
                                 "--bundle", NULL});
    if (p.rc != 6)
        fail_msg("exit %d, expected 6 (a gate missed)\n%s", p.rc, p.err);
    char line[1200];
    snprintf(line, sizeof line, "artifacts: %s/artifacts/manifest.json (", out);
    assert_non_null(strstr(p.out, line));
    char *zip = zip_of(out);
    snprintf(line, sizeof line, "bundle: %s (", zip);
    assert_non_null(strstr(p.out, line));
    e2e_proc_free(&p);

    json_t *results = e2e_results(out);
    json_t *summary = load(out, "artifacts/summary.json");
    /* What this run is known to hold, beyond agreeing with results.json. */
    assert_string_equal(e2e_text(summary, "run/status"), "failed");
    assert_int_equal(integer(summary, "points/failed"), 2);
    assert_int_equal(integer(summary, "points/partial"), 1);
    assert_int_equal(integer(summary, "failed_points"), 3);
    assert_true(integer(summary, "artifacts/bytes") > 0);
    assert_int_equal(integer(summary, "artifacts/files"), 1 + 3);
    assert_true(integer(summary, "gates/missed") >= 1);
    json_t *by_error = e2e_at(summary, "failure_reasons/points");
    assert_int_equal(json_array_size(by_error), 3);
    assert_string_equal(e2e_text(by_error, "0/reason"), "killed by SIGSEGV (Segmentation fault)");
    assert_string_equal(e2e_text(by_error, "1/reason"), "exited with status 3");
    assert_string_equal(e2e_text(by_error, "2/reason"), "killed by SIGABRT (Aborted)");
    assert_string_equal(e2e_text(by_error, "2/points/0/status"), "partial");
    assert_string_equal(e2e_text(summary, "failure_reasons/iterations/0/reason"),
                        "key not found");
    json_decref(summary);
    json_decref(results);
    check_set(out, spec);
    free(zip);
    free(spec);
    free(dir);
    free(out);
}

/* Six points of 150 ms each, so that a signal lands mid-run. */
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

static void an_interrupted_run_writes_the_set_of_what_it_kept(void **state)
{
    (void)state;
    char *dir = e2e_dir("stop"), *out = e2e_dir("out");
    char *spec = slow_spec(dir), journal[1024];
    snprintf(journal, sizeof journal, "%s/journal.jsonl", out);
    pid_t pid = e2e_start(dir, (const char *[]){"run", spec, "--out", out, "-q", "--bundle",
                                                NULL});
    assert_true(e2e_wait_lines(journal, 1, 20));
    kill(pid, SIGINT);
    assert_int_equal(e2e_wait(pid), 130);
    json_t *summary = load(out, "artifacts/summary.json");
    assert_string_equal(e2e_text(summary, "run/status"), "interrupted");
    json_int_t kept = integer(summary, "points/listed");
    assert_true(kept >= 1 && kept < 6);
    assert_int_equal(integer(summary, "points/sweep"), 6);
    json_decref(summary);
    check_set(out, spec);
    free(spec);
    free(dir);
    free(out);
}

static void a_resumed_run_writes_the_set_of_the_whole_run(void **state)
{
    (void)state;
    char *dir = e2e_dir("kill"), *out = e2e_dir("out");
    char *spec = slow_spec(dir), journal[1024];
    snprintf(journal, sizeof journal, "%s/journal.jsonl", out);
    /* Asked for at the start, so the resume writes it without being told again. */
    pid_t pid = e2e_start(dir, (const char *[]){"run", spec, "--out", out, "-q", "--bundle",
                                                NULL});
    assert_true(e2e_wait_lines(journal, 1, 20));
    kill(pid, SIGKILL);
    assert_int_equal(e2e_wait(pid), 128 + SIGKILL);
    json_t *run = load(out, "run.json");
    assert_string_equal(e2e_text(run, "artifacts"), "bundle");
    json_decref(run);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", "--resume", out, NULL});
    if (p.rc != 0)
        fail_msg("resume: exit %d\n%s", p.rc, p.err);
    e2e_proc_free(&p);
    json_t *summary = load(out, "artifacts/summary.json");
    assert_string_equal(e2e_text(summary, "run/status"), "ok");
    assert_int_equal(integer(summary, "points/ok"), 6);
    json_decref(summary);
    check_set(out, spec);
    json_t *manifest = load(out, "artifacts/manifest.json");
    check_bundle(out, manifest);
    json_decref(manifest);
    free(spec);
    free(dir);
    free(out);
}

/* The outcomes of one gate, counted by state. */
static void count_gate(json_t *results, const char *gate, int *met, int *missed, int *other)
{
    *met = *missed = *other = 0;
    size_t i;
    json_t *g;
    json_array_foreach(e2e_at(results, "gates"), i, g) {
        if (strcmp(e2e_text(g, "gate"), gate) != 0)
            continue;
        const char *st = e2e_text(g, "state");
        *(strcmp(st, "met") == 0 ? met : strcmp(st, "missed") == 0 ? missed : other) += 1;
    }
}

/*
 * specs/perf_slice.yaml as docs/ci.md runs it: 24 episodes on 4 jobs, the set bundled. Its
 * time limits are the machine's to meet (not asserted here); what does not depend on
 * timing is: every episode ok, failures and artifact bytes within their gates, no new
 * failure reason against a baseline, and the set agreeing with the results.
 */
static void the_perf_slice_runs_with_its_gates(void **state)
{
    (void)state;
    char *first = e2e_dir("slice"), *again = e2e_dir("slice");
    const char *spec = BHOST_SOURCE_DIR "/specs/perf_slice.yaml";
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--jobs", "4", "--bundle", "--out", first, "-q",
                                 NULL});
    if (p.rc != 0 && p.rc != 6)
        fail_msg("exit %d\n%s", p.rc, p.err);
    e2e_proc_free(&p);
    json_t *results = e2e_results(first);
    assert_int_equal(integer(results, "run/jobs"), 4);
    assert_int_equal(integer(results, "run/points_run"), 24);
    assert_int_equal(integer(results, "run/points_failed"), 0);
    int met, missed, other;
    static const char *const untimed[] = {"failures == 0", "run.artifact_bytes <= 2MB",
                                          "artifact_bytes <= 150KB"};
    for (size_t i = 0; i < sizeof untimed / sizeof *untimed; i++) {
        count_gate(results, untimed[i], &met, &missed, &other);
        if (missed || other || !met)
            fail_msg("%s: %d met, %d missed, %d else", untimed[i], met, missed, other);
    }
    count_gate(results, "wall_s <= 15s", &met, &missed, &other);
    assert_int_equal(met + missed, 24);
    count_gate(results, "new_failure_reasons == 0", &met, &missed, &other);
    assert_int_equal(other, 24); /* not judged: no baseline */
    json_t *summary = load(first, "artifacts/summary.json");
    assert_int_equal(integer(summary, "points/ok"), 24);
    assert_true(integer(summary, "artifacts/bytes") > 0);
    json_decref(summary);
    json_decref(results);
    check_set(first, spec);

    /* One episode again, against the first run: no new failure reason there. */
    e2e_run(&p, (const char *[]){"run", spec, "--filter", "episode[data_seed=1]", "--baseline",
                                 first, "--out", again, "-q", NULL});
    if (p.rc != 0 && p.rc != 6 && p.rc != 4 && p.rc != 5)
        fail_msg("exit %d\n%s", p.rc, p.err);
    e2e_proc_free(&p);
    results = e2e_results(again);
    count_gate(results, "new_failure_reasons == 0", &met, &missed, &other);
    assert_int_equal(met, 1);
    assert_int_equal(missed + other, 0);
    json_decref(results);
    free(first);
    free(again);
}

static void the_flags_go_with_run(void **state)
{
    (void)state;
    char *dir = e2e_dir("flags");
    char *spec = e2e_write(dir, "one.yaml", "experiments:\n  - experiment: noop\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"list", "--artifacts", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--artifacts and --bundle go with run"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"ab", spec, "--a", dir, "--b", dir, "--bundle", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--artifacts and --bundle go with run"));
    e2e_proc_free(&p);
    /* validate takes a run's command line as it is, and writes nothing. */
    e2e_run(&p, (const char *[]){"validate", spec, "--bundle", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"help", NULL});
    assert_non_null(strstr(p.out, "--bundle"));
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

int main(void)
{
    /* The writer's local time is not UTC, so that the archive's MS-DOS times (local) and
     * extended timestamps (UTC) are told apart. */
    setenv("TZ", "BHT-5", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_failed_run_writes_a_set_that_matches_its_results),
        cmocka_unit_test(an_interrupted_run_writes_the_set_of_what_it_kept),
        cmocka_unit_test(a_resumed_run_writes_the_set_of_the_whole_run),
        cmocka_unit_test(the_perf_slice_runs_with_its_gates),
        cmocka_unit_test(the_flags_go_with_run),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
