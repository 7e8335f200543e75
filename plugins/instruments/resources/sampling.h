/*
 * sampling.h — the thread that samples the process every interval, from
 * sampling_start() (a first sample before it returns) to sampling_stop()
 * (a last sample before it returns), keeping the samples in memory and a
 * running summary of all of them.
 */
#ifndef BHOST_RESOURCES_SAMPLING_H
#define BHOST_RESOURCES_SAMPLING_H

#include "proc_sample.h"

#include <pthread.h>
#include <stddef.h>

/* At most this many samples are kept (the host keeps as many rows of a table). */
#define SAMPLING_MAX_KEPT 100000

/* What every sample adds up to, kept ones or not. */
struct sampling_summary {
    size_t count;
    double rss_sum;
    uint64_t rss_peak;
    uint32_t threads_peak, fds_peak;
};

struct sampling {
    struct proc_files files;
    uint64_t interval_ns;
    struct proc_sample *kept;  /* in time order; allocated by sampling_start() */
    size_t nkept, cap;
    size_t dropped;            /* samples past SAMPLING_MAX_KEPT, or that found no memory */
    struct proc_sample first, last;
    struct sampling_summary summary;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* to the thread: stop; on CLOCK_MONOTONIC */
    pthread_cond_t ready;      /* from the thread: the first sample is taken */
    int stopping, first_taken, running;
};

/* Opens the files and starts the thread; 0, or an errno (nothing is left running). */
int sampling_start(struct sampling *sm, uint64_t interval_ns);

/* Has the thread take a last sample and end, and joins it. The samples stay. */
void sampling_stop(struct sampling *sm);

/* Frees the samples and closes the files. */
void sampling_free(struct sampling *sm);

#endif
