/*
 * spec.c — reads sweep specs (see spec.h, docs/specs.md).
 *
 * libyaml's document API gives a tree whose every node carries its position,
 * so each check below can point at the exact node it rejects. --set values
 * are parsed as YAML documents of their own and take precedence over the
 * file at every level.
 */
#include "spec/spec.h"
#include "spec/spec_yaml.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* A YAML document and the name its positions are reported against. */
struct src {
    yaml_document_t doc;
    const char *file;
};

/* A node and where it comes from. */
struct ref {
    struct src *src;
    yaml_node_t *node;
};

struct override {
    char *text;      /* "key=value" as given */
    char *shown;     /* the same, safe to print (see escape_text) */
    char *label;     /* "--set key=value": the "file" its errors name */
    char *scope;     /* experiment name, or NULL for every experiment */
    char *key;
    struct src src;
    yaml_node_t *value;
    int loaded, used;
};

struct reader {
    const struct registry *reg;
    struct override *ov;
    size_t nov;
    char *err;
    size_t errlen;
    uint64_t max_values;      /* max_points: no range may be longer */
    uint64_t points_before;   /* points of the experiments read so far (saturating) */
    uint64_t range_room;      /* values the next range may have before the sweep passes
                                 max_points, given the axes read so far */
    int shadowed;             /* the value read is replaced by a --set: check it only */
};

__attribute__((format(printf, 3, 4)))
static int fail_at(struct reader *r, struct ref at, const char *fmt, ...)
{
    int used = snprintf(r->err, r->errlen, "%s:%lu:%lu: ", at.src->file,
                        (unsigned long)at.node->start_mark.line + 1,
                        (unsigned long)at.node->start_mark.column + 1);
    if (used < 0 || (size_t)used >= r->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + used, r->errlen - (size_t)used, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static const char *text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *t = text_of(n);
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0;
}

static int expect(struct reader *r, struct ref at, yaml_node_type_t type, const char *what)
{
    if (at.node->type == type && !(type == YAML_SCALAR_NODE && is_null(at.node)))
        return 0;
    return fail_at(r, at, "expected %s, got %s", what,
                   is_null(at.node) ? "no value" : node_kind(at.node));
}

static struct ref child(struct ref parent, int index)
{
    return (struct ref){parent.src, yaml_document_get_node(&parent.src->doc, index)};
}

#define FOR_PAIRS(map, pair)                                                                 \
    for (yaml_node_pair_t *pair = (map).node->data.mapping.pairs.start;                    \
         pair < (map).node->data.mapping.pairs.top; pair++)
#define FOR_ITEMS(seq, item)                                                                 \
    for (yaml_node_item_t *item = (seq).node->data.sequence.items.start;                   \
         item < (seq).node->data.sequence.items.top; item++)

/* Every key is a known, unrepeated scalar. */
static int check_keys(struct reader *r, struct ref map, const char *const *known, size_t n,
                      const char *where)
{
    FOR_PAIRS(map, p) {
        struct ref key = child(map, p->key);
        if (expect(r, key, YAML_SCALAR_NODE, "a key name") != 0)
            return -1;
        const char *k = text_of(key.node);
        size_t i = 0;
        while (i < n && strcmp(known[i], k) != 0)
            i++;
        if (i == n) {
            const char *near = closest_name(k, known, n);
            char list[512];
            join_names(list, sizeof list, known, n);
            if (near)
                return fail_at(r, key, "unknown key '%s' in %s (did you mean '%s'?)", k, where,
                               near);
            return fail_at(r, key, "unknown key '%s' in %s; expected one of: %s", k, where, list);
        }
        for (yaml_node_pair_t *q = map.node->data.mapping.pairs.start; q < p; q++) {
            struct ref prev = child(map, q->key);
            if (prev.node->type == YAML_SCALAR_NODE && strcmp(text_of(prev.node), k) == 0)
                return fail_at(r, key, "duplicate key '%s' (first given at line %lu)", k,
                               (unsigned long)prev.node->start_mark.line + 1);
        }
    }
    return 0;
}

/* The value of `key` in `map`, or a NULL node. */
static struct ref get(struct ref map, const char *key)
{
    if (map.node && map.node->type == YAML_MAPPING_NODE) {
        FOR_PAIRS(map, p) {
            struct ref k = child(map, p->key);
            if (k.node->type == YAML_SCALAR_NODE && strcmp(text_of(k.node), key) == 0)
                return child(map, p->value);
        }
    }
    return (struct ref){map.src, NULL};
}

/* --- overrides --------------------------------------------------------- */

static int load_yaml(struct src *s, const char *text, size_t len, const char *file,
                     char *err, size_t errlen)
{
    s->file = file;
    return spec_yaml_load(&s->doc, text, len, file, err, errlen);
}

/* The length of the UTF-8 character at s, or 0 if it is not one. */
static size_t utf8_width(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t w = s[0] >= 0xC2 && s[0] <= 0xDF ? 2
             : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (w == 0 || w > n)
        return 0;
    for (size_t k = 1; k < w; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return w;
}

/* Command-line text for a message: control bytes and invalid UTF-8 as \xNN. */
static char *escape_text(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    char *out = xcalloc(4 * n + 1, 1), *o = out;
    for (size_t i = 0; i < n;) {
        size_t w = utf8_width(s + i, n - i);
        if (w && s[i] >= 0x20 && s[i] != 0x7F) {
            memcpy(o, s + i, w);
            o += w, i += w;
        } else {
            o += snprintf(o, 5, "\\x%02X", s[i++]);
        }
    }
    *o = '\0';
    return out;
}

/* Cuts a long --set text for messages, which name it before the position. */
static void shorten(char *s, size_t max)
{
    if (strlen(s) <= max)
        return;
    size_t i = max - 3;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    memcpy(s + i, "...", 4);
}

static int load_overrides(struct reader *r, const char *const *texts, size_t n)
{
    r->ov = xcalloc(n, sizeof *r->ov);
    r->nov = n;
    for (size_t i = 0; i < n; i++) {
        struct override *o = &r->ov[i];
        o->text = xstrdup(texts[i]);
        o->shown = escape_text(texts[i]);
        shorten(o->shown, 80);
        char *eq = strchr(o->text, '=');
        if (!eq || eq == o->text) {
            snprintf(r->err, r->errlen, "--set %s: expected key=value", o->shown);
            return -1;
        }
        char *key = xstrdup(o->text);
        key[eq - o->text] = '\0';
        char *dot = strchr(key, '.');
        if (dot) {
            *dot = '\0';
            o->scope = xstrdup(key);
            o->key = xstrdup(dot + 1);
        } else {
            o->key = xstrdup(key);
        }
        free(key);
        o->label = xasprintf("--set %s", o->shown);
        const char *value = eq + 1;
        int rc = load_yaml(&o->src, value, strlen(value), o->label, r->err, r->errlen);
        o->loaded = rc == 0;
        if (rc != 0)
            return -1;
        o->value = yaml_document_get_root_node(&o->src.doc);
        if (!o->value) {
            snprintf(r->err, r->errlen, "--set %s: no value after '='", o->shown);
            return -1;
        }
    }
    return 0;
}

/*
 * The node that decides `key` for experiment `exp` (NULL for the spec's top
 * level): an override scoped to it, then an unscoped one, then `fallback`.
 */
static struct ref decide(struct reader *r, const char *exp, const char *key, struct ref fallback)
{
    for (int scoped = 1; scoped >= 0; scoped--) {
        for (size_t i = r->nov; i-- > 0;) {
            struct override *o = &r->ov[i];
            if (strcmp(o->key, key) != 0)
                continue;
            if (scoped ? (exp && o->scope && strcmp(o->scope, exp) == 0) : !o->scope) {
                o->used = 1;
                return (struct ref){&o->src, o->value};
            }
        }
    }
    return fallback;
}

/* --- scalar settings --------------------------------------------------- */

static int read_u64(struct reader *r, struct ref at, const char *what, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    if (expect(r, at, YAML_SCALAR_NODE, what) != 0)
        return -1;
    const char *t = text_of(at.node);
    char *end;
    int base = t[0] == '0' && (t[1] == 'x' || t[1] == 'X') ? 16 : 10;
    errno = 0;
    unsigned long long v = strtoull(t, &end, base);
    if (errno || end == t || *end || *t == '-' || isspace((unsigned char)*t))
        return fail_at(r, at, "expected %s, got '%s'", what, t);
    if (v < min || v > max)
        return fail_at(r, at, "%s must be between %llu and %llu, got %llu", what,
                       (unsigned long long)min, (unsigned long long)max, v);
    *out = v;
    return 0;
}

static int read_seconds(struct reader *r, struct ref at, double *out)
{
    if (expect(r, at, YAML_SCALAR_NODE, "a duration in seconds") != 0)
        return -1;
    const char *t = text_of(at.node);
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (errno || end == t || *end || !isfinite(v) || v < 0 || v > 1e6)
        return fail_at(r, at, "expected a duration in seconds (0 to 1e6), got '%s'", t);
    *out = v;
    return 0;
}

static int read_string(struct reader *r, struct ref at, const char *what, char **out)
{
    if (expect(r, at, YAML_SCALAR_NODE, what) != 0)
        return -1;
    free(*out);
    *out = xstrdup(text_of(at.node));
    return 0;
}

static int read_tags(struct reader *r, struct ref at, char ***tags, size_t *ntags)
{
    if (at.node->type == YAML_SCALAR_NODE) {
        *tags = xcalloc(1, sizeof **tags);
        return read_string(r, at, "a tag", &(*tags)[(*ntags)++]);
    }
    if (expect(r, at, YAML_SEQUENCE_NODE, "a list of tags") != 0)
        return -1;
    size_t n = (size_t)(at.node->data.sequence.items.top - at.node->data.sequence.items.start);
    *tags = xcalloc(n, sizeof **tags);
    FOR_ITEMS(at, it) {
        if (read_string(r, child(at, *it), "a tag", &(*tags)[*ntags]) != 0)
            return -1;
        (*ntags)++;
    }
    return 0;
}

/* Iteration counts and timing, resolved field by field: override, experiment, top level. */
struct timing {
    uint64_t warmup, measured;
    double min_time;
    uint32_t repetitions;
    uint64_t seed;
    double timeout;
    double rate;
    enum spec_arrival arrival;
    struct ref arrival_at;    /* where arrival was given: without a rate, the error is there */
    int has_warmup, has_measured, has_min_time, has_repetitions, has_seed, has_timeout;
    int has_rate, has_arrival;
};

#define MAX_ITERATIONS UINT64_C(1000000000000)

static int read_iterations(struct reader *r, struct ref at, struct timing *t)
{
    if (at.node->type == YAML_SCALAR_NODE) {
        t->has_measured = 1;
        return read_u64(r, at, "a number of measured iterations", 0, MAX_ITERATIONS,
                        &t->measured);
    }
    if (expect(r, at, YAML_MAPPING_NODE, "{warmup: N, measured: N} or a number") != 0)
        return -1;
    static const char *const keys[] = {"warmup", "measured"};
    if (check_keys(r, at, keys, ARRAY_LEN(keys), "iterations") != 0)
        return -1;
    struct ref w = get(at, "warmup"), m = get(at, "measured");
    if (w.node && read_u64(r, w, "a number of warm-up iterations", 0, MAX_ITERATIONS,
                           &t->warmup) != 0)
        return -1;
    if (m.node && read_u64(r, m, "a number of measured iterations", 0, MAX_ITERATIONS,
                           &t->measured) != 0)
        return -1;
    t->has_warmup |= w.node != NULL;
    t->has_measured |= m.node != NULL;
    return 0;
}

static int read_rate(struct reader *r, struct ref at, double *out)
{
    if (expect(r, at, YAML_SCALAR_NODE, "a rate in iterations per second") != 0)
        return -1;
    const char *t = text_of(at.node);
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    /* !(v >= min) also refuses NaN. */
    if (errno || end == t || *end || !(v >= SPEC_MIN_RATE) || v > SPEC_MAX_RATE)
        return fail_at(r, at, "expected a rate in iterations per second (0.001 to 1e9), got "
                       "'%s'", t);
    *out = v;
    return 0;
}

static const char *const arrival_names[] = {"fixed", "poisson"};

const char *spec_arrival_name(enum spec_arrival a)
{
    return arrival_names[a];
}

static int read_arrival(struct reader *r, struct ref at, enum spec_arrival *out)
{
    if (expect(r, at, YAML_SCALAR_NODE, "an arrival (fixed or poisson)") != 0)
        return -1;
    const char *t = text_of(at.node);
    for (size_t i = 0; i < ARRAY_LEN(arrival_names); i++)
        if (strcmp(t, arrival_names[i]) == 0) {
            *out = (enum spec_arrival)i;
            return 0;
        }
    const char *near = closest_name(t, arrival_names, ARRAY_LEN(arrival_names));
    if (near)
        return fail_at(r, at, "arrival: '%s' is not one of: fixed, poisson (did you mean '%s'?)",
                       t, near);
    return fail_at(r, at, "arrival: '%s' is not one of: fixed, poisson", t);
}

static int read_count(struct reader *r, struct ref at, const char *what, uint64_t max,
                      uint64_t *out, int *has)
{
    if (!at.node)
        return 0;
    *has = 1;
    return read_u64(r, at, what, 0, max, out);
}

/* Reads the timing keys of `map` (a level of the spec) into t; later levels override. */
static int read_timing(struct reader *r, const char *exp, struct ref map, struct timing *t)
{
    struct ref none = {map.src, NULL};
    struct ref at = decide(r, exp, "iterations", get(map, "iterations"));
    if (at.node && read_iterations(r, at, t) != 0)
        return -1;
    if (read_count(r, decide(r, exp, "warmup", none), "a number of warm-up iterations",
                   MAX_ITERATIONS, &t->warmup, &t->has_warmup) != 0 ||
        read_count(r, decide(r, exp, "measured", none), "a number of measured iterations",
                   MAX_ITERATIONS, &t->measured, &t->has_measured) != 0 ||
        read_count(r, decide(r, exp, "seed", get(map, "seed")),
                   "a seed (0 to 2^63-1)", INT64_MAX, &t->seed, &t->has_seed) != 0)
        return -1;
    at = decide(r, exp, "min_time", get(map, "min_time"));
    if (at.node) {
        t->has_min_time = 1;
        if (read_seconds(r, at, &t->min_time) != 0)
            return -1;
    }
    at = decide(r, exp, "timeout", get(map, "timeout"));
    if (at.node) {
        t->has_timeout = 1;
        if (read_seconds(r, at, &t->timeout) != 0)
            return -1;
    }
    at = decide(r, exp, "repetitions", get(map, "repetitions"));
    if (at.node) {
        uint64_t reps;
        if (read_u64(r, at, "a number of repetitions", 1, SPEC_MAX_REPETITIONS, &reps) != 0)
            return -1;
        t->repetitions = (uint32_t)reps;
        t->has_repetitions = 1;
    }
    at = decide(r, exp, "rate", get(map, "rate"));
    if (at.node) {
        t->has_rate = 1;
        if (read_rate(r, at, &t->rate) != 0)
            return -1;
    }
    at = decide(r, exp, "arrival", get(map, "arrival"));
    if (at.node) {
        t->has_arrival = 1;
        t->arrival_at = at;
        if (read_arrival(r, at, &t->arrival) != 0)
            return -1;
    }
    return 0;
}

/* --- parameter values --------------------------------------------------- */

static int parse_value(struct reader *r, struct ref at, const struct pdef *d, struct pvalue *v)
{
    if (at.node->type != YAML_SCALAR_NODE || is_null(at.node))
        return fail_at(r, at, "%s: expected %s %s, got %s", d->name,
                       d->type == BHOST_INT ? "an" : "a", type_name(d->type),
                       is_null(at.node) ? "no value" : node_kind(at.node));
    char why[600];
    if (param_parse(d, text_of(at.node), v, why, sizeof why) != 0)
        return fail_at(r, at, "%s", why);
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
    if (check_keys(r, at, keys, ARRAY_LEN(keys), "a range") != 0)
        return -1;
    if (d->type != BHOST_INT && d->type != BHOST_FLOAT)
        return fail_at(r, at, "%s: a range needs an int or float parameter, not %s", d->name,
                       type_name(d->type));
    struct ref from = get(at, "from"), to = get(at, "to"), step = get(at, "step"),
               mul = get(at, "mul");
    if (!from.node || !to.node || (!step.node == !mul.node))
        return fail_at(r, at, "%s: a range is {from: A, to: B, step: S} or "
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
        return fail_at(r, step, "%s: step %g never gets from %g to %g", d->name, fs, fa, fb);
    if (mul.node && (fs <= 1 || fa <= 0 || fb < fa))
        return fail_at(r, mul, "%s: mul needs from > 0, to >= from and mul > 1", d->name);
    /* Floats: a step below the precision of `from` would repeat it forever (a mul > 1
     * always moves a normal number, and parse_value refuses the others). */
    if (step.node && d->type == BHOST_FLOAT && fa + fs == fa)
        return fail_at(r, step, "%s: the step %g does not change the value %g", d->name, fs,
                       fa);
    /* Count before generating anything, by the very arithmetic that generates, up to
     * one past the limit: a long range costs no more than one at the limit. */
    uint64_t len = 0;
    for (struct pvalue v = {.type = d->type};
         len <= r->max_values && range_value(d, &a, &b, &s, fa, fb, fs, step.node != NULL,
                                             len, &v);)
        len++;
    if (len > r->max_values)
        return fail_at(r, at, "%s: range has more than %llu values", d->name,
                       (unsigned long long)r->max_values);
    if (r->shadowed)
        return 0;
    if (len > r->range_room)
        return fail_at(r, at, "%s: a range of %llu values takes the sweep past max_points "
                       "(%llu points)", d->name, (unsigned long long)len,
                       (unsigned long long)r->max_values);
    size_t cap = 0;
    for (uint64_t k = 0; k < len; k++) {
        struct pvalue v = {.type = d->type};
        range_value(d, &a, &b, &s, fa, fb, fs, step.node != NULL, k, &v);
        char why[400];
        if (param_check(d, &v, why, sizeof why) != 0)
            return fail_at(r, at, "%s", why);
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
            item = child(at, at.node->data.sequence.items.start[v[i].index]);
        rc = fail_at(r, item, "%s: %s appears twice on this axis (values %zu and %zu)",
                     d->name, v[i].text, v[i - 1].index + 1, v[i].index + 1);
    }
    for (size_t i = 0; i < sp->nvalues; i++)
        free(v[i].text);
    free(v);
    return rc;
}

static int parse_values(struct reader *r, struct ref at, const struct pdef *d,
                        struct spec_param *sp);

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
        return parse_range(r, at, d, sp);
    if (at.node->type == YAML_SEQUENCE_NODE) {
        if (at.node->data.sequence.items.top == at.node->data.sequence.items.start)
            return fail_at(r, at, "%s: an empty list sweeps over nothing", d->name);
        FOR_ITEMS(at, it) {
            struct pvalue v;
            if (parse_value(r, child(at, *it), d, &v) != 0)
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
    const char *near = closest_name(text_of(key.node), names, p->nparams);
    char list[512];
    join_names(list, sizeof list, names, p->nparams);
    free(names);
    if (near)
        return fail_at(r, key, "%s '%s' has no parameter '%s' (did you mean '%s'?)",
                       kind_name(p->desc.kind), p->desc.name, text_of(key.node), near);
    return fail_at(r, key, "%s '%s' has no parameter '%s'; it has: %s", kind_name(p->desc.kind),
                   p->desc.name, text_of(key.node), p->nparams ? list : "no parameters");
}

static struct spec_param *find_sp(struct spec_experiment *e, int def_index)
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

static int read_params(struct reader *r, struct ref map, struct spec_experiment *e)
{
    const struct plugin *p = e->plugin;
    uint64_t product = 1; /* of the axes read so far that the experiment keeps */
    e->params = xcalloc(p->nparams, sizeof *e->params);
    if (map.node) {
        if (expect(r, map, YAML_MAPPING_NODE, "a mapping of parameter: value") != 0)
            return -1;
        FOR_PAIRS(map, pair) {
            struct ref key = child(map, pair->key);
            if (expect(r, key, YAML_SCALAR_NODE, "a parameter name") != 0)
                return -1;
            int di = pdef_find(p->params, p->nparams, text_of(key.node));
            if (di < 0)
                return unknown_param(r, key, p);
            if (find_sp(e, di))
                return fail_at(r, key, "parameter '%s' is given twice", text_of(key.node));
            struct spec_param *sp = &e->params[e->nparams++];
            sp->def_index = di;
            struct ref none = {NULL, NULL};
            r->shadowed = decide(r, e->name, p->params[di].name, none).node != NULL;
            set_room(r, product);
            int rc = parse_param(r, child(map, pair->value), &p->params[di], sp);
            if (!r->shadowed)
                product = sat_mul(product, sp->nvalues);
            r->shadowed = 0;
            if (rc != 0)
                return -1;
        }
    }
    /* Overrides may set parameters the file leaves at their defaults. */
    for (size_t i = 0; i < p->nparams; i++) {
        struct ref at = decide(r, e->name, p->params[i].name, (struct ref){NULL, NULL});
        if (!at.node)
            continue;
        struct spec_param *sp = find_sp(e, (int)i);
        if (!sp) {
            sp = &e->params[e->nparams++];
            sp->def_index = (int)i;
        }
        set_room(r, product);
        if (parse_param(r, at, &p->params[i], sp) != 0)
            return -1;
        product = sat_mul(product, sp->nvalues);
    }
    r->points_before = r->points_before + product < product ? UINT64_MAX
                                                            : r->points_before + product;
    return 0;
}

/* --- instruments --------------------------------------------------------- */

static const struct plugin *find_plugin(struct reader *r, struct ref at, unsigned kind)
{
    const char *name = text_of(at.node);
    const struct plugin *p = registry_find(r->reg, name);
    if (p && p->desc.kind == kind)
        return p;
    if (p) {
        fail_at(r, at, "'%s' is an %s, not an %s", name, kind_name(p->desc.kind),
                kind_name(kind));
        return NULL;
    }
    const char *near = registry_suggest(r->reg, name, kind);
    if (near)
        fail_at(r, at, "unknown %s '%s' (did you mean '%s'?)", kind_name(kind), name, near);
    else
        fail_at(r, at, "unknown %s '%s'; `bhost --list` shows what is installed", kind_name(kind),
                name);
    return NULL;
}

/* Every parameter of p, in its order, from `map` (may be NULL) and defaults. */
static int fixed_values(struct reader *r, struct ref map, struct ref owner, const struct plugin *p,
                        struct pvalue **out)
{
    struct pvalue *v = *out = xcalloc(p->nparams, sizeof *v);
    int *given = xcalloc(p->nparams, sizeof *given);
    int rc = -1;
    if (map.node) {
        if (expect(r, map, YAML_MAPPING_NODE, "a mapping of parameter: value") != 0)
            goto out;
        FOR_PAIRS(map, pair) {
            struct ref key = child(map, pair->key);
            if (expect(r, key, YAML_SCALAR_NODE, "a parameter name") != 0)
                goto out;
            int di = pdef_find(p->params, p->nparams, text_of(key.node));
            if (di < 0) {
                unknown_param(r, key, p);
                goto out;
            }
            if (given[di]) {
                fail_at(r, key, "parameter '%s' is given twice", text_of(key.node));
                goto out;
            }
            struct ref val = child(map, pair->value);
            if (val.node->type != YAML_SCALAR_NODE) {
                fail_at(r, val, "%s: instrument parameters take one value, not %s",
                        text_of(key.node), node_kind(val.node));
                goto out;
            }
            pvalue_free(&v[di]);
            if (parse_value(r, val, &p->params[di], &v[di]) != 0)
                goto out;
            given[di] = 1;
        }
    }
    for (size_t i = 0; i < p->nparams; i++) {
        if (given[i])
            continue;
        if (p->params[i].required) {
            fail_at(r, owner, "%s '%s' needs parameter '%s' (%s: %s)", kind_name(p->desc.kind),
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

static int read_instrument(struct reader *r, struct ref at, struct spec_instrument *si)
{
    struct ref name = at, params = {at.src, NULL};
    if (at.node->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"instrument", "params"};
        if (check_keys(r, at, keys, ARRAY_LEN(keys), "an instrument") != 0)
            return -1;
        name = get(at, "instrument");
        params = get(at, "params");
        if (!name.node)
            return fail_at(r, at, "an instrument needs 'instrument: NAME'");
    }
    if (expect(r, name, YAML_SCALAR_NODE, "an instrument name") != 0)
        return -1;
    if (!(si->plugin = find_plugin(r, name, BHOST_INSTRUMENT)))
        return -1;
    return fixed_values(r, params, at, si->plugin, &si->values);
}

static int read_instruments(struct reader *r, struct ref at, struct spec_experiment *e)
{
    if (expect(r, at, YAML_SEQUENCE_NODE, "a list of instruments") != 0)
        return -1;
    size_t n = (size_t)(at.node->data.sequence.items.top - at.node->data.sequence.items.start);
    e->instruments = xcalloc(n, sizeof *e->instruments);
    FOR_ITEMS(at, it) {
        struct spec_instrument *si = &e->instruments[e->ninstruments];
        if (read_instrument(r, child(at, *it), si) != 0) {
            e->ninstruments += si->plugin != NULL;
            return -1;
        }
        e->ninstruments++;
        for (size_t j = 0; j + 1 < e->ninstruments; j++)
            if (e->instruments[j].plugin == si->plugin)
                return fail_at(r, child(at, *it), "instrument '%s' is attached twice",
                               si->plugin->desc.name);
    }
    return 0;
}

/* --- experiments and the spec -------------------------------------------- */

static int valid_exp_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static int read_experiment(struct reader *r, struct ref map, struct ref top, struct timing base,
                           struct spec *s, struct spec_experiment *e)
{
    static const char *const keys[] = {"name", "experiment", "params", "iterations",
                                       "min_time", "repetitions", "instruments", "seed",
                                       "tags", "notes", "timeout", "rate", "arrival"};
    if (expect(r, map, YAML_MAPPING_NODE, "an experiment (a mapping with 'experiment:')") != 0 ||
        check_keys(r, map, keys, ARRAY_LEN(keys), "an experiment") != 0)
        return -1;
    struct ref plugin = get(map, "experiment");
    if (!plugin.node)
        return fail_at(r, map, "an experiment needs 'experiment: PLUGIN'");
    if (expect(r, plugin, YAML_SCALAR_NODE, "an experiment plugin name") != 0 ||
        !(e->plugin = find_plugin(r, plugin, BHOST_EXPERIMENT)))
        return -1;
    struct ref name = get(map, "name");
    if (name.node && read_string(r, name, "an experiment name", &e->name) != 0)
        return -1;
    if (!e->name)
        e->name = xstrdup(e->plugin->desc.name);
    if (!valid_exp_name(e->name))
        return fail_at(r, name.node ? name : map, "experiment name '%s' may only use letters, "
                       "digits, '_' and '-'", e->name);
    for (struct spec_experiment *o = s->experiments; o < e; o++)
        if (strcmp(o->name, e->name) == 0)
            return fail_at(r, map, "a second experiment named '%s': give each its own 'name:'",
                           e->name);
    if (read_params(r, get(map, "params"), e) != 0)
        return -1;
    for (size_t i = 0; i < e->plugin->nparams; i++)
        if (e->plugin->params[i].required && !find_sp(e, (int)i))
            return fail_at(r, map, "experiment '%s' needs parameter '%s' (%s: %s)", e->name,
                           e->plugin->params[i].name, type_name(e->plugin->params[i].type),
                           e->plugin->params[i].doc ? e->plugin->params[i].doc : "no default");
    struct timing t = base;
    t.has_measured = t.has_min_time = 0;
    t.measured = 0;
    t.min_time = 0;
    if (read_timing(r, e->name, map, &t) != 0)
        return -1;
    /* An experiment that sets either of measured or min_time sets its stopping rule. */
    if (!t.has_measured && !t.has_min_time) {
        t.has_measured = base.has_measured, t.measured = base.measured;
        t.has_min_time = base.has_min_time, t.min_time = base.min_time;
    }
    if (!t.has_measured && !t.has_min_time)
        t.min_time = SPEC_DEFAULT_MIN_TIME;
    e->warmup = t.has_warmup ? t.warmup : SPEC_DEFAULT_WARMUP;
    e->measured = t.measured;
    e->min_time = t.min_time;
    e->repetitions = t.has_repetitions ? t.repetitions : 1;
    e->seed = t.seed;
    e->timeout = t.timeout;
    e->rate = t.has_rate ? t.rate : 0;
    e->arrival = t.arrival;
    if (t.has_arrival && !t.has_rate)
        return fail_at(r, t.arrival_at, "arrival needs a rate: add 'rate: N' (iterations per "
                       "second) to run on a schedule");
    if (e->measured == 0 && e->min_time == 0)
        return fail_at(r, map, "experiment '%s' would measure nothing: set iterations.measured "
                       "or min_time above 0", e->name);
    struct ref inst = decide(r, e->name, "instruments", get(map, "instruments"));
    if (!inst.node)
        inst = get(top, "instruments");
    if (inst.node && read_instruments(r, inst, e) != 0)
        return -1;
    struct ref tags = get(map, "tags"), notes = get(map, "notes");
    if (tags.node && read_tags(r, tags, &e->tags, &e->ntags) != 0)
        return -1;
    if (notes.node && read_string(r, notes, "notes text", &e->notes) != 0)
        return -1;
    return 0;
}

static char *name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = xstrdup(base);
    char *dot = strrchr(name, '.');
    if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
        *dot = '\0';
    return name;
}

static int read_spec(struct reader *r, struct ref top, struct spec *s)
{
    static const char *const keys[] = {"name", "experiments", "iterations", "min_time",
                                       "repetitions", "instruments", "seed", "tags",
                                       "notes", "output_dir", "max_points", "timeout",
                                       "rate", "arrival"};
    if (!top.node)
        return snprintf(r->err, r->errlen, "%s:1:1: the spec is empty; it needs "
                        "'experiments:'", top.src->file), -1;
    if (expect(r, top, YAML_MAPPING_NODE, "a mapping with 'experiments:' at the top level") ||
        check_keys(r, top, keys, ARRAY_LEN(keys), "the spec") != 0)
        return -1;
    struct ref at = decide(r, NULL, "name", get(top, "name"));
    if (at.node && read_string(r, at, "a spec name", &s->name) != 0)
        return -1;
    /* It names the run's folder: no separators, no dot-dot. */
    if (s->name && !valid_exp_name(s->name))
        return fail_at(r, at, "spec name '%s' may only use letters, digits, '_' and '-'",
                       s->name);
    at = decide(r, NULL, "output_dir", get(top, "output_dir"));
    if (at.node && read_string(r, at, "a directory", &s->output_dir) != 0)
        return -1;
    if (s->output_dir && !*s->output_dir)
        return fail_at(r, at, "output_dir is empty; leave it out for results/");
    at = decide(r, NULL, "max_points", get(top, "max_points"));
    s->max_points = SPEC_DEFAULT_MAX_POINTS;
    if (at.node && read_u64(r, at, "a point limit", 1, SPEC_MAX_POINTS, &s->max_points) != 0)
        return -1;
    r->max_values = s->max_points;
    at = get(top, "tags");
    if (at.node && read_tags(r, at, &s->tags, &s->ntags) != 0)
        return -1;
    at = get(top, "notes");
    if (at.node && read_string(r, at, "notes text", &s->notes) != 0)
        return -1;
    struct timing base = {0};
    if (read_timing(r, NULL, top, &base) != 0)
        return -1;
    s->seed = base.seed;
    struct ref exps = get(top, "experiments");
    if (!exps.node)
        return fail_at(r, top, "the spec needs 'experiments:', a list of experiments");
    if (expect(r, exps, YAML_SEQUENCE_NODE, "a list of experiments") != 0)
        return -1;
    size_t n = (size_t)(exps.node->data.sequence.items.top - exps.node->data.sequence.items.start);
    if (n == 0)
        return fail_at(r, exps, "'experiments:' is empty; give at least one");
    s->experiments = xcalloc(n, sizeof *s->experiments);
    FOR_ITEMS(exps, it) {
        struct spec_experiment *e = &s->experiments[s->nexperiments++];
        if (read_experiment(r, child(exps, *it), top, base, s, e) != 0)
            return -1;
    }
    return 0;
}

/* An override nothing used is a typo: say so rather than run without it. */
static int check_overrides_used(struct reader *r, const struct spec *s)
{
    for (size_t i = 0; i < r->nov; i++) {
        struct override *o = &r->ov[i];
        if (o->used)
            continue;
        if (o->scope) {
            size_t j = 0;
            while (j < s->nexperiments && strcmp(s->experiments[j].name, o->scope) != 0)
                j++;
            if (j == s->nexperiments) {
                char *scope = escape_text(o->scope);
                snprintf(r->err, r->errlen, "--set %s: the spec has no experiment named '%s'",
                         o->shown, scope);
                free(scope);
                return -1;
            }
        }
        char *key = escape_text(o->key);
        snprintf(r->err, r->errlen, "--set %s: no %s has a parameter or setting '%s'", o->shown,
                 o->scope ? "such experiment" : "experiment", key);
        free(key);
        return -1;
    }
    return 0;
}

static void free_overrides(struct reader *r)
{
    for (size_t i = 0; i < r->nov; i++) {
        struct override *o = &r->ov[i];
        if (o->loaded)
            yaml_document_delete(&o->src.doc);
        free(o->text);
        free(o->shown);
        free(o->label);
        free(o->scope);
        free(o->key);
    }
    free(r->ov);
}

int spec_load_text(const char *text, size_t len, const char *label, const struct registry *reg,
                   const char *const *overrides, size_t noverrides, struct spec *s,
                   char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->path = xstrdup(label);
    struct reader r = {.reg = reg, .err = err, .errlen = errlen,
                       .max_values = SPEC_DEFAULT_MAX_POINTS};
    struct src file;
    int rc = -1;
    if (load_overrides(&r, overrides, noverrides) != 0) {
        free_overrides(&r);
        spec_free(s);
        return -1;
    }
    if (load_yaml(&file, text, len, label, err, errlen) == 0) {
        struct ref top = {&file, yaml_document_get_root_node(&file.doc)};
        rc = read_spec(&r, top, s);
        if (rc == 0)
            rc = check_overrides_used(&r, s);
        yaml_document_delete(&file.doc);
    }
    free_overrides(&r);
    if (rc == 0 && !s->name)
        s->name = name_from_path(label);
    if (rc != 0)
        spec_free(s);
    return rc;
}

int spec_load(const char *path, const struct registry *reg, const char *const *overrides,
              size_t noverrides, struct spec *s, char *err, size_t errlen)
{
    size_t len;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > SPEC_MAX_TEXT_BYTES) {
        snprintf(err, errlen, "%s: the spec is %lld bytes; a spec may be at most %u bytes (4 MiB)",
                 path, (long long)st.st_size, SPEC_MAX_TEXT_BYTES);
        memset(s, 0, sizeof *s);
        return -1;
    }
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        memset(s, 0, sizeof *s);
        return -1;
    }
    int rc = spec_load_text(text, len, path, reg, overrides, noverrides, s, err, errlen);
    free(text);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_values(struct pvalue *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        pvalue_free(&v[i]);
    free(v);
}

void registry_keep_used(struct registry *reg, const struct spec *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nexperiments; i++)
        n += 1 + s->experiments[i].ninstruments;
    const struct plugin **used = xcalloc(n, sizeof *used);
    n = 0;
    for (size_t i = 0; i < s->nexperiments; i++) {
        used[n++] = s->experiments[i].plugin;
        for (size_t k = 0; k < s->experiments[i].ninstruments; k++)
            used[n++] = s->experiments[i].instruments[k].plugin;
    }
    registry_keep(reg, used, n);
    free(used);
}

void spec_free(struct spec *s)
{
    for (size_t i = 0; i < s->nexperiments; i++) {
        struct spec_experiment *e = &s->experiments[i];
        for (size_t j = 0; j < e->nparams; j++)
            free_values(e->params[j].values, e->params[j].nvalues);
        free(e->params);
        for (size_t j = 0; j < e->ninstruments; j++)
            free_values(e->instruments[j].values, e->instruments[j].plugin->nparams);
        free(e->instruments);
        free_strings(e->tags, e->ntags);
        free(e->name);
        free(e->notes);
    }
    free(s->experiments);
    free_strings(s->tags, s->ntags);
    free(s->path);
    free(s->name);
    free(s->output_dir);
    free(s->notes);
    memset(s, 0, sizeof *s);
}
