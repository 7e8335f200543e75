/*
 * test_stats.c — medians, the geometric mean, the Mann–Whitney interval of a
 * ratio (known critical values, exact and approximate) and Pettitt's test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

static void test_median(void **state)
{
    (void)state;
    double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2};
    assert_true(stats_median(odd, 3) == 3);
    assert_true(stats_median(even, 4) == 2.5);
    assert_true(isnan(stats_median(odd, 0)));
}

static void test_geomean(void **state)
{
    (void)state;
    double v[] = {1, 4, 16}, bad[] = {1, 0};
    assert_true(fabs(stats_geomean(v, 3) - 4) < 1e-12);
    assert_true(isnan(stats_geomean(v, 0)));
    assert_true(isnan(stats_geomean(bad, 2)));
}

static void test_min_per_side(void **state)
{
    (void)state;
    assert_int_equal(stats_min_per_side(0.95), 4);  /* 2/C(8,4) = 0.029 */
    assert_int_equal(stats_min_per_side(0.90), 3);  /* 2/C(6,3) = 0.1 <= 0.1 */
    assert_int_equal(stats_min_per_side(0.99), 5);  /* 2/C(10,5) = 0.0079 */
}

/*
 * a_i = e^(s i) (i < n) and b_j = e^(s n j) (j < m): the log differences
 * s (n j - i) are s times the integers -(n-1) .. n(m-1), each once, so the
 * r-th smallest is s (r - n) and the interval's lower bound gives the
 * critical count k back. Returns k, or -1 when there is no interval.
 */
#define STEP 0.01

static long critical_of(size_t n, size_t m, double confidence, int *exact)
{
    double *a = malloc(n * sizeof *a), *b = malloc(m * sizeof *b);
    for (size_t i = 0; i < n; i++)
        a[i] = exp(STEP * (double)i);
    for (size_t j = 0; j < m; j++)
        b[j] = exp(STEP * (double)(n * j));
    struct stats_ratio r;
    assert_int_equal(stats_ratio_interval(a, n, b, m, confidence, &r), 0);
    free(a);
    free(b);
    *exact = r.exact;
    if (isnan(r.lo)) {
        assert_true(isnan(r.hi));
        return -1;
    }
    long k = lround(log(r.lo) / STEP) + (long)n - 1;
    /* symmetric: the (k+1)-th largest is n(m-1) - k */
    assert_int_equal(lround(log(r.hi) / STEP), (long)(n * (m - 1)) - k);
    return k;
}

static void test_critical_values(void **state)
{
    (void)state;
    int exact;
    /* two-sided 0.05, from published tables of the Mann–Whitney U */
    assert_int_equal(critical_of(5, 5, 0.95, &exact), 2);
    assert_int_equal(exact, 1);
    assert_int_equal(critical_of(10, 10, 0.95, &exact), 23);
    assert_int_equal(critical_of(4, 4, 0.95, &exact), 0);
    assert_int_equal(critical_of(3, 3, 0.95, &exact), -1);
    assert_int_equal(critical_of(8, 8, 0.95, &exact), 13);
    assert_int_equal(critical_of(6, 9, 0.95, &exact), 10);
    assert_int_equal(critical_of(9, 6, 0.95, &exact), 10);
    assert_int_equal(critical_of(20, 20, 0.95, &exact), 127);
    /* two-sided 0.01 */
    assert_int_equal(critical_of(10, 10, 0.99, &exact), 16);
}

static void test_normal_approximation(void **state)
{
    (void)state;
    int exact;
    /* 60 x 60 = 3600 pairs: floor(1800 - 0.5 - 1.95996 sqrt(3600 * 121 / 12)) = 1426 */
    assert_int_equal(critical_of(60, 60, 0.95, &exact), 1426);
    assert_int_equal(exact, 0);
    /* 50 x 50, the largest exact case, lies close to its approximation (965) */
    long k = critical_of(50, 50, 0.95, &exact);
    assert_int_equal(exact, 1);
    assert_true(k >= 963 && k <= 967);
}

/* Ties shrink Var U, so the interval's ranks move inwards. */
static void test_ties(void **state)
{
    (void)state;
    double a[60], b[60];
    for (size_t i = 0; i < 60; i++) {
        a[i] = 100 + (double)(i % 3);
        b[i] = 101 + (double)(i % 3);
    }
    struct stats_ratio r;
    assert_int_equal(stats_ratio_interval(a, 60, b, 60, 0.95, &r), 0);
    assert_int_equal(r.exact, 0);
    assert_true(r.lo <= r.ratio && r.ratio <= r.hi);
    assert_true(r.lo > 1);
}

static void test_ratio(void **state)
{
    (void)state;
    double a[] = {10, 11, 12, 13, 14}, b[5];
    for (int i = 0; i < 5; i++)
        b[i] = 2 * a[i];
    struct stats_ratio r;
    assert_int_equal(stats_ratio_interval(a, 5, b, 5, 0.95, &r), 0);
    assert_true(fabs(r.ratio - 2) < 1e-12);
    assert_true(r.lo > 1.5 && r.lo < 2 && r.hi > 2 && r.hi < 2.7);
    /* the same samples: ratio 1, an interval around it */
    assert_int_equal(stats_ratio_interval(a, 5, a, 5, 0.95, &r), 0);
    assert_true(fabs(r.ratio - 1) < 1e-12);
    assert_true(r.lo < 1 && r.hi > 1 && fabs(r.lo * r.hi - 1) < 1e-12);
    /* a value that is not > 0, an empty side, a confidence out of range */
    double z[] = {1, 0};
    assert_int_equal(stats_ratio_interval(a, 5, z, 2, 0.95, &r), -1);
    assert_int_equal(stats_ratio_interval(a, 0, b, 5, 0.95, &r), -1);
    assert_int_equal(stats_ratio_interval(a, 5, b, 5, 1.0, &r), -1);
}

static void test_pettitt(void **state)
{
    (void)state;
    double x[20];
    for (int i = 0; i < 20; i++)
        x[i] = (i < 12 ? 1.0 : 2.0) - 0.001 * i; /* a step, and a slight downward drift */
    struct stats_change c;
    assert_int_equal(stats_pettitt(x, 20, &c), 0);
    assert_int_equal(c.at, 12);
    assert_true(c.p < 0.01);
    assert_true(fabs(c.before - 0.9945) < 1e-12 && fabs(c.after - 1.9845) < 1e-12);
    double flat[] = {3, 3, 3, 3, 3};
    assert_int_equal(stats_pettitt(flat, 5, &c), 0);
    assert_true(c.p == 1);
    assert_int_equal(stats_pettitt(flat, 2, &c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_geomean),
        cmocka_unit_test(test_min_per_side),
        cmocka_unit_test(test_critical_values),
        cmocka_unit_test(test_normal_approximation),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_pettitt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
