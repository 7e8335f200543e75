/* check.c — see check.h. */
#include "gate/check.h"
#include "hdr/hdr.h"
#include "results/results_read.h"
#include "spec/gate_figure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* In the order of enum spec_gate_op. */
static const char *const op_text[] = {"<", "<=", ">", ">=", "==", "!="};

static int holds(double v, enum spec_gate_op op, double limit)
{
    switch (op) {
    case SPEC_GATE_LT: return v < limit;
    case SPEC_GATE_LE: return v <= limit;
    case SPEC_GATE_GT: return v > limit;
    case SPEC_GATE_GE: return v >= limit;
    case SPEC_GATE_EQ: return v == limit;
    default: return v != limit;
    }
}

/* v against g's limit; `extra` follows the value ("" or " (timeout, ...)"). */
static void judge_value(const struct spec_gate *g, double v, const char *extra, struct outcome *o)
{
    char fig[128], val[64], lim[64];
    gate_figure_name(g, fig, sizeof fig);
    gate_format_value(g, v, val, sizeof val);
    gate_format_value(g, g->value, lim, sizeof lim);
    o->value = v;
    outcome_set(o, holds(v, g->op, g->value) ? GATE_MET : GATE_MISSED, "%s = %s%s, limit %s %s",
                fig, val, extra, op_text[g->op], lim);
}

static int histogram_value(const struct spec_gate *g, const json_t *point, double *v,
                           struct outcome *o)
{
    char what[300];
    snprintf(what, sizeof what, "%s histogram", g->histogram);
    const json_t *h = json_object_get(json_object_get(point, "histograms"), g->histogram);
    if (!json_is_object(h)) {
        point_lacks(point, what, o);
        return -1;
    }
    if (json_integer_value(json_object_get(h, "count")) == 0) {
        outcome_set(o, GATE_MISSED, "the %s is empty: no measured iteration succeeded", what);
        return -1;
    }
    char key[40];
    if (g->figure == SPEC_FIG_PERCENTILE)
        gate_percentile_key(g->percentile, key, sizeof key);
    else
        snprintf(key, sizeof key, "%s", g->figure == SPEC_FIG_MEAN ? "mean"
                                        : g->figure == SPEC_FIG_MIN ? "min"
                                        : g->figure == SPEC_FIG_MAX ? "max" : "throughput_per_s");
    const json_t *j = json_object_get(h, key);
    if (json_is_number(j)) {
        *v = json_number_value(j);
        return 0;
    }
    struct hdr hd;
    if (g->figure == SPEC_FIG_PERCENTILE && results_hdr(h, &hd) == 0) {
        *v = (double)hdr_value_at_percentile(&hd, g->percentile);
        hdr_fini(&hd);
        return 0;
    }
    outcome_set(o, GATE_NOT_JUDGED, "the %s has no %s%s", what, key,
                g->figure == SPEC_FIG_PERCENTILE ? ", nor an hdr to compute it from" : "");
    return -1;
}

/* The sizes of the artifacts in `list`; files not there count 0. */
static double artifact_bytes(const json_t *list)
{
    double sum = 0;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        const json_t *size = json_object_get(a, "size");
        if (json_is_number(size))
            sum += json_number_value(size);
    }
    return sum;
}

static int metric_value(const struct spec_gate *g, const json_t *point, double *v,
                        struct outcome *o)
{
    const json_t *m = json_object_get(json_object_get(point, "metrics"), g->metric);
    const char *kind = json_string_value(json_object_get(m, "kind"));
    const json_t *value = json_object_get(m, "value");
    if (kind && strcmp(kind, "unavailable") == 0) {
        const char *reason = json_string_value(json_object_get(m, "reason"));
        outcome_set(o, GATE_NOT_JUDGED, "metric '%s' is unavailable here: %s", g->metric,
                    reason ? reason : "no reason given");
        return -1;
    }
    if (!json_is_number(value)) {
        char what[300];
        snprintf(what, sizeof what, "metric '%s'", g->metric);
        point_lacks(point, what, o);
        return -1;
    }
    *v = json_number_value(value);
    return 0;
}

/* The reasons of this point's failures that the baseline's point of the same id lacks. */
static void new_failure_reasons(const struct gate_ctx *c, const struct spec_gate *g,
                                const json_t *point, struct outcome *o)
{
    if (!c->in->baseline) {
        outcome_set(o, GATE_NOT_JUDGED, "%s", gate_no_baseline(c));
        return;
    }
    const json_t *base = gate_ctx_baseline_point(c, point);
    if (!base) {
        outcome_set(o, GATE_NOT_JUDGED, "%s has no point with this id",
                    c->in->baseline_name ? c->in->baseline_name : "the baseline");
        return;
    }
    const json_t *old = json_object_get(json_object_get(base, "failures"), "reasons");
    char list[240] = "";
    size_t used = 0, fresh = 0, i, k;
    json_t *r, *q;
    json_array_foreach(json_object_get(json_object_get(point, "failures"), "reasons"), i, r) {
        const char *reason = point_text(r, "reason");
        int known = 0;
        json_array_foreach(old, k, q)
            known |= strcmp(point_text(q, "reason"), reason) == 0;
        if (known)
            continue;
        fresh++;
        if (used < sizeof list) {
            int w = snprintf(list + used, sizeof list - used, "%s'%s'", fresh > 1 ? ", " : " (",
                             reason);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    char extra[sizeof list + 8] = "";
    if (fresh)
        snprintf(extra, sizeof extra, "%s%s)", list, used >= sizeof list ? "..." : "");
    judge_value(g, (double)fresh, extra, o);
}

void check_judge_point(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                       struct outcome *o)
{
    if (point_skipped(point)) {
        point_lacks(point, "figures", o);
        return;
    }
    const json_t *failures = json_object_get(point, "failures");
    const json_t *j;
    double v = NAN;
    switch (g->figure) {
    case SPEC_FIG_NEW_FAILURE_REASONS:
        new_failure_reasons(c, g, point, o);
        return;
    case SPEC_FIG_FAILURES:
        /* A point that failed whole (crashed, timed out, setup refused) is a failure too,
         * whatever its count of failed iterations says. */
        if (point_failed(point)) {
            outcome_set(o, GATE_MISSED, "the point failed (%s)", point_error(point));
            return;
        }
        if (!json_is_number(j = json_object_get(failures, "count"))) {
            point_lacks(point, "failure count", o);
            return;
        }
        v = json_number_value(j);
        break;
    case SPEC_FIG_SUCCESS_RATE:
        if (!json_is_number(j = json_object_get(failures, "success_rate"))) {
            if (point_failed(point))
                outcome_set(o, GATE_MISSED, "the point failed before it measured anything (%s)",
                            point_error(point));
            else
                outcome_set(o, GATE_NOT_JUDGED, "nothing was measured: no success rate");
            return;
        }
        v = json_number_value(j);
        break;
    case SPEC_FIG_WALL_S:
        if (!json_is_number(j = json_object_get(point, "wall_s"))) {
            point_lacks(point, "wall_s", o);
            return;
        }
        v = json_number_value(j);
        break;
    case SPEC_FIG_ARTIFACT_BYTES:
        v = artifact_bytes(json_object_get(point, "artifacts"));
        break;
    case SPEC_FIG_METRIC:
        if (metric_value(g, point, &v, o) != 0)
            return;
        break;
    default:
        if (histogram_value(g, point, &v, o) != 0)
            return;
        break;
    }
    judge_value(g, v, "", o);
}

void check_judge_run(const struct gate_ctx *c, const struct spec_gate *g, struct outcome *o)
{
    const json_t *doc = c->in->doc, *run = json_object_get(doc, "run");
    const char *key = g->figure == SPEC_FIG_RUN_WALL_S ? "wall_s" : "points_failed";
    double v;
    if (g->figure == SPEC_FIG_RUN_ARTIFACT_BYTES) {
        v = 0;
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(doc, "points"), i, x)
            v += artifact_bytes(json_object_get(x, "artifacts"));
        json_array_foreach(json_object_get(doc, "instruments"), i, x)
            v += artifact_bytes(json_object_get(x, "artifacts"));
    } else if (json_is_number(json_object_get(run, key))) {
        v = json_number_value(json_object_get(run, key));
    } else {
        outcome_set(o, GATE_NOT_JUDGED, "the results have no run.%s", key);
        return;
    }
    judge_value(g, v, "", o);
}
