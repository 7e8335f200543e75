/*
 * context.h — what judging the gates of one run shares: the input, the
 * baseline's points by id and the comparison's figures by point, histogram
 * and figure (each found in one look-up, however many points), and a
 * point's fields read the same way everywhere.
 */
#ifndef BHOST_CONTEXT_H
#define BHOST_CONTEXT_H

#include "gate/gate.h"
#include "gate/outcome.h"

#include <jansson.h>

struct gate_ctx {
    const struct gate_input *in;
    json_t *baseline_by_id; /* id -> the baseline's point; NULL without a baseline */
    json_t *figures;        /* "id\x1fhistogram\x1ffigure" -> index in in->vs->figs */
    double threshold;       /* for "unchanged" claims */
};

void gate_ctx_init(struct gate_ctx *c, const struct gate_input *in);
void gate_ctx_free(struct gate_ctx *c);

/* The baseline's point with this point's id, or NULL. */
const json_t *gate_ctx_baseline_point(const struct gate_ctx *c, const json_t *point);
/* The comparison's figure for g at this point, or NULL (no comparison, or not in it). */
const struct compare_figure *gate_ctx_figure(const struct gate_ctx *c, const json_t *point,
                                             const struct spec_gate *g);

/* A string field of a point, or "" (point_error: "no error given"). */
const char *point_text(const json_t *point, const char *key);
const char *point_error(const json_t *point);
/* Its status is "failed" or "partial" / "skipped". */
/* Why a gate that needs a baseline is not judged: none asked for, or none yet. */
const char *gate_no_baseline(const struct gate_ctx *c);
int point_failed(const json_t *point);
int point_skipped(const json_t *point);
/*
 * A point lacks what a gate looks at (`what`: "iteration histogram"): not
 * judged if it was skipped or lacks it for no fault of its own, missed if
 * it failed.
 */
void point_lacks(const json_t *point, const char *what, struct outcome *o);

#endif
