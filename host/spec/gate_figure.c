/*
 * gate_figure.c — the figures a gate looks at (see gate_figure.h): their
 * names, a figure read from its text, and a suggestion for a misspelled one.
 */
#include "spec/gate_figure.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gate_text_fail(struct gate_text_error *e, size_t at, const char *fmt, ...)
{
    e->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static const struct {
    const char *name;
    enum spec_gate_figure figure;
} named[] = {
    {"mean", SPEC_FIG_MEAN}, {"min", SPEC_FIG_MIN}, {"max", SPEC_FIG_MAX},
    {"throughput", SPEC_FIG_THROUGHPUT},
    {"failures", SPEC_FIG_FAILURES}, {"success_rate", SPEC_FIG_SUCCESS_RATE},
    {"wall_s", SPEC_FIG_WALL_S}, {"artifact_bytes", SPEC_FIG_ARTIFACT_BYTES},
    {"new_failure_reasons", SPEC_FIG_NEW_FAILURE_REASONS}, {"run.wall_s", SPEC_FIG_RUN_WALL_S},
    {"run.failed_points", SPEC_FIG_RUN_FAILED_POINTS},
    {"run.artifact_bytes", SPEC_FIG_RUN_ARTIFACT_BYTES},
};
#define HISTOGRAM_NAMED 4 /* the first entries of named[] are a histogram's figures */

static const char *const histogram_figures[] = {"p50", "p75", "p90", "p95", "p99", "p99_9",
                                                "p99_99", "mean", "min", "max", "throughput"};
static const char *const all_figures[] = {
    "p50", "p75", "p90", "p95", "p99", "p99_9", "p99_99", "mean", "min", "max", "throughput",
    "failures", "success_rate", "wall_s", "artifact_bytes", "new_failure_reasons",
    "run.wall_s", "run.failed_points", "run.artifact_bytes"};

int gate_figure_is_histogram(enum spec_gate_figure f)
{
    return f == SPEC_FIG_PERCENTILE || f == SPEC_FIG_MEAN || f == SPEC_FIG_MIN ||
           f == SPEC_FIG_MAX || f == SPEC_FIG_THROUGHPUT;
}

int gate_figure_is_run(enum spec_gate_figure f)
{
    return f == SPEC_FIG_RUN_WALL_S || f == SPEC_FIG_RUN_FAILED_POINTS ||
           f == SPEC_FIG_RUN_ARTIFACT_BYTES;
}

void gate_percentile_key(double q, char *buf, size_t n)
{
    char num[32];
    snprintf(num, sizeof num, "%.10g", q);
    char *dot = strchr(num, '.');
    if (dot)
        *dot = '_';
    snprintf(buf, n, "p%s", num);
}

void gate_figure_name(const struct spec_gate *g, char *buf, size_t n)
{
    if (g->figure == SPEC_FIG_METRIC) {
        snprintf(buf, n, "metric:%s", g->metric);
        return;
    }
    char fig[40] = "";
    if (g->figure == SPEC_FIG_PERCENTILE)
        gate_percentile_key(g->percentile, fig, sizeof fig);
    for (size_t i = 0; i < ARRAY_LEN(named); i++)
        if (named[i].figure == g->figure)
            snprintf(fig, sizeof fig, "%s", named[i].name);
    if (gate_figure_is_histogram(g->figure) && g->histogram &&
        strcmp(g->histogram, "iteration") != 0)
        snprintf(buf, n, "%s.%s", g->histogram, fig);
    else
        snprintf(buf, n, "%s", fig);
}

/* "pN" or "pN_M": 1 with *q set, or 0 when s is not of that shape. */
static int percentile_of(const char *s, double *q)
{
    char num[32];
    size_t k = 0, i = 1;
    if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
        return 0;
    while (isdigit((unsigned char)s[i]) && k + 2 < sizeof num)
        num[k++] = s[i++];
    if (s[i] == '_' && isdigit((unsigned char)s[i + 1])) {
        num[k++] = '.';
        i++;
        while (isdigit((unsigned char)s[i]) && k + 1 < sizeof num)
            num[k++] = s[i++];
    }
    if (s[i])
        return 0;
    num[k] = '\0';
    *q = strtod(num, NULL);
    return 1;
}

/* "p99.9", a percentile written with a dot: its right spelling in buf, 1; else 0. */
static int dotted_percentile(const char *s, char *buf, size_t n)
{
    size_t i = 1;
    if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
        return 0;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (s[i] != '.' || !isdigit((unsigned char)s[i + 1]))
        return 0;
    size_t j = i + 1;
    while (isdigit((unsigned char)s[j]))
        j++;
    if (s[j])
        return 0;
    snprintf(buf, n, "%.*s_%s", (int)i, s, s + i + 1);
    return 1;
}

/* A likely meant figure for the unknown `tok` in buf, or "". */
static void suggest_figure(const char *tok, char *buf, size_t n)
{
    buf[0] = '\0';
    if (dotted_percentile(tok, buf, n))
        return;
    const char *near = closest_name(tok, all_figures, ARRAY_LEN(all_figures));
    if (near) {
        snprintf(buf, n, "%s", near);
        return;
    }
    /* HISTOGRAM.FIGURE with the figure misspelled: histogram names may hold dots. */
    for (const char *d = strchr(tok, '.'); d; d = strchr(d + 1, '.')) {
        char right[64];
        if (dotted_percentile(d + 1, right, sizeof right) ||
            (near = closest_name(d + 1, histogram_figures, ARRAY_LEN(histogram_figures)))) {
            snprintf(buf, n, "%.*s.%s", (int)(d - tok), tok, near ? near : right);
            return;
        }
    }
    const char *colon = strchr(tok, ':');
    if (colon && colon > tok) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - tok), tok);
        const char *metric[] = {"metric"};
        if (closest_name(prefix, metric, 1))
            snprintf(buf, n, "metric:%s", colon + 1);
    }
}

int gate_parse_figure(const char *tok, size_t at, struct spec_gate *g, struct gate_text_error *e)
{
    if (strncmp(tok, "metric:", 7) == 0) {
        if (!tok[7])
            return gate_text_fail(e, at, "'metric:' needs a metric's name, as in "
                           "metric:rusage.max_rss_kib");
        g->figure = SPEC_FIG_METRIC;
        g->metric = xstrdup(tok + 7);
        return 0;
    }
    for (size_t i = HISTOGRAM_NAMED; i < ARRAY_LEN(named); i++)
        if (strcmp(tok, named[i].name) == 0) {
            g->figure = named[i].figure;
            return 0;
        }
    /* A histogram's figure, alone or as HISTOGRAM.FIGURE. */
    const char *dot = strrchr(tok, '.');
    const char *fig = dot ? dot + 1 : tok;
    if (dot != tok) {
        int found = 0;
        for (size_t i = 0; i < HISTOGRAM_NAMED && !found; i++)
            if (strcmp(fig, named[i].name) == 0) {
                g->figure = named[i].figure;
                found = 1;
            }
        if (!found && percentile_of(fig, &g->percentile)) {
            if (!(g->percentile > 0 && g->percentile < 100))
                return gate_text_fail(e, at + (size_t)(fig - tok), "percentile '%s' is out of range: "
                               "pN or pN_M with 0 < N < 100 (p99_9 is the 99.9th)", fig);
            g->figure = SPEC_FIG_PERCENTILE;
            found = 1;
        }
        if (found) {
            g->histogram = dot ? xasprintf("%.*s", (int)(dot - tok), tok) : xstrdup("iteration");
            return 0;
        }
    }
    char near[128];
    suggest_figure(tok, near, sizeof near);
    if (*near)
        return gate_text_fail(e, at, "unknown figure '%s' (did you mean '%s'?)", tok, near);
    return gate_text_fail(e, at, "unknown figure '%s'; figures are a histogram's pN, mean, min, max "
                   "and throughput, failures, success_rate, wall_s, artifact_bytes, "
                   "new_failure_reasons, metric:NAME, run.wall_s, run.failed_points and "
                   "run.artifact_bytes", tok);
}

enum gate_unit gate_figure_unit(const struct spec_gate *g)
{
    switch (g->figure) {
    case SPEC_FIG_PERCENTILE: case SPEC_FIG_MEAN: case SPEC_FIG_MIN: case SPEC_FIG_MAX:
        return strcmp(g->histogram, "iteration") == 0 || strcmp(g->histogram, "response") == 0
                   ? GATE_UNIT_NS : GATE_UNIT_OWN;
    case SPEC_FIG_THROUGHPUT: return GATE_UNIT_PER_S;
    case SPEC_FIG_SUCCESS_RATE: return GATE_UNIT_FRACTION;
    case SPEC_FIG_WALL_S: case SPEC_FIG_RUN_WALL_S: return GATE_UNIT_S;
    case SPEC_FIG_ARTIFACT_BYTES: case SPEC_FIG_RUN_ARTIFACT_BYTES: return GATE_UNIT_BYTES;
    case SPEC_FIG_METRIC: return GATE_UNIT_NUMBER;
    default: return GATE_UNIT_COUNT;
    }
}
