/*
 * placement.c — pinning the point's thread and its redis-server to CPUs.
 */
#include "placement.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int placement_begin(bhost_ctx *ctx, struct placement *p, int kind)
{
    *p = (struct placement){.kind = kind, .client_cpu = -1};
    if (kind == PLACE_ANY)
        return BHOST_OK;
    if (sched_getaffinity(0, sizeof p->before, &p->before) != 0)
        return bhost_fail(ctx, "sched_getaffinity: %s", strerror(errno));
    int cpu = sched_getcpu();
    if (cpu < 0 || !CPU_ISSET(cpu, &p->before))
        return bhost_fail(ctx, "cannot tell which CPU the point runs on");
    cpu_set_t client;
    CPU_ZERO(&client);
    CPU_SET(cpu, &client);
    p->server = kind == PLACE_SAME_CPU ? client : p->before;
    if (kind == PLACE_OTHER_CPU) {
        CPU_CLR(cpu, &p->server);
        if (CPU_COUNT(&p->server) == 0)
            return bhost_fail(ctx, "placement: other_cpu needs a second CPU in the point's "
                              "affinity (with --jobs each point has one)");
    }
    if (sched_setaffinity(0, sizeof client, &client) != 0)
        return bhost_fail(ctx, "pin the point to CPU %d: %s", cpu, strerror(errno));
    p->pinned = 1;
    p->client_cpu = cpu;
    return BHOST_OK;
}

const cpu_set_t *placement_server(const struct placement *p)
{
    return p->kind == PLACE_ANY ? NULL : &p->server;
}

/* "1,3": the CPUs of a set. */
static void cpu_list(const cpu_set_t *set, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int cpu = 0; cpu < CPU_SETSIZE && used + 8 < size; cpu++)
        if (CPU_ISSET(cpu, set))
            used += (size_t)snprintf(out + used, size - used, "%s%d", used ? "," : "", cpu);
}

int placement_check(bhost_ctx *ctx, const struct placement *p, int server_pid)
{
    if (p->kind == PLACE_ANY) {
        bhost_note(ctx, "placement", "any: the scheduler places the point and its server");
        return BHOST_OK;
    }
    cpu_set_t got;
    char want_list[256], got_list[256];
    if (server_pid > 0 && sched_getaffinity(server_pid, sizeof got, &got) != 0)
        return bhost_fail(ctx, "sched_getaffinity of redis-server %d: %s", server_pid,
                          strerror(errno));
    cpu_list(&p->server, want_list, sizeof want_list);
    if (server_pid > 0 && !CPU_EQUAL(&got, &p->server)) {
        cpu_list(&got, got_list, sizeof got_list);
        return bhost_fail(ctx, "redis-server runs on CPUs %s, not %s", got_list, want_list);
    }
    bhost_note(ctx, "placement", "client on CPU %d, server on CPU %s", p->client_cpu,
               want_list);
    return BHOST_OK;
}

void placement_end(struct placement *p)
{
    if (p->pinned)
        sched_setaffinity(0, sizeof p->before, &p->before);
    p->pinned = 0;
}
