/*
 * clock.h — the one clock the host times with, inline: the measured loop
 * pays for exactly one clock_gettime() per iteration and no call around it;
 * and the time of day, as results record it.
 */
#ifndef BHOST_CLOCK_H
#define BHOST_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* UTC time as 2026-11-22T08:11:02Z (iso=1) or 20261122T081102Z (iso=0). */
void utc_stamp(char *buf, size_t n, int iso);

#endif
