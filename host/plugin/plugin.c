/* plugin.c — see plugin.h and docs/sdk.md for the rules enforced here. */
#include "plugin/plugin.h"
#include "plugin/elf_check.h"
#include "util/util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct plugin *lookup(const struct registry *r, const char *name);

/* The descriptor and parameter sizes of ABI 1.0, frozen: later minors only
 * append, so these stay the smallest sizes a major-1 plugin may declare. */
#define DESC_HEADER_SIZE (offsetof(struct bhost_plugin, kind) + sizeof(uint16_t))
#define DESC_SIZE_1_0 (offsetof(struct bhost_plugin, run_end) + sizeof(void (*)(void)))
#define PARAM_SIZE_1_0 (offsetof(struct bhost_param, doc) + sizeof(const char *))

const char *kind_name(unsigned kind)
{
    return kind == BHOST_EXPERIMENT ? "experiment" : kind == BHOST_INSTRUMENT ? "instrument"
                                                                              : "unknown";
}

/* A plugin of another major exports bhost_plugin_vN: name the N we found. */
static int other_major(void *handle)
{
    for (int major = 0; major <= 99; major++) {
        if (major == BHOST_ABI_MAJOR)
            continue;
        char sym[32];
        snprintf(sym, sizeof sym, "bhost_plugin_v%d", major);
        if (dlsym(handle, sym))
            return major;
    }
    return -1;
}

static int check_header(const char *path, const struct bhost_plugin *d, char *err, size_t n)
{
    if (d->magic != BHOST_MAGIC) {
        snprintf(err, n, "%s: refused: bad descriptor magic 0x%08x (expected 0x%08x); "
                 "not a bhost plugin, or built against a corrupt SDK header: rebuild it against "
                 "the SDK of this bhost (ABI %d.%d)",
                 path, (unsigned)d->magic, BHOST_MAGIC, BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        return -1;
    }
    if (d->size < DESC_HEADER_SIZE) {
        snprintf(err, n, "%s: refused: descriptor declares %u bytes, fewer than the %zu of the "
                 "ABI header (plugin says ABI %u.%u; this bhost has ABI %d.%d); rebuild the "
                 "plugin against the bhost SDK", path, (unsigned)d->size, DESC_HEADER_SIZE,
                 d->abi_major, d->abi_minor, BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        return -1;
    }
    if (d->abi_major != BHOST_ABI_MAJOR) {
        snprintf(err, n, "%s: refused: descriptor says ABI %u.%u but is exported as %s; "
                 "rebuild the plugin against SDK %d.x",
                 path, d->abi_major, d->abi_minor, BHOST_ENTRY_NAME, BHOST_ABI_MAJOR);
        return -1;
    }
    return 0;
}

static int valid_plugin_name(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '_')
            return 0;
    return 1;
}

/*
 * A refusal of a plugin whose header was read: one line with the file, the
 * plugin, what is wrong, what to do, and both ABI versions. Returns -1.
 */
__attribute__((format(printf, 5, 6)))
static int refuse(char *err, size_t n, const char *path, const struct bhost_plugin *d,
                  const char *fmt, ...)
{
    char what[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, n, "%s: refused: plugin '%s' (built for ABI %u.%u; this bhost has ABI %d.%d): "
             "%s", path, valid_plugin_name(d->name) ? d->name : "?", d->abi_major, d->abi_minor,
             BHOST_ABI_MAJOR, BHOST_ABI_MINOR, what);
    return -1;
}

static int check_descriptor(const char *path, const struct bhost_plugin *d, uint32_t size,
                            char *err, size_t n)
{
    if (d->abi_minor > BHOST_ABI_MINOR && d->min_host_minor > BHOST_ABI_MINOR)
        return refuse(err, n, path, d, "it needs at least ABI %d.%u. Upgrade bhost, or rebuild "
                      "the plugin with BHOST_PLUGIN_HEADER_COMPAT(kind, %d) if it uses nothing "
                      "newer", BHOST_ABI_MAJOR, d->min_host_minor, BHOST_ABI_MINOR);
    if (size < DESC_SIZE_1_0)
        return refuse(err, n, path, d, "its descriptor has %u bytes, fewer than ABI %d.0's %zu; "
                      "rebuild it against the bhost SDK", (unsigned)size, BHOST_ABI_MAJOR,
                      DESC_SIZE_1_0);
    if (d->min_host_minor > d->abi_minor)
        return refuse(err, n, path, d, "it says it needs ABI %d.%u, newer than its own; fix its "
                      "BHOST_PLUGIN_HEADER_COMPAT", BHOST_ABI_MAJOR, d->min_host_minor);
    if (!valid_plugin_name(d->name))
        return refuse(err, n, path, d, "its name '%s' is not [a-z][a-z0-9_]*; fix its .name",
                      d->name && utf8_valid(d->name) ? d->name : "?");
    const char *texts[] = {d->version, d->summary, d->doc};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (texts[i] && !utf8_valid(texts[i]))
            return refuse(err, n, path, d, "its version, summary or doc is not UTF-8; fix its "
                          "descriptor");
    if (d->kind != BHOST_EXPERIMENT && d->kind != BHOST_INSTRUMENT)
        return refuse(err, n, path, d, "unknown kind %u; use BHOST_EXPERIMENT or "
                      "BHOST_INSTRUMENT", d->kind);
    if (d->kind == BHOST_EXPERIMENT && !d->iterate && !d->iterate_batch)
        return refuse(err, n, path, d, "an experiment needs iterate or iterate_batch; add one");
    if (d->param_count > PLUGIN_MAX_PARAMS)
        return refuse(err, n, path, d, "it declares %u parameters, more than bhost's limit of "
                      "%d; fix its param_count", (unsigned)d->param_count, PLUGIN_MAX_PARAMS);
    if (d->param_count > 0 && !d->params)
        return refuse(err, n, path, d, "it declares %u parameters but no parameter table; fix "
                      "its descriptor (BHOST_PARAMS sets both)", (unsigned)d->param_count);
    if (d->param_count > 0 && d->param_size < PARAM_SIZE_1_0)
        return refuse(err, n, path, d, "its parameter table has %u-byte elements, fewer than "
                      "ABI %d.0's %zu; rebuild it against the bhost SDK", (unsigned)d->param_size,
                      BHOST_ABI_MAJOR, PARAM_SIZE_1_0);
    return 0;
}

static int load_params(struct plugin *p, char *err, size_t n)
{
    const struct bhost_plugin *d = &p->desc;
    p->params = xcalloc(d->param_count, sizeof *p->params);
    for (uint32_t i = 0; i < d->param_count; i++) {
        struct bhost_param one = {0};
        const char *at = (const char *)d->params + (size_t)i * d->param_size;
        memcpy(&one, at, d->param_size < sizeof one ? d->param_size : sizeof one);
        char why[400];
        if (pdef_from_plugin(&p->params[i], &one, why, sizeof why) != 0) {
            p->nparams = i;
            return refuse(err, n, p->path, d, "%s; fix its parameter table", why);
        }
        p->nparams = i + 1;
        if (pdef_find(p->params, i, one.name) >= 0)
            return refuse(err, n, p->path, d, "it declares parameter '%s' twice; rename one",
                          one.name);
    }
    return 0;
}

struct plugin *plugin_load(const char *path, char *err, size_t n)
{
    /* A bare name is for dlopen's own search; a file is checked before it is mapped. */
    char why[256];
    if (strchr(path, '/') && elf_check(path, why, sizeof why) != 0) {
        snprintf(err, n, "%s: refused: cannot load: %s (this bhost has ABI %d.%d); rebuild or "
                 "reinstall it", path, why, BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        return NULL;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(err, n, "%s: refused: cannot load: %s (this bhost has ABI %d.%d; a plugin "
                 "built against its SDK needs no symbols but libc's)", path, dlerror(),
                 BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        return NULL;
    }
    const struct bhost_plugin *d = dlsym(handle, BHOST_ENTRY_NAME);
    if (!d) {
        int major = other_major(handle);
        if (major >= 0)
            snprintf(err, n, "%s: refused: plugin is built for bhost ABI %d (it exports "
                     "bhost_plugin_v%d); this bhost has ABI %d.%d. Use a bhost of ABI %d, or "
                     "rebuild the plugin against SDK %d.x",
                     path, major, major, BHOST_ABI_MAJOR, BHOST_ABI_MINOR, major,
                     BHOST_ABI_MAJOR);
        else
            snprintf(err, n, "%s: refused: not a bhost plugin (no %s symbol; this bhost has "
                     "ABI %d.%d); take it off the plugin path", path, BHOST_ENTRY_NAME,
                     BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        dlclose(handle);
        return NULL;
    }
    struct plugin *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(path);
    p->handle = handle;
    /* Read the fixed header first: only it is known to be there. */
    memcpy(&p->desc, d, DESC_HEADER_SIZE);
    if (check_header(path, &p->desc, err, n) != 0)
        goto refuse;
    uint32_t size = p->desc.size;
    memcpy(&p->desc, d, size < sizeof p->desc ? size : sizeof p->desc);
    if (check_descriptor(path, &p->desc, size, err, n) != 0 || load_params(p, err, n) != 0)
        goto refuse;
    return p;
refuse:
    plugin_unload(p);
    return NULL;
}

void plugin_unload(struct plugin *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nparams; i++)
        pdef_free(&p->params[i]);
    free(p->params);
    if (p->handle)
        dlclose(p->handle);
    free(p->path);
    free(p);
}

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
