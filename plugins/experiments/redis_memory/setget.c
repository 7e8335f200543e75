/*
 * setget.c — pipelines of SETs, then of GETs of the same keys, each GET
 * checked. Keys ("<prefix>key:" and 12 digits) advance by `depth` each SET
 * call, wrapping over `keys`. The commands are written in Redis's protocol
 * once and patched in place, so the client's cost per command stays close
 * to redis-benchmark's, which the benchmark compares it with.
 */
#include "setget.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_DIGITS 12

const char *const setget_kind_names[SETGET_KINDS] = {"set", "get"};

/* "*N\r\n$3\r\nCMD\r\n$len\r\n<key>\r\n" [+ "$len\r\n<value>\r\n"], digits and value left blank. */
static int template_make(struct resp_template *t, const char *cmd, const char *prefix,
                         size_t value_size)
{
    size_t key_len = strlen(prefix) + 4 + KEY_DIGITS;
    size_t cap = key_len + value_size + 96;
    t->text = malloc(cap);
    if (!t->text)
        return -1;
    int n = snprintf(t->text, cap, "*%d\r\n$3\r\n%s\r\n$%zu\r\n%skey:", value_size ? 3 : 2, cmd,
                     key_len, prefix);
    t->key_digits = (size_t)n;
    memset(t->text + n, '0', KEY_DIGITS);
    n += KEY_DIGITS;
    n += snprintf(t->text + n, cap - (size_t)n, "\r\n");
    if (value_size) {
        n += snprintf(t->text + n, cap - (size_t)n, "$%zu\r\n", value_size);
        t->value_at = (size_t)n;
        memset(t->text + n, 'x', value_size);
        n += (int)value_size;
        n += snprintf(t->text + n, cap - (size_t)n, "\r\n");
    }
    t->len = (size_t)n;
    return 0;
}

static void put_key(struct resp_template *t, uint32_t key)
{
    char *digits = t->text + t->key_digits;
    for (int i = KEY_DIGITS - 1; i >= 0; i--, key /= 10)
        digits[i] = (char)('0' + key % 10);
}

int setget_init(struct setget *s, const struct values *v, const char *prefix, uint32_t keys,
                uint32_t depth)
{
    *s = (struct setget){.values = v, .prefix = prefix, .keys = keys, .depth = depth};
    s->version = calloc(keys, sizeof *s->version);
    s->scratch = malloc(v->size);
    if (!s->version || !s->scratch || template_make(&s->set, "SET", prefix, v->size) != 0 ||
        template_make(&s->get, "GET", prefix, 0) != 0)
        return -1;
    return 0;
}

void setget_free(struct setget *s)
{
    free(s->version);
    free(s->scratch);
    free(s->set.text);
    free(s->get.text);
    *s = (struct setget){0};
}

int setget_call(bhost_ctx *ctx, struct setget *s, struct batch *b)
{
    uint64_t call = s->calls++, round = call / 2 + 1;
    int is_set = call % 2 == 0;
    struct resp_template *t = is_set ? &s->set : &s->get;
    batch_begin(b);
    int rc = BHOST_OK;
    for (uint32_t i = 0; i < s->depth && rc == BHOST_OK; i++) {
        uint32_t key = (uint32_t)(((round - 1) * s->depth + i) % s->keys);
        put_key(t, key);
        if (is_set) {
            s->version[key] = round;
            value_make(s->values, key, round, t->text + t->value_at);
        }
        struct expect e = {.cmd = is_set ? "SET" : "GET", .what = is_set, .a = key,
                           .b = (int64_t)s->version[key]};
        rc = batch_send_formatted(ctx, b, t->text, t->len, is_set ? KIND_SET : KIND_GET, &e);
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
    if (e->what) { /* SET */
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
    size_t size = strlen(s->prefix) + 4 + KEY_DIGITS + 1;
    char *key = malloc(size);
    if (!key)
        return bhost_fail(ctx, "out of memory");
    int rc = BHOST_OK;
    for (uint32_t k = 0; k < s->keys && rc == BHOST_OK; k++) {
        snprintf(key, size, "%skey:%0*" PRIu32, s->prefix, KEY_DIGITS, k);
        const char *argv[] = {"DEL", key};
        redisReply *r = redisCommandArgv(conn, 2, argv, NULL);
        if (!r)
            rc = bhost_fail(ctx, "redis connection: DEL %s: %s", key,
                            conn->errstr[0] ? conn->errstr : "connection lost");
        freeReplyObject(r);
    }
    free(key);
    return rc;
}
