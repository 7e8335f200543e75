/*
 * test_alloc — an experiment whose iterations allocate a known amount with
 * malloc(): `count` blocks of `size` bytes each, of which `keep` stay
 * allocated until teardown() and the others are freed at once, so that the
 * tests can check what the alloc instrument counts.
 */
#include <bhost/bhost.h>

#include <stdlib.h>
#include <string.h>

/* A kept block starts with the link to the block kept before it on its thread. */
struct block {
    struct block *next;
};

struct test_alloc {
    size_t size;
    int64_t count, keep;
    struct block **kept; /* per thread */
};

static int setup(bhost_ctx *ctx, void **state)
{
    struct test_alloc *s = calloc(1, sizeof *s);
    if (s)
        s->kept = calloc(bhost_thread_count(ctx), sizeof *s->kept);
    if (!s || !s->kept) {
        free(s);
        return bhost_fail(ctx, "out of memory");
    }
    s->size = (size_t)bhost_param_int(ctx, "size");
    s->count = bhost_param_int(ctx, "count");
    s->keep = bhost_param_int(ctx, "keep");
    *state = s;
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    struct test_alloc *s = state;
    struct block **kept = &s->kept[bhost_thread_index(ctx)];
    for (int64_t i = 0; i < s->count; i++) {
        struct block *b = malloc(s->size);
        if (!b)
            return bhost_fail(ctx, "out of memory");
        memset(b, 0, s->size);
        bhost_do_not_optimize(b); /* or the compiler may drop the pair of calls */
        bhost_clobber_memory();
        if (i < s->keep) {
            b->next = *kept;
            *kept = b;
        } else {
            free(b);
        }
    }
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    struct test_alloc *s = state;
    for (uint32_t t = 0; t < bhost_thread_count(ctx); t++)
        while (s->kept[t]) {
            struct block *b = s->kept[t];
            s->kept[t] = b->next;
            free(b);
        }
    free(s->kept);
    free(s);
}

static const struct bhost_param params[] = {
    {.name = "size", .type = BHOST_INT, .def = "4096", .min = "16", .max = "1048576",
     .unit = "bytes", .doc = "bytes of each block"},
    {.name = "count", .type = BHOST_INT, .def = "8", .min = "1", .max = "1000",
     .doc = "blocks allocated per iteration"},
    {.name = "keep", .type = BHOST_INT, .def = "1", .min = "0", .max = "1000",
     .doc = "of those, blocks kept until teardown (the others are freed at once)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_alloc",
    .version = "1.0",
    .summary = "test plugin: allocates count blocks of size bytes per iteration, keeps keep",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
