/*
 * test_merge_spool.c — the spool `bhost merge` keeps its points in (merge_spool.h): a point
 * found by id and read back as written, a point written again read back as its newest
 * text, thousands of ids (the table grows) each found, the entries sorted by sweep index
 * with equal indices in the order first seen, and no file left in the directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../e2e/e2e.h"
#include "results/merge_spool.h"

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_spool_finds_reads_and_sorts(void **state)
{
    (void)state;
    char *dir = e2e_dir("spool");
    char err[256];
    struct merge_spool *s = merge_spool_open(dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(files_in(dir), 0); /* unlinked as soon as made */
    enum { N = 5000 };
    for (size_t i = 0; i < N; i++) {
        char id[32], text[64];
        snprintf(id, sizeof id, "%016zx", i * 7919);
        int len = snprintf(text, sizeof text, "{\"id\":\"%s\"}", id);
        /* Sweep indices backwards, every pair sharing one. */
        assert_int_equal(merge_spool_put(s, id, (json_int_t)((N - 1 - i) / 2), i % 3, text,
                                         (size_t)len), 0);
    }
    assert_null(merge_spool_find(s, "nope"));
    const struct spool_entry *e = merge_spool_find(s, "0000000000000000");
    assert_non_null(e);
    assert_int_equal(e->input, 0);
    /* Written again: the newest text, the first input kept. */
    assert_int_equal(merge_spool_put(s, "0000000000000000", 0, 2, "{\"v\":2}", 7), 0);
    assert_int_equal(merge_spool_count(s), N);
    for (size_t i = 0; i < N; i++) {
        char id[32], want[64];
        snprintf(id, sizeof id, "%016zx", i * 7919);
        snprintf(want, sizeof want, "{\"id\":\"%s\"}", id);
        e = merge_spool_find(s, id);
        assert_non_null(e);
        char *text = merge_spool_read(s, e);
        assert_string_equal(text, i == 0 ? "{\"v\":2}" : want);
        assert_int_equal(e->input, i % 3);
        free(text);
    }
    const struct spool_entry *sorted = merge_spool_sorted(s);
    for (size_t k = 1; k < N; k++) {
        assert_true(sorted[k - 1].index <= sorted[k].index);
        if (sorted[k - 1].index == sorted[k].index)
            assert_true(sorted[k - 1].seen < sorted[k].seen);
    }
    merge_spool_close(s);
    assert_int_equal(files_in(dir), 0);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_finds_reads_and_sorts),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
