/* journal.c — see journal.h and docs/reliability.md. */
#include "results/journal.h"
#include "results/point_check.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int run_record_write(const char *dir, const struct run_record *r, char *err, size_t errlen)
{
    json_t *sets = json_array(), *paths = json_array();
    for (size_t i = 0; i < r->nsets; i++)
        json_array_append_new(sets, json_string(r->sets[i]));
    for (size_t i = 0; i < r->npaths; i++)
        json_array_append_new(paths, json_string(r->plugin_path[i]));
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:o}", "schema", JOURNAL_RUN_SCHEMA,
                          "spec_file", r->spec_file, "sets", sets, "started_utc",
                          r->started_utc, "spec", json_deep_copy(r->spec));
    json_object_set_new(o, "filter", r->filter ? json_string(r->filter) : json_null());
    json_object_set_new(o, "plugin_path", paths);
    json_object_set_new(o, "isolate", json_string(r->isolate ? "fork" : "none"));
    json_object_set_new(o, "jobs", json_integer((json_int_t)r->jobs));
    json_object_set_new(o, "time_budget_s", json_real(r->time_budget));
    const char *const keys[] = {"history", "baseline", "threshold", "percentiles"};
    const char *const values[] = {r->history, r->baseline, r->threshold, r->percentiles};
    for (size_t i = 0; i < 4; i++)
        if (values[i])
            json_object_set_new(o, keys[i], json_string(values[i]));
    static const char *const artifacts[] = {"none", "set", "bundle"};
    if (r->artifacts >= 0 && r->artifacts <= 2)
        json_object_set_new(o, "artifacts", json_string(artifacts[r->artifacts]));
    if (r->shard)
        json_object_set(o, "shard", r->shard);
    char *text = json_dumps(o, JSON_INDENT(1));
    json_decref(o);
    char *path = xasprintf("%s/run.json", dir);
    int rc = text ? write_file_atomic(path, text, strlen(text)) : -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    free(path);
    free(text);
    return rc;
}

/* A list of strings (NULL if absent) into *v and *n. */
static void read_strings(json_t *list, char ***v, size_t *n)
{
    *v = xcalloc(json_array_size(list) + 1, sizeof **v);
    *n = 0;
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
        if (json_is_string(s))
            (*v)[(*n)++] = xstrdup(json_string_value(s));
}

static char *string_field(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? xstrdup(s) : NULL;
}

int run_record_read(const char *dir, struct run_record *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    char *path = xasprintf("%s/run.json", dir);
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    int rc = -1;
    if (!o) {
        snprintf(err, errlen, "%s:%d:%d: cannot resume: %s", path, jerr.line, jerr.column,
                 jerr.text);
    } else if (!json_is_string(json_object_get(o, "schema")) ||
               strcmp(json_string_value(json_object_get(o, "schema")), JOURNAL_RUN_SCHEMA)) {
        snprintf(err, errlen, "%s: cannot resume: not a %s file", path, JOURNAL_RUN_SCHEMA);
    } else {
        r->spec_file = string_field(o, "spec_file");
        r->filter = string_field(o, "filter");
        r->started_utc = string_field(o, "started_utc");
        r->spec = json_incref(json_object_get(o, "spec"));
        read_strings(json_object_get(o, "sets"), &r->sets, &r->nsets);
        /* Files of runs begun before these were recorded lack them: "does not say". */
        read_strings(json_object_get(o, "plugin_path"), &r->plugin_path, &r->npaths);
        const char *isolate = json_string_value(json_object_get(o, "isolate"));
        r->isolate = !isolate ? -1 : strcmp(isolate, "none") != 0;
        json_int_t jobs = json_integer_value(json_object_get(o, "jobs"));
        r->jobs = jobs > 0 && jobs <= 1024 ? (size_t)jobs : 0;
        json_t *budget = json_object_get(o, "time_budget_s");
        r->time_budget = json_is_number(budget) && json_number_value(budget) >= 0
                             ? json_number_value(budget) : -1;
        r->history = string_field(o, "history");
        r->baseline = string_field(o, "baseline");
        r->threshold = string_field(o, "threshold");
        r->percentiles = string_field(o, "percentiles");
        const char *artifacts = json_string_value(json_object_get(o, "artifacts"));
        r->artifacts = !artifacts                      ? -1
                       : strcmp(artifacts, "bundle") == 0 ? 2
                       : strcmp(artifacts, "set") == 0    ? 1
                                                          : 0;
        json_t *shard = json_object_get(o, "shard");
        r->shard = json_is_object(shard) ? json_incref(shard) : NULL;
        rc = r->spec_file && r->started_utc && r->spec ? 0 : -1;
        if (rc != 0)
            snprintf(err, errlen, "%s: cannot resume: the file lacks spec_file, spec or "
                     "started_utc", path);
    }
    json_decref(o);
    free(path);
    if (rc != 0)
        run_record_free(r);
    return rc;
}

void run_record_free(struct run_record *r)
{
    for (size_t i = 0; i < r->nsets; i++)
        free(r->sets[i]);
    free(r->sets);
    for (size_t i = 0; i < r->npaths; i++)
        free(r->plugin_path[i]);
    free(r->plugin_path);
    free(r->spec_file);
    free(r->filter);
    free(r->started_utc);
    free(r->history);
    free(r->baseline);
    free(r->threshold);
    free(r->percentiles);
    json_decref(r->spec);
    json_decref(r->shard);
    memset(r, 0, sizeof *r);
}

/* Where a journal's last whole line ends: a line cut short by a kill is not kept. */
static off_t whole_lines_end(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);
    char buf[4096];
    while (end > 0) {
        off_t from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
        ssize_t n = pread(fd, buf, (size_t)(end - from), from);
        if (n <= 0)
            return end;
        for (ssize_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n')
                return from + i;
        end = from;
    }
    return 0;
}

FILE *journal_open(const char *dir)
{
    char *path = xasprintf("%s/journal.jsonl", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0)
        return NULL;
    /* A resumed run appends after the last whole line, not onto a torn one. */
    off_t end = whole_lines_end(fd);
    if (ftruncate(fd, end) != 0) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (!f)
        close(fd);
    return f;
}

/* When the journal was last forced to disk, and whether a failed write was reported. */
static uint64_t last_sync_ns;
static int write_failed;

void journal_append(FILE *journal, const json_t *point)
{
    /* One write() per line: a kill tears at most the line being written. */
    char *text = json_dumps(point, JSON_COMPACT);
    size_t len = text ? strlen(text) : 0;
    int ok = text != NULL;
    if (ok) {
        text[len] = '\n'; /* over the NUL: the line goes out whole, without it */
        for (size_t done = 0; ok && done < len + 1;) {
            ssize_t w = write(fileno(journal), text + done, len + 1 - done);
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            done += ok ? (size_t)w : 0;
        }
    }
    free(text);
    if (!ok && !write_failed) {
        write_failed = 1;
        fprintf(stderr, "bhost: warning: cannot write to the journal: %s; finished points "
                "are kept in memory and in results.json, but --resume will run them again\n",
                strerror(errno));
    }
    uint64_t now = clock_now_ns();
    if (now - last_sync_ns >= JOURNAL_SYNC_NS) {
        fsync(fileno(journal));
        last_sync_ns = now;
    }
}

void journal_close(FILE *journal)
{
    fsync(fileno(journal));
    fclose(journal);
}

json_t *journal_parse(const char *text, size_t len, const char *path, char *err,
                      size_t errlen)
{
    json_t *points = json_object();
    const char *at = text, *stop = text + len;
    for (size_t line = 1; at < stop; line++) {
        const char *end = memchr(at, '\n', (size_t)(stop - at));
        if (!end)
            break; /* cut short by a kill: that point did not finish writing */
        json_error_t jerr;
        json_t *pt = json_loadb(at, (size_t)(end - at), 0, &jerr);
        char why[256];
        if (!pt)
            snprintf(why, sizeof why, "not JSON (column %d: %s)", jerr.column, jerr.text);
        if (!pt || point_check(pt, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%zu: not a point result (%s); the journal is damaged",
                     path, line, why);
            json_decref(pt);
            json_decref(points);
            return NULL;
        }
        json_object_set_new(points, json_string_value(json_object_get(pt, "id")), pt);
        at = end + 1;
    }
    return points;
}

json_t *journal_read(const char *dir, char *err, size_t errlen)
{
    char *path = xasprintf("%s/journal.jsonl", dir);
    size_t len;
    char *text = read_file(path, &len);
    json_t *points = NULL;
    if (text)
        points = journal_parse(text, len, path, err, errlen);
    else if (errno == ENOENT)
        points = json_object();
    else
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    free(text);
    free(path);
    return points;
}
