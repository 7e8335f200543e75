/* spec_fixture.h — a registry of the test plugins and a one-call spec loader. */
#ifndef BHOST_TEST_SPEC_FIXTURE_H
#define BHOST_TEST_SPEC_FIXTURE_H

#include "plugin/registry.h"
#include "spec/load.h"

#include <stdlib.h>
#include <string.h>

static struct registry reg;
static char err[2048];

static int registry_setup(void **state)
{
    (void)state;
    const char *paths[] = {BHOST_TEST_PLUGIN_DIR};
    unsetenv("BHOST_PLUGIN_PATH");
    registry_init(&reg, paths, 1);
    registry_scan(&reg);
    return 0;
}

static int registry_teardown(void **state)
{
    (void)state;
    registry_free(&reg);
    return 0;
}

/* Loads `text` as t.yaml with the given --set overrides. */
static int load_spec(const char *text, struct spec *s, const char *const *sets, size_t nsets)
{
    err[0] = '\0';
    return spec_load_text(text, strlen(text), "t.yaml", &reg, sets, nsets, s, err, sizeof err);
}

#endif
