/*
 * agent.h — the agent-memory workload: one call is one step of one agent
 * (agents take turns). A step stores the agent's state, appends its new
 * events, reads back its `k` most recent events, queries the `k` events
 * before those by time, and deletes the events beyond the `retain` newest.
 * How the events are kept is the `structure`: a hash, a list, a sorted set
 * or a stream. Every reply is checked against what was written.
 */
#ifndef REDIS_MEMORY_AGENT_H
#define REDIS_MEMORY_AGENT_H

#include "batch.h"
#include "values.h"

#include <bhost/bhost.h>
#include <hiredis/hiredis.h>

enum structure { STRUCT_HASH = 0, STRUCT_LIST = 1, STRUCT_ZSET = 2, STRUCT_STREAM = 3 };

/* The histograms of a step's commands, in this order. */
enum agent_kind { KIND_WRITE, KIND_READ_RECENT, KIND_RANGE_QUERY, KIND_DELETE, AGENT_KINDS };
extern const char *const agent_kind_names[AGENT_KINDS];

struct agent_cfg {
    int structure;
    uint32_t agents, events, k, retain;
    int64_t corrupt_at;   /* the step (from 0, warm-up included) that corrupts a value; -1: none */
    const char *prefix;   /* of every key */
};

struct agent_mem {
    struct agent_cfg cfg;
    const struct values *values;
    uint64_t *written;    /* per agent: events appended so far */
    uint64_t *kept_from;  /* per agent: its oldest event not yet deleted */
    uint64_t steps;
    uint32_t next;        /* the agent of the next step */
    char *value, *scratch;
    char *state_key, *events_key;
    const char **argv;
    size_t *lens;
    char (*nums)[24];
    uint32_t arg_cap;
};

int agent_mem_init(struct agent_mem *m, const struct agent_cfg *cfg, const struct values *v);
void agent_mem_free(struct agent_mem *m);

/* One step of the next agent, through the batch (whose check must be agent_mem_check). */
int agent_mem_step(bhost_ctx *ctx, struct agent_mem *m, struct batch *b);

/* The batch's reply check for this workload; `owner` is the agent_mem. */
int agent_mem_check(bhost_ctx *ctx, void *owner, const redisReply *reply,
                    const struct expect *e);

/* Deletes every key the workload may have made (for a server that is not its own). */
int agent_mem_clear(bhost_ctx *ctx, struct agent_mem *m, redisContext *conn);

/* MEMORY USAGE of each agent's keys, summed, divided by the agents; -1 on error. */
double agent_mem_bytes_per_agent(bhost_ctx *ctx, struct agent_mem *m, redisContext *conn);

#endif
