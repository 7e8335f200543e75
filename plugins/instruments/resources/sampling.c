/* sampling.c — see sampling.h. */
#define _GNU_SOURCE /* sched_getcpu, pthread_attr_setaffinity_np, pthread_setname_np */
#include "sampling.h"
#include "thread_cache.h"

#include <sched.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room for this many samples from the start: 48 KiB, above jemalloc's thread-cached sizes,
 * so the alloc instrument counts the sampler's allocations exactly. */
#define FIRST_CAP 512

static void keep(struct sampling *sm, const struct proc_sample *s)
{
    struct sampling_summary *sum = &sm->summary;
    if (sum->count == 0)
        sm->first = *s;
    sm->last = *s;
    sum->count++;
    sum->rss_sum += (double)s->rss_bytes;
    sum->rss_peak = s->rss_bytes > sum->rss_peak ? s->rss_bytes : sum->rss_peak;
    sum->threads_peak = s->threads > sum->threads_peak ? s->threads : sum->threads_peak;
    sum->fds_peak = s->fds > sum->fds_peak ? s->fds : sum->fds_peak;
    if (sm->nkept == sm->cap && sm->cap < SAMPLING_MAX_KEPT) {
        size_t cap = sm->cap * 2 < SAMPLING_MAX_KEPT ? sm->cap * 2 : SAMPLING_MAX_KEPT;
        struct proc_sample *more = realloc(sm->kept, cap * sizeof *more);
        if (more) {
            sm->kept = more;
            sm->cap = cap;
        }
    }
    if (sm->nkept < sm->cap)
        sm->kept[sm->nkept++] = *s;
    else
        sm->dropped++;
}

static struct timespec at(uint64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u),
                             .tv_nsec = (long)(ns % 1000000000u)};
}

static void *sample_until_stopped(void *arg)
{
    struct sampling *sm = arg;
    uint64_t next = 0;
    pthread_setname_np(pthread_self(), "bhost-resources"); /* the sampler leaves it out */
    thread_cache_off();
    pthread_mutex_lock(&sm->lock);
    for (;;) {
        int last = sm->stopping;
        pthread_mutex_unlock(&sm->lock);
        struct proc_sample s;
        proc_sample_take(&sm->files, &s);
        keep(sm, &s);
        pthread_mutex_lock(&sm->lock);
        if (!sm->first_taken) {
            sm->first_taken = 1;
            next = s.t_ns;
            pthread_cond_signal(&sm->ready);
        }
        if (last)
            break;
        /* On the interval's grid from the first sample; a late wake-up skips what it
         * missed rather than sampling in a burst. */
        next += sm->interval_ns;
        if (next <= s.t_ns)
            next += (s.t_ns - next) / sm->interval_ns * sm->interval_ns + sm->interval_ns;
        struct timespec until = at(next);
        while (!sm->stopping && pthread_cond_timedwait(&sm->wake, &sm->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&sm->lock);
    return NULL;
}

int sampling_start(struct sampling *sm, uint64_t interval_ns)
{
    memset(sm, 0, sizeof *sm);
    sm->interval_ns = interval_ns;
    sm->kept = malloc(FIRST_CAP * sizeof *sm->kept);
    if (!sm->kept)
        return ENOMEM;
    sm->cap = FIRST_CAP;
    proc_files_open(&sm->files);
    pthread_condattr_t clock;
    pthread_condattr_init(&clock);
    pthread_condattr_setclock(&clock, CLOCK_MONOTONIC);
    pthread_cond_init(&sm->wake, &clock);
    pthread_condattr_destroy(&clock);
    pthread_cond_init(&sm->ready, NULL);
    pthread_mutex_init(&sm->lock, NULL);
    /* On this thread's CPU: waking a thread on another CPU, idle, took milliseconds on
     * the development VMs, and here the sampler runs as soon as this thread waits for it
     * (for the first sample, and in sampling_stop()). */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int cpu = sched_getcpu();
    if (cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        pthread_attr_setaffinity_np(&attr, sizeof one, &one);
    }
    /* Signals are for the point's own threads: the sampler starts with all of them blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&sm->thread, &attr, sample_until_stopped, sm);
    if (rc == EINVAL && cpu >= 0) /* the CPU refused (a cpuset): anywhere, then */
        rc = pthread_create(&sm->thread, NULL, sample_until_stopped, sm);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        sampling_free(sm);
        return rc;
    }
    sm->running = 1;
    pthread_mutex_lock(&sm->lock);
    while (!sm->first_taken)
        pthread_cond_wait(&sm->ready, &sm->lock);
    pthread_mutex_unlock(&sm->lock);
    return 0;
}

void sampling_stop(struct sampling *sm)
{
    if (!sm->running)
        return;
    pthread_mutex_lock(&sm->lock);
    sm->stopping = 1;
    pthread_cond_signal(&sm->wake);
    pthread_mutex_unlock(&sm->lock);
    pthread_join(sm->thread, NULL);
    sm->running = 0;
}

void sampling_free(struct sampling *sm)
{
    sampling_stop(sm);
    pthread_cond_destroy(&sm->wake);
    pthread_cond_destroy(&sm->ready);
    pthread_mutex_destroy(&sm->lock);
    proc_files_close(&sm->files);
    free(sm->kept);
    sm->kept = NULL;
    sm->nkept = sm->cap = 0;
}
