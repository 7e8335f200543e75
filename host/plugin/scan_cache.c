/* scan_cache.c — see scan_cache.h. */
#include "plugin/scan_cache.h"
#include "plugin/plugin_json.h"
#include "util/files.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *cache_path(void)
{
    const char *dir = getenv("BHOST_CACHE_DIR");
    if (dir)
        return *dir ? xasprintf("%s/plugins.json", dir) : NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg == '/')
        return xasprintf("%s/bhost/plugins.json", xdg);
    return home && *home ? xasprintf("%s/.cache/bhost/plugins.json", home) : NULL;
}

/* A cache of another bhost or ABI may judge files by other rules: it is not used. */
static int ours(const json_t *doc)
{
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    const char *version = json_string_value(json_object_get(doc, "bhost"));
    const char *its_abi = json_string_value(json_object_get(doc, "abi"));
    return schema && strcmp(schema, SCAN_CACHE_SCHEMA) == 0 && version &&
           strcmp(version, BHOST_VERSION) == 0 && its_abi && strcmp(its_abi, abi) == 0 &&
           json_is_object(json_object_get(doc, "files"));
}

void scan_cache_open(struct scan_cache *c)
{
    *c = (struct scan_cache){.path = cache_path()};
    json_t *doc = c->path ? json_load_file(c->path, 0, NULL) : NULL;
    if (doc && ours(doc))
        c->files = json_incref(json_object_get(doc, "files"));
    else
        c->files = json_object();
    json_decref(doc);
}

int scan_cache_get(struct scan_cache *c, const char *path, const struct file_id *id,
                   struct scan_result *out)
{
    json_t *e = json_object_get(c->files, path);
    struct file_id was;
    if (!e || file_id_from_json(json_object_get(e, "file"), &was) != 0 ||
        !file_id_equal(&was, id))
        return 0;
    const char *refused = json_string_value(json_object_get(e, "refused"));
    json_t *plugin = json_object_get(e, "plugin");
    char err[1024];
    struct plugin *p = plugin ? plugin_from_json(plugin, err, sizeof err) : NULL;
    if (!p && !refused) {
        json_object_del(c->files, path); /* damaged: read the file again */
        c->dirty = 1;
        return 0;
    }
    *out = (struct scan_result){.plugin = p, .refusal = refused ? xstrdup(refused) : NULL,
                                .lasting = 1};
    if (p)
        p->file = *id;
    return 1;
}

void scan_cache_put(struct scan_cache *c, const char *path, const struct file_id *id,
                    const struct scan_result *r)
{
    if (!r->lasting || (!r->plugin && !r->refusal))
        return;
    json_t *e = json_pack("{s:o}", "file", file_id_to_json(id));
    if (r->plugin)
        json_object_set_new(e, "plugin", plugin_to_json(r->plugin));
    else
        json_object_set_new(e, "refused", json_string(r->refusal));
    json_object_set_new(c->files, path, e);
    c->dirty = 1;
}

void scan_cache_close(struct scan_cache *c)
{
    if (c->path && c->dirty) {
        const char *path;
        json_t *e, *tmp;
        struct stat st;
        json_object_foreach_safe(c->files, tmp, path, e)
            if (stat(path, &st) != 0)
                json_object_del(c->files, path);
        char abi[16];
        snprintf(abi, sizeof abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        json_t *doc = json_pack("{s:s, s:s, s:s, s:O}", "schema", SCAN_CACHE_SCHEMA, "bhost",
                                BHOST_VERSION, "abi", abi, "files", c->files);
        char *text = json_dumps(doc, JSON_COMPACT);
        char *dir = xstrdup(c->path);
        *strrchr(dir, '/') = '\0';
        if (text && mkdir_p(dir, 0755) == 0)
            write_file_atomic(c->path, text, strlen(text)); /* best effort: a cache */
        free(dir);
        free(text);
        json_decref(doc);
    }
    json_decref(c->files);
    free(c->path);
    *c = (struct scan_cache){0};
}
