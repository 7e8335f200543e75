/*
 * test_check — an experiment with a check() hook (ABI 1.2) that refuses the
 * point whose `n` equals `refuse_at`, and, on request, misbehaves in it:
 * crashes, exits, hangs, or uses a service a check may not use.
 */
#include <bhost/bhost.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum misbehave { NONE, CRASH, EXIT, HANG, MISUSE };

static int check_check(bhost_ctx *ctx)
{
    switch (bhost_param_choice(ctx, "misbehave")) {
    case CRASH:
        raise(SIGSEGV);
        break;
    case EXIT:
        exit(0);
    case HANG:
        for (;;)
            pause();
    case MISUSE:
        bhost_counter_add(ctx, "checked", 1);
        break;
    }
    int64_t n = bhost_param_int(ctx, "n");
    if (n == bhost_param_int(ctx, "refuse_at"))
        return bhost_fail(ctx, "n = %lld is refused (on %u threads, at %s)", (long long)n,
                          bhost_thread_count(ctx), bhost_point_label(ctx));
    return BHOST_OK;
}

static int check_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

static const char *const misbehaviours[] = {"none", "crash", "exit", "hang", "misuse", NULL};

static const struct bhost_param params[] = {
    {.name = "n", .type = BHOST_INT, .def = "1", .doc = "any number"},
    {.name = "refuse_at", .type = BHOST_INT, .def = "-1", .doc = "the n check() refuses"},
    {.name = "misbehave", .type = BHOST_ENUM, .def = "none", .choices = misbehaviours,
     .doc = "what check() does wrong first"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_check",
    .version = "1.0",
    .summary = "test plugin: a check() that refuses n = refuse_at, or misbehaves",
    BHOST_PARAMS(params),
    .iterate = check_iterate,
    .check = check_check,
};
