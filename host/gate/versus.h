/*
 * versus.h — the gates that judge this run against a baseline: a
 * max_regression on the comparison's ratio and interval (compare.h), and a
 * claim on where that interval lies; for failures, the ratio of failure
 * rates with the Katz interval; for a metric, the ratio of its values (one
 * per run: no interval).
 */
#ifndef BHOST_VERSUS_H
#define BHOST_VERSUS_H

#include "gate/context.h"

void regression_judge(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                      struct outcome *o);
void claim_judge(const struct gate_ctx *c, const struct spec_gate *g, const json_t *point,
                 struct outcome *o);

#endif
