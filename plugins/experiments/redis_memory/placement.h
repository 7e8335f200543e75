/*
 * placement.h — which CPUs the client (the point's thread) and its server
 * run on. On a VM, a reply that wakes a process on another, idle vCPU can
 * cost ten times a reply on the same one, so a point may fix the placement:
 * `any` leaves both to the scheduler, `same_cpu` pins both to the CPU the
 * point runs on, `other_cpu` pins the client there and the server to the
 * point's other CPUs.
 */
#ifndef REDIS_MEMORY_PLACEMENT_H
#define REDIS_MEMORY_PLACEMENT_H

#include <bhost/bhost.h>
#include <sched.h>

enum placement_kind { PLACE_ANY = 0, PLACE_SAME_CPU = 1, PLACE_OTHER_CPU = 2 };

struct placement {
    int kind;
    int pinned;              /* the client's thread was pinned: restore `before` */
    int client_cpu;
    cpu_set_t before;        /* the thread's affinity before */
    cpu_set_t server;        /* the server's, unless kind is PLACE_ANY */
};

/* Pins the calling thread and works out the server's CPUs; fails the point if `other_cpu`
 * has no other CPU to use. */
int placement_begin(bhost_ctx *ctx, struct placement *p, int kind);

/* The server's CPUs, or NULL: it inherits the point's affinity. */
const cpu_set_t *placement_server(const struct placement *p);

/* Checks that the running server has the CPUs it was given, and notes where each runs. */
int placement_check(bhost_ctx *ctx, const struct placement *p, int server_pid);

/* Gives the calling thread its affinity back. */
void placement_end(struct placement *p);

#endif
