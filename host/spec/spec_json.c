/* spec_json.c — see spec_json.h. */
#include "spec/spec_json.h"
#include "plugin/plugin_json.h"

#include <stdio.h>

static json_t *strings_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* [{"gate", "where": "line:col", "points"}]: the gates as written, where they are. */
static json_t *gates_json(const struct spec_gates *g)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->n; i++) {
        const struct spec_gate *x = &g->items[i];
        char where[32];
        snprintf(where, sizeof where, "%u:%u", x->line, x->column);
        json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "gate", x->text, "where", where,
                                           "points", x->points ? json_string(x->points)
                                                               : json_null()));
    }
    return a;
}

static json_t *experiment_json(const struct spec_experiment *e)
{
    json_t *params = json_object();
    for (size_t i = 0; i < e->nparams; i++) {
        const struct spec_param *sp = &e->params[i];
        json_t *val;
        if (sp->is_axis) {
            val = json_array();
            for (size_t j = 0; j < sp->nvalues; j++)
                json_array_append_new(val, pvalue_json(&sp->values[j]));
        } else {
            val = pvalue_json(&sp->values[0]);
        }
        json_object_set_new(params, e->defs[sp->def_index].name, val);
    }
    json_t *inst = json_array();
    for (size_t i = 0; i < e->ninstruments; i++)
        json_array_append_new(inst, json_pack("{s:s, s:o}", "instrument",
                                              e->instruments[i].plugin->desc.name, "params",
                                              plugin_params_json(e->instruments[i].plugin,
                                                          e->instruments[i].values)));
    json_t *o = json_pack("{s:s, s:s, s:o, s:{s:I, s:I}, s:f, s:i, s:o, s:I, s:o}",
                          "name", e->name, "experiment", e->plugin->desc.name, "params", params,
                          "iterations", "warmup", (json_int_t)e->warmup, "measured",
                          (json_int_t)e->measured, "min_time", e->min_time, "repetitions",
                          (int)e->repetitions, "instruments", inst, "seed",
                          (json_int_t)e->seed, "tags", strings_json(e->tags, e->ntags));
    json_object_set_new(o, "notes", e->notes ? json_string(e->notes) : json_null());
    json_object_set_new(o, "timeout", e->timeout > 0 ? json_real(e->timeout) : json_null());
    /* Only when set: a closed-loop spec reads as it did, so older runs still --resume. */
    if (e->rate > 0) {
        json_object_set_new(o, "rate", json_real(e->rate));
        json_object_set_new(o, "arrival", json_string(spec_arrival_name(e->arrival)));
    }
    if (e->fresh_process_set)
        json_object_set_new(o, "fresh_process", json_boolean(e->fresh_process));
    /* The same for threads: one thread is what every point had before. */
    if (e->threads_axis || (e->nthreads == 1 && e->threads[0] != 1)) {
        json_t *t = json_array();
        for (size_t i = 0; i < e->nthreads; i++)
            json_array_append_new(t, json_integer(e->threads[i]));
        json_object_set_new(o, "threads", e->threads_axis ? t : json_integer(e->threads[0]));
        if (!e->threads_axis)
            json_decref(t);
    }
    /* The same for gates: a spec without them reads as before. */
    if (e->gates.n)
        json_object_set_new(o, "gates", gates_json(&e->gates));
    return o;
}

json_t *spec_to_json(const struct spec *s)
{
    json_t *exps = json_array();
    for (size_t i = 0; i < s->nexperiments; i++)
        json_array_append_new(exps, experiment_json(&s->experiments[i]));
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "name", s->name, "file", s->path,
                          "seed", (json_int_t)s->seed, "max_points",
                          (json_int_t)s->max_points, "tags", strings_json(s->tags, s->ntags),
                          "experiments", exps);
    json_object_set_new(o, "notes", s->notes ? json_string(s->notes) : json_null());
    json_object_set_new(o, "output_dir", s->output_dir ? json_string(s->output_dir)
                                                       : json_null());
    if (s->interleave)
        json_object_set_new(o, "interleave", json_true());
    if (s->gates.n)
        json_object_set_new(o, "gates", gates_json(&s->gates));
    return o;
}
