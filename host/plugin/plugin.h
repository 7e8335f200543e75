/*
 * plugin.h — loading one plugin and checking its descriptor.
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

#endif
