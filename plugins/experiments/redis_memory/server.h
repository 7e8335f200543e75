/*
 * server.h — a throwaway redis-server for one sweep point: started on a unix
 * socket in the point's scratch directory (no TCP), in the point's process
 * group (so the host's kill of the point reaches it), and stopped with
 * SHUTDOWN NOSAVE at the end.
 */
#ifndef REDIS_MEMORY_SERVER_H
#define REDIS_MEMORY_SERVER_H

#include "placement.h"

#include <bhost/bhost.h>
#include <sys/types.h>

enum persistence { PERSIST_NONE = 0, PERSIST_RDB = 1, PERSIST_AOF = 2 };

struct server {
    pid_t pid;        /* 0: not running */
    char *socket;     /* DIR/redis.sock */
    char *log;        /* DIR/redis.log: the server's own log */
};

/* Starts `binary` with its data and socket in `dir`, on the CPUs `cpus` (NULL: the
 * point's), and waits up to `timeout_s` until it answers PING. On failure the point
 * fails with the reason (the server's last log line where there is one) and nothing is
 * left running. */
int server_start(bhost_ctx *ctx, struct server *srv, const char *binary, const char *dir,
                 int persistence, const cpu_set_t *cpus, double timeout_s);

/* SHUTDOWN NOSAVE, then waits for the process (SIGKILL after 5 s); frees srv's paths. */
void server_stop(bhost_ctx *ctx, struct server *srv);

#endif
