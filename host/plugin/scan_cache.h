/*
 * scan_cache.h — what earlier scans learned of plugin files, so that
 * `bhost list` and every run need not map them again. An entry holds while
 * its file is the same file: device, inode, size, modification and change
 * times. Only outcomes that are the file's own are kept (a plugin read, or
 * a refusal of its bytes); a crash, a hang or a missing library is tried
 * again next time.
 *
 * The cache is one JSON file, BHOST_CACHE_DIR/plugins.json, else
 * $XDG_CACHE_HOME/bhost/plugins.json, else ~/.cache/bhost/plugins.json;
 * BHOST_CACHE_DIR set to an empty string turns it off. A cache that cannot
 * be read or written is no cache: nothing fails because of it.
 */
#ifndef BHOST_SCAN_CACHE_H
#define BHOST_SCAN_CACHE_H

#include "plugin/plugin.h"
#include "plugin/scan.h"

#include <jansson.h>

#define SCAN_CACHE_SCHEMA "bhost.plugin-scan/2" /* 2: the check hook */

struct scan_cache {
    char *path;       /* NULL: no cache */
    json_t *files;    /* path -> entry */
    int dirty;
};

void scan_cache_open(struct scan_cache *c);
/* 1 and the cached outcome for `path` if it is still the file `id` says; else 0. */
int scan_cache_get(struct scan_cache *c, const char *path, const struct file_id *id,
                   struct scan_result *out);
/* Keeps a lasting outcome (others are ignored). */
void scan_cache_put(struct scan_cache *c, const char *path, const struct file_id *id,
                    const struct scan_result *r);
/* Writes the cache if it changed (dropping files that are gone) and frees it. */
void scan_cache_close(struct scan_cache *c);

#endif
