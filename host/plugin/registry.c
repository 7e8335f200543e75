/* registry.c — see registry.h. */
#include "plugin/registry.h"
#include "plugin/scan.h"
#include "plugin/scan_cache.h"
#include "util/mem.h"
#include "util/reaper.h"
#include "util/text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int is_shared_object(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.so files of `dir`, by name, appended to *files as absolute paths. */
static void list_dir(const char *dir, char ***files, size_t *n, size_t *cap)
{
    char *abs = realpath(dir, NULL);
    DIR *dh = abs ? opendir(abs) : NULL;
    if (!dh) {
        free(abs);
        return;
    }
    size_t first = *n;
    for (struct dirent *e; (e = readdir(dh));) {
        if (!is_shared_object(e->d_name))
            continue;
        grow(files, cap, *n, sizeof **files);
        (*files)[(*n)++] = xasprintf("%s/%s", abs, e->d_name);
    }
    closedir(dh);
    free(abs);
    qsort(*files + first, *n - first, sizeof **files, cmp_str);
}

static struct plugin *lookup(const struct registry *r, const char *name)
{
    for (size_t i = 0; i < r->nplugins; i++)
        if (strcmp(r->plugins[i]->desc.name, name) == 0)
            return r->plugins[i];
    return NULL;
}

/* Outcomes in search-path order: the first plugin of a name wins, later ones are shadowed. */
static void take(struct registry *r, const char *path, struct scan_result *res)
{
    if (!res->plugin) {
        grow(&r->problems, &r->problems_cap, r->nproblems, sizeof *r->problems);
        grow(&r->problem_files, &r->problem_files_cap, r->nproblems, sizeof *r->problem_files);
        r->problem_files[r->nproblems] = xstrdup(path);
        r->problems[r->nproblems++] = res->refusal ? res->refusal
                                                   : xasprintf("%s: refused", path);
        return;
    }
    free(res->refusal);
    struct plugin *first = lookup(r, res->plugin->desc.name);
    if (first) {
        grow(&first->shadowed, &first->shadowed_cap, first->nshadowed, sizeof *first->shadowed);
        first->shadowed[first->nshadowed++] = xstrdup(path);
        plugin_free(res->plugin);
        return;
    }
    grow(&r->plugins, &r->cap, r->nplugins, sizeof *r->plugins);
    r->plugins[r->nplugins++] = res->plugin;
}

static int cmp_plugin(const void *a, const void *b)
{
    const struct plugin *pa = *(struct plugin *const *)a, *pb = *(struct plugin *const *)b;
    return strcmp(pa->desc.name, pb->desc.name);
}

void registry_scan(struct registry *r)
{
    char **files = NULL;
    size_t n = 0, cap = 0;
    struct stat *seen = xcalloc(r->ndirs + 1, sizeof *seen);
    for (size_t i = 0; i < r->ndirs; i++) {
        int again = 0;
        if (stat(r->dirs[i], &seen[i]) != 0 || !S_ISDIR(seen[i].st_mode)) {
            memset(&seen[i], 0, sizeof seen[i]);
            continue;
        }
        /* A folder named twice (--plugin-path and the default) is read once: its plugins
         * do not shadow themselves. */
        for (size_t k = 0; k < i && !again; k++)
            again = seen[k].st_ino == seen[i].st_ino && seen[k].st_dev == seen[i].st_dev &&
                    S_ISDIR(seen[k].st_mode);
        if (!again)
            list_dir(r->dirs[i], &files, &n, &cap);
    }
    free(seen);
    struct scan_result *res = xcalloc(n + 1, sizeof *res);
    struct file_id *ids = xcalloc(n + 1, sizeof *ids);
    char **unknown = xcalloc(n + 1, sizeof *unknown);
    size_t *where = xcalloc(n + 1, sizeof *where), nunknown = 0;
    struct scan_cache cache;
    scan_cache_open(&cache);
    for (size_t i = 0; i < n; i++) {
        int known = file_id_of(files[i], &ids[i]) == 0 &&
                    scan_cache_get(&cache, files[i], &ids[i], &res[i]);
        if (!known) {
            where[nunknown] = i;
            unknown[nunknown++] = files[i];
        }
    }
    struct scan_result *fresh = xcalloc(nunknown + 1, sizeof *fresh);
    if (nunknown) {
        /* What a constructor starts in a scanning child that then dies comes to the host. */
        reaper_adopt();
        scan_files(unknown, nunknown, fresh);
        reaper_kill_children(NULL, 0, 0);
    }
    for (size_t k = 0; k < nunknown; k++) {
        res[where[k]] = fresh[k];
        scan_cache_put(&cache, files[where[k]], &ids[where[k]], &fresh[k]);
    }
    scan_cache_close(&cache);
    r->files_read = nunknown;
    r->files_cached = n - nunknown;
    for (size_t i = 0; i < n; i++) {
        take(r, files[i], &res[i]);
        free(files[i]);
    }
    qsort(r->plugins, r->nplugins, sizeof *r->plugins, cmp_plugin);
    free(fresh);
    free(where);
    free(unknown);
    free(ids);
    free(res);
    free(files);
}

const struct plugin *registry_find(const struct registry *r, const char *name)
{
    return lookup(r, name);
}

int registry_open(struct registry *r, const struct plugin *p, char *err, size_t n)
{
    for (size_t i = 0; i < r->nplugins; i++)
        if (r->plugins[i] == p)
            return plugin_open(r->plugins[i], err, n);
    snprintf(err, n, "plugin '%s' is not in the registry", p->desc.name);
    return -1;
}

const char *registry_suggest(const struct registry *r, const char *name, unsigned kind)
{
    const char **names = xcalloc(r->nplugins + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < r->nplugins; i++)
        if (r->plugins[i]->desc.kind == kind)
            names[n++] = r->plugins[i]->desc.name;
    const char *best = closest_name(name, names, n);
    free(names);
    return best;
}

const char *registry_refusal_of(const struct registry *r, const char *name)
{
    for (size_t i = 0; i < r->nproblems; i++) {
        const char *base = strrchr(r->problem_files[i], '/');
        base = base ? base + 1 : r->problem_files[i];
        size_t len = strlen(name);
        if (strncmp(base, name, len) == 0 && strcmp(base + len, ".so") == 0)
            return r->problems[i];
    }
    return NULL;
}

void registry_free(struct registry *r)
{
    for (size_t i = 0; i < r->nplugins; i++)
        plugin_free(r->plugins[i]);
    for (size_t i = 0; i < r->ndirs; i++)
        free(r->dirs[i]);
    for (size_t i = 0; i < r->nproblems; i++) {
        free(r->problems[i]);
        free(r->problem_files[i]);
    }
    free(r->plugins);
    free(r->dirs);
    free(r->problems);
    free(r->problem_files);
    memset(r, 0, sizeof *r);
}
