/*
 * view.h — a world and the one buffer its observations are built into, in
 * dense or sparse form, with the steps it has taken: what observation_flow
 * and perception_metrics each step, build and compare.
 */
#ifndef BHOST_OBSERVE_VIEW_H
#define BHOST_OBSERVE_VIEW_H

#include "observe.h"

#include <stddef.h>
#include <stdint.h>

enum observe_form { OBSERVE_DENSE, OBSERVE_SPARSE };

struct observe_view {
    struct observe_world *w;
    enum observe_form form;
    struct observe_dense dense;   /* the last observation built, in the dense form */
    struct observe_sparse sparse; /* or in the sparse form */
    uint64_t steps;               /* steps taken since the world was made */
};

/* A new world of cfg, observed in `form`: 0, or -1 with the reason in why. */
int observe_view_open(struct observe_view *v, const struct observe_config *cfg,
                      enum observe_form form, char *why, size_t whylen);
void observe_view_close(struct observe_view *v);
/* One step of the world (observe_step()). 0, or -1 when out of memory. */
int observe_view_step(struct observe_view *v, struct observe_counts *c);
/* Agent id's observation into the view's buffer. 0, or -1 when out of memory. */
int observe_view_build(struct observe_view *v, uint32_t id, struct observe_counts *c);
/* The last observation's checksum, and its value at (channel, row, col). */
uint64_t observe_view_checksum(const struct observe_view *v);
float observe_view_at(const struct observe_view *v, uint32_t ch, uint32_t row, uint32_t col);

#endif
