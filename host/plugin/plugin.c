/* plugin.c — see plugin.h and docs/sdk.md for the rules enforced here. */
#include "plugin/plugin.h"
#include "plugin/elf_check.h"
#include "util/files.h"
#include "util/hash.h"
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
    if (d->flags & ~(uint32_t)(BHOST_MANUAL_TIME | BHOST_PAUSES_TIMING | BHOST_ONE_THREAD |
                               BHOST_OPEN_PARAMS))
        return refuse(err, n, path, d, "it sets flags 0x%x this bhost does not know; rebuild it "
                      "against this bhost's SDK", (unsigned)d->flags);
    if ((d->flags & BHOST_ONE_THREAD) && d->min_host_minor < 2)
        return refuse(err, n, path, d, "it sets BHOST_ONE_THREAD, which hosts of ABI 1.%u do not "
                      "know, yet says it runs on them; use BHOST_PLUGIN_HEADER (or _COMPAT with 2)",
                      (unsigned)d->min_host_minor);
    if ((d->flags & BHOST_OPEN_PARAMS) && d->kind != BHOST_EXPERIMENT)
        return refuse(err, n, path, d, "it sets BHOST_OPEN_PARAMS, which only experiments may "
                      "set: an instrument's parameters are all declared");
    if ((d->flags & BHOST_OPEN_PARAMS) && d->min_host_minor < 3)
        return refuse(err, n, path, d, "it sets BHOST_OPEN_PARAMS, which hosts of ABI 1.%u do "
                      "not know, yet says it runs on them; use BHOST_PLUGIN_HEADER (or _COMPAT "
                      "with 3)", (unsigned)d->min_host_minor);
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

static int load_params(struct plugin *p, const struct bhost_param *table, char *err, size_t n)
{
    const struct bhost_plugin *d = &p->desc;
    p->params = xcalloc(d->param_count, sizeof *p->params);
    for (uint32_t i = 0; i < d->param_count; i++) {
        struct bhost_param one = {0};
        const char *at = (const char *)table + (size_t)i * d->param_size;
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

int file_id_of(const char *path, struct file_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    *id = (struct file_id){
        .dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino, .size = (uint64_t)st.st_size,
        .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
        .ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec};
    return 0;
}

int file_id_equal(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* A file without a GNU build-id is named by a hash of its bytes instead. */
static char *content_id(const char *path)
{
    size_t len;
    char *bytes = read_file(path, &len);
    if (!bytes)
        return xstrdup("");
    char *id = xasprintf("fnv1a64:%016llx",
                         (unsigned long long)fnv1a64(bytes, len, FNV1A64_INIT));
    free(bytes);
    return id;
}

void *plugin_dlopen(const char *path, char **build_id, int *lasting, char *err, size_t n)
{
    /* A bare name is for dlopen's own search; a file is checked before it is mapped. */
    char why[256];
    struct elf_info info = {0};
    *build_id = NULL;
    *lasting = 1;
    if (strchr(path, '/') && elf_check(path, &info, why, sizeof why) != 0) {
        snprintf(err, n, "%s: refused: cannot load: %s; take it off the plugin path, or "
                 "rebuild or reinstall it", path, why);
        return NULL;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        *lasting = 0; /* a library missing now may be there next time */
        snprintf(err, n, "%s: refused: cannot load: %s (this bhost has ABI %d.%d; a plugin "
                 "built against its SDK needs no symbols but libc's)", path, dlerror(),
                 BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
        return NULL;
    }
    *build_id = info.build_id[0] ? xstrdup(info.build_id)
                : strchr(path, '/') ? content_id(path) : xstrdup("");
    return handle;
}

/* The exported descriptor, or NULL and why (another major, or none at all). */
static const struct bhost_plugin *entry(void *handle, const char *path, char *err, size_t n)
{
    const struct bhost_plugin *d = dlsym(handle, BHOST_ENTRY_NAME);
    if (d)
        return d;
    int major = other_major(handle);
    if (major >= 0)
        snprintf(err, n, "%s: refused: plugin is built for bhost ABI %d (it exports "
                 "bhost_plugin_v%d); this bhost has ABI %d.%d. Use a bhost of ABI %d, or "
                 "rebuild the plugin against SDK %d.x",
                 path, major, major, BHOST_ABI_MAJOR, BHOST_ABI_MINOR, major, BHOST_ABI_MAJOR);
    else
        snprintf(err, n, "%s: refused: not a bhost plugin (no %s symbol; this bhost has "
                 "ABI %d.%d); take it off the plugin path", path, BHOST_ENTRY_NAME,
                 BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    return NULL;
}

/* Copies the descriptor's bytes the plugin declared (the header first: only it is known
 * to be there) and checks them; the hooks are kept, the strings are not. */
static int read_desc(const struct bhost_plugin *d, const char *path, struct bhost_plugin *out,
                     char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    memcpy(out, d, DESC_HEADER_SIZE);
    if (check_header(path, out, err, n) != 0)
        return -1;
    uint32_t size = out->size;
    memcpy(out, d, size < sizeof *out ? size : sizeof *out);
    return check_descriptor(path, out, size, err, n);
}

static unsigned hooks_of(const struct bhost_plugin *d)
{
    return (d->setup ? PLUGIN_HOOK_SETUP : 0u) | (d->iterate ? PLUGIN_HOOK_ITERATE : 0u) |
           (d->iterate_batch ? PLUGIN_HOOK_ITERATE_BATCH : 0u) |
           (d->teardown ? PLUGIN_HOOK_TEARDOWN : 0u) |
           (d->run_start ? PLUGIN_HOOK_RUN_START : 0u) |
           (d->point_start ? PLUGIN_HOOK_POINT_START : 0u) |
           (d->point_end ? PLUGIN_HOOK_POINT_END : 0u) | (d->run_end ? PLUGIN_HOOK_RUN_END : 0u) |
           (d->thread_start ? PLUGIN_HOOK_THREAD_START : 0u) |
           (d->thread_end ? PLUGIN_HOOK_THREAD_END : 0u) | (d->pause ? PLUGIN_HOOK_PAUSE : 0u) |
           (d->resume ? PLUGIN_HOOK_RESUME : 0u) | (d->check ? PLUGIN_HOOK_CHECK : 0u);
}

/* The descriptor's strings become the plugin's own copies; the hooks stay until closed. */
static void own_strings(struct plugin *p)
{
    const char **texts[] = {&p->desc.name, &p->desc.version, &p->desc.summary, &p->desc.doc};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        *texts[i] = *texts[i] ? xstrdup(*texts[i]) : NULL;
    p->desc.params = NULL;
}

struct plugin *plugin_read(void *handle, const char *path, const char *build_id, char *err,
                           size_t n)
{
    const struct bhost_plugin *d = entry(handle, path, err, n);
    if (!d)
        return NULL;
    struct plugin *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(path);
    p->build_id = xstrdup(build_id ? build_id : "");
    file_id_of(path, &p->file);
    if (read_desc(d, path, &p->desc, err, n) != 0) {
        p->desc = (struct bhost_plugin){0};
        plugin_free(p);
        return NULL;
    }
    const struct bhost_param *table = p->desc.params;
    p->hooks = hooks_of(&p->desc);
    own_strings(p);
    if (load_params(p, table, err, n) != 0) {
        plugin_free(p);
        return NULL;
    }
    return p;
}

struct plugin *plugin_load(const char *path, char *err, size_t n)
{
    char *build_id;
    int lasting;
    void *handle = plugin_dlopen(path, &build_id, &lasting, err, n);
    if (!handle)
        return NULL;
    struct plugin *p = plugin_read(handle, path, build_id, err, n);
    free(build_id);
    if (!p)
        dlclose(handle);
    else
        p->handle = handle;
    return p;
}

int plugin_open(struct plugin *p, char *err, size_t n)
{
    if (p->handle)
        return 0;
    struct file_id now;
    if (file_id_of(p->path, &now) != 0 || !file_id_equal(&now, &p->file)) {
        snprintf(err, n, "%s: refused: the file changed after bhost read it; run again", p->path);
        return -1;
    }
    char *build_id;
    int lasting;
    void *handle = plugin_dlopen(p->path, &build_id, &lasting, err, n);
    if (!handle)
        return -1;
    free(build_id);
    struct bhost_plugin fresh;
    const struct bhost_plugin *d = entry(handle, p->path, err, n);
    if (!d || read_desc(d, p->path, &fresh, err, n) != 0) {
        dlclose(handle);
        return -1;
    }
    if (hooks_of(&fresh) != p->hooks || !fresh.name || strcmp(fresh.name, p->desc.name) != 0) {
        snprintf(err, n, "%s: refused: its descriptor is not the one bhost read from it before "
                 "(a plugin must describe itself the same way every time it is loaded)", p->path);
        dlclose(handle);
        return -1;
    }
    /* The hooks are the mapped ones; every string stays the copy already made. */
    struct bhost_plugin *o = &p->desc;
    o->setup = fresh.setup;
    o->iterate = fresh.iterate;
    o->iterate_batch = fresh.iterate_batch;
    o->teardown = fresh.teardown;
    o->run_start = fresh.run_start;
    o->point_start = fresh.point_start;
    o->point_end = fresh.point_end;
    o->run_end = fresh.run_end;
    o->thread_start = fresh.thread_start;
    o->thread_end = fresh.thread_end;
    o->pause = fresh.pause;
    o->resume = fresh.resume;
    o->check = fresh.check;
    p->handle = handle;
    return 0;
}

void plugin_free(struct plugin *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nparams; i++)
        pdef_free(&p->params[i]);
    free(p->params);
    if (p->handle)
        dlclose(p->handle);
    free_const(p->desc.name);
    free_const(p->desc.version);
    free_const(p->desc.summary);
    free_const(p->desc.doc);
    for (size_t i = 0; i < p->nshadowed; i++)
        free(p->shadowed[i]);
    free(p->shadowed);
    free(p->build_id);
    free(p->path);
    free(p);
}

const struct pvalue *plugin_param_value(const struct plugin *p, const struct pdef *defs,
                                        size_t ndefs, const struct pvalue *values,
                                        const char *name, uint32_t type, const char *getter,
                                        char *why, size_t whylen)
{
    int i = name ? pdef_find(defs, ndefs, name) : -1;
    if (i < 0) {
        snprintf(why, whylen, "plugin bug: %s(\"%s\"): '%s' declares no such parameter", getter,
                 name ? name : "(null)", p->desc.name);
        return NULL;
    }
    uint32_t actual = defs[i].type;
    if (actual != type && !(type == BHOST_STRING && actual == BHOST_ENUM)) {
        snprintf(why, whylen, "plugin bug: %s(\"%s\"): the parameter is %s %s", getter, name,
                 actual == BHOST_INT || actual == BHOST_ENUM ? "an" : "a", type_name(actual));
        return NULL;
    }
    return &values[i];
}
