/* plugin.c — see plugin.h and docs/sdk.md for the rules enforced here. */
#include "plugin/plugin.h"
#include "plugin/elf_check.h"
#include "util/mem.h"
#include "util/text.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
