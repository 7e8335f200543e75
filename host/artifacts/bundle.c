/* bundle.c — see bundle.h. */
#include "artifacts/bundle.h"
#include "artifacts/manifest.h"
#include "artifacts/run_files.h"
#include "util/checksum.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* The archive being written, and the first file that failed it. */
struct bundle {
    const char *run_dir;
    zip_t *zip;
    char failed[1024];
};

/* One file of the manifest, read as libzip packs it (a source callback's state). */
struct entry {
    struct bundle *b;
    const char *path;        /* relative to the run directory; the manifest's */
    uint64_t size;
    const char *sha256;      /* the manifest's */
    time_t mtime;
    int fd;
    struct checksum hash;
    uint64_t read;
    zip_error_t error;
};

/* Fails the entry with a libzip error, and says which file for the message. */
static zip_int64_t entry_fail(struct entry *e, int zip_code, int sys, const char *why)
{
    if (!e->b->failed[0])
        snprintf(e->b->failed, sizeof e->b->failed, "%s/%s: %s", e->b->run_dir, e->path, why);
    zip_error_set(&e->error, zip_code, sys);
    return -1;
}

/* Reads the file once it is packed, hashing what passes; at its end, the bytes must be
 * the ones the manifest describes. */
static zip_int64_t entry_read(struct entry *e, void *data, zip_uint64_t len)
{
    ssize_t n;
    do
        n = read(e->fd, data, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return entry_fail(e, ZIP_ER_READ, errno, strerror(errno));
    checksum_update(&e->hash, data, (size_t)n);
    e->read += (uint64_t)n;
    if (e->read > e->size)
        return entry_fail(e, ZIP_ER_CHANGED, 0, "grew since the manifest was written");
    if (n == 0) {
        char hex[CHECKSUM_HEX_LEN + 1];
        checksum_final_hex(&e->hash, hex);
        if (e->read != e->size || strcmp(hex, e->sha256) != 0)
            return entry_fail(e, ZIP_ER_CHANGED, 0,
                              "its bytes differ from the manifest's size and sha256 (changed "
                              "since the manifest was written)");
    }
    return n;
}

static zip_int64_t entry_callback(void *state, void *data, zip_uint64_t len,
                                  zip_source_cmd_t cmd)
{
    struct entry *e = state;
    const char *why;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        if ((e->fd = run_file_open(e->b->run_dir, e->path, &why)) < 0)
            return entry_fail(e, ZIP_ER_OPEN, errno, why);
        checksum_init(&e->hash);
        e->read = 0;
        return 0;
    case ZIP_SOURCE_READ:
        return entry_read(e, data, len);
    case ZIP_SOURCE_CLOSE:
        if (e->fd >= 0)
            close(e->fd);
        e->fd = -1;
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &e->error);
        if (!st)
            return -1;
        zip_stat_init(st);
        st->size = e->size;
        st->mtime = e->mtime;
        st->valid |= ZIP_STAT_SIZE | ZIP_STAT_MTIME;
        return sizeof *st;
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&e->error, data, len);
    case ZIP_SOURCE_FREE:
        if (e->fd >= 0)
            close(e->fd);
        zip_error_fini(&e->error);
        free(e);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
                                              ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
        zip_error_set(&e->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/*
 * The entry's metadata: deflated, its modification time both as MS-DOS local time and as
 * an extended-timestamp field (Info-ZIP's "UT", UTC seconds: what unzip and bsdtar restore
 * exactly), and Unix permissions rw-r--r--.
 */
static int describe(zip_t *zip, zip_int64_t index, time_t mtime)
{
    zip_uint64_t i = (zip_uint64_t)index;
    uint32_t t = (uint32_t)mtime;
    const zip_uint8_t ut[5] = {1, (zip_uint8_t)t, (zip_uint8_t)(t >> 8),
                               (zip_uint8_t)(t >> 16), (zip_uint8_t)(t >> 24)};
    return zip_set_file_compression(zip, i, ZIP_CM_DEFLATE, 0) == 0 &&
                   zip_file_set_mtime(zip, i, mtime, 0) == 0 &&
                   zip_file_extra_field_set(zip, i, 0x5455, ZIP_EXTRA_FIELD_NEW, ut, sizeof ut,
                                            ZIP_FL_LOCAL | ZIP_FL_CENTRAL) == 0 &&
                   zip_file_set_external_attributes(zip, i, 0, ZIP_OPSYS_UNIX,
                                                    (zip_uint32_t)(S_IFREG | 0644) << 16) == 0
               ? 0
               : -1;
}

/* Adds one file the manifest lists; its bytes are read (and checked) when the archive is
 * closed. */
static int add_listed(struct bundle *b, const json_t *file, char *err, size_t errlen)
{
    const char *path = json_string_value(json_object_get(file, "path"));
    const char *sha = json_string_value(json_object_get(file, "sha256"));
    json_t *size = json_object_get(file, "size");
    if (!path || !sha || strlen(sha) != CHECKSUM_HEX_LEN || !json_is_integer(size) ||
        json_integer_value(size) < 0) {
        snprintf(err, errlen, "%s/%s: a file without a path, size or sha256", b->run_dir,
                 ARTIFACTS_MANIFEST);
        return -1;
    }
    const char *why;
    int fd = run_file_open(b->run_dir, path, &why);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s/%s: %s", b->run_dir, path, fd < 0 ? why : strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    struct entry *e = xcalloc(1, sizeof *e);
    *e = (struct entry){.b = b, .path = path, .size = (uint64_t)json_integer_value(size),
                        .sha256 = sha, .mtime = st.st_mtime, .fd = -1};
    zip_error_init(&e->error);
    zip_source_t *src = zip_source_function(b->zip, entry_callback, e);
    if (!src) {
        zip_error_fini(&e->error);
        free(e);
    }
    zip_int64_t index = src ? zip_file_add(b->zip, path, src, ZIP_FL_ENC_UTF_8) : -1;
    if (src && index < 0)
        zip_source_free(src);
    if (index < 0 || describe(b->zip, index, st.st_mtime) != 0) {
        snprintf(err, errlen, "%s: cannot add %s: %s", b->run_dir, path, zip_strerror(b->zip));
        return -1;
    }
    return 0;
}

/* The manifest itself, first in the archive, from the bytes read. */
static int add_manifest(struct bundle *b, char *text, size_t len, time_t mtime, char *err,
                        size_t errlen)
{
    zip_source_t *src = zip_source_buffer(b->zip, text, len, 1);
    if (!src)
        free(text);
    zip_int64_t index = src ? zip_file_add(b->zip, ARTIFACTS_MANIFEST, src, ZIP_FL_ENC_UTF_8)
                            : -1;
    if (src && index < 0)
        zip_source_free(src);
    if (index < 0 || describe(b->zip, index, mtime) != 0) {
        snprintf(err, errlen, "%s: cannot add %s: %s", b->run_dir, ARTIFACTS_MANIFEST,
                 zip_strerror(b->zip));
        return -1;
    }
    return 0;
}

/* The manifest's text and parsed form, checked to be one. */
static json_t *read_manifest(const char *run_dir, char **text, size_t *len, time_t *mtime,
                             char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", run_dir, ARTIFACTS_MANIFEST);
    struct stat st;
    json_t *doc = NULL;
    json_error_t jerr;
    *text = read_file(path, len);
    if (!*text || stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read it: %s (write the set first: --artifacts)",
                 path, strerror(errno));
    } else if (!(doc = json_loadb(*text, *len, 0, &jerr))) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    } else if (!json_is_array(json_object_get(doc, "files")) ||
               !json_is_string(json_object_get(doc, "schema")) ||
               strcmp(json_string_value(json_object_get(doc, "schema")), MANIFEST_SCHEMA) != 0) {
        snprintf(err, errlen, "%s: not a manifest of schema \"%s\"", path, MANIFEST_SCHEMA);
        json_decref(doc);
        doc = NULL;
    } else {
        *mtime = st.st_mtime;
    }
    if (!doc) {
        free(*text);
        *text = NULL;
    }
    free(path);
    return doc;
}

/* Makes the closed archive durable and gives it its name. */
static int publish(const char *tmp, const char *final, const char *run_dir)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int synced = fsync(fd) == 0;
    if (close(fd) != 0 || !synced || rename(tmp, final) != 0)
        return -1;
    int dir = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return 0;
}

/* RUN_DIR/<its name>.zip, from the directory's real name. */
static char *archive_path(const char *run_dir)
{
    char *real = realpath(run_dir, NULL);
    char *copy = xstrdup(real ? real : run_dir);
    char *path = xasprintf("%s/%s.zip", run_dir, basename(copy));
    free(copy);
    free(real);
    return path;
}

int artifacts_bundle(const char *run_dir, char **zip_path, struct artifacts_totals *t,
                     char *err, size_t errlen)
{
    char *text;
    size_t len;
    time_t mtime;
    json_t *manifest = read_manifest(run_dir, &text, &len, &mtime, err, errlen);
    if (!manifest)
        return -1;
    char *final = archive_path(run_dir);
    char *slash = strrchr(final, '/');
    char *tmp = xasprintf("%.*s/.%s.tmp.%ld", (int)(slash - final), final, slash + 1,
                          (long)getpid());
    struct bundle b = {.run_dir = run_dir};
    int code, rc = -1;
    if (!(b.zip = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &code))) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        snprintf(err, errlen, "%s: cannot create it: %s", tmp, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        free(text);
    } else if (add_manifest(&b, text, len, mtime, err, errlen) == 0) {
        size_t i;
        json_t *file;
        rc = 0;
        json_array_foreach(json_object_get(manifest, "files"), i, file)
            if ((rc = add_listed(&b, file, err, errlen)) != 0)
                break;
        t->files = rc == 0 ? (size_t)zip_get_num_entries(b.zip, 0) : 0;
        if (rc == 0 && zip_close(b.zip) != 0) {
            snprintf(err, errlen, "%s", b.failed[0] ? b.failed : zip_strerror(b.zip));
            rc = -1;
        } else if (rc == 0) {
            b.zip = NULL;
        }
    }
    if (b.zip)
        zip_discard(b.zip);
    struct stat st;
    if (rc == 0 && (publish(tmp, final, run_dir) != 0 || stat(final, &st) != 0)) {
        snprintf(err, errlen, "%s: cannot write it: %s", final, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        unlink(tmp);
        free(final);
    } else {
        t->bytes = (uint64_t)st.st_size;
        t->left_out = 0;
        *zip_path = final;
    }
    free(tmp);
    json_decref(manifest);
    return rc;
}
