/* compare_env.c — see compare_env.h. */
#include "compare/compare_env.h"
#include "results/env_fields.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The fields a merged run's own runs differ in (run.environments_differ), a new reference,
 * or NULL when it lists none. */
static json_t *merged_differences(const json_t *doc)
{
    json_t *list = json_object_get(json_object_get(doc, "run"), "environments_differ");
    return json_array_size(list) ? json_incref(list) : NULL;
}

/* A side that is a merge of runs on machines that differ: its timings mix them. */
static void merged_environments(const json_t *a, const json_t *b, json_t *environment,
                                json_t *warnings)
{
    json_t *da = merged_differences(a), *db = merged_differences(b);
    const char *side[2] = {"A", "B"};
    json_t *lists[2] = {da, db};
    for (size_t s = 0; s < 2; s++) {
        if (!lists[s])
            continue;
        char names[512] = "";
        size_t i;
        json_t *f;
        json_array_foreach(lists[s], i, f) {
            size_t used = strlen(names);
            if (json_is_string(f))
                snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                         json_string_value(f));
        }
        json_array_append_new(warnings,
                              json_sprintf("%s is a merge of runs whose environments differ "
                                           "(%s): its timings mix those machines",
                                           side[s], names));
    }
    if (da || db)
        json_array_append_new(environment,
                              json_pack("{s:s, s:o, s:o}", "field", "run.environments_differ",
                                        "a", da ? da : json_null(), "b", db ? db : json_null()));
}

void compare_env(const json_t *a, const json_t *b, const json_t *pairs, json_t *environment,
                 json_t *warnings)
{
    merged_environments(a, b, environment, warnings);
    for (size_t k = 0; k < env_field_count; k++) {
        json_t *va = env_field_at(a, env_fields[k].path), *vb = env_field_at(b, env_fields[k].path);
        if (!va || !vb || json_equal(va, vb))
            continue;
        json_array_append_new(environment, json_pack("{s:s, s:O, s:O}", "field", env_fields[k].name,
                                                     "a", va, "b", vb));
        char *ta = shown(va), *tb = shown(vb);
        json_array_append_new(warnings, json_sprintf("environments differ: %s is %s in A, %s in B",
                                                     env_fields[k].name, ta, tb));
        free(ta);
        free(tb);
    }
    plugin_builds(pairs, environment, warnings);
}
