/*
 * check.h — a check ("p99 < 2ms", "failures == 0") judged on this run: at
 * one point, or once for the run for the run.* figures. The figure's value
 * comes from the point's results (docs/results.md): a histogram's summary,
 * or its hdr for a percentile the summary lacks.
 */
#ifndef BHOST_CHECK_H
#define BHOST_CHECK_H

#include "gate/context.h"

void check_judge_point(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                       struct outcome *o);
void check_judge_run(const struct gate_ctx *c, const struct spec_gate *g, struct outcome *o);

#endif
