/*
 * fuzz_results.c — libFuzzer target for what bhost reads back of its own
 * results: a results file (results_parse(), what `bhost merge` and `bhost
 * hdr` read), a run's journal (journal_parse(), what --resume reads), and
 * the points in them, as a results document's readers use them.
 *
 * The input is read both ways, from a buffer of exactly its length.
 * Whatever parses must hold only points that pass point_check(); their
 * histograms must decode or be refused, and the summary table must print
 * them without crashing.
 */
#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"
#include "results/journal.h"
#include "results/point_check.h"
#include "results/table.h"
#include "results/results_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void decode_all(json_t *pt)
{
    const char *name;
    json_t *h;
    json_object_foreach(json_object_get(pt, "histograms"), name, h) {
        struct hdr decoded;
        if (hdr_decode_v2_base64(json_string_value(json_object_get(h, "hdr")), &decoded) == 0)
            hdr_fini(&decoded);
    }
}

static void check_points(json_t *list)
{
    size_t i;
    json_t *pt;
    json_array_foreach(list, i, pt) {
        char why[256];
        if (point_check(pt, why, sizeof why) != 0) {
            fprintf(stderr, "fuzz_results: a reader let through a bad point: %s\n", why);
            abort();
        }
        decode_all(pt);
    }
}

static void read_as_results(const char *text, size_t size)
{
    struct results_file r;
    char err[512];
    if (results_parse(text, size, "results.json", &r, err, sizeof err) != 0)
        return;
    check_points(r.points);
    report_table(devnull, r.doc, 1);
    results_file_free(&r);
}

static void read_as_journal(const char *text, size_t size)
{
    char err[512];
    json_t *points = journal_parse(text, size, "journal.jsonl", err, sizeof err);
    if (!points)
        return;
    json_t *list = json_array();
    const char *id;
    json_t *pt;
    json_object_foreach(points, id, pt)
        json_array_append(list, pt);
    check_points(list);
    json_t *doc = json_pack("{s:o, s:{}}", "points", list, "environment");
    report_table(devnull, doc, 0);
    json_decref(doc);
    json_decref(points);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    read_as_results(text, size);
    read_as_journal(text, size);
    free(text);
    return 0;
}
