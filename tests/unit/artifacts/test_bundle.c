/*
 * test_bundle.c — artifacts_write() and artifacts_bundle() called on a
 * finished run, as a later command would: the set written after the run;
 * a file changed after the manifest refuses the archive and leaves the
 * last whole one as it was; paths a results file names outside the run
 * directory, through a symbolic link, or twice are left out with the
 * reason; and what is missing is an error naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../e2e/e2e.h"
#include "artifacts/artifacts.h"
#include "artifacts/bundle.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A finished run of noop and test_sdk11 (which writes summary.txt), without the set. */
static char *finished_run(void)
{
    char *dir = e2e_dir("spec"), *out = e2e_dir("run");
    char *spec = e2e_write(dir, "s.yaml",
                           "iterations: {warmup: 0, measured: 2000}\n"
                           "experiments:\n"
                           "  - experiment: noop\n"
                           "  - experiment: test_sdk11\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out",
                                 out, "-q", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    return out;
}

static char *path_in(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(*len + 1);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

/* The one artifact test_sdk11 wrote, as results.json names it. */
static const char *sdk11_artifact(json_t *results)
{
    return e2e_text(results, "points/1/artifacts/0/path");
}

static void no_temporary_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    while ((ent = readdir(d)))
        if (strstr(ent->d_name, ".tmp."))
            fail_msg("%s/%s left behind", dir, ent->d_name);
    closedir(d);
}

static void a_finished_run_gets_its_set_and_archive(void **state)
{
    (void)state;
    char *run = finished_run(), err[2048];
    struct artifacts_totals t;
    assert_int_equal(artifacts_write(run, &t, err, sizeof err), 0);
    /* summary, metrics, series, results.json, run.hlog, summary.txt */
    assert_int_equal(t.files, 6);
    assert_int_equal(t.left_out, 0);
    char *zip = NULL;
    assert_int_equal(artifacts_bundle(run, &zip, &t, err, sizeof err), 0);
    char *want = path_in(run, strrchr(run, '/') + 1);
    char *want_zip = malloc(strlen(want) + 5);
    sprintf(want_zip, "%s.zip", want);
    assert_string_equal(zip, want_zip);
    assert_int_equal(t.files, 7); /* and the manifest */
    struct stat st;
    assert_int_equal(stat(zip, &st), 0);
    assert_int_equal(t.bytes, (uint64_t)st.st_size);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "unzip -tq '%s' >/dev/null", zip);
    assert_int_equal(system(cmd), 0);
    no_temporary_files(run);
    free(want_zip);
    free(want);
    free(zip);
    free(run);
}

/* Changes one byte of a file, keeping its size. */
static void flip_first_byte(const char *path)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    int c = fgetc(f);
    rewind(f);
    fputc(c ^ 1, f);
    fclose(f);
}

static void a_file_changed_after_the_manifest_refuses_the_archive(void **state)
{
    (void)state;
    char *run = finished_run(), err[2048], *zip = NULL;
    struct artifacts_totals t;
    assert_int_equal(artifacts_write(run, &t, err, sizeof err), 0);
    assert_int_equal(artifacts_bundle(run, &zip, &t, err, sizeof err), 0);
    size_t before_len;
    char *before = slurp(zip, &before_len);
    json_t *results = e2e_results(run);
    char *artifact = path_in(run, sdk11_artifact(results));

    /* The same size, other bytes: only the hash tells. */
    flip_first_byte(artifact);
    char *again = NULL;
    assert_int_equal(artifacts_bundle(run, &again, &t, err, sizeof err), -1);
    assert_null(again);
    if (!strstr(err, artifact) || !strstr(err, "differ from the manifest"))
        fail_msg("unexpected message: %s", err);
    /* The archive written before is whole and untouched; no temporary file is left. */
    size_t after_len;
    char *after = slurp(zip, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(after);
    no_temporary_files(run);

    /* Grown. */
    FILE *f = fopen(artifact, "a");
    fputs("more\n", f);
    fclose(f);
    assert_int_equal(artifacts_bundle(run, &again, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, artifact));
    no_temporary_files(run);

    /* Written again, the set describes the file as it is now, and the archive follows. */
    assert_int_equal(artifacts_write(run, &t, err, sizeof err), 0);
    assert_int_equal(artifacts_bundle(run, &again, &t, err, sizeof err), 0);
    free(again);
    free(before);
    free(artifact);
    json_decref(results);
    free(zip);
    free(run);
}

static void paths_outside_the_run_or_through_links_are_left_out(void **state)
{
    (void)state;
    char *run = finished_run(), err[2048], *zip = NULL;
    char *outside = e2e_write(run, "../outside.txt", "not the run's\n");
    char *link = path_in(run, "artifacts/link.txt");
    assert_int_equal(symlink(outside, link), 0);
    /* results.json edited to name them, and one file twice. */
    char *results_path = path_in(run, "results.json");
    json_t *results = json_load_file(results_path, 0, NULL);
    json_t *listed = e2e_at(results, "points/1/artifacts");
    const char *hostile[] = {"../outside.txt", "/etc/hostname", "artifacts/link.txt",
                             "artifacts/not-there.txt", ARTIFACTS_MANIFEST};
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++)
        json_array_append_new(listed, json_pack("{s:s, s:s, s:s, s:n}", "name", "x", "path",
                                                hostile[i], "media_type", "text/plain",
                                                "size"));
    json_array_append(listed, json_array_get(listed, 0));
    /* A spec "file" that would block a reader forever. */
    char *fifo = path_in(run, "spec.fifo");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    json_object_set_new(e2e_at(results, "spec"), "file", json_string(fifo));
    assert_int_equal(json_dump_file(results, results_path, JSON_INDENT(1)), 0);

    struct artifacts_totals t;
    assert_int_equal(artifacts_write(run, &t, err, sizeof err), 0);
    assert_int_equal(t.files, 6);
    assert_int_equal(t.left_out, 4);
    char *manifest_path = path_in(run, ARTIFACTS_MANIFEST);
    json_t *manifest = json_load_file(manifest_path, 0, NULL);
    assert_non_null(manifest);
    static const char *const why[] = {"not a path inside the run directory",
                                      "not a path inside the run directory",
                                      "a symbolic link or a file on the way: not followed",
                                      "not there"};
    for (size_t i = 0; i < 4; i++) {
        json_t *left = json_array_get(e2e_at(manifest, "not_included"), i);
        assert_string_equal(e2e_text(left, "path"), hostile[i]);
        assert_string_equal(e2e_text(left, "why"), why[i]);
        assert_string_equal(e2e_text(left, "point"), e2e_text(results, "points/1/id"));
    }
    assert_true(json_is_null(e2e_at(manifest, "spec/file_sha256")));
    assert_int_equal(artifacts_bundle(run, &zip, &t, err, sizeof err), 0);
    assert_int_equal(t.files, 7); /* the manifest once */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "unzip -l '%s' | grep -c -e outside -e hostname -e link.txt",
             zip);
    FILE *p = popen(cmd, "r");
    char count[16] = {0};
    assert_non_null(fgets(count, sizeof count, p));
    pclose(p);
    assert_string_equal(count, "0\n");
    json_decref(manifest);
    json_decref(results);
    free(fifo);
    free(manifest_path);
    free(results_path);
    free(link);
    free(outside);
    free(zip);
    free(run);
}

static void what_is_missing_is_named(void **state)
{
    (void)state;
    char *empty = e2e_dir("empty"), err[2048], *zip = NULL;
    struct artifacts_totals t;
    assert_int_equal(artifacts_write(empty, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "results.json"));
    assert_int_equal(artifacts_bundle(empty, &zip, &t, err, sizeof err), -1);
    char *manifest = path_in(empty, ARTIFACTS_MANIFEST);
    assert_non_null(strstr(err, manifest));
    assert_non_null(strstr(err, "--artifacts"));
    /* A manifest that is not one. */
    char *folder = path_in(empty, "artifacts");
    assert_int_equal(mkdir(folder, 0755), 0);
    free(e2e_write(folder, "manifest.json", "{\"schema\": \"bhost.result/1\", \"files\": []}"));
    assert_int_equal(artifacts_bundle(empty, &zip, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a manifest of schema \"bhost.manifest/1\""));
    free(e2e_write(folder, "manifest.json", "{\"schema\": "));
    assert_int_equal(artifacts_bundle(empty, &zip, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "manifest.json:1:"));
    assert_null(zip);
    no_temporary_files(empty);
    free(folder);
    free(manifest);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_finished_run_gets_its_set_and_archive),
        cmocka_unit_test(a_file_changed_after_the_manifest_refuses_the_archive),
        cmocka_unit_test(paths_outside_the_run_or_through_links_are_left_out),
        cmocka_unit_test(what_is_missing_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
