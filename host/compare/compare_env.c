/* compare_env.c — see compare_env.h. */
#include "compare/compare_env.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct field {
    const char *name, *path; /* path: object keys joined by '/' */
} fields[] = {
    {"bhost.version", "bhost/version"},
    {"hostname", "environment/hostname"},
    {"os.kernel", "environment/os/kernel"},
    {"cpu.model", "environment/cpu/model"},
    {"cpu.logical_count", "environment/cpu/logical_count"},
    {"cpu.governor", "environment/cpu/governor"},
    {"build.build_type", "environment/build/build_type"},
    {"build.compiler", "environment/build/compiler"},
    {"build.sanitized", "environment/build/sanitized"},
    {"build.allocator", "environment/build/allocator"},
    {"timer.source", "environment/timer/source"},
};

/* The value at path, or NULL when a key on the way is absent (null is a value). */
static json_t *at(const json_t *doc, const char *path)
{
    char key[64];
    const json_t *v = doc;
    json_t *found = NULL;
    while (v && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof key)
            return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        v = found = json_object_get(v, key);
        path += len + (path[len] == '/');
    }
    return found;
}

static char *shown(const json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return text ? text : xstrdup("?");
}

/* "de17d061…": enough of a build id to tell two apart. */
static void short_id(char *buf, size_t size, const char *id)
{
    if (strncmp(id, "fnv1a64:", 8) == 0)
        id += 8;
    snprintf(buf, size, "%.8s%s", id, strlen(id) > 8 ? "…" : "");
}

static void plugin_builds(const json_t *pairs, json_t *environment, json_t *warnings)
{
    size_t i, n = 0;
    json_t *pr, *first = NULL, *by_plugin = json_object();
    json_array_foreach(pairs, i, pr) {
        json_t *pa = json_array_get(pr, 0), *pb = json_array_get(pr, 1);
        const char *ia = json_string_value(json_object_get(pa, "plugin_build_id"));
        const char *ib = json_string_value(json_object_get(pb, "plugin_build_id"));
        if (!ia || !ib || strcmp(ia, ib) == 0)
            continue;
        n++;
        const char *plugin = json_string_value(json_object_get(pb, "plugin"));
        if (!first)
            first = pr;
        if (plugin && !json_object_get(by_plugin, plugin)) {
            char sa[32], sb[32];
            short_id(sa, sizeof sa, ia);
            short_id(sb, sizeof sb, ib);
            json_object_set_new(by_plugin, plugin, json_sprintf("%s: %s vs %s", plugin, sa, sb));
        }
    }
    if (n) {
        json_array_append_new(
            environment,
            json_pack("{s:s, s:O, s:O, s:I}", "field", "plugin_build_id", "a",
                      json_object_get(json_array_get(first, 0), "plugin_build_id"), "b",
                      json_object_get(json_array_get(first, 1), "plugin_build_id"), "points",
                      (json_int_t)n));
        char list[512] = "";
        const char *plugin;
        json_t *text;
        json_object_foreach(by_plugin, plugin, text) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                     json_string_value(text));
        }
        json_array_append_new(warnings, json_sprintf("plugin build differs at %zu point%s (%s)",
                                                     n, n == 1 ? "" : "s", list));
    }
    json_decref(by_plugin);
}

void compare_env(const json_t *a, const json_t *b, const json_t *pairs, json_t *environment,
                 json_t *warnings)
{
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        json_t *va = at(a, fields[k].path), *vb = at(b, fields[k].path);
        if (!va || !vb || json_equal(va, vb))
            continue;
        json_array_append_new(environment, json_pack("{s:s, s:O, s:O}", "field", fields[k].name,
                                                     "a", va, "b", vb));
        char *ta = shown(va), *tb = shown(vb);
        json_array_append_new(warnings, json_sprintf("environments differ: %s is %s in A, %s in B",
                                                     fields[k].name, ta, tb));
        free(ta);
        free(tb);
    }
    plugin_builds(pairs, environment, warnings);
}
