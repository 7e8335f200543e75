/*
 * compare.c — see compare.h: points matched by id, each figure's per-
 * repetition values gathered from both sides and compared, the warnings
 * about what the figures can be trusted for, the summary and the outcome.
 */
#include "compare/compare.h"
#include "compare/compare_env.h"
#include "compare/compare_points.h"
#include "hdr/hdr.h"
#include "results/results_read.h"
#include "util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double default_percentiles[] = COMPARE_DEFAULT_PERCENTILES;

/* What the figures of one side could be trusted for, tallied over points. */
struct tally {
    size_t points;      /* points it applies to */
    const char *label;  /* the first of them */
    long long value;    /* the fewest repetitions, or iterations, seen */
    const char *last_id; /* counts each point once */
};

struct work {
    const struct compare_options *o;
    double pct[COMPARE_MAX_PERCENTILES];
    char key[COMPARE_MAX_PERCENTILES][16];
    size_t npct;
    size_t min_reps;
    int given[COMPARE_MAX_PERCENTILES]; /* some side could give it somewhere */
    int histogram_seen;                 /* --histogram: some matched point has it on both sides */
    struct tally few[2], tail[COMPARE_MAX_PERCENTILES];
    json_t *shared[2];                  /* experiments whose repetitions shared a process */
    struct compare_figure *figs;
    size_t nfigs, cap;
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The iterations a repetition needs for its pXX to rest on 10 values: 10 / (1 - q), with
 * the float noise of 1 - 0.999 taken off before rounding up. */
static double tail_need(double pct)
{
    double x = 10 / (1 - pct / 100);
    return ceil(x - 1e-6 * x);
}

static void tally_add(struct tally *t, const char *id, const char *label, long long value)
{
    if (t->last_id && strcmp(t->last_id, id) == 0) {
        if (value < t->value) {
            t->value = value;
            t->label = label;
        }
        return;
    }
    if (!t->points || value < t->value) { /* the warning names the smallest */
        t->value = value;
        t->label = label;
    }
    t->points++;
    t->last_id = id;
}

/* "p50", "p99_9": a percentile as results documents name it. */
static void figure_key(char *buf, size_t size, double p)
{
    snprintf(buf, size, "p%g", p);
    for (char *c = buf; *c; c++)
        if (*c == '.')
            *c = '_';
}

static int check_options(struct work *w, char *err, size_t errlen)
{
    const struct compare_options *o = w->o;
    if (!(o->threshold >= 0) || isinf(o->threshold))
        return fail(err, errlen, "the threshold must be a number >= 0, not %g", o->threshold);
    if (!(o->confidence > 0 && o->confidence < 1))
        return fail(err, errlen, "the confidence must lie between 0 and 1, not %g",
                    o->confidence);
    if (o->npercentiles > COMPARE_MAX_PERCENTILES)
        return fail(err, errlen, "at most %d percentiles", COMPARE_MAX_PERCENTILES);
    w->npct = o->npercentiles ? o->npercentiles : ARRAY_LEN(default_percentiles);
    for (size_t k = 0; k < w->npct; k++) {
        double p = o->npercentiles ? o->percentiles[k] : default_percentiles[k];
        if (!(p > 0 && p <= 100))
            return fail(err, errlen, "percentile %g lies outside (0, 100]", p);
        w->pct[k] = p;
        figure_key(w->key[k], sizeof w->key[k], p);
        for (size_t j = 0; j < k; j++)
            if (strcmp(w->key[j], w->key[k]) == 0)
                return fail(err, errlen, "percentile %g is asked twice", p);
    }
    w->min_reps = stats_min_per_side(o->confidence);
    return 0;
}

/*
 * One side's figure, repetition by repetition: the key when the repetition
 * has it, else its "hdr" decoded. A repetition that measured nothing (null)
 * gives no value. *can: the side could give the figure; *fewest: the fewest
 * iterations of a repetition (-1 unknown).
 */
static size_t rep_values(const json_t *hist, double pct, const char *key, double **out,
                         int *can, long long *fewest)
{
    json_t *reps = json_object_get(hist, "repetitions"), *rep;
    size_t k, n = 0;
    *out = xcalloc(json_array_size(reps) + 1, sizeof **out);
    *can = json_array_size(reps) > 0;
    *fewest = -1;
    json_array_foreach(reps, k, rep) {
        json_t *v = json_object_get(rep, key);
        json_t *its = json_object_get(rep, "iterations");
        if (!json_is_integer(its))
            its = json_object_get(rep, "count");
        if (json_is_integer(its) && (*fewest < 0 || json_integer_value(its) < *fewest))
            *fewest = (long long)json_integer_value(its);
        struct hdr h;
        if (json_is_number(v)) {
            (*out)[n++] = json_number_value(v);
        } else if (json_is_null(v)) {
            continue;
        } else if (results_hdr(rep, &h) == 0) {
            if (h.total_count > 0)
                (*out)[n++] = (double)hdr_value_at_percentile(&h, pct);
            hdr_fini(&h);
        } else {
            *can = 0;
        }
    }
    return n;
}

static double median_copy(const double *v, size_t n)
{
    double *c = xcalloc(n + 1, sizeof *c);
    memcpy(c, v, n * sizeof *c);
    double m = stats_median(c, n);
    free(c);
    return m;
}

static int all_positive(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0))
            return 0;
    return 1;
}

static void judge(struct work *w, struct compare_figure *f, const double *va,
                  const double *vb, int can_a, int can_b)
{
    double t = w->o->threshold;
    f->r.ratio = f->r.lo = f->r.hi = NAN;
    f->verdict = VERDICT_INCONCLUSIVE;
    if (!can_a || !can_b) {
        snprintf(f->why, sizeof f->why, "%s has no %s (no such key and no hdr to compute it from)",
                 !can_a ? "A" : "B", f->figure);
        return;
    }
    if (f->na == 0 || f->nb == 0) {
        snprintf(f->why, sizeof f->why, "no measured values in %s", f->na == 0 ? "A" : "B");
        return;
    }
    if (!all_positive(va, f->na) || !all_positive(vb, f->nb) ||
        stats_ratio_interval(va, f->na, vb, f->nb, w->o->confidence, &f->r) != 0) {
        snprintf(f->why, sizeof f->why, "a value of 0 in %s: no ratio",
                 all_positive(va, f->na) ? "B" : "A");
        return;
    }
    /* Below the minimum on one side an interval may exist (3 vs 5), but not on an even footing. */
    int few = f->na < w->min_reps || f->nb < w->min_reps;
    f->verdict = few ? VERDICT_INCONCLUSIVE : compare_judge(f->r.ratio, f->r.lo, f->r.hi, t);
    if (f->verdict != VERDICT_INCONCLUSIVE)
        return;
    if (few || isnan(f->r.lo))
        snprintf(f->why, sizeof f->why,
                 "%zu repetitions in A, %zu in B: a %g%% interval needs at least %zu on each side",
                 f->na, f->nb, w->o->confidence * 100, w->min_reps);
    else if (f->r.lo > 1 || f->r.hi < 1)
        snprintf(f->why, sizeof f->why,
                 "the interval %.3f-%.3f excludes 1 but does not lie within the %g%% threshold, "
                 "and the ratio is within it", f->r.lo, f->r.hi, t * 100);
    else
        snprintf(f->why, sizeof f->why,
                 "the interval %.3f-%.3f includes 1 and reaches past the %g%% threshold: "
                 "too noisy to tell", f->r.lo, f->r.hi, t * 100);
}

static void add_figure(struct work *w, const char *id, const char *label, const char *hname,
                       const json_t *ha, const json_t *hb, size_t k)
{
    double *va, *vb;
    int can_a, can_b;
    long long few_a, few_b;
    size_t na = rep_values(ha, w->pct[k], w->key[k], &va, &can_a, &few_a);
    size_t nb = rep_values(hb, w->pct[k], w->key[k], &vb, &can_b, &few_b);
    grow(&w->figs, &w->cap, w->nfigs, sizeof *w->figs);
    struct compare_figure *f = &w->figs[w->nfigs++];
    memset(f, 0, sizeof *f);
    f->point_id = id;
    f->label = label;
    f->histogram = hname;
    f->unit = json_string_value(json_object_get(hb, "unit"));
    if (!f->unit)
        f->unit = "ns";
    snprintf(f->figure, sizeof f->figure, "%s", w->key[k]);
    f->na = na;
    f->nb = nb;
    f->a = median_copy(va, na);
    f->b = median_copy(vb, nb);
    w->given[k] |= can_a || can_b;
    judge(w, f, va, vb, can_a, can_b);
    if (can_a && can_b && na < w->min_reps)
        tally_add(&w->few[0], id, label, (long long)na);
    if (can_a && can_b && nb < w->min_reps)
        tally_add(&w->few[1], id, label, (long long)nb);
    /* A repetition's pXX rests on its slowest 1-q share: 10 values of it at least. */
    if (w->pct[k] < 100) {
        double need = tail_need(w->pct[k]);
        long long fewest = few_a < 0 ? few_b : few_b < 0 ? few_a : few_a < few_b ? few_a : few_b;
        if (fewest >= 0 && (double)fewest < need)
            tally_add(&w->tail[k], id, label, fewest);
    }
    free(va);
    free(vb);
}

/* The repetitions of a point ran in one process: noted per experiment for its warning. */
static void note_shared(json_t *shared, const json_t *doc, const json_t *point)
{
    json_t *spec = json_object_get(doc, "spec"), *e;
    json_t *reps = json_object_get(point, "repetitions");
    const char *name = json_string_value(json_object_get(point, "experiment"));
    if (!spec || !name || json_is_true(json_object_get(spec, "interleave")) ||
        !json_is_integer(reps) || json_integer_value(reps) <= 1)
        return;
    size_t i;
    json_array_foreach(json_object_get(spec, "experiments"), i, e) {
        const char *en = json_string_value(json_object_get(e, "name"));
        if (!en || strcmp(en, name) != 0 || json_is_true(json_object_get(e, "fresh_process")))
            continue;
        size_t j;
        json_t *s;
        json_array_foreach(shared, j, s)
            if (strcmp(json_string_value(s), name) == 0)
                return;
        json_array_append_new(shared, json_string(name));
        return;
    }
}

static void compare_point_figures(struct work *w, json_t *pa, json_t *pb)
{
    const char *id = json_string_value(json_object_get(pb, "id"));
    const char *label = json_string_value(json_object_get(pb, "label"));
    json_t *hsa = json_object_get(pa, "histograms"), *hb;
    const char *hname;
    json_object_foreach(json_object_get(pb, "histograms"), hname, hb) {
        json_t *ha = json_object_get(hsa, hname);
        if (!ha || (w->o->histogram && strcmp(w->o->histogram, hname) != 0))
            continue;
        w->histogram_seen = 1;
        for (size_t k = 0; k < w->npct; k++)
            add_figure(w, id, label ? label : id, hname, ha, hb, k);
    }
}

static void warn_tallies(struct work *w, json_t *warnings)
{
    for (int s = 0; s < 2; s++)
        if (w->few[s].points)
            json_array_append_new(warnings, json_sprintf(
                "%s has fewer than %zu repetitions at %zu point%s (%s: %lld): a %g%% interval "
                "needs %zu on each side, so their figures are inconclusive",
                s ? "B" : "A", w->min_reps, w->few[s].points, w->few[s].points == 1 ? "" : "s",
                w->few[s].label, w->few[s].value, w->o->confidence * 100, w->min_reps));
    for (size_t k = 0; k < w->npct; k++)
        if (w->tail[k].points)
            json_array_append_new(warnings, json_sprintf(
                "%s is unreliable at %zu point%s: a repetition's %s needs %.0f iterations "
                "(10/(1-q)), and %s had a repetition of %lld",
                w->key[k], w->tail[k].points, w->tail[k].points == 1 ? "" : "s", w->key[k],
                tail_need(w->pct[k]), w->tail[k].label, w->tail[k].value));
    for (int s = 0; s < 2; s++) {
        if (!json_array_size(w->shared[s]))
            continue;
        char names[256] = "";
        size_t i;
        json_t *n;
        json_array_foreach(w->shared[s], i, n) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                     json_string_value(n));
        }
        json_array_append_new(warnings, json_sprintf(
            "%s: the repetitions of %s shared one process per point, so its intervals leave out "
            "the variance between processes and are too narrow for comparing separate runs; set "
            "`fresh_process: true` (docs/compare.md)", s ? "B" : "A", names));
    }
}

/* The two sides of one `bhost ab` invocation (their repetitions alternated in time). */
static int one_ab_run(const json_t *a, const json_t *b)
{
    const char *ra = json_string_value(
        json_object_get(json_object_get(json_object_get(a, "run"), "ab"), "run"));
    const char *rb = json_string_value(
        json_object_get(json_object_get(json_object_get(b, "run"), "ab"), "run"));
    return ra && rb && strcmp(ra, rb) == 0;
}

/*
 * A tail of runs made at different times: on a shared machine it moves from one minute to
 * the next far more than the repetitions of one run spread (docs/performance.md), and a
 * history baseline, pooled from runs of another stretch of time, does not help; only runs
 * interleaved in one invocation compare tails fairly.
 */
static void warn_separate_tails(const struct work *w, const json_t *a, const json_t *b,
                                json_t *warnings)
{
    if (one_ab_run(a, b) || json_equal(json_object_get(a, "run"), json_object_get(b, "run")))
        return; /* interleaved, or one run compared with itself */
    char tails[COMPARE_MAX_PERCENTILES * 16] = "";
    for (size_t k = 0; k < w->npct; k++)
        if (w->pct[k] >= 90) {
            size_t used = strlen(tails);
            snprintf(tails + used, sizeof tails - used, "%s%s", used ? ", " : "", w->key[k]);
        }
    if (*tails)
        json_array_append_new(warnings, json_sprintf(
            "%s compared across runs made at different times: on a shared machine a tail moves "
            "between runs far more than within one, so a verdict on it may be noise; compare "
            "tails with `bhost ab` (docs/performance.md, \"Comparing runs\")", tails));
}

static void summarise(struct work *w, struct compare_result *r)
{
    size_t count[4] = {0}, more = 0, i;
    json_t *p, *geo = json_object();
    for (size_t f = 0; f < w->nfigs; f++)
        count[w->figs[f].verdict]++;
    json_array_foreach(r->points, i, p)
        more += json_is_true(json_object_get(p, "more_failures"));
    double *ratios = xcalloc(w->nfigs + 1, sizeof *ratios);
    for (size_t k = 0; k < w->npct; k++) {
        size_t n = 0;
        for (size_t f = 0; f < w->nfigs; f++)
            if (strcmp(w->figs[f].figure, w->key[k]) == 0 && w->figs[f].r.ratio > 0 &&
                !isinf(w->figs[f].r.ratio))
                ratios[n++] = w->figs[f].r.ratio;
        double g = stats_geomean(ratios, n);
        json_object_set_new(geo, w->key[k], isnan(g) ? json_null() : json_real(g));
    }
    free(ratios);
    r->summary = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "figures", (json_int_t)w->nfigs,
        "slower", (json_int_t)count[VERDICT_SLOWER], "faster", (json_int_t)count[VERDICT_FASTER],
        "same", (json_int_t)count[VERDICT_SAME], "inconclusive",
        (json_int_t)count[VERDICT_INCONCLUSIVE], "points", (json_int_t)json_array_size(r->points),
        "more_failures", (json_int_t)more, "only_a",
        (json_int_t)json_array_size(json_object_get(r->unmatched, "only_a")), "only_b",
        (json_int_t)json_array_size(json_object_get(r->unmatched, "only_b")), "geomean", geo);
    r->outcome = count[VERDICT_SLOWER] || more     ? COMPARE_REGRESSION
                 : count[VERDICT_INCONCLUSIVE]     ? COMPARE_INCONCLUSIVE
                                                   : COMPARE_NO_REGRESSION;
}

static void match(struct work *w, const json_t *a, const json_t *b, struct compare_result *r,
                  json_t *pairs)
{
    json_t *by_id = json_object(), *in_b = json_object(), *p;
    json_t *only_a = json_array(), *only_b = json_array();
    size_t i;
    json_array_foreach(json_object_get(a, "points"), i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (id)
            json_object_set(by_id, id, p);
    }
    json_array_foreach(json_object_get(b, "points"), i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        json_t *pa = id ? json_object_get(by_id, id) : NULL;
        if (!pa) {
            json_array_append(only_b, json_object_get(p, "label"));
            continue;
        }
        json_object_set_new(in_b, id, json_true());
        json_array_append_new(pairs, json_pack("[O, O]", pa, p));
        json_array_append_new(r->points, compare_point(pa, p));
        note_shared(w->shared[0], a, pa);
        note_shared(w->shared[1], b, p);
        compare_point_figures(w, pa, p);
    }
    json_array_foreach(json_object_get(a, "points"), i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (!id || !json_object_get(in_b, id))
            json_array_append(only_a, json_object_get(p, "label"));
    }
    r->unmatched = json_pack("{s:o, s:o}", "only_a", only_a, "only_b", only_b);
    json_decref(by_id);
    json_decref(in_b);
}

int compare_docs(const json_t *a, const json_t *b, const struct compare_options *o,
                 struct compare_result *out, char *err, size_t errlen)
{
    struct work w = {.o = o};
    memset(out, 0, sizeof *out);
    if (check_options(&w, err, errlen) != 0)
        return -1;
    w.shared[0] = json_array();
    w.shared[1] = json_array();
    out->points = json_array();
    out->environment = json_array();
    out->warnings = json_array();
    json_t *pairs = json_array();
    match(&w, a, b, out, pairs);
    int rc = 0;
    if (json_array_size(pairs) == 0) {
        rc = fail(err, errlen, "the two runs have no point in common (points are matched by id)");
    } else if (o->histogram && !w.histogram_seen) {
        rc = fail(err, errlen, "no point of both runs has the histogram '%s'", o->histogram);
    } else {
        for (size_t k = 0; k < w.npct && w.nfigs && rc == 0; k++)
            if (!w.given[k])
                rc = fail(err, errlen,
                          "neither run can give %s: their repetitions have no such key and no "
                          "hdr to compute it from", w.key[k]);
    }
    if (rc == 0) {
        compare_env(a, b, pairs, out->environment, out->warnings);
        warn_tallies(&w, out->warnings);
        warn_separate_tails(&w, a, b, out->warnings);
        summarise(&w, out);
        out->figs = w.figs;
        out->nfigs = w.nfigs;
        w.figs = NULL;
    }
    free(w.figs);
    json_decref(pairs);
    json_decref(w.shared[0]);
    json_decref(w.shared[1]);
    if (rc != 0)
        compare_result_free(out);
    return rc;
}

void compare_result_free(struct compare_result *r)
{
    free(r->figs);
    json_decref(r->points);
    json_decref(r->unmatched);
    json_decref(r->environment);
    json_decref(r->warnings);
    json_decref(r->summary);
    memset(r, 0, sizeof *r);
}
