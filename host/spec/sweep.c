/* sweep.c — see sweep.h. */
#include "spec/sweep.h"
#include "util/hash.h"
#include "util/mem.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t experiment_points(const struct spec_experiment *e, int *overflow)
{
    uint64_t n = e->nthreads ? e->nthreads : 1;
    for (size_t i = 0; i < e->nparams; i++) {
        uint64_t k = e->params[i].nvalues;
        if (k && n > UINT64_MAX / k)
            *overflow = 1;
        n *= k;
    }
    return n;
}

int sweep_count(const struct spec *s, uint64_t limit, uint64_t *total, char *err, size_t errlen)
{
    uint64_t sum = 0;
    int overflow = 0;
    for (size_t i = 0; i < s->nexperiments; i++) {
        uint64_t n = experiment_points(&s->experiments[i], &overflow);
        if (sum + n < sum)
            overflow = 1;
        sum += n;
        if (overflow || sum > limit) {
            char axes[512] = "";
            const struct spec_experiment *e = &s->experiments[i];
            for (size_t j = 0, used = 0; j < e->nparams && used < sizeof axes; j++)
                if (e->params[j].is_axis)
                    used += (size_t)snprintf(axes + used, sizeof axes - used, "%s%s (%zu)",
                                             used ? " x " : "",
                                             e->defs[e->params[j].def_index].name,
                                             e->params[j].nvalues);
            if (e->threads_axis && strlen(axes) < sizeof axes - 32)
                snprintf(axes + strlen(axes), sizeof axes - strlen(axes), "%sthreads (%zu)",
                         *axes ? " x " : "", e->nthreads);
            snprintf(err, errlen, "%s: the sweep expands to more than %llu points "
                     "(experiment '%s': %s); narrow the sweep, or raise the limit with "
                     "'max_points:' or --max-points",
                     s->path, (unsigned long long)limit, e->name, axes);
            return -1;
        }
    }
    *total = sum;
    return 0;
}

static const char *param_name(const struct spec_experiment *e, const struct spec_param *sp)
{
    return e->defs[sp->def_index].name;
}

/* The spec's parameters ordered by name: what point ids hash. Few, so insertion sort. */
static void sort_by_name(const struct spec_experiment *e, const struct spec_param **v)
{
    for (size_t i = 0; i < e->nparams; i++) {
        const struct spec_param *x = &e->params[i];
        size_t j = i;
        for (; j > 0 && strcmp(param_name(e, v[j - 1]), param_name(e, x)) > 0; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* A tiny string builder over a growing heap buffer. */
struct buf {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void buf_add(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = xvasprintf(fmt, ap);
    va_end(ap);
    size_t n = strlen(piece);
    grow(&b->s, &b->cap, b->len + n, 1);
    memcpy(b->s + b->len, piece, n + 1);
    b->len += n;
    free(piece);
}

/* A value's text in an id string: newlines and backslashes escaped, so that
 * one "name=value\n" line cannot pass for two. */
static void add_id_value(struct buf *id, const char *text)
{
    for (; *text; text++) {
        if (*text == '\n')
            buf_add(id, "\\n");
        else if (*text == '\\')
            buf_add(id, "\\\\");
        else
            buf_add(id, "%c", *text);
    }
}

static void name_point(struct point *p, const size_t *choice, const struct spec_param **sorted)
{
    const struct spec_experiment *e = p->exp;
    struct buf id = {0}, label = {0};
    buf_add(&id, "%s\n", e->name);
    for (size_t i = 0; i < e->nparams; i++) {
        const struct spec_param *sp = sorted[i];
        char *text = pvalue_text(&sp->values[choice[sp - e->params]]);
        buf_add(&id, "%s=", param_name(e, sp));
        add_id_value(&id, text);
        buf_add(&id, "\n");
        free(text);
    }
    /* One thread is what every point was before threads: its id stays as it was. '@' is
     * in no parameter's name, so the line cannot pass for a parameter called threads. */
    if (p->threads != 1)
        buf_add(&id, "@threads=%u\n", p->threads);
    buf_add(&label, "%s", e->name);
    int axes = 0;
    for (size_t i = 0; i < e->nparams; i++) {
        if (!e->params[i].is_axis)
            continue;
        char *text = pvalue_text(&e->params[i].values[choice[i]]);
        buf_add(&label, "%s%s=%s", axes++ ? "," : "[", param_name(e, &e->params[i]), text);
        free(text);
    }
    if (e->threads_axis)
        buf_add(&label, "%sthreads=%u", axes++ ? "," : "[", p->threads);
    if (axes)
        buf_add(&label, "]");
    uint64_t h = fnv1a64(id.s, id.len, FNV1A64_INIT);
    snprintf(p->id, sizeof p->id, "%016llx", (unsigned long long)h);
    p->seed = mix64(e->seed ^ h);
    p->label = label.s;
    free(id.s);
}

/* Labels hold '[', so a label pasted from the output must match as text too. */
int sweep_match(const char *pattern, const char *label, const char *id)
{
    return strstr(label, pattern) || strstr(id, pattern) || fnmatch(pattern, label, 0) == 0 ||
           fnmatch(pattern, id, 0) == 0;
}

static int keep(const struct point *p, const char *filter)
{
    return !filter || sweep_match(filter, p->label, p->id);
}

static void expand_experiment(const struct spec_experiment *e, const char *filter,
                              struct sweep *w, size_t *cap, size_t *index)
{
    size_t *choice = xcalloc(e->nparams + 2, sizeof *choice);
    const struct spec_param **sorted = xcalloc(e->nparams + 1, sizeof *sorted);
    sort_by_name(e, sorted);
    size_t nthreads = e->nthreads ? e->nthreads : 1;
    for (;;) {
        /* choice[nparams] picks the thread count: the last axis, turning fastest. */
        struct point p = {.index = (*index)++, .exp = e,
                          .threads = e->nthreads ? e->threads[choice[e->nparams]] : 1};
        name_point(&p, choice, sorted);
        if (keep(&p, filter)) {
            p.values = xcalloc(e->ndefs, sizeof *p.values);
            for (size_t i = 0; i < e->ndefs; i++)
                pvalue_copy(&p.values[i], &e->defs[i].def);
            for (size_t i = 0; i < e->nparams; i++) {
                struct pvalue *v = &p.values[e->params[i].def_index];
                pvalue_free(v);
                pvalue_copy(v, &e->params[i].values[choice[i]]);
            }
            grow(&w->points, cap, w->npoints, sizeof *w->points);
            w->points[w->npoints++] = p;
        } else {
            free(p.label);
        }
        /* Odometer: the thread count turns fastest, then the last parameter. */
        if (++choice[e->nparams] < nthreads)
            continue;
        choice[e->nparams] = 0;
        size_t i = e->nparams;
        while (i > 0 && ++choice[i - 1] == e->params[i - 1].nvalues)
            choice[--i] = 0;
        if (i == 0)
            break;
    }
    free(sorted);
    free(choice);
}

int sweep_expand(const struct spec *s, const char *filter, uint64_t limit, struct sweep *w,
                 char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (sweep_count(s, limit, &w->total, err, errlen) != 0)
        return -1;
    size_t cap = 0, index = 0;
    for (size_t i = 0; i < s->nexperiments; i++)
        expand_experiment(&s->experiments[i], filter, w, &cap, &index);
    return 0;
}

void sweep_free(struct sweep *w)
{
    for (size_t i = 0; i < w->npoints; i++) {
        struct point *p = &w->points[i];
        for (size_t j = 0; j < p->exp->ndefs; j++)
            pvalue_free(&p->values[j]);
        free(p->values);
        free(p->label);
    }
    free(w->points);
    memset(w, 0, sizeof *w);
}
