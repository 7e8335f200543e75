/*
 * reader.c — walking a spec's YAML document (see reader.h): every check
 * names the node it rejects, as file:line:column.
 */
#include "spec/reader.h"
#include "spec/spec_yaml.h"
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int node_fail(struct reader *r, struct ref at, const char *fmt, ...)
{
    int used = snprintf(r->err, r->errlen, "%s:%lu:%lu: ", at.src->file,
                        (unsigned long)at.node->start_mark.line + 1,
                        (unsigned long)at.node->start_mark.column + 1);
    if (used < 0 || (size_t)used >= r->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + used, r->errlen - (size_t)used, fmt, ap);
    va_end(ap);
    return -1;
}

const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

const char *node_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

int node_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *t = node_text(n);
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0;
}

int node_expect(struct reader *r, struct ref at, yaml_node_type_t type, const char *what)
{
    if (at.node->type == type && !(type == YAML_SCALAR_NODE && node_is_null(at.node)))
        return 0;
    return node_fail(r, at, "expected %s, got %s", what,
                   node_is_null(at.node) ? "no value" : node_kind(at.node));
}

struct ref node_child(struct ref parent, int index)
{
    return (struct ref){parent.src, yaml_document_get_node(&parent.src->doc, index)};
}

/* Every key is a known, unrepeated scalar. */
int map_check_keys(struct reader *r, struct ref map, const char *const *known, size_t n,
                      const char *where)
{
    FOR_PAIRS(map, p) {
        struct ref key = node_child(map, p->key);
        if (node_expect(r, key, YAML_SCALAR_NODE, "a key name") != 0)
            return -1;
        const char *k = node_text(key.node);
        size_t i = 0;
        while (i < n && strcmp(known[i], k) != 0)
            i++;
        if (i == n) {
            const char *near = closest_name(k, known, n);
            char list[512];
            join_names(list, sizeof list, known, n);
            if (near)
                return node_fail(r, key, "unknown key '%s' in %s (did you mean '%s'?)", k, where,
                               near);
            return node_fail(r, key, "unknown key '%s' in %s; expected one of: %s", k, where, list);
        }
        for (yaml_node_pair_t *q = map.node->data.mapping.pairs.start; q < p; q++) {
            struct ref prev = node_child(map, q->key);
            if (prev.node->type == YAML_SCALAR_NODE && strcmp(node_text(prev.node), k) == 0)
                return node_fail(r, key, "duplicate key '%s' (first given at line %lu)", k,
                               (unsigned long)prev.node->start_mark.line + 1);
        }
    }
    return 0;
}

/* The value of `key` in `map`, or a NULL node. */
struct ref map_get(struct ref map, const char *key)
{
    if (map.node && map.node->type == YAML_MAPPING_NODE) {
        FOR_PAIRS(map, p) {
            struct ref k = node_child(map, p->key);
            if (k.node->type == YAML_SCALAR_NODE && strcmp(node_text(k.node), key) == 0)
                return node_child(map, p->value);
        }
    }
    return (struct ref){map.src, NULL};
}


int reader_load(struct src *s, const char *text, size_t len, const char *file,
                     char *err, size_t errlen)
{
    s->file = file;
    return spec_yaml_load(&s->doc, text, len, file, err, errlen);
}
