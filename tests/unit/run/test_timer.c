/*
 * test_timer.c — the measured loops' clock: the TSC calibrated against
 * CLOCK_MONOTONIC agrees with it, and a TSC whose rate is off (as a drifting
 * one would be) is caught by timer_check(), which falls back to
 * CLOCK_MONOTONIC and says why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/timer.h"

#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void monotonic_is_monotonic(void **state)
{
    (void)state;
    struct timer t;
    timer_setup(&t, TIMER_MONOTONIC);
    assert_false(t.use_tsc);
    assert_string_equal(timer_name(&t), "CLOCK_MONOTONIC");
    double drift = 0;
    assert_int_equal(timer_check(&t, &drift), 0); /* nothing to check */
    assert_true(timer_read_ns(&t) > 0);
}

static void the_tsc_agrees_with_monotonic_and_a_drift_is_caught(void **state)
{
    (void)state;
    struct timer t;
    timer_setup(&t, TIMER_AUTO);
    if (!t.use_tsc) {
        /* No invariant TSC on this machine: the reason is given, and that is the test. */
        assert_true(strlen(t.fallback) > 0);
        skip();
    }
    assert_true(t.tsc.ns_per_tick > 0.01 && t.tsc.ns_per_tick < 100);
    sleep_ms(20);
    /* Calibrated against it, the TSC keeps to CLOCK_MONOTONIC far inside the bound. */
    double drift = 0;
    assert_int_equal(timer_check(&t, &drift), 0);
    assert_true(drift < TIMER_MAX_DRIFT_PPM / 5);
    assert_true(t.use_tsc);
    /* A rate 1 % off is a TSC that no longer keeps time: the run falls back. */
    t.tsc.ns_per_tick *= 1.01;
    sleep_ms(5);
    assert_int_equal(timer_check(&t, &drift), -1);
    assert_false(t.use_tsc);
    assert_non_null(strstr(t.fallback, "drifted"));
    assert_true(drift > 9000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(monotonic_is_monotonic),
        cmocka_unit_test(the_tsc_agrees_with_monotonic_and_a_drift_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
