/*
 * spec_yaml.h — a spec's YAML text (a file, or one --set value) into a
 * libyaml document, within limits: a linear pass over the events first
 * refuses text past SPEC_MAX_TEXT_BYTES, nesting past SPEC_MAX_DEPTH and
 * aliases past their budgets (below), before libyaml's loader, whose cost
 * grows with nesting and aliases, ever sees it. Errors name file:line:col.
 */
#ifndef BHOST_SPEC_YAML_H
#define BHOST_SPEC_YAML_H

#include <stddef.h>
#include <yaml.h>

/* Limits on the YAML itself, checked before libyaml builds the document. */
#define SPEC_MAX_TEXT_BYTES (4u << 20)   /* a spec file, or one --set value */
#define SPEC_MAX_DEPTH 64                /* nested lists and mappings */
#define SPEC_MAX_ANCHORS 1000
#define SPEC_MAX_ALIASES 1000            /* alias uses (*name) in one spec */
#define SPEC_MAX_ALIAS_BYTES (4u << 20)  /* text the aliases stand for, all together */

/* 0 and one document in *doc (yaml_document_delete it), or -1 and why in err. */
int spec_yaml_load(yaml_document_t *doc, const char *text, size_t len, const char *file,
                   char *err, size_t errlen);

#endif
