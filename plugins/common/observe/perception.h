/*
 * perception.h — what an agent perceives, computed from its observation
 * (observe.h), in its dense or its sparse form with the same result to the
 * bit: the perception_metrics experiment's figures per agent.
 *
 * A cell counts as seen where the observation's VISIBLE channel is 1; an
 * observation without that channel (channels < 6) sees every cell. A channel
 * the observation lacks counts as all zero.
 */
#ifndef BHOST_PERCEPTION_H
#define BHOST_PERCEPTION_H

#include "observe.h"

#include <stdint.h>

struct perception {
    uint32_t visible_allies;    /* seen cells whose ALLIES value is > 0 */
    uint32_t visible_enemies;   /* seen cells whose ENEMIES value is > 0 */
    uint32_t visible_resources; /* seen cells whose RESOURCES value is > 0 */
    float nearest_enemy;        /* the Euclidean distance, in cells, from the centre to the
                                   nearest seen enemy cell (sqrtf of an exact integer sum);
                                   -1 when none is seen */
    float local_density;        /* cells with an ally or an enemy, seen or not, over the
                                   window's cells */
    float coverage;             /* seen cells over the window's cells */
};

void perception_from_dense(const struct observe_dense *o, struct perception *p);
void perception_from_sparse(const struct observe_sparse *o, struct perception *p);

#endif
