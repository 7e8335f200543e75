/* versus.c — see versus.h. */
#include "gate/versus.h"
#include "spec/gate_figure.h"

#include <math.h>
#include <stdio.h>

#define Z95 1.959963984540054 /* the standard normal's 97.5th percentile */

static const char *baseline_name(const struct gate_ctx *c)
{
    return c->in->baseline_name ? c->in->baseline_name : "the baseline";
}

static void no_baseline(const struct gate_ctx *c, struct outcome *o)
{
    outcome_set(o, GATE_NOT_JUDGED, "%s", gate_no_baseline(c));
}

/* The comparison's figure for g at this point; NULL with o set when there is none. */
static const struct compare_figure *compared(const struct gate_ctx *c, const struct spec_gate *g,
                                             const json_t *point, struct outcome *o)
{
    if (!c->in->vs) {
        no_baseline(c, o);
        return NULL;
    }
    char fig[128];
    gate_figure_name(g, fig, sizeof fig);
    const struct compare_figure *f = gate_ctx_figure(c, point, g);
    if (f)
        return f;
    if (point_skipped(point) || point_failed(point)) {
        char what[200];
        snprintf(what, sizeof what, "%s to compare", fig);
        point_lacks(point, what, o);
    } else {
        outcome_set(o, GATE_NOT_JUDGED, "the comparison with %s has no %s for this point (a new "
                    "point, or a figure the comparison did not compute)", baseline_name(c), fig);
    }
    return NULL;
}

void regression_judge(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                      struct outcome *o)
{
    const struct compare_figure *f = compared(c, g, point, o);
    if (!f)
        return;
    char fig[128], ratio[400];
    gate_figure_name(g, fig, sizeof fig);
    o->value = f->r.ratio;
    if (isnan(f->r.lo) || isnan(f->r.hi)) {
        /* The comparison's own reason: too few repetitions, as a rule. */
        const char *why = *f->why ? f->why : "too few repetitions";
        if (isnan(f->r.ratio))
            outcome_set(o, GATE_INCONCLUSIVE, "%s against %s has no ratio: %s", fig,
                        baseline_name(c), why);
        else
            outcome_set(o, GATE_INCONCLUSIVE, "%s ratio %.3f against %s has no interval: %s",
                        fig, f->r.ratio, baseline_name(c), why);
        return;
    }
    snprintf(ratio, sizeof ratio, "%s ratio %.3f (interval %.3f..%.3f) against %s", fig,
             f->r.ratio, f->r.lo, f->r.hi, baseline_name(c));
    double most = 1 + g->limit;
    if (compare_judge(f->r.ratio, f->r.lo, f->r.hi, g->limit) == VERDICT_SLOWER)
        outcome_set(o, GATE_MISSED, "%s is %.1f%% slower: %s, limit +%g%%", fig,
                    (f->r.ratio - 1) * 100, ratio, g->limit * 100);
    else if (f->r.hi <= most)
        outcome_set(o, GATE_MET, "%s, within +%g%%", ratio, g->limit * 100);
    else
        outcome_set(o, GATE_INCONCLUSIVE, "%s reaches past the limit %.3f without showing a "
                    "regression (more repetitions would tell)", ratio, most);
}

/* "[0.6, 0.7]", "[1.1, inf]" */
static void range_text(double lo, double hi, char *buf, size_t n)
{
    if (isinf(hi))
        snprintf(buf, n, "[%.3g, inf]", lo);
    else
        snprintf(buf, n, "[%.3g, %.3g]", lo, hi);
}

/* An interval of the ratio against the claim's range: `what` describes the interval. */
static void judge_interval(double lo, double hi, double clo, double chi, const char *what,
                           struct outcome *o)
{
    char claim[64];
    range_text(clo, chi, claim, sizeof claim);
    if (isnan(lo) || isnan(hi))
        outcome_set(o, GATE_INCONCLUSIVE, "%s: no interval to judge the claim %s by", what,
                    claim);
    else if (lo >= clo && hi <= chi)
        outcome_set(o, GATE_MET, "%s lies inside the claim's %s", what, claim);
    else if (hi < clo || lo > chi)
        outcome_set(o, GATE_MISSED, "%s lies outside the claim's %s", what, claim);
    else
        outcome_set(o, GATE_INCONCLUSIVE, "%s overlaps the claim's %s but is not inside it",
                    what, claim);
}

/* The ratio of failure rates, this run's over the baseline's, with the Katz log interval. */
static void failures_claim(const struct gate_ctx *c, const json_t *point, double clo,
                           double chi, struct outcome *o)
{
    if (!c->in->baseline) {
        no_baseline(c, o);
        return;
    }
    const json_t *base = gate_ctx_baseline_point(c, point);
    if (!base) {
        outcome_set(o, GATE_NOT_JUDGED, "%s has no point with this id", baseline_name(c));
        return;
    }
    if (point_skipped(point) || point_skipped(base)) {
        outcome_set(o, GATE_NOT_JUDGED, "the point was skipped in %s",
                    point_skipped(point) ? "this run" : baseline_name(c));
        return;
    }
    double fa = json_number_value(json_object_get(json_object_get(base, "failures"), "count"));
    double na = json_number_value(json_object_get(json_object_get(base, "iterations"), "measured"));
    double fb = json_number_value(json_object_get(json_object_get(point, "failures"), "count"));
    double nb = json_number_value(json_object_get(json_object_get(point, "iterations"),
                                                  "measured"));
    if (!(na > 0) || !(nb > 0) || fa > na || fb > nb) {
        outcome_set(o, GATE_NOT_JUDGED, "no measured iterations in %s: no failure rate",
                    na > 0 ? "this run" : baseline_name(c));
        return;
    }
    char rates[120];
    snprintf(rates, sizeof rates, "%.0f of %.0f failed in %s, %.0f of %.0f here", fa, na,
             baseline_name(c), fb, nb);
    /* A zero count has no log: half an iteration more in every cell of the 2x2 table. */
    if (fa == 0 || fb == 0) {
        fa += 0.5, fb += 0.5;
        na += 1, nb += 1;
    }
    double rr = (fb / nb) / (fa / na);
    double se = sqrt(1 / fb - 1 / nb + 1 / fa - 1 / na);
    double lo = rr * exp(-Z95 * se), hi = rr * exp(Z95 * se);
    char what[300];
    snprintf(what, sizeof what, "failure rate ratio %.3f (95%% interval %.3f..%.3f; %s)", rr, lo,
             hi, rates);
    o->value = rr;
    judge_interval(lo, hi, clo, chi, what, o);
}

/* A metric's ratio: one value per run, so no interval. */
static void metric_claim(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                         double clo, double chi, struct outcome *o)
{
    if (!c->in->baseline) {
        no_baseline(c, o);
        return;
    }
    const json_t *base = gate_ctx_baseline_point(c, point);
    const json_t *a = json_object_get(json_object_get(json_object_get(base, "metrics"),
                                                      g->metric), "value");
    const json_t *b = json_object_get(json_object_get(json_object_get(point, "metrics"),
                                                      g->metric), "value");
    if (!json_is_number(a) || !json_is_number(b)) {
        outcome_set(o, GATE_NOT_JUDGED, "metric '%s' has no value in %s", g->metric,
                    !base ? "the baseline (no point with this id)"
                    : !json_is_number(a) ? baseline_name(c) : "this run");
        return;
    }
    double va = json_number_value(a), vb = json_number_value(b);
    if (va == 0) {
        outcome_set(o, GATE_NOT_JUDGED, "metric '%s' is 0 in %s: no ratio", g->metric,
                    baseline_name(c));
        return;
    }
    double r = vb / va;
    char claim[64];
    range_text(clo, chi, claim, sizeof claim);
    o->value = r;
    outcome_set(o, r >= clo && r <= chi ? GATE_MET : GATE_MISSED,
                "metric:%s ratio %.3f (%.6g in %s, %.6g here) %s the claim's %s; one value per "
                "run: no interval", g->metric, r, va, baseline_name(c), vb,
                r >= clo && r <= chi ? "lies inside" : "lies outside", claim);
}

void claim_judge(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                 struct outcome *o)
{
    double clo = g->lo, chi = g->hi;
    if (g->claim == SPEC_CLAIM_UNCHANGED) {
        clo = 1 / (1 + c->threshold);
        chi = 1 + c->threshold;
    }
    if (g->figure == SPEC_FIG_FAILURES) {
        failures_claim(c, point, clo, chi, o);
        return;
    }
    if (g->figure == SPEC_FIG_METRIC) {
        metric_claim(c, g, point, clo, chi, o);
        return;
    }
    const struct compare_figure *f = compared(c, g, point, o);
    if (!f)
        return;
    char fig[128], what[300];
    gate_figure_name(g, fig, sizeof fig);
    snprintf(what, sizeof what, "%s ratio %.3f against %s (interval %.3f..%.3f)", fig,
             f->r.ratio, baseline_name(c), f->r.lo, f->r.hi);
    o->value = f->r.ratio;
    judge_interval(f->r.lo, f->r.hi, clo, chi, what, o);
}
