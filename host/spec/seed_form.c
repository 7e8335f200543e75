/* seed_form.c — see seed_form.h. */
#include "spec/seed_form.h"

#include <string.h>

/* The seed suite's instrumentation names, and what bhost calls them (NULL: built in). */
static const struct {
    const char *seed, *bhost;
} instrumentation[] = {{"timing", NULL}, {"psutil", "resources"}, {"cprofile", "sampler"}};

static yaml_node_t *node(struct src *src, int id)
{
    return yaml_document_get_node(&src->doc, id);
}

/* The id of the value of `key` in the root mapping, its key's id in *key_id; 0 if absent. */
static int root_value(struct src *src, const char *key, int *key_id)
{
    yaml_node_t *root = yaml_document_get_root_node(&src->doc);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(src, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
            if (key_id)
                *key_id = p->key;
            return p->value;
        }
    }
    return 0;
}

/* A new node placed where `like` is in the file. */
static int placed(struct src *src, int id, int like)
{
    if (id) {
        node(src, id)->start_mark = node(src, like)->start_mark;
        node(src, id)->end_mark = node(src, like)->end_mark;
    }
    return id;
}

static int scalar(struct src *src, const char *text, int like)
{
    return placed(src, yaml_document_add_scalar(&src->doc, NULL, (const yaml_char_t *)text, -1,
                                                 YAML_PLAIN_SCALAR_STYLE), like);
}

static void drop_root_pair(struct src *src, const char *key)
{
    yaml_node_t *root = yaml_document_get_root_node(&src->doc);
    yaml_node_pair_t *p = root->data.mapping.pairs.start, *top = root->data.mapping.pairs.top;
    for (; p < top; p++) {
        yaml_node_t *k = node(src, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
            memmove(p, p + 1, (size_t)(top - p - 1) * sizeof *p);
            root->data.mapping.pairs.top--;
            return;
        }
    }
}

/* params, with the pairs of a nested mapping lifted to its level. */
static int flat_params(struct src *src, int params)
{
    if (node(src, params)->type != YAML_MAPPING_NODE)
        return params; /* read_params says what is wrong with it */
    int flat = placed(src, yaml_document_add_mapping(&src->doc, NULL, YAML_BLOCK_MAPPING_STYLE),
                      params);
    for (size_t i = 0;; i++) {
        yaml_node_t *p = node(src, params); /* adding nodes may move them */
        if (i >= (size_t)(p->data.mapping.pairs.top - p->data.mapping.pairs.start))
            break;
        yaml_node_pair_t pair = p->data.mapping.pairs.start[i];
        yaml_node_t *v = node(src, pair.value);
        if (v->type != YAML_MAPPING_NODE) {
            if (!yaml_document_append_mapping_pair(&src->doc, flat, pair.key, pair.value))
                return 0;
            continue;
        }
        for (size_t j = 0;; j++) {
            v = node(src, pair.value);
            if (j >= (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start))
                break;
            yaml_node_pair_t inner = v->data.mapping.pairs.start[j];
            if (!yaml_document_append_mapping_pair(&src->doc, flat, inner.key, inner.value))
                return 0;
        }
    }
    return flat;
}

/* instrumentation: [...] as bhost's instruments: [...]. */
static int instruments(struct src *src, int list)
{
    if (node(src, list)->type != YAML_SEQUENCE_NODE)
        return list;
    int out = placed(src, yaml_document_add_sequence(&src->doc, NULL, YAML_FLOW_SEQUENCE_STYLE),
                     list);
    for (size_t i = 0;; i++) {
        yaml_node_t *l = node(src, list);
        if (!out || i >= (size_t)(l->data.sequence.items.top - l->data.sequence.items.start))
            break;
        int item = l->data.sequence.items.start[i];
        yaml_node_t *n = node(src, item);
        size_t k = 0;
        while (n->type == YAML_SCALAR_NODE && k < sizeof instrumentation / sizeof *instrumentation &&
               strcmp((const char *)n->data.scalar.value, instrumentation[k].seed) != 0)
            k++;
        if (k < sizeof instrumentation / sizeof *instrumentation && !instrumentation[k].bhost)
            continue; /* timing: the host times every iteration anyway */
        int id = k < sizeof instrumentation / sizeof *instrumentation
                     ? scalar(src, instrumentation[k].bhost, item)
                     : item;
        if (!id || !yaml_document_append_sequence_item(&src->doc, out, id))
            return 0;
    }
    return out;
}

int seed_form_rewrite(struct reader *r, struct src *src)
{
    yaml_node_t *root = yaml_document_get_root_node(&src->doc);
    int experiment_key, params_key = 0, instrumentation_key = 0, list_key;
    if (!root || root->type != YAML_MAPPING_NODE)
        return 0;
    int experiment = root_value(src, "experiment", &experiment_key);
    if (!experiment)
        return 0;
    int root_id = (int)(root - src->doc.nodes.start) + 1;
    if (root_value(src, "experiments", &list_key))
        return node_fail(r, (struct ref){src, node(src, list_key)},
                         "a spec has 'experiment:' (one experiment, the seed suite's form) or "
                         "'experiments:' (a list), not both");
    int params = root_value(src, "params", &params_key);
    int used = root_value(src, "instrumentation", &instrumentation_key);
    int entry = placed(src, yaml_document_add_mapping(&src->doc, NULL, YAML_BLOCK_MAPPING_STYLE),
                       experiment_key);
    int ok = entry && yaml_document_append_mapping_pair(&src->doc, entry, experiment_key,
                                                        experiment);
    if (ok && params) {
        int flat = flat_params(src, params);
        ok = flat && yaml_document_append_mapping_pair(&src->doc, entry, params_key, flat);
    }
    if (ok && used) {
        int list = instruments(src, used);
        int key = scalar(src, "instruments", instrumentation_key);
        ok = list && key && yaml_document_append_mapping_pair(&src->doc, entry, key, list);
    }
    int list = ok ? placed(src, yaml_document_add_sequence(&src->doc, NULL,
                                                           YAML_BLOCK_SEQUENCE_STYLE),
                           experiment_key) : 0;
    int key = list ? scalar(src, "experiments", experiment_key) : 0;
    if (!key || !yaml_document_append_sequence_item(&src->doc, list, entry))
        return snprintf(r->err, r->errlen, "%s: out of memory reading the spec", src->file), -1;
    drop_root_pair(src, "experiment");
    drop_root_pair(src, "params");
    drop_root_pair(src, "instrumentation");
    if (!yaml_document_append_mapping_pair(&src->doc, root_id, key, list))
        return snprintf(r->err, r->errlen, "%s: out of memory reading the spec", src->file), -1;
    return 0;
}
