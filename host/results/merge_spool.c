/* merge_spool.c — see merge_spool.h. The ids are found through an open-addressing hash table
 * of entry numbers (FNV-1a of the id, linear probing), doubled at half full. */
#include "results/merge_spool.h"
#include "util/hash.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct merge_spool {
    int fd;
    uint64_t end;
    struct spool_entry *entries;
    size_t n, cap;
    size_t *slots; /* entry number + 1, 0 for free */
    size_t nslots; /* a power of two */
};

struct merge_spool *merge_spool_open(const char *dir, char *err, size_t errlen)
{
    char *path = xasprintf("%s/.bhost-merge-spool-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        snprintf(err, errlen, "cannot make a temporary file in %s: %s", dir, strerror(errno));
        free(path);
        return NULL;
    }
    unlink(path); /* gone with the merge, whatever ends it */
    free(path);
    struct merge_spool *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->nslots = 1024;
    s->slots = xcalloc(s->nslots, sizeof *s->slots);
    return s;
}

void merge_spool_close(struct merge_spool *s)
{
    if (!s)
        return;
    close(s->fd);
    for (size_t i = 0; i < s->n; i++)
        free(s->entries[i].id);
    free(s->entries);
    free(s->slots);
    free(s);
}

static size_t slot_of(const struct merge_spool *s, const char *id)
{
    size_t mask = s->nslots - 1;
    size_t i = (size_t)fnv1a64(id, strlen(id), FNV1A64_INIT) & mask;
    while (s->slots[i] && strcmp(s->entries[s->slots[i] - 1].id, id) != 0)
        i = (i + 1) & mask;
    return i;
}

const struct spool_entry *merge_spool_find(const struct merge_spool *s, const char *id)
{
    if (!s->slots)
        return NULL;
    size_t slot = s->slots[slot_of(s, id)];
    return slot ? &s->entries[slot - 1] : NULL;
}

static void rehash(struct merge_spool *s)
{
    free(s->slots);
    s->nslots *= 2;
    s->slots = xcalloc(s->nslots, sizeof *s->slots);
    for (size_t e = 0; e < s->n; e++)
        s->slots[slot_of(s, s->entries[e].id)] = e + 1;
}

static int write_all(int fd, const char *p, size_t len, uint64_t at)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
        at += (uint64_t)w;
    }
    return 0;
}

int merge_spool_put(struct merge_spool *s, const char *id, json_int_t index, size_t input,
                    const char *text, size_t length)
{
    if (write_all(s->fd, text, length, s->end) != 0)
        return -1;
    size_t slot = slot_of(s, id);
    struct spool_entry *e;
    if (s->slots[slot]) {
        e = &s->entries[s->slots[slot] - 1];
    } else {
        grow(&s->entries, &s->cap, s->n, sizeof *s->entries);
        e = &s->entries[s->n];
        *e = (struct spool_entry){.id = xstrdup(id), .index = index, .seen = s->n,
                                  .input = input};
        s->slots[slot] = ++s->n;
        if (s->n * 2 > s->nslots)
            rehash(s);
    }
    e->offset = s->end;
    e->length = length;
    s->end += length;
    return 0;
}

char *merge_spool_read(const struct merge_spool *s, const struct spool_entry *e)
{
    char *text = malloc(e->length + 1);
    if (!text)
        return NULL;
    size_t got = 0;
    while (got < e->length) {
        ssize_t r = pread(s->fd, text + got, e->length - got, (off_t)(e->offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            free(text);
            return NULL;
        }
        got += (size_t)r;
    }
    text[got] = '\0';
    return text;
}

size_t merge_spool_count(const struct merge_spool *s)
{
    return s->n;
}

uint64_t merge_spool_bytes(const struct merge_spool *s)
{
    return s->end;
}

static int by_sweep_index(const void *a, const void *b)
{
    const struct spool_entry *x = a, *y = b;
    if (x->index != y->index)
        return (x->index > y->index) - (x->index < y->index);
    return (x->seen > y->seen) - (x->seen < y->seen);
}

const struct spool_entry *merge_spool_sorted(struct merge_spool *s)
{
    free(s->slots);
    s->slots = NULL;
    if (s->n)
        qsort(s->entries, s->n, sizeof *s->entries, by_sweep_index);
    return s->entries;
}
