/*
 * merge.c — the document `bhost merge` writes (docs/cli.md): runs of one
 * spec merged point by point. A point found in several inputs is their sum:
 * its histograms added bucket by bucket (lossless: the same as recording
 * every value into one), repetitions concatenated, counters, iterations,
 * failures and wall times summed, summaries recomputed (merge_points.c).
 * Points found in one input only are kept as they are, which is what shards
 * of one sweep need (merge_shards.c checks they are the whole sweep).
 *
 * Bounded memory: the inputs are read one at a time; each point, merged
 * with what the inputs before had of it, goes to the spool (merge_spool.c)
 * as compact JSON; the input is then dropped but for its run, environment
 * and instruments. The document is then streamed from the spool in sweep
 * order (results_stream.h): one input's parse and the index at most.
 */
#include "results/merge.h"
#include "results/env_fields.h"
#include "results/merge_points.h"
#include "results/merge_shards.h"
#include "results/merge_spool.h"
#include "results/results.h"
#include "results/results_stream.h"
#include "results/run_hlog.h"
#include "util/mem.h"
#include "util/text.h"

#include <bhost/bhost.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int merge_begin(struct merge *m, size_t ninputs, const char *dir)
{
    m->in = xcalloc(ninputs ? ninputs : 1, sizeof *m->in);
    m->from = json_array();
    m->seen_runs = json_object();
    m->copies = json_array();
    m->dir = xstrdup(dir);
    m->spool = merge_spool_open(dir, m->err, sizeof m->err);
    m->io_error = m->spool == NULL;
    return m->spool ? 0 : -1;
}

void merge_free(struct merge *m)
{
    for (size_t f = 0; f < m->nin; f++)
        results_file_free(&m->in[f]);
    free(m->in);
    merge_spool_close(m->spool);
    merge_shards_free(m);
    json_decref(m->from);
    json_decref(m->seen_runs);
    json_decref(m->copies);
    json_decref(m->run);
    free(m->dir);
    memset(m, 0, sizeof *m);
}

/* ---- the spec -------------------------------------------------------------- */

/* The spec as run, less "file": the same spec may be run from another path. */
static json_t *comparable_spec(const struct results_file *r)
{
    json_t *s = json_deep_copy(json_object_get(r->doc, "spec"));
    json_object_del(s, "file");
    return s;
}

/* 0 if input f ran the spec input 0 ran (wherever its file was); else -1 with m->err. */
static int check_spec(struct merge *m, size_t f)
{
    json_t *first = comparable_spec(&m->in[0]), *other = comparable_spec(&m->in[f]);
    int rc = 0;
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
                           "only runs of one spec merge", m->in[f].path, m->in[0].path, key);
    }
    json_decref(other);
    json_decref(first);
    return rc;
}

/* ---- merged_from ------------------------------------------------------------- */

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

/* Records the run `entry` is (from input f; `where` is "" or "merged_from[k]: ");
 * -1 if it is not identified or was seen before. */
static int add_run(struct merge *m, json_t *entry, size_t f, const char *where)
{
    json_t *id = run_identity(entry);
    if (!id)
        return merge_fail(m, "%s: %srun.dir and run.started_utc are not both strings, so it cannot "
                    "be told from other runs", m->in[f].path, where);
    char *key = json_dumps(id, JSON_COMPACT);
    int rc = 0;
    if (!key) {
        rc = merge_fail(m, "out of memory");
    } else if (json_object_get(m->seen_runs, key)) {
        size_t g = (size_t)json_integer_value(json_object_get(m->seen_runs, key));
        const char *dir = json_string_value(json_array_get(id, 1));
        const char *started = json_string_value(json_array_get(id, 2));
        if (g == f)
            rc = merge_fail(m, "%s holds the run started %s in %s twice (in its merged_from); its "
                      "points would be counted twice", m->in[f].path, started, dir);
        else
            rc = merge_fail(m, "%s and %s both hold the run started %s in %s; merging would count "
                      "its points twice", m->in[g].path, m->in[f].path, started, dir);
    } else {
        json_object_set_new(m->seen_runs, key, json_integer((json_int_t)f));
    }
    free(key);
    json_decref(id);
    return rc;
}

/* Input f's entries of merged_from, one per original run: an input that is itself a merge
 * contributes its own list, so merging in any grouping lists the same runs. -1 if a run
 * appears twice, which would count its points twice. */
static int add_from(struct merge *m, size_t f)
{
    json_t *doc = m->in[f].doc, *earlier = json_object_get(doc, "merged_from");
    if (json_is_array(earlier)) {
        size_t k;
        json_t *e;
        json_array_foreach(earlier, k, e) {
            char where[48];
            snprintf(where, sizeof where, "merged_from[%zu]: ", k);
            if (add_run(m, e, f, where) != 0)
                return -1;
            json_array_append(m->from, e);
        }
        return 0;
    }
    char *abs = realpath(m->in[f].path, NULL);
    json_t *e = json_pack("{s:s, s:O, s:O}", "path", abs ? abs : m->in[f].path, "run",
                          json_object_get(doc, "run"), "environment",
                          json_object_get(doc, "environment"));
    free(abs);
    int rc = add_run(m, e, f, "");
    json_array_append_new(m->from, e);
    return rc;
}

/* The environment fields (env_fields.h) that differ between the merged runs: null values
 * and absent fields are not differences. A new array, empty when none does. */
static json_t *environments_differ(const json_t *from)
{
    json_t *fields = json_array();
    for (size_t k = 0; k < env_field_count; k++) {
        json_t *first = NULL;
        size_t i;
        json_t *e;
        json_array_foreach(from, i, e) {
            json_t *v = env_field_at(e, env_fields[k].path);
            if (!v || json_is_null(v))
                continue;
            if (!first) {
                first = v;
            } else if (!json_equal(first, v)) {
                json_array_append_new(fields, json_string(env_fields[k].name));
                break;
            }
        }
    }
    return fields;
}

/* ---- the points ---------------------------------------------------------------- */

/* Input f's points merged into those so far, each spooled as compact JSON. */
static int add_points(struct merge *m, size_t f)
{
    size_t i;
    json_t *pt;
    json_array_foreach(m->in[f].points, i, pt) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        const struct spool_entry *e = merge_spool_find(m->spool, id);
        json_t *prior = NULL;
        size_t prior_input = f;
        if (e && m->shards)
            return merge_fail(m, "point %s is in two shards, %s and %s: each point of a sweep "
                                 "is in one shard", id, m->in[e->input].path, m->in[f].path);
        if (e) {
            char *text = merge_spool_read(m->spool, e);
            json_error_t jerr;
            prior = text ? json_loads(text, 0, &jerr) : NULL;
            free(text);
            if (!prior) {
                m->io_error = 1;
                return merge_fail(m, "%s: cannot read back the merge's temporary file", m->dir);
            }
            prior_input = e->input;
        }
        json_t *out = merge_point_add(m, prior, prior_input, pt, f);
        json_decref(prior);
        if (!out)
            return -1;
        char *text = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        int rc = text ? merge_spool_put(m->spool, id, merge_int_at(pt, "index"), f, text,
                                        strlen(text))
                      : -1;
        free(text);
        if (rc != 0) {
            m->io_error = 1;
            return merge_fail(m, "%s: cannot write the merge's temporary file: %s", m->dir,
                              strerror(errno ? errno : ENOMEM));
        }
    }
    return 0;
}

/* Of an input whose points are merged, what the merged document still needs. */
static void keep_only_needed(struct merge *m, size_t f)
{
    static const char *const keys[] = {"run", "environment", "instruments", "spec"};
    struct results_file *r = &m->in[f];
    json_t *kept = json_object();
    for (size_t k = 0; k < ARRAY_LEN(keys) - (f > 0); k++) {
        json_t *v = json_object_get(r->doc, keys[k]);
        if (v)
            json_object_set(kept, keys[k], v);
    }
    json_decref(r->by_id);
    json_decref(r->doc);
    r->by_id = NULL;
    r->points = NULL;
    r->doc = kept;
}

int merge_add(struct merge *m, struct results_file *r)
{
    size_t f = m->nin++;
    m->in[f] = *r;
    memset(r, 0, sizeof *r);
    if ((f > 0 && check_spec(m, f) != 0) || merge_shards_add(m, f) != 0 ||
        add_from(m, f) != 0 || add_points(m, f) != 0)
        return -1;
    keep_only_needed(m, f);
    return 0;
}

/* ---- the run ------------------------------------------------------------------- */

/* What run's members that depend on every point sum up, gathered point by point as
 * results_run_failures() and results_count_status() would over all of them. */
struct tally {
    size_t points, partial, failed, skipped;
    json_int_t failures, measured;
    int measured_overflows;
    json_t *by_reason, *reasons; /* reason -> count; reasons in first-seen order */
};

static json_int_t add_saturating(json_int_t a, json_int_t b)
{
    json_int_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

static void tally_point(struct tally *t, json_t *pt)
{
    const char *status = merge_status_of(pt);
    t->points++;
    t->partial += strcmp(status, "partial") == 0;
    t->failed += strcmp(status, "failed") == 0;
    t->skipped += strcmp(status, "skipped") == 0;
    json_t *f = json_object_get(pt, "failures");
    t->failures = add_saturating(t->failures, merge_int_at(f, "count"));
    json_int_t measured = merge_int_at(json_object_get(pt, "iterations"), "measured");
    t->measured_overflows |= __builtin_add_overflow(t->measured, measured, &(json_int_t){0});
    t->measured = add_saturating(t->measured, measured);
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(f, "reasons"), k, r) {
        const char *text = json_string_value(json_object_get(r, "reason"));
        json_int_t n = merge_int_at(r, "count");
        json_t *sum = json_object_get(t->by_reason, text);
        if (sum) {
            json_integer_set(sum, add_saturating(json_integer_value(sum), n));
        } else {
            json_object_set_new(t->by_reason, text, json_integer(n));
            json_array_append_new(t->reasons, json_string(text));
        }
    }
}

/* run.failures as results_run_failures() gives it. */
static json_t *tally_failures(const struct tally *t)
{
    json_t *list = json_array(), *r;
    size_t i;
    json_array_foreach(t->reasons, i, r)
        json_array_append_new(list, json_pack("{s:O, s:O}", "reason", r, "count",
                                              json_object_get(t->by_reason,
                                                              json_string_value(r))));
    json_t *rate = t->measured ? json_real(1.0 - (double)t->failures / (double)t->measured)
                               : json_null();
    return json_pack("{s:I, s:o, s:o}", "count", t->failures, "success_rate", rate, "reasons",
                     list);
}

/* results_run_failures() holds a sum that does not fit at INT64_MAX, as a
 * run must still write its results; a merge refuses such a sum instead (and
 * one of exactly INT64_MAX, which cannot be told from a held one). */
static int run_failures_fit(struct merge *m, const struct tally *t)
{
    int fits = t->failures < INT64_MAX && !t->measured_overflows;
    const char *reason;
    json_t *n;
    json_object_foreach(t->by_reason, reason, n)
        fits &= json_integer_value(n) < INT64_MAX;
    if (!fits)
        return merge_fail(m, "run.failures: counts too large to add (their sum exceeds 2^63-1)");
    return 0;
}

/* The merged run object but for what depends on every point (run_counts() adds it). */
static json_t *merged_run(struct merge *m, int argc, char **argv)
{
    json_t *run = json_deep_copy(json_object_get(m->in[0].doc, "run"));
    /* What this merge says of its own inputs, never an input's (a merge merged again). */
    json_object_del(run, "shard");
    json_object_del(run, "shards");
    json_object_del(run, "environments_differ");
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
    for (size_t f = 0; f < m->nin; f++) {
        json_t *r = json_object_get(m->in[f].doc, "run");
        const char *s = json_string_value(json_object_get(r, "started_utc"));
        const char *e = json_string_value(json_object_get(r, "finished_utc"));
        if (s && (!started || strcmp(s, started) < 0))
            started = s;
        if (e && (!finished || strcmp(e, finished) > 0))
            finished = e;
        wall_s += merge_number_at(r, "wall_s");
        /* Shards each ran their part of one filtered sweep: the filter stays theirs. */
        if (!json_equal(filter, json_object_get(r, "filter")))
            filter = NULL;
    }
    if (started)
        json_object_set_new(run, "started_utc", json_string(started));
    if (finished)
        json_object_set_new(run, "finished_utc", json_string(finished));
    json_object_set_new(run, "wall_s", json_real(wall_s));
    char *abs = realpath(m->dir, NULL);
    json_object_set_new(run, "dir", json_string(abs ? abs : m->dir));
    free(abs);
    json_object_set(run, "filter", filter ? filter : json_null());
    return run;
}

/* The run's members that depend on every point, and what merge adds for shards and for
 * runs on machines that differ. */
static void run_counts(struct merge *m, json_t *run, const struct tally *t)
{
    int interrupted = 0, incomplete = 0;
    for (size_t f = 0; f < m->nin; f++) {
        const char *status = json_string_value(json_object_get(
            json_object_get(m->in[f].doc, "run"), "status"));
        interrupted |= status && strcmp(status, "interrupted") == 0;
        incomplete |= status && strcmp(status, "incomplete") == 0;
    }
    /* A partial point failed too: it kept only some of what it was to measure. */
    size_t failed = t->failed + t->partial;
    json_object_set_new(run, "points_run", json_integer((json_int_t)(t->points - t->skipped)));
    json_object_set_new(run, "points_failed", json_integer((json_int_t)failed));
    json_object_set_new(run, "status",
                        json_string(interrupted ? "interrupted"
                                    : failed    ? "failed"
                                    : t->skipped || incomplete ? "incomplete"
                                                               : "ok"));
    json_object_set_new(run, "points_partial", json_integer((json_int_t)t->partial));
    json_object_set_new(run, "points_skipped", json_integer((json_int_t)t->skipped));
    json_object_set_new(run, "failures", tally_failures(t));
    json_t *shards = merge_shards_summary(m);
    if (shards)
        json_object_set_new(run, "shards", shards);
    json_t *differ = environments_differ(m->from);
    if (json_array_size(differ))
        json_object_set_new(run, "environments_differ", differ);
    else
        json_decref(differ);
}

/* ---- the document ---------------------------------------------------------------- */

/* The spooled point of entry e, parsed (NULL with m->err). */
static json_t *spooled(struct merge *m, const struct spool_entry *e)
{
    char *text = merge_spool_read(m->spool, e);
    json_t *pt = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!pt) {
        m->io_error = 1;
        merge_fail(m, "%s: cannot read back the merge's temporary file", m->dir);
    }
    return pt;
}

/* The points in sweep order into the document and the interval log. */
static int write_points(struct merge *m, const struct spool_entry *entries, size_t n,
                        struct results_stream *s)
{
    results_stream_begin_array(s, "points");
    for (size_t i = 0; i < n; i++) {
        char *text = merge_spool_read(m->spool, &entries[i]);
        if (!text) {
            m->io_error = 1;
            return merge_fail(m, "%s: cannot read back the merge's temporary file", m->dir);
        }
        results_stream_item_text(s, text, entries[i].length);
        free(text);
    }
    results_stream_end_array(s);
    return 0;
}

/* The run summed up point by point (and the interval log written as they come). */
static int tally_points(struct merge *m, const struct spool_entry *entries, size_t n,
                        struct tally *t, struct run_hlog *hlog)
{
    for (size_t i = 0; i < n; i++) {
        json_t *pt = spooled(m, &entries[i]);
        if (!pt)
            return -1;
        tally_point(t, pt);
        run_hlog_point(hlog, pt);
        json_decref(pt);
    }
    return 0;
}

static int write_document(struct merge *m, json_t *instruments,
                          const struct spool_entry *entries, size_t n)
{
    char *path = xasprintf("%s/results.json", m->dir);
    struct results_stream *s = results_stream_open(path, m->err, sizeof m->err);
    free(path);
    if (!s) {
        m->io_error = 1;
        return -1;
    }
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    json_t *bhost = json_pack("{s:s, s:s}", "version", BHOST_VERSION, "abi", abi);
    json_t *schema = json_string(RESULTS_SCHEMA);
    results_stream_member(s, "schema", schema);
    results_stream_member(s, "bhost", bhost);
    results_stream_member(s, "run", m->run);
    results_stream_member(s, "spec", json_object_get(m->in[0].doc, "spec"));
    results_stream_member(s, "environment", json_object_get(m->in[0].doc, "environment"));
    json_decref(schema);
    json_decref(bhost);
    if (write_points(m, entries, n, s) != 0) {
        results_stream_abort(s);
        return -1;
    }
    results_stream_member(s, "instruments", instruments);
    results_stream_member(s, "merged_from", m->from);
    if (results_stream_close(s, m->err, sizeof m->err) != 0) {
        m->io_error = 1;
        return -1;
    }
    return 0;
}

int merge_finish(struct merge *m, int argc, char **argv)
{
    /* One input is a merge only as the one shard of a sweep split in one (--shard 1/1). */
    if (m->nin < 2 && !merge_shards_on(m))
        return merge_fail(m, "needs at least two results files, or the one shard of a "
                             "--shard 1/1 run");
    size_t n = merge_spool_count(m->spool);
    const struct spool_entry *entries = merge_spool_sorted(m->spool);
    if (merge_shards_check(m, entries, n) != 0)
        return -1;
    json_t *instruments = merge_instruments(m);
    if (!instruments)
        return -1;
    m->run = merged_run(m, argc, argv);
    char *hlog_path = xasprintf("%s/run.hlog", m->dir);
    json_t *head = json_pack("{s:{s:s}, s:O}", "bhost", "version", BHOST_VERSION, "run", m->run);
    struct run_hlog *hlog = run_hlog_begin(head, hlog_path, m->err, sizeof m->err);
    json_decref(head);
    free(hlog_path);
    if (!hlog) {
        json_decref(instruments);
        m->io_error = 1;
        return -1;
    }
    struct tally t = {.by_reason = json_object(), .reasons = json_array()};
    int rc = tally_points(m, entries, n, &t, hlog);
    if (rc == 0 && (rc = run_failures_fit(m, &t)) == 0) {
        run_counts(m, m->run, &t);
        rc = write_document(m, instruments, entries, n);
    }
    json_decref(t.by_reason);
    json_decref(t.reasons);
    json_decref(instruments);
    if (rc != 0) {
        run_hlog_abort(hlog);
        return -1;
    }
    if (run_hlog_finish(hlog, m->err, sizeof m->err) != 0) {
        m->io_error = 1;
        return -1;
    }
    return 0;
}
