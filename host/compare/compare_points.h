/*
 * compare_points.h — what is not a timing, compared for one point matched
 * in two runs: its status, its failed iterations and its metrics.
 */
#ifndef BHOST_COMPARE_POINTS_H
#define BHOST_COMPARE_POINTS_H

#include <jansson.h>

/*
 * The point as compare.h's result->points holds it: {"id", "label",
 * "status": {"a", "b"}, "failures": {"a", "b"}, "success_rate": {"a", "b"},
 * "metrics": {name: {"kind", "a", "b", "ratio"}} (counters and gauges that
 * both sides have, with a value; ratio b/a, null when a is 0),
 * "more_failures": bool, "why": text or null}. More failures: A ok and B
 * failed or partial, or more failed iterations in B than in A.
 */
json_t *compare_point(const json_t *a, const json_t *b);

#endif
