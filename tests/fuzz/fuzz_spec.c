/*
 * fuzz_spec.c — libFuzzer target for the spec loader, spec_load_text().
 *
 * The input up to its first NUL byte is the spec's text; what follows is up
 * to MAX_OVERRIDES --set overrides, separated by NUL bytes. The plugins the
 * spec may name are the test plugins and the build tree's, scanned once.
 * The text is handed over in a buffer of exactly its length, with no NUL
 * after it, so that reading past `len` is an error AddressSanitizer reports.
 */
#include "plugin/registry.h"
#include "spec/load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OVERRIDES 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct registry reg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *paths[] = {BHOST_TEST_PLUGIN_DIR, BHOST_BUILD_PLUGIN_DIR};
    unsetenv("BHOST_PLUGIN_PATH");
    registry_init(&reg, paths, 2);
    registry_scan(&reg);
    return 0;
}

/* Every spec error names where: "fuzz.yaml:LINE:COLUMN: ..." or "--set ...". */
static void check_error(const char *err)
{
    unsigned line, column;
    char colon;
    if (strncmp(err, "--set", 5) == 0)
        return;
    if (sscanf(err, "fuzz.yaml:%u:%u%c", &line, &column, &colon) == 3 && colon == ':' &&
        line >= 1 && column >= 1)
        return;
    fprintf(stderr, "fuzz_spec: an error that names no line and column: %s\n", err);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t text_len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(text_len ? text_len : 1);
    if (!text)
        return 0;
    memcpy(text, data, text_len);

    char *rest = NULL;
    const char *overrides[MAX_OVERRIDES];
    size_t noverrides = 0;
    if (nul) {
        size_t rest_len = size - text_len - 1;
        rest = malloc(rest_len + 1);
        if (!rest) {
            free(text);
            return 0;
        }
        memcpy(rest, nul + 1, rest_len);
        rest[rest_len] = '\0';
        for (char *p = rest; noverrides < MAX_OVERRIDES && p <= rest + rest_len;
             p += strlen(p) + 1)
            overrides[noverrides++] = p;
    }

    struct spec s;
    char err[1024];
    if (spec_load_text(text, text_len, "fuzz.yaml", &reg, overrides, noverrides, &s, err,
                       sizeof err) == 0)
        spec_free(&s);
    else
        check_error(err);
    free(rest);
    free(text);
    return 0;
}
