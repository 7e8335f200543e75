/*
 * test_newer_minor — built by an SDK one minor newer than the host, and
 * needing that newer host: the host must refuse it.
 */
#include <bhost/bhost.h>

static int newer_minor_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    .magic = BHOST_MAGIC,
    .abi_major = BHOST_ABI_MAJOR,
    .abi_minor = BHOST_ABI_MINOR + 1,
    .size = (uint32_t)sizeof(struct bhost_plugin),
    .min_host_minor = BHOST_ABI_MINOR + 1,
    .kind = BHOST_EXPERIMENT,
    .name = "test_newer_minor",
    .version = "1.0",
    .summary = "test plugin: needs a newer host minor, must be refused",
    .iterate = newer_minor_iterate,
};
