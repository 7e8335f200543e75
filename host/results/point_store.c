/* point_store.c — see point_store.h. */
#include "results/point_store.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum where { NONE, JOURNALED, IN_MEMORY, MADE };

/* A point's statuses, as point_check() allows them. */
static const char *const statuses[] = {"ok", "failed", "partial", "skipped"};
enum { OK, FAILED, PARTIAL, SKIPPED };

struct entry {
    uint64_t offset;          /* JOURNALED: its line */
    uint32_t len;
    uint8_t where, status;
    json_int_t measured;      /* its measured iterations */
    json_t *failures;         /* its "failures" when it has any (count or reasons); or NULL */
    json_t *point;            /* IN_MEMORY */
};

struct point_store {
    struct entry *e;
    size_t n;
    char *journal_path;
    int fd;                   /* the journal, opened for reading when first needed; -1 */
    json_t *(*make)(void *arg, size_t i);
    void *make_arg;
};

struct point_store *point_store_new(size_t npoints, const char *journal_path)
{
    struct point_store *ps = xcalloc(1, sizeof *ps);
    ps->e = xcalloc(npoints + 1, sizeof *ps->e);
    ps->n = npoints;
    ps->journal_path = xstrdup(journal_path);
    ps->fd = -1;
    return ps;
}

void point_store_clear(struct point_store *ps, size_t i)
{
    struct entry *e = &ps->e[i];
    json_decref(e->failures);
    json_decref(e->point);
    memset(e, 0, sizeof *e);
}

void point_store_free(struct point_store *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++)
        point_store_clear(ps, i);
    if (ps->fd >= 0)
        close(ps->fd);
    free(ps->e);
    free(ps->journal_path);
    free(ps);
}

static uint8_t status_of(const char *status)
{
    for (uint8_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++)
        if (status && strcmp(status, statuses[k]) == 0)
            return k;
    return FAILED; /* point_check() lets no other status in */
}

/* What the summary needs of pt. */
static void note(struct entry *e, const json_t *pt)
{
    e->status = status_of(json_string_value(json_object_get(pt, "status")));
    e->measured = json_integer_value(json_object_get(json_object_get(pt, "iterations"),
                                                     "measured"));
    json_t *f = json_object_get(pt, "failures");
    if (json_integer_value(json_object_get(f, "count")) != 0 ||
        json_array_size(json_object_get(f, "reasons")) != 0)
        e->failures = json_deep_copy(f);
}

void point_store_put_journaled(struct point_store *ps, size_t i, const json_t *pt,
                               uint64_t offset, size_t len)
{
    point_store_clear(ps, i);
    struct entry *e = &ps->e[i];
    note(e, pt);
    e->where = JOURNALED;
    e->offset = offset;
    e->len = (uint32_t)len;
}

void point_store_put(struct point_store *ps, size_t i, json_t *pt)
{
    point_store_clear(ps, i);
    struct entry *e = &ps->e[i];
    note(e, pt);
    e->where = IN_MEMORY;
    e->point = pt;
}

void point_store_put_made(struct point_store *ps, size_t i, const char *status)
{
    point_store_clear(ps, i);
    ps->e[i].where = MADE;
    ps->e[i].status = status_of(status);
}

void point_store_set_maker(struct point_store *ps, json_t *(*make)(void *arg, size_t i),
                           void *arg)
{
    ps->make = make;
    ps->make_arg = arg;
}

const char *point_store_status(const struct point_store *ps, size_t i)
{
    return i < ps->n && ps->e[i].where != NONE ? statuses[ps->e[i].status] : NULL;
}

int point_store_text(struct point_store *ps, size_t i, char **text, size_t *len)
{
    const struct entry *e = &ps->e[i];
    if (e->where != JOURNALED)
        return 0;
    if (ps->fd < 0 && (ps->fd = open(ps->journal_path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    char *buf = xmalloc((size_t)e->len + 1);
    size_t got = 0;
    while (got < e->len) {
        ssize_t n = pread(ps->fd, buf + got, e->len - got, (off_t)(e->offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            if (n == 0)
                errno = EIO; /* the journal is shorter than it was written */
            return -1;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return 1;
}

json_t *point_store_get(struct point_store *ps, size_t i, int *unreadable)
{
    if (i >= ps->n)
        return NULL;
    struct entry *e = &ps->e[i];
    switch (e->where) {
    case IN_MEMORY:
        return json_incref(e->point);
    case MADE:
        return ps->make ? ps->make(ps->make_arg, i) : NULL;
    case JOURNALED: {
        char *text;
        size_t len;
        json_t *pt = NULL;
        if (point_store_text(ps, i, &text, &len) == 1) {
            pt = json_loadb(text, len, 0, NULL);
            free(text);
        }
        if (!pt && unreadable)
            *unreadable = 1;
        return pt;
    }
    default:
        return NULL;
    }
}

void point_store_counts(const struct point_store *ps, struct point_counts *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < ps->n; i++) {
        const struct entry *e = &ps->e[i];
        if (e->where == NONE)
            continue;
        c->present++;
        c->ok += e->status == OK;
        c->failed += e->status == FAILED;
        c->partial += e->status == PARTIAL;
        c->skipped += e->status == SKIPPED;
        c->with_failed_iterations +=
            json_integer_value(json_object_get(e->failures, "count")) > 0;
    }
}

json_t *point_store_failures(const struct point_store *ps)
{
    struct failures_sum f;
    failures_sum_init(&f);
    for (size_t i = 0; i < ps->n; i++)
        if (ps->e[i].where != NONE)
            failures_sum_add(&f, ps->e[i].failures, ps->e[i].measured);
    return failures_sum_json(&f);
}

static json_t *store_get(struct point_source *src, size_t i)
{
    int unreadable = 0;
    json_t *pt = point_store_get(src->ctx, i, &unreadable);
    src->failed |= unreadable;
    return pt;
}

static const char *store_status(struct point_source *src, size_t i)
{
    return point_store_status(src->ctx, i);
}

void point_store_source(struct point_store *ps, struct point_source *out)
{
    *out = (struct point_source){.n = ps->n, .get = store_get, .status = store_status,
                                 .ctx = ps};
}
