/* timer.c — see timer.h. */
#include "run/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two windows of this long calibrate the TSC: a few ppm against CLOCK_MONOTONIC. */
#define TIMER_CALIBRATION_NS 5000000u

void timer_setup(struct timer *t, enum timer_choice choice)
{
    memset(t, 0, sizeof *t);
    if (choice == TIMER_MONOTONIC)
        return;
    if (tsc_calibrate(&t->tsc, TIMER_CALIBRATION_NS) == 0) {
        t->use_tsc = 1;
        return;
    }
    snprintf(t->fallback, sizeof t->fallback, "%s", t->tsc.why);
}

const char *timer_name(const struct timer *t)
{
    return t->use_tsc ? "tsc" : "CLOCK_MONOTONIC";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double timer_read_ns(const struct timer *t)
{
    enum { BATCHES = 9, READS = 100000 };
    double per_read[BATCHES];
    volatile uint64_t sink = 0;
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = clock_now_ns();
        if (t->use_tsc)
            for (int i = 0; i < READS; i++)
                sink += tsc_ticks();
        else
            for (int i = 0; i < READS; i++)
                sink += clock_now_ns();
        per_read[b] = (double)(clock_now_ns() - t0) / READS;
    }
    (void)sink;
    qsort(per_read, BATCHES, sizeof per_read[0], cmp_double);
    return per_read[BATCHES / 2];
}

json_t *timer_json(const struct timer *t, double drift_ppm_max)
{
    json_t *o = json_pack("{s:s, s:f}", "source", timer_name(t), "read_ns", timer_read_ns(t));
    if (t->use_tsc)
        json_object_set_new(o, "tsc", json_pack("{s:f, s:f, s:f}", "ns_per_tick",
                                                t->tsc.ns_per_tick, "ghz", 1.0 / t->tsc.ns_per_tick,
                                                "calibration_ppm", t->tsc.calibration_ppm));
    else
        json_object_set_new(o, "tsc", json_null());
    json_object_set_new(o, "drift_ppm_max", t->use_tsc || *t->fallback ? json_real(drift_ppm_max)
                                                                      : json_null());
    json_object_set_new(o, "fallback", *t->fallback ? json_string(t->fallback) : json_null());
    return o;
}

int timer_check(struct timer *t, double *drift_ppm_max)
{
    if (!t->use_tsc)
        return 0;
    double drift = tsc_drift_ppm(&t->tsc), a = drift < 0 ? -drift : drift;
    if (a > *drift_ppm_max)
        *drift_ppm_max = a;
    if (a <= TIMER_MAX_DRIFT_PPM)
        return 0;
    snprintf(t->fallback, sizeof t->fallback, "the TSC drifted %.0f ppm from CLOCK_MONOTONIC "
             "(more than %.0f): the rest of the run used CLOCK_MONOTONIC", drift,
             TIMER_MAX_DRIFT_PPM);
    t->use_tsc = 0;
    return -1;
}
