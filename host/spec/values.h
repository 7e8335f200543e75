/*
 * values.h — the parameters of an experiment or instrument as a spec gives
 * them: one value (fixed), or a list or a range (an axis), each value
 * parsed and checked against the plugin's declaration (param_parse()).
 * Ranges are counted before they are generated, so that no spec can ask
 * for more values than the sweep's max_points.
 */
#ifndef BHOST_VALUES_H
#define BHOST_VALUES_H

#include "spec/reader.h"
#include "spec/spec.h"

/* The `params:` mapping of experiment e (may be a NULL node), overrides applied. */
int read_params(struct reader *r, struct ref map, struct spec_experiment *e);
/* A setting that is an axis of integers in [min, max] (`threads:`), like a parameter's. */
int read_int_axis(struct reader *r, struct ref at, const char *name, int64_t min, int64_t max,
                  struct spec_param *out);
/* The parameter of e that the spec sets for the plugin's parameter def_index, or NULL. */
struct spec_param *spec_param_find(struct spec_experiment *e, int def_index);
/* Every parameter of p, in its order, from `map` (may be a NULL node) and the
 * defaults; only single values (instruments take no axes). `owner` is named
 * when a required parameter is missing. */
int fixed_values(struct reader *r, struct ref map, struct ref owner, const struct plugin *p,
                 struct pvalue **out);

#endif
