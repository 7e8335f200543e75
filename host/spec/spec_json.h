/*
 * spec_json.h — the spec as it runs, as JSON: results.json's `spec` and
 * run.json's, which --resume compares to know the spec still resolves the
 * same way. A setting is written only when the spec sets it or it differs
 * from what bhost did before the setting existed, so that runs begun by an
 * older bhost still resume.
 */
#ifndef BHOST_SPEC_JSON_H
#define BHOST_SPEC_JSON_H

#include "spec/spec.h"

#include <jansson.h>

/* The spec as it will run (overrides applied, defaults filled). */
json_t *spec_to_json(const struct spec *s);

#endif
