/*
 * export_common.h — what every export format reads from a results document
 * (docs/results.md) in the same way: numbers as text that reads back to the
 * same double, parameter values as text, an experiment's swept parameters,
 * and the one figure a metric exports.
 */
#ifndef BHOST_EXPORT_COMMON_H
#define BHOST_EXPORT_COMMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Room for any double export_real_text() writes. */
#define EXPORT_REAL_TEXT 32

/* x in the fewest significant digits (at most 17) that strtod reads back as x, in %g's
 * form, except that a number below 1e17 with no fraction is written out in full
 * (1200, not 1.2e+03). */
void export_real_text(char buf[EXPORT_REAL_TEXT], double x);

/* Writes v, a JSON integer or real, as it reads back exactly (reals by export_real_text());
 * 1, or 0 and nothing written for anything else. */
int export_print_number(FILE *f, const json_t *v);

/* Whether v is a JSON number (integer or real); its value in *x. */
int export_number(const json_t *v, double *x);

/*
 * A parameter's value as a point's label writes it: an integer in decimal, a
 * real as export_real_text(), true or false, a string as it is. Malloc'd;
 * NULL for null and other JSON.
 */
char *export_value_text(const json_t *v);

/* The spec's entry for the experiment named `name` (spec.experiments[]), or NULL. */
const json_t *export_spec_experiment(const json_t *doc, const char *name);

/*
 * The experiment's swept parameters, in spec order: each parameter the spec
 * gives as a list, then "threads" when threads is an axis. A new array of
 * strings (empty for NULL).
 */
json_t *export_axes(const json_t *spec_experiment);

/*
 * Axis `name`'s value at `point` as export_value_text() writes it: its
 * params[name], else for "threads" its threads (1 in files from before
 * threads). NULL when it has none; *is_string says whether the value is a
 * string (someone's text, to be escaped) rather than a number or a bool.
 */
char *export_axis_text(const json_t *point, const char *name, int *is_string);

/*
 * The figure a metric exports: a counter's per_iteration, a gauge's value.
 * 0 and *x, or -1 when there is none (unavailable, null, not finite).
 */
int export_metric_figure(const json_t *metric, double *x);

/* The string member `key` of o, or `fallback` when it is absent or not a string. */
const char *export_text(const json_t *o, const char *key, const char *fallback);

#endif
