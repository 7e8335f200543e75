/*
 * registry.h — the plugins bhost can use: every *.so on the search path,
 * read where it cannot hurt the host (scan.h, with scan_cache.h), the first
 * of each name winning and the rest recorded as shadowed, and one line for
 * every file refused. Nothing is mapped in the host until a run opens what
 * it uses (registry_open()).
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
    char **problems;          /* one line per refused file: "<path>: refused: <why>" */
    char **problem_files;     /* the file of each */
    size_t nproblems, problems_cap, problem_files_cap;
    size_t files_read;        /* files a scanning child read this time */
    size_t files_cached;      /* files whose outcome came from the scan cache */
};

/*
 * Search path: each of `cli_paths` (colon-separated lists, in order), then
 * $BHOST_PLUGIN_PATH, then the install directory, then the build tree.
 */
void registry_init(struct registry *r, const char *const *cli_paths, size_t ncli);
/* Reads every *.so on the path; the first plugin of a name wins. */
void registry_scan(struct registry *r);
const struct plugin *registry_find(const struct registry *r, const char *name);
/* Maps p (one of r's) for use: 0, or -1 with a one-line reason in err. */
int registry_open(struct registry *r, const struct plugin *p, char *err, size_t errlen);
/* The name closest to `name` among plugins of `kind`, for did-you-mean. */
const char *registry_suggest(const struct registry *r, const char *name, unsigned kind);
/* The refusal of a file named `name`.so, which may be the plugin asked for; or NULL. */
const char *registry_refusal_of(const struct registry *r, const char *name);
void registry_free(struct registry *r);

#endif
