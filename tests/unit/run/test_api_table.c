/*
 * test_api_table.c — the host's table of services (struct bhost_api) as the
 * ABI rules of docs/sdk.md say plugins see it. What each service does is
 * tested end to end through the test_services plugin (test_reference_plugins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/services.h"

/* The host table carries its size, and BHOST_API_HAS reads it: a plugin on an
 * older host (a shorter table) sees later services as absent. */
static void host_table_says_what_it_has(void **state)
{
    (void)state;
    assert_int_equal(host_api.size, sizeof(struct bhost_api));
    assert_int_equal(host_api.abi_major, BHOST_ABI_MAJOR);
    assert_int_equal(host_api.abi_minor, BHOST_ABI_MINOR);
    assert_true(BHOST_API_HAS(&host_api, now_ns));
    assert_non_null(host_api.now_ns);
    struct bhost_api older = host_api;
    older.size = (uint32_t)offsetof(struct bhost_api, point_id);
    assert_true(BHOST_API_HAS(&older, scratch_dir));
    assert_false(BHOST_API_HAS(&older, point_id));
    assert_false(BHOST_API_HAS(&older, now_ns));
    /* The context is frozen at one pointer for all of major 1. */
    assert_int_equal(sizeof(bhost_ctx), sizeof(void *));
}

/* On a 1.1 host (a table that ends before the 1.2 services) the 1.2 wrappers do what the
 * header says instead: nothing, or NULL. They never call past the table's end: these calls
 * would crash on a context that is not the host's if they did. */
static void the_1_2_wrappers_fall_back_on_a_1_1_host(void **state)
{
    (void)state;
    const void *slots[] = {(const void *)host_api.unavailablev, (const void *)host_api.notev,
                           (const void *)host_api.table_get, (const void *)host_api.table_row,
                           (const void *)host_api.point_label};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        assert_non_null(slots[i]);
    struct bhost_api older = host_api;
    older.size = (uint32_t)offsetof(struct bhost_api, unavailablev);
    older.abi_minor = 1;
    bhost_ctx ctx = {.api = &older};
    static const struct bhost_column cols[] = {{"x", ""}};
    bhost_table *t = bhost_table_get(&ctx, "t", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(cols)));
    assert_null(t);
    bhost_table_row(&ctx, (bhost_table *)&older, (struct bhost_cell[]){BHOST_NUMBER(1)});
    bhost_unavailable(&ctx, "cycles", "no %s", "PMU");
    bhost_note(&ctx, "method", "none");
    assert_null(bhost_point_label(&ctx));
    assert_true(BHOST_API_HAS(&older, artifact_path));
    assert_false(BHOST_API_HAS(&older, point_label));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_table_says_what_it_has),
        cmocka_unit_test(the_1_2_wrappers_fall_back_on_a_1_1_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
