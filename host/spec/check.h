/*
 * check.h — a loaded spec's parameter values put to the plugins' own
 * check() hooks (ABI 1.2): each instrument attachment once, each sweep
 * point of an experiment once, before anything runs.
 */
#ifndef BHOST_SPEC_CHECK_H
#define BHOST_SPEC_CHECK_H

#include "plugin/registry.h"
#include "spec/spec.h"
#include "spec/sweep.h"

#include <stddef.h>

/*
 * 0 when every check passes (or no plugin of the spec has one); else -1 and
 * "file:line:col: experiment 'x', point LABEL: why" (or "instrument 'x'")
 * in err.
 */
int spec_check(struct registry *reg, const struct spec *s, const struct sweep *w, char *err,
               size_t errlen);

#endif
