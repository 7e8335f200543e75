/*
 * fuzz_hlog.c — libFuzzer target for the HdrHistogram interval-log reader
 * (hlog_read_interval, what `bhost hdr` reads: V0, V1 and V2 histograms) and
 * the percentile table it prints for each interval (hdr_text_percentiles),
 * and the comment reader that joins continuation lines (hlog_next_comment).
 *
 * The input is the log's text, in a buffer of exactly its length. Every
 * interval that decodes is printed at 1 and 5 ticks per half distance into
 * a counting sink: the table must end, and stay short (a table for a
 * histogram of any size has a few hundred rows, not millions).
 */
#define _GNU_SOURCE /* fopencookie */
#include "hdr/hdr_text.h"
#include "hdr/hlog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows of a percentile table: lines written, counted rather than kept. */
static size_t lines;

static ssize_t count_lines(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    for (size_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    return (ssize_t)n;
}

static void print_table(const struct hdr *h, int ticks)
{
    FILE *sink = fopencookie(NULL, "w", (cookie_io_functions_t){.write = count_lines});
    if (!sink)
        abort();
    lines = 0;
    hdr_text_percentiles(sink, h, ticks, 1.0);
    fclose(sink);
    if (lines > 100000) {
        fprintf(stderr, "fuzz_hlog: a percentile table of %zu lines\n", lines);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct hlog_reader r;
    hlog_reader_init_text(&r, text, size, "fuzz.hlog");
    struct hlog_interval iv;
    char err[512];
    for (int n = 0; n < 64 && hlog_read_interval(&r, &iv, err, sizeof err) == 1; n++) {
        print_table(&iv.hist, 1);
        print_table(&iv.hist, 5);
        hlog_interval_fini(&iv);
    }
    hlog_reader_fini(&r);
    size_t pos = 0;
    char *comment;
    for (int n = 0; n < 1000 && hlog_next_comment(text, size, &pos, &comment); n++)
        free(comment);
    free(text);
    return 0;
}
