/*
 * values.c — deterministic values: a 24-digit name, then bytes of a seeded
 * pool starting at an offset the name picks.
 */
#include "values.h"

#include <stdlib.h>
#include <string.h>

#define POOL 65536

uint64_t values_mix(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

int values_init(struct values *v, uint64_t seed, size_t size)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    v->size = size;
    v->pool = malloc(POOL + size);
    if (!v->pool)
        return -1;
    uint64_t state = seed;
    for (size_t i = 0; i < POOL + size; i++) {
        state = values_mix(state);
        v->pool[i] = alphabet[state & 63];
    }
    return 0;
}

void values_free(struct values *v)
{
    free(v->pool);
    v->pool = NULL;
}

/* `digits` hex digits of x, most significant first (snprintf costs more than the rest). */
static void put_hex(char *out, uint64_t x, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--, x >>= 4)
        out[i] = hex[x & 15];
}

void value_make(const struct values *v, uint32_t owner, uint64_t seq, char *out)
{
    char name[VALUE_HEADER];
    put_hex(name, owner, 8);
    put_hex(name + 8, seq, 16);
    size_t head = v->size < VALUE_HEADER ? v->size : VALUE_HEADER;
    memcpy(out, name, head);
    if (v->size > head) {
        size_t offset = values_mix(((uint64_t)owner << 40) ^ seq) % POOL;
        memcpy(out + head, v->pool + offset, v->size - head);
    }
}

int value_is(const struct values *v, uint32_t owner, uint64_t seq, const char *bytes,
             size_t len, char *scratch)
{
    if (len != v->size)
        return 0;
    value_make(v, owner, seq, scratch);
    return memcmp(bytes, scratch, len) == 0;
}
