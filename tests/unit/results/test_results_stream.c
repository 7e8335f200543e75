/*
 * test_results_stream.c — a document written member by member and point by
 * point reads back equal to the one results_write() writes; the file is
 * absent until it is closed, and gone after an abort; a directory that does
 * not exist is an error that names the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../e2e/e2e.h"
#include "results/results.h"
#include "results/results_stream.h"
#include "util/files.h"
#include "util/mem.h"

static json_t *sample_point(int i)
{
    return json_pack("{s:i, s:s, s:{s:f, s:[i,i]}, s:s}", "index", i, "label",
                     i % 2 ? "odd \"quoted\"\nline" : "even", "figures", "p50", i * 1.5,
                     "pair", i, -i, "status", "ok");
}

static void streamed_document_reads_back_equal(void **state)
{
    (void)state;
    char *dir = e2e_dir("stream");
    char *path = xasprintf("%s/results.json", dir);
    char err[256];
    json_t *run = json_pack("{s:s, s:{s:i}, s:[]}", "status", "ok", "nested", "depth", 2,
                            "empty");
    json_t *points = json_array();
    struct results_stream *s = results_stream_open(path, err, sizeof err);
    assert_non_null(s);
    json_t *schema = json_string(RESULTS_SCHEMA);
    results_stream_member(s, "schema", schema);
    json_decref(schema);
    results_stream_member(s, "run", run);
    results_stream_begin_array(s, "points");
    for (int i = 0; i < 5; i++) {
        json_t *p = sample_point(i);
        if (i == 3) {
            char *text = json_dumps(p, JSON_COMPACT);
            results_stream_item_text(s, text, strlen(text));
            free(text);
        } else {
            results_stream_item(s, p);
        }
        json_array_append_new(points, p);
    }
    results_stream_end_array(s);
    results_stream_begin_array(s, "instruments");
    results_stream_end_array(s);
    assert_int_equal(access(path, F_OK), -1); /* not there before it is whole */
    assert_int_equal(results_stream_close(s, err, sizeof err), 0);

    json_error_t jerr;
    json_t *got = json_load_file(path, 0, &jerr);
    assert_non_null(got);
    json_t *want = json_pack("{s:s, s:O, s:o, s:[]}", "schema", RESULTS_SCHEMA, "run", run,
                             "points", points, "instruments");
    assert_true(json_equal(got, want));

    /* One point a line: line 2 + k of the points array holds point k whole. */
    size_t len;
    char *text = read_file(path, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\n  {\"index\":4,"));
    assert_null(strstr(text, "tmp"));
    free(text);

    json_decref(got);
    json_decref(want);
    json_decref(run);
    free(path);
    free(dir);
}

static void abort_leaves_nothing(void **state)
{
    (void)state;
    char *dir = e2e_dir("stream");
    char *path = xasprintf("%s/results.json", dir);
    char err[256];
    struct results_stream *s = results_stream_open(path, err, sizeof err);
    assert_non_null(s);
    results_stream_begin_array(s, "points");
    results_stream_abort(s);
    char *cmd = xasprintf("test -z \"$(ls -A '%s')\"", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
    free(dir);
}

static void missing_directory_is_named(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(results_stream_open("/nonexistent-bhost-dir/results.json", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-bhost-dir/results.json: cannot write results"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streamed_document_reads_back_equal),
        cmocka_unit_test(abort_leaves_nothing),
        cmocka_unit_test(missing_directory_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
