/*
 * plugin.h — finding, loading and checking plugins.
 *
 * A plugin is accepted only after its descriptor has been read the way the
 * ABI rules in docs/sdk.md say: magic, major (by symbol name), minor against
 * min_host_minor, declared sizes. Every refusal is one line that names the
 * file, the plugin, both versions and what to do.
 */
#ifndef BHOST_PLUGIN_H
#define BHOST_PLUGIN_H

#include "plugin/param.h"

#include <bhost/bhost.h>
#include <stddef.h>

/* More parameters than any experiment needs: a larger count is a broken descriptor. */
#define PLUGIN_MAX_PARAMS 1024

struct plugin {
    char *path;
    void *handle;
    struct bhost_plugin desc; /* the plugin's bytes, zero past its declared size */
    struct pdef *params;
    size_t nparams;
    int shadowed_count;       /* same name found later in the search path */
};

/* Loads and checks one shared object. NULL and a one-line reason in err. */
struct plugin *plugin_load(const char *path, char *err, size_t errlen);
void plugin_unload(struct plugin *p);
const char *kind_name(unsigned kind);

struct registry {
    char **dirs;              /* search path, in order */
    size_t ndirs;
    struct plugin **plugins;  /* sorted by name */
    size_t nplugins, cap;
    char **problems;          /* one line per refused file */
    size_t nproblems, problems_cap;
};

/*
 * Search path: each of `cli_paths` (colon-separated lists, in order), then
 * $BHOST_PLUGIN_PATH, then the install directory, then the build tree.
 */
void registry_init(struct registry *r, const char *const *cli_paths, size_t ncli);
/* Loads every *.so on the path; the first plugin of a name wins. */
void registry_scan(struct registry *r);
const struct plugin *registry_find(const struct registry *r, const char *name);
/* Unloads every plugin but those in `keep`, so that a run maps only what it uses. */
void registry_keep(struct registry *r, const struct plugin *const *keep, size_t nkeep);
/* The name closest to `name` among plugins of `kind`, for did-you-mean. */
const char *registry_suggest(const struct registry *r, const char *name, unsigned kind);
void registry_free(struct registry *r);

#endif
