/*
 * registry.h — the plugins bhost can use: every *.so on the search path,
 * loaded and checked (plugin.h), the first of each name winning, and a
 * one-line reason for every file refused.
 */
#ifndef BHOST_REGISTRY_H
#define BHOST_REGISTRY_H

#include "plugin/plugin.h"

#include <stddef.h>

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
