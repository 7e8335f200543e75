/*
 * write_synthetic_profile.c — writes the synthetic profile with each writer,
 * for tests/readers/ to open in real readers:
 * write_synthetic_profile DIR writes DIR/synthetic.{collapsed,json,svg}.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "synthetic_profile.h"

static int write_file(const char *dir, const char *name, int writer)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "w");
    if (!out) {
        fprintf(stderr, "write_synthetic_profile: %s: %s\n", path, strerror(errno));
        return -1;
    }
    const struct profile *p = synthetic_profile();
    struct flamegraph_options options = {.subtitle = "written by write_synthetic_profile"};
    int rc = writer == 0   ? profile_write_collapsed(p, out)
             : writer == 1 ? profile_write_speedscope(p, out, "bhost tests")
                           : profile_write_flamegraph(p, out, &options);
    if (rc < 0)
        fprintf(stderr, "write_synthetic_profile: %s: %s\n", path, strerror(errno));
    if (fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "write_synthetic_profile: %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_synthetic_profile DIR\n");
        return 2;
    }
    if (write_file(argv[1], "synthetic.collapsed", 0) < 0 ||
        write_file(argv[1], "synthetic.json", 1) < 0 || write_file(argv[1], "synthetic.svg", 2) < 0)
        return 1;
    return 0;
}
