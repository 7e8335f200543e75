/*
 * merge.c — the document `bhost merge` writes (docs/cli.md): runs of one
 * spec merged point by point. A point found in several inputs is their sum:
 * its histograms added bucket by bucket (lossless: the same as recording
 * every value into one), repetitions concatenated, counters, iterations,
 * failures and wall times summed, summaries recomputed (merge_points.c).
 * Points found in one input only are kept as they are, which is what shards
 * of one sweep need. This file checks the inputs are runs of one spec and
 * builds the merged document with its run and merged_from entries.
 */
#include "results/merge.h"
#include "results/merge_points.h"
#include "results/results.h"
#include "util/mem.h"
#include "util/text.h"

#include <bhost/bhost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the spec -------------------------------------------------------------- */

/* The spec as run, less "file": the same spec may be run from another path. */
static json_t *comparable_spec(const struct results_file *r)
{
    json_t *s = json_deep_copy(json_object_get(r->doc, "spec"));
    json_object_del(s, "file");
    return s;
}

int merge_check_spec(struct merge *m)
{
    json_t *first = comparable_spec(&m->in[0]);
    int rc = 0;
    for (size_t i = 1; i < m->nin && rc == 0; i++) {
        json_t *other = comparable_spec(&m->in[i]);
        if (!json_equal(first, other)) {
            const char *key = "?", *k;
            json_t *v;
            json_object_foreach(first, k, v) {
                if (!json_equal(v, json_object_get(other, k))) {
                    key = k;
                    break;
                }
            }
            if (strcmp(key, "?") == 0)
                json_object_foreach(other, k, v)
                    if (!json_object_get(first, k)) {
                        key = k;
                        break;
                    }
            rc = merge_fail(m, "%s is a run of another spec than %s (their spec's \"%s\" differs); "
                      "only runs of one spec merge", m->in[i].path, m->in[0].path, key);
        }
        json_decref(other);
    }
    json_decref(first);
    return rc;
}

/* ---- the document ---------------------------------------------------------- */

/* results_run_failures() holds a sum that does not fit at INT64_MAX, as a
 * run must still write its results; a merge refuses such a sum instead (and
 * one of exactly INT64_MAX, which cannot be told from a held one). */
static int run_failures_fit(struct merge *m, json_t *points, json_t *failures)
{
    json_int_t measured = 0;
    int fits = merge_int_at(failures, "count") < INT64_MAX;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(failures, "reasons"), i, v)
        fits &= merge_int_at(v, "count") < INT64_MAX;
    json_array_foreach(points, i, v)
        fits &= !__builtin_add_overflow(
            measured, merge_int_at(json_object_get(v, "iterations"), "measured"), &measured);
    if (!fits)
        return merge_fail(m, "run.failures: counts too large to add (their sum exceeds 2^63-1)");
    return 0;
}

/* The merged run object, NULL if its failure counts do not fit. */
static json_t *merged_run(struct merge *m, json_t *points, const char *dir, int argc,
                          char **argv)
{
    json_t *run = json_deep_copy(json_object_get(m->in[0].doc, "run"));
    json_t *args = json_array();
    json_array_append_new(args, json_string("bhost"));
    for (int a = 0; a < argc; a++) {
        char *arg = utf8_sanitize(xstrdup(argv[a]));
        json_array_append_new(args, json_string(arg));
        free(arg);
    }
    json_object_set_new(run, "argv", args);
    const char *started = NULL, *finished = NULL;
    json_t *filter = json_object_get(run, "filter");
    double wall_s = 0;
    int interrupted = 0, incomplete = 0;
    for (size_t f = 0; f < m->nin; f++) {
        json_t *r = json_object_get(m->in[f].doc, "run");
        const char *s = json_string_value(json_object_get(r, "started_utc"));
        const char *e = json_string_value(json_object_get(r, "finished_utc"));
        if (s && (!started || strcmp(s, started) < 0))
            started = s;
        if (e && (!finished || strcmp(e, finished) > 0))
            finished = e;
        wall_s += merge_number_at(r, "wall_s");
        const char *status = json_string_value(json_object_get(r, "status"));
        interrupted |= status && strcmp(status, "interrupted") == 0;
        incomplete |= status && strcmp(status, "incomplete") == 0;
        if (!json_equal(filter, json_object_get(r, "filter")))
            filter = NULL;
    }
    if (started)
        json_object_set_new(run, "started_utc", json_string(started));
    if (finished)
        json_object_set_new(run, "finished_utc", json_string(finished));
    /* A partial point failed too: it kept only some of what it was to measure. */
    size_t partial = results_count_status(points, "partial");
    size_t failed = results_count_status(points, "failed") + partial;
    size_t skipped = results_count_status(points, "skipped");
    json_object_set_new(run, "wall_s", json_real(wall_s));
    json_object_set_new(run, "dir", json_string(dir));
    json_object_set_new(run, "points_run", json_integer((json_int_t)(json_array_size(points) -
                                                                     skipped)));
    json_object_set_new(run, "points_failed", json_integer((json_int_t)failed));
    json_object_set_new(run, "status",
                        json_string(interrupted ? "interrupted"
                                    : failed    ? "failed"
                                    : skipped || incomplete ? "incomplete"
                                                            : "ok"));
    json_object_set_new(run, "points_partial", json_integer((json_int_t)partial));
    json_object_set_new(run, "points_skipped", json_integer((json_int_t)skipped));
    json_object_set_new(run, "failures", results_run_failures(points));
    json_object_set(run, "filter", filter ? filter : json_null());
    if (run_failures_fit(m, points, json_object_get(run, "failures")) != 0) {
        json_decref(run);
        return NULL;
    }
    return run;
}

/*
 * Which run an entry of merged_from (or a results file: {run, environment})
 * is, whatever path it was copied to: the host, directory and second it
 * started in. A resumed run keeps its started_utc, so an interrupted copy and
 * the finished run are the same run too. NULL if the entry does not say.
 */
static json_t *run_identity(json_t *entry)
{
    json_t *run = json_object_get(entry, "run");
    json_t *dir = json_object_get(run, "dir"), *started = json_object_get(run, "started_utc");
    json_t *host = json_object_get(json_object_get(entry, "environment"), "hostname");
    if (!json_is_string(dir) || !json_is_string(started))
        return NULL;
    return json_pack("[O, O, O]", json_is_string(host) ? host : json_null(), dir, started);
}

/* Records the run `entry` is (from input f; `where` is "" or "merged_from[k]: ")
 * in `seen`; -1 if it is not identified or was seen before. */
static int add_run(struct merge *m, json_t *seen, json_t *entry, size_t f, const char *where)
{
    json_t *id = run_identity(entry);
    if (!id)
        return merge_fail(m, "%s: %srun.dir and run.started_utc are not both strings, so it cannot "
                    "be told from other runs", m->in[f].path, where);
    char *key = json_dumps(id, JSON_COMPACT);
    int rc = 0;
    if (!key) {
        rc = merge_fail(m, "out of memory");
    } else if (json_object_get(seen, key)) {
        size_t g = (size_t)json_integer_value(json_object_get(seen, key));
        const char *dir = json_string_value(json_array_get(id, 1));
        const char *started = json_string_value(json_array_get(id, 2));
        if (g == f)
            rc = merge_fail(m, "%s holds the run started %s in %s twice (in its merged_from); its "
                      "points would be counted twice", m->in[f].path, started, dir);
        else
            rc = merge_fail(m, "%s and %s both hold the run started %s in %s; merging would count "
                      "its points twice", m->in[g].path, m->in[f].path, started, dir);
    } else {
        json_object_set_new(seen, key, json_integer((json_int_t)f));
    }
    free(key);
    json_decref(id);
    return rc;
}

/* One entry per original run, in input order: an input that is itself a
 * merge contributes its own list, so merging in any grouping lists the same
 * runs. NULL if a run appears twice, which would count its points twice. */
static json_t *merged_from(struct merge *m)
{
    json_t *list = json_array(), *seen = json_object();
    int rc = 0;
    for (size_t f = 0; f < m->nin && rc == 0; f++) {
        json_t *doc = m->in[f].doc, *earlier = json_object_get(doc, "merged_from");
        if (json_is_array(earlier)) {
            size_t k;
            json_t *e;
            json_array_foreach(earlier, k, e) {
                char where[48];
                snprintf(where, sizeof where, "merged_from[%zu]: ", k);
                if ((rc = add_run(m, seen, e, f, where)) != 0)
                    break;
                json_array_append(list, e);
            }
            continue;
        }
        char *abs = realpath(m->in[f].path, NULL);
        json_t *e = json_pack("{s:s, s:O, s:O}", "path", abs ? abs : m->in[f].path, "run",
                              json_object_get(doc, "run"), "environment",
                              json_object_get(doc, "environment"));
        free(abs);
        rc = add_run(m, seen, e, f, "");
        json_array_append_new(list, e);
    }
    json_decref(seen);
    if (rc != 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* The merged document (takes over `from`), or NULL with m->err. */
static json_t *merged_document(struct merge *m, json_t *from, const char *dir, int argc,
                               char **argv)
{
    json_t *points = merge_points(m), *instruments = NULL, *run = NULL;
    if (points)
        instruments = merge_instruments(m);
    if (instruments)
        run = merged_run(m, points, dir, argc, argv);
    if (!run) {
        json_decref(points);
        json_decref(instruments);
        json_decref(from);
        return NULL;
    }
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    json_t *first = m->in[0].doc;
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:O, s:O, s:o, s:o, s:o}", "schema",
                     RESULTS_SCHEMA, "bhost", "version", BHOST_VERSION, "abi", abi, "run", run,
                     "spec", json_object_get(first, "spec"), "environment",
                     json_object_get(first, "environment"), "points", points, "instruments",
                     instruments, "merged_from", from);
}

json_t *merge_document(struct merge *m, const char *dir, int argc, char **argv)
{
    json_t *from = merged_from(m);
    return from ? merged_document(m, from, dir, argc, argv) : NULL;
}
