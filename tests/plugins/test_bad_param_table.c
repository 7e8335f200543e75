/*
 * test_bad_param_table — a descriptor whose parameter table is broken the
 * way hand-written descriptors break: with BAD_COUNT defined, a count no
 * table could have (the host must refuse it before reading, not allocate
 * and walk gigabytes); otherwise a count with no table at all.
 */
#include <bhost/bhost.h>

#include <stdint.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
#ifdef BAD_COUNT
    .name = "test_huge_param_count",
    .params = (const struct bhost_param *)&bhost_plugin_v1,
    .param_count = UINT32_MAX,
#else
    .name = "test_no_param_table",
    .params = NULL,
    .param_count = 3,
#endif
    .param_size = sizeof(struct bhost_param),
    .version = "1.0",
    .summary = "test plugin: a broken parameter table",
    .iterate = iterate,
};
