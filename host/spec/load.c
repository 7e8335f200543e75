/*
 * load.c — reads sweep specs (see load.h, docs/specs.md): the top level,
 * its experiments and their instruments, put together from the reader's
 * parts (reader.c: the YAML tree; overrides.c: --set; settings.c: timing
 * and other settings; values.c: parameter values and axes).
 */
#include "spec/load.h"
#include "spec/gates_read.h"
#include "spec/overrides.h"
#include "spec/reader.h"
#include "spec/seed_form.h"
#include "spec/settings.h"
#include "spec/spec_yaml.h"
#include "spec/values.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- instruments --------------------------------------------------------- */

static const struct plugin *find_plugin(struct reader *r, struct ref at, unsigned kind)
{
    const char *name = node_text(at.node);
    const struct plugin *p = registry_find(r->reg, name);
    if (p && p->desc.kind == kind)
        return p;
    if (p) {
        node_fail(r, at, "'%s' is an %s, not an %s", name, kind_name(p->desc.kind),
                kind_name(kind));
        return NULL;
    }
    const char *refused = registry_refusal_of(r->reg, name);
    if (refused) {
        node_fail(r, at, "%s '%s' cannot be used: %s", kind_name(kind), name, refused);
        return NULL;
    }
    const char *near = registry_suggest(r->reg, name, kind);
    if (near)
        node_fail(r, at, "unknown %s '%s' (did you mean '%s'?)", kind_name(kind), name, near);
    else
        node_fail(r, at, "unknown %s '%s'; `bhost --list` shows what is installed", kind_name(kind),
                name);
    return NULL;
}

static struct spec_where where(struct ref at)
{
    return (struct spec_where){(unsigned)at.node->start_mark.line + 1,
                               (unsigned)at.node->start_mark.column + 1};
}

static int read_instrument(struct reader *r, struct ref at, struct spec_instrument *si)
{
    si->at = where(at);
    struct ref name = at, params = {at.src, NULL};
    if (at.node->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"instrument", "params"};
        if (map_check_keys(r, at, keys, ARRAY_LEN(keys), "an instrument") != 0)
            return -1;
        name = map_get(at, "instrument");
        params = map_get(at, "params");
        if (!name.node)
            return node_fail(r, at, "an instrument needs 'instrument: NAME'");
    }
    if (node_expect(r, name, YAML_SCALAR_NODE, "an instrument name") != 0)
        return -1;
    if (!(si->plugin = find_plugin(r, name, BHOST_INSTRUMENT)))
        return -1;
    return fixed_values(r, params, at, si->plugin, &si->values);
}

static int read_instruments(struct reader *r, struct ref at, struct spec_experiment *e)
{
    if (node_expect(r, at, YAML_SEQUENCE_NODE, "a list of instruments") != 0)
        return -1;
    size_t n = (size_t)(at.node->data.sequence.items.top - at.node->data.sequence.items.start);
    e->instruments = xcalloc(n, sizeof *e->instruments);
    FOR_ITEMS(at, it) {
        struct spec_instrument *si = &e->instruments[e->ninstruments];
        if (read_instrument(r, node_child(at, *it), si) != 0) {
            e->ninstruments += si->plugin != NULL;
            return -1;
        }
        e->ninstruments++;
        for (size_t j = 0; j + 1 < e->ninstruments; j++)
            if (e->instruments[j].plugin == si->plugin)
                return node_fail(r, node_child(at, *it), "instrument '%s' is attached twice",
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

/*
 * `threads:` of the experiment, else of the top level: one count or an axis of
 * them. --set threads=... decides it too, unless the plugin has a parameter of
 * that name, which the override then sets instead (plugins had it first).
 */
static int read_threads(struct reader *r, struct ref map, struct ref top,
                        struct spec_experiment *e)
{
    struct ref at = map_get(map, "threads");
    if (!at.node)
        at = map_get(top, "threads");
    if (pdef_find(e->plugin->params, e->plugin->nparams, "threads") < 0)
        at = overrides_decide(r, e->name, "threads", at);
    struct spec_param sp = {0};
    if (!at.node) {
        e->threads = xcalloc(1, sizeof *e->threads);
        e->threads[0] = 1;
        e->nthreads = 1;
        return 0;
    }
    if (read_int_axis(r, at, "threads", 1, SPEC_MAX_THREADS, &sp) != 0)
        return -1;
    for (size_t i = 0; i < sp.nvalues; i++)
        if (sp.values[i].i > 1 && (e->plugin->desc.flags & BHOST_ONE_THREAD)) {
            long long n = (long long)sp.values[i].i;
            free(sp.values);
            return node_fail(r, at, "'%s' runs on one thread only (its iterations share state "
                             "that is not safe to share); threads = %lld cannot be used",
                             e->plugin->desc.name, n);
        }
    e->threads = xcalloc(sp.nvalues, sizeof *e->threads);
    for (size_t i = 0; i < sp.nvalues; i++)
        e->threads[i] = (uint32_t)sp.values[i].i;
    e->nthreads = sp.nvalues;
    e->threads_axis = sp.is_axis;
    free(sp.values);
    return 0;
}

/* A required parameter the spec does not give; an open one given in its place is its typo. */
static int missing_param(struct reader *r, struct ref map, const struct spec_experiment *e,
                         const struct pdef *d)
{
    size_t nopen = e->ndefs - e->plugin->nparams;
    const char **open = xcalloc(nopen + 1, sizeof *open);
    for (size_t i = 0; i < nopen; i++)
        open[i] = e->defs[e->plugin->nparams + i].name;
    const char *near = closest_name(d->name, open, nopen);
    free(open);
    if (near)
        return node_fail(r, map, "experiment '%s' needs parameter '%s' (%s: %s); the spec gives "
                         "'%s' (did you mean '%s'?)", e->name, d->name, type_name(d->type),
                         d->doc ? d->doc : "no default", near, d->name);
    return node_fail(r, map, "experiment '%s' needs parameter '%s' (%s: %s)", e->name, d->name,
                     type_name(d->type), d->doc ? d->doc : "no default");
}

static int read_experiment(struct reader *r, struct ref map, struct ref top, struct timing base,
                           struct spec *s, struct spec_experiment *e)
{
    static const char *const keys[] = {"name", "experiment", "params", "iterations",
                                       "min_time", "repetitions", "instruments", "seed",
                                       "tags", "notes", "timeout", "rate", "arrival", "threads",
                                       "fresh_process", "gates"};
    if (node_expect(r, map, YAML_MAPPING_NODE, "an experiment (a mapping with 'experiment:')") != 0 ||
        map_check_keys(r, map, keys, ARRAY_LEN(keys), "an experiment") != 0)
        return -1;
    struct ref plugin = map_get(map, "experiment");
    if (!plugin.node)
        return node_fail(r, map, "an experiment needs 'experiment: PLUGIN'");
    if (node_expect(r, plugin, YAML_SCALAR_NODE, "an experiment plugin name") != 0 ||
        !(e->plugin = find_plugin(r, plugin, BHOST_EXPERIMENT)))
        return -1;
    e->at = where(plugin);
    struct ref name = map_get(map, "name");
    if (name.node && read_string(r, name, "an experiment name", &e->name) != 0)
        return -1;
    if (!e->name)
        e->name = xstrdup(e->plugin->desc.name);
    if (!valid_exp_name(e->name))
        return node_fail(r, name.node ? name : map, "experiment name '%s' may only use letters, "
                       "digits, '_' and '-'", e->name);
    for (struct spec_experiment *o = s->experiments; o < e; o++)
        if (strcmp(o->name, e->name) == 0)
            return node_fail(r, map, "a second experiment named '%s': give each its own 'name:'",
                           e->name);
    if (read_params(r, map_get(map, "params"), e) != 0)
        return -1;
    for (size_t i = 0; i < e->plugin->nparams; i++)
        if (e->plugin->params[i].required && !spec_param_find(e, (int)i))
            return missing_param(r, map, e, &e->plugin->params[i]);
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
    e->fresh_process = t.fresh_process;
    e->fresh_process_set = t.has_fresh_process;
    if (t.has_arrival && !t.has_rate)
        return node_fail(r, t.arrival_at, "arrival needs a rate: add 'rate: N' (iterations per "
                       "second) to run on a schedule");
    if (e->measured == 0 && e->min_time == 0)
        return node_fail(r, map, "experiment '%s' would measure nothing: set iterations.measured "
                       "or min_time above 0", e->name);
    if (read_threads(r, map, top, e) != 0)
        return -1;
    struct ref inst = overrides_decide(r, e->name, "instruments", map_get(map, "instruments"));
    if (!inst.node)
        inst = map_get(top, "instruments");
    if (inst.node && read_instruments(r, inst, e) != 0)
        return -1;
    struct ref tags = map_get(map, "tags"), notes = map_get(map, "notes");
    if (tags.node && read_tags(r, tags, &e->tags, &e->ntags) != 0)
        return -1;
    if (notes.node && read_string(r, notes, "notes text", &e->notes) != 0)
        return -1;
    struct ref gates = map_get(map, "gates");
    if (gates.node && read_gates(r, gates, &e->gates) != 0)
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
                                       "rate", "arrival", "threads", "fresh_process",
                                       "interleave", "gates"};
    if (!top.node)
        return snprintf(r->err, r->errlen, "%s:1:1: the spec is empty; it needs "
                        "'experiments:'", top.src->file), -1;
    if (node_expect(r, top, YAML_MAPPING_NODE, "a mapping with 'experiments:' at the top level") ||
        map_check_keys(r, top, keys, ARRAY_LEN(keys), "the spec") != 0)
        return -1;
    struct ref at = overrides_decide(r, NULL, "name", map_get(top, "name"));
    if (at.node && read_string(r, at, "a spec name", &s->name) != 0)
        return -1;
    /* It names the run's folder: no separators, no dot-dot. */
    if (s->name && !valid_exp_name(s->name))
        return node_fail(r, at, "spec name '%s' may only use letters, digits, '_' and '-'",
                       s->name);
    at = overrides_decide(r, NULL, "output_dir", map_get(top, "output_dir"));
    if (at.node && read_string(r, at, "a directory", &s->output_dir) != 0)
        return -1;
    if (s->output_dir && !*s->output_dir)
        return node_fail(r, at, "output_dir is empty; leave it out for results/");
    at = overrides_decide(r, NULL, "max_points", map_get(top, "max_points"));
    s->max_points = SPEC_DEFAULT_MAX_POINTS;
    if (at.node && read_u64(r, at, "a point limit", 1, SPEC_MAX_POINTS, &s->max_points) != 0)
        return -1;
    r->max_values = s->max_points;
    at = map_get(top, "tags");
    if (at.node && read_tags(r, at, &s->tags, &s->ntags) != 0)
        return -1;
    at = map_get(top, "notes");
    if (at.node && read_string(r, at, "notes text", &s->notes) != 0)
        return -1;
    struct timing base = {0};
    if (read_timing(r, NULL, top, &base) != 0)
        return -1;
    s->seed = base.seed;
    at = overrides_decide(r, NULL, "interleave", map_get(top, "interleave"));
    if (at.node && read_bool(r, at, "interleave", &s->interleave) != 0)
        return -1;
    struct ref exps = map_get(top, "experiments");
    if (!exps.node)
        return node_fail(r, top, "the spec needs 'experiments:', a list of experiments");
    if (node_expect(r, exps, YAML_SEQUENCE_NODE, "a list of experiments") != 0)
        return -1;
    size_t n = (size_t)(exps.node->data.sequence.items.top - exps.node->data.sequence.items.start);
    if (n == 0)
        return node_fail(r, exps, "'experiments:' is empty; give at least one");
    s->experiments = xcalloc(n, sizeof *s->experiments);
    FOR_ITEMS(exps, it) {
        struct spec_experiment *e = &s->experiments[s->nexperiments++];
        if (read_experiment(r, node_child(exps, *it), top, base, s, e) != 0)
            return -1;
    }
    at = map_get(top, "gates");
    if (at.node && read_gates(r, at, &s->gates) != 0)
        return -1;
    return 0;
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
    if (overrides_load(&r, overrides, noverrides) != 0) {
        overrides_free(&r);
        spec_free(s);
        return -1;
    }
    if (reader_load(&file, text, len, label, err, errlen) == 0) {
        rc = seed_form_rewrite(&r, &file);
        struct ref top = {&file, yaml_document_get_root_node(&file.doc)};
        if (rc == 0)
            rc = read_spec(&r, top, s);
        if (rc == 0)
            rc = overrides_check_used(&r, s);
        yaml_document_delete(&file.doc);
    }
    overrides_free(&r);
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
