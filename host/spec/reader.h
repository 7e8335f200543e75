/*
 * reader.h — reading a spec's YAML document, the part every spec file
 * shares: libyaml's document API gives a tree whose every node carries its
 * position, so each check can point at the exact node it rejects
 * ("file:line:col: message" in the reader's err). --set values are YAML
 * documents of their own (overrides.h).
 */
#ifndef BHOST_READER_H
#define BHOST_READER_H

#include "plugin/registry.h"

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct override;

/* A YAML document and the name its positions are reported against. */
struct src {
    yaml_document_t doc;
    const char *file;
};

/* A node and where it comes from. */
struct ref {
    struct src *src;
    yaml_node_t *node;
};

struct reader {
    const struct registry *reg;
    struct override *ov;
    size_t nov;
    char *err;
    size_t errlen;
    uint64_t max_values;      /* max_points: no range may be longer */
    uint64_t points_before;   /* points of the experiments read so far (saturating) */
    uint64_t range_room;      /* values the next range may have before the sweep passes
                                 max_points, given the axes read so far */
    int shadowed;             /* the value read is replaced by a --set: check it only */
};

__attribute__((format(printf, 3, 4)))
int node_fail(struct reader *r, struct ref at, const char *fmt, ...);
/* "a scalar", "a list", "a mapping": what a node is, for messages. */
const char *node_kind(const yaml_node_t *n);
/* A scalar node's text. */
const char *node_text(const yaml_node_t *n);
/* An empty, "~" or "null" plain scalar. */
int node_is_null(const yaml_node_t *n);
/* 0 if `at` is a node of `type` (a scalar with a value); else an error naming `what`. */
int node_expect(struct reader *r, struct ref at, yaml_node_type_t type, const char *what);
/* The node `index` of parent's document. */
struct ref node_child(struct ref parent, int index);

#define FOR_PAIRS(map, pair)                                                                 \
    for (yaml_node_pair_t *pair = (map).node->data.mapping.pairs.start;                    \
         pair < (map).node->data.mapping.pairs.top; pair++)
#define FOR_ITEMS(seq, item)                                                                 \
    for (yaml_node_item_t *item = (seq).node->data.sequence.items.start;                   \
         item < (seq).node->data.sequence.items.top; item++)

/* Every key of `map` is a known, unrepeated scalar; `where` names the map in errors. */
int map_check_keys(struct reader *r, struct ref map, const char *const *known, size_t n,
                   const char *where);
/* The value of `key` in `map`, or a NULL node. */
struct ref map_get(struct ref map, const char *key);

/* Loads `text` as one YAML document into s (spec_yaml_load()); `file` names it in errors. */
int reader_load(struct src *s, const char *text, size_t len, const char *file, char *err,
                size_t errlen);

#endif
