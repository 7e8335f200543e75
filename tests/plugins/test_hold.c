/*
 * test_hold — an experiment that holds known resources while it runs, so
 * that the tests can find them in the resources instrument's samples:
 * `mib` MiB of memory written in setup() (resident until teardown), `fds`
 * descriptors opened in setup(), and per iteration `spin_ms` of busy CPU
 * and `write_kib` KiB written to a file in its scratch directory.
 */
#include <bhost/bhost.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS 64

struct test_hold {
    char *memory;
    int fds[MAX_FDS];
    int64_t nfds;
    int out;             /* the file iterations write to */
    uint64_t spin_ns;
    size_t write_bytes;
    char chunk[1024];
};

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct test_hold *s = state;
    for (int64_t i = 0; i < s->nfds; i++)
        close(s->fds[i]);
    if (s->out >= 0)
        close(s->out);
    free(s->memory);
    free(s);
}

/* Why setup() failed, after undoing what it did: a failed setup() gets no teardown(). */
static int give_up(bhost_ctx *ctx, struct test_hold *s, const char *what, int error)
{
    int rc = bhost_fail(ctx, "%s: %s", what, strerror(error));
    teardown(ctx, s);
    return rc;
}

static int setup(bhost_ctx *ctx, void **state)
{
    struct test_hold *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->out = -1;
    size_t bytes = (size_t)bhost_param_int(ctx, "mib") << 20;
    s->memory = malloc(bytes ? bytes : 1);
    if (!s->memory)
        return give_up(ctx, s, "malloc", ENOMEM);
    memset(s->memory, 1, bytes); /* written, so resident */
    bhost_do_not_optimize(s->memory);
    bhost_clobber_memory();
    int64_t want = bhost_param_int(ctx, "fds");
    for (; s->nfds < want; s->nfds++)
        if ((s->fds[s->nfds] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
            return give_up(ctx, s, "/dev/null", errno);
    const char *dir = bhost_scratch_dir(ctx);
    char path[4096];
    snprintf(path, sizeof path, "%s/out", dir ? dir : ".");
    s->out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s->out < 0)
        return give_up(ctx, s, path, errno);
    s->spin_ns = (uint64_t)bhost_param_int(ctx, "spin_ms") * 1000000u;
    s->write_bytes = (size_t)bhost_param_int(ctx, "write_kib") << 10;
    memset(s->chunk, 'x', sizeof s->chunk);
    *state = s;
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    struct test_hold *s = state;
    uint64_t until = bhost_now_ns(ctx) + s->spin_ns;
    while (bhost_now_ns(ctx) < until)
        ;
    for (size_t done = 0; done < s->write_bytes; done += sizeof s->chunk)
        if (write(s->out, s->chunk, sizeof s->chunk) != (ssize_t)sizeof s->chunk)
            return bhost_fail(ctx, "write: %s", strerror(errno));
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "mib", .type = BHOST_INT, .def = "64", .min = "0", .max = "4096", .unit = "MiB",
     .doc = "memory written in setup and held until teardown"},
    {.name = "fds", .type = BHOST_INT, .def = "0", .min = "0", .max = "64",
     .doc = "descriptors opened in setup and held until teardown"},
    {.name = "spin_ms", .type = BHOST_INT, .def = "20", .min = "0", .max = "10000", .unit = "ms",
     .doc = "busy CPU per iteration"},
    {.name = "write_kib", .type = BHOST_INT, .def = "0", .min = "0", .max = "65536",
     .unit = "KiB", .doc = "written to a scratch file per iteration"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_hold",
    .version = "1.0",
    .summary = "test plugin: holds memory and descriptors, spins and writes per iteration",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
