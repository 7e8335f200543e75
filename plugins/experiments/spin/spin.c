/*
 * spin — busy work for a given number of nanoseconds.
 *
 * A known, adjustable amount of pure CPU work: it shows how a time of `ns`
 * comes out through the harness (overhead, clock resolution, frequency
 * scaling, preemption) and serves as a stand-in load for instruments.
 *
 *   calibrated  setup() measures how many rounds of an arithmetic kernel
 *               take `ns`; every iteration then runs exactly that many, so
 *               each does the same work and its time varies with the machine.
 *   clock       every iteration spins on the host clock until `ns` passed,
 *               so each takes the same time and the work varies.
 */
#include <bhost/bhost.h>

#include <stdlib.h>

enum spin_mode { SPIN_CALIBRATED = 0, SPIN_CLOCK = 1 };

struct spin {
    int mode;
    uint64_t ns;
    uint64_t rounds; /* calibrated mode: rounds per iteration */
    uint64_t x;      /* the kernel's state, carried from call to call */
};

/*
 * A build that does more (or less) work per iteration than `ns` says, by a
 * known factor (cc -DSPIN_WORK_SCALE=1.03): a second build with a known
 * slowdown, for checking comparisons (scripts/bench-compare.sh,
 * specs/claims_example.yaml). Calibrated mode only.
 */
#ifndef SPIN_WORK_SCALE
#define SPIN_WORK_SCALE 1.0
#endif

/* Calibration runs should last long enough that clock reads are noise. */
#define CALIBRATION_NS UINT64_C(2000000)

/*
 * `n` rounds of xorshift64 followed by a multiply: a serial dependency
 * chain with no closed form, so the compiler can neither fold nor skip it.
 * Not inlined, so calibration and iterations run the very same code.
 */
__attribute__((noinline)) static uint64_t spin_rounds(uint64_t x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x *= UINT64_C(0x2545f4914f6cdd1d);
    }
    __asm__ volatile("" : "+r"(x)); /* the result counts as used */
    return x;
}

static uint64_t timed_rounds(bhost_ctx *ctx, struct spin *s, uint64_t n)
{
    uint64_t t0 = bhost_now_ns(ctx);
    s->x = spin_rounds(s->x, n);
    return bhost_now_ns(ctx) - t0;
}

/* Nanoseconds per round, or a negative value if the clock does not move. */
static double ns_per_round(bhost_ctx *ctx, struct spin *s)
{
    uint64_t n = 1024, t;

    /* Double the batch until it lasts ~1/4 of a calibration run; this also
     * gives the core time to reach its working frequency. */
    for (;;) {
        t = timed_rounds(ctx, s, n);
        if (t >= CALIBRATION_NS / 4)
            break;
        if (n >= UINT64_C(1) << 36)
            return -1.0;
        n *= 2;
    }
    n = (uint64_t)((double)n * (double)CALIBRATION_NS / (double)t) + 1;

    /* The fastest of a few runs is the one least disturbed by the system. */
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 3; i++) {
        t = timed_rounds(ctx, s, n);
        if (t < best)
            best = t;
    }
    if (best == 0)
        return -1.0;
    return (double)best / (double)n;
}

static int spin_setup(bhost_ctx *ctx, void **state)
{
    struct spin *s = calloc(1, sizeof(*s));
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->mode = bhost_param_choice(ctx, "mode");
    s->ns = (uint64_t)bhost_param_int(ctx, "ns");
    s->x = bhost_seed(ctx) | 1; /* xorshift needs a non-zero state */

    if (s->mode == SPIN_CALIBRATED) {
        double per_round = ns_per_round(ctx, s);
        if (per_round <= 0.0) {
            free(s);
            return bhost_fail(ctx, "calibration failed: the clock does not advance");
        }
        s->rounds = (uint64_t)((double)s->ns * SPIN_WORK_SCALE / per_round + 0.5);
        bhost_gauge_set(ctx, "rounds", (double)s->rounds);
    }
    *state = s;
    return BHOST_OK;
}

static int spin_iterate(bhost_ctx *ctx, void *state)
{
    struct spin *s = state;

    if (s->mode == SPIN_CALIBRATED) {
        s->x = spin_rounds(s->x, s->rounds);
    } else {
        uint64_t end = bhost_now_ns(ctx) + s->ns;
        while (bhost_now_ns(ctx) < end)
            ;
    }
    return BHOST_OK;
}

static void spin_teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const char *const modes[] = { "calibrated", "clock", NULL };

static const struct bhost_param params[] = {
    { .name = "ns", .type = BHOST_INT, .def = "1000", .min = "0",
      .max = "10000000000", .unit = "ns",
      .doc = "how long one iteration spins" },
    { .name = "mode", .type = BHOST_ENUM, .def = "calibrated",
      .choices = modes,
      .doc = "calibrated: fixed work per iteration; clock: fixed time" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "spin",
    .version = "1.0",
    .summary = "busy CPU work for `ns` nanoseconds per iteration",
    .doc = "mode=calibrated runs a fixed number of arithmetic rounds per "
           "iteration, found at setup to take `ns` (gauge \"rounds\"); "
           "mode=clock spins on the host clock until `ns` have passed.",
    BHOST_PARAMS(params),
    .setup = spin_setup,
    .iterate = spin_iterate,
    .teardown = spin_teardown,
};
