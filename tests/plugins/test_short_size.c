/*
 * test_short_size — a descriptor claiming 12 bytes, fewer than the ABI
 * header itself: the host must refuse it rather than read past it.
 */
#include <bhost/bhost.h>

static int short_size_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    .magic = BHOST_MAGIC,
    .abi_major = BHOST_ABI_MAJOR,
    .abi_minor = BHOST_ABI_MINOR,
    .size = 12,
    .min_host_minor = BHOST_ABI_MINOR,
    .kind = BHOST_EXPERIMENT,
    .name = "test_short_size",
    .version = "1.0",
    .summary = "test plugin: descriptor size too small, must be refused",
    .iterate = short_size_iterate,
};
