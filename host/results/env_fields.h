/*
 * env_fields.h — the fields of a results document that matter to its timings when two runs
 * are set side by side (docs/compare.md, "Environment"): `bhost compare` flags the ones
 * that differ between A and B, and `bhost merge` lists those that differ between the runs
 * it merged (run.environments_differ).
 */
#ifndef BHOST_ENV_FIELDS_H
#define BHOST_ENV_FIELDS_H

#include <jansson.h>
#include <stddef.h>

struct env_field {
    const char *name; /* as reported: "cpu.model" */
    const char *path; /* object keys from the document's top, joined by '/' */
};

extern const struct env_field env_fields[];
extern const size_t env_field_count;

/* The value at `path` in doc, or NULL when a key on the way is absent (null is a value). */
json_t *env_field_at(const json_t *doc, const char *path);

#endif
