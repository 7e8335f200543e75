/*
 * collector.h — the sampler's own thread while a point runs: it takes the
 * samples out of the source as they come, unwinds each at once (the stack
 * copy is then forgotten: memory stays flat however long the point runs),
 * and counts its stack for its thread. The sampled threads do none of it.
 */
#ifndef BHOST_SAMPLER_COLLECTOR_H
#define BHOST_SAMPLER_COLLECTOR_H

#include "pauses.h"
#include "source.h"
#include "stacks.h"
#include "unwind.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>

struct collector {
    const struct source_ops *ops;
    void *src;                 /* the source, once open */
    struct unwinder *unwinder;
    struct stack_set stacks;
    uint32_t max_depth;
    uint64_t *ips;             /* one walk's addresses */
    uint64_t taken;            /* samples the source gave */
    uint64_t samples;          /* what they stand for (weights: source.h) */
    uint64_t truncated, failed; /* failed: no room to keep a sample */
    uint64_t left_out;         /* taken while the host worked between repetitions */
    const struct pause_log *pauses;
    pthread_t thread;
    atomic_int tid;            /* the collector's own thread: never sampled */
    atomic_int stop;
    sem_t ready, go;
    int64_t *known;            /* threads being sampled (signal source: found by rescans) */
    size_t nknown, known_cap;
    int64_t *ignored;          /* other instruments' threads ("bhost-..."): left out */
    size_t nignored, ignored_cap;
};

/* Starts the collector's thread, idle: its id is known, nothing is sampled yet. 0 or -1. */
int collector_begin(struct collector *c, uint32_t max_depth);
/* The process's threads but the collector and other instruments' (named "bhost-..."),
 * to open a source on (owned; NULL when none). */
int64_t *collector_threads(struct collector *c, size_t *n);
/* Sampling from `src` (opened, with `ops`) starts, and the collector takes its samples. */
void collector_run(struct collector *c, const struct source_ops *ops, void *src);
/* Sampling stops; what is buffered is taken; the thread ends. The stacks stay in c. */
void collector_end(struct collector *c);
void collector_fini(struct collector *c);

#endif
