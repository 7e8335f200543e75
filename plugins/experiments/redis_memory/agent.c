/*
 * agent.c — an agent's step, per data structure, and the check of every
 * reply it gets.
 *
 * Event `seq` of an agent (0, 1, 2...) happens at logical time `seq`: it is
 * the field of a hash, the score of a sorted-set member, the id `seq+1`-0
 * of a stream entry (0-0 is not a valid id), and in a list (newest first)
 * it sits at index written-1-seq, so even a list can answer a time range.
 */
#include "agent.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const agent_kind_names[AGENT_KINDS] = {"write", "read_recent", "range_query",
                                                   "delete"};

/* What a reply must be (struct expect's `what`). */
enum {
    EXP_OK,        /* status OK */
    EXP_INT,       /* integer a */
    EXP_ID,        /* stream id "a-0" */
    EXP_VALUES,    /* b values: events a, a+c, a+2c... (c is 1 or -1) */
    EXP_ENTRIES,   /* the same as stream entries [id, [field, value]] */
    EXP_HASH_ALL   /* field/value pairs of exactly events a..b */
};

#define STATE_OWNER (UINT32_C(1) << 31) /* the owner of an agent's state value */

int agent_mem_init(struct agent_mem *m, const struct agent_cfg *cfg, const struct values *v)
{
    *m = (struct agent_mem){.cfg = *cfg, .values = v};
    m->arg_cap = (cfg->events > cfg->k ? cfg->events : cfg->k) + 4;
    size_t key_len = strlen(cfg->prefix) + 32;
    m->written = calloc(cfg->agents, sizeof *m->written);
    m->kept_from = calloc(cfg->agents, sizeof *m->kept_from);
    m->value = malloc(v->size);
    m->scratch = malloc(v->size);
    m->state_key = malloc(key_len);
    m->events_key = malloc(key_len);
    m->argv = calloc(m->arg_cap, sizeof *m->argv);
    m->lens = calloc(m->arg_cap, sizeof *m->lens);
    m->nums = calloc(m->arg_cap, sizeof *m->nums);
    return m->written && m->kept_from && m->value && m->scratch && m->state_key &&
                   m->events_key && m->argv && m->lens && m->nums
               ? 0
               : -1;
}

void agent_mem_free(struct agent_mem *m)
{
    free(m->written);
    free(m->kept_from);
    free(m->value);
    free(m->scratch);
    free(m->state_key);
    free(m->events_key);
    free(m->argv);
    free(m->lens);
    free(m->nums);
    *m = (struct agent_mem){0};
}

static void agent_keys(struct agent_mem *m, uint32_t agent)
{
    size_t n = strlen(m->cfg.prefix) + 32;
    snprintf(m->state_key, n, "%sagent:%" PRIu32 ":state", m->cfg.prefix, agent);
    snprintf(m->events_key, n, "%sagent:%" PRIu32 ":events", m->cfg.prefix, agent);
}

/* --- building commands --------------------------------------------------------------- */

static void arg_str(struct agent_mem *m, int i, const char *s)
{
    m->argv[i] = s;
    m->lens[i] = strlen(s);
}

static void arg_int(struct agent_mem *m, int i, int64_t n)
{
    snprintf(m->nums[i], sizeof m->nums[i], "%" PRId64, n);
    arg_str(m, i, m->nums[i]);
}

static void arg_value(struct agent_mem *m, int i, uint32_t owner, uint64_t seq)
{
    value_make(m->values, owner, seq, m->value);
    m->argv[i] = m->value;
    m->lens[i] = m->values->size;
}

static int queue(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, int argc, int kind,
                struct expect e)
{
    e.cmd = m->argv[0];
    return batch_send(ctx, b, argc, m->argv, m->lens, kind, &e);
}

/* --- a step ------------------------------------------------------------------------------- */

static int append_event(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, uint32_t agent,
                        uint64_t seq, int64_t list_len)
{
    char id[32];
    arg_str(m, 1, m->events_key);
    switch (m->cfg.structure) {
    case STRUCT_LIST:
        arg_str(m, 0, "LPUSH");
        arg_value(m, 2, agent, seq);
        return queue(ctx, m, b, 3, KIND_WRITE,
                     (struct expect){.what = EXP_INT, .a = list_len, .d = agent});
    case STRUCT_ZSET:
        arg_str(m, 0, "ZADD");
        arg_int(m, 2, (int64_t)seq);
        arg_value(m, 3, agent, seq);
        return queue(ctx, m, b, 4, KIND_WRITE,
                     (struct expect){.what = EXP_INT, .a = 1, .d = agent});
    case STRUCT_STREAM:
        snprintf(id, sizeof id, "%" PRIu64 "-0", seq + 1);
        arg_str(m, 0, "XADD");
        arg_str(m, 2, id);
        arg_str(m, 3, "e");
        arg_value(m, 4, agent, seq);
        return queue(ctx, m, b, 5, KIND_WRITE,
                    (struct expect){.what = EXP_ID, .a = (int64_t)seq + 1, .d = agent});
    default: /* STRUCT_HASH */
        arg_str(m, 0, "HSET");
        arg_int(m, 2, (int64_t)seq);
        arg_value(m, 3, agent, seq);
        return queue(ctx, m, b, 4, KIND_WRITE,
                     (struct expect){.what = EXP_INT, .a = 1, .d = agent});
    }
}

/* The `corrupt_at` step: another value in place of the newest event (a test of the checks). */
static int corrupt_newest(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, uint32_t agent,
                          uint64_t newest)
{
    char id[32];
    uint32_t other = agent ^ (STATE_OWNER >> 1); /* an owner no agent has */
    arg_str(m, 1, m->events_key);
    switch (m->cfg.structure) {
    case STRUCT_LIST:
        arg_str(m, 0, "LSET");
        arg_int(m, 2, 0);
        arg_value(m, 3, other, newest);
        return queue(ctx, m, b, 4, -1, (struct expect){.what = EXP_OK, .d = agent});
    case STRUCT_ZSET:
        arg_str(m, 0, "ZREM");
        arg_value(m, 2, agent, newest);
        if (queue(ctx, m, b, 3, -1, (struct expect){.what = EXP_INT, .a = 1, .d = agent}) !=
            BHOST_OK)
            return BHOST_FAIL;
        arg_str(m, 0, "ZADD");
        arg_int(m, 2, (int64_t)newest);
        arg_value(m, 3, other, newest);
        return queue(ctx, m, b, 4, -1, (struct expect){.what = EXP_INT, .a = 1, .d = agent});
    case STRUCT_STREAM: /* an entry cannot be rewritten in place: it goes */
        snprintf(id, sizeof id, "%" PRIu64 "-0", newest + 1);
        arg_str(m, 0, "XDEL");
        arg_str(m, 2, id);
        return queue(ctx, m, b, 3, -1, (struct expect){.what = EXP_INT, .a = 1, .d = agent});
    default:
        arg_str(m, 0, "HSET");
        arg_int(m, 2, (int64_t)newest);
        arg_value(m, 3, other, newest);
        return queue(ctx, m, b, 4, -1, (struct expect){.what = EXP_INT, .a = 0, .d = agent});
    }
}

/* The agent's k newest events: newest first. */
static int read_recent(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, uint32_t agent,
                       uint64_t total, uint64_t kept_from)
{
    uint64_t k = m->cfg.k, count = total - kept_from < k ? total - kept_from : k;
    struct expect e = {.what = EXP_VALUES, .a = (int64_t)total - 1, .b = (int64_t)count,
                       .c = -1, .d = agent};
    arg_str(m, 1, m->events_key);
    switch (m->cfg.structure) {
    case STRUCT_LIST:
    case STRUCT_ZSET:
        arg_str(m, 0, m->cfg.structure == STRUCT_LIST ? "LRANGE" : "ZREVRANGE");
        arg_int(m, 2, 0);
        arg_int(m, 3, (int64_t)k - 1);
        return queue(ctx, m, b, 4, KIND_READ_RECENT, e);
    case STRUCT_STREAM:
        arg_str(m, 0, "XREVRANGE");
        arg_str(m, 2, "+");
        arg_str(m, 3, "-");
        arg_str(m, 4, "COUNT");
        arg_int(m, 5, (int64_t)k);
        e.what = EXP_ENTRIES;
        return queue(ctx, m, b, 6, KIND_READ_RECENT, e);
    default: /* a hash has no order: the agent asks for the fields it knows are newest */
        arg_str(m, 0, "HMGET");
        for (uint64_t i = 0; i < count; i++)
            arg_int(m, 2 + (int)i, (int64_t)(total - 1 - i));
        if (count == 0) /* cannot happen (a step appends at least one event); kept valid */
            arg_int(m, 2, -1);
        return queue(ctx, m, b, 2 + (int)(count ? count : 1), KIND_READ_RECENT, e);
    }
}

/* The k events before the k newest, by time: events total-2k .. total-k-1 still kept. */
static int range_query(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, uint32_t agent,
                       uint64_t total, uint64_t kept_from)
{
    int64_t k = m->cfg.k, n = (int64_t)total, lo = n - 2 * k, hi = n - k - 1;
    int64_t from = lo > (int64_t)kept_from ? lo : (int64_t)kept_from;
    int64_t count = hi >= from ? hi - from + 1 : 0;
    struct expect e = {.what = EXP_VALUES, .a = from, .b = count, .c = 1, .d = agent};
    arg_str(m, 1, m->events_key);
    switch (m->cfg.structure) {
    case STRUCT_LIST: /* newest first: indexes k .. 2k-1 */
        arg_str(m, 0, "LRANGE");
        arg_int(m, 2, k);
        arg_int(m, 3, 2 * k - 1);
        e.a = hi;
        e.c = -1;
        return queue(ctx, m, b, 4, KIND_RANGE_QUERY, e);
    case STRUCT_ZSET:
        arg_str(m, 0, "ZRANGEBYSCORE");
        arg_int(m, 2, lo);
        arg_int(m, 3, hi);
        return queue(ctx, m, b, 4, KIND_RANGE_QUERY, e);
    case STRUCT_STREAM:
        arg_str(m, 0, "XRANGE");
        arg_int(m, 2, (lo > 0 ? lo : 0) + 1);
        arg_int(m, 3, hi + 1 > 0 ? hi + 1 : 0);
        e.what = EXP_ENTRIES;
        return queue(ctx, m, b, 4, KIND_RANGE_QUERY, e);
    default: /* a hash has no order: all of it comes back and the agent picks the window */
        arg_str(m, 0, "HGETALL");
        return queue(ctx, m, b, 2, KIND_RANGE_QUERY,
                    (struct expect){.what = EXP_HASH_ALL, .a = (int64_t)kept_from,
                                    .b = n - 1, .d = agent});
    }
}

/* Forgets events beyond the `retain` newest: those before `keep_from`. */
static int delete_old(bhost_ctx *ctx, struct agent_mem *m, struct batch *b, uint32_t agent,
                      uint64_t kept_from, uint64_t keep_from)
{
    int64_t gone = (int64_t)(keep_from - kept_from);
    struct expect e = {.what = EXP_INT, .a = gone, .d = agent};
    arg_str(m, 1, m->events_key);
    switch (m->cfg.structure) {
    case STRUCT_LIST:
        arg_str(m, 0, "LTRIM");
        arg_int(m, 2, 0);
        arg_int(m, 3, (int64_t)m->cfg.retain - 1);
        e.what = EXP_OK;
        return queue(ctx, m, b, 4, KIND_DELETE, e);
    case STRUCT_ZSET:
        arg_str(m, 0, "ZREMRANGEBYSCORE");
        arg_str(m, 2, "-inf");
        arg_int(m, 3, (int64_t)keep_from - 1);
        return queue(ctx, m, b, 4, KIND_DELETE, e);
    case STRUCT_STREAM:
        arg_str(m, 0, "XTRIM");
        arg_str(m, 2, "MINID");
        arg_int(m, 3, (int64_t)keep_from + 1);
        return queue(ctx, m, b, 4, KIND_DELETE, e);
    default: /* the fields that fall out, or one long gone when none does */
        arg_str(m, 0, "HDEL");
        for (int64_t i = 0; i < gone; i++)
            arg_int(m, 2 + (int)i, (int64_t)kept_from + i);
        if (gone == 0)
            arg_int(m, 2, (int64_t)kept_from - 1);
        return queue(ctx, m, b, 2 + (int)(gone ? gone : 1), KIND_DELETE, e);
    }
}

int agent_mem_step(bhost_ctx *ctx, struct agent_mem *m, struct batch *b)
{
    uint32_t agent = m->next;
    m->next = (agent + 1) % m->cfg.agents;
    uint64_t before = m->written[agent], kept_from = m->kept_from[agent];
    uint64_t total = before + m->cfg.events;
    uint64_t keep_from = total > m->cfg.retain ? total - m->cfg.retain : 0;
    if (keep_from < kept_from)
        keep_from = kept_from;
    int corrupt = (int64_t)m->steps == m->cfg.corrupt_at;
    m->steps++;
    m->written[agent] = total;
    m->kept_from[agent] = keep_from;

    agent_keys(m, agent);
    batch_begin(b);
    arg_str(m, 0, "SET");
    arg_str(m, 1, m->state_key);
    arg_value(m, 2, agent | STATE_OWNER, total);
    int rc = queue(ctx, m, b, 3, KIND_WRITE, (struct expect){.what = EXP_OK, .d = agent});
    for (uint64_t seq = before; rc == BHOST_OK && seq < total; seq++)
        rc = append_event(ctx, m, b, agent, seq, (int64_t)(seq + 1 - kept_from));
    if (rc == BHOST_OK && corrupt)
        rc = corrupt_newest(ctx, m, b, agent, total - 1);
    if (rc == BHOST_OK)
        rc = read_recent(ctx, m, b, agent, total, kept_from);
    if (rc == BHOST_OK)
        rc = range_query(ctx, m, b, agent, total, kept_from);
    if (rc == BHOST_OK)
        rc = delete_old(ctx, m, b, agent, kept_from, keep_from);
    int end = batch_end(ctx, b);
    return rc == BHOST_OK ? end : rc;
}

/* --- checking replies --------------------------------------------------------------------- */

static const char *type_name(int type)
{
    switch (type) {
    case REDIS_REPLY_STRING: return "a string";
    case REDIS_REPLY_ARRAY: return "an array";
    case REDIS_REPLY_INTEGER: return "an integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "a status";
    case REDIS_REPLY_ERROR: return "an error";
    default: return "an unknown reply";
    }
}

static int unexpected(bhost_ctx *ctx, const struct expect *e, const redisReply *r,
                      const char *wanted)
{
    if (r->type == REDIS_REPLY_ERROR)
        return bhost_fail(ctx, "agent %" PRId64 ", %s: Redis replied %.200s", e->d, e->cmd,
                          r->str);
    return bhost_fail(ctx, "agent %" PRId64 ", %s: expected %s, got %s", e->d, e->cmd, wanted,
                      type_name(r->type));
}

static int event_is(struct agent_mem *m, const struct expect *e, const redisReply *r, int64_t seq)
{
    return r->type == REDIS_REPLY_STRING &&
           value_is(m->values, (uint32_t)e->d, (uint64_t)seq, r->str, r->len, m->scratch);
}

static int differs(bhost_ctx *ctx, const struct expect *e, int64_t seq)
{
    return bhost_fail(ctx, "agent %" PRId64 ", %s: event %" PRId64
                      " differs from what was written", e->d, e->cmd, seq);
}

static int check_entry(bhost_ctx *ctx, struct agent_mem *m, const struct expect *e,
                       const redisReply *r, int64_t seq)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64 "-0", seq + 1);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, id) != 0)
        return bhost_fail(ctx, "agent %" PRId64 ", %s: expected the entry %s (event %" PRId64
                          ")", e->d, e->cmd, id, seq);
    const redisReply *f = r->element[1];
    if (f->type != REDIS_REPLY_ARRAY || f->elements != 2 || !event_is(m, e, f->element[1], seq))
        return differs(ctx, e, seq);
    return BHOST_OK;
}

static int check_sequence(bhost_ctx *ctx, struct agent_mem *m, const struct expect *e,
                          const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY)
        return unexpected(ctx, e, r, "an array");
    if ((int64_t)r->elements != e->b)
        return bhost_fail(ctx, "agent %" PRId64 ", %s: %zu events came back, expected %" PRId64,
                          e->d, e->cmd, r->elements, e->b);
    for (size_t i = 0; i < r->elements; i++) {
        int64_t seq = e->a + e->c * (int64_t)i;
        if (e->what == EXP_ENTRIES) {
            if (check_entry(ctx, m, e, r->element[i], seq) != BHOST_OK)
                return BHOST_FAIL;
        } else if (!event_is(m, e, r->element[i], seq)) {
            return differs(ctx, e, seq);
        }
    }
    return BHOST_OK;
}

static int check_hash_all(bhost_ctx *ctx, struct agent_mem *m, const struct expect *e,
                          const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY)
        return unexpected(ctx, e, r, "an array");
    int64_t want = e->b - e->a + 1;
    if ((int64_t)r->elements != 2 * want)
        return bhost_fail(ctx, "agent %" PRId64 ", %s: %zu events came back, expected %" PRId64,
                          e->d, e->cmd, r->elements / 2, want);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *f = r->element[i];
        char *end = NULL;
        long long seq = f->type == REDIS_REPLY_STRING ? strtoll(f->str, &end, 10) : -1;
        if (!end || *end || seq < e->a || seq > e->b)
            return bhost_fail(ctx, "agent %" PRId64 ", %s: a field that is no kept event",
                              e->d, e->cmd);
        if (!event_is(m, e, r->element[i + 1], seq))
            return differs(ctx, e, seq);
    }
    return BHOST_OK;
}

int agent_mem_check(bhost_ctx *ctx, void *owner, const redisReply *r, const struct expect *e)
{
    struct agent_mem *m = owner;
    char id[32];
    switch (e->what) {
    case EXP_OK:
        if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "OK") != 0)
            return unexpected(ctx, e, r, "OK");
        return BHOST_OK;
    case EXP_INT:
        if (r->type != REDIS_REPLY_INTEGER)
            return unexpected(ctx, e, r, "an integer");
        if (r->integer != e->a)
            return bhost_fail(ctx, "agent %" PRId64 ", %s: replied %lld, expected %" PRId64,
                              e->d, e->cmd, r->integer, e->a);
        return BHOST_OK;
    case EXP_ID:
        snprintf(id, sizeof id, "%" PRId64 "-0", e->a);
        if (r->type != REDIS_REPLY_STRING || strcmp(r->str, id) != 0)
            return unexpected(ctx, e, r, id);
        return BHOST_OK;
    case EXP_HASH_ALL:
        return check_hash_all(ctx, m, e, r);
    default:
        return check_sequence(ctx, m, e, r);
    }
}

/* --- cleaning up and measuring --------------------------------------------------------- */

/* Sends `argv` for every agent's two keys, pipelined, and adds up the integer replies. */
static int each_agent_key(bhost_ctx *ctx, struct agent_mem *m, redisContext *conn, int argc,
                          const char **argv, int key_at, long long *sum)
{
    const uint32_t chunk = 128;
    *sum = 0;
    for (uint32_t first = 0; first < m->cfg.agents; first += chunk) {
        uint32_t last = first + chunk < m->cfg.agents ? first + chunk : m->cfg.agents;
        for (uint32_t a = first; a < last; a++) {
            agent_keys(m, a);
            for (int which = 0; which < 2; which++) {
                argv[key_at] = which ? m->events_key : m->state_key;
                redisAppendCommandArgv(conn, argc, argv, NULL);
            }
        }
        for (uint32_t i = 0; i < 2 * (last - first); i++) {
            void *reply = NULL;
            if (redisGetReply(conn, &reply) != REDIS_OK || !reply)
                return bhost_fail(ctx, "redis connection: %s %s: %s", argv[0], argv[1],
                                  conn->errstr[0] ? conn->errstr : "connection lost");
            const redisReply *r = reply;
            if (r->type == REDIS_REPLY_INTEGER)
                *sum += r->integer;
            freeReplyObject(reply);
        }
    }
    return BHOST_OK;
}

int agent_mem_clear(bhost_ctx *ctx, struct agent_mem *m, redisContext *conn)
{
    const char *argv[] = {"DEL", NULL};
    long long deleted;
    return each_agent_key(ctx, m, conn, 2, argv, 1, &deleted);
}

double agent_mem_bytes_per_agent(bhost_ctx *ctx, struct agent_mem *m, redisContext *conn)
{
    /* SAMPLES 0: every element of a collection counted, not an estimate from five */
    const char *argv[] = {"MEMORY", "USAGE", NULL, "SAMPLES", "0"};
    long long bytes;
    if (each_agent_key(ctx, m, conn, 5, argv, 2, &bytes) != BHOST_OK)
        return -1;
    return (double)bytes / m->cfg.agents;
}
