/*
 * values.c — parameter values in a spec (see values.h): one value, a list
 * or a range, each checked against the plugin's declaration.
 */
#include "spec/values.h"
#include "spec/overrides.h"
#include "util/mem.h"
#include "util/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_value(struct reader *r, struct ref at, const struct pdef *d, struct pvalue *v)
{
    if (at.node->type != YAML_SCALAR_NODE || node_is_null(at.node))
        return node_fail(r, at, "%s: expected %s %s, got %s", d->name,
                       d->type == BHOST_INT ? "an" : "a", type_name(d->type),
                       node_is_null(at.node) ? "no value" : node_kind(at.node));
    char why[600];
    if (param_parse(d, node_text(at.node), v, why, sizeof why) != 0)
        return node_fail(r, at, "%s", why);
    return 0;
}

static void push_value(struct spec_param *sp, size_t *cap, const struct pvalue *v)
{
    grow(&sp->values, cap, sp->nvalues, sizeof *sp->values);
    sp->values[sp->nvalues++] = *v;
}

/* The k-th value of a range, or 0 once it is past `to` (or would overflow). */
static int range_value(const struct pdef *d, const struct pvalue *from, const struct pvalue *to,
                       const struct pvalue *by, double fa, double fb, double fs, int is_step,
                       uint64_t k, struct pvalue *v)
{
    if (d->type == BHOST_INT && is_step) {
        int64_t offset;
        if (k > INT64_MAX || __builtin_mul_overflow((int64_t)k, by->i, &offset) ||
            __builtin_add_overflow(from->i, offset, &v->i))
            return 0;
        return by->i > 0 ? v->i <= to->i : v->i >= to->i;
    }
    double x = is_step ? fa + (double)k * fs : fa * pow(fs, (double)k);
    if (d->type == BHOST_INT) {
        if (!(x <= fb + 0.5) || x >= 0x1p63)
            return 0;
        v->i = (int64_t)llround(x);
        return 1;
    }
    /* Floats drift: accept `to` within a hair of rounding. */
    double slack = 1e-9 * fmax(fabs(fb), fabs(fs));
    v->f = x;
    if (is_step && fs < 0)
        return x >= fb - slack;
    return x <= fb + slack;
}

/* {from, to, step} or {from, to, mul}: an axis of numbers, `to` included when reached. */
static int parse_range(struct reader *r, struct ref at, const struct pdef *d,
                       struct spec_param *sp)
{
    static const char *const keys[] = {"from", "to", "step", "mul"};
    if (map_check_keys(r, at, keys, ARRAY_LEN(keys), "a range") != 0)
        return -1;
    if (d->type != BHOST_INT && d->type != BHOST_FLOAT)
        return node_fail(r, at, "%s: a range needs an int or float parameter, not %s", d->name,
                       type_name(d->type));
    struct ref from = map_get(at, "from"), to = map_get(at, "to"), step = map_get(at, "step"),
               mul = map_get(at, "mul");
    if (!from.node || !to.node || (!step.node == !mul.node))
        return node_fail(r, at, "%s: a range is {from: A, to: B, step: S} or "
                       "{from: A, to: B, mul: M}", d->name);
    struct pdef unbounded = *d;
    unbounded.has_min = unbounded.has_max = 0;
    struct pvalue a, b, s;
    if (parse_value(r, from, d, &a) != 0 || parse_value(r, to, d, &b) != 0 ||
        parse_value(r, step.node ? step : mul, &unbounded, &s) != 0)
        return -1;
    double fa = d->type == BHOST_INT ? (double)a.i : a.f;
    double fb = d->type == BHOST_INT ? (double)b.i : b.f;
    double fs = d->type == BHOST_INT ? (double)s.i : s.f;
    if (step.node && (fs == 0 || (fb - fa) / fs < 0))
        return node_fail(r, step, "%s: step %g never gets from %g to %g", d->name, fs, fa, fb);
    if (mul.node && (fs <= 1 || fa <= 0 || fb < fa))
        return node_fail(r, mul, "%s: mul needs from > 0, to >= from and mul > 1", d->name);
    /* Floats: a step below the precision of `from` would repeat it forever (a mul > 1
     * always moves a normal number, and parse_value refuses the others). */
    if (step.node && d->type == BHOST_FLOAT && fa + fs == fa)
        return node_fail(r, step, "%s: the step %g does not change the value %g", d->name, fs,
                       fa);
    /* Count before generating anything, by the very arithmetic that generates, up to
     * one past the limit: a long range costs no more than one at the limit. */
    uint64_t len = 0;
    for (struct pvalue v = {.type = d->type};
         len <= r->max_values && range_value(d, &a, &b, &s, fa, fb, fs, step.node != NULL,
                                             len, &v);)
        len++;
    if (len > r->max_values)
        return node_fail(r, at, "%s: range has more than %llu values", d->name,
                       (unsigned long long)r->max_values);
    if (r->shadowed)
        return 0;
    if (len > r->range_room)
        return node_fail(r, at, "%s: a range of %llu values takes the sweep past max_points "
                       "(%llu points)", d->name, (unsigned long long)len,
                       (unsigned long long)r->max_values);
    size_t cap = 0;
    for (uint64_t k = 0; k < len; k++) {
        struct pvalue v = {.type = d->type};
        range_value(d, &a, &b, &s, fa, fb, fs, step.node != NULL, k, &v);
        char why[400];
        if (param_check(d, &v, why, sizeof why) != 0)
            return node_fail(r, at, "%s", why);
        push_value(sp, &cap, &v);
    }
    return 0;
}

struct value_text {
    char *text;
    size_t index;
};

static int cmp_value_text(const void *a, const void *b)
{
    const struct value_text *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Two equal values on an axis would make two points with one id. Sorted, so
 * that ranges of 100,000 values cost a sort, not 10^10 comparisons. */
static int check_distinct(struct reader *r, struct ref at, const struct pdef *d,
                          const struct spec_param *sp)
{
    struct value_text *v = xcalloc(sp->nvalues, sizeof *v);
    for (size_t i = 0; i < sp->nvalues; i++)
        v[i] = (struct value_text){pvalue_text(&sp->values[i]), i};
    qsort(v, sp->nvalues, sizeof *v, cmp_value_text);
    int rc = 0;
    for (size_t i = 1; i < sp->nvalues && rc == 0; i++) {
        if (strcmp(v[i].text, v[i - 1].text) != 0)
            continue;
        struct ref item = at;
        if (at.node->type == YAML_SEQUENCE_NODE)
            item = node_child(at, at.node->data.sequence.items.start[v[i].index]);
        rc = node_fail(r, item, "%s: %s appears twice on this axis (values %zu and %zu)",
                     d->name, v[i].text, v[i - 1].index + 1, v[i].index + 1);
    }
    for (size_t i = 0; i < sp->nvalues; i++)
        free(v[i].text);
    free(v);
    return rc;
}

static int parse_values(struct reader *r, struct ref at, const struct pdef *d,
                        struct spec_param *sp);

/* An open parameter's range: numbers (integers if from, to and step are), written as text. */
static int parse_open_range(struct reader *r, struct ref at, const struct pdef *d,
                            struct spec_param *sp)
{
    struct pdef number = {.name = d->name, .type = BHOST_INT};
    static const char *const keys[] = {"from", "to", "step", "mul"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        struct ref v = map_get(at, keys[k]);
        struct pvalue x;
        char why[200];
        if (v.node && v.node->type == YAML_SCALAR_NODE &&
            param_parse(&number, node_text(v.node), &x, why, sizeof why) != 0)
            number.type = BHOST_FLOAT;
    }
    if (parse_range(r, at, &number, sp) != 0)
        return -1;
    for (size_t i = 0; i < sp->nvalues; i++) {
        char *text = pvalue_text(&sp->values[i]);
        sp->values[i] = (struct pvalue){.type = BHOST_STRING, .s = text};
    }
    return 0;
}

static int parse_param(struct reader *r, struct ref at, const struct pdef *d,
                       struct spec_param *sp)
{
    if (parse_values(r, at, d, sp) != 0)
        return -1;
    return check_distinct(r, at, d, sp);
}

static int parse_values(struct reader *r, struct ref at, const struct pdef *d,
                        struct spec_param *sp)
{
    size_t cap = 0;
    for (size_t i = 0; i < sp->nvalues; i++)
        pvalue_free(&sp->values[i]);
    free(sp->values);
    sp->values = NULL;
    sp->nvalues = 0;
    sp->is_axis = at.node->type != YAML_SCALAR_NODE;
    if (at.node->type == YAML_MAPPING_NODE)
        return d->open ? parse_open_range(r, at, d, sp) : parse_range(r, at, d, sp);
    if (at.node->type == YAML_SEQUENCE_NODE) {
        if (at.node->data.sequence.items.top == at.node->data.sequence.items.start)
            return node_fail(r, at, "%s: an empty list sweeps over nothing", d->name);
        FOR_ITEMS(at, it) {
            struct pvalue v;
            if (parse_value(r, node_child(at, *it), d, &v) != 0)
                return -1;
            push_value(sp, &cap, &v);
        }
        return 0;
    }
    struct pvalue v;
    if (parse_value(r, at, d, &v) != 0)
        return -1;
    push_value(sp, &cap, &v);
    return 0;
}

static const char **param_names(const struct plugin *p)
{
    const char **names = xcalloc(p->nparams, sizeof *names);
    for (size_t i = 0; i < p->nparams; i++)
        names[i] = p->params[i].name;
    return names;
}

static int unknown_param(struct reader *r, struct ref key, const struct plugin *p)
{
    const char **names = param_names(p);
    const char *near = closest_name(node_text(key.node), names, p->nparams);
    char list[512];
    join_names(list, sizeof list, names, p->nparams);
    free(names);
    if (near)
        return node_fail(r, key, "%s '%s' has no parameter '%s' (did you mean '%s'?)",
                       kind_name(p->desc.kind), p->desc.name, node_text(key.node), near);
    return node_fail(r, key, "%s '%s' has no parameter '%s'; it has: %s", kind_name(p->desc.kind),
                   p->desc.name, node_text(key.node), p->nparams ? list : "no parameters");
}

struct spec_param *spec_param_find(struct spec_experiment *e, int def_index)
{
    for (size_t i = 0; i < e->nparams; i++)
        if (e->params[i].def_index == def_index)
            return &e->params[i];
    return NULL;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Room for the next range: the sweep's points must stay within max_points, so a
 * range is refused before it is generated once it alone would pass it. */
static void set_room(struct reader *r, uint64_t product)
{
    uint64_t left = r->points_before < r->max_values ? r->max_values - r->points_before : 0;
    r->range_room = left / product;
}

/* The experiment's definition of `name`: the plugin's, or a new open one when the plugin takes
 * them (-1 if neither). */
static int find_def(struct spec_experiment *e, size_t *cap, const char *name)
{
    int di = pdef_find(e->defs, e->ndefs, name);
    if (di >= 0 || !(e->plugin->desc.flags & BHOST_OPEN_PARAMS) || !param_name_ok(name))
        return di;
    grow(&e->defs, cap, e->ndefs, sizeof *e->defs);
    pdef_open(&e->defs[e->ndefs], name);
    return (int)e->ndefs++;
}

/* The spec_param for definition `di`, added (in spec order) if the spec had not set it. */
static struct spec_param *param_slot(struct spec_experiment *e, size_t *cap, int di)
{
    struct spec_param *sp = spec_param_find(e, di);
    if (sp)
        return sp;
    grow(&e->params, cap, e->nparams, sizeof *e->params);
    sp = &e->params[e->nparams++];
    *sp = (struct spec_param){.def_index = di};
    return sp;
}

int read_params(struct reader *r, struct ref map, struct spec_experiment *e)
{
    const struct plugin *p = e->plugin;
    uint64_t product = 1; /* of the axes read so far that the experiment keeps */
    size_t defs_cap = p->nparams, params_cap = 0;
    e->ndefs = p->nparams;
    e->defs = xcalloc(e->ndefs ? e->ndefs : 1, sizeof *e->defs);
    if (e->ndefs)
        memcpy(e->defs, p->params, e->ndefs * sizeof *e->defs); /* shared: not freed */
    if (map.node) {
        if (node_expect(r, map, YAML_MAPPING_NODE, "a mapping of parameter: value") != 0)
            return -1;
        FOR_PAIRS(map, pair) {
            struct ref key = node_child(map, pair->key);
            if (node_expect(r, key, YAML_SCALAR_NODE, "a parameter name") != 0)
                return -1;
            int di = find_def(e, &defs_cap, node_text(key.node));
            if (di < 0)
                return unknown_param(r, key, p);
            if (spec_param_find(e, di))
                return node_fail(r, key, "parameter '%s' is given twice", node_text(key.node));
            struct spec_param *sp = param_slot(e, &params_cap, di);
            struct ref none = {NULL, NULL};
            r->shadowed = overrides_decide(r, e->name, e->defs[di].name, none).node != NULL;
            set_room(r, product);
            int rc = parse_param(r, node_child(map, pair->value), &e->defs[di], sp);
            if (!r->shadowed)
                product = sat_mul(product, sp->nvalues);
            r->shadowed = 0;
            if (rc != 0)
                return -1;
        }
    }
    /* Overrides scoped to an experiment that takes open parameters may add one. */
    for (size_t i = 0; i < r->nov && (p->desc.flags & BHOST_OPEN_PARAMS); i++)
        if (r->ov[i].scope && strcmp(r->ov[i].scope, e->name) == 0 &&
            !overrides_is_setting(r->ov[i].key))
            find_def(e, &defs_cap, r->ov[i].key);
    /* Overrides may set parameters the file leaves at their defaults. */
    for (size_t i = 0; i < e->ndefs; i++) {
        struct ref at = overrides_decide(r, e->name, e->defs[i].name, (struct ref){NULL, NULL});
        if (!at.node)
            continue;
        struct spec_param *sp = param_slot(e, &params_cap, (int)i);
        set_room(r, product);
        if (parse_param(r, at, &e->defs[i], sp) != 0)
            return -1;
        product = sat_mul(product, sp->nvalues);
    }
    r->points_before = r->points_before + product < product ? UINT64_MAX
                                                            : r->points_before + product;
    return 0;
}

/* Every parameter of p, in its order, from `map` (may be NULL) and defaults. */
int fixed_values(struct reader *r, struct ref map, struct ref owner, const struct plugin *p,
                        struct pvalue **out)
{
    struct pvalue *v = *out = xcalloc(p->nparams, sizeof *v);
    int *given = xcalloc(p->nparams, sizeof *given);
    int rc = -1;
    if (map.node) {
        if (node_expect(r, map, YAML_MAPPING_NODE, "a mapping of parameter: value") != 0)
            goto out;
        FOR_PAIRS(map, pair) {
            struct ref key = node_child(map, pair->key);
            if (node_expect(r, key, YAML_SCALAR_NODE, "a parameter name") != 0)
                goto out;
            int di = pdef_find(p->params, p->nparams, node_text(key.node));
            if (di < 0) {
                unknown_param(r, key, p);
                goto out;
            }
            if (given[di]) {
                node_fail(r, key, "parameter '%s' is given twice", node_text(key.node));
                goto out;
            }
            struct ref val = node_child(map, pair->value);
            if (val.node->type != YAML_SCALAR_NODE) {
                node_fail(r, val, "%s: instrument parameters take one value, not %s",
                        node_text(key.node), node_kind(val.node));
                goto out;
            }
            pvalue_free(&v[di]);
            if (parse_value(r, val, &p->params[di], &v[di]) != 0)
                goto out;
            given[di] = 1;
        }
    }
    /* --set INSTRUMENT.PARAM=VALUE, for every experiment the instrument is attached to. */
    for (size_t i = 0; i < p->nparams && p->desc.kind == BHOST_INSTRUMENT; i++) {
        struct ref o = overrides_decide_scoped(r, p->desc.name, p->params[i].name,
                                               (struct ref){NULL, NULL});
        if (!o.node)
            continue;
        if (o.node->type != YAML_SCALAR_NODE) {
            node_fail(r, o, "%s: instrument parameters take one value, not %s",
                      p->params[i].name, node_kind(o.node));
            goto out;
        }
        pvalue_free(&v[i]);
        if (parse_value(r, o, &p->params[i], &v[i]) != 0)
            goto out;
        given[i] = 1;
    }
    for (size_t i = 0; i < p->nparams; i++) {
        if (given[i])
            continue;
        if (p->params[i].required) {
            node_fail(r, owner, "%s '%s' needs parameter '%s' (%s: %s)", kind_name(p->desc.kind),
                    p->desc.name, p->params[i].name, type_name(p->params[i].type),
                    p->params[i].doc ? p->params[i].doc : "no default");
            goto out;
        }
        pvalue_copy(&v[i], &p->params[i].def);
    }
    rc = 0;
out:
    free(given);
    return rc;
}

int read_int_axis(struct reader *r, struct ref at, const char *name, int64_t min, int64_t max,
                  struct spec_param *out)
{
    struct pdef d = {.name = name, .type = BHOST_INT, .has_min = 1, .has_max = 1,
                     .min = {.type = BHOST_INT, .i = min}, .max = {.type = BHOST_INT, .i = max}};
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%lld", (long long)min);
    snprintf(hi, sizeof hi, "%lld", (long long)max);
    d.min_text = lo;
    d.max_text = hi;
    memset(out, 0, sizeof *out);
    return parse_param(r, at, &d, out);
}
