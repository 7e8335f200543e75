/* main.c — the bhost program; everything lives in cli.c and below. */
#include "cli/cli.h"

#ifdef BHOST_JEMALLOC
/*
 * The host's heap in transparent huge pages: each isolated point's fork()
 * copies the host's page tables, and a large sweep's host (its points and
 * tasks, about 0.5 KB a point) made that copy, not the point, the cost of
 * each point: 2.1 ms a point in a 100,000-point run against 1.0 ms in a
 * 10,000-point one, the same with huge pages (docs/performance.md). jemalloc
 * reads this at start-up; MALLOC_CONF in the environment still overrides it.
 */
const char *malloc_conf = "thp:always";
#endif

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
