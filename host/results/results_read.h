/*
 * results_read.h — loading a results file (schema "bhost.result/1",
 * docs/results.md) back, for commands that work on finished runs.
 */
#ifndef BHOST_RESULTS_READ_H
#define BHOST_RESULTS_READ_H

#include "hdr/hdr.h"

#include <jansson.h>
#include <stddef.h>

struct results_file {
    char *path;      /* the file, as opened */
    json_t *doc;     /* the whole document */
    json_t *points;  /* doc's "points" */
    json_t *by_id;   /* point id -> point */
    json_error_t jerr; /* why the text was not JSON */
};

/*
 * Loads `path` (a results.json, or a run directory holding one) and checks
 * what readers rely on: JSON, schema "bhost.result/1", the run, spec and
 * environment objects, and for each point its id, status, iteration counts,
 * failures, histograms (each with its hdr and repetitions) and metrics.
 * 0, or -1 with a message naming the file (and for JSON errors its line and
 * column) in err. Bytes that are not UTF-8, and NULs in strings, are read
 * as U+FFFD: every string in the document is valid UTF-8 and whole.
 */
int results_read(const char *path, struct results_file *r, char *err, size_t errlen);
/* results_read() of a document's text (`len` bytes); `name` stands for the file. */
int results_parse(const char *text, size_t len, const char *name, struct results_file *r,
                  char *err, size_t errlen);
void results_file_free(struct results_file *r);

/* Decodes a histogram object's "hdr": 0 and an initialised *h, or -1. */
int results_hdr(const json_t *histogram, struct hdr *h);

#endif
