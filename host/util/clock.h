/*
 * clock.h — the one clock the host times with, inline: the measured loop
 * pays for exactly one clock_gettime() per iteration and no call around it.
 */
#ifndef BHOST_CLOCK_H
#define BHOST_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
