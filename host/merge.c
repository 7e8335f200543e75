/*
 * merge.c — `bhost merge A B ... -o DIR` (docs/cli.md): runs of one spec
 * merged point by point. A point found in several inputs is their sum: its
 * histograms added bucket by bucket (lossless: the same as recording every
 * value into one), repetitions concatenated, counters, iterations, failures
 * and wall times summed, summaries recomputed. Points found in one input only
 * are kept as they are, which is what shards of one sweep need.
 */
#include "merge.h"

#include "cli.h"
#include "results.h"
#include "results_read.h"
#include "util.h"

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

/* One point (or instrument entry) as each input that has it holds it. */
struct group {
    json_t **items;
    size_t *file;   /* which input each item comes from */
    size_t n;
};

struct merge {
    struct results_file *in;
    size_t nin;
    char err[1024];
};

__attribute__((format(printf, 2, 3)))
static int fail(struct merge *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, sizeof m->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- grouping ------------------------------------------------------------ */

/* Appends item (from input `file`) to the group `key` names in `index`
 * (key -> position in *groups), creating the group on first sight. */
static void group_add(json_t *index, struct group **groups, size_t *ngroups, size_t *cap,
                      const char *key, json_t *item, size_t file)
{
    json_t *at = json_object_get(index, key);
    size_t g;
    if (at) {
        g = (size_t)json_integer_value(at);
    } else {
        g = (*ngroups)++;
        grow(groups, cap, g, sizeof **groups);
        memset(&(*groups)[g], 0, sizeof **groups);
        json_object_set_new(index, key, json_integer((json_int_t)g));
    }
    struct group *gr = &(*groups)[g];
    gr->items = xrealloc(gr->items, (gr->n + 1) * sizeof *gr->items);
    gr->file = xrealloc(gr->file, (gr->n + 1) * sizeof *gr->file);
    gr->items[gr->n] = item;
    gr->file[gr->n++] = file;
}

static void groups_free(struct group *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(groups[i].items);
        free(groups[i].file);
    }
    free(groups);
}

/* ---- the spec -------------------------------------------------------------- */

/* The spec as run, less "file": the same spec may be run from another path. */
static json_t *comparable_spec(const struct results_file *r)
{
    json_t *s = json_deep_copy(json_object_get(r->doc, "spec"));
    json_object_del(s, "file");
    return s;
}

static int check_same_spec(struct merge *m)
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
            rc = fail(m, "%s is a run of another spec than %s (their spec's \"%s\" differs); "
                      "only runs of one spec merge", m->in[i].path, m->in[0].path, key);
        }
        json_decref(other);
    }
    json_decref(first);
    return rc;
}

/* ---- sums ------------------------------------------------------------------ */

static json_int_t int_at(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static double number_at(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

/* Adds `from`'s metrics to `into`: counters summed (null, that is not
 * finite, stays null), gauges take the later input's value. */
static int merge_metrics(struct merge *m, json_t *into, json_t *from, const char *where)
{
    const char *name;
    json_t *mf;
    json_object_foreach(from, name, mf) {
        json_t *mi = json_object_get(into, name);
        if (!mi) {
            json_object_set_new(into, name, json_deep_copy(mf));
            continue;
        }
        const char *kind = json_string_value(json_object_get(mi, "kind"));
        if (strcmp(kind, json_string_value(json_object_get(mf, "kind"))) != 0)
            return fail(m, "%s: metric \"%s\" is a counter in one input and a gauge in another",
                        where, name);
        json_t *vi = json_object_get(mi, "value"), *vf = json_object_get(mf, "value");
        if (strcmp(kind, "gauge") == 0)
            json_object_set(mi, "value", vf);
        else if (json_is_number(vi) && json_is_number(vf))
            json_object_set_new(mi, "value",
                                json_real(json_number_value(vi) + json_number_value(vf)));
        else
            json_object_set_new(mi, "value", json_null());
    }
    return 0;
}

/* *sum += value, or -1 (and a message naming the point and `what`) when
 * the sum does not fit: the inputs hold counts up to INT64_MAX each. */
static int add_count(struct merge *m, json_int_t *sum, json_int_t value, const char *id,
                     const char *what)
{
    if (__builtin_add_overflow(*sum, value, sum))
        return fail(m, "point %s: %s: counts too large to add (their sum exceeds 2^63-1)", id,
                    what);
    return 0;
}

/* Failure counts and reasons summed, reasons in first-seen order; NULL if
 * a sum does not fit. */
static json_t *merge_failures(struct merge *m, const struct group *g, json_int_t measured,
                              const char *id)
{
    json_t *reasons = json_array(), *by_text = json_object();
    json_int_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        json_t *f = json_object_get(g->items[i], "failures"), *r;
        size_t k;
        rc = add_count(m, &count, int_at(f, "count"), id, "failures.count");
        json_array_foreach(json_object_get(f, "reasons"), k, r) {
            if (rc != 0)
                break;
            const char *text = json_string_value(json_object_get(r, "reason"));
            json_t *seen = json_object_get(by_text, text);
            if (seen) {
                json_int_t n = int_at(seen, "count");
                rc = add_count(m, &n, int_at(r, "count"), id, "failures.reasons[].count");
                json_object_set_new(seen, "count", json_integer(n));
            } else {
                seen = json_deep_copy(r);
                json_object_set(by_text, text, seen);
                json_array_append_new(reasons, seen);
            }
        }
    }
    json_decref(by_text);
    if (rc != 0) {
        json_decref(reasons);
        return NULL;
    }
    json_t *rate = measured ? json_real(1.0 - (double)count / (double)measured) : json_null();
    return json_pack("{s:I, s:o, s:o}", "count", count, "success_rate", rate, "reasons",
                     reasons);
}

/* One histogram of a point, over every input that has it. */
static json_t *merge_histogram(struct merge *m, const struct group *g, const char *name,
                               const char *id)
{
    struct hdr sum = {0};
    json_t *reps = json_array();
    double wall_s = 0;
    int have = 0, rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        json_t *h = json_object_get(json_object_get(g->items[i], "histograms"), name);
        if (!h)
            continue;
        const char *path = m->in[g->file[i]].path;
        struct hdr one;
        if (results_hdr(h, &one) != 0) {
            rc = fail(m, "%s: point %s: histogram \"%s\": its hdr cannot be decoded", path, id,
                      name);
            break;
        }
        if (one.total_count != int_at(h, "count")) {
            rc = fail(m, "%s: point %s: histogram \"%s\": its hdr holds %lld values but its "
                      "count is %lld", path, id, name, (long long)one.total_count,
                      (long long)int_at(h, "count"));
        } else if (!have) {
            sum = one;
            one.counts = NULL;
            have = 1;
        } else if (one.lowest_discernible != sum.lowest_discernible ||
                   one.highest_trackable != sum.highest_trackable ||
                   one.sig_figs != sum.sig_figs) {
            rc = fail(m, "%s: point %s: histogram \"%s\" has another range or precision than "
                      "in %s", path, id, name, m->in[g->file[0]].path);
        } else if (hdr_add(&sum, &one) != 0) {
            rc = fail(m, "point %s, histogram \"%s\": counts exceed 2^63-1 (when adding %s)", id,
                      name, path);
        }
        hdr_fini(&one);
        size_t k;
        json_t *rep;
        json_array_foreach(json_object_get(h, "repetitions"), k, rep) {
            wall_s += number_at(rep, "wall_s");
            json_array_append_new(reps, json_deep_copy(rep));
        }
    }
    json_t *o = NULL;
    if (rc == 0) {
        o = results_summary(&sum, wall_s);
        json_object_set(o, "repetitions", reps);
    }
    json_decref(reps);
    hdr_fini(&sum);
    return o;
}

static int merge_histograms(struct merge *m, const struct group *g, json_t *out)
{
    const char *id = json_string_value(json_object_get(out, "id"));
    json_t *hists = json_object();
    int rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        const char *name;
        json_t *h;
        json_object_foreach(json_object_get(g->items[i], "histograms"), name, h) {
            if (json_object_get(hists, name))
                continue;
            json_t *merged = merge_histogram(m, g, name, id);
            if (!merged) {
                rc = -1;
                break;
            }
            json_object_set_new(hists, name, merged);
        }
    }
    json_object_set_new(out, "histograms", hists);
    return rc;
}

/* ---- points ---------------------------------------------------------------- */

/* The fields that say which point this is must agree across inputs. */
static int check_same_point(struct merge *m, const struct group *g)
{
    static const char *const keys[] = {"index", "label", "experiment", "plugin",
                                       "plugin_version", "params"};
    for (size_t i = 1; i < g->n; i++)
        for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
            json_t *a = json_object_get(g->items[0], keys[k]);
            json_t *b = json_object_get(g->items[i], keys[k]);
            if ((a || b) && !(a && b && json_equal(a, b)))
                return fail(m, "point %s: \"%s\" differs between %s and %s",
                            json_string_value(json_object_get(g->items[0], "id")), keys[k],
                            m->in[g->file[0]].path, m->in[g->file[i]].path);
        }
    return 0;
}

static const char *status_of(json_t *pt)
{
    return json_string_value(json_object_get(pt, "status"));
}

/* An open-loop point's schedule: late iterations summed, the largest lag kept. */
static int merge_schedule(struct merge *m, const struct group *g, json_t *out)
{
    json_t *schedule = json_object_get(out, "schedule");
    if (!json_is_object(schedule))
        return 0;
    const char *id = json_string_value(json_object_get(out, "id"));
    json_int_t late = 0, max_lag = 0;
    int measured = 0;
    for (size_t i = 0; i < g->n; i++) {
        json_t *s = json_object_get(g->items[i], "schedule");
        if (!json_is_integer(json_object_get(s, "late")))
            continue;
        measured = 1;
        if (add_count(m, &late, json_integer_value(json_object_get(s, "late")), id,
                      "schedule.late") != 0)
            return -1;
        json_int_t lag = json_integer_value(json_object_get(s, "max_lag_ns"));
        max_lag = lag > max_lag ? lag : max_lag;
    }
    json_object_set_new(schedule, "late", measured ? json_integer(late) : json_null());
    json_object_set_new(schedule, "max_lag_ns", measured ? json_integer(max_lag) : json_null());
    return 0;
}

static json_t *merge_point(struct merge *m, const struct group *g)
{
    json_t *out = json_deep_copy(g->items[0]);
    if (g->n == 1)
        return out;
    if (check_same_point(m, g) != 0) {
        json_decref(out);
        return NULL;
    }
    const char *id = json_string_value(json_object_get(out, "id"));
    json_int_t warmup = 0, measured = 0, batch = 0, reps = 0;
    double wall_s = 0;
    int capped = 0, failed = 0, ok = 0;
    json_t *error = NULL, *tail = NULL, *metrics = json_object();
    for (size_t i = 0; i < g->n; i++) {
        json_t *pt = g->items[i], *it = json_object_get(pt, "iterations");
        if (add_count(m, &warmup, int_at(it, "warmup"), id, "iterations.warmup") != 0 ||
            add_count(m, &measured, int_at(it, "measured"), id, "iterations.measured") != 0 ||
            add_count(m, &reps, int_at(pt, "repetitions"), id, "repetitions") != 0) {
            json_decref(metrics);
            json_decref(out);
            return NULL;
        }
        batch = int_at(it, "batch") > batch ? int_at(it, "batch") : batch;
        capped |= json_is_true(json_object_get(it, "capped"));
        wall_s += number_at(pt, "wall_s");
        int this_failed = strcmp(status_of(pt), "failed") == 0;
        failed |= this_failed;
        ok |= strcmp(status_of(pt), "ok") == 0;
        if (this_failed && !error)
            error = json_object_get(pt, "error");
        if (this_failed && !tail && json_is_string(json_object_get(pt, "stderr_tail")))
            tail = json_object_get(pt, "stderr_tail");
        if (merge_metrics(m, metrics, json_object_get(pt, "metrics"),
                          m->in[g->file[i]].path) != 0) {
            json_decref(metrics);
            json_decref(out);
            return NULL;
        }
    }
    json_object_set_new(out, "status", json_string(failed ? "failed" : ok ? "ok"
                                                                      : status_of(out)));
    json_t *it = json_object_get(out, "iterations");
    json_object_set_new(it, "warmup", json_integer(warmup));
    json_object_set_new(it, "measured", json_integer(measured));
    json_object_set_new(it, "batch", json_integer(batch));
    if (json_object_get(it, "capped"))
        json_object_set_new(it, "capped", json_boolean(capped));
    json_object_set_new(out, "repetitions", json_integer(reps));
    json_object_set_new(out, "wall_s", json_real(wall_s));
    if (failed) {
        json_object_set(out, "error", error ? error : json_null());
        if (json_object_get(out, "stderr_tail"))
            json_object_set(out, "stderr_tail", tail ? tail : json_null());
    } else if (ok) {
        json_object_set_new(out, "error", json_null());
    }
    json_object_set_new(out, "metrics", metrics);
    json_t *failures = merge_failures(m, g, measured, id);
    if (!failures) {
        json_decref(out);
        return NULL;
    }
    json_object_set_new(out, "failures", failures);
    json_object_del(out, "cpu"); /* the inputs' points ran on CPUs of their own */
    if (merge_schedule(m, g, out) != 0 || merge_histograms(m, g, out) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static int by_index(const void *a, const void *b)
{
    json_int_t x = int_at(*(json_t *const *)a, "index"), y = int_at(*(json_t *const *)b, "index");
    return (x > y) - (x < y);
}

static json_t *merge_points(struct merge *m)
{
    json_t *index = json_object();
    struct group *groups = NULL;
    size_t n = 0, cap = 0;
    for (size_t f = 0; f < m->nin; f++) {
        size_t i;
        json_t *pt;
        json_array_foreach(m->in[f].points, i, pt)
            group_add(index, &groups, &n, &cap, json_string_value(json_object_get(pt, "id")),
                      pt, f);
    }
    json_decref(index);
    json_t **merged = xcalloc(n + 1, sizeof *merged);
    json_t *points = json_array();
    size_t done = 0;
    for (; done < n; done++)
        if (!(merged[done] = merge_point(m, &groups[done])))
            break;
    if (done == n) {
        qsort(merged, n, sizeof *merged, by_index);
        for (size_t i = 0; i < n; i++)
            json_array_append(points, merged[i]);
    } else {
        json_decref(points);
        points = NULL;
    }
    for (size_t i = 0; i < done; i++)
        json_decref(merged[i]);
    free(merged);
    groups_free(groups, n);
    return points;
}

static json_t *merge_instruments(struct merge *m)
{
    json_t *index = json_object();
    struct group *groups = NULL;
    size_t n = 0, cap = 0;
    for (size_t f = 0; f < m->nin; f++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(m->in[f].doc, "instruments"), i, e) {
            char *key = xasprintf("%s\n%s",
                                  json_string_value(json_object_get(e, "instrument")),
                                  json_string_value(json_object_get(e, "experiment")));
            group_add(index, &groups, &n, &cap, key, e, f);
            free(key);
        }
    }
    json_decref(index);
    json_t *out = json_array();
    for (size_t g = 0; g < n && out; g++) {
        json_t *e = json_deep_copy(groups[g].items[0]);
        json_t *metrics = json_object(), *error = NULL;
        for (size_t i = 0; i < groups[g].n; i++) {
            json_t *err = json_object_get(groups[g].items[i], "error");
            if (!error && json_is_string(err))
                error = err;
            if (merge_metrics(m, metrics, json_object_get(groups[g].items[i], "metrics"),
                              m->in[groups[g].file[i]].path) != 0) {
                json_decref(out);
                out = NULL;
                break;
            }
        }
        json_object_set_new(e, "metrics", metrics);
        if (json_object_get(e, "error"))
            json_object_set(e, "error", error ? error : json_null());
        if (out)
            json_array_append(out, e);
        json_decref(e);
    }
    groups_free(groups, n);
    return out;
}

/* ---- the document ---------------------------------------------------------- */

static size_t count_status(json_t *points, const char *status)
{
    size_t n = 0, i;
    json_t *pt;
    json_array_foreach(points, i, pt)
        n += strcmp(status_of(pt), status) == 0;
    return n;
}

/* results_run_failures() holds a sum that does not fit at INT64_MAX, as a
 * run must still write its results; a merge refuses such a sum instead (and
 * one of exactly INT64_MAX, which cannot be told from a held one). */
static int run_failures_fit(struct merge *m, json_t *points, json_t *failures)
{
    json_int_t measured = 0;
    int fits = int_at(failures, "count") < INT64_MAX;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(failures, "reasons"), i, v)
        fits &= int_at(v, "count") < INT64_MAX;
    json_array_foreach(points, i, v)
        fits &= !__builtin_add_overflow(
            measured, int_at(json_object_get(v, "iterations"), "measured"), &measured);
    if (!fits)
        return fail(m, "run.failures: counts too large to add (their sum exceeds 2^63-1)");
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
        wall_s += number_at(r, "wall_s");
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
    size_t failed = count_status(points, "failed"), skipped = count_status(points, "skipped");
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
        return fail(m, "%s: %srun.dir and run.started_utc are not both strings, so it cannot "
                    "be told from other runs", m->in[f].path, where);
    char *key = json_dumps(id, JSON_COMPACT);
    int rc = 0;
    if (!key) {
        rc = fail(m, "out of memory");
    } else if (json_object_get(seen, key)) {
        size_t g = (size_t)json_integer_value(json_object_get(seen, key));
        const char *dir = json_string_value(json_array_get(id, 1));
        const char *started = json_string_value(json_array_get(id, 2));
        if (g == f)
            rc = fail(m, "%s holds the run started %s in %s twice (in its merged_from); its "
                      "points would be counted twice", m->in[f].path, started, dir);
        else
            rc = fail(m, "%s and %s both hold the run started %s in %s; merging would count "
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

/* ---- the command ----------------------------------------------------------- */

__attribute__((format(printf, 1, 2)))
static int merge_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bhost merge: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'bhost merge --help'.\n", stderr);
    return EXIT_USAGE;
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
static int run_merge(struct merge *m, const char *dir, int argc, char **argv)
{
    if (check_same_spec(m) != 0) {
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
    json_t *from = merged_from(m);
    json_t *doc = from ? merged_document(m, from, dir, argc, argv) : NULL;
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
        if (results_write(doc, path, err, sizeof err) != 0) {
            fprintf(stderr, "bhost merge: %s\n", err);
            rc = EXIT_INTERNAL;
        } else {
            printf("merged %zu runs: %lld points, %lld failed; results: %s\n", m->nin,
                   (long long)json_array_size(json_object_get(doc, "points")),
                   (long long)int_at(run, "points_failed"), path);
            rc = strcmp(json_string_value(json_object_get(run, "status")), "ok") == 0
                     ? EXIT_OK
                     : EXIT_FAILED_POINTS;
        }
    }
    json_decref(doc);
    free(path);
    return rc;
}

int merge_main(int argc, char **argv)
{
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
    free(m.in);
    free(inputs);
    return rc;
}
