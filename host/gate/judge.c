/*
 * judge.c — gate_judge() of gate.h: every gate of the spec, in the order
 * the spec file gives them, judged at each point of its scope (check.c on
 * this run alone, versus.c against the baseline).
 */
#include "gate/gate.h"
#include "gate/check.h"
#include "gate/context.h"
#include "gate/versus.h"
#include "spec/gate_figure.h"
#include "spec/sweep.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A gate and the experiment it belongs to (NULL: the top level's, for every point). */
struct scoped {
    const struct spec_gate *g;
    const struct spec_experiment *e;
    size_t order;
};

static int by_position(const void *pa, const void *pb)
{
    const struct scoped *a = pa, *b = pb;
    if (a->g->line != b->g->line)
        return a->g->line < b->g->line ? -1 : 1;
    if (a->g->column != b->g->column)
        return a->g->column < b->g->column ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int in_scope(const struct scoped *s, const json_t *point)
{
    if (s->e && strcmp(point_text(point, "experiment"), s->e->name) != 0)
        return 0;
    const char *pattern = s->g->points;
    return !pattern || sweep_match(pattern, point_text(point, "label"), point_text(point, "id"));
}

static void judge_one(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                      struct outcome *o)
{
    o->value = NAN;
    o->why[0] = '\0';
    if (!point)
        check_judge_run(c, g, o);
    else if (g->kind == SPEC_GATE_CHECK)
        check_judge_point(c, g, point, o);
    else if (g->kind == SPEC_GATE_MAX_REGRESSION)
        regression_judge(c, g, point, o);
    else
        claim_judge(c, g, point, o);
}

static int rank(enum gate_state s)
{
    return s == GATE_MISSED ? 2 : s == GATE_INCONCLUSIVE ? 1 : 0;
}

static void append(json_t *out, const struct gate_input *in, const struct spec_gate *g,
                   const json_t *point, const struct outcome *o, enum gate_state *worst)
{
    char where[64];
    snprintf(where, sizeof where, ":%u:%u", g->line, g->column);
    json_t *entry = json_pack("{s:s, s:s+, s:o, s:o, s:s, s:o, s:s}", "gate", g->text, "where",
                              in->spec->path ? in->spec->path : "spec", where, "point",
                              point ? json_string(point_text(point, "id")) : json_null(),
                              "label", point ? json_string(point_text(point, "label"))
                                             : json_null(),
                              "state", gate_state_name(o->state), "value",
                              isfinite(o->value) ? json_real(o->value) : json_null(), "why",
                              o->why);
    json_array_append_new(out, entry);
    if (rank(o->state) > rank(*worst))
        *worst = o->state;
}

json_t *gate_judge(const struct gate_input *in, enum gate_state *worst)
{
    const struct spec *s = in->spec;
    size_t n = s->gates.n;
    for (size_t i = 0; i < s->nexperiments; i++)
        n += s->experiments[i].gates.n;
    struct scoped *all = xcalloc(n ? n : 1, sizeof *all);
    size_t k = 0;
    for (size_t j = 0; j < s->gates.n; j++, k++)
        all[k] = (struct scoped){&s->gates.items[j], NULL, k};
    for (size_t i = 0; i < s->nexperiments; i++)
        for (size_t j = 0; j < s->experiments[i].gates.n; j++, k++)
            all[k] = (struct scoped){&s->experiments[i].gates.items[j], &s->experiments[i], k};
    qsort(all, n, sizeof *all, by_position);

    struct gate_ctx c;
    gate_ctx_init(&c, in);
    json_t *out = json_array(), *points = json_object_get(in->doc, "points"), *p;
    struct outcome o;
    *worst = GATE_MET;
    for (k = 0; k < n; k++) {
        const struct spec_gate *g = all[k].g;
        if (gate_figure_is_run(g->figure)) {
            judge_one(&c, g, NULL, &o);
            append(out, in, g, NULL, &o, worst);
            continue;
        }
        size_t judged = 0, i;
        json_array_foreach(points, i, p) {
            if (!in_scope(&all[k], p))
                continue;
            judge_one(&c, g, p, &o);
            append(out, in, g, p, &o, worst);
            judged++;
        }
        /* A scope that matches nothing says so: a mistyped glob must not pass in silence. */
        if (!judged) {
            o.value = NAN;
            if (g->points)
                outcome_set(&o, GATE_NOT_JUDGED, "no point%s matches 'points: %s'",
                            all[k].e ? " of this experiment" : "", g->points);
            else
                outcome_set(&o, GATE_NOT_JUDGED, "no point of %s ran", all[k].e ? "this "
                            "experiment" : "the spec");
            append(out, in, g, NULL, &o, worst);
        }
    }
    gate_ctx_free(&c);
    free(all);
    return out;
}
