/*
 * cmd_compare.h — `bhost compare A B` (docs/compare.md, docs/cli.md): two
 * runs compared point by point, printed as a table, Markdown or JSON, with
 * an exit code for CI.
 */
#ifndef BHOST_CMD_COMPARE_H
#define BHOST_CMD_COMPARE_H

#include "cli/options.h"
#include "compare/compare.h"

#include <jansson.h>
#include <stdio.h>

enum compare_format {
    COMPARE_FORMAT_TABLE,    /* the terminal table, what differs, the summary line */
    COMPARE_FORMAT_MARKDOWN, /* --markdown: for a pull-request comment */
    COMPARE_FORMAT_JSON,     /* --json: compare_to_json(), with "a" and "b" named */
    COMPARE_FORMAT_SUMMARY   /* -q: the summary line alone */
};

/*
 * Compares b against a and prints the comparison to `out` in `format`; the
 * warnings (too few repetitions, environments that differ, ...) go to
 * stderr. a_name and b_name say where each came from (a path, "history"); `extra` (may
 * be NULL) holds more members for the JSON form (a run's gates).
 * Returns EXIT_OK (no regression), EXIT_REGRESSION, EXIT_INCONCLUSIVE, or
 * EXIT_USAGE after a message on stderr when the two cannot be compared.
 */
int compare_print_docs(const json_t *a, const char *a_name, const json_t *b, const char *b_name,
                       const struct compare_options *o, int format, const json_t *extra,
                       FILE *out);

/*
 * The comparison's options from their command-line texts (each may be NULL: the default):
 * --threshold (2% or 0.02), --percentiles (50,90,99.9), --histogram. 0, or -1 and why.
 */
int compare_options_parse(struct compare_options *o, const char *threshold,
                          const char *percentiles, const char *histogram, char *err,
                          size_t errlen);

/* argv[0] is "compare"; o is unused (compare parses its own options). */
int compare_command(struct cli_options *o, int argc, char **argv);

#endif
