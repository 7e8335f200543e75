/* plugin_json.c — see plugin_json.h. */
#include "plugin/plugin_json.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *text(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *file_id_to_json(const struct file_id *id)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I}", "dev", (json_int_t)id->dev, "ino",
                     (json_int_t)id->ino, "size", (json_int_t)id->size, "mtime_ns",
                     (json_int_t)id->mtime_ns, "ctime_ns", (json_int_t)id->ctime_ns);
}

int file_id_from_json(json_t *o, struct file_id *id)
{
    json_int_t dev, ino, size, mtime, ctime;
    if (json_unpack(o, "{s:I, s:I, s:I, s:I, s:I}", "dev", &dev, "ino", &ino, "size",
                    &size, "mtime_ns", &mtime, "ctime_ns", &ctime) != 0)
        return -1;
    *id = (struct file_id){.dev = (uint64_t)dev, .ino = (uint64_t)ino, .size = (uint64_t)size,
                           .mtime_ns = mtime, .ctime_ns = ctime};
    return 0;
}

static json_t *param_json(const struct pdef *d)
{
    json_t *choices = json_null();
    if (d->nchoices) {
        choices = json_array();
        for (size_t i = 0; i < d->nchoices; i++)
            json_array_append_new(choices, json_string(d->choices[i]));
    }
    return json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "name", d->name, "type",
                     (int)d->type, "def", text(d->def_text), "min", text(d->min_text), "max",
                     text(d->max_text), "choices", choices, "unit", text(d->unit), "doc",
                     text(d->doc));
}

json_t *plugin_to_json(const struct plugin *p)
{
    json_t *params = json_array();
    for (size_t i = 0; i < p->nparams; i++)
        json_array_append_new(params, param_json(&p->params[i]));
    const struct bhost_plugin *d = &p->desc;
    return json_pack("{s:s, s:s, s:o, s:i, s:i, s:I, s:i, s:i, s:s, s:o, s:o, s:o, s:i, s:o, s:I}",
                     "path", p->path, "build_id", p->build_id ? p->build_id : "", "file",
                     file_id_to_json(&p->file), "abi_major", (int)d->abi_major, "abi_minor",
                     (int)d->abi_minor, "size", (json_int_t)d->size, "min_host_minor",
                     (int)d->min_host_minor, "kind", (int)d->kind, "name", d->name, "version",
                     text(d->version), "summary", text(d->summary), "doc", text(d->doc), "hooks",
                     (int)p->hooks, "params", params, "flags", (json_int_t)d->flags);
}

/* A string member that may be null: NULL for null, "" and -1 if it is neither. */
static int optional_text(json_t *o, const char *key, const char **out)
{
    const json_t *v = json_object_get(o, key);
    *out = json_string_value(v);
    return v && !json_is_null(v) && !json_is_string(v) ? -1 : 0;
}

static int read_param(json_t *o, struct pdef *d, char *err, size_t n)
{
    struct bhost_param decl = {0};
    json_t *choices = json_object_get(o, "choices");
    const char **list = NULL;
    int type;
    if (json_unpack(o, "{s:s, s:i}", "name", &decl.name, "type", &type) != 0 ||
        optional_text(o, "def", &decl.def) || optional_text(o, "min", &decl.min) ||
        optional_text(o, "max", &decl.max) || optional_text(o, "unit", &decl.unit) ||
        optional_text(o, "doc", &decl.doc) || (choices && !json_is_null(choices) &&
                                               !json_is_array(choices))) {
        snprintf(err, n, "a parameter lacks a field or has one of the wrong type");
        return -1;
    }
    decl.type = (uint32_t)type;
    if (json_is_array(choices)) {
        list = xcalloc(json_array_size(choices) + 1, sizeof *list);
        for (size_t i = 0; i < json_array_size(choices); i++)
            if (!(list[i] = json_string_value(json_array_get(choices, i)))) {
                free(list);
                snprintf(err, n, "parameter '%s': a choice is not a string", decl.name);
                return -1;
            }
        decl.choices = list;
    }
    int rc = pdef_from_plugin(d, &decl, err, n);
    free(list);
    return rc;
}

struct plugin *plugin_from_json(json_t *o, char *err, size_t n)
{
    const char *path, *build_id, *name;
    json_int_t size;
    int major, minor, min_host, kind, hooks;
    json_t *params, *file;
    if (json_unpack(o, "{s:s, s:s, s:o, s:i, s:i, s:I, s:i, s:i, s:s, s:i, s:o}",
                    "path", &path, "build_id", &build_id, "file", &file, "abi_major", &major,
                    "abi_minor", &minor, "size", &size, "min_host_minor", &min_host, "kind",
                    &kind, "name", &name, "hooks", &hooks, "params", &params) != 0 ||
        !json_is_array(params)) {
        snprintf(err, n, "a plugin lacks a field or has one of the wrong type");
        return NULL;
    }
    struct plugin *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(path);
    p->build_id = xstrdup(build_id);
    p->hooks = (unsigned)hooks;
    p->desc = (struct bhost_plugin){
        .magic = BHOST_MAGIC, .abi_major = (uint16_t)major, .abi_minor = (uint16_t)minor,
        .size = (uint32_t)size, .min_host_minor = (uint16_t)min_host, .kind = (uint16_t)kind,
        .name = xstrdup(name), .param_count = (uint32_t)json_array_size(params),
        .param_size = sizeof(struct bhost_param)};
    const char *texts[3];
    if (file_id_from_json(file, &p->file) != 0 || optional_text(o, "version", &texts[0]) ||
        optional_text(o, "summary", &texts[1]) || optional_text(o, "doc", &texts[2])) {
        snprintf(err, n, "%s: the file's identity or a text is missing or of the wrong type",
                 path);
        plugin_free(p);
        return NULL;
    }
    json_int_t flags = json_integer_value(json_object_get(o, "flags"));
    p->desc.flags = flags >= 0 && flags <= UINT32_MAX ? (uint32_t)flags : 0;
    p->desc.version = texts[0] ? xstrdup(texts[0]) : NULL;
    p->desc.summary = texts[1] ? xstrdup(texts[1]) : NULL;
    p->desc.doc = texts[2] ? xstrdup(texts[2]) : NULL;
    int name_ok = *name >= 'a' && *name <= 'z';
    for (const char *c = name; *c; c++)
        name_ok &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
    if (major != BHOST_ABI_MAJOR || (kind != BHOST_EXPERIMENT && kind != BHOST_INSTRUMENT) ||
        !name_ok || json_array_size(params) > PLUGIN_MAX_PARAMS ||
        (kind == BHOST_EXPERIMENT &&
         !(hooks & (PLUGIN_HOOK_ITERATE | PLUGIN_HOOK_ITERATE_BATCH)))) {
        snprintf(err, n, "%s: the description read of plugin '%s' does not hold", path, name);
        plugin_free(p);
        return NULL;
    }
    p->params = xcalloc(json_array_size(params) + 1, sizeof *p->params);
    for (size_t i = 0; i < json_array_size(params); i++) {
        char why[400];
        if (read_param(json_array_get(params, i), &p->params[i], why, sizeof why) != 0 ||
            pdef_find(p->params, i, p->params[i].name) >= 0) {
            p->nparams = i + (p->params[i].name != NULL);
            snprintf(err, n, "%s: plugin '%s': %s", path, name,
                     p->params[i].name ? "a parameter is declared twice" : why);
            plugin_free(p);
            return NULL;
        }
        p->nparams = i + 1;
    }
    return p;
}

json_t *pvalue_json(const struct pvalue *v)
{
    switch (v->type) {
    case BHOST_INT: return json_integer(v->i);
    case BHOST_FLOAT: return json_real(v->f);
    case BHOST_BOOL: return json_boolean(v->i);
    default: return json_string(v->s ? v->s : "");
    }
}

json_t *params_json(const struct pdef *defs, size_t n, const struct pvalue *v)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, defs[i].name, pvalue_json(&v[i]));
    return o;
}

json_t *plugin_params_json(const struct plugin *p, const struct pvalue *v)
{
    return params_json(p->params, p->nparams, v);
}
