/* checksum.c — reading observations: values at a cell, checksums, freeing (see observe.h). */
#include "observe.h"

#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

static uint64_t fnv_bytes(uint64_t h, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) { /* little-endian, whatever the machine */
        h ^= (v >> (8 * i)) & 0xffu;
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fnv_cell(uint64_t h, uint32_t ch, uint32_t row, uint32_t col, float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    h = fnv_bytes(h, ch, 2);
    h = fnv_bytes(h, row, 2);
    h = fnv_bytes(h, col, 2);
    return fnv_bytes(h, bits, 4);
}

uint64_t observe_checksum_dense(const struct observe_dense *o)
{
    uint64_t h = FNV_OFFSET;
    size_t i = 0;
    for (uint32_t ch = 0; ch < o->channels; ch++)
        for (uint32_t row = 0; row < o->side; row++)
            for (uint32_t col = 0; col < o->side; col++, i++)
                if (o->v[i] != 0)
                    h = fnv_cell(h, ch, row, col, o->v[i]);
    return h;
}

uint64_t observe_checksum_sparse(const struct observe_sparse *o)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < o->n; i++)
        if (o->e[i].value != 0)
            h = fnv_cell(h, o->e[i].channel, o->e[i].row, o->e[i].col, o->e[i].value);
    return h;
}

float observe_dense_at(const struct observe_dense *o, uint32_t ch, uint32_t row, uint32_t col)
{
    if (ch >= o->channels || row >= o->side || col >= o->side)
        return 0;
    return o->v[((size_t)ch * o->side + row) * o->side + col];
}

static uint64_t entry_key(uint32_t ch, uint32_t row, uint32_t col)
{
    return ((uint64_t)ch << 32) | (row << 16) | col;
}

float observe_sparse_at(const struct observe_sparse *o, uint32_t ch, uint32_t row,
                        uint32_t col)
{
    if (ch > UINT16_MAX || row > UINT16_MAX || col > UINT16_MAX)
        return 0;
    uint64_t key = entry_key(ch, row, col);
    size_t lo = 0, hi = o->n; /* the entries are in (channel, row, col) order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct observe_entry *e = &o->e[mid];
        uint64_t k = entry_key(e->channel, e->row, e->col);
        if (k == key)
            return e->value;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void observe_dense_free(struct observe_dense *o)
{
    free(o->v);
    *o = (struct observe_dense){0};
}

void observe_sparse_free(struct observe_sparse *o)
{
    free(o->e);
    *o = (struct observe_sparse){0};
}
