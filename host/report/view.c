/* view.c — see view.h. */
#include "report/view.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[GATE_STATES] = {"met", "missed", "inconclusive",
                                                     "not judged"};

const char *view_gate_state_name(enum view_gate_state s)
{
    return s < GATE_STATES ? state_names[s] : "not judged";
}

enum view_gate_state view_gate_state_of(const json_t *judgement)
{
    const char *s = view_text(judgement, "state");
    for (int k = 0; s && k < GATE_STATES; k++)
        if (strcmp(s, state_names[k]) == 0)
            return (enum view_gate_state)k;
    return GATE_NOT_JUDGED;
}

const char *view_gates_verdict(const struct view *v)
{
    if (!v->ngates)
        return NULL;
    static const enum view_gate_state worst_first[] = {GATE_MISSED, GATE_INCONCLUSIVE, GATE_MET};
    for (size_t k = 0; k < sizeof worst_first / sizeof worst_first[0]; k++)
        if (v->gates[worst_first[k]])
            return state_names[worst_first[k]];
    return state_names[GATE_NOT_JUDGED];
}

const char *view_text(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

double view_number(const json_t *obj, const char *key)
{
    const json_t *x = json_object_get(obj, key);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

const json_t *view_histogram(const json_t *point, const char *name)
{
    const json_t *h = json_object_get(json_object_get(point, "histograms"), name);
    return json_integer_value(json_object_get(h, "count")) > 0 ? h : NULL;
}

char *view_value_text(const json_t *value)
{
    if (json_is_string(value))
        return xstrdup(json_string_value(value));
    if (json_is_integer(value))
        return xasprintf("%lld", (long long)json_integer_value(value));
    if (json_is_real(value))
        return xasprintf("%.15g", json_real_value(value));
    if (json_is_boolean(value))
        return xstrdup(json_is_true(value) ? "true" : "false");
    return xstrdup(json_is_null(value) ? "null" : "?");
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void read_axis(struct view_axis *axis, const char *name, const json_t *values)
{
    size_t n = json_array_size(values), i;
    const json_t *x;
    axis->name = name;
    axis->values = values;
    axis->numeric = n > 0;
    json_array_foreach(values, i, x)
        axis->numeric &= json_is_number(x);
    if (!axis->numeric || n < 2)
        return;
    double *sorted = xcalloc(n, sizeof *sorted);
    json_array_foreach(values, i, x)
        sorted[i] = json_number_value(x);
    qsort(sorted, n, sizeof *sorted, by_value);
    axis->geometric = sorted[0] > 0;
    for (i = 1; i < n && axis->geometric; i++)
        axis->geometric = sorted[i] >= 2 * sorted[i - 1];
    free(sorted);
}

static struct view_experiment *add_experiment(struct view *v, size_t *cap, const char *name,
                                              const json_t *spec)
{
    grow(&v->experiments, cap, v->nexperiments, sizeof *v->experiments);
    struct view_experiment *e = &v->experiments[v->nexperiments++];
    *e = (struct view_experiment){.name = name, .spec = spec};
    const char *key;
    json_t *value;
    size_t naxes = 0;
    json_object_foreach(json_object_get(spec, "params"), key, value)
        naxes += json_is_array(value);
    /* `threads: [1, 2]` is an axis too, written beside the parameters (docs/specs.md). */
    const json_t *threads = json_object_get(spec, "threads");
    int threads_axis = json_is_array(threads) && !json_object_get(json_object_get(spec, "params"),
                                                                  "threads");
    e->axes = xcalloc(naxes + 2, sizeof *e->axes);
    json_object_foreach(json_object_get(spec, "params"), key, value)
        if (json_is_array(value))
            read_axis(&e->axes[e->naxes++], key, value);
    if (threads_axis)
        read_axis(&e->axes[e->naxes++], "threads", threads);
    return e;
}

const json_t *view_axis_value(const json_t *point, const char *axis)
{
    const json_t *v = json_object_get(json_object_get(point, "params"), axis);
    return v || strcmp(axis, "threads") != 0 ? v : json_object_get(point, "threads");
}

static struct view_experiment *find_experiment(struct view *v, const char *name)
{
    for (size_t k = 0; name && k < v->nexperiments; k++)
        if (strcmp(v->experiments[k].name, name) == 0)
            return &v->experiments[k];
    return NULL;
}

void view_init(struct view *v, const json_t *doc)
{
    *v = (struct view){0};
    size_t cap = 0, i;
    const json_t *x;
    json_array_foreach(json_object_get(json_object_get(doc, "spec"), "experiments"), i, x)
        if (view_text(x, "name") && !find_experiment(v, view_text(x, "name")))
            add_experiment(v, &cap, view_text(x, "name"), x);
    const json_t *points = json_object_get(doc, "points");
    size_t *caps = NULL, ncaps = 0;
    json_array_foreach(points, i, x) {
        const char *name = view_text(x, "experiment");
        struct view_experiment *e = find_experiment(v, name ? name : "?");
        if (!e)
            e = add_experiment(v, &cap, name ? name : "?", NULL);
        size_t k = (size_t)(e - v->experiments);
        grow(&caps, &ncaps, k, sizeof *caps);
        grow(&e->points, &caps[k], e->npoints, sizeof *e->points);
        e->points[e->npoints++] = x;
        const char *status = view_text(x, "status");
        status = status ? status : "";
        v->npoints++;
        v->ok += strcmp(status, "ok") == 0;
        v->failed += strcmp(status, "failed") == 0;
        v->partial += strcmp(status, "partial") == 0;
        v->skipped += strcmp(status, "skipped") == 0;
    }
    free(caps);
    json_array_foreach(json_object_get(doc, "gates"), i, x) {
        v->gates[view_gate_state_of(x)]++;
        v->ngates++;
    }
}

void view_free(struct view *v)
{
    for (size_t k = 0; k < v->nexperiments; k++) {
        free(v->experiments[k].axes);
        free(v->experiments[k].points);
    }
    free(v->experiments);
    *v = (struct view){0};
}
