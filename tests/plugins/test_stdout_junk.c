/*
 * test_stdout_junk — an experiment whose every iteration writes junk to
 * stdout: NUL bytes, invalid UTF-8, and text that looks like JSON results.
 * It exists so the tests can check that a plugin's stdout cannot corrupt
 * what the host reads or writes (results, the journal, its pipe protocol).
 * Its points succeed.
 */
#include <bhost/bhost.h>

#include <stdio.h>

static const char junk[] = "\0\x01\xff\xfe\xc3\x28 junk \x80\x80\n"
                           "{\"points\":[]}\n"
                           "]}\"\0\0{\"status\":\"ok\"\xed\xa0\x80\n";

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (fwrite(junk, 1, sizeof junk - 1, stdout) != sizeof junk - 1 || fflush(stdout) != 0)
        return bhost_fail(ctx, "could not write to stdout");
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_stdout_junk",
    .version = "1.0",
    .summary = "test plugin: writes junk bytes to stdout",
    .iterate = iterate,
};
