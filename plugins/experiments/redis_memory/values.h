/*
 * values.h — the bytes stored in Redis, made again from a seed to check
 * every read: a value names what it is (24 hex digits: an owner and a
 * sequence number, so no two values of a point are alike) and is filled up
 * to its size from a pool of seeded printable bytes.
 */
#ifndef REDIS_MEMORY_VALUES_H
#define REDIS_MEMORY_VALUES_H

#include <stddef.h>
#include <stdint.h>

#define VALUE_HEADER 24 /* the smallest value: its name alone */

struct values {
    char *pool;        /* POOL + size bytes, so that a fill never wraps */
    size_t size;       /* bytes in every value */
};

int values_init(struct values *v, uint64_t seed, size_t size);
void values_free(struct values *v);

/* The value of (owner, seq): v->size bytes into out. */
void value_make(const struct values *v, uint32_t owner, uint64_t seq, char *out);

/* 1 if `bytes` (of `len` bytes) is exactly the value of (owner, seq); `scratch` holds
 * v->size bytes. */
int value_is(const struct values *v, uint32_t owner, uint64_t seq, const char *bytes,
             size_t len, char *scratch);

uint64_t values_mix(uint64_t x);

#endif
