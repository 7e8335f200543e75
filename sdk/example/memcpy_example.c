/*
 * memcpy_example.c — a complete out-of-tree bhost experiment, as a template.
 *
 * It measures memcpy() of `bytes` bytes between two buffers allocated in
 * setup(). Build it against an installed SDK with either
 *     cmake -S . -B build && cmake --build build        (CMake package)
 *     cc -shared -fPIC $(pkg-config --cflags bhost) memcpy_example.c -o memcpy_example.so
 * and run it with `bhost --plugin-path build run spec.yaml`.
 */
#include <bhost/bhost.h>

#include <stdlib.h>
#include <string.h>

struct state {
    char *src, *dst;
    size_t bytes;
};

static int setup(bhost_ctx *ctx, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->bytes = (size_t)bhost_param_int(ctx, "bytes");
    s->src = malloc(s->bytes);
    s->dst = malloc(s->bytes);
    if (!s->src || !s->dst) {
        free(s->src);
        free(s->dst);
        free(s);
        return bhost_fail(ctx, "cannot allocate 2 x %zu bytes", (size_t)bhost_param_int(ctx, "bytes"));
    }
    memset(s->src, 0x5a, s->bytes);
    *out = s;
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    struct state *s = state;
    memcpy(s->dst, s->src, s->bytes);
    bhost_counter_add(ctx, "bytes_copied", (double)s->bytes);
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    struct state *s = state;
    (void)ctx;
    free(s->src);
    free(s->dst);
    free(s);
}

static const struct bhost_param params[] = {
    {.name = "bytes", .type = BHOST_INT, .def = "4096", .min = "1", .max = "1073741824",
     .unit = "bytes", .doc = "bytes copied per iteration"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "memcpy_example",
    .version = "1.0",
    .summary = "example out-of-tree plugin: memcpy() of `bytes` bytes",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
