/*
 * batch.h — commands sent to Redis in pipelines of a given depth: up to
 * `depth` commands are written before their replies are read. Each reply is
 * timed (from the moment its pipeline was written to the moment the reply
 * was read) into the histogram of its command kind, and handed to a check.
 */
#ifndef REDIS_MEMORY_BATCH_H
#define REDIS_MEMORY_BATCH_H

#include <bhost/bhost.h>
#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

/* What a reply must be; the check that reads it knows what the fields mean. */
struct expect {
    const char *cmd;   /* the command, for messages: "LRANGE" */
    int what;
    int64_t a, b, c, d;
};

/* Returns BHOST_OK, or bhost_fail()'s result saying how the reply differs. */
typedef int (*reply_check)(bhost_ctx *ctx, void *owner, const redisReply *reply,
                           const struct expect *e);

struct pending {
    int kind;          /* index in hists, or -1: not timed */
    struct expect expect;
    void *reply;       /* once read, and when (the checks wait until all are read) */
    uint64_t got_ns;
};

struct batch {
    redisContext *conn;
    uint32_t depth;
    bhost_hist **hists;   /* one per command kind */
    reply_check check;
    void *owner;          /* passed to check */
    struct pending *pending;
    uint32_t count;       /* commands written but not yet answered */
    int failed;           /* a check failed since batch_begin() */
    uint64_t commands;    /* answered, in all */
};

int batch_init(struct batch *b, redisContext *conn, uint32_t depth, bhost_hist **hists,
               reply_check check, void *owner);
void batch_free(struct batch *b);

/* Starts a group of commands whose failures batch_end() reports together. */
void batch_begin(struct batch *b);

/* Queues one command; sends the pipeline and reads its replies once `depth` are queued. */
int batch_send(bhost_ctx *ctx, struct batch *b, int argc, const char **argv,
               const size_t *lens, int kind, const struct expect *e);

/* The same for a command already in Redis's protocol (RESP), as redisFormatCommand makes it. */
int batch_send_formatted(bhost_ctx *ctx, struct batch *b, const char *cmd, size_t len, int kind,
                         const struct expect *e);

/* Sends what is queued and reads every reply: BHOST_OK if every check since
 * batch_begin() passed and the connection works, else BHOST_FAIL (the first
 * failure's reason is the one recorded). */
int batch_end(bhost_ctx *ctx, struct batch *b);

#endif
