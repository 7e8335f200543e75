/*
 * redis_memory — agent memories kept in Redis, driven through hiredis.
 *
 * Per point the plugin starts its own redis-server (server.h) on a unix
 * socket in the point's scratch directory, or uses the user's
 * (`server: external`, keys under a prefix, deleted at teardown). Each
 * iteration is one step of one agent (agent.h), or with `workload: setget`
 * one pipeline of SETs or GETs the way redis-benchmark sends them
 * (setget.h). Commands go in pipelines of `pipeline` commands (batch.h),
 * each timed into its kind's histogram and checked. At teardown, INFO
 * memory and MEMORY USAGE become gauges. docs/experiments/redis_memory.md.
 */
#include "agent.h"
#include "batch.h"
#include "placement.h"
#include "server.h"
#include "setget.h"
#include "values.h"

#include <bhost/bhost.h>
#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)SETGET_KINDS <= (int)AGENT_KINDS,
               "struct bench's hists holds either workload's");

enum workload { WORKLOAD_AGENT = 0, WORKLOAD_SETGET = 1 };
enum server_kind { SERVER_LOCAL = 0, SERVER_EXTERNAL = 1 };

struct bench {
    int workload, server_kind;
    uint32_t agents;
    char *prefix;
    struct server server;
    struct placement placement;
    redisContext *conn;
    struct values values;
    struct agent_mem agent;
    struct setget setget;
    struct batch batch;
    bhost_hist *hists[AGENT_KINDS]; /* setget needs fewer: SETGET_KINDS */
    double used_memory_at_start;
    int cleared;          /* the workload's state is ready (its keys may need deleting) */
};

/* --- talking to the server -------------------------------------------------------------- */

/* `host:port`, or a unix socket path (anything starting with '/'). */
static redisContext *connect_to(bhost_ctx *ctx, const char *address)
{
    const struct timeval tv = {.tv_sec = 5};
    redisContext *c;
    if (address[0] == '/') {
        c = redisConnectUnixWithTimeout(address, tv);
    } else {
        const char *colon = strrchr(address, ':');
        char *end = NULL;
        long port = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == address || !end || *end || port < 1 || port > 65535) {
            bhost_fail(ctx, "address %s: expected HOST:PORT or a unix socket path", address);
            return NULL;
        }
        char host[256];
        snprintf(host, sizeof host, "%.*s", (int)(colon - address), address);
        c = redisConnectWithTimeout(host, (int)port, tv);
    }
    if (!c || c->err) {
        bhost_fail(ctx, "cannot connect to Redis at %s: %s", address,
                   c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    /* A server that stops answering fails the iteration rather than hanging it. */
    redisSetTimeout(c, (struct timeval){.tv_sec = 30});
    return c;
}

/* The number after `name:` in an INFO reply, or -1. */
static double info_field(redisContext *conn, const char *section, const char *name)
{
    redisReply *r = redisCommand(conn, "INFO %s", section);
    double value = -1;
    if (r && r->type == REDIS_REPLY_STRING) {
        size_t n = strlen(name);
        for (const char *line = r->str; line && *line; line = strchr(line, '\n')) {
            line += *line == '\n';
            if (strncmp(line, name, n) == 0 && line[n] == ':') {
                value = strtod(line + n + 1, NULL);
                break;
            }
        }
    }
    freeReplyObject(r);
    return value;
}

static void note_version(bhost_ctx *ctx, redisContext *conn)
{
    redisReply *r = redisCommand(conn, "INFO server");
    if (r && r->type == REDIS_REPLY_STRING) {
        const char *v = strstr(r->str, "redis_version:");
        if (v) {
            v += strlen("redis_version:");
            bhost_note(ctx, "redis_version", "%.*s", (int)strcspn(v, "\r\n"), v);
        }
    }
    freeReplyObject(r);
}

/* One setting as CONFIG GET gives it, or "?" (a managed server may refuse CONFIG). */
static void config_get(redisContext *conn, const char *name, char *out, size_t size)
{
    redisReply *r = redisCommand(conn, "CONFIG GET %s", name);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[1]->type == REDIS_REPLY_STRING)
        snprintf(out, size, "%s", r->element[1]->str);
    else
        snprintf(out, size, "?");
    freeReplyObject(r);
}

/* What the server persists, as it says itself: the note `persistence`. */
static void note_persistence(bhost_ctx *ctx, redisContext *conn)
{
    char save[128], aof[16], fsync[16];
    config_get(conn, "save", save, sizeof save);
    config_get(conn, "appendonly", aof, sizeof aof);
    config_get(conn, "appendfsync", fsync, sizeof fsync);
    bhost_note(ctx, "persistence", "save=\"%s\" appendonly=%s appendfsync=%s", save, aof, fsync);
}

/* Deletes the keys the workload may have left on a server that is not the point's. */
static int clear_keys(bhost_ctx *ctx, struct bench *s)
{
    return s->workload == WORKLOAD_AGENT ? agent_mem_clear(ctx, &s->agent, s->conn)
                                         : setget_clear(ctx, &s->setget, s->conn);
}

/* --- hooks ---------------------------------------------------------------------------------- */

static int redis_memory_iterate(bhost_ctx *ctx, void *state)
{
    struct bench *s = state;
    return s->workload == WORKLOAD_AGENT ? agent_mem_step(ctx, &s->agent, &s->batch)
                                         : setget_call(ctx, &s->setget, &s->batch);
}

static void report_memory(bhost_ctx *ctx, struct bench *s)
{
    double used = info_field(s->conn, "memory", "used_memory");
    double ratio = info_field(s->conn, "memory", "mem_fragmentation_ratio");
    if (used >= 0) {
        bhost_gauge_set(ctx, "used_memory", used);
        bhost_gauge_set(ctx, "used_memory_per_agent",
                        (used - s->used_memory_at_start) / s->agents);
    }
    if (ratio >= 0)
        bhost_gauge_set(ctx, "mem_fragmentation_ratio", ratio);
    /* RDB snapshots and AOF rewrites fork the server: did any happen during the point? */
    double forks = info_field(s->conn, "stats", "total_forks");
    if (forks >= 0)
        bhost_gauge_set(ctx, "total_forks", forks);
    if (s->workload == WORKLOAD_AGENT) {
        double per_agent = agent_mem_bytes_per_agent(ctx, &s->agent, s->conn);
        if (per_agent >= 0)
            bhost_gauge_set(ctx, "agent_bytes", per_agent);
    }
}

static void redis_memory_teardown(bhost_ctx *ctx, void *state)
{
    struct bench *s = state;
    if (s->conn && !s->conn->err && s->cleared) {
        report_memory(ctx, s);
        bhost_counter_add(ctx, "commands", (double)s->batch.commands);
        if (s->server_kind == SERVER_EXTERNAL && clear_keys(ctx, s) != BHOST_OK)
            bhost_log(ctx, BHOST_LOG_WARN, "could not delete the keys under %s", s->prefix);
    }
    redisFree(s->conn);
    if (s->server_kind == SERVER_LOCAL)
        server_stop(ctx, &s->server);
    placement_end(&s->placement);
    batch_free(&s->batch);
    agent_mem_free(&s->agent);
    setget_free(&s->setget);
    values_free(&s->values);
    free(s->prefix);
    free(s);
}

static int open_server(bhost_ctx *ctx, struct bench *s)
{
    if (s->server_kind == SERVER_EXTERNAL) {
        s->conn = connect_to(ctx, bhost_param_str(ctx, "address"));
        return s->conn ? BHOST_OK : BHOST_FAIL;
    }
    const char *dir = bhost_scratch_dir(ctx);
    if (!dir)
        return bhost_fail(ctx, "no scratch directory for the server");
    if (placement_begin(ctx, &s->placement, bhost_param_choice(ctx, "placement")) != BHOST_OK ||
        server_start(ctx, &s->server, bhost_param_str(ctx, "redis_server"), dir,
                     bhost_param_choice(ctx, "persistence"), placement_server(&s->placement),
                     bhost_param_float(ctx, "start_timeout")) != BHOST_OK ||
        placement_check(ctx, &s->placement, (int)s->server.pid) != BHOST_OK)
        return BHOST_FAIL;
    s->conn = connect_to(ctx, s->server.socket);
    return s->conn ? BHOST_OK : BHOST_FAIL;
}

static int init_workload(bhost_ctx *ctx, struct bench *s)
{
    uint32_t depth = (uint32_t)bhost_param_int(ctx, "pipeline");
    if (s->workload == WORKLOAD_AGENT) {
        struct agent_cfg cfg = {
            .structure = bhost_param_choice(ctx, "structure"),
            .agents = s->agents,
            .events = (uint32_t)bhost_param_int(ctx, "events_per_step"),
            .k = (uint32_t)bhost_param_int(ctx, "k"),
            .retain = (uint32_t)bhost_param_int(ctx, "retain"),
            .corrupt_at = bhost_param_int(ctx, "corrupt_at"),
            .prefix = s->prefix,
        };
        if (agent_mem_init(&s->agent, &cfg, &s->values) != 0)
            return bhost_fail(ctx, "out of memory");
        for (int i = 0; i < AGENT_KINDS; i++)
            s->hists[i] = bhost_histogram(ctx, agent_kind_names[i]);
        if (batch_init(&s->batch, s->conn, depth, s->hists, agent_mem_check, &s->agent) != 0)
            return bhost_fail(ctx, "out of memory");
    } else {
        if (setget_init(&s->setget, &s->values, s->prefix, s->agents, depth) != 0)
            return bhost_fail(ctx, "out of memory");
        for (int i = 0; i < SETGET_KINDS; i++)
            s->hists[i] = bhost_histogram(ctx, setget_kind_names[i]);
        if (batch_init(&s->batch, s->conn, depth, s->hists, setget_check, &s->setget) != 0)
            return bhost_fail(ctx, "out of memory");
    }
    return BHOST_OK;
}

static int redis_memory_setup(bhost_ctx *ctx, void **state)
{
    struct bench *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->workload = bhost_param_choice(ctx, "workload");
    s->server_kind = bhost_param_choice(ctx, "server");
    s->agents = (uint32_t)bhost_param_int(ctx, "agents");
    const char *prefix = bhost_param_str(ctx, "prefix");
    size_t n = strlen(prefix) + 40;
    s->prefix = malloc(n);
    int rc = s->prefix ? BHOST_OK : bhost_fail(ctx, "out of memory");
    if (rc == BHOST_OK) {
        if (*prefix)
            snprintf(s->prefix, n, "%s", prefix);
        else
            snprintf(s->prefix, n, "bhost:%s:", bhost_point_id(ctx));
        if (values_init(&s->values, bhost_seed(ctx), (size_t)bhost_param_int(ctx, "value_size")))
            rc = bhost_fail(ctx, "out of memory");
    }
    if (rc == BHOST_OK)
        rc = open_server(ctx, s);
    if (rc == BHOST_OK)
        rc = init_workload(ctx, s);
    /* A run that was killed may have left keys on a server of the user's. */
    if (rc == BHOST_OK && s->server_kind == SERVER_EXTERNAL)
        rc = clear_keys(ctx, s);
    if (rc == BHOST_OK)
        s->cleared = 1;
    if (rc != BHOST_OK) {
        redis_memory_teardown(ctx, s);
        return rc;
    }
    note_version(ctx, s->conn);
    note_persistence(ctx, s->conn);
    s->used_memory_at_start = info_field(s->conn, "memory", "used_memory");
    *state = s;
    return BHOST_OK;
}

static int redis_memory_check(bhost_ctx *ctx)
{
    int external = bhost_param_choice(ctx, "server") == SERVER_EXTERNAL;
    const char *address = bhost_param_str(ctx, "address");
    if (external && !*address)
        return bhost_fail(ctx, "server: external needs an address (HOST:PORT or a socket path)");
    if (!external && *address)
        return bhost_fail(ctx, "address is for server: external; the local server's socket "
                          "is in the point's scratch directory");
    if (external && bhost_param_choice(ctx, "placement") != PLACE_ANY)
        return bhost_fail(ctx, "placement pins the local server: with server: external leave "
                          "it at any (and pin bhost with taskset, the server with yours)");
    if (external && bhost_param_choice(ctx, "persistence") != PERSIST_NONE)
        return bhost_fail(ctx, "persistence is the external server's own: leave it at none");
    return BHOST_OK;
}

static const char *const workloads[] = {"agent", "setget", NULL};
static const char *const structures[] = {"hash", "list", "zset", "stream", NULL};
static const char *const persistences[] = {"none", "rdb", "aof", NULL};
static const char *const servers[] = {"local", "external", NULL};
static const char *const placements[] = {"any", "same_cpu", "other_cpu", NULL};

static const struct bhost_param params[] = {
    {.name = "workload", .type = BHOST_ENUM, .def = "agent", .choices = workloads,
     .doc = "agent: one agent step per iteration; setget: a pipeline of SETs or of GETs, "
            "as redis-benchmark -t set,get sends them"},
    {.name = "structure", .type = BHOST_ENUM, .def = "list", .choices = structures,
     .doc = "how an agent's events are kept: hash (HSET/HMGET/HGETALL), list "
            "(LPUSH/LRANGE/LTRIM), zset (ZADD/ZRANGEBYSCORE), stream (XADD/XRANGE/XTRIM)"},
    {.name = "agents", .type = BHOST_INT, .def = "100", .min = "1", .max = "1000000",
     .unit = "agents", .doc = "agents taking turns, one step each per iteration (setget: keys)"},
    {.name = "value_size", .type = BHOST_INT, .def = "256", .min = "24", .max = "1048576",
     .unit = "bytes", .doc = "bytes of each event, of an agent's state, of a setget value"},
    {.name = "events_per_step", .type = BHOST_INT, .def = "4", .min = "1", .max = "1000",
     .unit = "events", .doc = "events an agent appends in a step, one command each"},
    {.name = "k", .type = BHOST_INT, .def = "10", .min = "1", .max = "1000", .unit = "events",
     .doc = "events read back by read_recent, and spanned by range_query"},
    {.name = "retain", .type = BHOST_INT, .def = "100", .min = "1", .max = "1000000",
     .unit = "events", .doc = "events an agent keeps; older ones are deleted each step"},
    {.name = "pipeline", .type = BHOST_INT, .def = "1", .min = "1", .max = "1024",
     .unit = "commands", .doc = "commands sent before their replies are read"},
    {.name = "persistence", .type = BHOST_ENUM, .def = "none", .choices = persistences,
     .doc = "the local server's: none, rdb (a snapshot each second with >= 1000 changes), "
            "aof (appendfsync everysec)"},
    {.name = "server", .type = BHOST_ENUM, .def = "local", .choices = servers,
     .doc = "local: a redis-server of the point's own; external: the one at `address`"},
    {.name = "placement", .type = BHOST_ENUM, .def = "any", .choices = placements,
     .doc = "CPUs of the point and its local server: any (the scheduler's), same_cpu (both "
            "pinned to one), other_cpu (the server off the point's CPU)"},
    {.name = "address", .type = BHOST_STRING, .def = "",
     .doc = "server: external: HOST:PORT or a unix socket path"},
    {.name = "prefix", .type = BHOST_STRING, .def = "",
     .doc = "of every key; empty: bhost:<point id>:"},
    {.name = "redis_server", .type = BHOST_STRING, .def = "/usr/bin/redis-server",
     .doc = "the server binary the point starts"},
    {.name = "start_timeout", .type = BHOST_FLOAT, .def = "10", .min = "0.1", .max = "600",
     .unit = "s", .doc = "how long the started server has to answer PING"},
    {.name = "corrupt_at", .type = BHOST_INT, .def = "-1", .min = "-1",
     .doc = "for tests of the checks: the step (from 0, warm-up included) that overwrites "
            "the agent's newest event with other bytes; -1: none"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "redis_memory",
    .version = "1.0",
    .summary = "agent memories in Redis (hash, list, sorted set, stream) through hiredis, "
               "pipelined, on a throwaway redis-server",
    .doc = "Each iteration is one step of one agent: SET its state, append events_per_step "
           "events, read back the k newest, query the k before them by time, delete those "
           "beyond `retain`; every reply checked. Histograms write, read_recent, range_query, "
           "delete (setget: set, get). Gauges used_memory, mem_fragmentation_ratio, "
           "used_memory_per_agent, agent_bytes, total_forks; counter commands. "
           "docs/experiments/redis_memory.md.",
    BHOST_PARAMS(params),
    .setup = redis_memory_setup,
    .iterate = redis_memory_iterate,
    .teardown = redis_memory_teardown,
    .check = redis_memory_check,
    .flags = BHOST_ONE_THREAD, /* one connection, not shared between threads */
};
