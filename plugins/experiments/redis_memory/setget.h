/*
 * setget.h — redis-benchmark's `-t set,get -P DEPTH -c 1` as an experiment:
 * one call is one pipeline of `depth` SETs, the next the GETs of the same
 * keys, and so on; every GET must return the value last SET.
 */
#ifndef REDIS_MEMORY_SETGET_H
#define REDIS_MEMORY_SETGET_H

#include "batch.h"
#include "values.h"

enum setget_kind { KIND_SET, KIND_GET, SETGET_KINDS };
extern const char *const setget_kind_names[SETGET_KINDS];

/* A command in Redis's protocol, built once; each use writes its key's digits (and the
 * SET's value) in place, the way redis-benchmark reuses its command buffer. */
struct resp_template {
    char *text;
    size_t len, key_digits, value_at;  /* offsets of the key's digits and of the value */
};

struct setget {
    const struct values *values;
    const char *prefix;
    uint32_t keys, depth;
    uint64_t *version;   /* per key: the version last SET, 0: never */
    uint64_t calls;
    char *scratch;
    struct resp_template set, get;
};

int setget_init(struct setget *s, const struct values *v, const char *prefix, uint32_t keys,
                uint32_t depth);
void setget_free(struct setget *s);
int setget_call(bhost_ctx *ctx, struct setget *s, struct batch *b);
int setget_check(bhost_ctx *ctx, void *owner, const redisReply *reply, const struct expect *e);
int setget_clear(bhost_ctx *ctx, struct setget *s, redisContext *conn);

#endif
