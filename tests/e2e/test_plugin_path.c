/*
 * test_plugin_path.c — a plugin path that no single bad file can break
 * (issue 11): files whose constructors crash, hang, exit or stop, whose
 * descriptors point nowhere, that are not ELF or are for another machine,
 * all sit beside the shipped plugins; every command still works, each bad
 * file is refused with what happened, and a spec that needs one says why.
 * Shadowing is said and recorded, and scans are cached by file identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEMO_SPEC BHOST_SOURCE_DIR "/specs/demo.yaml"

static void expect_in(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, text);
}

/* The line of `text` that names `file` (after the last '/'), or fails. */
static const char *line_of(const char *text, const char *file)
{
    char needle[256];
    snprintf(needle, sizeof needle, "/%s: refused: ", file);
    const char *at = strstr(text, needle);
    if (!at)
        fail_msg("no refusal of %s in\n%s", file, text);
    return at;
}

/* Each refusal says what happened and when, on one line. */
static void expect_refusal(const char *text, const char *file, const char *what,
                           const char *when)
{
    const char *line = line_of(text, file);
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char *one = strndup(line, len);
    if (!strstr(one, what) || (when && !strstr(one, when)))
        fail_msg("refusal of %s lacks \"%s\"%s%s: %s", file, what, when ? " / " : "",
                 when ? when : "", one);
    free(one);
}

static int setup(void **state)
{
    (void)state;
    /* The hanging constructor costs its time limit: a second here, not five. */
    setenv("BHOST_SCAN_TIMEOUT", "1", 1);
    char *cache = e2e_dir("cache");
    setenv("BHOST_CACHE_DIR", cache, 1);
    free(cache);
    return 0;
}

/* Whether the pid in DIR/daemon.pid is gone within a few seconds. */
static int daemon_gone(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/daemon.pid", dir);
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (!f || fscanf(f, "%d", &pid) != 1)
        fail_msg("the constructor wrote no pid to %s", path);
    fclose(f);
    for (int i = 0; i < 250; i++) {
        char stat[64], state = '?';
        snprintf(stat, sizeof stat, "/proc/%d/stat", pid);
        FILE *s = fopen(stat, "r");
        if (!s)
            return 1;
        int n = fscanf(s, "%*d %*s %c", &state);
        fclose(s);
        if (n == 1 && state == 'Z')
            return 1;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    return 0;
}

static void every_bad_file_is_refused_and_the_rest_works(void **state)
{
    (void)state;
    struct proc p;
    char *pids = e2e_dir("daemon");
    setenv("BHOST_TEST_PID_DIR", pids, 1);
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_UNLOADABLE_PLUGIN_DIR, "--list", NULL});
    assert_int_equal(p.rc, 0);
    expect_in(p.out, "\nspin ");
    expect_in(p.out, "\nrusage ");
    expect_in(p.out, "refused (11 files):");
    /* A daemon a constructor starts: refused for it, and killed, not left running. */
    expect_refusal(p.out, "test_ctor_fork.so", "its constructors started 1 process that kept "
                                               "running once it was loaded (killed)", NULL);
    assert_true(daemon_gone(pids));
    free(pids);
    expect_refusal(p.out, "test_ctor_abort.so", "killed by SIGABRT", "in a constructor");
    expect_refusal(p.out, "test_ctor_abort.so", "it printed: \"test_unloadable: cannot find my "
                                                "configuration\"", NULL);
    expect_refusal(p.out, "test_ctor_segv.so", "killed by SIGSEGV", "in a constructor");
    expect_refusal(p.out, "test_ctor_hang.so", "no answer in 1 s", "being loaded");
    expect_refusal(p.out, "test_ctor_exit.so", "exit(7) called", "in a constructor");
    expect_refusal(p.out, "test_ctor_stop.so", "stopped by SIGSTOP", "in a constructor");
    expect_refusal(p.out, "test_bad_name.so", "killed by SIGSEGV", "reading the descriptor");
    expect_refusal(p.out, "test_bad_params.so", "killed by SIGSEGV", "reading the descriptor");
    /* Reading 1000 entries past a table of one: a crash, or garbage the checks refuse. */
    line_of(p.out, "test_past_table.so");
    expect_refusal(p.out, "test_not_elf.so", "not an ELF file", NULL);
    expect_refusal(p.out, "test_other_arch.so", "an ELF file for AArch64", "x86-64");
    e2e_proc_free(&p);

    /* A run that does not use them runs, and validate too. */
    char *out = e2e_dir("demo");
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_UNLOADABLE_PLUGIN_DIR, "run", DEMO_SPEC,
                                 "--set", "measured=20", "--set", "repetitions=1", "--out",
                                 out, "-q", NULL});
    assert_int_equal(p.rc, 0);
    json_t *doc = e2e_results(out);
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 7);
    json_decref(doc);
    e2e_proc_free(&p);
    free(out);

    /* A spec that does use one fails with the reason, at its line and column. */
    char *dir = e2e_dir("uses-bad");
    char *spec = e2e_write(dir, "bad.yaml", "experiments:\n  - experiment: test_ctor_abort\n");
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_UNLOADABLE_PLUGIN_DIR, "validate", spec,
                                 NULL});
    assert_int_equal(p.rc, 2);
    expect_in(p.err, "bad.yaml:2:17: experiment 'test_ctor_abort' cannot be used: ");
    expect_in(p.err, "killed by SIGABRT (Aborted) in a constructor");
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

/* Unknown names get a suggestion, in a spec and on the command line. */
static void unknown_names_get_did_you_mean(void **state)
{
    (void)state;
    struct proc p;
    char *dir = e2e_dir("typo");
    char *spec = e2e_write(dir, "typo.yaml",
                           "experiments:\n  - experiment: spni\n    instruments: [rusgae]\n");
    e2e_run(&p, (const char *[]){"validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    expect_in(p.err, "typo.yaml:2:17: unknown experiment 'spni' (did you mean 'spin'?)");
    e2e_proc_free(&p);
    char *fixed = e2e_write(dir, "typo2.yaml",
                            "experiments:\n  - experiment: spin\n    instruments: [rusgae]\n");
    e2e_run(&p, (const char *[]){"validate", fixed, NULL});
    assert_int_equal(p.rc, 2);
    expect_in(p.err, "typo2.yaml:3:19: unknown instrument 'rusgae' (did you mean 'rusage'?)");
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"list", "nopo", "spni", NULL});
    assert_int_equal(p.rc, 2);
    expect_in(p.err, "no plugin 'nopo' (did you mean 'noop'?)");
    expect_in(p.err, "no plugin 'spni' (did you mean 'spin'?)");
    e2e_proc_free(&p);
    free(spec);
    free(fixed);
    free(dir);
}

/* Two files of one name: the first on the path runs, and every command says so. */
static void shadowing_is_said_and_recorded(void **state)
{
    (void)state;
    char *dir = e2e_dir("shadow"), *out = e2e_dir("shadow-run");
    char *copy = malloc(strlen(dir) + 16);
    sprintf(copy, "%s/spin.so", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s/spin.so' '%s'", BHOST_BUILD_PLUGIN_DIR, copy);
    assert_int_equal(system(cmd), 0);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", dir, "list", NULL});
    assert_int_equal(p.rc, 0);
    char want[1024];
    snprintf(want, sizeof want, "spin: %s is used; %s/spin.so, later on the path, is shadowed",
             copy, BHOST_BUILD_PLUGIN_DIR);
    expect_in(p.out, want);
    e2e_proc_free(&p);
    char *spec = e2e_write(dir, "s.yaml", "iterations: {warmup: 1, measured: 5}\n"
                                          "experiments:\n  - experiment: spin\n");
    e2e_run(&p, (const char *[]){"--plugin-path", dir, "validate", spec, NULL});
    assert_int_equal(p.rc, 0);
    snprintf(want, sizeof want, "note: plugin 'spin' is %s; %s/spin.so, later on the search "
             "path, is shadowed", copy, BHOST_BUILD_PLUGIN_DIR);
    expect_in(p.out, want);
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", dir, "run", spec, "--out", out, NULL});
    assert_int_equal(p.rc, 0);
    expect_in(p.err, want);
    json_t *doc = e2e_results(out);
    json_t *pt = json_array_get(json_object_get(doc, "points"), 0);
    assert_string_equal(json_string_value(json_object_get(pt, "plugin_file")), copy);
    /* A copy is the same build: the same build-id, 40 hex digits from GNU ld. */
    const char *id = json_string_value(json_object_get(pt, "plugin_build_id"));
    assert_non_null(id);
    assert_int_equal(strlen(id), 40);
    assert_int_equal(strspn(id, "0123456789abcdef"), 40);
    json_decref(doc);
    e2e_proc_free(&p);
    /* A folder named twice on the path (here also the default one) shadows nothing. */
    char twice[8192];
    snprintf(twice, sizeof twice, "%s:%s", BHOST_BUILD_PLUGIN_DIR, BHOST_BUILD_PLUGIN_DIR);
    e2e_run(&p, (const char *[]){"--plugin-path", twice, "list", NULL});
    assert_int_equal(p.rc, 0);
    assert_null(strstr(p.out, "shadow"));
    e2e_proc_free(&p);
    free(spec);
    free(copy);
    free(out);
    free(dir);
}

/* "N files on the path: R read now, C known from the scan cache" from list -v. */
static void scan_counts(const char *plugin_dir, size_t *read_now, size_t *cached)
{
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", plugin_dir, "list", "-v", NULL});
    assert_int_equal(p.rc, 0);
    const char *at = strstr(p.out, " files on the path: ");
    if (!at)
        fail_msg("list -v gives no scan counts:\n%s", p.out);
    assert_int_equal(sscanf(at, " files on the path: %zu read now, %zu known", read_now, cached),
                     2);
    e2e_proc_free(&p);
}

/* A file is read again when it changes, and only then; a crash is never cached. */
static void scans_are_cached_by_file_identity(void **state)
{
    (void)state;
    char *cache = e2e_dir("own-cache"), *dir = e2e_dir("cached");
    setenv("BHOST_CACHE_DIR", cache, 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s/noop.so' '%s/test_ctor_abort.so' '%s/test_ctor_hang.so' "
             "'%s'", BHOST_BUILD_PLUGIN_DIR, BHOST_UNLOADABLE_PLUGIN_DIR,
             BHOST_UNLOADABLE_PLUGIN_DIR, dir);
    assert_int_equal(system(cmd), 0);
    size_t read_now, cached, read_first;
    scan_counts(dir, &read_first, &cached);
    assert_true(read_first >= 3);
    scan_counts(dir, &read_now, &cached);
    /* The crashing file is read every time; the one that never answers is remembered. */
    assert_int_equal(read_now, 1);
    assert_int_equal(cached, read_first - 1);
    /* The same name, other bytes: the cache must not answer for it. */
    snprintf(cmd, sizeof cmd, "cp '%s/spin.so' '%s/noop.so'", BHOST_BUILD_PLUGIN_DIR, dir);
    assert_int_equal(system(cmd), 0);
    scan_counts(dir, &read_now, &cached);
    assert_int_equal(read_now, 2);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", dir, "list", "-v", NULL});
    char want[512];
    snprintf(want, sizeof want, "spin: %s/noop.so is used;", dir);
    expect_in(p.out, want);
    e2e_proc_free(&p);
    /* A cache file that is not JSON is no cache, not an error. */
    snprintf(cmd, sizeof cmd, "echo '{broken' > '%s/plugins.json'", cache);
    assert_int_equal(system(cmd), 0);
    scan_counts(dir, &read_now, &cached);
    assert_int_equal(cached, 0);
    setup(NULL);
    free(cache);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bad_file_is_refused_and_the_rest_works),
        cmocka_unit_test(unknown_names_get_did_you_mean),
        cmocka_unit_test(shadowing_is_said_and_recorded),
        cmocka_unit_test(scans_are_cached_by_file_identity),
    };
    return cmocka_run_group_tests(tests, setup, e2e_cleanup);
}
