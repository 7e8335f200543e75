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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_table_says_what_it_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
