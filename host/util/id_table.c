/* id_table.c — see id_table.h. */
#include "util/id_table.h"
#include "util/hash.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)

void id_table_init(struct id_table *t)
{
    memset(t, 0, sizeof *t);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const struct id_table *t, const char *key, size_t len)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)fnv1a64(key, len, FNV_OFFSET) & mask;
    while (t->keys[i] && !(strncmp(t->keys[i], key, len) == 0 && t->keys[i][len] == '\0'))
        i = (i + 1) & mask;
    return i;
}

static void grow_table(struct id_table *t)
{
    struct id_table bigger = {.cap = t->cap ? t->cap * 2 : 64};
    bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.values = xcalloc(bigger.cap, sizeof *bigger.values);
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i]) {
            size_t at = slot_of(&bigger, t->keys[i], strlen(t->keys[i]));
            bigger.keys[at] = t->keys[i];
            bigger.values[at] = t->values[i];
        }
    bigger.n = t->n;
    free(t->keys);
    free(t->values);
    *t = bigger;
}

void id_table_put(struct id_table *t, const char *key, size_t value)
{
    if ((t->n + 1) * 2 > t->cap)
        grow_table(t);
    size_t at = slot_of(t, key, strlen(key));
    if (!t->keys[at]) {
        t->keys[at] = key;
        t->n++;
    }
    t->values[at] = value;
}

int id_table_get(const struct id_table *t, const char *key, size_t len, size_t *value)
{
    if (t->cap == 0)
        return 0;
    size_t at = slot_of(t, key, len);
    if (!t->keys[at])
        return 0;
    *value = t->values[at];
    return 1;
}

void id_table_free(struct id_table *t)
{
    free(t->keys);
    free(t->values);
    memset(t, 0, sizeof *t);
}
