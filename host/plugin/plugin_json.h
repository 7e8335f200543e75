/*
 * plugin_json.h — a checked plugin as JSON and back: what the scanning child
 * sends the host (scan.h) and what the scan cache keeps (scan_cache.h). The
 * reader checks what it is given again, so a damaged cache file is a rescan,
 * never a crash or a plugin the host did not check.
 */
#ifndef BHOST_PLUGIN_JSON_H
#define BHOST_PLUGIN_JSON_H

#include "plugin/plugin.h"

#include <jansson.h>

json_t *plugin_to_json(const struct plugin *p);
/* A plugin (not mapped: no handle, no hooks) from plugin_to_json()'s object; NULL and why. */
struct plugin *plugin_from_json(json_t *o, char *err, size_t errlen);

json_t *file_id_to_json(const struct file_id *id);
int file_id_from_json(json_t *o, struct file_id *id);

/* A value as JSON of its type: ints integers, floats reals, bools booleans, the rest strings. */
json_t *pvalue_json(const struct pvalue *v);
/* Every parameter of p with its value in v (plugin order), as a JSON object. */
json_t *plugin_params_json(const struct plugin *p, const struct pvalue *v);
/* Every parameter of defs with its value in v, as a JSON object: an experiment's, open ones
 * included (spec_experiment's defs). */
json_t *params_json(const struct pdef *defs, size_t n, const struct pvalue *v);

#endif
