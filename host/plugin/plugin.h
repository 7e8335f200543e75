/*
 * plugin.h — one plugin: its descriptor read and checked the way the ABI
 * rules in docs/sdk.md say (magic, major by symbol name, minor against
 * min_host_minor, declared sizes, parameter table), and every refusal one
 * line that names the file, the plugin, both versions and what to do.
 *
 * The host itself maps no plugin to learn about it: a scanning child does
 * (plugin_dlopen(), plugin_read(); see scan.h) and sends back what it read
 * (plugin_json.h). The host maps only the plugins a run uses, with
 * plugin_open(), which makes their hooks callable.
 */
#ifndef BHOST_PLUGIN_H
#define BHOST_PLUGIN_H

#include "plugin/param.h"

#include <bhost/bhost.h>
#include <stddef.h>
#include <stdint.h>

/* More parameters than any experiment needs: a larger count is a broken descriptor. */
#define PLUGIN_MAX_PARAMS 1024

/* Which hooks a plugin has (struct plugin's `hooks`). */
enum plugin_hook {
    PLUGIN_HOOK_SETUP = 1u << 0,
    PLUGIN_HOOK_ITERATE = 1u << 1,
    PLUGIN_HOOK_ITERATE_BATCH = 1u << 2,
    PLUGIN_HOOK_TEARDOWN = 1u << 3,
    PLUGIN_HOOK_RUN_START = 1u << 4,
    PLUGIN_HOOK_POINT_START = 1u << 5,
    PLUGIN_HOOK_POINT_END = 1u << 6,
    PLUGIN_HOOK_RUN_END = 1u << 7,
    PLUGIN_HOOK_THREAD_START = 1u << 8,
    PLUGIN_HOOK_THREAD_END = 1u << 9,
    PLUGIN_HOOK_PAUSE = 1u << 10,
    PLUGIN_HOOK_RESUME = 1u << 11,
    PLUGIN_HOOK_CHECK = 1u << 12,
};

/* A file as it was when bhost read it: if any of this changes, so may the plugin. */
struct file_id {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
};

struct plugin {
    char *path;               /* the file */
    struct file_id file;      /* the file when it was read */
    char *build_id;           /* its ELF GNU build-id in hex, or "fnv1a64:<hex>" of its bytes */
    void *handle;             /* NULL until plugin_open() (or plugin_load()) maps it */
    /*
     * The descriptor as the plugin declared it, the bytes past its declared size
     * zero. name, version, summary and doc are the plugin's own copies; params is
     * NULL (the table is read into `params` below); the hooks are NULL until the
     * file is mapped in this process, and `hooks` says which there are.
     */
    struct bhost_plugin desc;
    unsigned hooks;           /* enum plugin_hook bits */
    struct pdef *params;
    size_t nparams;
    char **shadowed;          /* later files on the search path that declare the same name */
    size_t nshadowed, shadowed_cap;
};

/* 0 and the identity of `path`, or -1 with errno. */
int file_id_of(const char *path, struct file_id *id);
int file_id_equal(const struct file_id *a, const struct file_id *b);

/*
 * Maps one shared object in this process after checking its ELF headers:
 * this runs its constructors. The handle, and its build-id (malloc'd) in
 * *build_id; NULL and a one-line reason in err, with *lasting 0 if the
 * reason may pass (dlopen() failed: a library it needs may appear).
 */
void *plugin_dlopen(const char *path, char **build_id, int *lasting, char *err,
                    size_t errlen);
/* Reads and checks the descriptor of a mapped plugin (the handle stays the caller's). */
struct plugin *plugin_read(void *handle, const char *path, const char *build_id, char *err,
                           size_t errlen);
/* plugin_dlopen() and plugin_read(): the plugin mapped in this process. */
struct plugin *plugin_load(const char *path, char *err, size_t errlen);

/*
 * Maps a plugin read elsewhere (by a scan), so that its hooks can be called:
 * the file must be the one that was read, and describe itself as it did
 * then. 0, or -1 with a one-line reason in err.
 */
int plugin_open(struct plugin *p, char *err, size_t errlen);
void plugin_free(struct plugin *p);
/*
 * The value in values[] (one per definition in defs: p's parameters, then an experiment's open
 * ones) of parameter `name`, for the getter `getter` of `type` (a string getter also reads an
 * enum's text); NULL, with the plugin bug in why, when there is no such parameter or it is of
 * another type.
 */
const struct pvalue *plugin_param_value(const struct plugin *p, const struct pdef *defs,
                                        size_t ndefs, const struct pvalue *values,
                                        const char *name, uint32_t type, const char *getter,
                                        char *why, size_t whylen);
const char *kind_name(unsigned kind);

#endif
