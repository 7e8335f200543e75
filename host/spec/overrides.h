/*
 * overrides.h — --set KEY=VALUE on top of a spec: KEY is a setting or a
 * parameter, for every experiment or (EXPERIMENT.KEY) one; VALUE is YAML,
 * so a list or a range makes an axis. An override decides its key wherever
 * the spec reads it, and one that decides nothing is an error.
 */
#ifndef BHOST_OVERRIDES_H
#define BHOST_OVERRIDES_H

#include "spec/reader.h"

struct spec;

struct override {
    char *text;      /* "key=value" as given */
    char *shown;     /* the same, safe to print (see escape_text) */
    char *label;     /* "--set key=value": the "file" its errors name */
    char *scope;     /* experiment name, or NULL for every experiment */
    char *key;
    struct src src;
    yaml_node_t *value;
    int loaded, used;
};

/* Parses the "key=value" texts into r->ov. 0, or -1 with the error in r->err. */
int overrides_load(struct reader *r, const char *const *texts, size_t n);
/*
 * The node that decides `key` for experiment `exp` (NULL for the spec's top
 * level): an override scoped to it, then an unscoped one, then `fallback`.
 */
struct ref overrides_decide(struct reader *r, const char *exp, const char *key,
                            struct ref fallback);
/* The node an override scoped to `scope` ("sampler.mode=wall") gives `key`, else
 * `fallback`: for an instrument's parameters, which unscoped overrides do not reach. */
struct ref overrides_decide_scoped(struct reader *r, const char *scope, const char *key,
                                   struct ref fallback);
/* Whether `key` is a setting (iterations, threads...), not a parameter. */
int overrides_is_setting(const char *key);
/* 0 if every override decided something; else -1 naming the first that did not. */
int overrides_check_used(struct reader *r, const struct spec *s);
void overrides_free(struct reader *r);

#endif
