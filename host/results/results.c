/* results.c — see results.h and docs/results.md. */
#include "results/results.h"
#include "util/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An empty histogram has a count and no figures: null, never a fake 0 ns. */
static json_t *empty_summary(void)
{
    json_t *o = json_pack("{s:s, s:i}", "unit", "ns", "count", 0);
    static const char *const fields[] = {"min", "mean", "stddev", "p50", "p75", "p90",
                                         "p95", "p99", "p99_9", "p99_99", "max"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        json_object_set_new(o, fields[i], json_null());
    json_object_set_new(o, "throughput_per_s", json_real(0));
    return o;
}

json_t *results_summary(const struct hdr *h, double wall_s)
{
    struct hdr_summary s;
    hdr_summarize(h, &s);
    if (s.count == 0) {
        json_t *o = empty_summary();
        char *b64 = hdr_encode_v2_base64(h);
        json_object_set_new(o, "hdr", b64 ? json_string(b64) : json_null());
        free(b64);
        return o;
    }
    char *b64 = hdr_encode_v2_base64(h);
    json_t *o = json_pack("{s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
                          "unit", "ns", "count", (json_int_t)s.count, "min", (json_int_t)s.min,
                          "mean", s.mean, "stddev", s.stddev, "p50", (json_int_t)s.p50, "p75",
                          (json_int_t)s.p75, "p90", (json_int_t)s.p90, "p95", (json_int_t)s.p95,
                          "p99", (json_int_t)s.p99, "p99_9", (json_int_t)s.p999, "p99_99",
                          (json_int_t)s.p9999, "max", (json_int_t)s.max, "throughput_per_s",
                          wall_s > 0 ? (double)s.count / wall_s : 0.0);
    json_object_set_new(o, "hdr", b64 ? json_string(b64) : json_null());
    free(b64);
    return o;
}

/* results_histogram(); *overflow set when the repetitions' counts do not fit
 * in one int64 total: the summary then stops at the repetition that overflowed. */
static json_t *histogram_json(const struct bhost_hist *h, const uint64_t *rep_iterations,
                              const uint64_t *rep_wall_ns, int *overflow)
{
    struct hdr all;
    if (hdr_init_bhost(&all) != 0)
        return json_null();
    json_t *reps = json_array();
    uint64_t wall = 0;
    for (uint32_t r = 0; r < h->nreps; r++) {
        if (!*overflow && hdr_add(&all, &h->reps[r]) != 0)
            *overflow = 1;
        wall += rep_wall_ns[r];
        json_t *one = results_summary(&h->reps[r], (double)rep_wall_ns[r] / 1e9);
        json_object_set_new(one, "iterations", json_integer((json_int_t)rep_iterations[r]));
        json_object_set_new(one, "wall_s", json_real((double)rep_wall_ns[r] / 1e9));
        json_array_append_new(reps, one);
    }
    json_t *o = results_summary(&all, (double)wall / 1e9);
    json_object_set_new(o, "repetitions", reps);
    hdr_fini(&all);
    return o;
}

json_t *results_histogram(const struct bhost_hist *h, const uint64_t *rep_iterations,
                          const uint64_t *rep_wall_ns)
{
    int overflow = 0;
    return histogram_json(h, rep_iterations, rep_wall_ns, &overflow);
}

json_t *results_metrics(const struct metrics *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->n; i++) {
        /* JSON has no NaN or infinity: such a value is reported as null. */
        double v = m->v[i].value;
        json_object_set_new(o, m->v[i].name,
                            json_pack("{s:s, s:o}", "kind",
                                      m->v[i].kind == METRIC_COUNTER ? "counter" : "gauge",
                                      "value", isfinite(v) ? json_real(v) : json_null()));
    }
    return o;
}

static json_t *failures_json(const struct point_state *ps, uint64_t measured)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < ps->nreasons; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:I}", "reason", ps->reasons[i].text,
                                                 "count", (json_int_t)ps->reasons[i].count));
    /* Nothing measured (the point failed first): no rate, rather than a false 0. */
    json_t *rate = measured ? json_real(1.0 - (double)ps->failures / (double)measured)
                            : json_null();
    return json_pack("{s:I, s:o, s:o}", "count", (json_int_t)ps->failures, "success_rate", rate,
                     "reasons", reasons);
}

/* An open-loop point's schedule; how late it ran is null when nothing was measured. */
static json_t *schedule_json(const struct spec_experiment *e, const struct point_run *pr,
                             uint64_t measured)
{
    return json_pack("{s:f, s:s, s:o, s:o}", "rate", e->rate, "arrival",
                     spec_arrival_name(e->arrival), "late",
                     measured ? json_integer((json_int_t)pr->late) : json_null(), "max_lag_ns",
                     measured ? json_integer((json_int_t)pr->max_lag_ns) : json_null());
}

/* Each repetition's start in seconds since the epoch: run.hlog places intervals by it. */
static void add_rep_starts(json_t *hists, const uint64_t *started_ns, uint32_t nreps)
{
    const char *name;
    json_t *h;
    json_object_foreach(hists, name, h) {
        json_t *reps = json_object_get(h, "repetitions");
        for (uint32_t r = 0; r < nreps && r < json_array_size(reps); r++)
            json_object_set_new(json_array_get(reps, r), "started_unix_s",
                                started_ns && started_ns[r]
                                    ? json_real((double)started_ns[r] / 1e9) : json_null());
    }
}

json_t *results_point(const struct point *pt, const struct point_state *ps,
                      const struct point_run *pr)
{
    const struct spec_experiment *e = pt->exp;
    uint64_t measured = 0;
    for (uint32_t r = 0; r < e->repetitions; r++)
        measured += pr->rep_iterations[r];
    char seed[19];
    snprintf(seed, sizeof seed, "%016llx", (unsigned long long)pt->seed);
    /* What was measured is kept, even when a later hook failed the point. */
    json_t *hists = json_object();
    const char *too_many = NULL;
    if (measured > 0)
        for (size_t i = 0; i < ps->nhists; i++) {
            int overflow = 0;
            json_object_set_new(hists, ps->hists[i]->name,
                                histogram_json(ps->hists[i], pr->rep_iterations,
                                               pr->rep_wall_ns, &overflow));
            if (overflow && !too_many)
                too_many = ps->hists[i]->name;
        }
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:{s:I, s:I, s:I}, s:i, s:f}",
                  "index", (json_int_t)pt->index, "id", pt->id, "label", pt->label, "experiment",
                  e->name, "plugin", e->plugin->desc.name, "plugin_version",
                  e->plugin->desc.version ? e->plugin->desc.version : "", "params",
                  plugin_params_json(e->plugin, pt->values), "status", pr->error ? "failed" : "ok",
                  "seed", seed, "iterations", "warmup", (json_int_t)pr->warmup_done, "measured",
                  (json_int_t)measured, "batch", (json_int_t)pr->batch, "repetitions",
                  (int)e->repetitions, "wall_s", (double)pr->wall_ns / 1e9);
    int capped = 0;
    for (uint32_t r = 0; r < e->repetitions; r++)
        capped |= pr->rep_iterations[r] >= RUNNER_MAX_ITERATIONS;
    json_object_set_new(json_object_get(o, "iterations"), "capped", json_boolean(capped));
    json_object_set_new(o, "error", pr->error ? json_string(pr->error) : json_null());
    if (too_many && !pr->error) {
        char *why = xasprintf("histogram \"%s\": its repetitions hold more than 2^63-1 values "
                              "in all; its summary stops before the repetition that overflowed",
                              too_many);
        json_object_set_new(o, "status", json_string("failed"));
        json_object_set_new(o, "error", json_string(why));
        free(why);
    }
    json_object_set_new(o, "stderr_tail", json_null());
    json_object_set_new(o, "failures", failures_json(ps, measured));
    add_rep_starts(hists, pr->rep_started_ns, e->repetitions);
    json_object_set_new(o, "histograms", hists);
    json_object_set_new(o, "metrics", results_metrics(&ps->metrics));
    if (e->rate > 0)
        json_object_set_new(o, "schedule", schedule_json(e, pr, measured));
    return o;
}

json_t *results_lost_point(const struct point *pt, const char *error, const char *stderr_tail,
                           uint64_t wall_ns)
{
    struct point_state ps;
    point_state_init(&ps, pt->exp->repetitions, pt->id, NULL);
    uint64_t *zeros = xcalloc(pt->exp->repetitions, sizeof *zeros);
    struct point_run pr = {.error = xstrdup(error), .batch = 1, .rep_iterations = zeros,
                           .rep_wall_ns = zeros, .wall_ns = wall_ns};
    json_t *o = results_point(pt, &ps, &pr);
    if (stderr_tail)
        json_object_set_new(o, "stderr_tail", json_string(stderr_tail));
    free(pr.error);
    free(zeros);
    point_state_fini(&ps);
    return o;
}

json_t *results_skipped_point(const struct point *pt, const char *why)
{
    json_t *o = results_lost_point(pt, why, NULL, 0);
    json_object_set_new(o, "status", json_string("skipped"));
    return o;
}

json_t *results_instrument(const struct instrument_run *ir)
{
    const struct plugin *p = ir->si->plugin;
    json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "instrument", p->desc.name, "experiment",
                          ir->exp->name, "params", plugin_params_json(p, ir->si->values), "metrics",
                          results_metrics(&ir->metrics));
    json_object_set_new(o, "error", ir->error ? json_string(ir->error) : json_null());
    return o;
}

/*
 * a + b, held at INT64_MAX (or INT64_MIN) instead of overflowing. The points
 * summed come from a journal or from results files that point_check() passed,
 * so each count is an int64 >= 0, but a hand-edited journal can still hold
 * counts whose sum does not fit: run.failures then says INT64_MAX.
 */
static json_int_t add_saturating(json_int_t a, json_int_t b)
{
    json_int_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

json_t *results_run_failures(json_t *points)
{
    json_t *by_reason = json_object(), *reasons = json_array();
    json_int_t count = 0, measured = 0;
    size_t i, k;
    json_t *pt, *r;
    json_array_foreach(points, i, pt) {
        json_t *f = json_object_get(pt, "failures");
        count = add_saturating(count, json_integer_value(json_object_get(f, "count")));
        measured = add_saturating(
            measured, json_integer_value(json_object_get(json_object_get(pt, "iterations"),
                                                         "measured")));
        json_array_foreach(json_object_get(f, "reasons"), k, r) {
            const char *text = json_string_value(json_object_get(r, "reason"));
            json_int_t n = json_integer_value(json_object_get(r, "count"));
            json_t *sum = json_object_get(by_reason, text);
            if (sum) {
                json_integer_set(sum, add_saturating(json_integer_value(sum), n));
            } else {
                json_object_set_new(by_reason, text, json_integer(n));
                json_array_append_new(reasons, json_string(text)); /* first-seen order */
            }
        }
    }
    json_t *list = json_array();
    json_array_foreach(reasons, i, r)
        json_array_append_new(list, json_pack("{s:O, s:O}", "reason", r, "count",
                                              json_object_get(by_reason,
                                                              json_string_value(r))));
    json_decref(reasons);
    json_decref(by_reason);
    json_t *rate = measured ? json_real(1.0 - (double)count / (double)measured) : json_null();
    return json_pack("{s:I, s:o, s:o}", "count", count, "success_rate", rate, "reasons", list);
}

size_t results_count_status(json_t *points, const char *status)
{
    size_t n = 0, i;
    json_t *pt;
    json_array_foreach(points, i, pt)
        n += strcmp(json_string_value(json_object_get(pt, "status")), status) == 0;
    return n;
}

json_t *results_document(const struct spec *s, const struct run_info *info, json_t *env,
                         json_t *points, json_t *instruments)
{
    size_t failed = results_count_status(points, "failed");
    size_t skipped = results_count_status(points, "skipped");
    json_t *argv = json_array();
    for (int a = 0; a < info->argc; a++) {
        char *arg = utf8_sanitize(xstrdup(info->argv[a]));
        json_array_append_new(argv, json_string(arg));
        free(arg);
    }
    json_t *run = json_pack("{s:o, s:s, s:s, s:f, s:s, s:I, s:I, s:I, s:s}", "argv", argv,
                            "started_utc", info->started_utc, "finished_utc", info->finished_utc,
                            "wall_s", (double)info->wall_ns / 1e9, "dir", info->run_dir,
                            "points_total", (json_int_t)info->points_total, "points_run",
                            (json_int_t)(json_array_size(points) - skipped), "points_failed",
                            (json_int_t)failed, "status",
                            info->stop_signal ? "interrupted" : failed ? "failed"
                                                : skipped ? "incomplete" : "ok");
    json_object_set_new(run, "points_skipped", json_integer((json_int_t)skipped));
    json_object_set_new(run, "failures", results_run_failures(points));
    json_object_set_new(run, "filter", info->filter ? json_string(info->filter) : json_null());
    json_object_set_new(run, "jobs", json_integer((json_int_t)(info->jobs ? info->jobs : 1)));
    json_object_set_new(run, "pinning", json_string(info->pinning ? info->pinning : "none"));
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o}", "schema", RESULTS_SCHEMA,
                     "bhost", "version", BHOST_VERSION, "abi", abi, "run", run,
                     "spec", spec_to_json(s), "environment", env, "points", points,
                     "instruments", instruments);
}

int results_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
    char *text = json_dumps(doc, JSON_INDENT(1));
    if (!text) {
        snprintf(err, errlen, "%s: cannot serialise results", path);
        return -1;
    }
    int rc = write_file_atomic(path, text, strlen(text));
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write results: %s", path, strerror(errno));
    free(text);
    return rc;
}
