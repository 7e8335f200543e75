/*
 * merge_points.c — see merge_points.h. A point found in several inputs is
 * their sum: its histograms added bucket by bucket (lossless: the same as
 * recording every value into one), repetitions concatenated, counters,
 * iterations, failures and wall times summed (overflow refused), summaries
 * recomputed. Points found in one input only are kept as they are.
 */
#include "results/merge_points.h"
#include "hdr/hdr.h"
#include "results/results.h"
#include "util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One point (or instrument entry) as each input that has it holds it. */
struct group {
    json_t **items;
    size_t *file;   /* which input each item comes from */
    size_t n;
    /* items[0] is already a merge of earlier inputs: its artifacts are in place (and their
     * copies noted), under the names the merged run gives them */
    int carried;
};

int merge_fail(struct merge *m, const char *fmt, ...)
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

/* ---- sums ------------------------------------------------------------------ */

/* Adds `from`'s metrics to `into`: counters summed (null, that is not
 * finite, stays null), gauges take the later input's value; a metric
 * unavailable in any input is unavailable, with the first such reason. */
static int merge_metrics(struct merge *m, json_t *into, json_t *from, const char *where)
{
    const char *name;
    json_t *mf;
    json_object_foreach(from, name, mf) {
        json_t *mi = json_object_get(into, name);
        const char *kind_from = json_string_value(json_object_get(mf, "kind"));
        if (!mi || (strcmp(kind_from, "unavailable") == 0 &&
                    strcmp(json_string_value(json_object_get(mi, "kind")), "unavailable") != 0)) {
            json_object_set_new(into, name, json_deep_copy(mf));
            continue;
        }
        const char *kind = json_string_value(json_object_get(mi, "kind"));
        if (strcmp(kind, "unavailable") == 0)
            continue;
        if (strcmp(kind, json_string_value(json_object_get(mf, "kind"))) != 0)
            return merge_fail(m,
                              "%s: metric \"%s\" is a counter in one input and a gauge in another",
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

/* The seconds a point's repetitions measured: what its counters' per_second divides by. */
static double measured_seconds(json_t *pt)
{
    double s = 0;
    size_t k;
    json_t *rep;
    json_t *reps = json_object_get(json_object_get(json_object_get(pt, "histograms"),
                                                   "iteration"), "repetitions");
    json_array_foreach(reps, k, rep)
        s += merge_number_at(rep, "wall_s");
    return s;
}

/* Counters' per_iteration and per_second for the merged point, as a run gives them. */
static void rate_counters(json_t *metrics, json_int_t measured, double measured_s)
{
    const char *name;
    json_t *mv;
    json_object_foreach(metrics, name, mv) {
        json_t *v = json_object_get(mv, "value");
        if (strcmp(json_string_value(json_object_get(mv, "kind")), "counter") != 0)
            continue;
        double per_it = measured && json_is_number(v) ? json_number_value(v) / measured : NAN;
        double per_s = measured_s > 0 && json_is_number(v) ? json_number_value(v) / measured_s
                                                            : NAN;
        json_object_set_new(mv, "per_iteration", isfinite(per_it) ? json_real(per_it)
                                                                  : json_null());
        json_object_set_new(mv, "per_second", isfinite(per_s) ? json_real(per_s) : json_null());
    }
}

/* Notes and tables describe one run, as a gauge does: of a name found in several inputs,
 * the later input's is kept. `out` is a copy of the first input's entry. */
static void merge_reports(json_t *out, json_t *in, size_t i)
{
    static const char *const keys[] = {"notes", "tables"};
    for (size_t k = 0; k < 2 && i > 0; k++) {
        json_t *theirs = json_object_get(in, keys[k]), *ours = json_object_get(out, keys[k]);
        if (!json_is_object(theirs))
            continue;
        json_t *copy = json_deep_copy(theirs);
        if (!json_is_object(ours))
            json_object_set(out, keys[k], copy);
        else
            json_object_update(ours, copy);
        json_decref(copy);
    }
}

/* *sum += value, or -1 (and a message naming the point and `what`) when
 * the sum does not fit: the inputs hold counts up to INT64_MAX each. */
static int add_count(struct merge *m, json_int_t *sum, json_int_t value, const char *id,
                     const char *what)
{
    if (__builtin_add_overflow(*sum, value, sum))
        return merge_fail(m, "point %s: %s: counts too large to add (their sum exceeds 2^63-1)", id,
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
        rc = add_count(m, &count, merge_int_at(f, "count"), id, "failures.count");
        json_array_foreach(json_object_get(f, "reasons"), k, r) {
            if (rc != 0)
                break;
            const char *text = json_string_value(json_object_get(r, "reason"));
            json_t *seen = json_object_get(by_text, text);
            if (seen) {
                json_int_t n = merge_int_at(seen, "count");
                rc = add_count(m, &n, merge_int_at(r, "count"), id, "failures.reasons[].count");
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
    const char *unit = NULL;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        json_t *h = json_object_get(json_object_get(g->items[i], "histograms"), name);
        if (!h)
            continue;
        const char *path = m->in[g->file[i]].path;
        struct hdr one;
        if (results_hdr(h, &one) != 0) {
            rc = merge_fail(m, "%s: point %s: histogram \"%s\": its hdr cannot be decoded", path,
                            id, name);
            break;
        }
        const char *its_unit = json_string_value(json_object_get(h, "unit"));
        its_unit = its_unit ? its_unit : "ns";
        if (!unit)
            unit = its_unit;
        if (strcmp(unit, its_unit) != 0) {
            rc = merge_fail(m, "%s: point %s: histogram \"%s\" is in %s, in %s in %s", path, id,
                            name, its_unit, unit, m->in[g->file[0]].path);
        } else if (one.total_count != merge_int_at(h, "count")) {
            rc = merge_fail(m, "%s: point %s: histogram \"%s\": its hdr holds %lld values but its "
                      "count is %lld", path, id, name, (long long)one.total_count,
                      (long long)merge_int_at(h, "count"));
        } else if (!have) {
            sum = one;
            one.counts = NULL;
            have = 1;
        } else if (one.lowest_discernible != sum.lowest_discernible ||
                   one.highest_trackable != sum.highest_trackable || one.sig_figs != sum.sig_figs) {
            rc = merge_fail(m,
                            "%s: point %s: histogram \"%s\" has another range or precision than "
                            "in %s",
                            path, id, name, m->in[g->file[0]].path);
        } else if (hdr_add(&sum, &one) != 0) {
            rc = merge_fail(m, "point %s, histogram \"%s\": counts exceed 2^63-1 (when adding %s)",
                            id, name, path);
        }
        hdr_fini(&one);
        size_t k;
        json_t *rep;
        json_array_foreach(json_object_get(h, "repetitions"), k, rep) {
            wall_s += merge_number_at(rep, "wall_s");
            json_array_append_new(reps, json_deep_copy(rep));
        }
    }
    json_t *o = NULL;
    if (rc == 0) {
        o = results_summary(&sum, wall_s, unit);
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
                return merge_fail(m, "point %s: \"%s\" differs between %s and %s",
                            json_string_value(json_object_get(g->items[0], "id")), keys[k],
                            m->in[g->file[0]].path, m->in[g->file[i]].path);
        }
    /* Files from before build-ids were recorded lack one: only two that have one compare. */
    for (size_t i = 1; i < g->n; i++) {
        json_t *a = json_object_get(g->items[0], "plugin_build_id");
        json_t *b = json_object_get(g->items[i], "plugin_build_id");
        if (a && b && !json_equal(a, b))
            return merge_fail(m, "point %s: plugin_build_id differs between %s and %s: they "
                              "measured different builds of plugin '%s'",
                              json_string_value(json_object_get(g->items[0], "id")),
                              m->in[g->file[0]].path, m->in[g->file[i]].path,
                              json_string_value(json_object_get(g->items[0], "plugin")));
    }
    return 0;
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

/* The run directory an input's paths are relative to: where its results.json is. */
static char *input_dir(const struct merge *m, size_t f)
{
    char *dir = xstrdup(m->in[f].path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    return dir;
}

static int path_taken(const json_t *list, const char *path)
{
    size_t j;
    json_t *b;
    json_array_foreach(list, j, b)
        if (strcmp(json_string_value(json_object_get(b, "path")), path) == 0)
            return 1;
    return 0;
}

/* `path`, or when the list has it already "input<n>-" before its file name, and after that
 * "input<n>.<k>-": a merge of merges meets the same names again. */
static char *unused_path(const json_t *list, const char *path, size_t n)
{
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    char *to = xstrdup(path);
    for (size_t k = 1; path_taken(list, to); k++) {
        free(to);
        to = k == 1 ? xasprintf("%.*sinput%zu-%s", dir_len, path, n, path + dir_len)
                    : xasprintf("%.*sinput%zu.%zu-%s", dir_len, path, n, k, path + dir_len);
    }
    return to;
}

/*
 * The artifacts of an entry (a point or an instrument's) found in several inputs: every
 * input's, one after another; a path two inputs share gets the input's number before
 * its file name (docs/cli.md, merge). Each is noted in m->copies to be copied into the merged run.
 */
static void merge_artifacts(struct merge *m, const struct group *g, json_t *out)
{
    json_t *list = json_array();
    for (size_t i = 0; i < g->n; i++) {
        size_t k;
        json_t *a;
        if (i == 0 && g->carried) {
            json_array_foreach(json_object_get(g->items[0], "artifacts"), k, a)
                json_array_append(list, a);
            continue;
        }
        char *dir = input_dir(m, g->file[i]);
        json_array_foreach(json_object_get(g->items[i], "artifacts"), k, a) {
            const char *path = json_string_value(json_object_get(a, "path"));
            if (!path || path[0] == '/' || strstr(path, ".."))
                continue; /* not inside its run: nothing to carry over */
            char *to = unused_path(list, path, g->file[i] + 1);
            json_t *copy = json_deep_copy(a);
            json_object_set_new(copy, "path", json_string(to));
            json_array_append_new(list, copy);
            char *from = xasprintf("%s/%s", dir, path);
            json_array_append_new(m->copies, json_pack("{s:s, s:s}", "from", from, "to", to));
            free(from);
            free(to);
        }
        free(dir);
    }
    if (json_array_size(list) || json_object_get(out, "artifacts"))
        json_object_set_new(out, "artifacts", list);
    else
        json_decref(list);
}

static json_t *merge_point(struct merge *m, const struct group *g)
{
    json_t *out = json_deep_copy(g->items[0]);
    if (!m->copies)
        m->copies = json_array();
    merge_artifacts(m, g, out);
    if (g->n == 1)
        return out;
    if (check_same_point(m, g) != 0) {
        json_decref(out);
        return NULL;
    }
    const char *id = json_string_value(json_object_get(out, "id"));
    json_int_t warmup = 0, measured = 0, batch = 0, reps = 0;
    double wall_s = 0;
    int capped = 0, failed = 0, ok = 0, partial = 0;
    json_int_t kept = 0, planned = 0, cut = 0, left = 0;
    json_t *error = NULL, *tail = NULL, *metrics = json_object();
    for (size_t i = 0; i < g->n; i++) {
        json_t *pt = g->items[i], *it = json_object_get(pt, "iterations");
        if (add_count(m, &warmup, merge_int_at(it, "warmup"), id, "iterations.warmup") != 0 ||
            add_count(m, &measured, merge_int_at(it, "measured"), id, "iterations.measured") != 0 ||
            add_count(m, &reps, merge_int_at(pt, "repetitions"), id, "repetitions") != 0) {
            json_decref(metrics);
            json_decref(out);
            return NULL;
        }
        batch = merge_int_at(it, "batch") > batch ? merge_int_at(it, "batch") : batch;
        capped |= json_is_true(json_object_get(it, "capped"));
        wall_s += merge_number_at(pt, "wall_s");
        int this_failed = strcmp(merge_status_of(pt), "failed") == 0;
        int this_partial = strcmp(merge_status_of(pt), "partial") == 0;
        failed |= this_failed;
        partial |= this_partial;
        json_t *pp = json_object_get(pt, "partial");
        if (add_count(m, &left, merge_int_at(pt, "processes_left"), id, "processes_left") != 0 ||
            add_count(m, &kept, json_is_object(pp) ? merge_int_at(pp, "repetitions_kept")
                                                   : merge_int_at(pt, "repetitions"), id,
                      "partial.repetitions_kept") != 0 ||
            add_count(m, &planned, json_is_object(pp) ? merge_int_at(pp, "repetitions_planned")
                                                      : merge_int_at(pt, "repetitions"), id,
                      "partial.repetitions_planned") != 0 ||
            add_count(m, &cut, merge_int_at(pp, "iterations_cut_short"), id,
                      "partial.iterations_cut_short") != 0) {
            json_decref(metrics);
            json_decref(out);
            return NULL;
        }
        this_failed |= this_partial;
        ok |= strcmp(merge_status_of(pt), "ok") == 0;
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
        merge_reports(out, pt, i);
    }
    /* The worst wins: failed, then partial (some of it is missing), then ok. */
    json_object_set_new(out, "status", json_string(failed    ? "failed"
                                                   : partial ? "partial"
                                                   : ok      ? "ok"
                                                             : merge_status_of(out)));
    if (json_object_get(out, "processes_left"))
        json_object_set_new(out, "processes_left", json_integer(left));
    if (json_object_get(out, "partial"))
        json_object_set_new(out, "partial",
                            partial ? json_pack("{s:I, s:I, s:I}", "repetitions_kept", kept,
                                                "repetitions_planned", planned,
                                                "iterations_cut_short", cut)
                                    : json_null());
    json_t *it = json_object_get(out, "iterations");
    json_object_set_new(it, "warmup", json_integer(warmup));
    json_object_set_new(it, "measured", json_integer(measured));
    json_object_set_new(it, "batch", json_integer(batch));
    if (json_object_get(it, "capped"))
        json_object_set_new(it, "capped", json_boolean(capped));
    json_object_set_new(out, "repetitions", json_integer(reps));
    json_object_set_new(out, "wall_s", json_real(wall_s));
    if (failed || partial) {
        json_object_set(out, "error", error ? error : json_null());
        if (json_object_get(out, "stderr_tail"))
            json_object_set(out, "stderr_tail", tail ? tail : json_null());
    } else if (ok) {
        json_object_set_new(out, "error", json_null());
    }
    double measured_s = 0;
    for (size_t i = 0; i < g->n; i++)
        measured_s += measured_seconds(g->items[i]);
    rate_counters(metrics, measured, measured_s);
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

json_t *merge_point_parts(json_t *const *parts, size_t n, const char *run_dir, char *err,
                          size_t errlen)
{
    struct merge m = {.nin = n, .in = xcalloc(n, sizeof *m.in)};
    struct group g = {.items = xcalloc(n, sizeof *g.items), .file = xcalloc(n, sizeof *g.file),
                      .n = n};
    for (size_t i = 0; i < n; i++) {
        /* Named for messages; the artifacts' paths are relative to the run directory. */
        m.in[i].path = xasprintf("%s/repetition-%zu", run_dir, i + 1);
        g.items[i] = parts[i];
        g.file[i] = i;
    }
    json_t *out = merge_point(&m, &g);
    if (!out)
        snprintf(err, errlen, "%s", m.err);
    for (size_t i = 0; i < n; i++)
        free(m.in[i].path);
    free(m.in);
    free(g.items);
    free(g.file);
    json_decref(m.copies);
    return out;
}

json_t *merge_point_add(struct merge *m, json_t *prior, size_t prior_input, json_t *pt,
                        size_t input)
{
    json_t *items[2] = {prior ? prior : pt, pt};
    size_t file[2] = {prior ? prior_input : input, input};
    struct group g = {.items = items, .file = file, .n = prior ? 2 : 1, .carried = prior != NULL};
    return merge_point(m, &g);
}

json_t *merge_instruments(struct merge *m)
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
        for (size_t i = 0; i < groups[g].n; i++)
            merge_reports(e, groups[g].items[i], i);
        json_object_set_new(e, "metrics", metrics);
        if (!m->copies)
            m->copies = json_array();
        merge_artifacts(m, &groups[g], e);
        if (json_object_get(e, "error"))
            json_object_set(e, "error", error ? error : json_null());
        if (out)
            json_array_append(out, e);
        json_decref(e);
    }
    groups_free(groups, n);
    return out;
}

