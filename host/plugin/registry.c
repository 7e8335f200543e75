/* registry.c — see registry.h. */
#include "plugin/registry.h"
#include "util/mem.h"
#include "util/text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct plugin *lookup(const struct registry *r, const char *name);

static void add_dirs(struct registry *r, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        r->dirs = xrealloc(r->dirs, (r->ndirs + 1) * sizeof *r->dirs);
        r->dirs[r->ndirs++] = xstrdup(tok);
    }
    free(copy);
}

/* Where an installed bhost keeps its plugins: beside its own binary, so that an
 * installed tree can be moved; the configured path if /proc is not there. */
static char *install_plugin_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return xstrdup(BHOST_INSTALL_PLUGIN_DIR);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char *dir = xasprintf("%s/%s", exe, BHOST_BIN_TO_PLUGINS);
    char *clean = realpath(dir, NULL);
    if (!clean)
        return dir;
    free(dir);
    return clean;
}

/* An installed bhost must not pick up plugins from the tree it was built in. */
static int running_from_build_tree(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    size_t len = strlen(BHOST_BUILD_DIR);
    return strncmp(exe, BHOST_BUILD_DIR, len) == 0 && exe[len] == '/';
}

void registry_init(struct registry *r, const char *const *cli_paths, size_t ncli)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < ncli; i++)
        add_dirs(r, cli_paths[i]);
    const char *env = getenv("BHOST_PLUGIN_PATH");
    if (env && *env)
        add_dirs(r, env);
    char *installed = install_plugin_dir();
    add_dirs(r, installed);
    free(installed);
    if (running_from_build_tree())
        add_dirs(r, BHOST_BUILD_PLUGIN_DIR);
}

static void add_problem(struct registry *r, const char *msg)
{
    grow(&r->problems, &r->problems_cap, r->nproblems, sizeof *r->problems);
    r->problems[r->nproblems++] = xstrdup(msg);
}

static int is_shared_object(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(struct registry *r, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(dh));) {
        if (!is_shared_object(e->d_name))
            continue;
        grow(&names, &cap, n, sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(dh);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        char err[1024];
        struct plugin *p = plugin_load(path, err, sizeof err);
        free(path);
        free(names[i]);
        if (!p) {
            add_problem(r, err);
            continue;
        }
        struct plugin *first = lookup(r, p->desc.name);
        if (first) {
            first->shadowed_count++;
            plugin_unload(p);
            continue;
        }
        grow(&r->plugins, &r->cap, r->nplugins, sizeof *r->plugins);
        r->plugins[r->nplugins++] = p;
    }
    free(names);
}

static int cmp_plugin(const void *a, const void *b)
{
    const struct plugin *pa = *(struct plugin *const *)a, *pb = *(struct plugin *const *)b;
    return strcmp(pa->desc.name, pb->desc.name);
}

void registry_scan(struct registry *r)
{
    for (size_t i = 0; i < r->ndirs; i++) {
        struct stat st;
        if (stat(r->dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
            scan_dir(r, r->dirs[i]);
    }
    qsort(r->plugins, r->nplugins, sizeof *r->plugins, cmp_plugin);
}

static struct plugin *lookup(const struct registry *r, const char *name)
{
    for (size_t i = 0; i < r->nplugins; i++)
        if (strcmp(r->plugins[i]->desc.name, name) == 0)
            return r->plugins[i];
    return NULL;
}

const struct plugin *registry_find(const struct registry *r, const char *name)
{
    return lookup(r, name);
}

void registry_keep(struct registry *r, const struct plugin *const *keep, size_t nkeep)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->nplugins; i++) {
        size_t k = 0;
        while (k < nkeep && keep[k] != r->plugins[i])
            k++;
        if (k < nkeep)
            r->plugins[kept++] = r->plugins[i];
        else
            plugin_unload(r->plugins[i]);
    }
    r->nplugins = kept;
}

const char *registry_suggest(const struct registry *r, const char *name, unsigned kind)
{
    const char **names = xcalloc(r->nplugins, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < r->nplugins; i++)
        if (r->plugins[i]->desc.kind == kind)
            names[n++] = r->plugins[i]->desc.name;
    const char *best = closest_name(name, names, n);
    free(names);
    return best;
}

void registry_free(struct registry *r)
{
    for (size_t i = 0; i < r->nplugins; i++)
        plugin_unload(r->plugins[i]);
    for (size_t i = 0; i < r->ndirs; i++)
        free(r->dirs[i]);
    for (size_t i = 0; i < r->nproblems; i++)
        free(r->problems[i]);
    free(r->plugins);
    free(r->dirs);
    free(r->problems);
    memset(r, 0, sizeof *r);
}
