/* collector.c — see collector.h. */
#define _GNU_SOURCE

#include "collector.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long the collector waits for samples before looking again. */
#define DRAIN_WAIT_MS 5
/* How often, with the signal source, it looks for threads started since. */
#define RESCAN_EVERY 10

static void thread_name(int64_t tid, char *out, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%lld/comm", (long long)tid);
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (f) {
        if (fgets(out, (int)n, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
    if (!out[0])
        snprintf(out, n, "thread %lld", (long long)tid);
}

static void take(void *arg, const struct raw_sample *s)
{
    struct collector *c = arg;
    int complete = 0, n = 0;
    uint32_t weight = s->weight ? s->weight : 1;
    if (pause_log_covers(c->pauses, s->tid, s->time_ns)) {
        c->left_out += weight;
        return;
    }
    if (s->has_regs)
        n = unwinder_walk(c->unwinder, s, c->ips, (int)c->max_depth, &complete);
    uint32_t flags = (complete ? 0 : STACK_TRUNCATED) | (s->in_kernel ? STACK_KERNEL : 0);
    uint32_t id = stack_set_add(&c->stacks, c->ips, (uint32_t)n, flags);
    int is_new = !stack_set_thread(&c->stacks, s->tid);
    if (id == UINT32_MAX || stack_set_count(&c->stacks, s->tid, id, weight) != 0) {
        c->failed++;
        return;
    }
    if (is_new) {
        struct thread_samples *t = stack_set_thread(&c->stacks, s->tid);
        thread_name(s->tid, t->name, sizeof t->name);
    }
    c->taken++;
    c->samples += weight;
    c->truncated += complete ? 0 : weight;
}

static int is_known(const struct collector *c, int64_t tid)
{
    for (size_t i = 0; i < c->nknown; i++)
        if (c->known[i] == tid)
            return 1;
    return 0;
}

static void remember(struct collector *c, int64_t tid)
{
    if (c->nknown == c->known_cap) {
        size_t cap = c->known_cap ? 2 * c->known_cap : 16;
        int64_t *v = realloc(c->known, cap * sizeof *v);
        if (!v)
            return;
        c->known = v;
        c->known_cap = cap;
    }
    c->known[c->nknown++] = tid;
}

int64_t *collector_threads(struct collector *c, size_t *n)
{
    *n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return NULL;
    int64_t *v = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long long tid = strtoll(e->d_name, &end, 10);
        if (*end || tid <= 0 || tid == atomic_load(&c->tid))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *grown = realloc(v, cap * sizeof *v);
            if (!grown)
                break;
            v = grown;
        }
        v[(*n)++] = tid;
    }
    closedir(d);
    return v;
}

/* Threads started since the last look: the signal source needs a timer for each. */
static void rescan(struct collector *c)
{
    size_t n;
    int64_t *now = collector_threads(c, &n);
    for (size_t i = 0; i < n; i++)
        if (!is_known(c, now[i]) && c->ops->add_thread(c->src, now[i]) == 0)
            remember(c, now[i]);
    free(now);
}

static void *collect(void *arg)
{
    struct collector *c = arg;
    atomic_store(&c->tid, (int)gettid());
    sem_post(&c->ready);
    while (sem_wait(&c->go) != 0)
        continue;
    if (!c->src)
        return NULL; /* ended before it ran */
    for (unsigned round = 1; !atomic_load(&c->stop); round++) {
        c->ops->drain(c->src, DRAIN_WAIT_MS, take, c);
        if (c->ops == &source_signal && round % RESCAN_EVERY == 0)
            rescan(c);
    }
    c->ops->drain(c->src, 0, take, c);
    return NULL;
}

int collector_begin(struct collector *c, uint32_t max_depth)
{
    memset(c, 0, sizeof *c);
    stack_set_init(&c->stacks);
    c->max_depth = max_depth;
    c->ips = calloc(max_depth, sizeof *c->ips);
    if (!c->ips || sem_init(&c->ready, 0, 0) != 0 || sem_init(&c->go, 0, 0) != 0) {
        free(c->ips);
        return -1;
    }
    if (pthread_create(&c->thread, NULL, collect, c) != 0) {
        sem_destroy(&c->ready);
        sem_destroy(&c->go);
        free(c->ips);
        return -1;
    }
    pthread_setname_np(c->thread, "bhost-sampler");
    while (sem_wait(&c->ready) != 0)
        continue;
    return 0;
}

void collector_run(struct collector *c, const struct source_ops *ops, void *src)
{
    c->ops = ops;
    c->src = src;
    size_t n;
    int64_t *tids = collector_threads(c, &n);
    for (size_t i = 0; i < n; i++)
        remember(c, tids[i]);
    free(tids);
    ops->start(src);
    sem_post(&c->go);
}

void collector_end(struct collector *c)
{
    if (c->ops)
        c->ops->stop(c->src);
    atomic_store(&c->stop, 1);
    sem_post(&c->go);
    pthread_join(c->thread, NULL);
}

void collector_fini(struct collector *c)
{
    stack_set_fini(&c->stacks);
    sem_destroy(&c->ready);
    sem_destroy(&c->go);
    free(c->ips);
    free(c->known);
}
