/*
 * doc_fields.h — reading a results document for the artifact set: a value
 * found by its path, copied or null when a file (an older or merged one)
 * lacks it, and the head every file of the set starts with.
 */
#ifndef BHOST_DOC_FIELDS_H
#define BHOST_DOC_FIELDS_H

#include <jansson.h>

/* The value at `path` ("environment/os/kernel": object keys), or NULL. */
json_t *doc_at(const json_t *v, const char *path);
/* A deep copy of it, or JSON null when there is none. */
json_t *doc_copy(const json_t *v, const char *path);
/* Its string, or NULL. */
const char *doc_text(const json_t *v, const char *path);

/* {"schema": schema, "run": {"dir", "started_utc"}}: which run a file of the set is of. */
json_t *doc_head(const char *schema, const json_t *results);

#endif
