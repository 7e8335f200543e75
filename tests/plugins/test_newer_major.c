/*
 * test_newer_major — a plugin built for ABI major 2. It exports only
 * `bhost_plugin_v2`, so a major-1 host must refuse it for lacking
 * `bhost_plugin_v1` (and may say that it is built for a newer major).
 */
#include <bhost/bhost.h>

/* What a major-2 descriptor might start with: the ABI header and a name. */
struct v2_plugin {
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size;
    uint16_t min_host_minor;
    uint16_t kind;
    const char *name;
};

BHOST_EXPORT extern const struct v2_plugin bhost_plugin_v2;
BHOST_EXPORT const struct v2_plugin bhost_plugin_v2 = {
    .magic = BHOST_MAGIC,
    .abi_major = 2,
    .abi_minor = 0,
    .size = (uint32_t)sizeof(struct v2_plugin),
    .min_host_minor = 0,
    .kind = BHOST_EXPERIMENT,
    .name = "test_newer_major",
};
