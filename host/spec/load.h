/*
 * load.h — sweep specs: YAML in, a checked model (spec.h) out.
 *
 * spec_load() reads a spec with libyaml, resolves every plugin and parameter
 * against the registry and fills defaults, so that everything after it deals
 * only in valid values. Every error names file:line:column and what was
 * expected. The grammar is in docs/specs.md.
 */
#ifndef BHOST_LOAD_H
#define BHOST_LOAD_H

#include "plugin/registry.h"
#include "spec/spec.h"

#include <stddef.h>

/*
 * Loads `path`, applying `overrides` ("key=value", as given to --set) on top.
 * 0, or -1 with "file:line:col: message" in err.
 */
int spec_load(const char *path, const struct registry *reg, const char *const *overrides,
              size_t noverrides, struct spec *out, char *err, size_t errlen);
/* The same from text in memory; `label` stands for the file name in errors. */
int spec_load_text(const char *text, size_t len, const char *label, const struct registry *reg,
                   const char *const *overrides, size_t noverrides, struct spec *out,
                   char *err, size_t errlen);
#endif
