/* results_stream.c — see results_stream.h. */
#include "results/results_stream.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct results_stream {
    FILE *f;
    char *path, *tmp;
    size_t members;     /* written so far: a comma goes before the next */
    size_t items;       /* of the array being written */
    int error;          /* the first write's errno, or 0 */
};

static void put(struct results_stream *s, const char *text, size_t len)
{
    if (len && fwrite(text, 1, len, s->f) != len && !s->error)
        s->error = errno ? errno : EIO;
}

/* Indents a member's value one level, as a whole-document dump would: no string holds a raw
 * newline, so every newline is layout. */
static int put_indented(const char *buffer, size_t size, void *data)
{
    struct results_stream *s = data;
    const char *p = buffer, *end = buffer + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            put(s, p, (size_t)(end - p));
            break;
        }
        put(s, p, (size_t)(nl - p));
        put(s, "\n ", 2);
        p = nl + 1;
    }
    return 0;
}

static int put_plain(const char *buffer, size_t size, void *data)
{
    put(data, buffer, size);
    return 0;
}

static void key(struct results_stream *s, const char *name)
{
    put(s, s->members++ ? ",\n " : "{\n ", 3);
    json_t *k = json_string(name);
    json_dump_callback(k, put_plain, s, JSON_ENCODE_ANY);
    json_decref(k);
    put(s, ": ", 2);
}

struct results_stream *results_stream_open(const char *path, char *err, size_t errlen)
{
    struct results_stream *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    s->f = fopen(s->tmp, "we");
    if (!s->f) {
        snprintf(err, errlen, "%s: cannot write results: %s", path, strerror(errno));
        free(s->path);
        free(s->tmp);
        free(s);
        return NULL;
    }
    return s;
}

void results_stream_member(struct results_stream *s, const char *name, const json_t *value)
{
    key(s, name);
    json_dump_callback(value, put_indented, s, JSON_INDENT(1) | JSON_ENCODE_ANY);
}

void results_stream_begin_array(struct results_stream *s, const char *name)
{
    key(s, name);
    put(s, "[", 1);
    s->items = 0;
}

/* Each element on a line of its own. */
static void item_start(struct results_stream *s)
{
    if (s->items++)
        put(s, ",\n  ", 4);
    else
        put(s, "\n  ", 3);
}

void results_stream_item_text(struct results_stream *s, const char *json, size_t len)
{
    item_start(s);
    put(s, json, len);
}

void results_stream_item(struct results_stream *s, const json_t *value)
{
    item_start(s);
    json_dump_callback(value, put_plain, s, JSON_COMPACT | JSON_ENCODE_ANY);
}

void results_stream_end_array(struct results_stream *s)
{
    if (s->items)
        put(s, "\n ]", 3);
    else
        put(s, "]", 1);
}

static void stream_free(struct results_stream *s)
{
    free(s->path);
    free(s->tmp);
    free(s);
}

int results_stream_close(struct results_stream *s, char *err, size_t errlen)
{
    put(s, s->members ? "\n}\n" : "{}\n", 3);
    int error = s->error;
    if (fflush(s->f) != 0 && !error)
        error = errno;
    if (!error && fsync(fileno(s->f)) != 0)
        error = errno;
    if (fclose(s->f) != 0 && !error)
        error = errno;
    if (!error && rename(s->tmp, s->path) != 0)
        error = errno;
    if (error) {
        snprintf(err, errlen, "%s: cannot write results: %s", s->path, strerror(error));
        unlink(s->tmp);
    }
    stream_free(s);
    return error ? -1 : 0;
}

void results_stream_abort(struct results_stream *s)
{
    fclose(s->f);
    unlink(s->tmp);
    stream_free(s);
}
