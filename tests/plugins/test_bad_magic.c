/*
 * test_bad_magic — a valid experiment except for its descriptor's magic
 * number: the host must refuse it without running any of its code.
 */
#include <bhost/bhost.h>

static int bad_magic_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    .magic = 0xdeadbeefu,
    .abi_major = BHOST_ABI_MAJOR,
    .abi_minor = BHOST_ABI_MINOR,
    .size = (uint32_t)sizeof(struct bhost_plugin),
    .min_host_minor = BHOST_ABI_MINOR,
    .kind = BHOST_EXPERIMENT,
    .name = "test_bad_magic",
    .version = "1.0",
    .summary = "test plugin: wrong magic, must be refused",
    .iterate = bad_magic_iterate,
};
