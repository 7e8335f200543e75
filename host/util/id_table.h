/*
 * id_table.h — a map from strings (point ids) to indexes, in constant time
 * per look-up: open addressing with linear probing, FNV-1a hashed. The keys
 * are not copied: they must outlive the table (a sweep's point ids).
 */
#ifndef BHOST_ID_TABLE_H
#define BHOST_ID_TABLE_H

#include <stddef.h>

struct id_table {
    const char **keys;  /* NULL: an empty slot */
    size_t *values;
    size_t cap, n;      /* cap: a power of two, kept at least twice n */
};

void id_table_init(struct id_table *t);
/* Adds key -> value, or replaces the value of a key already there. */
void id_table_put(struct id_table *t, const char *key, size_t value);
/* 1 and *value when key is there, else 0. `len`: the key's bytes (it need not end in a NUL). */
int id_table_get(const struct id_table *t, const char *key, size_t len, size_t *value);
void id_table_free(struct id_table *t);

#endif
