/*
 * test_sweep.c — sweep expansion: the cartesian product in spec order,
 * stable point ids, labels, seeds, --filter and the point limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spec_fixture.h"
#include "spec/sweep.h"

static void expand(const char *text, struct spec *s, struct sweep *w, const char *filter)
{
    assert_int_equal(load_spec(text, s, NULL, 0), 0);
    assert_int_equal(sweep_expand(s, filter, s->max_points, w, err, sizeof err), 0);
}

static const char two_by_three[] = "seed: 9\n"
                                   "experiments:\n"
                                   "  - experiment: test_good\n"
                                   "    params:\n"
                                   "      count: [2, 5]\n"
                                   "      color: [red, green, blue]\n"
                                   "      ratio: 0.25\n"
                                   "  - experiment: noop\n";

static void product_in_spec_order_first_axis_slowest(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(two_by_three, &s, &w, NULL);
    assert_int_equal(w.npoints, 7);
    assert_int_equal(w.total, 7);
    static const char *const labels[] = {
        "test_good[count=2,color=red]", "test_good[count=2,color=green]",
        "test_good[count=2,color=blue]", "test_good[count=5,color=red]",
        "test_good[count=5,color=green]", "test_good[count=5,color=blue]", "noop"};
    for (size_t i = 0; i < w.npoints; i++) {
        assert_string_equal(w.points[i].label, labels[i]);
        assert_int_equal(w.points[i].index, i);
    }
    /* Every parameter has a value: swept, fixed, or the plugin's default. */
    const struct point *p = &w.points[4];
    const struct plugin *pl = p->exp->plugin;
    assert_int_equal(p->values[pdef_find(pl->params, pl->nparams, "count")].i, 5);
    assert_string_equal(p->values[pdef_find(pl->params, pl->nparams, "color")].s, "green");
    assert_true(p->values[pdef_find(pl->params, pl->nparams, "ratio")].f == 0.25);
    assert_string_equal(p->values[pdef_find(pl->params, pl->nparams, "label")].s, "hello");
    sweep_free(&w);
    spec_free(&s);
}

static void ids_follow_the_documented_hash(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand("experiments:\n"
           "  - experiment: test_good\n"
           "    params: {count: [2], color: red}\n"
           "  - experiment: noop\n",
           &s, &w, NULL);
    /* FNV-1a 64 of "test_good\ncolor=red\ncount=2\n" and of "noop\n" (docs/specs.md). */
    assert_string_equal(w.points[0].id, "911625a3fd0e2cb4");
    assert_string_equal(w.points[1].id, "7e31d471dc8ca505");
    sweep_free(&w);
    spec_free(&s);
}

/* A string holding a newline is escaped in the id text: "label=x\\ny\n". */
static void ids_escape_newlines_in_values(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand("experiments:\n"
           "  - experiment: test_good\n"
           "    params: {label: \"x\\ny\"}\n",
           &s, &w, NULL);
    assert_string_equal(w.points[0].id, "0c292466d1dfa657");
    sweep_free(&w);
    spec_free(&s);
}

static void ids_ignore_order_and_track_values(void **state)
{
    (void)state;
    struct spec a, b;
    struct sweep wa, wb;
    expand("experiments: [{experiment: test_good, params: {count: [1, 2], color: red}}]\n", &a,
           &wa, NULL);
    expand("experiments: [{experiment: test_good, params: {color: red, count: [2, 1]}}]\n", &b,
           &wb, NULL);
    assert_string_equal(wa.points[0].id, wb.points[1].id);
    assert_string_equal(wa.points[1].id, wb.points[0].id);
    assert_string_not_equal(wa.points[0].id, wa.points[1].id);
    assert_true(wa.points[0].seed == wb.points[1].seed);
    assert_true(wa.points[0].seed != wa.points[1].seed);
    sweep_free(&wa);
    sweep_free(&wb);
    spec_free(&a);
    spec_free(&b);
}

static void seeds_derive_from_the_spec_seed(void **state)
{
    (void)state;
    struct spec a, b;
    struct sweep wa, wb;
    expand("seed: 1\nexperiments: [{experiment: noop}]\n", &a, &wa, NULL);
    expand("seed: 2\nexperiments: [{experiment: noop}]\n", &b, &wb, NULL);
    assert_string_equal(wa.points[0].id, wb.points[0].id);
    assert_true(wa.points[0].seed != wb.points[0].seed);
    sweep_free(&wa);
    sweep_free(&wb);
    spec_free(&a);
    spec_free(&b);
}

static void filter_keeps_matching_points_with_their_indices(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(two_by_three, &s, &w, "test_good[count=5*");
    assert_int_equal(w.npoints, 3);
    assert_int_equal(w.total, 7);
    assert_int_equal(w.points[0].index, 3);
    assert_string_equal(w.points[2].label, "test_good[count=5,color=blue]");
    sweep_free(&w);
    spec_free(&s);
    expand(two_by_three, &s, &w, "green");
    assert_int_equal(w.npoints, 2);
    const char *id = w.points[1].id;
    char copy[17];
    memcpy(copy, id, sizeof copy);
    sweep_free(&w);
    spec_free(&s);
    expand(two_by_three, &s, &w, copy);
    assert_int_equal(w.npoints, 1);
    assert_string_equal(w.points[0].label, "test_good[count=5,color=green]");
    sweep_free(&w);
    spec_free(&s);
}

static void too_many_points_are_refused(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    assert_int_equal(load_spec("max_points: 5\n"
                               "experiments:\n"
                               "  - experiment: test_good\n"
                               "    params: {count: [1, 2], color: [red, green, blue]}\n",
                               &s, NULL, 0),
                     0);
    assert_int_equal(sweep_expand(&s, NULL, s.max_points, &w, err, sizeof err), -1);
    assert_string_equal(err, "t.yaml: the sweep expands to more than 5 points (experiment "
                             "'test_good': count (2) x color (3)); narrow the sweep, or raise "
                             "the limit with 'max_points:' or --max-points");
    assert_int_equal(sweep_expand(&s, NULL, 6, &w, err, sizeof err), 0);
    assert_int_equal(w.npoints, 6);
    sweep_free(&w);
    spec_free(&s);
}

/* Lists are not bounded while loading: their product is, by sweep_count. */
static void huge_products_are_refused(void **state)
{
    (void)state;
    struct spec s;
    uint64_t total;
    assert_int_equal(load_spec("max_points: 1000000\n"
                               "experiments:\n"
                               "  - experiment: test_good\n"
                               "    params:\n"
                               "      count: {from: 1, to: 100, step: 1}\n"
                               "      fail_every: {from: 0, to: 9999, step: 1}\n"
                               "      label: [a, b, c, d, e, f, g, h, i, j]\n"
                               "      color: [red, green, blue]\n",
                               &s, NULL, 0),
                     0);
    assert_int_equal(sweep_count(&s, s.max_points, &total, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than 1000000 points"));
    spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(product_in_spec_order_first_axis_slowest),
        cmocka_unit_test(ids_follow_the_documented_hash),
        cmocka_unit_test(ids_escape_newlines_in_values),
        cmocka_unit_test(ids_ignore_order_and_track_values),
        cmocka_unit_test(seeds_derive_from_the_spec_seed),
        cmocka_unit_test(filter_keeps_matching_points_with_their_indices),
        cmocka_unit_test(too_many_points_are_refused),
        cmocka_unit_test(huge_products_are_refused),
    };
    return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
