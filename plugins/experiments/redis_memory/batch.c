/*
 * batch.c — pipelines of commands, their timing and their checks.
 *
 * Every reply is read even after one failed its check, so that the
 * connection never falls out of step with the replies it is owed.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

int batch_init(struct batch *b, redisContext *conn, uint32_t depth, bhost_hist **hists,
               reply_check check, void *owner)
{
    *b = (struct batch){.conn = conn, .depth = depth, .hists = hists, .check = check,
                        .owner = owner};
    b->pending = calloc(depth, sizeof *b->pending);
    return b->pending ? 0 : -1;
}

void batch_free(struct batch *b)
{
    free(b->pending);
    b->pending = NULL;
}

void batch_begin(struct batch *b)
{
    b->failed = 0;
}

/* The connection failed: what hiredis says, once. */
static int conn_fail(bhost_ctx *ctx, struct batch *b, const char *doing)
{
    b->failed = 1;
    b->count = 0; /* the replies still owed will never come */
    return bhost_fail(ctx, "redis connection: %s: %s", doing,
                      b->conn->errstr[0] ? b->conn->errstr : "connection lost");
}

/* Writes the queued commands and reads their replies. */
static int flush(bhost_ctx *ctx, struct batch *b)
{
    if (b->count == 0)
        return BHOST_OK;
    uint64_t sent = bhost_now_ns(ctx);
    int done = 0;
    while (!done)
        if (redisBufferWrite(b->conn, &done) != REDIS_OK)
            return conn_fail(ctx, b, "sending a pipeline");
    /* Every reply read and timed first: checking one must not count in the next's time. */
    for (uint32_t i = 0; i < b->count; i++) {
        struct pending *p = &b->pending[i];
        if (redisGetReply(b->conn, &p->reply) != REDIS_OK || !p->reply) {
            for (uint32_t j = 0; j < i; j++)
                freeReplyObject(b->pending[j].reply);
            return conn_fail(ctx, b, "reading a reply");
        }
        p->got_ns = bhost_now_ns(ctx);
    }
    for (uint32_t i = 0; i < b->count; i++) {
        const struct pending *p = &b->pending[i];
        if (p->kind >= 0)
            bhost_record(ctx, b->hists[p->kind], (int64_t)(p->got_ns - sent));
        /* Only the first failure of a group is the iteration's reason. */
        if (!b->failed && b->check(ctx, b->owner, p->reply, &p->expect) != BHOST_OK)
            b->failed = 1;
        freeReplyObject(p->reply);
        b->commands++;
    }
    b->count = 0;
    return BHOST_OK;
}

int batch_send(bhost_ctx *ctx, struct batch *b, int argc, const char **argv,
               const size_t *lens, int kind, const struct expect *e)
{
    if (redisAppendCommandArgv(b->conn, argc, argv, lens) != REDIS_OK)
        return conn_fail(ctx, b, "queueing a command");
    b->pending[b->count++] = (struct pending){.kind = kind, .expect = *e};
    return b->count == b->depth ? flush(ctx, b) : BHOST_OK;
}

int batch_send_formatted(bhost_ctx *ctx, struct batch *b, const char *cmd, size_t len, int kind,
                         const struct expect *e)
{
    if (redisAppendFormattedCommand(b->conn, cmd, len) != REDIS_OK)
        return conn_fail(ctx, b, "queueing a command");
    b->pending[b->count++] = (struct pending){.kind = kind, .expect = *e};
    return b->count == b->depth ? flush(ctx, b) : BHOST_OK;
}

int batch_end(bhost_ctx *ctx, struct batch *b)
{
    if (flush(ctx, b) != BHOST_OK)
        return BHOST_FAIL;
    return b->failed ? BHOST_FAIL : BHOST_OK;
}
