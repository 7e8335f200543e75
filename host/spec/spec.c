/* spec.c — the spec model's own functions (see spec.h). */
#include "spec/spec.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *spec_arrival_name(enum spec_arrival a)
{
    static const char *const names[] = {"fixed", "poisson"};
    return names[a];
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

int spec_open_plugins(struct registry *reg, const struct spec *s, char *err, size_t n)
{
    for (size_t i = 0; i < s->nexperiments; i++) {
        const struct spec_experiment *e = &s->experiments[i];
        if (registry_open(reg, e->plugin, err, n) != 0)
            return -1;
        for (size_t k = 0; k < e->ninstruments; k++)
            if (registry_open(reg, e->instruments[k].plugin, err, n) != 0)
                return -1;
    }
    return 0;
}

void spec_gates_free(struct spec_gates *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->items[i].text);
        free(g->items[i].points);
        free(g->items[i].histogram);
        free(g->items[i].metric);
    }
    free(g->items);
    g->items = NULL;
    g->n = 0;
}

void spec_free(struct spec *s)
{
    for (size_t i = 0; i < s->nexperiments; i++) {
        struct spec_experiment *e = &s->experiments[i];
        for (size_t j = 0; j < e->nparams; j++)
            free_values(e->params[j].values, e->params[j].nvalues);
        free(e->params);
        for (size_t j = e->plugin ? e->plugin->nparams : 0; j < e->ndefs; j++)
            pdef_free(&e->defs[j]);
        free(e->defs);
        for (size_t j = 0; j < e->ninstruments; j++)
            free_values(e->instruments[j].values, e->instruments[j].plugin->nparams);
        free(e->instruments);
        free(e->threads);
        free_strings(e->tags, e->ntags);
        free(e->name);
        free(e->notes);
        spec_gates_free(&e->gates);
    }
    spec_gates_free(&s->gates);
    free(s->experiments);
    free_strings(s->tags, s->ntags);
    free(s->path);
    free(s->name);
    free(s->output_dir);
    free(s->notes);
    memset(s, 0, sizeof *s);
}
