/* tsc.c — see tsc.h. */
#include "util/tsc.h"
#include "util/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* The kernel's choice of clocksource: "tsc" only once it trusts every CPU's counter. */
static int kernel_uses_tsc(char *why, size_t n)
{
    FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    char name[64] = "";
    if (f) {
        if (!fgets(name, sizeof name, f))
            name[0] = '\0';
        fclose(f);
    }
    name[strcspn(name, "\n")] = '\0';
    if (strcmp(name, "tsc") == 0)
        return 1;
    snprintf(why, n, "the kernel's clocksource is %s, not the TSC", *name ? name : "unknown");
    return 0;
}

int tsc_invariant(char *why, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) {
        snprintf(why, n, "the CPU does not say whether its TSC is invariant");
        return 0;
    }
    __get_cpuid(0x80000007u, &a, &b, &c, &d);
    if (!(d & (1u << 8))) {
        snprintf(why, n, "the CPU's TSC is not invariant (CPUID 0x80000007 EDX bit 8)");
        return 0;
    }
    return kernel_uses_tsc(why, n);
#else
    snprintf(why, n, "no cycle counter clock on this architecture");
    return 0;
#endif
}

/* A (ticks, ns) pair read as close together as the two clocks allow: the tightest of a few. */
static void read_pair(uint64_t *tick, uint64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 5; i++) {
        uint64_t a = tsc_ticks(), t = clock_now_ns(), b = tsc_ticks();
        if (b - a < best) {
            best = b - a;
            *tick = a + (b - a) / 2;
            *ns = t;
        }
    }
}

static double window_rate(uint64_t window_ns, uint64_t *tick_end, uint64_t *ns_end)
{
    uint64_t t0, n0, t1, n1;
    read_pair(&t0, &n0);
    struct timespec ts = {.tv_sec = (time_t)(window_ns / 1000000000u),
                          .tv_nsec = (long)(window_ns % 1000000000u)};
    nanosleep(&ts, NULL);
    read_pair(&t1, &n1);
    *tick_end = t1;
    *ns_end = n1;
    return t1 > t0 ? (double)(n1 - n0) / (double)(t1 - t0) : 0;
}

int tsc_calibrate(struct tsc *t, uint64_t window_ns)
{
    memset(t, 0, sizeof *t);
    if (!tsc_invariant(t->why, sizeof t->why))
        return -1;
    read_pair(&t->tick0, &t->ns0);
    uint64_t tick, ns;
    double first = window_rate(window_ns, &tick, &ns);
    double second = window_rate(window_ns, &tick, &ns);
    if (!(first > 0) || !(second > 0)) {
        snprintf(t->why, sizeof t->why, "the TSC did not advance");
        return -1;
    }
    /* The rate over both windows at once: the origin to the last pair. */
    t->ns_per_tick = (double)(ns - t->ns0) / (double)(tick - t->tick0);
    t->calibration_ppm = fabs(first - second) / t->ns_per_tick * 1e6;
    t->usable = 1;
    return 0;
}

double tsc_drift_ppm(const struct tsc *t)
{
    uint64_t tick, ns;
    read_pair(&tick, &ns);
    double predicted = (double)(tick - t->tick0) * t->ns_per_tick, actual = (double)(ns - t->ns0);
    return actual > 0 ? (predicted - actual) / actual * 1e6 : 0;
}
