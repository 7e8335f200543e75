/*
 * test_exit — an experiment whose iterate() says so on stderr, then calls
 * exit(3), running the process's atexit handlers. It exists so the tests can
 * check that the point fails with "exit status 3", that the host itself
 * does not exit, and that the host's stdio buffers, copied into a forked
 * child, are not written out a second time by the child's exit().
 */
#include <bhost/bhost.h>

#include <stdio.h>
#include <stdlib.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    fputs("exiting with 3\n", stderr);
    exit(3);
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_exit",
    .version = "1.0",
    .summary = "test plugin: iterate() calls exit(3)",
    .iterate = iterate,
};
