/*
 * setget.c — pipelines of SETs, then of GETs of the same keys, each GET
 * checked. Keys advance by `depth` each SET call, wrapping over `keys`.
 */
#include "setget.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const setget_kind_names[SETGET_KINDS] = {"set", "get"};

int setget_init(struct setget *s, const struct values *v, const char *prefix, uint32_t keys,
                uint32_t depth)
{
    *s = (struct setget){.values = v, .prefix = prefix, .keys = keys, .depth = depth};
    s->version = calloc(keys, sizeof *s->version);
    s->value = malloc(v->size);
    s->scratch = malloc(v->size);
    s->key = malloc(strlen(prefix) + 32);
    return s->version && s->value && s->scratch && s->key ? 0 : -1;
}

void setget_free(struct setget *s)
{
    free(s->version);
    free(s->value);
    free(s->scratch);
    free(s->key);
    *s = (struct setget){0};
}

static void key_name(struct setget *s, uint32_t key)
{
    snprintf(s->key, strlen(s->prefix) + 32, "%skey:%012" PRIu32, s->prefix, key);
}

int setget_call(bhost_ctx *ctx, struct setget *s, struct batch *b)
{
    uint64_t call = s->calls++, round = call / 2 + 1;
    int is_set = call % 2 == 0;
    batch_begin(b);
    int rc = BHOST_OK;
    for (uint32_t i = 0; i < s->depth && rc == BHOST_OK; i++) {
        uint32_t key = (uint32_t)(((round - 1) * s->depth + i) % s->keys);
        key_name(s, key);
        const char *argv[3] = {is_set ? "SET" : "GET", s->key, s->value};
        size_t lens[3] = {3, strlen(s->key), s->values->size};
        struct expect e = {.cmd = argv[0], .a = key};
        if (is_set) {
            s->version[key] = round;
            value_make(s->values, key, round, s->value);
        }
        e.b = (int64_t)s->version[key];
        rc = batch_send(ctx, b, is_set ? 3 : 2, argv, lens, is_set ? KIND_SET : KIND_GET, &e);
    }
    int end = batch_end(ctx, b);
    bhost_items_processed(ctx, s->depth);
    return rc == BHOST_OK ? end : rc;
}

int setget_check(bhost_ctx *ctx, void *owner, const redisReply *r, const struct expect *e)
{
    struct setget *s = owner;
    if (r->type == REDIS_REPLY_ERROR)
        return bhost_fail(ctx, "key %" PRId64 ", %s: Redis replied %.200s", e->a, e->cmd, r->str);
    if (strcmp(e->cmd, "SET") == 0) {
        if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "OK") != 0)
            return bhost_fail(ctx, "key %" PRId64 ", SET: the reply is not OK", e->a);
        return BHOST_OK;
    }
    if (e->b == 0 ? r->type != REDIS_REPLY_NIL
                  : r->type != REDIS_REPLY_STRING ||
                        !value_is(s->values, (uint32_t)e->a, (uint64_t)e->b, r->str, r->len,
                                  s->scratch))
        return bhost_fail(ctx, "key %" PRId64 ", GET: the value differs from the one SET",
                          e->a);
    return BHOST_OK;
}

int setget_clear(bhost_ctx *ctx, struct setget *s, redisContext *conn)
{
    for (uint32_t key = 0; key < s->keys; key++) {
        key_name(s, key);
        redisReply *r = redisCommand(conn, "DEL %s", s->key);
        if (!r)
            return bhost_fail(ctx, "redis connection: DEL %s: %s", s->key,
                              conn->errstr[0] ? conn->errstr : "connection lost");
        freeReplyObject(r);
    }
    return BHOST_OK;
}
