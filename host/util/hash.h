/*
 * hash.h — the hashes behind stable ids and seeds (docs/specs.md gives the
 * exact bytes hashed).
 */
#ifndef BHOST_HASH_H
#define BHOST_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a: the documented hash behind point ids. */
uint64_t fnv1a64(const void *data, size_t len, uint64_t h);
#define FNV1A64_INIT UINT64_C(0xcbf29ce484222325)
/* SplitMix64 finaliser: spreads seed bits. */
uint64_t mix64(uint64_t x);

#endif
