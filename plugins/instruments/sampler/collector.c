/* collector.c — see collector.h. */
#define _GNU_SOURCE

#include "collector.h"
#include "thread_cache.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long the collector waits for samples before looking again. */
#define DRAIN_WAIT_MS 5
/* How often, with the signal source, it looks for threads started since. */
#define RESCAN_EVERY 10

/* An instrument's own threads are named "bhost-..." (sdk.md): not the point's work. */
#define INSTRUMENT_THREAD_PREFIX "bhost-"

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

static int is_instrument_thread(const char *name)
{
    return strncmp(name, INSTRUMENT_THREAD_PREFIX, strlen(INSTRUMENT_THREAD_PREFIX)) == 0;
}

static int in_list(const int64_t *v, size_t n, int64_t tid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == tid)
            return 1;
    return 0;
}

static void add_to_list(int64_t **v, size_t *n, size_t *cap, int64_t tid)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 16;
        int64_t *grown = realloc(*v, grown_cap * sizeof *grown);
        if (!grown)
            return;
        *v = grown;
        *cap = grown_cap;
    }
    (*v)[(*n)++] = tid;
}

/* A thread seen for the first time is named; an instrument's own is left out from then on.
 * Returns the thread's samples, NULL when it is left out or there is no room. */
static struct thread_samples *sampled_thread(struct collector *c, int64_t tid)
{
    struct thread_samples *t = stack_set_thread(&c->stacks, tid);
    if (t || in_list(c->ignored, c->nignored, tid))
        return t;
    char name[sizeof t->name];
    thread_name(tid, name, sizeof name);
    if (is_instrument_thread(name)) {
        add_to_list(&c->ignored, &c->nignored, &c->ignored_cap, tid);
        return NULL;
    }
    if ((t = stack_set_new_thread(&c->stacks, tid)))
        memcpy(t->name, name, sizeof name);
    return t;
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
    if (!sampled_thread(c, s->tid)) {
        if (!in_list(c->ignored, c->nignored, s->tid))
            c->failed++;
        return;
    }
    if (s->has_regs)
        n = unwinder_walk(c->unwinder, s, c->ips, (int)c->max_depth, &complete);
    uint32_t flags = (complete ? 0 : STACK_TRUNCATED) | (s->in_kernel ? STACK_KERNEL : 0);
    uint32_t id = stack_set_add(&c->stacks, c->ips, (uint32_t)n, flags);
    if (id == UINT32_MAX || stack_set_count(&c->stacks, s->tid, id, weight) != 0) {
        c->failed++;
        return;
    }
    c->taken++;
    c->samples += weight;
    c->truncated += complete ? 0 : weight;
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
        char name[32];
        thread_name(tid, name, sizeof name);
        if (!is_instrument_thread(name))
            add_to_list(&v, n, &cap, tid);
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
        if (!in_list(c->known, c->nknown, now[i]) && c->ops->add_thread(c->src, now[i]) == 0)
            add_to_list(&c->known, &c->nknown, &c->known_cap, now[i]);
    free(now);
}

static void *collect(void *arg)
{
    struct collector *c = arg;
    thread_cache_off();
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
        add_to_list(&c->known, &c->nknown, &c->known_cap, tids[i]);
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
    free(c->ignored);
}
