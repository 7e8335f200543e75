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
    size_t members; /* written so far: each after the first starts with a comma */
    size_t items;   /* of the open array */
    int failed_errno;
};

struct results_stream *results_stream_open(const char *path, char *err, size_t errlen)
{
    struct results_stream *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    s->f = fopen(s->tmp, "we");
    if (!s->f) {
        snprintf(err, errlen, "%s: cannot write results: %s", path, strerror(errno));
        free(s->tmp);
        free(s->path);
        free(s);
        return NULL;
    }
    fputc('{', s->f);
    return s;
}

static int dump_to_file(const char *buffer, size_t size, void *data)
{
    return fwrite(buffer, 1, size, data) == size ? 0 : -1;
}

static void key(struct results_stream *s, const char *k)
{
    fputs(s->members++ ? ",\n " : "\n ", s->f);
    json_t *name = json_string(k);
    json_dump_callback(name, dump_to_file, s->f, JSON_ENCODE_ANY);
    json_decref(name);
    fputs(": ", s->f);
}

void results_stream_member(struct results_stream *s, const char *k, const json_t *value)
{
    key(s, k);
    if (json_dump_callback(value, dump_to_file, s->f, JSON_INDENT(1) | JSON_ENCODE_ANY) != 0 &&
        !s->failed_errno)
        s->failed_errno = errno ? errno : EIO;
}

void results_stream_begin_array(struct results_stream *s, const char *k)
{
    key(s, k);
    fputc('[', s->f);
    s->items = 0;
}

void results_stream_item_text(struct results_stream *s, const char *json, size_t len)
{
    fputs(s->items++ ? ",\n" : "\n", s->f);
    fwrite(json, 1, len, s->f);
}

void results_stream_item(struct results_stream *s, const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) {
        s->failed_errno = s->failed_errno ? s->failed_errno : ENOMEM;
        return;
    }
    results_stream_item_text(s, text, strlen(text));
    free(text);
}

void results_stream_end_array(struct results_stream *s)
{
    fputs(s->items ? "\n ]" : "]", s->f);
}

static void stream_free(struct results_stream *s)
{
    free(s->tmp);
    free(s->path);
    free(s);
}

int results_stream_close(struct results_stream *s, char *err, size_t errlen)
{
    fputs("\n}\n", s->f);
    int e = s->failed_errno;
    if (fflush(s->f) != 0 || ferror(s->f) || fsync(fileno(s->f)) != 0)
        e = e ? e : errno;
    if (fclose(s->f) != 0)
        e = e ? e : errno;
    if (!e && rename(s->tmp, s->path) != 0)
        e = errno;
    if (e) {
        unlink(s->tmp);
        snprintf(err, errlen, "%s: cannot write results: %s", s->path, strerror(e));
    }
    stream_free(s);
    return e ? -1 : 0;
}

void results_stream_abort(struct results_stream *s)
{
    fclose(s->f);
    unlink(s->tmp);
    stream_free(s);
}
