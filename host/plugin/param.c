/* param.c — see param.h. */
#include "plugin/param.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *type_name(uint32_t type)
{
    switch (type) {
    case BHOST_INT: return "int";
    case BHOST_FLOAT: return "float";
    case BHOST_BOOL: return "bool";
    case BHOST_STRING: return "string";
    case BHOST_ENUM: return "enum";
    default: return "unknown";
    }
}

static int parse_int(const char *text, int64_t *out)
{
    char *end;
    const char *digits = text + (*text == '-' || *text == '+');
    int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
    errno = 0;
    long long v = strtoll(text, &end, base);
    if (errno != 0 || end == text || *end != '\0' || isspace((unsigned char)*text))
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int parse_float(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || isspace((unsigned char)*text) ||
        !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *text, int64_t *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(text, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static double as_double(const struct pvalue *v)
{
    return v->type == BHOST_FLOAT ? v->f : (double)v->i;
}

int param_check(const struct pdef *d, const struct pvalue *v, char *err, size_t errlen)
{
    if (d->type != BHOST_INT && d->type != BHOST_FLOAT)
        return 0;
    int below = d->type == BHOST_INT ? d->has_min && v->i < d->min.i
                                     : d->has_min && as_double(v) < d->min.f;
    int above = d->type == BHOST_INT ? d->has_max && v->i > d->max.i
                                     : d->has_max && as_double(v) > d->max.f;
    if (!below && !above)
        return 0;
    char *txt = pvalue_text(v);
    snprintf(err, errlen, "%s = %s is out of range: expected %s%s%s%s%s", d->name, txt,
             d->has_min ? ">= " : "", d->has_min ? d->min_text : "",
             d->has_min && d->has_max ? " and " : "", d->has_max ? "<= " : "",
             d->has_max ? d->max_text : "");
    free(txt);
    return -1;
}

int param_parse(const struct pdef *d, const char *text, struct pvalue *out,
                char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->type = d->type;
    switch (d->type) {
    case BHOST_INT:
        if (parse_int(text, &out->i) != 0) {
            snprintf(err, errlen, "%s: expected an integer, got '%s'", d->name, text);
            return -1;
        }
        break;
    case BHOST_FLOAT:
        if (parse_float(text, &out->f) != 0) {
            snprintf(err, errlen, "%s: expected a number, got '%s'", d->name, text);
            return -1;
        }
        break;
    case BHOST_BOOL:
        if (parse_bool(text, &out->i) != 0) {
            snprintf(err, errlen, "%s: expected true or false, got '%s'", d->name, text);
            return -1;
        }
        break;
    case BHOST_STRING:
        out->s = xstrdup(text);
        return 0;
    case BHOST_ENUM:
        for (size_t i = 0; i < d->nchoices; i++) {
            if (strcmp(text, d->choices[i]) == 0) {
                out->i = (int64_t)i;
                out->s = xstrdup(text);
                return 0;
            }
        }
        {
            char choices[512];
            join_names(choices, sizeof choices, d->choices, d->nchoices);
            const char *near = closest_name(text, d->choices, d->nchoices);
            snprintf(err, errlen, "%s: '%s' is not one of: %s%s%s%s", d->name, text, choices,
                     near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        return -1;
    default:
        snprintf(err, errlen, "%s: unknown type %u", d->name, (unsigned)d->type);
        return -1;
    }
    return param_check(d, out, err, errlen);
}

char *pvalue_text(const struct pvalue *v)
{
    switch (v->type) {
    case BHOST_INT:
        return xasprintf("%lld", (long long)v->i);
    case BHOST_FLOAT: {
        /* The shortest form that reads back to the same double. */
        for (int prec = 1; prec < 17; prec++) {
            char *s = xasprintf("%.*g", prec, v->f);
            if (strtod(s, NULL) == v->f)
                return s;
            free(s);
        }
        return xasprintf("%.17g", v->f);
    }
    case BHOST_BOOL:
        return xstrdup(v->i ? "true" : "false");
    default:
        return xstrdup(v->s ? v->s : "");
    }
}

void pvalue_copy(struct pvalue *dst, const struct pvalue *src)
{
    *dst = *src;
    dst->s = src->s ? xstrdup(src->s) : NULL;
}

void pvalue_free(struct pvalue *v)
{
    free(v->s);
    v->s = NULL;
}

int pdef_find(const struct pdef *defs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int valid_name(const char *s)
{
    if (!s || !islower((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int parse_bound(struct pdef *d, const char *text, struct pvalue *out, const char *what,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->type = d->type;
    int rc = d->type == BHOST_INT ? parse_int(text, &out->i) : parse_float(text, &out->f);
    if (rc != 0)
        snprintf(err, errlen, "parameter '%s': %s '%s' is not a valid %s", d->name, what, text,
                 type_name(d->type));
    return rc;
}

/* Names --set and specs use for settings: a parameter so named would be ambiguous. */
static const char *const reserved_names[] = {
    "name", "experiment", "params", "iterations", "warmup", "measured", "min_time",
    "repetitions", "instruments", "seed", "tags", "notes", "output_dir", "max_points",
    "timeout", "rate", "arrival"};

static const char *first_invalid_text(const struct bhost_param *p)
{
    const char *texts[] = {p->def, p->min, p->max, p->unit, p->doc};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (texts[i] && !utf8_valid(texts[i]))
            return texts[i];
    return NULL;
}

static int check_choices(const struct pdef *d, char *err, size_t errlen)
{
    for (size_t i = 0; i < d->nchoices; i++) {
        if (!*d->choices[i] || !utf8_valid(d->choices[i])) {
            snprintf(err, errlen, "enum parameter '%s' has an empty or non-UTF-8 choice",
                     d->name);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->choices[i], d->choices[j]) == 0) {
                snprintf(err, errlen, "enum parameter '%s' lists choice '%s' twice", d->name,
                         d->choices[i]);
                return -1;
            }
    }
    return 0;
}

static int read_pdef(struct pdef *d, const struct bhost_param *p, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->name = p->name;
    d->type = p->type;
    d->def_text = p->def;
    d->min_text = p->min;
    d->max_text = p->max;
    d->unit = p->unit;
    d->doc = p->doc;
    d->choices = p->choices;
    if (!valid_name(p->name)) {
        snprintf(err, errlen, "parameter name '%s' is not [a-z][a-z0-9_]*",
                 p->name ? p->name : "(null)");
        return -1;
    }
    for (size_t i = 0; i < ARRAY_LEN(reserved_names); i++)
        if (strcmp(p->name, reserved_names[i]) == 0) {
            snprintf(err, errlen, "parameter name '%s' is reserved for spec settings; rename it",
                     p->name);
            return -1;
        }
    if (p->flags != 0) {
        snprintf(err, errlen, "parameter '%s' sets reserved flags 0x%x; they must be 0",
                 p->name, (unsigned)p->flags);
        return -1;
    }
    if (first_invalid_text(p)) {
        snprintf(err, errlen, "parameter '%s' has text that is not UTF-8", p->name);
        return -1;
    }
    if (p->type < BHOST_INT || p->type > BHOST_ENUM) {
        snprintf(err, errlen, "parameter '%s' has unknown type %u", p->name, (unsigned)p->type);
        return -1;
    }
    if (p->type == BHOST_ENUM) {
        while (p->choices && p->choices[d->nchoices] && d->nchoices <= PARAM_MAX_CHOICES)
            d->nchoices++;
        if (d->nchoices > PARAM_MAX_CHOICES) {
            snprintf(err, errlen, "enum parameter '%s' has more than %d choices (is its list "
                     "NULL-terminated?)", p->name, PARAM_MAX_CHOICES);
            return -1;
        }
        if (d->nchoices == 0) {
            snprintf(err, errlen, "enum parameter '%s' has no choices", p->name);
            return -1;
        }
        if (check_choices(d, err, errlen) != 0)
            return -1;
    }
    if ((p->min || p->max) && p->type != BHOST_INT && p->type != BHOST_FLOAT) {
        snprintf(err, errlen, "parameter '%s': min/max only apply to int and float", p->name);
        return -1;
    }
    if (p->min && parse_bound(d, p->min, &d->min, "min", err, errlen) != 0)
        return -1;
    d->has_min = p->min != NULL;
    if (p->max && parse_bound(d, p->max, &d->max, "max", err, errlen) != 0)
        return -1;
    d->has_max = p->max != NULL;
    if (d->has_min && d->has_max &&
        (d->type == BHOST_INT ? d->min.i > d->max.i : d->min.f > d->max.f)) {
        snprintf(err, errlen, "parameter '%s' has min %s above max %s", p->name, p->min,
                 p->max);
        return -1;
    }
    d->required = p->def == NULL;
    if (!d->required) {
        char why[400];
        if (param_parse(d, p->def, &d->def, why, sizeof why) != 0) {
            snprintf(err, errlen, "default of parameter '%s' does not validate: %s", p->name, why);
            return -1;
        }
    }
    return 0;
}

/* The plugin's strings, copied: a definition outlives the image it was read from. */
static void own_texts(struct pdef *d)
{
    const char **texts[] = {&d->name, &d->def_text, &d->min_text, &d->max_text, &d->unit,
                            &d->doc};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        *texts[i] = *texts[i] ? xstrdup(*texts[i]) : NULL;
    char **choices = NULL;
    if (d->nchoices) {
        choices = xcalloc(d->nchoices + 1, sizeof *choices);
        for (size_t i = 0; i < d->nchoices; i++)
            choices[i] = xstrdup(d->choices[i]);
    }
    d->choices = (const char *const *)choices;
}

int pdef_from_plugin(struct pdef *d, const struct bhost_param *p, char *err, size_t errlen)
{
    if (read_pdef(d, p, err, errlen) != 0) {
        pvalue_free(&d->def);
        memset(d, 0, sizeof *d);
        return -1;
    }
    own_texts(d);
    return 0;
}

int param_name_ok(const char *name)
{
    return valid_name(name);
}

void pdef_open(struct pdef *d, const char *name)
{
    *d = (struct pdef){.name = xstrdup(name), .type = BHOST_STRING, .required = 1, .open = 1,
                       .def = {.type = BHOST_STRING},
                       .doc = xstrdup("an open parameter: the spec gives it")};
}

void pdef_free(struct pdef *d)
{
    pvalue_free(&d->def);
    const char *texts[] = {d->name, d->def_text, d->min_text, d->max_text, d->unit, d->doc};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        free_const(texts[i]);
    for (size_t i = 0; i < d->nchoices; i++)
        free_const(d->choices[i]);
    free_const(d->choices);
    memset(d, 0, sizeof *d);
}
