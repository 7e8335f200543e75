/*
 * gates_read.c — a spec's `gates:` (see gates_read.h): the YAML around each
 * gate here, the text inside it in gate_text.c.
 */
#include "spec/gates_read.h"
#include "spec/gate_text.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>

/* A gate's text error at its token: the scalar's column plus the token's (in characters). */
static int text_fail(struct reader *r, struct ref at, const struct gate_text_error *e)
{
    const yaml_node_t *n = at.node;
    unsigned long col = (unsigned long)n->start_mark.column + 1;
    /* A scalar over several lines (folded, or a block) has no one column to add to. */
    if (n->start_mark.line == n->end_mark.line) {
        const unsigned char *t = (const unsigned char *)node_text(n);
        col += n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
               n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        for (size_t i = 0; i < e->at && t[i]; i++)
            col += (t[i] & 0xC0) != 0x80;
    }
    snprintf(r->err, r->errlen, "%s:%lu:%lu: %s", at.src->file,
             (unsigned long)n->start_mark.line + 1, col, e->msg);
    return -1;
}

static struct spec_gate *new_gate(struct spec_gates *gs, size_t *cap, struct ref at, char *text,
                                  enum spec_gate_kind kind, struct ref points)
{
    grow(&gs->items, cap, gs->n, sizeof *gs->items);
    struct spec_gate *g = &gs->items[gs->n++];
    g->kind = kind;
    g->text = text;
    g->line = (unsigned)at.node->start_mark.line + 1;
    g->column = (unsigned)at.node->start_mark.column + 1;
    g->points = points.node ? xstrdup(node_text(points.node)) : NULL;
    return g;
}

static int read_check(struct reader *r, struct ref at, struct ref points, struct spec_gates *gs,
                      size_t *cap)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, "a check, as in 'p99 < 2ms'") != 0)
        return -1;
    const char *t = node_text(at.node);
    struct spec_gate *g = new_gate(gs, cap, at, xstrdup(t), SPEC_GATE_CHECK, points);
    struct gate_text_error e;
    if (gate_parse_check(t, g, &e) != 0)
        return text_fail(r, at, &e);
    if (points.node && gate_figure_is_run(g->figure))
        return node_fail(r, points, "'%s' is judged once for the whole run: 'points:' does not "
                         "apply to it", t);
    return 0;
}

static int read_claim(struct reader *r, struct ref at, struct ref points, struct spec_gates *gs,
                      size_t *cap)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, "a claim, as in 'p50 30%..40% faster'") != 0)
        return -1;
    const char *t = node_text(at.node);
    struct spec_gate *g = new_gate(gs, cap, at, xasprintf("claim: %s", t), SPEC_GATE_CLAIM,
                                   points);
    struct gate_text_error e;
    return gate_parse_claim(t, g, &e) == 0 ? 0 : text_fail(r, at, &e);
}

/* One figure's limit of max_regression: `fig` names the figure (NULL: p50), `val` the limit. */
static int read_limit(struct reader *r, struct ref fig, struct ref val, struct ref points,
                      struct spec_gates *gs, size_t *cap)
{
    if (node_expect(r, val, YAML_SCALAR_NODE, "a percentage, as in 5%") != 0)
        return -1;
    const char *v = node_text(val.node);
    char *text = fig.node ? xasprintf("max_regression: {%s: %s}", node_text(fig.node), v)
                          : xasprintf("max_regression: %s", v);
    struct spec_gate *g = new_gate(gs, cap, fig.node ? fig : val, text,
                                   SPEC_GATE_MAX_REGRESSION, points);
    struct gate_text_error e;
    if (!fig.node) {
        g->figure = SPEC_FIG_PERCENTILE;
        g->percentile = 50;
        g->histogram = xstrdup("iteration");
    } else if (gate_parse_compared_figure(node_text(fig.node), g, &e) != 0) {
        return text_fail(r, fig, &e);
    }
    return gate_parse_percent(v, &g->limit, &e) == 0 ? 0 : text_fail(r, val, &e);
}

static int read_max_regression(struct reader *r, struct ref at, struct ref points,
                               struct spec_gates *gs, size_t *cap)
{
    struct ref none = {at.src, NULL};
    if (at.node->type == YAML_SCALAR_NODE)
        return read_limit(r, none, at, points, gs, cap);
    if (node_expect(r, at, YAML_MAPPING_NODE, "a percentage (5%) or {FIGURE: PERCENT, ...}") != 0)
        return -1;
    if (at.node->data.mapping.pairs.start == at.node->data.mapping.pairs.top)
        return node_fail(r, at, "max_regression is empty: give a percentage (5%%) or "
                         "{FIGURE: PERCENT, ...}");
    FOR_PAIRS(at, p) {
        struct ref key = node_child(at, p->key);
        if (node_expect(r, key, YAML_SCALAR_NODE, "a figure, as in p99") != 0)
            return -1;
        for (yaml_node_pair_t *q = at.node->data.mapping.pairs.start; q < p; q++)
            if (strcmp(node_text(node_child(at, q->key).node), node_text(key.node)) == 0)
                return node_fail(r, key, "duplicate figure '%s' in max_regression",
                                 node_text(key.node));
        if (read_limit(r, key, node_child(at, p->value), points, gs, cap) != 0)
            return -1;
    }
    return 0;
}

static int read_gate(struct reader *r, struct ref item, struct spec_gates *gs, size_t *cap)
{
    struct ref none = {item.src, NULL};
    if (item.node->type == YAML_SCALAR_NODE)
        return read_check(r, item, none, gs, cap);
    if (node_expect(r, item, YAML_MAPPING_NODE, "a gate: a check ('p99 < 2ms') or a mapping "
                    "with check, max_regression or claim") != 0)
        return -1;
    static const char *const keys[] = {"check", "max_regression", "claim", "points"};
    if (map_check_keys(r, item, keys, ARRAY_LEN(keys), "a gate") != 0)
        return -1;
    const char *kind = NULL;
    FOR_PAIRS(item, p) {
        struct ref key = node_child(item, p->key);
        const char *k = node_text(key.node);
        if (strcmp(k, "points") == 0)
            continue;
        if (kind)
            return node_fail(r, key, "a gate is one of check, max_regression or claim: this one "
                             "has both '%s' and '%s' (write two gates)", kind, k);
        kind = k;
    }
    if (!kind)
        return node_fail(r, item, "a gate needs one of 'check:', 'max_regression:' or 'claim:'");
    struct ref points = map_get(item, "points");
    if (points.node) {
        if (node_expect(r, points, YAML_SCALAR_NODE, "a label glob or a point id") != 0)
            return -1;
        if (!*node_text(points.node))
            return node_fail(r, points, "points is empty: give a label glob or a point id");
    }
    struct ref at = map_get(item, kind);
    if (strcmp(kind, "check") == 0)
        return read_check(r, at, points, gs, cap);
    if (strcmp(kind, "claim") == 0)
        return read_claim(r, at, points, gs, cap);
    return read_max_regression(r, at, points, gs, cap);
}

int read_gates(struct reader *r, struct ref at, struct spec_gates *out)
{
    if (node_expect(r, at, YAML_SEQUENCE_NODE, "a list of gates") != 0)
        return -1;
    size_t cap = out->n;
    FOR_ITEMS(at, it)
        if (read_gate(r, node_child(at, *it), out, &cap) != 0)
            return -1;
    return 0;
}
