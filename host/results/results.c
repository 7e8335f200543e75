/* results.c — see results.h and docs/results.md. */
#include "results/results.h"
#include "hdr/hdr_v2.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <bhost/bhost.h>
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

/* results_summary(), with h's encoding given when it is known already (else NULL), and the
 * unit of its values: only times have a throughput. */
static json_t *summary(const struct hdr *h, double wall_s, const char *encoded,
                       const char *unit)
{
    struct hdr_summary s;
    hdr_summarize(h, &s);
    char *b64 = encoded ? xstrdup(encoded) : hdr_encode_v2_base64(h);
    int time = strcmp(unit, "ns") == 0;
    if (s.count == 0) {
        json_t *o = empty_summary();
        json_object_set_new(o, "unit", json_string(unit));
        if (!time)
            json_object_set_new(o, "throughput_per_s", json_null());
        json_object_set_new(o, "hdr", b64 ? json_string(b64) : json_null());
        free(b64);
        return o;
    }
    json_t *o = json_pack("{s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
                          "unit", unit, "count", (json_int_t)s.count, "min", (json_int_t)s.min,
                          "mean", s.mean, "stddev", s.stddev, "p50", (json_int_t)s.p50, "p75",
                          (json_int_t)s.p75, "p90", (json_int_t)s.p90, "p95", (json_int_t)s.p95,
                          "p99", (json_int_t)s.p99, "p99_9", (json_int_t)s.p999, "p99_99",
                          (json_int_t)s.p9999, "max", (json_int_t)s.max, "throughput_per_s",
                          wall_s > 0 ? (double)s.count / wall_s : 0.0);
    if (!time)
        json_object_set_new(o, "throughput_per_s", json_null());
    json_object_set_new(o, "hdr", b64 ? json_string(b64) : json_null());
    free(b64);
    return o;
}

json_t *results_summary(const struct hdr *h, double wall_s, const char *unit)
{
    return summary(h, wall_s, NULL, unit ? unit : "ns");
}

json_t *results_histogram(const struct hdr *reps, uint32_t nreps, const uint64_t *rep_iterations,
                          const uint64_t *rep_wall_ns, char *const *encoded, const char *unit,
                          int *overflow)
{
    struct hdr all;
    if (nreps == 0 || hdr_init(&all, reps[0].lowest_discernible, reps[0].highest_trackable,
                               reps[0].sig_figs) != 0)
        return json_null();
    json_t *out = json_array();
    uint64_t wall = 0;
    /* One repetition: the sum is that repetition, bucket for bucket, and so is its encoding. */
    char *single = NULL;
    if (nreps == 1 && !(encoded && encoded[0]))
        single = hdr_encode_v2_base64(&reps[0]);
    for (uint32_t r = 0; r < nreps; r++) {
        if (!*overflow && hdr_add(&all, &reps[r]) != 0)
            *overflow = 1;
        wall += rep_wall_ns[r];
        json_t *one = summary(&reps[r], (double)rep_wall_ns[r] / 1e9,
                              single ? single : encoded ? encoded[r] : NULL, unit);
        json_object_set_new(one, "iterations", json_integer((json_int_t)rep_iterations[r]));
        json_object_set_new(one, "wall_s", json_real((double)rep_wall_ns[r] / 1e9));
        json_array_append_new(out, one);
    }
    const char *same = nreps != 1 || *overflow ? NULL : single ? single : encoded[0];
    json_t *o = summary(&all, (double)wall / 1e9, same, unit);
    free(single);
    json_object_set_new(o, "repetitions", out);
    hdr_fini(&all);
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

json_t *results_document(json_t *spec, const struct run_info *info, json_t *env,
                         json_t *points, json_t *instruments)
{
    /* A partial point failed too: it kept only some of what it was to measure. */
    size_t partial = results_count_status(points, "partial");
    size_t failed = results_count_status(points, "failed") + partial;
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
    json_object_set_new(run, "points_partial", json_integer((json_int_t)partial));
    json_object_set_new(run, "points_skipped", json_integer((json_int_t)skipped));
    json_object_set_new(run, "failures", results_run_failures(points));
    json_object_set_new(run, "filter", info->filter ? json_string(info->filter) : json_null());
    json_object_set_new(run, "jobs", json_integer((json_int_t)(info->jobs ? info->jobs : 1)));
    json_object_set_new(run, "pinning", json_string(info->pinning ? info->pinning : "none"));
    if (info->shard)
        json_object_set(run, "shard", info->shard);
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o}", "schema", RESULTS_SCHEMA,
                     "bhost", "version", BHOST_VERSION, "abi", abi, "run", run,
                     "spec", spec, "environment", env, "points", points,
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
