/*
 * cmd_merge.c — `bhost merge A B ... -o DIR` (docs/cli.md): reads the
 * inputs, has results/merge.c merge them, and writes DIR/results.json only
 * when the merge succeeded.
 */
#include "cli/cmd_merge.h"
#include "cli/options.h"
#include "results/merge.h"
#include "results/results.h"
#include "results/results_read.h"
#include "results/run_hlog.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char merge_usage[] =
    "usage: bhost merge RESULTS RESULTS [RESULTS...] -o DIR\n"
    "\n"
    "Merges runs of one spec into DIR/results.json. Points are matched by id; a\n"
    "point in several runs gets its histograms added (lossless), its repetitions\n"
    "concatenated and its counters, iterations and failures summed. Points in one\n"
    "run only are kept as they are (shards of one sweep merge into the whole).\n"
    "RESULTS is a results.json or the run directory holding it.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR     write DIR/results.json (DIR is created)\n"
    "\n"
    "exit codes: 0 merged, 1 merged but some points failed or were skipped (or an\n"
    "            input was interrupted or incomplete),\n"
    "            2 bad usage or input (unreadable, not of one spec), 3 internal error\n";

/* ---- the command ----------------------------------------------------------- */

__attribute__((format(printf, 1, 2)))
static int merge_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("merge", "Try 'bhost merge --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

/* Refuses to overwrite an input: the merge would replace what it reads. */
static int output_is_input(const struct merge *m, const char *out)
{
    char *o = realpath(out, NULL);
    int same = 0;
    for (size_t f = 0; o && f < m->nin && !same; f++) {
        char *p = realpath(m->in[f].path, NULL);
        same = p && strcmp(o, p) == 0;
        free(p);
    }
    free(o);
    return same;
}

/* Checks and merges everything first: DIR is created only for a merged
 * document, as exit 2 promises that nothing was written. */
/* The inputs' artifact files, copied where the merged document lists them. A file that is
 * gone is said, and its size becomes null; the merge goes on. */
static void copy_artifacts(const struct merge *m, const char *dir)
{
    size_t i;
    json_t *c;
    json_array_foreach(m->copies, i, c) {
        const char *from = json_string_value(json_object_get(c, "from"));
        char *to = xasprintf("%s/%s", dir, json_string_value(json_object_get(c, "to")));
        char *parent = xstrdup(to);
        *strrchr(parent, '/') = '\0';
        size_t len;
        char *bytes = read_file(from, &len);
        if (!bytes || mkdir_p(parent, 0755) != 0 || write_file_atomic(to, bytes, len) != 0)
            fprintf(stderr, "bhost merge: warning: artifact %s not copied: %s\n", from,
                    strerror(errno));
        free(bytes);
        free(parent);
        free(to);
    }
}

static int run_merge(struct merge *m, const char *dir, int argc, char **argv)
{
    if (merge_check_spec(m) != 0) {
        fprintf(stderr, "bhost merge: %s\n", m->err);
        return EXIT_USAGE;
    }
    char *path = xasprintf("%s/results.json", dir);
    if (output_is_input(m, path)) {
        fprintf(stderr, "bhost merge: %s is one of the inputs; merge into another directory\n",
                path);
        free(path);
        return EXIT_USAGE;
    }
    json_t *doc = merge_document(m, dir, argc, argv);
    if (!doc) {
        fprintf(stderr, "bhost merge: %s\n", m->err);
        free(path);
        return EXIT_USAGE;
    }
    int rc;
    char err[1024];
    if (mkdir_p(dir, 0755) != 0) {
        fprintf(stderr, "bhost merge: cannot create %s: %s\n", dir, strerror(errno));
        rc = EXIT_INTERNAL;
    } else {
        json_t *run = json_object_get(doc, "run");
        char *abs_dir = realpath(dir, NULL);
        if (abs_dir)
            json_object_set_new(run, "dir", json_string(abs_dir));
        free(abs_dir);
        copy_artifacts(m, dir);
        /* The merged run's interval log, as a run writes one (docs/results.md, run.hlog). */
        char *hlog = xasprintf("%s/run.hlog", dir);
        if (results_write(doc, path, err, sizeof err) != 0 ||
            run_hlog_write(doc, hlog, err, sizeof err) != 0) {
            fprintf(stderr, "bhost merge: %s\n", err);
            rc = EXIT_INTERNAL;
        } else {
            printf("merged %zu runs: %lld points, %lld failed; results: %s\n", m->nin,
                   (long long)json_array_size(json_object_get(doc, "points")),
                   (long long)merge_int_at(run, "points_failed"), path);
            rc = strcmp(json_string_value(json_object_get(run, "status")), "ok") == 0
                     ? EXIT_OK
                     : EXIT_FAILED_POINTS;
        }
        free(hlog);
    }
    json_decref(doc);
    free(path);
    return rc;
}

int merge_command(struct cli_options *o, int argc, char **argv)
{
    (void)o;
    const char *out = NULL;
    const char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(merge_usage, stdout);
            free(inputs);
            return EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) {
            if (i + 1 >= argc) {
                free(inputs);
                return merge_usage_error("%s needs a directory", a);
            }
            out = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            out = a + 6;
        } else if (a[0] == '-' && a[1]) {
            free(inputs);
            return merge_usage_error("unknown option '%s'", a);
        } else {
            inputs[n++] = a;
        }
    }
    if (n < 2 || !out || !*out) {
        free(inputs);
        return merge_usage_error(n < 2 ? "needs at least two results files (and -o DIR)"
                                       : "no output directory (-o DIR)");
    }
    struct merge m = {.in = xcalloc(n, sizeof *m.in)};
    int rc = EXIT_OK;
    for (; m.nin < n; m.nin++) {
        char err[1024];
        if (results_read(inputs[m.nin], &m.in[m.nin], err, sizeof err) != 0) {
            fprintf(stderr, "bhost merge: %s\n", err);
            rc = EXIT_USAGE;
            break;
        }
    }
    if (rc == EXIT_OK)
        rc = run_merge(&m, out, argc, argv);
    for (size_t f = 0; f < m.nin; f++)
        results_file_free(&m.in[f]);
    json_decref(m.copies);
    free(m.in);
    free(inputs);
    return rc;
}
