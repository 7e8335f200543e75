/*
 * cmd_merge.c — `bhost merge A B ... -o DIR` (docs/cli.md): reads the
 * inputs one at a time into results/merge.c, which writes DIR/results.json
 * only when the merge succeeded; prints each shard's figures.
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
#include <sys/stat.h>
#include <unistd.h>

static const char merge_usage[] =
    "usage: bhost merge RESULTS RESULTS [RESULTS...] -o DIR\n"
    "\n"
    "Merges runs of one spec into DIR/results.json (and DIR/run.hlog). Points are\n"
    "matched by id; a point in several runs gets its histograms added (lossless),\n"
    "its repetitions concatenated and its counters, iterations and failures summed.\n"
    "Points in one run only are kept as they are. The points are written in sweep\n"
    "order. RESULTS is a results.json or the run directory holding it. The inputs\n"
    "are read one at a time: memory is about one input's, not their sum (a\n"
    "temporary file in DIR holds the points meanwhile).\n"
    "\n"
    "Shards (runs made with `bhost run --shard I/N`): all inputs must be shards of\n"
    "one sweep, each of 1..N once, and their points together exactly the sweep's;\n"
    "a missing or duplicated shard, or a point in two shards, is named. The merged\n"
    "run records each shard's wall time and points (run.shards) and prints them,\n"
    "with how uneven the shards were (slowest over mean). Runs whose machines\n"
    "differ are merged and said to differ (run.environments_differ).\n"
    "\n"
    "options:\n"
    "  -o, --out DIR     write DIR/results.json (DIR is created)\n"
    "\n"
    "exit codes: 0 merged, 1 merged but some points failed or were skipped (or an\n"
    "            input was interrupted or incomplete),\n"
    "            2 bad usage or input (unreadable, not of one spec, shards that are\n"
    "            not one whole sweep): nothing written, 3 I/O or internal error\n";

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

/* Refuses to overwrite an input: the merge would replace what it reads. */
static int output_is_input(const char *const *inputs, size_t n, const char *dir)
{
    char *out = xasprintf("%s/results.json", dir);
    char *o = realpath(out, NULL);
    int same = 0;
    for (size_t f = 0; o && f < n && !same; f++) {
        struct stat st;
        char *file = stat(inputs[f], &st) == 0 && S_ISDIR(st.st_mode)
                         ? xasprintf("%s/results.json", inputs[f])
                         : xstrdup(inputs[f]);
        char *p = realpath(file, NULL);
        same = p && strcmp(o, p) == 0;
        free(p);
        free(file);
    }
    if (same)
        fprintf(stderr, "bhost merge: %s is one of the inputs; merge into another directory\n",
                out);
    free(o);
    free(out);
    return same;
}

/* The shallowest directory of `dir` that does not exist yet (malloc'd), or NULL when dir
 * exists: what a refused merge removes again, as exit 2 promises nothing was written. */
static char *first_missing(const char *dir)
{
    if (access(dir, F_OK) == 0)
        return NULL;
    char *path = xstrdup(dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int missing = access(path, F_OK) != 0;
        *p = '/';
        if (missing) {
            p[0] = '\0';
            return path;
        }
    }
    return path;
}

/* Removes what mkdir_p made of dir, from `top` (first_missing()) down: empty directories. */
static void unmake(const char *dir, const char *top)
{
    char *path = xstrdup(dir);
    size_t top_len = strlen(top);
    while (strlen(path) >= top_len) {
        if (rmdir(path) != 0 && errno != ENOENT)
            break;
        char *slash = strrchr(path, '/');
        if (!slash || (size_t)(slash - path) < top_len)
            break;
        *slash = '\0';
    }
    free(path);
}

/* Per shard its points and wall time, and how uneven they were. */
static void print_shards(const json_t *shards)
{
    json_int_t count = json_integer_value(json_object_get(shards, "count"));
    json_t *walls = json_object_get(shards, "wall_s"), *points = json_object_get(shards, "points");
    json_t *planned = json_object_get(shards, "points_planned");
    for (json_int_t i = 0; i < count; i++) {
        json_int_t n = json_integer_value(json_array_get(points, (size_t)i));
        json_int_t want = json_integer_value(json_array_get(planned, (size_t)i));
        printf("shard %lld/%lld: %lld point%s, %.2f s", (long long)i + 1, (long long)count,
               (long long)n, n == 1 ? "" : "s",
               json_number_value(json_array_get(walls, (size_t)i)));
        if (n < want)
            printf(" (incomplete: %lld of its %lld points; finish it with bhost run --resume "
                   "on its run directory, then merge again)", (long long)n, (long long)want);
        printf("\n");
    }
    json_t *ratio = json_object_get(shards, "slowest_over_mean");
    if (json_is_number(ratio))
        printf("shards: slowest %.2f × the mean wall time\n", json_number_value(ratio));
}

/* Reads and merges the inputs one at a time into dir (made if absent, and removed again
 * when the merge is refused). */
static int run_merge(const char *const *inputs, size_t n, const char *dir, int argc,
                     char **argv)
{
    if (output_is_input(inputs, n, dir))
        return EXIT_USAGE;
    char *made = first_missing(dir);
    if (made && mkdir_p(dir, 0755) != 0) {
        fprintf(stderr, "bhost merge: cannot create %s: %s\n", dir, strerror(errno));
        free(made);
        return EXIT_INTERNAL;
    }
    struct merge m = {0};
    int rc = merge_begin(&m, n, dir);
    for (size_t f = 0; f < n && rc == 0; f++) {
        struct results_file r = {0};
        if (results_read(inputs[f], &r, m.err, sizeof m.err) != 0) {
            results_file_free(&r);
            rc = -1;
        } else {
            rc = merge_add(&m, &r);
        }
    }
    if (rc == 0)
        rc = merge_finish(&m, argc, argv);
    if (rc != 0) {
        fprintf(stderr, "bhost merge: %s\n", m.err);
        rc = m.io_error ? EXIT_INTERNAL : EXIT_USAGE;
        merge_free(&m);
        if (made)
            unmake(dir, made);
        free(made);
        return rc;
    }
    free(made);
    copy_artifacts(&m, dir);
    json_t *shards = json_object_get(m.run, "shards");
    if (shards)
        print_shards(shards);
    json_t *differ = json_object_get(m.run, "environments_differ");
    if (json_array_size(differ)) {
        printf("environments differ between the merged runs in:");
        size_t i;
        json_t *f;
        json_array_foreach(differ, i, f)
            printf("%s %s", i ? "," : "", json_string_value(f));
        printf("\n");
    }
    printf("merged %zu runs: %lld points, %lld failed; results: %s/results.json\n", n,
           (long long)(merge_int_at(m.run, "points_run") + merge_int_at(m.run, "points_skipped")),
           (long long)merge_int_at(m.run, "points_failed"), dir);
    rc = strcmp(json_string_value(json_object_get(m.run, "status")), "ok") == 0
             ? EXIT_OK
             : EXIT_FAILED_POINTS;
    merge_free(&m);
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
    if (n < 1 || !out || !*out) {
        free(inputs);
        return merge_usage_error(n < 1 ? "needs at least two results files (and -o DIR)"
                                       : "no output directory (-o DIR)");
    }
    int rc = run_merge(inputs, n, out, argc, argv);
    free(inputs);
    return rc;
}
