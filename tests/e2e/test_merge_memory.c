/*
 * test_merge_memory.c — `bhost merge` holds one input at a time (issue 18): merging 8 inputs
 * of the same size peaks at about the memory of merging 2, where holding every input would
 * take 4 times as much. Peak RSS is the child's own (wait4), and the bound is a ratio of
 * 2 between two peaks of the same machine, so noise cannot reach it: holding them all would
 * be about 4. A forked child's peak starts at its parent's RSS (Linux carries the high-water
 * mark across fork and exec), so this process makes the inputs in a child of its own and
 * reads the merged results only after both merges: its own RSS stays small.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

#define POINTS_PER_INPUT 1000
#define MAX_INPUTS 8

static const char spec_text[] =
    "name: merge-memory\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [500]}\n"
    "    iterations: {warmup: 5, measured: 200}\n";

/* Inputs of POINTS_PER_INPUT points each, all different points: run `src`'s point copied
 * under other ids and sweep indices, each input another run. */
static void write_inputs(const char *src, char *paths[MAX_INPUTS])
{
    for (size_t f = 0; f < MAX_INPUTS; f++)
        paths[f] = e2e_dir("input"); /* named here, so that the child's names are these */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        json_t *doc = e2e_results(src);
        if (!doc)
            _exit(1);
        json_t *points = json_object_get(doc, "points");
        json_t *model = json_incref(json_array_get(points, 0));
        json_array_clear(points);
        for (size_t i = 0; i < POINTS_PER_INPUT; i++)
            json_array_append_new(points, json_deep_copy(model));
        for (size_t f = 0; f < MAX_INPUTS; f++) {
            json_object_set_new(json_object_get(doc, "run"), "dir", json_string(paths[f]));
            size_t i;
            json_t *pt;
            json_array_foreach(points, i, pt) {
                char id[17];
                snprintf(id, sizeof id, "%016zx", f * POINTS_PER_INPUT + i);
                json_object_set_new(pt, "id", json_string(id));
                json_object_set_new(pt, "index",
                                    json_integer((json_int_t)(f * POINTS_PER_INPUT + i)));
            }
            char path[600];
            snprintf(path, sizeof path, "%s/results.json", paths[f]);
            if (json_dump_file(doc, path, JSON_INDENT(1)) != 0)
                _exit(1);
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Peak RSS in KiB of `bhost merge` of the first n inputs into out. */
static long merge_peak_kib(char *const inputs[], size_t n, const char *out)
{
    const char *argv[MAX_INPUTS + 5] = {BHOST_EXE, "merge"};
    size_t a = 2;
    for (size_t f = 0; f < n; f++)
        argv[a++] = inputs[f];
    argv[a++] = "-o";
    argv[a++] = out;
    argv[a] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        /* Under ASan freed memory waits in a quarantine before it is reused: with one, the
           inputs' parses would pile up there, which the merge does not do. */
        setenv("ASAN_OPTIONS", "quarantine_size_mb=0:detect_leaks=0", 1);
        execv(BHOST_EXE, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return ru.ru_maxrss;
}

static void test_merge_memory_does_not_grow_with_inputs(void **state)
{
    (void)state;
    char *dir = e2e_dir("spec");
    char *spec = e2e_write(dir, "memory.yaml", spec_text);
    char *run = e2e_dir("run");
    struct proc p;
    const char *args[] = {"run", spec, "--out", run, "-q", NULL};
    e2e_run(&p, args);
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    char *inputs[MAX_INPUTS];
    write_inputs(run, inputs);
    char *out2 = e2e_dir("merged"), *out8 = e2e_dir("merged");
    long two = merge_peak_kib(inputs, 2, out2), eight = merge_peak_kib(inputs, MAX_INPUTS, out8);
    json_t *m2 = e2e_results(out2), *m8 = e2e_results(out8);
    assert_int_equal(json_array_size(json_object_get(m2, "points")), 2 * POINTS_PER_INPUT);
    assert_int_equal(json_array_size(json_object_get(m8, "points")),
                     MAX_INPUTS * POINTS_PER_INPUT);
    json_decref(m2);
    json_decref(m8);
    free(out2);
    free(out8);
    print_message("peak RSS: %ld KiB merging 2 inputs, %ld KiB merging 8\n", two, eight);
    if (eight >= 2 * two)
        fail_msg("merging 8 inputs took %ld KiB, merging 2 %ld KiB: memory grows with the "
                 "inputs", eight, two);
    for (size_t f = 0; f < MAX_INPUTS; f++)
        free(inputs[f]);
    free(run);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_memory_does_not_grow_with_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
