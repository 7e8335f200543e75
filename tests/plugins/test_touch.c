/*
 * test_touch — an experiment whose iterations each map `pages` fresh pages
 * of anonymous memory, write to every one and unmap them: at least `pages`
 * page faults per iteration, which the tests check the perf instrument
 * counts. Huge pages are refused for the mapping, since one huge page
 * would take a single fault for many small ones.
 */
#include <bhost/bhost.h>

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (size_t)bhost_param_int(ctx, "pages");
    char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return bhost_fail(ctx, "mmap: %s", strerror(errno));
    madvise(p, pages * page, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < pages; i++)
        p[i * page] = 1;
    bhost_clobber_memory();
    munmap(p, pages * page);
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "pages", .type = BHOST_INT, .def = "64", .min = "1", .max = "65536",
     .unit = "pages", .doc = "fresh pages mapped and written per iteration"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_touch",
    .version = "1.0",
    .summary = "test plugin: maps, writes and unmaps fresh pages every iteration",
    BHOST_PARAMS(params),
    .iterate = iterate,
};
