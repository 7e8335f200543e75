/* manifest.c — see manifest.h. */
#include "artifacts/manifest.h"
#include "artifacts/doc_fields.h"
#include "artifacts/run_files.h"
#include "util/checksum.h"
#include "util/clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the manifest's files come from, as it builds them. */
struct listing {
    const char *run_dir;
    json_t *files, *not_included, *seen;
    json_int_t bytes;
};

/*
 * Adds run_dir/path to "files" with its size and hash; a file that cannot be read goes to
 * "not_included" with why, and -1 is returned (the caller decides whether that is an
 * error). A path listed already is left out: a results file may name one twice.
 */
static int list_file(struct listing *l, const char *path, const char *kind, json_t *point,
                     json_t *media_type, const char **why)
{
    if (json_object_get(l->seen, path)) {
        json_decref(point);
        json_decref(media_type);
        return 0;
    }
    json_object_set_new(l->seen, path, json_true());
    char hex[CHECKSUM_HEX_LEN + 1];
    uint64_t size = 0;
    int fd = run_file_open(l->run_dir, path, why);
    if (fd >= 0 && checksum_fd(fd, hex, &size) != 0) {
        *why = "cannot be read";
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        json_array_append_new(l->not_included,
                              json_pack("{s:s, s:s, s:o, s:s}", "path", path, "kind", kind,
                                        "point", point, "why", *why));
        json_decref(media_type);
        return -1;
    }
    close(fd);
    l->bytes += (json_int_t)size;
    json_array_append_new(l->files, json_pack("{s:s, s:s, s:o, s:o, s:I, s:s}", "path", path,
                                              "kind", kind, "point", point, "media_type",
                                              media_type, "size", (json_int_t)size, "sha256",
                                              hex));
    return 0;
}

/* The artifacts one owner (a point, or an instrument's run hooks) lists. */
static void list_artifacts(struct listing *l, const json_t *artifacts, const char *kind,
                           const json_t *point_id)
{
    size_t i;
    json_t *a;
    json_array_foreach(artifacts, i, a) {
        const char *path = doc_text(a, "path"), *why;
        if (path)
            list_file(l, path, kind, point_id ? json_deep_copy(point_id) : json_null(),
                      doc_copy(a, "media_type"), &why);
    }
}

/* SHA-256 of the spec as it ran (without "file", so the same spec read from another path
 * hashes the same): compact JSON, keys sorted. */
static json_t *spec_hash(const json_t *spec)
{
    json_t *copy = json_deep_copy(spec);
    json_object_del(copy, "file");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (!text)
        return json_null();
    char hex[CHECKSUM_HEX_LEN + 1];
    checksum_hex(text, strlen(text), hex);
    free(text);
    return json_string(hex);
}

/* SHA-256 of the spec file's bytes as they are now, or null if it cannot be read or is not
 * a regular file (a results file may name anything: a FIFO must not hang the writer). */
static json_t *spec_file_hash(const char *file)
{
    int fd = file ? open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    char hex[CHECKSUM_HEX_LEN + 1];
    uint64_t size;
    struct stat st;
    int ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             checksum_fd(fd, hex, &size) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? json_string(hex) : json_null();
}

static json_t *spec_part(const json_t *results)
{
    const json_t *spec = json_object_get(results, "spec");
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "name", doc_copy(spec, "name"), "file",
                     doc_copy(spec, "file"), "seed", doc_copy(spec, "seed"), "sha256",
                     spec_hash(spec), "file_sha256", spec_file_hash(doc_text(spec, "file")));
}

/* Each experiment's timeout and instruments, from the spec as it ran. */
static void add_experiments(json_t *doc, const json_t *results)
{
    json_t *timeouts = json_array(), *instruments = json_array();
    size_t i, k;
    json_t *e, *ins;
    json_array_foreach(doc_at(results, "spec/experiments"), i, e) {
        json_array_append_new(timeouts, json_pack("{s:o, s:o}", "experiment",
                                                  doc_copy(e, "name"), "timeout_s",
                                                  doc_copy(e, "timeout")));
        json_array_foreach(json_object_get(e, "instruments"), k, ins)
            json_array_append_new(instruments,
                                  json_pack("{s:o, s:o, s:o}", "instrument",
                                            doc_copy(ins, "instrument"), "experiment",
                                            doc_copy(e, "name"), "params",
                                            doc_copy(ins, "params")));
    }
    json_object_set_new(doc, "timeouts", timeouts);
    json_object_set_new(doc, "instruments", instruments);
}

static json_t *environment_part(const json_t *results)
{
    static const char *const fields[][2] = {
        {"hostname", "hostname"},          {"kernel", "os/kernel"},
        {"machine", "os/machine"},         {"cpu_model", "cpu/model"},
        {"cpus", "cpu/logical_count"},     {"cpu_governor", "cpu/governor"},
        {"memory_kib", "memory_kib"},      {"compiler", "build/compiler"},
        {"build_type", "build/build_type"}, {"sanitized", "build/sanitized"},
        {"allocator", "build/allocator"},  {"git_commit", "git/commit"},
        {"git_dirty", "git/dirty"},        {"timer", "timer/source"}};
    const json_t *env = json_object_get(results, "environment");
    json_t *out = json_object();
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        json_object_set_new(out, fields[i][0], doc_copy(env, fields[i][1]));
    return out;
}

static json_t *run_part(const json_t *results)
{
    static const char *const fields[] = {"dir", "status", "started_utc", "finished_utc",
                                         "wall_s", "argv"};
    json_t *out = json_object();
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        char path[32];
        snprintf(path, sizeof path, "run/%s", fields[i]);
        json_object_set_new(out, fields[i], doc_copy(results, path));
    }
    return out;
}

json_t *manifest_build(const char *run_dir, const json_t *results,
                       const struct manifest_entry *own, size_t nown, const char *self,
                       char *err, size_t errlen)
{
    char written[32];
    utc_stamp(written, sizeof written, 1);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:o}", "schema", MANIFEST_SCHEMA,
                            "written_utc", written, "written_by", "bhost " BHOST_VERSION,
                            "bhost", doc_copy(results, "bhost"), "run", run_part(results));
    json_object_set_new(doc, "points",
                        json_pack("{s:o, s:o, s:o, s:o}", "sweep",
                                  doc_copy(results, "run/points_total"), "run",
                                  doc_copy(results, "run/points_run"), "skipped",
                                  doc_copy(results, "run/points_skipped"), "filter",
                                  doc_copy(results, "run/filter")));
    json_object_set_new(doc, "jobs", doc_copy(results, "run/jobs"));
    json_object_set_new(doc, "pinning", doc_copy(results, "run/pinning"));
    add_experiments(doc, results);
    json_object_set_new(doc, "spec", spec_part(results));
    json_object_set_new(doc, "environment", environment_part(results));

    struct listing l = {.run_dir = run_dir, .files = json_array(),
                        .not_included = json_array(), .seen = json_object()};
    json_object_set_new(l.seen, self, json_true());
    const char *why = NULL;
    const char *failed = NULL;
    for (size_t i = 0; i < nown && !failed; i++)
        if (list_file(&l, own[i].path, own[i].kind, json_null(), json_string("application/json"),
                      &why) != 0)
            failed = own[i].path;
    if (!failed && list_file(&l, "results.json", "results", json_null(),
                             json_string("application/json"), &why) != 0)
        failed = "results.json";
    /* A run whose run.hlog is gone is still worth its set: listed as not included. */
    list_file(&l, "run.hlog", "hlog", json_null(), json_string("text/plain"), &why);
    size_t i;
    json_t *pt, *ins;
    json_array_foreach(json_object_get(results, "points"), i, pt)
        list_artifacts(&l, json_object_get(pt, "artifacts"), "point",
                       json_object_get(pt, "id"));
    json_array_foreach(json_object_get(results, "instruments"), i, ins)
        list_artifacts(&l, json_object_get(ins, "artifacts"), "instrument", NULL);
    json_object_set_new(doc, "files", l.files);
    json_object_set_new(doc, "not_included", l.not_included);
    json_object_set_new(doc, "totals", json_pack("{s:I, s:I}", "files",
                                                 (json_int_t)json_array_size(l.files), "bytes",
                                                 l.bytes));
    json_decref(l.seen);
    if (failed) {
        snprintf(err, errlen, "%s/%s: %s", run_dir, failed, why);
        json_decref(doc);
        return NULL;
    }
    return doc;
}
