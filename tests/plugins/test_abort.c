/*
 * test_abort — an experiment whose iterate() says so on stderr, then calls
 * abort(). It exists so the tests can check that the point fails with
 * SIGABRT and that the last lines of its stderr are kept as its reason.
 */
#include <bhost/bhost.h>

#include <stdio.h>
#include <stdlib.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    fputs("about to abort\n", stderr);
    abort();
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_abort",
    .version = "1.0",
    .summary = "test plugin: iterate() aborts",
    .iterate = iterate,
};
