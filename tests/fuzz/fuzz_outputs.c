/*
 * fuzz_outputs.c — libFuzzer target for what bhost writes from a results
 * file someone else made: every export format, the comparison of the file
 * with itself (table, Markdown, JSON), and both reports (Markdown and HTML,
 * with that comparison), from whatever results_parse() accepts.
 *
 * Beyond not crashing, each output must be valid UTF-8 whatever the input
 * held (docs/security.md): a writer that passed a string on raw, or cut one
 * inside a character, aborts.
 */
#include "compare/compare.h"
#include "export/export.h"
#include "report/report.h"
#include "results/results_read.h"
#include "util/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_report(FILE *f, const json_t *doc, const void *arg)
{
    const int html = *(const int *)arg;
    struct compare_options o = {.threshold = COMPARE_DEFAULT_THRESHOLD,
                                .confidence = COMPARE_DEFAULT_CONFIDENCE,
                                .percentiles = COMPARE_DEFAULT_PERCENTILES,
                                .npercentiles = 3};
    struct compare_result r = {0};
    char err[256];
    int compared = compare_docs(doc, doc, &o, &r, err, sizeof err) == 0;
    struct report_compare c = {.result = &r, .options = &o, .base = doc, .base_name = "base"};
    struct report rep = {.doc = doc, .results_path = "results.json", .run_dir = ".",
                         .compare = compared ? &c : NULL};
    (html ? report_html : report_markdown)(f, &rep);
    if (compared)
        compare_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs write(doc) into memory and checks what it wrote. */
static void check_output(const char *what, const json_t *doc, const void *arg,
                         void (*write)(FILE *, const json_t *, const void *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    write(f, doc, arg);
    if (fclose(f) != 0)
        abort();
    if (strlen(buf) != len || !utf8_valid(buf)) {
        fprintf(stderr, "fuzz_outputs: %s wrote %s\n", what,
                strlen(buf) != len ? "a NUL byte" : "bytes that are not UTF-8");
        abort();
    }
    free(buf);
}

static void write_export(FILE *f, const json_t *doc, const void *arg)
{
    export_write(f, doc, arg);
}

static void write_comparison(FILE *f, const json_t *doc, const void *arg)
{
    (void)arg;
    struct compare_options o = {.threshold = COMPARE_DEFAULT_THRESHOLD,
                                .confidence = COMPARE_DEFAULT_CONFIDENCE,
                                .percentiles = COMPARE_DEFAULT_PERCENTILES,
                                .npercentiles = 3};
    struct compare_result r;
    char err[256];
    if (compare_docs(doc, doc, &o, &r, err, sizeof err) != 0)
        return;
    compare_print_table(f, &r, &o);
    compare_print_markdown(f, &r, &o);
    json_t *j = compare_to_json(&r, &o);
    char *text = json_dumps(j, JSON_COMPACT);
    if (text)
        fputs(text, f);
    free(text);
    json_decref(j);
    compare_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct results_file r;
    char err[512];
    if (results_parse((const char *)data, size, "results.json", &r, err, sizeof err) != 0)
        return 0;
    for (int k = 0; k < EXPORT_FORMATS; k++) {
        struct export_options o = {.format = (enum export_format)k};
        check_output(export_format_names[k], r.doc, &o, write_export);
    }
    check_output("compare", r.doc, NULL, write_comparison);
    static const int markdown = 0, html = 1;
    check_output("report (Markdown)", r.doc, &markdown, write_report);
    check_output("report (HTML)", r.doc, &html, write_report);
    results_file_free(&r);
    return 0;
}
