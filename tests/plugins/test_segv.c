/*
 * test_segv — an experiment whose iterate() writes to a page it may not
 * touch: a real SIGSEGV from the MMU, not a raised one (and not a NULL store,
 * which UBSan would report and turn into exit(1) in sanitized builds). It
 * exists so the tests can check that a crashing point fails alone, with
 * "SIGSEGV" as its reason, and the run goes on.
 */
#include <bhost/bhost.h>

#include <sys/mman.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return bhost_fail(ctx, "mmap failed");
    *(volatile int *)page = 42;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_segv",
    .version = "1.0",
    .summary = "test plugin: iterate() segfaults",
    .iterate = iterate,
};
