/*
 * test_newer_minor_compat — as if built by an SDK one minor newer than the
 * host, whose descriptor and parameter struct grew at their ends, but which
 * declares that it runs on this host's minor. The host must load it, read
 * only the fields it knows, step through the parameter table by the
 * plugin's own element size, and run it.
 */
#include <bhost/bhost.h>

struct newer_plugin {
    struct bhost_plugin base;
    void (*future_hook)(void);
    uint64_t future_field;
};

struct newer_param {
    struct bhost_param base;
    const char *future;
};

/* Never called: a host of this minor does not know the field exists. */
static void future_hook(void)
{
}

static int compat_iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    bhost_gauge_set(ctx, "alpha", (double)bhost_param_int(ctx, "alpha"));
    if (!bhost_param_str(ctx, "beta"))
        return bhost_fail(ctx, "param beta unreadable");
    return BHOST_OK;
}

static const struct newer_param params[] = {
    { .base = { .name = "alpha", .type = BHOST_INT, .def = "7",
                .doc = "an integer" },
      .future = "ignored by this host" },
    { .base = { .name = "beta", .type = BHOST_STRING, .def = "x",
                .doc = "a string" },
      .future = "ignored by this host" },
};

BHOST_EXPORT extern const struct newer_plugin bhost_plugin_v1;
BHOST_EXPORT const struct newer_plugin bhost_plugin_v1 = {
    .base = {
        .magic = BHOST_MAGIC,
        .abi_major = BHOST_ABI_MAJOR,
        .abi_minor = BHOST_ABI_MINOR + 1,
        .size = (uint32_t)sizeof(struct newer_plugin),
        .min_host_minor = BHOST_ABI_MINOR,
        .kind = BHOST_EXPERIMENT,
        .name = "test_newer_minor_compat",
        .version = "1.0",
        .summary = "test plugin: newer minor and larger structs, runs on this host",
        .params = &params[0].base,
        .param_count = (uint32_t)(sizeof(params) / sizeof(params[0])),
        .param_size = (uint32_t)sizeof(struct newer_param),
        .iterate = compat_iterate,
    },
    .future_hook = future_hook,
    .future_field = UINT64_C(0x0123456789abcdef),
};
