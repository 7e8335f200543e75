/* context.c — see context.h. */
#include "gate/context.h"
#include "spec/gate_figure.h"

#include <stdio.h>
#include <string.h>

/* The key of a figure in a histogram and in a comparison: "p99_9", "mean". */
static void figure_key(const struct spec_gate *g, char *buf, size_t n)
{
    static const char *const names[] = {[SPEC_FIG_MEAN] = "mean", [SPEC_FIG_MIN] = "min",
                                        [SPEC_FIG_MAX] = "max",
                                        [SPEC_FIG_THROUGHPUT] = "throughput"};
    if (g->figure == SPEC_FIG_PERCENTILE)
        gate_percentile_key(g->percentile, buf, n);
    else
        snprintf(buf, n, "%s", g->figure < sizeof names / sizeof *names && names[g->figure]
                                   ? names[g->figure] : "");
}

void gate_ctx_init(struct gate_ctx *c, const struct gate_input *in)
{
    memset(c, 0, sizeof *c);
    c->in = in;
    c->threshold = in->threshold > 0 ? in->threshold : COMPARE_DEFAULT_THRESHOLD;
    if (in->baseline) {
        c->baseline_by_id = json_object();
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(in->baseline, "points"), i, p) {
            const char *id = point_text(p, "id");
            if (*id)
                json_object_set(c->baseline_by_id, id, p);
        }
    }
    if (in->vs) {
        c->figures = json_object();
        for (size_t i = 0; i < in->vs->nfigs; i++) {
            const struct compare_figure *f = &in->vs->figs[i];
            char key[512];
            snprintf(key, sizeof key, "%s\x1f%s\x1f%s", f->point_id, f->histogram, f->figure);
            json_object_set_new(c->figures, key, json_integer((json_int_t)i));
        }
    }
}

void gate_ctx_free(struct gate_ctx *c)
{
    json_decref(c->baseline_by_id);
    json_decref(c->figures);
    memset(c, 0, sizeof *c);
}

const json_t *gate_ctx_baseline_point(const struct gate_ctx *c, const json_t *point)
{
    return c->baseline_by_id ? json_object_get(c->baseline_by_id, point_text(point, "id"))
                             : NULL;
}

const struct compare_figure *gate_ctx_figure(const struct gate_ctx *c, const json_t *point,
                                             const struct spec_gate *g)
{
    if (!c->figures)
        return NULL;
    char fig[40], key[512];
    figure_key(g, fig, sizeof fig);
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", point_text(point, "id"), g->histogram, fig);
    json_t *i = json_object_get(c->figures, key);
    return i ? &c->in->vs->figs[json_integer_value(i)] : NULL;
}

const char *point_text(const json_t *point, const char *key)
{
    const char *s = json_string_value(json_object_get(point, key));
    return s ? s : "";
}

const char *point_error(const json_t *point)
{
    const char *e = point_text(point, "error");
    return *e ? e : "no error given";
}

const char *gate_no_baseline(const struct gate_ctx *c)
{
    const char *asked = c->in->baseline_name;
    if (asked && strcmp(asked, "history") == 0)
        return "no baseline yet: the history holds no earlier run of this spec on this machine";
    if (asked)
        return "no baseline: it could not be read";
    return "no baseline (--baseline FILE or history)";
}

int point_failed(const json_t *point)
{
    const char *s = point_text(point, "status");
    return strcmp(s, "failed") == 0 || strcmp(s, "partial") == 0;
}

int point_skipped(const json_t *point)
{
    return strcmp(point_text(point, "status"), "skipped") == 0;
}

void point_lacks(const json_t *point, const char *what, struct outcome *o)
{
    if (point_skipped(point))
        outcome_set(o, GATE_NOT_JUDGED, "the point was skipped (%s)", point_error(point));
    else if (point_failed(point))
        outcome_set(o, GATE_MISSED, "the point failed: no %s (%s)", what, point_error(point));
    else
        outcome_set(o, GATE_NOT_JUDGED, "the point has no %s", what);
}
