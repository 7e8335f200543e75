/*
 * test_hotspots — an experiment whose CPU time is known to split 75 % / 25 %
 * between two functions, for the sampler's accuracy test. Each iteration
 * runs the same arithmetic loop 3 × n times in hot_75() and n times in
 * warm_25(): the split is in the work done, not in time measured, so
 * preemption on a busy machine does not move it. n varies from iteration to
 * iteration (0.5 to 1.5 × `work`, drawn from the point's seed), so that no
 * sampling clock, however regular (the kernel's tick), keeps step with the
 * iterations and sees one phase of them only. Built -O2 -fomit-frame-pointer
 * (tests/plugins/CMakeLists.txt): only DWARF unwinding gets from the loops
 * to their callers.
 */
#include <bhost/bhost.h>

#include <stdint.h>
#include <stdlib.h>

/* The loop, copied into each caller (so each is where its own time is spent). */
static inline __attribute__((always_inline)) uint64_t churn(uint64_t n, uint64_t x)
{
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        bhost_do_not_optimize(x);
    }
    return x;
}

/* noipa: neither inlined, cloned nor folded into one function by the compiler. */
static __attribute__((noipa)) uint64_t hot_75(uint64_t n, uint64_t x)
{
    return churn(3 * n, x);
}

static __attribute__((noipa)) uint64_t warm_25(uint64_t n, uint64_t x)
{
    return churn(n, x);
}

struct hotspots {
    uint64_t work;
    _Atomic uint64_t rng; /* SplitMix64's state, shared by the point's threads */
};

static int setup(bhost_ctx *ctx, void **state)
{
    struct hotspots *h = calloc(1, sizeof *h);
    if (!h)
        return bhost_fail(ctx, "out of memory");
    h->work = (uint64_t)bhost_param_int(ctx, "work");
    h->rng = bhost_seed(ctx);
    *state = h;
    return BHOST_OK;
}

static uint64_t next_random(_Atomic uint64_t *state)
{
    uint64_t z = *state += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct hotspots *h = state;
    uint64_t r = next_random(&h->rng);
    uint64_t n = h->work / 2 + r % (h->work + 1);
    uint64_t x = hot_75(n, r);
    x = warm_25(n, x);
    bhost_do_not_optimize(x);
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "work", .type = BHOST_INT, .def = "100000", .min = "2",
     .doc = "mean loop rounds of warm_25() per iteration (hot_75() runs three times as many)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_hotspots",
    .version = "1.0",
    .summary = "test plugin: CPU time split 75/25 between hot_75() and warm_25()",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
